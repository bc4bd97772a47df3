package dev.jsyd.kernel;

import static dev.jsyd.abi.OpenFlags.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.abi.Audit;
import dev.jsyd.abi.Seccomp;
import dev.jsyd.abi.Syscalls;
import dev.jsyd.bpf.Interpreter;
import dev.jsyd.bpf.Program;
import dev.jsyd.bpf.SeccompData;
import dev.jsyd.policy.Origin;
import dev.jsyd.policy.Policy;
import org.junit.jupiter.api.Test;

/** The filter generated from the policy, run through the BPF interpreter. */
class FilterPlanTest {
    static Program filter(String... commands) throws Exception {
        Policy p = Policy.defaults();
        p.applyProfile("off", Origin.profile("off", 0));
        int n = 0;
        for (String c : commands) p.apply(c, Origin.argument(++n));
        return FilterPlan.program(p.snapshot());
    }

    static int openat(Program f, int flags) {
        return Interpreter.run(f, SeccompData.of(Syscalls.OPENAT, AT_FDCWD, 0x1000, flags, 0));
    }

    static int call(Program f, int nr, long... args) {
        return Interpreter.run(f, SeccompData.of(nr, args));
    }

    @Test
    void everythingOffNotifiesNoPathCallButOpensForWriting() throws Exception {
        Program f = filter();
        for (SyscallTable.Row r : SyscallTable.handledRows()) {
            if (((SyscallTable.Handled) r.treatment()).categories().isEmpty()) continue; // the calls that name a task are always checked
            // Opens for writing always are (no process writes another's /proc/PID/mem): openat2 and creat wholly.
            if (r.nr() == Syscalls.OPENAT2 || r.nr() == Syscalls.CREAT) {
                assertThat(call(f, r.nr())).as(r.name()).isEqualTo(Seccomp.RET_USER_NOTIF);
                continue;
            }
            assertThat(call(f, r.nr())).as(r.name()).isNotEqualTo(Seccomp.RET_USER_NOTIF);
        }
        assertThat(openat(f, O_WRONLY)).isEqualTo(Seccomp.RET_USER_NOTIF);
        assertThat(openat(f, O_RDWR)).isEqualTo(Seccomp.RET_USER_NOTIF);
        assertThat(call(f, Syscalls.OPEN, 0x1000, O_WRONLY | O_CREAT)).isEqualTo(Seccomp.RET_USER_NOTIF);
    }

    @Test
    void foreignAbisAreKilled() throws Exception {
        Program f = filter();
        assertThat(Interpreter.run(f, new SeccompData(5, Audit.AUDIT_ARCH_I386, 0, new long[6])))
                .isEqualTo(Seccomp.RET_KILL_PROCESS);
        assertThat(call(f, Syscalls.OPENAT | 0x40000000)).isEqualTo(Seccomp.RET_KILL_PROCESS);
    }

    @Test
    void readRulesNotifyOnlyOpensThatRead() throws Exception {
        Program f = filter("sandbox/read:on", "allow/read+/usr/***", "trace/allow_unsafe_memory:1");
        assertThat(openat(f, O_RDONLY)).isEqualTo(Seccomp.RET_USER_NOTIF);
        assertThat(openat(f, O_RDWR | O_CLOEXEC)).isEqualTo(Seccomp.RET_USER_NOTIF);
        assertThat(openat(f, O_WRONLY | O_CREAT | O_TRUNC)).as("opens for writing always are").isEqualTo(Seccomp.RET_USER_NOTIF);
        assertThat(call(f, Syscalls.OPEN, 0x1000, O_RDONLY)).isEqualTo(Seccomp.RET_USER_NOTIF);
        assertThat(call(f, Syscalls.OPENAT2, AT_FDCWD, 0x1000, 0x2000, 24)).isEqualTo(Seccomp.RET_USER_NOTIF);
    }

