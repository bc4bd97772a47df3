package dev.jsyd.sys;

import dev.jsyd.abi.Syscalls;

import dev.jsyd.abi.Errno;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The seccomp user-notification listener fd and its four ioctls (RECV, SEND, ID_VALID, ADDFD)
 * plus SET_FLAGS. Each worker thread opens its own {@link Channel}, which owns preallocated
 * buffers in a confined arena: nothing is allocated per notification.
 */
public final class NotifyFd implements AutoCloseable {
    static final long IOCTL_RECV = 0xc0502100L, IOCTL_SEND = 0xc0182101L, IOCTL_ID_VALID = 0x40082102L,
            IOCTL_ADDFD = 0x40182103L, IOCTL_SET_FLAGS = 0x40082104L;
    static final int NOTIF_SIZE = 80, RESP_SIZE = 24, DATA_SIZE = 64, ADDFD_SIZE = 24;
    public static final int FLAG_CONTINUE = 1;
    static final int ADDFD_FLAG_SETFD = 1, ADDFD_FLAG_SEND = 2;
    static final int SYNC_WAKE_UP = 1;
    private static final int SECCOMP_GET_NOTIF_SIZES = 3;
    private static final short POLLIN = 1, POLLHUP = 0x10;

    private final int fd;
    private volatile boolean closed;

    public NotifyFd(int fd) { this.fd = fd; }

    public int fd() { return fd; }

