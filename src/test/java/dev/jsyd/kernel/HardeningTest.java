package dev.jsyd.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.abi.Errno;
import dev.jsyd.abi.Seccomp;
import dev.jsyd.abi.Syscalls;
import dev.jsyd.bpf.Interpreter;
import dev.jsyd.bpf.Program;
import dev.jsyd.bpf.SeccompData;
import dev.jsyd.policy.Origin;
import dev.jsyd.policy.Policy;
import dev.jsyd.policy.Sandbox;
import org.junit.jupiter.api.Test;

/** The hardening rules through the compiled filter (interpreter), for a fixed supervisor pid 4242 / pgid 4000. */
class HardeningTest {
    static final Hardening.Self SELF = new Hardening.Self(4242, 4000);
    static final int NOTIFY = Seccomp.RET_USER_NOTIF, ALLOW = Seccomp.RET_ALLOW;

    static Sandbox sandbox(String... cmds) throws Exception {
        Policy p = Policy.defaults();
        int n = 0;
        for (String c : cmds) p.apply(c, Origin.argument(++n));
        return p.snapshot();
    }

    static int run(Sandbox sb, int nr, long... args) {
        Program prog = FilterPlan.program(sb, SELF);
        int r = Interpreter.run(prog, SeccompData.of(nr, args));
        assertThat(r).as("spec and program agree").isEqualTo(FilterPlan.spec(sb, SELF).evaluate(SeccompData.of(nr, args)));
        return r;
    }

    static int errno(int e) { return Seccomp.RET_ERRNO | e; }

    @Test
    void dangerousFacilitiesAreDeniedEvenWithEveryCategoryOff() throws Exception {
        Sandbox off = sandbox("sandbox/all:off");
        for (int nr : new int[] {Syscalls.PTRACE, Syscalls.PROCESS_VM_WRITEV, Syscalls.IO_URING_SETUP, Syscalls.BPF,
            Syscalls.PERF_EVENT_OPEN, Syscalls.KEYCTL, Syscalls.KEXEC_LOAD, Syscalls.INIT_MODULE, Syscalls.REBOOT,
            Syscalls.MOUNT, Syscalls.FSOPEN, Syscalls.OPEN_BY_HANDLE_AT, Syscalls.SETNS, Syscalls.SYSLOG}) {
            assertThat(run(off, nr)).as(Syscalls.name(nr)).isEqualTo(errno(Errno.EPERM));
        }
        assertThat(run(off, Syscalls.CLONE3)).isEqualTo(errno(Errno.ENOSYS));
        assertThat(run(off, Syscalls.READ)).isEqualTo(ALLOW);
    }

    @Test
    void terminalInjectionFlowControlConsoleAndLineDisciplineAreRefused() throws Exception {
        Sandbox off = sandbox("sandbox/all:off");
        for (int request : new int[] {0x5412 /* TIOCSTI */, 0x541C /* TIOCLINUX */, 0x540A /* TCXONC */,
            0x541D /* TIOCCONS */, 0x5423 /* TIOCSETD */, 0x5437 /* TIOCVHANGUP */}) {
            assertThat(run(off, Syscalls.IOCTL, 1, request, 0)).as("0x%x", request).isEqualTo(errno(Errno.EACCES));
            // the kernel reads the request as an unsigned int: a set upper half changes nothing
            assertThat(run(off, Syscalls.IOCTL, 1, 0xdead00000000L | request, 0)).isEqualTo(errno(Errno.EACCES));
        }
        assertThat(run(off, Syscalls.IOCTL, 0, 0x540E /* TIOCSCTTY */, 1)).isEqualTo(errno(Errno.EACCES));
        assertThat(run(off, Syscalls.IOCTL, 0, 0x540E, 0)).isEqualTo(ALLOW);
        assertThat(run(off, Syscalls.IOCTL, 0, 0x5401 /* TCGETS */, 0)).isEqualTo(ALLOW);
        assertThat(run(off, Syscalls.IOCTL, 0, 0x5410 /* TIOCSPGRP: job control of shells inside */, 0)).isEqualTo(ALLOW);
    }

    @Test
    void namespaceFlagsOfCloneAndUnshare() throws Exception {
        Sandbox off = sandbox("sandbox/all:off");
        assertThat(run(off, Syscalls.CLONE, 0x11 /* SIGCHLD */)).isEqualTo(ALLOW);
        assertThat(run(off, Syscalls.CLONE, 0x10000000L | 0x11)).isEqualTo(errno(Errno.EPERM));
        assertThat(run(off, Syscalls.UNSHARE, 0x200 /* CLONE_FS */)).isEqualTo(ALLOW);
        assertThat(run(off, Syscalls.UNSHARE, 0x80 /* CLONE_NEWTIME */)).isEqualTo(errno(Errno.EPERM));
        Sandbox user = sandbox("sandbox/all:off", "trace/allow_unsafe_namespace:user,mount");
        assertThat(run(user, Syscalls.UNSHARE, 0x10000000L | 0x20000)).isEqualTo(ALLOW);
        assertThat(run(user, Syscalls.UNSHARE, 0x40000000L)).isEqualTo(errno(Errno.EPERM));
        assertThat(run(user, Syscalls.MOUNT)).isEqualTo(ALLOW);
    }