    @Test
    void readOnlyOpensStayInTheKernelWhenTheLandlockLayerDecidesThem() throws Exception {
        String[] real = {"sandbox/read,stat,readdir,walk,write,create,truncate,delete,rename,symlink,mkdir,rmdir,mkbdev,mkcdev,mkfifo,mktemp:on",
            "allow/read,stat,readdir,walk+/***",
            "deny/read,stat+/etc/shadow", "deny/read,stat,readdir+/root/***", "allow/write,create,truncate+/tmp/b/***"};
        Program before = filter(real);
        assertThat(openat(before, O_RDONLY | O_CLOEXEC)).as("stat hides paths: every open").isEqualTo(Seccomp.RET_USER_NOTIF);
        String[] on = java.util.Arrays.copyOf(real, real.length + 1);
        on[real.length] = "trace/allow_unsafe_landlock_paths:1";
        Program f = filter(on);
        assertThat(openat(f, O_RDONLY | O_CLOEXEC)).isEqualTo(Seccomp.RET_ALLOW);
        assertThat(call(f, Syscalls.OPEN, 0x1000, O_RDONLY | O_NOFOLLOW)).isEqualTo(Seccomp.RET_ALLOW);
        // opendir (the layer cannot let / be listed without /root), O_PATH (Landlock does not check
        // it), and with hiding every open that writes, creates or truncates still reach the supervisor
        for (int flags : new int[] {O_RDONLY | O_DIRECTORY, O_PATH, O_RDONLY | O_CREAT, O_RDONLY | O_TRUNC, O_WRONLY, O_RDWR,
                O_TMPFILE | O_RDWR, O_ACCMODE}) {
            assertThat(openat(f, flags)).as("flags 0%o", flags).isEqualTo(Seccomp.RET_USER_NOTIF);
        }
        // stat is still the supervisor's (Landlock cannot hide), and so is openat2
        assertThat(call(f, Syscalls.NEWFSTATAT, AT_FDCWD, 0x1000, 0x2000, 0)).isEqualTo(Seccomp.RET_USER_NOTIF);
        assertThat(call(f, Syscalls.OPENAT2, AT_FDCWD, 0x1000, 0x2000, 24)).isEqualTo(Seccomp.RET_USER_NOTIF);
        // a glob rule cannot be translated: the opens stay notified
        String[] glob = java.util.Arrays.copyOf(on, on.length + 1);
        glob[on.length] = "deny/read+/etc/*.conf";
        assertThat(openat(filter(glob), O_RDONLY)).isEqualTo(Seccomp.RET_USER_NOTIF);
    }

    @Test
    void aCategoryThatCannotRefuseCostsNoNotification() throws Exception {
        Program f = filter("sandbox/read,write,create:on", "allow/read+/***", "allow/write,create+/tmp/***");
        assertThat(openat(f, O_RDONLY)).isEqualTo(Seccomp.RET_ALLOW);
        assertThat(openat(f, O_WRONLY)).isEqualTo(Seccomp.RET_USER_NOTIF);
        assertThat(openat(f, O_RDONLY | O_CREAT)).isEqualTo(Seccomp.RET_USER_NOTIF);
        f = filter("sandbox/read:on", "allow/read+/***", "deny/read+/etc/shadow");
        assertThat(openat(f, O_RDONLY)).as("a deny after the allow-all").isEqualTo(Seccomp.RET_USER_NOTIF);
        f = filter("sandbox/read:on", "allow/read+/***", "warn/read+/etc/passwd");
        assertThat(openat(f, O_RDONLY)).as("warn must be logged").isEqualTo(Seccomp.RET_USER_NOTIF);
        f = filter("sandbox/read:on", "deny/read+/etc/shadow", "allow/read+/***");
        assertThat(openat(f, O_RDONLY)).as("the allow-all comes last").isEqualTo(Seccomp.RET_ALLOW);
    }

    @Test
    void execIsNotifiedOnlyWhenItCanBeRefused() throws Exception {
        assertThat(call(filter("sandbox/exec:on", "allow/exec+/***"), Syscalls.EXECVE)).isEqualTo(Seccomp.RET_ALLOW);
        assertThat(call(filter("sandbox/exec:on", "allow/exec+/usr/***"), Syscalls.EXECVE)).isEqualTo(Seccomp.RET_USER_NOTIF);
        assertThat(call(FilterPlan.program(Policy.defaults().snapshot()), Syscalls.EXECVE))
                .as("Syd's defaults deny exec").isEqualTo(Seccomp.RET_USER_NOTIF);
    }

    @Test
    void upperBitsOfTheFlagsCannotDodgeTheFilter() throws Exception {
        Program f = filter("sandbox/read:on", "allow/read+/usr/***");
        assertThat(Interpreter.run(f, SeccompData.of(Syscalls.OPENAT, AT_FDCWD, 0x1000, 0xffffffff00000000L, 0)))
                .isEqualTo(Seccomp.RET_USER_NOTIF);
    }

