package dev.jsyd.kernel;

import static dev.jsyd.bpf.ArgRule.Cond.anyBits;
import static dev.jsyd.bpf.ArgRule.Cond.of32;

import dev.jsyd.abi.Errno;
import dev.jsyd.abi.Seccomp;
import dev.jsyd.abi.Syscalls;
import dev.jsyd.bpf.ArgRule;
import dev.jsyd.bpf.ArgRule.Op;
import dev.jsyd.bpf.FilterCompiler;
import dev.jsyd.bpf.FilterSpec;
import dev.jsyd.bpf.Program;
import java.util.List;

/**
 * The seccomp filter the supervisor puts on its own threads — workers, tracer, interrupter,
 * timeouter, log writer — one thread at a time (no TSYNC: the JVM's own threads and the thread
 * that spawns the launcher stay unfiltered, so the program never inherits it). It only refuses
 * (EPERM, never a notification, never a kill: a JVM thread must not block or die in a syscall),
 * and only what those threads never do: a confused or subverted emulation cannot execute a
 * program, trace anything (but the tracer), mount, enter or make namespaces, load kernel code
 * (modules, kexec, BPF), reach io_uring, the keyring or file handles, or make the supervisor
 * dumpable or traceable again.
 */
public final class SupervisorFilter {
    private SupervisorFilter() {}

    /** Refused on every supervisor thread whatever the arguments. */
    static final List<Integer> REFUSED = List.of(Syscalls.EXECVE, Syscalls.EXECVEAT, Syscalls.MOUNT, Syscalls.UMOUNT2,
            Syscalls.PIVOT_ROOT, Syscalls.CHROOT, Syscalls.OPEN_TREE, Syscalls.MOVE_MOUNT, Syscalls.FSOPEN,
            Syscalls.FSCONFIG, Syscalls.FSMOUNT, Syscalls.FSPICK, Syscalls.MOUNT_SETATTR, Syscalls.SETNS,
            Syscalls.KEXEC_LOAD, Syscalls.KEXEC_FILE_LOAD, Syscalls.INIT_MODULE, Syscalls.FINIT_MODULE,
            Syscalls.DELETE_MODULE, Syscalls.BPF, Syscalls.PERF_EVENT_OPEN, Syscalls.USERFAULTFD,
            Syscalls.IO_URING_SETUP, Syscalls.IO_URING_ENTER, Syscalls.IO_URING_REGISTER, Syscalls.ADD_KEY,
            Syscalls.KEYCTL, Syscalls.REQUEST_KEY, Syscalls.OPEN_BY_HANDLE_AT, Syscalls.REBOOT, Syscalls.SWAPON,
            Syscalls.SWAPOFF, Syscalls.ACCT, Syscalls.IOPL, Syscalls.IOPERM, Syscalls.QUOTACTL,
            Syscalls.QUOTACTL_FD, Syscalls.LOOKUP_DCOOKIE, Syscalls.NFSSERVCTL, Syscalls.USELIB, Syscalls.VHANGUP);

    /** Every CLONE_NEW* flag (mount, cgroup, uts, ipc, user, pid, net, time). */
    static final long NAMESPACE_FLAGS = 0x00020000L | 0x02000000L | 0x04000000L | 0x08000000L | 0x10000000L
            | 0x20000000L | 0x40000000L | 0x00000080L;
    static final int PR_SET_DUMPABLE = 4, PR_SET_PTRACER = 0x59616d61;

    /** The filter for one thread; {@code tracer}: the tracer thread, which alone may ptrace. */
    public static FilterSpec spec(boolean tracer) {
        int eperm = Seccomp.RET_ERRNO | Errno.EPERM;
        FilterSpec.Builder b = FilterSpec.builder()
                .defaultAction(Seccomp.RET_ALLOW)
                .foreignArchAction(eperm)
                .x32Action(eperm);
        for (int nr : REFUSED) b.syscall(nr, eperm);
        if (!tracer) b.syscall(Syscalls.PTRACE, eperm);
        // unshare(CLONE_FS) stays (workers' private cwd and umask); clone3 stays (the JVM makes
        // threads with it; its flags are in memory); clone(2) with a namespace flag does not.
        b.syscall(Syscalls.UNSHARE, List.of(ArgRule.all(eperm, anyBits(0, NAMESPACE_FLAGS))), Seccomp.RET_ALLOW);
        // (CLONE_NEWTIME is 0x80, inside clone(2)'s exit-signal byte: not tested there)
        b.syscall(Syscalls.CLONE, List.of(ArgRule.all(eperm, anyBits(0, NAMESPACE_FLAGS & ~0xffL))), Seccomp.RET_ALLOW);
        b.syscall(Syscalls.PRCTL, List.of(
                ArgRule.all(eperm, of32(0, Op.EQ, PR_SET_DUMPABLE), of32(1, Op.NE, 0)),
                ArgRule.all(eperm, of32(0, Op.EQ, PR_SET_PTRACER))), Seccomp.RET_ALLOW);
        return b.build();
    }

    public static Program program(boolean tracer) {
        return FilterCompiler.compile(spec(tracer));
    }
}
