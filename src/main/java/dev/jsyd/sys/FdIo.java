package dev.jsyd.sys;

import dev.jsyd.abi.Syscalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Whole writes to an fd number the supervisor inherited (e.g. SYD_LOG_FD), without reopening it. */
public final class FdIo {
    private FdIo() {}

    /** Writes all of {@code data} to {@code fd}; 0 or -errno. */
    public static int writeFully(int fd, byte[] data) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(Math.max(1, data.length));
            MemorySegment.copy(data, 0, m, ValueLayout.JAVA_BYTE, 0, data.length);
            long off = 0;
            while (off < data.length) {
                long r = Native.syscall(Syscalls.WRITE, fd, m.address() + off, data.length - off);
                if (r == -dev.jsyd.abi.Errno.EINTR) continue;
                if (r < 0) return (int) r;
                off += r;
            }
            return 0;
        }
    }

    /** Sets the calling process's umask; returns the previous one. */
    public static int umask(int mask) { return (int) Native.syscall(Syscalls.UMASK, mask); }
}
