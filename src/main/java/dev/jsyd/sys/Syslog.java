package dev.jsyd.sys;

import dev.jsyd.abi.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * The host's syslog socket ({@code /dev/log}, a UNIX datagram socket): messages are sent without
 * blocking and dropped when the daemon's queue is full, so a slow or stopped daemon never holds
 * the supervisor. Thread-safe: one datagram per send.
 */
public final class Syslog implements AutoCloseable {
    private static final int AF_UNIX = 1, SOCK_DGRAM = 2, SOCK_CLOEXEC = 02000000, MSG_DONTWAIT = 0x40, MSG_NOSIGNAL = 0x4000;

    private final int fd;

    private Syslog(int fd) { this.fd = fd; }

    /** Connects to the socket at {@code path}; null when there is none (no syslog daemon). */
    public static Syslog connect(String path) {
        int fd = (int) Native.syscall(Syscalls.SOCKET, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) return null;
        try (Arena a = Arena.ofConfined()) {
            byte[] p = path.getBytes(StandardCharsets.ISO_8859_1);
            if (p.length > 107) { Native.syscall(Syscalls.CLOSE, fd); return null; }
            MemorySegment addr = a.allocate(110, 8);
            addr.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
            MemorySegment.copy(p, 0, addr, ValueLayout.JAVA_BYTE, 2, p.length);
            if (Native.syscall(Syscalls.CONNECT, fd, addr.address(), 2 + p.length + 1) < 0) {
                Native.syscall(Syscalls.CLOSE, fd);
                return null;
            }
        }
        return new Syslog(fd);
    }

    /** Sends {@code <PRI>ident[pid]: message} (facility user); false when it was dropped. */
    public boolean send(int severity, String ident, int pid, byte[] message) {
        byte[] head = ("<" + (8 + severity) + ">" + ident + "[" + pid + "]: ").getBytes(StandardCharsets.US_ASCII);
        int n = message.length;
        while (n > 0 && message[n - 1] == '\n') n--;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(head.length + n);
            MemorySegment.copy(head, 0, buf, ValueLayout.JAVA_BYTE, 0, head.length);
            MemorySegment.copy(message, 0, buf, ValueLayout.JAVA_BYTE, head.length, n);
            return Native.syscall(Syscalls.SENDTO, fd, buf.address(), head.length + n, MSG_DONTWAIT | MSG_NOSIGNAL, 0, 0) >= 0;
        }
    }

    @Override public void close() { Native.syscall(Syscalls.CLOSE, fd); }
}