    @Test
    void ioctlRequestsAreDecidedInTheKernelWhereThePolicyAllowsThemSilently() throws Exception {
        int notify = Seccomp.RET_USER_NOTIF, allow = Seccomp.RET_ALLOW;
        Program off = filter();
        assertThat(call(off, Syscalls.IOCTL, 0, 0x5401)).as("ioctl sandboxing off").isEqualTo(allow);
        assertThat(call(off, Syscalls.IOCTL, 0, 0xae80)).isEqualTo(allow);
        Program on = filter("sandbox/ioctl:on", "deny/ioctl+TIOCGWINSZ", "allow/ioctl+KVM_RUN", "warn/ioctl+FIONREAD");
        assertThat(call(on, Syscalls.IOCTL, 0, 0x5401)).as("TCGETS: default allow list").isEqualTo(allow);
        assertThat(call(on, Syscalls.IOCTL, 0, 0xffffffff00005401L)).as("32-bit compare").isEqualTo(allow);
        assertThat(call(on, Syscalls.IOCTL, 0, 0x5413)).as("TIOCGWINSZ denied: logged").isEqualTo(notify);
        assertThat(call(on, Syscalls.IOCTL, 0, 0x541b)).as("FIONREAD warned: logged").isEqualTo(notify);
        assertThat(call(on, Syscalls.IOCTL, 0, 0xae80)).as("KVM_RUN allowed by rule").isEqualTo(allow);
        assertThat(call(on, Syscalls.IOCTL, 0, 0xae01)).as("KVM_CREATE_VM: default deny").isEqualTo(notify);
        assertThat(call(on, Syscalls.IOCTL, 0, 0x5412)).as("TIOCSTI: hardening first")
                .isEqualTo(Hardening.errno(dev.jsyd.abi.Errno.EACCES));
        Program allowRest = filter("sandbox/ioctl:on", "default/ioctl:allow", "deny/ioctl+TCGETS");
        assertThat(call(allowRest, Syscalls.IOCTL, 0, 0x5401)).isEqualTo(notify);
        assertThat(call(allowRest, Syscalls.IOCTL, 0, 0xae01)).isEqualTo(allow);
        Program landlock = filter("sandbox/lock:on", "allow/lock/read+/usr");
        assertThat(call(landlock, Syscalls.IOCTL, 0, 0x5401)).as("under Landlock: checked on devices").isEqualTo(notify);
        assertThat(call(landlock, Syscalls.IOCTL, 0, 0x5451)).as("FIOCLEX: Landlock never restricts it").isEqualTo(allow);
        Program runtime = filter("sandbox/ioctl:on", "lock:off");
        assertThat(call(runtime, Syscalls.IOCTL, 0, 0x5401)).as("the policy may change: every request seen").isEqualTo(notify);
    }

    @Test
    void memoryGrowthIsNotifiedOnlyUnderAMemoryLimit() throws Exception {
        int notify = Seccomp.RET_USER_NOTIF, allow = Seccomp.RET_ALLOW;
        Program off = filter("mem/max:10M");
        assertThat(call(off, Syscalls.MMAP, 0, 1 << 20, 3, 0x22)).as("sandbox/mem off").isEqualTo(allow);
        Program noLimit = filter("sandbox/mem:on");
        assertThat(call(noLimit, Syscalls.BRK, 0x1000)).as("no limit").isEqualTo(allow);
        Program max = filter("sandbox/mem:on", "mem/max:10M");
        assertThat(call(max, Syscalls.MMAP, 0, 1 << 20, 3, 0x22)).isEqualTo(notify);
        assertThat(call(max, Syscalls.MMAP, 0, 1 << 20, 0, 0x22)).as("PROT_NONE reservation").isEqualTo(allow);
        assertThat(call(max, Syscalls.BRK, 0)).as("brk(0): a query").isEqualTo(allow);
        assertThat(call(max, Syscalls.BRK, 0x1000)).isEqualTo(notify);
        assertThat(call(max, Syscalls.MREMAP, 0x1000, 4096, 8192)).isEqualTo(notify);
        Program vm = filter("sandbox/mem:on", "mem/vm_max:1G");
        assertThat(call(vm, Syscalls.MMAP, 0, 1 << 20, 0, 0x22)).as("reservations count for vm_max").isEqualTo(notify);
    }
}
