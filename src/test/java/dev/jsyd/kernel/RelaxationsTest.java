package dev.jsyd.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.abi.Errno;
import dev.jsyd.abi.Seccomp;
import dev.jsyd.abi.Syscalls;
import dev.jsyd.bpf.FilterSpec;
import dev.jsyd.bpf.SeccompData;
import dev.jsyd.policy.Origin;
import dev.jsyd.policy.Policy;
import dev.jsyd.policy.Sandbox;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Learning mode's filter and what it learns from a call: refusals a switch lifts are notified
 * instead (and name their switch), refusals that protect the supervisor stay, and the normal
 * filter is the same as without learning.
 */
class RelaxationsTest {
    static final Hardening.Self SELF = new Hardening.Self(4000, 4000, 0, 0);
    static final int NOTIFY = Seccomp.RET_USER_NOTIF;
    static final int PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4, MAP_PRIVATE = 2, MAP_SHARED = 1, MAP_ANON = 0x20;
    static final long CLONE_NEWNS = 0x00020000, CLONE_NEWUSER = 0x10000000, CLONE_UNTRACED = 0x00800000;

    static Sandbox sandbox(String... commands) throws Exception {
        Policy p = Policy.defaults();
        int n = 0;
        for (String c : commands) p.apply(c, Origin.argument(++n));
        return p.snapshot();
    }

    static int eval(FilterSpec f, int nr, long... args) {
        return f.evaluate(SeccompData.of(nr, args));
    }

    @Test
    void switchableRefusalsAreNotifiedTheOthersStay() throws Exception {
        Sandbox sb = sandbox();
        FilterSpec normal = FilterPlan.spec(sb, SELF), learning = Relaxations.spec(sb, SELF);
        // Refused rows with a switch, and refusing argument rules with one: notified when learning.
        for (int nr : List.of(Syscalls.PTRACE, Syscalls.IO_URING_SETUP, Syscalls.KEYCTL, Syscalls.BPF, Syscalls.MOUNT,
                Syscalls.PERF_EVENT_OPEN, Syscalls.SETNS, Syscalls.PKEY_ALLOC)) {
            assertThat(eval(normal, nr)).as(Syscalls.name(nr)).isEqualTo(Seccomp.errno(Errno.EPERM));
            assertThat(eval(learning, nr)).as(Syscalls.name(nr)).isEqualTo(NOTIFY);
        }
        assertThat(eval(normal, Syscalls.PERSONALITY, 0x0040000)).isEqualTo(Seccomp.errno(Errno.EPERM));
        assertThat(eval(learning, Syscalls.PERSONALITY, 0x0040000)).isEqualTo(NOTIFY);
        assertThat(eval(learning, Syscalls.PERSONALITY, 0)).isEqualTo(Seccomp.RET_ALLOW); // PER_LINUX: allowed as always
        assertThat(eval(learning, Syscalls.UNSHARE, CLONE_NEWUSER)).isEqualTo(NOTIFY);
        assertThat(eval(learning, Syscalls.CLONE, CLONE_NEWUSER | 17)).isEqualTo(NOTIFY);
        // No switch lifts these: they stay refused in the kernel, learning or not.
        assertThat(eval(learning, Syscalls.CLONE, CLONE_UNTRACED | 17)).isEqualTo(Seccomp.errno(Errno.EPERM));
        assertThat(eval(learning, Syscalls.KILL, SELF.pid(), 9)).isEqualTo(Seccomp.errno(Errno.EACCES));
        assertThat(eval(learning, Syscalls.USERFAULTFD)).isEqualTo(Seccomp.errno(Errno.EPERM));
        assertThat(eval(learning, Syscalls.MODIFY_LDT)).isEqualTo(Seccomp.errno(Errno.EPERM));
        assertThat(eval(learning, Syscalls.FINIT_MODULE)).isEqualTo(Seccomp.errno(Errno.EPERM));
        assertThat(eval(learning, Syscalls.CLONE3)).isEqualTo(Seccomp.errno(Errno.ENOSYS));
    }