    @Test
    void intArgumentsIgnoreTheUpperHalf() throws Exception {
        Sandbox off = sandbox("sandbox/all:off");
        assertThat(run(off, Syscalls.IOCTL, 0, 0x5412)).isEqualTo(errno(Errno.EACCES));
        assertThat(run(off, Syscalls.IOCTL, 0, 0xdead00005412L)).isEqualTo(errno(Errno.EACCES));
        assertThat(run(off, Syscalls.IOCTL, 0, 0x5401 /* TCGETS */)).isEqualTo(ALLOW);
        assertThat(run(off, Syscalls.KILL, 0xffffffff00000000L | (-4000 & 0xffffffffL), 9)).isEqualTo(errno(Errno.EACCES));
    }

    @Test
    void signalsToTheSupervisor() throws Exception {
        Sandbox off = sandbox("sandbox/all:off");
        assertThat(run(off, Syscalls.KILL, 4242, 9)).isEqualTo(errno(Errno.EACCES));
        assertThat(run(off, Syscalls.KILL, -4000L, 9)).isEqualTo(errno(Errno.EACCES));
        assertThat(run(off, Syscalls.KILL, -1L, 9)).isEqualTo(errno(Errno.EACCES));
        assertThat(run(off, Syscalls.KILL, 77, 9)).as("other pids: checked by ProcessTargetHandlers").isEqualTo(NOTIFY);
        assertThat(run(off, Syscalls.TGKILL, 4242, 4243, 9)).isEqualTo(errno(Errno.EACCES));
        assertThat(run(off, Syscalls.TGKILL, 77, 78, 9)).as("membership checked by the handler").isEqualTo(NOTIFY);
        assertThat(run(off, Syscalls.TKILL, 4243, 9)).isEqualTo(NOTIFY);
        assertThat(run(off, Syscalls.PIDFD_OPEN, 4242, 0)).isEqualTo(errno(Errno.EACCES));
        assertThat(run(off, Syscalls.SETPGID, 0, 4000)).as("into its group: ProcessGroupHandlers").isEqualTo(NOTIFY);
        assertThat(run(sandbox("lock:off"), Syscalls.SETPGID, 0, 77)).as("other groups: ProcessTargetHandlers (members only)").isEqualTo(NOTIFY);
        assertThat(run(off, Syscalls.SETPGID, 0, 0)).isEqualTo(ALLOW);
        assertThat(run(off, Syscalls.FCNTL, 3, 8 /* F_SETOWN */, 4242)).isEqualTo(errno(Errno.EACCES));
        assertThat(run(off, Syscalls.FCNTL, 3, 8, 77)).as("owner membership checked by the handler").isEqualTo(NOTIFY);
        assertThat(run(off, Syscalls.FCNTL, 3, 8, 0)).as("no owner").isEqualTo(ALLOW);
        assertThat(run(off, Syscalls.FCNTL, 3, 15 /* F_SETOWN_EX: owner in memory */, 0x7000)).isEqualTo(NOTIFY);
        assertThat(run(off, Syscalls.IOCTL, 3, 0x8901 /* FIOSETOWN */, 0x7000)).isEqualTo(NOTIFY);
        assertThat(run(off, Syscalls.FCNTL, 3, 1 /* F_GETFD */)).isEqualTo(ALLOW);
        assertThat(run(sandbox("lock:exec"), Syscalls.FCNTL, 3, 1)).as("rule-only rows, also when the lock notifies everything")
                .isEqualTo(ALLOW);
        assertThat(run(sandbox("lock:exec"), Syscalls.IOCTL, 3, 0x5401)).as("the ioctl policy may still change: IoctlHandlers decides")
                .isEqualTo(NOTIFY);
    }

