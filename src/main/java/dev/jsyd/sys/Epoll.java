package dev.jsyd.sys;

import dev.jsyd.abi.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One thread's epoll instance (epoll_create1, epoll_ctl ADD, epoll_wait) with its event buffer in
 * a confined arena: nothing is allocated per wait. Confined: use only on the thread that opened it.
 * Each watched fd is identified by its own number (the event's data field).
 */
public final class Epoll implements AutoCloseable {
    public static final int EPOLLIN = 0x001, EPOLLERR = 0x008, EPOLLHUP = 0x010, EPOLLEXCLUSIVE = 1 << 28;
    private static final int EPOLL_CLOEXEC = 02000000, EPOLL_CTL_ADD = 1;
    /** {@code struct epoll_event} is packed on x86_64: u32 events, u64 data. */
    private static final int EVENT_SIZE = 12, MAX_EVENTS = 2;

    private final int epfd;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment events = arena.allocate(EVENT_SIZE * MAX_EVENTS, 8);
    private int ready;

    private Epoll(int epfd) { this.epfd = epfd; }

    /** A new close-on-exec epoll instance. */
    public static Epoll open() throws ErrnoException {
        return new Epoll((int) ErrnoException.check("epoll_create1",
                Native.syscall(Syscalls.EPOLL_CREATE1, EPOLL_CLOEXEC)));
    }

    /** Watches {@code fd} for {@code mask} (EPOLLHUP and EPOLLERR are always reported). */
    public void add(int fd, int mask) throws ErrnoException {
        events.set(ValueLayout.JAVA_INT_UNALIGNED, 0, mask);
        events.set(ValueLayout.JAVA_LONG_UNALIGNED, 4, fd);
        ErrnoException.check("epoll_ctl(EPOLL_CTL_ADD)",
                Native.syscall(Syscalls.EPOLL_CTL, epfd, EPOLL_CTL_ADD, fd, events.address()));
    }

    /**
     * Waits up to {@code timeoutMillis} (-1: forever) for a watched fd to be ready: the number of
     * ready fds (0 on timeout) or -errno (-EINTR when a signal came). Read them with
     * {@link #events(int)}.
     */
    public int await(int timeoutMillis) {
        int r = (int) Native.syscall(Syscalls.EPOLL_WAIT, epfd, events.address(), MAX_EVENTS, timeoutMillis);
        ready = Math.max(r, 0);
        return r;
    }

    /** The events the last {@link #await} reported for {@code fd}, 0 if none. */
    public int events(int fd) {
        for (int i = 0; i < ready; i++) {
            if (events.get(ValueLayout.JAVA_LONG_UNALIGNED, EVENT_SIZE * i + 4) == fd) {
                return events.get(ValueLayout.JAVA_INT_UNALIGNED, EVENT_SIZE * i);
            }
        }
        return 0;
    }

    @Override
    public void close() {
        Native.syscall(Syscalls.CLOSE, epfd);
        arena.close();
    }
}
