package dev.jsyd.sys;

import dev.jsyd.abi.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Hardening of the supervisor process itself: not dumpable (so neither a core file nor
 * {@code /proc/<syd>/mem}, {@code environ}, {@code fd} of it can be had by an unprivileged peer,
 * and ptrace needs CAP_SYS_PTRACE, which the sandbox has dropped), no core dumps, and SIGTTOU and
 * SIGTTIN ignored: a program that makes its own process group the terminal's foreground and sets
 * TOSTOP would otherwise stop the whole supervisor (timeouter included) at its next write to the
 * terminal; with the signal ignored the kernel lets the write through. (SIGTSTP stays: ^Z stops
 * the {@code syd} job as one, as job control expects.)
 */
public final class SelfProtect {
    private SelfProtect() {}

    private static final int PR_SET_DUMPABLE = 4, PR_GET_DUMPABLE = 3, RLIMIT_CORE = 4;

    /** Applies all three; returns 0 or the first -errno. Idempotent. */
    public static int apply() {
        long r = Native.syscall(Syscalls.PRCTL, PR_SET_DUMPABLE, 0, 0, 0, 0);
        if (r < 0) return (int) r;
        try {
            Signals.ignore(Signals.SIGTTOU);
            Signals.ignore(Signals.SIGTTIN);
        } catch (ErrnoException e) {
            return -e.errno();
        }
        try (Arena a = Arena.ofConfined()) {
            // struct rlimit64 {0, hard}: the soft limit stops core dumps of the supervisor; the
            // hard one is kept so that the launch plan can give the program its own (rlimit/core,
            // trace/allow_unsafe_dumpable) without CAP_SYS_RESOURCE.
            MemorySegment lim = a.allocate(16, 8);
            r = Native.syscall(Syscalls.PRLIMIT64, 0, RLIMIT_CORE, 0, lim.address());
            if (r < 0) return (int) r;
            lim.set(ValueLayout.JAVA_LONG, 0, 0);
            return (int) Native.syscall(Syscalls.PRLIMIT64, 0, RLIMIT_CORE, lim.address(), 0);
        }
    }

    /** getpgid(2): the process group of task {@code pid} (0: this process); the id or -errno. */
    public static long pgid(int pid) {
        return Native.syscall(Syscalls.GETPGID, pid);
    }

    /** True when this process is dumpable. */
    public static boolean dumpable() {
        return Native.syscall(Syscalls.PRCTL, PR_GET_DUMPABLE, 0, 0, 0, 0) == 1;
    }
}
