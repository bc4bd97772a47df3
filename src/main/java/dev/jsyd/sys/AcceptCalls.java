package dev.jsyd.sys;

import dev.jsyd.abi.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * accept4 and getpeername on the supervisor's duplicate of a program's socket: the new
 * connection's fd stays in the supervisor until its peer has been checked, and the peer address
 * (the whole of it, up to {@code sockaddr_storage}) is kept for the check and for the copy into
 * the program's buffer.
 *
 * <p>Per thread: {@link #current()} gives the calling thread's instance and its buffers.
 */
public final class AcceptCalls {
    /** {@code sizeof(struct sockaddr_storage)}. */
    public static final int ADDR_MAX = 128;
    public static final int SOCK_NONBLOCK = 0x800, SOCK_CLOEXEC = 0x80000;

    private static final ThreadLocal<AcceptCalls> CURRENT = ThreadLocal.withInitial(AcceptCalls::new);

    // auto: freed with the thread's instance when a worker thread ends
    private final Arena arena = Arena.ofAuto();
    private final MemorySegment addr = arena.allocate(ADDR_MAX, 8);
    private final MemorySegment len = arena.allocate(8, 8);
    private byte[] peer = new byte[0];

    private AcceptCalls() {}

    /** The calling thread's instance. */
    public static AcceptCalls current() { return CURRENT.get(); }

    /**
     * accept4(2) on {@code fd} with {@code flags} (SOCK_CLOEXEC is always added: the new fd is the
     * supervisor's until it is handed over). Returns the new fd or -errno; on success
     * {@link #peer()} is the peer address as the kernel reports it (its full length).
     */
    public int accept4(int fd, int flags) {
        len.set(ValueLayout.JAVA_INT, 0, ADDR_MAX);
        int r = (int) Native.syscall(Syscalls.ACCEPT4, fd, addr.address(), len.address(), flags | SOCK_CLOEXEC);
        peer = r < 0 ? new byte[0] : copy();
        return r;
    }

    /** getpeername(2) of {@code fd}: 0 (then {@link #peer()}) or -errno. */
    public int getpeername(int fd) {
        len.set(ValueLayout.JAVA_INT, 0, ADDR_MAX);
        int r = (int) Native.syscall(Syscalls.GETPEERNAME, fd, addr.address(), len.address());
        peer = r < 0 ? new byte[0] : copy();
        return r;
    }

    private byte[] copy() {
        int n = Math.max(0, Math.min(ADDR_MAX, len.get(ValueLayout.JAVA_INT, 0)));
        return addr.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
    }

    /** The peer address of the last successful call (a fresh array). */
    public byte[] peer() { return peer; }
}
