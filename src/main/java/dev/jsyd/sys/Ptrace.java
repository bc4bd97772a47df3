package dev.jsyd.sys;

import dev.jsyd.abi.Errno;
import dev.jsyd.abi.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * ptrace(2) and the wait loop of the tracer. Every call must come from the one thread that
 * seized the tracees (the kernel ties a tracee to its tracer thread), so an instance is
 * confined to that thread.
 */
public final class Ptrace implements AutoCloseable {
    private static final int PTRACE_PEEKUSER = 3, PTRACE_POKEUSER = 6, PTRACE_CONT = 7, PTRACE_SYSCALL = 24,
            PTRACE_GETEVENTMSG = 0x4201, PTRACE_SEIZE = 0x4206, PTRACE_LISTEN = 0x4208,
            PTRACE_GET_SYSCALL_INFO = 0x420e;
    public static final int O_TRACESYSGOOD = 1, O_TRACEFORK = 2, O_TRACEVFORK = 4, O_TRACECLONE = 8,
            O_TRACEEXEC = 0x10, O_TRACEEXIT = 0x40, O_TRACESECCOMP = 0x80, O_EXITKILL = 0x100000;
    public static final int EVENT_FORK = 1, EVENT_VFORK = 2, EVENT_CLONE = 3, EVENT_EXEC = 4, EVENT_EXIT = 6,
            EVENT_SECCOMP = 7, EVENT_STOP = 128;
    /** The signal of a syscall-stop with O_TRACESYSGOOD: SIGTRAP | 0x80. */
    public static final int SYSCALL_STOP = 5 | 0x80;
    /** Offsets in {@code struct user_regs_struct} (x86_64) for PEEKUSER/POKEUSER. */
    public static final int REG_R8 = 9 * 8, REG_RAX = 10 * 8, REG_RDX = 12 * 8, REG_RSI = 13 * 8, REG_RDI = 14 * 8,
            REG_ORIG_RAX = 15 * 8;
    /** __WNOTHREAD: only this thread's own children and tracees, never another thread's. */
    private static final int P_ALL = 0, P_PID = 1, WEXITED = 4, WSTOPPED = 2, WNOHANG = 1, WNOWAIT = 0x01000000,
            WALL = 0x40000000, WNOTHREAD = 0x20000000;
    public static final int CLD_EXITED = 1, CLD_KILLED = 2, CLD_DUMPED = 3, CLD_TRAPPED = 4, CLD_STOPPED = 5,
            CLD_CONTINUED = 6;

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment siginfo = arena.allocate(128, 8);
    private final MemorySegment msg = arena.allocate(8, 8);
    private final MemorySegment info = arena.allocate(88, 8);

    /** Attaches to {@code pid} without stopping it; 0 or -errno. */
    public int seize(int pid, int options) {
        return (int) Native.syscall(Syscalls.PTRACE, PTRACE_SEIZE, pid, 0, options);
    }

    /** Resumes a stopped tracee, delivering {@code sig} (0 for none); 0 or -errno. */
    public int cont(int pid, int sig) {
        return (int) Native.syscall(Syscalls.PTRACE, PTRACE_CONT, pid, 0, sig);
    }

    /** Resumes a stopped tracee until its next syscall entry or exit; 0 or -errno. */
    public int resumeToSyscall(int pid, int sig) {
        return (int) Native.syscall(Syscalls.PTRACE, PTRACE_SYSCALL, pid, 0, sig);
    }

    /** A word of the stopped tracee's registers ({@code REG_*}), or null when it cannot be read. */
    public Long peekUser(int pid, int offset) {
        long r = Native.syscall(Syscalls.PTRACE, PTRACE_PEEKUSER, pid, offset, msg.address());
        return r < 0 ? null : msg.get(ValueLayout.JAVA_LONG, 0);
    }

    /**
     * The call a tracee stopped at a seccomp stop (PTRACE_EVENT_SECCOMP) is making: its number and
     * six arguments, read with one PTRACE_GET_SYSCALL_INFO instead of a PEEKUSER per register;
     * null when the tracee is not at a seccomp stop or cannot be read (gone).
     */
    public SeccompCall seccompCall(int pid) {
        long r = Native.syscall(Syscalls.PTRACE, PTRACE_GET_SYSCALL_INFO, pid, info.byteSize(), info.address());
        if (r < 0 || info.get(ValueLayout.JAVA_BYTE, 0) != SYSCALL_INFO_SECCOMP) return null;
        long[] args = new long[6];
        MemorySegment.copy(info, ValueLayout.JAVA_LONG, 32, args, 0, 6);
        return new SeccompCall(info.get(ValueLayout.JAVA_LONG, 24), args);
    }

