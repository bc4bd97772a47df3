package dev.jsyd.sys;

import dev.jsyd.abi.Syscalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** A pidfd: a stable handle on one process (no pid reuse), for fds, signals and waiting. */
public final class PidFd implements AutoCloseable {
    private static final int P_PIDFD = 3, WEXITED = 4, WNOHANG = 1;
    public static final int CLD_EXITED = 1, CLD_KILLED = 2, CLD_DUMPED = 3;

    private final int fd;
    private final int pid;
    private boolean closed;

    PidFd(int fd, int pid) { this.fd = fd; this.pid = pid; }

    public static PidFd open(int pid) throws ErrnoException {
        return new PidFd((int) ErrnoException.check("pidfd_open", Native.syscall(Syscalls.PIDFD_OPEN, pid, 0)), pid);
    }

    /**
     * True when task {@code tid} leads its thread group (its tid is its process id): {@code
     * tgkill(tid, tid, 0)} finds the task only in thread group {@code tid}, and signal 0 sends
     * nothing — one call and no fd, where {@code /proc/TID/status} costs an open, a read of the
     * whole formatted record and a close. Without the right to signal it (EPERM: another user, no
     * CAP_KILL), pidfd_open without PIDFD_THREAD, which accepts only a leader, and a close. False
     * also when it is gone.
     */
    public static boolean leadsThreadGroup(int tid) {
        if (tid <= 0) return false;
        long s = Native.syscall(Syscalls.TGKILL, tid, tid, 0);
        if (s != -dev.jsyd.abi.Errno.EPERM) return s == 0;
        long r = Native.syscall(Syscalls.PIDFD_OPEN, tid, 0);
        if (r < 0) return false;
        Files.close((int) r);
        return true;
    }

    /** pidfd_open flag (Linux 6.9): the pidfd names the thread {@code tid} itself, not its thread group. */
    private static final int PIDFD_THREAD = 0200;
    private static volatile boolean threadPidfds = true;

    /**
     * A pidfd of the thread {@code tid} (any thread, not only a thread-group leader): seccomp
     * notifications carry the calling thread's id, and pidfd_getfd on such a pidfd reads that
     * thread's own fd table. Kernels before 6.9 have no PIDFD_THREAD: there the thread group of
     * {@code tid} is opened instead ({@code tgid} from {@code /proc/TID/status}), which names the
     * same fd table unless the thread unshared it.
     */
    public static PidFd openThread(int tid) throws ErrnoException {
        if (threadPidfds) {
            long r = Native.syscall(Syscalls.PIDFD_OPEN, tid, PIDFD_THREAD);
            if (r != -dev.jsyd.abi.Errno.EINVAL) return new PidFd((int) ErrnoException.check("pidfd_open", r), tid);
            threadPidfds = false; // the kernel does not know the flag
        }
        long r = Native.syscall(Syscalls.PIDFD_OPEN, tid, 0);
        if (r >= 0) return new PidFd((int) r, tid);
        int tgid = ProcStatus.tgid(tid);
        if (tgid <= 0 || tgid == tid) throw new ErrnoException("pidfd_open", (int) -r);
        PidFd group = open(tgid);
        group.ofGroupOnly = true;
        return group;
    }

    private boolean ofGroupOnly;

    /**
     * True when this pidfd names the thread it was opened for (its id is not reused while it lives);
     * false for {@link #openThread}'s fallback to the thread group on kernels before 6.9.
     */
    public boolean namesThread() { return !ofGroupOnly; }

    public int fd() { return fd; }
    public int pid() { return pid; }

    /** Duplicates the process's fd {@code targetFd} into the supervisor (close-on-exec). Returns the fd or -errno. */
    public int getFd(int targetFd) {
        // The program may always hand over its own fds: refused as its identity, once more with CAP_SYS_PTRACE.
        return (int) Credentials.ptraceRetry(() -> Native.syscall(Syscalls.PIDFD_GETFD, fd, targetFd, 0));
    }

    /** Sends a signal; 0 or -errno. */
    public int signal(int sig) {
        return (int) Native.syscall(Syscalls.PIDFD_SEND_SIGNAL, fd, sig, 0, 0);
    }

    /** How a process ended: {@code code} is CLD_EXITED/CLD_KILLED/CLD_DUMPED, {@code status} the exit code or signal. */
    public record Exit(int code, int status) {
        /** The shell convention: the exit code, or 128 + signal. */
        public int shellStatus() { return code == CLD_EXITED ? status : 128 + status; }
    }

    /** Waits (blocking) for the process to exit and reaps it. */
    public Exit waitExit() throws ErrnoException {
        return waitid(0);
    }

    /** Reaps the process if it has exited; null if it still runs. */
    public Exit pollExit() throws ErrnoException {
        return waitid(WNOHANG);
    }

    private Exit waitid(int extra) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment si = a.allocate(128, 8);
            while (true) {
                long r = Native.syscall(Syscalls.WAITID, P_PIDFD, fd, si.address(), WEXITED | extra, 0);
                if (r == -dev.jsyd.abi.Errno.EINTR) continue;
                ErrnoException.check("waitid", r);
                if (si.get(ValueLayout.JAVA_INT, 16) == 0) return null; // WNOHANG, still running
                return new Exit(si.get(ValueLayout.JAVA_INT, 8), si.get(ValueLayout.JAVA_INT, 24));
            }
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Native.syscall(Syscalls.CLOSE, fd);
        }
    }
}