    /**
     * Checks that the kernel's struct sizes are the ones this code was written for; throws an
     * {@link IllegalStateException} naming the difference otherwise (fail fast, never guess).
     */
    public static void checkKernelSizes() throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sizes = a.allocate(6);
            ErrnoException.check("seccomp(SECCOMP_GET_NOTIF_SIZES)",
                    Native.syscall(Syscalls.SECCOMP, SECCOMP_GET_NOTIF_SIZES, 0, sizes.address()));
            int notif = Short.toUnsignedInt(sizes.get(ValueLayout.JAVA_SHORT, 0));
            int resp = Short.toUnsignedInt(sizes.get(ValueLayout.JAVA_SHORT, 2));
            int data = Short.toUnsignedInt(sizes.get(ValueLayout.JAVA_SHORT, 4));
            if (notif != NOTIF_SIZE || resp != RESP_SIZE || data != DATA_SIZE) {
                throw new IllegalStateException("kernel seccomp notification sizes differ: notif " + notif
                        + " (want 80), resp " + resp + " (want 24), data " + data + " (want 64)");
            }
        }
    }

    /** Asks the kernel to wake the supervisor on the program's CPU (Linux 6.6+); false if unsupported. */
    public boolean setSyncWakeUp() {
        return Native.syscall(Syscalls.IOCTL, fd, IOCTL_SET_FLAGS, SYNC_WAKE_UP) == 0;
    }

    public Channel openChannel() { return new Channel(); }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Native.syscall(Syscalls.CLOSE, fd);
        }
    }

    /** Result of waiting on the listener. */
    public enum Wait { READY, TIMEOUT, HANGUP }

    /** Per-thread buffers and the calls that use them. Confined: use only on the thread that opened it. */
    public final class Channel implements AutoCloseable {
        private final Arena arena = Arena.ofConfined();
        private final MemorySegment notif = arena.allocate(NOTIF_SIZE, 8);
        private final MemorySegment resp = arena.allocate(RESP_SIZE, 8);
        private final MemorySegment addfd = arena.allocate(ADDFD_SIZE, 8);
        private final MemorySegment id = arena.allocate(8, 8);
        private final MemorySegment pollfd = arena.allocate(8, 8);

        private Channel() {}

        /**
         * Receives one notification into {@code n}. Returns 0, or {@code -errno}: -ENOENT when the
         * program went away between wake-up and receive (or no filtered task is left), -EINTR when
         * interrupted.
         */
        public int receive(Notification n) {
            notif.fill((byte) 0);
            long r = Native.syscall(Syscalls.IOCTL, fd, IOCTL_RECV, notif.address());
            if (r < 0) return (int) r;
            // One bulk copy, decoded in Java: a MemorySegment.get per field costs a bounds and
            // alignment check each under C1, on every notification.
            byte[] b = notifBytes;
            MemorySegment.copy(notif, ValueLayout.JAVA_BYTE, 0, b, 0, NOTIF_SIZE);
            n.id = CString.le64(b, 0);
            n.pid = CString.le32(b, 8);
            n.flags = CString.le32(b, 12);
            n.nr = CString.le32(b, 16);
            n.arch = CString.le32(b, 20);
            n.instructionPointer = CString.le64(b, 24);
            for (int i = 0; i < 6; i++) n.args[i] = CString.le64(b, 32 + 8 * i);
            return 0;
        }

        private final byte[] notifBytes = new byte[NOTIF_SIZE];
        private final byte[] respBytes = new byte[RESP_SIZE];

        /** Writes {@code struct seccomp_notif_resp} into {@code resp} in one copy. */
        private void response(long notifId, long val, int error, int flags) {
            byte[] b = respBytes;
            CString.le64(b, 0, notifId);
            CString.le64(b, 8, val);
            CString.le32(b, 16, error);
            CString.le32(b, 20, flags);
            MemorySegment.copy(b, 0, resp, ValueLayout.JAVA_BYTE, 0, RESP_SIZE);
        }

        /** Completes the syscall with return value {@code val} (error 0) or {@code -error}. Returns 0 or -errno. */
        public int respond(long notifId, long val, int error) {
            response(notifId, error == 0 ? val : 0, error == 0 ? 0 : -error, 0);
            return (int) Native.syscall(Syscalls.IOCTL, fd, IOCTL_SEND, resp.address());
        }

        /**
         * Lets the kernel run the syscall as the program issued it. Only for calls whose
         * arguments cannot change the decision (callers document why).
         */
        public int respondContinue(long notifId) {
            response(notifId, 0, 0, FLAG_CONTINUE);
            return (int) Native.syscall(Syscalls.IOCTL, fd, IOCTL_SEND, resp.address());
        }

        /** 0 when the notification is still pending (the program still waits in that syscall), else -ENOENT. */
        public int idValid(long notifId) {
            id.set(ValueLayout.JAVA_LONG, 0, notifId);
            return (int) Native.syscall(Syscalls.IOCTL, fd, IOCTL_ID_VALID, id.address());
        }

        /**
         * Installs {@code srcFd} into the program and, atomically, completes the syscall with the new
         * fd number (ADDFD with SEND). Returns the program's fd number or -errno.
         */
        public int addFdAndRespond(long notifId, int srcFd, boolean cloexec) {
            return addFd(notifId, srcFd, cloexec, ADDFD_FLAG_SEND, -1);
        }

        /**
         * As {@link #addFdAndRespond(long, int, boolean)}, at fd number {@code newFd} in the program
         * when it is not negative (ADDFD with SETFD: an fd already there is replaced, as dup2 does).
         */
        public int addFdAndRespond(long notifId, int srcFd, boolean cloexec, int newFd) {
            return addFd(notifId, srcFd, cloexec, ADDFD_FLAG_SEND, newFd);
        }

        /** Installs {@code srcFd} in the program without answering; the program's fd number or -errno. */
        public int addFd(long notifId, int srcFd, boolean cloexec) {
            return addFd(notifId, srcFd, cloexec, 0, -1);
        }

        /** As {@link #addFd(long, int, boolean)}, at fd number {@code newFd} when it is not negative (SETFD). */
        public int addFd(long notifId, int srcFd, boolean cloexec, int newFd) {
            return addFd(notifId, srcFd, cloexec, 0, newFd);
        }

        private int addFd(long notifId, int srcFd, boolean cloexec, int flags, int newFd) {
            addfd.set(ValueLayout.JAVA_LONG, 0, notifId);
            addfd.set(ValueLayout.JAVA_INT, 8, flags | (newFd >= 0 ? ADDFD_FLAG_SETFD : 0));
            addfd.set(ValueLayout.JAVA_INT, 12, srcFd);
            addfd.set(ValueLayout.JAVA_INT, 16, Math.max(newFd, 0));
            addfd.set(ValueLayout.JAVA_INT, 20, cloexec ? dev.jsyd.abi.OpenFlags.O_CLOEXEC : 0);
            return (int) Native.syscall(Syscalls.IOCTL, fd, IOCTL_ADDFD, addfd.address());
        }

        /** Waits for a notification to be pending; -1 waits forever. EINTR counts as a timeout. */
        public Wait await(int timeoutMillis) {
            pollfd.set(ValueLayout.JAVA_INT, 0, fd);
            pollfd.set(ValueLayout.JAVA_SHORT, 4, POLLIN);
            pollfd.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
            long r = Native.syscall(Syscalls.POLL, pollfd.address(), 1, timeoutMillis);
            if (r == -Errno.EINTR || r == 0) return Wait.TIMEOUT;
            if (r < 0) return Wait.HANGUP;
            short revents = pollfd.get(ValueLayout.JAVA_SHORT, 6);
            if ((revents & POLLIN) != 0) return Wait.READY;
            return (revents & POLLHUP) != 0 ? Wait.HANGUP : Wait.HANGUP;
        }

        @Override
        public void close() { arena.close(); }
    }
}
