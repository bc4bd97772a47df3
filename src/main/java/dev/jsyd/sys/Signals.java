package dev.jsyd.sys;

import dev.jsyd.abi.Syscalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Signals for the supervisor's own threads: thread ids, tgkill, and the interrupt signal that
 * kicks a worker out of a blocking call.
 *
 * <p>The interrupt signal ({@link #INTERRUPT} = SIGRTMIN+6, which HotSpot does not use) gets a
 * handler installed <em>without</em> SA_RESTART, so a blocking system call in the signalled
 * thread returns EINTR. The handler must be native code (running Java in signal context is
 * unsafe) and must do nothing; libc's {@code getpid} is exactly that — async-signal-safe, no
 * side effect, its argument ignored — so it serves as the handler and no C is needed.
 */
public final class Signals {
    private Signals() {}

    public static final int SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGABRT = 6, SIGKILL = 9, SIGUSR1 = 10,
            SIGSEGV = 11, SIGPIPE = 13, SIGALRM = 14, SIGTERM = 15, SIGCHLD = 17, SIGCONT = 18, SIGSTOP = 19;
    public static final int SIGTTIN = 21, SIGTTOU = 22;
    public static final int INTERRUPT = 40;

    private static volatile boolean installed;

    /** The calling thread's kernel thread id. */
    public static int gettid() { return (int) Native.syscall(Syscalls.GETTID); }

    public static int getpid() { return (int) Native.syscall(Syscalls.GETPID); }

    /** Sends {@code sig} to thread {@code tid} of this process; 0 or -errno. */
    public static int tgkill(int tid, int sig) {
        return (int) Native.syscall(Syscalls.TGKILL, getpid(), tid, sig);
    }

    /**
     * Makes the kernel deliver the signals pending for the calling thread now: they are handled on
     * the way back from any system call (here getpid), so none is left to interrupt the next one.
     */
    public static void takePending() { getpid(); }

    /** Sends {@code sig} to process {@code pid}; 0 or -errno. */
    public static int kill(int pid, int sig) { return (int) Native.syscall(Syscalls.KILL, pid, sig); }

    /** Installs the no-op, non-restarting handler for {@link #INTERRUPT} once per process. */
    public static synchronized void installInterruptHandler() throws ErrnoException {
        if (installed) return;
        sigaction(INTERRUPT, Native.symbol("getpid"));
        installed = true;
    }

    /**
     * Ignores {@code sig} in this process (SIG_IGN, with rt_sigaction: no handler, so no
     * restorer is needed). Children inherit an ignored signal across exec: the launcher resets the
     * ones the supervisor ignores.
     */
    public static void ignore(int sig) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment act = a.allocate(32, 8); // struct kernel_sigaction: handler, flags, restorer, mask
            act.set(ValueLayout.JAVA_LONG, 0, 1L); // SIG_IGN
            ErrnoException.check("rt_sigaction", Native.syscall(Syscalls.RT_SIGACTION, sig, act.address(), 0, 8));
        }
    }

    /** libc's sigaction (it supplies the restorer a handler returns through). */
    private static void sigaction(int sig, MemorySegment handler) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment act = a.allocate(152, 8); // struct sigaction (glibc x86_64), zeroed: empty mask, flags 0
            act.set(ValueLayout.ADDRESS, 0, handler);
            MemorySegment cap = Native.captureSegment();
            int r = (int) Native.call(Native.symbol("sigaction"), cap, sig, act.address(), 0, 0, 0, 0);
            if (r != 0) throw new ErrnoException("sigaction", Native.lastErrno(cap));
        }
    }
}