    /** {@code struct ptrace_syscall_info.op} at a seccomp stop. */
    private static final byte SYSCALL_INFO_SECCOMP = 3;

    /** A syscall seen at a seccomp stop: its number and arguments. */
    public record SeccompCall(long nr, long[] args) {
        public long arg(int i) { return args[i]; }
    }

    /** Sets a word of the stopped tracee's registers ({@code REG_*}); 0 or -errno. */
    public int pokeUser(int pid, int offset, long value) {
        return (int) Native.syscall(Syscalls.PTRACE, PTRACE_POKEUSER, pid, offset, value);
    }

    /**
     * At a seccomp stop: skips the syscall (orig_rax = -1) and makes it return {@code -errno};
     * 0 or -errno of ptrace.
     */
    public int skipSyscall(int pid, int errno) {
        int r = pokeUser(pid, REG_ORIG_RAX, -1);
        return r < 0 ? r : pokeUser(pid, REG_RAX, -errno);
    }

    /**
     * Ends a seccomp stop with a decision: {@code errno} non-zero skips the call with it; else the
     * call runs, and with {@code stopAtExit} the tracee stops again at its exit.
     */
    public void decide(int pid, int errno, boolean stopAtExit) {
        if (errno != 0) skipSyscall(pid, errno);
        if (errno == 0 && stopAtExit) resumeToSyscall(pid, 0);
        else cont(pid, 0);
    }

    /** Leaves a tracee in its group-stop without resuming it (job control); 0 or -errno. */
    public int listen(int pid) {
        return (int) Native.syscall(Syscalls.PTRACE, PTRACE_LISTEN, pid, 0, 0);
    }

    /** The event message of the last stop (the new child's pid for fork events), or -errno. */
    public long eventMessage(int pid) {
        long r = Native.syscall(Syscalls.PTRACE, PTRACE_GETEVENTMSG, pid, 0, msg.address());
        return r < 0 ? r : msg.get(ValueLayout.JAVA_LONG, 0);
    }

    /** One wait result: {@code code} is a CLD_* value, {@code status} the exit code, signal, or (for ptrace stops) {@code sig | event << 8}. */
    public record Event(int pid, int code, int status) {
        public int signal() { return status & 0xff; }
        public int event() { return (status >> 8) & 0xff; }
    }

    /**
     * Waits for the next event of any child or tracee <em>of the calling thread</em> (blocking;
     * {@code __WNOTHREAD}, so children that other threads of the JVM started, e.g. with
     * ProcessBuilder, and the tracees of another sandbox's tracer are never seen or reaped) and
     * leaves it pending ({@code WNOWAIT}): {@link #take} consumes it, so the caller decides what to
     * hold before an exit is consumed and the pid may be freed. Null when there are none left
     * (ECHILD); EINTR is retried.
     */
    public Event peekAny() throws ErrnoException {
        return waitid(P_ALL, 0, WNOWAIT);
    }

    /** Consumes the pending event of tracee {@code pid} without blocking; null when it has none now. */
    public Event take(int pid) throws ErrnoException {
        Event e = waitid(P_PID, pid, WNOHANG);
        return e == null || e.pid() == 0 ? null : e;
    }

    /**
     * Consumes the pending stop of tracee {@code pid} without blocking, and nothing else (an exit
     * stays pending for the wait loop): the tracee stays stopped but is no longer reported. False
     * when it has no stop pending now (it was killed meanwhile).
     */
    public boolean takeStop(int pid) throws ErrnoException {
        Event e = waitidFlags(P_PID, pid, WSTOPPED | WALL | WNOTHREAD | WNOHANG);
        return e != null && e.pid() == pid && e.code() == CLD_TRAPPED;
    }

    private Event waitid(int idType, int id, int extra) throws ErrnoException {
        return waitidFlags(idType, id, WEXITED | WSTOPPED | WALL | WNOTHREAD | extra);
    }

    private Event waitidFlags(int idType, int id, int flags) throws ErrnoException {
        while (true) {
            siginfo.fill((byte) 0);
            long r = Native.syscall(Syscalls.WAITID, idType, id, siginfo.address(), flags, 0);
            if (r == -Errno.EINTR) continue;
            if (r == -Errno.ECHILD) return null;
            ErrnoException.check("waitid", r);
            return new Event(siginfo.get(ValueLayout.JAVA_INT, 16), siginfo.get(ValueLayout.JAVA_INT, 8),
                    siginfo.get(ValueLayout.JAVA_INT, 24));
        }
    }

    /** True when this event ends the task (it exited, was killed or dumped core). */
    public static boolean ended(Event e) {
        return e.code() == CLD_EXITED || e.code() == CLD_KILLED || e.code() == CLD_DUMPED;
    }

    @Override
    public void close() { arena.close(); }
}