    @Test
    void callsNamingATaskAreCheckedUnlessTheyNameTheCaller() throws Exception {
        Sandbox off = sandbox("sandbox/all:off");
        for (int nr : new int[] {Syscalls.PRLIMIT64, Syscalls.SCHED_SETAFFINITY, Syscalls.SCHED_GETAFFINITY,
                Syscalls.SCHED_SETSCHEDULER, Syscalls.SCHED_GETSCHEDULER, Syscalls.SCHED_SETPARAM, Syscalls.SCHED_GETPARAM,
                Syscalls.SCHED_SETATTR, Syscalls.SCHED_GETATTR, Syscalls.SCHED_RR_GET_INTERVAL, Syscalls.GET_ROBUST_LIST,
                Syscalls.GETPGID, Syscalls.GETSID}) {
            assertThat(run(off, nr, 0, 0, 0)).as(Syscalls.name(nr) + "(0)").isEqualTo(ALLOW);
            assertThat(run(off, nr, 77, 0, 0)).as(Syscalls.name(nr) + "(77)").isEqualTo(NOTIFY);
        }
        assertThat(run(off, Syscalls.GETPRIORITY, 0, 0)).isEqualTo(ALLOW);
        assertThat(run(off, Syscalls.GETPRIORITY, 1 /* PRIO_PGRP */, 0)).isEqualTo(NOTIFY);
        assertThat(run(off, Syscalls.IOPRIO_GET, 1 /* IOPRIO_WHO_PROCESS */, 0)).isEqualTo(ALLOW);
        assertThat(run(off, Syscalls.IOPRIO_SET, 3 /* IOPRIO_WHO_USER */, 0, 0)).isEqualTo(NOTIFY);
        assertThat(run(off, Syscalls.SETPGID, 77, 0)).isEqualTo(NOTIFY);
        assertThat(run(off, Syscalls.PIDFD_GETFD, 3, 0, 0)).isEqualTo(NOTIFY);
        assertThat(run(off, Syscalls.KCMP, 77, 78, 0)).isEqualTo(NOTIFY);
    }

    @Test
    void personalityAndMemfd() throws Exception {
        Sandbox off = sandbox("sandbox/all:off");
        assertThat(run(off, Syscalls.PERSONALITY, 0xffffffffL)).isEqualTo(ALLOW);
        assertThat(run(off, Syscalls.PERSONALITY, 0)).isEqualTo(ALLOW);
        assertThat(run(off, Syscalls.PERSONALITY, 0x0040000 /* ADDR_NO_RANDOMIZE */)).isEqualTo(errno(Errno.EPERM));
        assertThat(run(off, Syscalls.PERSONALITY, 0x0400000 /* READ_IMPLIES_EXEC */)).isEqualTo(errno(Errno.EPERM));
        assertThat(run(off, Syscalls.MEMFD_CREATE, 0, 0x10 /* MFD_EXEC */)).isEqualTo(errno(Errno.EACCES));
        assertThat(run(off, Syscalls.MEMFD_CREATE, 0, 1 /* MFD_CLOEXEC */)).as("emulated with MFD_NOEXEC_SEAL").isEqualTo(NOTIFY);
    }

    @Test
    void switchesRelaxTheirGroup() throws Exception {
        Sandbox s = sandbox("sandbox/all:off", "trace/allow_unsafe_ptrace:1", "trace/allow_unsafe_iouring:1",
                "trace/allow_unsafe_personality:1", "trace/allow_unsafe_memfd:1");
        assertThat(run(s, Syscalls.PTRACE)).isEqualTo(ALLOW);
        assertThat(run(s, Syscalls.IO_URING_ENTER)).isEqualTo(ALLOW);
        assertThat(run(s, Syscalls.PERSONALITY, 0x0040000)).isEqualTo(ALLOW);
        assertThat(run(s, Syscalls.MEMFD_CREATE, 0, 0x10)).as("continued by its handler").isEqualTo(NOTIFY);
        assertThat(run(s, Syscalls.BPF)).isEqualTo(errno(Errno.EPERM));
    }

