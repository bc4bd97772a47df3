package dev.jsyd.sys;

import dev.jsyd.abi.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** An anonymous in-memory file holding given bytes, to hand virtual files (/dev/syd) to the program. */
public final class MemFd {
    private MemFd() {}

    private static final int MFD_CLOEXEC = 1, MFD_ALLOW_SEALING = 2, MFD_NOEXEC_SEAL = 8;
    private static final int F_ADD_SEALS = 1033, F_SEAL_SEAL = 1, F_SEAL_SHRINK = 2, F_SEAL_GROW = 4, F_SEAL_WRITE = 8;

    /**
     * memfd_create(2) with {@code name} as a byte string (ISO-8859-1, one char per byte); the fd or
     * -errno. With {@code sealSeal}, F_SEAL_SEAL is added at once, so no further seal can be set.
     */
    public static int create(String name, int flags, boolean sealSeal) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment n = a.allocate(name.length() + 1);
            for (int i = 0; i < name.length(); i++) n.set(ValueLayout.JAVA_BYTE, i, (byte) name.charAt(i));
            n.set(ValueLayout.JAVA_BYTE, name.length(), (byte) 0);
            int fd = (int) Native.syscall(Syscalls.MEMFD_CREATE, n.address(), flags);
            if (fd >= 0 && sealSeal) Native.syscall(Syscalls.FCNTL, fd, F_ADD_SEALS, F_SEAL_SEAL);
            return fd;
        }
    }

    /**
     * A sealed, read-only-content memfd named {@code name} holding {@code data}, positioned at
     * offset 0; returns the fd or -errno.
     */
    public static int of(String name, byte[] data) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment n = a.allocateFrom(name);
            int fd = (int) Native.syscall(Syscalls.MEMFD_CREATE, n.address(), MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_NOEXEC_SEAL);
            if (fd < 0) fd = (int) Native.syscall(Syscalls.MEMFD_CREATE, n.address(), MFD_CLOEXEC | MFD_ALLOW_SEALING);
            if (fd < 0) return fd;
            MemorySegment buf = a.allocate(Math.max(1, data.length));
            MemorySegment.copy(data, 0, buf, ValueLayout.JAVA_BYTE, 0, data.length);
            long off = 0;
            while (off < data.length) {
                long r = Native.syscall(Syscalls.PWRITE64, fd, buf.address() + off, data.length - off, off);
                if (r < 0) {
                    Native.syscall(Syscalls.CLOSE, fd);
                    return (int) r;
                }
                off += r;
            }
            Native.syscall(Syscalls.FCNTL, fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE);
            return fd;
        }
    }
}