    @Test
    void wxBreaksAreNotifiedWhenLearningOnly() throws Exception {
        Sandbox sb = sandbox("sandbox/exec:off");
        FilterSpec normal = FilterPlan.spec(sb, SELF), learning = Relaxations.spec(sb, SELF);
        int rwx = PROT_READ | PROT_WRITE | PROT_EXEC;
        // Normally MDWE (the launcher) refuses these in the kernel; the filter lets them through to it.
        assertThat(eval(normal, Syscalls.MMAP, 0, 4096, rwx, MAP_PRIVATE | MAP_ANON, -1, 0)).isEqualTo(Seccomp.RET_ALLOW);
        assertThat(eval(normal, Syscalls.MPROTECT, 0x1000, 4096, PROT_READ | PROT_EXEC)).isEqualTo(Seccomp.RET_ALLOW);
        assertThat(eval(learning, Syscalls.MMAP, 0, 4096, rwx, MAP_PRIVATE | MAP_ANON, -1, 0)).isEqualTo(NOTIFY);
        assertThat(eval(learning, Syscalls.MPROTECT, 0x1000, 4096, PROT_READ | PROT_EXEC)).isEqualTo(NOTIFY);
        assertThat(eval(learning, Syscalls.MMAP, 0, 4096, PROT_READ | PROT_EXEC, MAP_SHARED, 3, 0)).isEqualTo(NOTIFY);
        assertThat(eval(learning, Syscalls.MMAP, 0, 4096, rwx, MAP_PRIVATE, 3, 0)).isEqualTo(NOTIFY);
        // Where the tracer checks executable file mappings (exec rules can refuse), it sees them and records
        // the W^X break itself (MapCheck), so the file is checked like an exec as in the replay.
        FilterSpec checked = Relaxations.spec(sandbox(), SELF);
        assertThat(eval(checked, Syscalls.MPROTECT, 0x1000, 4096, PROT_READ | PROT_EXEC)).isEqualTo(Seccomp.RET_TRACE);
        assertThat(eval(checked, Syscalls.MMAP, 0, 4096, rwx, MAP_PRIVATE, 3, 0)).isEqualTo(Seccomp.RET_TRACE);
        assertThat(eval(checked, Syscalls.MMAP, 0, 4096, rwx, MAP_PRIVATE | MAP_ANON, -1, 0)).isEqualTo(NOTIFY);
        assertThat(eval(FilterPlan.spec(sandbox(), SELF), Syscalls.MPROTECT, 0x1000, 4096, PROT_READ | PROT_EXEC))
                .isEqualTo(Seccomp.RET_ALLOW);
        assertThat(eval(learning, Syscalls.MMAP, 0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANON, -1, 0))
                .isEqualTo(Seccomp.RET_ALLOW);
        assertThat(eval(learning, Syscalls.MPROTECT, 0x1000, 4096, PROT_READ)).isEqualTo(Seccomp.RET_ALLOW);
        // With W^X relaxed by the policy there is nothing to learn about it.
        Sandbox relaxed = sandbox("sandbox/exec:off", "trace/allow_unsafe_memory:1");
        assertThat(eval(Relaxations.spec(relaxed, SELF), Syscalls.MMAP, 0, 4096, rwx, MAP_PRIVATE | MAP_ANON, -1, 0))
                .isEqualTo(Seccomp.RET_ALLOW);
    }

    @Test
    void theNormalFilterIsTheSameWithLearningAround() throws Exception {
        Sandbox sb = sandbox();
        String before = FilterPlan.spec(sb, SELF).toString();
        new Relaxations(sb, SELF);
        Relaxations.spec(sb, SELF);
        assertThat(FilterPlan.spec(sb, SELF).toString()).isEqualTo(before);
    }

    static List<String> needed(Relaxations r, String maps, int nr, long... args) {
        return r.needed(SeccompData.of(nr, args), () -> maps).stream().map(Relaxations.Need::command).toList();
    }

    @Test
    void eachCallNamesTheSwitchThatLetsItThrough() throws Exception {
        Relaxations r = new Relaxations(sandbox("trace/allow_unsafe_namespace:uts"), SELF);
        assertThat(needed(r, "", Syscalls.PTRACE)).containsExactly("trace/allow_unsafe_ptrace:1");
        assertThat(needed(r, "", Syscalls.IO_URING_SETUP)).containsExactly("trace/allow_unsafe_iouring:1");
        assertThat(needed(r, "", Syscalls.PERSONALITY, 0x0040000)).containsExactly("trace/allow_unsafe_personality:1");
        assertThat(needed(r, "", Syscalls.MEMFD_CREATE, 0, 0x10)).containsExactly("trace/allow_unsafe_memfd:1");
        // Namespaces: the ones the call names, with those the policy already allows (one list setting).
        assertThat(needed(r, "", Syscalls.UNSHARE, CLONE_NEWUSER | CLONE_NEWNS))
                .containsExactly("trace/allow_unsafe_namespace:uts,mount,user");
        assertThat(needed(r, "", Syscalls.MOUNT)).containsExactly("trace/allow_unsafe_namespace:uts,mount");
        assertThat(needed(r, "", Syscalls.SETNS, 3, 0)).isEmpty(); // any namespace allowed lets setns through
        Relaxations none = new Relaxations(sandbox(), SELF);
        assertThat(needed(none, "", Syscalls.SETNS, 3, 0)).containsExactly("trace/allow_unsafe_namespace:all");
        assertThat(needed(none, "", Syscalls.SETNS, 3, CLONE_NEWUSER)).containsExactly("trace/allow_unsafe_namespace:user");
        // W^X: writable and executable at once, or memory that was not executable made executable.
        String maps = "7f0000000000-7f0000002000 rw-p 00000000 00:00 0 \n7f0000002000-7f0000003000 r-xp 00000000 08:01 42 /usr/lib/x\n";
        assertThat(needed(r, maps, Syscalls.MMAP, 0, 4096, 7, 0x22, -1, 0)).containsExactly("trace/allow_unsafe_memory:1");
        assertThat(needed(r, maps, Syscalls.MPROTECT, 0x7f0000001000L, 4096, 5)).containsExactly("trace/allow_unsafe_memory:1");
        assertThat(needed(r, maps, Syscalls.MPROTECT, 0x7f0000002000L, 4096, 5)).isEmpty(); // already executable
        assertThat(needed(r, maps, Syscalls.PKEY_MPROTECT, 0x7f0000001000L, 4096, 5, 0))
                .containsExactly("trace/allow_unsafe_pkey:1", "trace/allow_unsafe_memory:1");
    }
}