    @Test
    void setIdToSystemIdsIsRefusedInTheKernel() throws Exception {
        Sandbox off = sandbox("sandbox/all:off");
        assertThat(run(off, Syscalls.SETUID, 11)).isEqualTo(errno(Errno.EACCES));
        assertThat(run(off, Syscalls.SETUID, 0)).isEqualTo(errno(Errno.EACCES));
        assertThat(run(off, Syscalls.SETUID, 0xffffffff0000000cL)).as("uid_t is 32 bits: 12").isEqualTo(NOTIFY);
        assertThat(run(off, Syscalls.SETUID, 12)).as("to SetIdHandlers").isEqualTo(NOTIFY);
        assertThat(run(off, Syscalls.SETGID, 14)).isEqualTo(errno(Errno.EACCES));
        assertThat(run(off, Syscalls.SETGID, 15)).isEqualTo(NOTIFY);
        assertThat(run(off, Syscalls.SETRESUID, -1L, 65534, 3)).isEqualTo(errno(Errno.EACCES));
        assertThat(run(off, Syscalls.SETRESUID, -1L, -1L, -1L)).as("-1: unchanged").isEqualTo(NOTIFY);
        assertThat(run(off, Syscalls.SETREGID, 1000, 0)).isEqualTo(errno(Errno.EACCES));
        assertThat(run(off, Syscalls.SETFSUID, 0)).isEqualTo(errno(Errno.EACCES));
        assertThat(run(off, Syscalls.SETFSGID, 0xffffffffL)).isEqualTo(NOTIFY);
        assertThat(run(off, Syscalls.CAPSET, 0, 0)).as("credential changes are seen").isEqualTo(NOTIFY);
        assertThat(run(off, Syscalls.SETGROUPS, 0, 0)).as("to the tracer: GroupsCheck").isEqualTo(Seccomp.RET_TRACE);
        // A root supervisor: the program's own starting ids (0) go on to SetIdHandlers (seteuid(0) is no transition).
        Hardening.Self root = new Hardening.Self(4242, 4000, 0, 0);
        Program prog = FilterPlan.program(off, root);
        assertThat(Interpreter.run(prog, SeccompData.of(Syscalls.SETRESUID, -1L, 0, -1L))).isEqualTo(NOTIFY);
        assertThat(Interpreter.run(prog, SeccompData.of(Syscalls.SETRESUID, -1L, 1, -1L))).isEqualTo(errno(Errno.EACCES));
        assertThat(Interpreter.run(prog, SeccompData.of(Syscalls.SETGID, 0))).isEqualTo(NOTIFY);
        assertThat(Interpreter.run(prog, SeccompData.of(Syscalls.SETGID, 14))).isEqualTo(errno(Errno.EACCES));
        // The launcher keeps CAP_SETUID / CAP_SETGID only with SafeSetID rules.
        long keep = dev.jsyd.confine.PlanBuilder.keptCaps(sandbox("setuid+0:65534"));
        assertThat(keep & (1L << 7)).isNotZero();
        assertThat(keep & (1L << 6)).isZero();
        assertThat(dev.jsyd.confine.PlanBuilder.keptCaps(sandbox("setgid+users:nogroup")) & (1L << 6)).isNotZero();
        assertThat(dev.jsyd.confine.PlanBuilder.keptCaps(sandbox()) & (1L << 7 | 1L << 6)).isZero();
    }

    @Test
    void notifiedSyscallsKeepTheirRulesInFront() throws Exception {
        Sandbox read = sandbox("sandbox/all:off", "sandbox/read:on");
        assertThat(run(read, Syscalls.OPENAT, -100, 0, 0)).isEqualTo(NOTIFY);
        assertThat(run(sandbox("sandbox/all:off"), Syscalls.OPENAT, -100, 0, 0)).isEqualTo(ALLOW);
    }

    @Test
    void untracedChildrenAndClone3() throws Exception {
        Sandbox off = sandbox("sandbox/all:off");
        assertThat(run(off, Syscalls.CLONE, 0x00800000L | 0x11 /* CLONE_UNTRACED */)).isEqualTo(errno(Errno.EPERM));
        assertThat(run(off, Syscalls.CLONE, 0x3d0f00L /* pthread_create */)).isEqualTo(ALLOW);
        Sandbox all = sandbox("sandbox/all:off", "trace/allow_unsafe_namespace:all");
        assertThat(run(all, Syscalls.CLONE, 0x00800000L | 0x11)).as("no switch").isEqualTo(errno(Errno.EPERM));
        assertThat(run(all, Syscalls.CLONE3)).as("always ENOSYS").isEqualTo(errno(Errno.ENOSYS));
    }

    @Test
    void pidLimitHandsTaskCreationToTheTracer() throws Exception {
        int trace = Seccomp.trace(Hardening.TRACE_PID);
        Sandbox pid = sandbox("sandbox/all:off", "sandbox/pid:on", "pid/max:4");
        assertThat(run(pid, Syscalls.FORK)).isEqualTo(trace);
        assertThat(run(pid, Syscalls.VFORK)).isEqualTo(trace);
        assertThat(run(pid, Syscalls.CLONE, 0x11)).isEqualTo(trace);
        assertThat(run(pid, Syscalls.CLONE, 0x00800000L | 0x11)).as("refusals first").isEqualTo(errno(Errno.EPERM));
        Sandbox off = sandbox("sandbox/all:off", "pid/max:4");
        assertThat(run(off, Syscalls.FORK)).as("pid sandboxing off").isEqualTo(ALLOW);
        assertThat(run(sandbox("sandbox/all:off", "sandbox/pid:on"), Syscalls.FORK)).as("no limit").isEqualTo(ALLOW);
    }

    @Test
    void userfaultfdDevice() throws Exception {
        Sandbox off = sandbox("sandbox/all:off");
        assertThat(run(off, Syscalls.IOCTL, 3, 0xAA00 /* USERFAULTFD_IOC_NEW */, 0x80000)).isEqualTo(errno(Errno.EPERM));
        assertThat(run(off, Syscalls.USERFAULTFD, 0)).isEqualTo(errno(Errno.EPERM));
    }
}
