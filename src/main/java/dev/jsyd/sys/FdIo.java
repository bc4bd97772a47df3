package dev.jsyd.sys;

import dev.jsyd.abi.Syscalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Whole writes to an fd number the supervisor inherited (e.g. SYD_LOG_FD), without reopening it. */
public final class FdIo {
    private FdIo() {}

    /** One write(2) of {@code data} to {@code fd} (retried on EINTR): the bytes written, or -errno. */
    public static long write(int fd, byte[] data) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(Math.max(1, data.length));
            MemorySegment.copy(data, 0, m, ValueLayout.JAVA_BYTE, 0, data.length);
            long r;
            do {
                r = Native.syscall(Syscalls.WRITE, fd, m.address(), data.length);
            } while (r == -dev.jsyd.abi.Errno.EINTR);
            return r;
        }
    }

    /** Sets the calling process's umask; returns the previous one. */
    public static int umask(int mask) { return (int) Native.syscall(Syscalls.UMASK, mask); }
}
