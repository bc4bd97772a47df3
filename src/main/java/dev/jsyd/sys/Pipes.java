package dev.jsyd.sys;

import dev.jsyd.abi.Errno;
import dev.jsyd.abi.Syscalls;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Pipes between the JVM and a sandboxed program's standard streams (the library API's
 * {@code PIPE} redirect): close-on-exec pipe ends numbered 3 or above, and Java streams over the
 * JVM's ends using read(2)/write(2) directly (a raw fd cannot be wrapped in a FileInputStream).
 */
public final class Pipes {
    private Pipes() {}

    private static final int O_CLOEXEC = 02000000, F_DUPFD_CLOEXEC = 1030;

    /** A new pipe {read end, write end}, both close-on-exec and never 0, 1 or 2. */
    public static int[] pipe() throws ErrnoException {
        int[] fds = new int[2];
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(8, 4);
            ErrnoException.check("pipe2", Native.syscall(Syscalls.PIPE2, m.address(), O_CLOEXEC));
            fds[0] = m.get(ValueLayout.JAVA_INT, 0);
            fds[1] = m.get(ValueLayout.JAVA_INT, 4);
        }
        try {
            for (int i = 0; i < 2; i++) {
                if (fds[i] > 2) continue;
                int moved = (int) ErrnoException.check("fcntl(F_DUPFD_CLOEXEC)",
                        Native.syscall(Syscalls.FCNTL, fds[i], F_DUPFD_CLOEXEC, 3));
                Native.syscall(Syscalls.CLOSE, fds[i]);
                fds[i] = moved;
            }
        } catch (ErrnoException e) {
            close(fds[0]);
            close(fds[1]);
            throw e;
        }
        return fds;
    }

    /** Closes {@code fd} (ignoring errors); a negative fd is ignored. */
    public static void close(int fd) {
        if (fd >= 0) Native.syscall(Syscalls.CLOSE, fd);
    }

    /** A stream reading {@code fd} until end of file; it owns the fd and closes it. */
    public static InputStream inputStream(int fd) { return new FdInputStream(fd); }

    /** A stream writing to {@code fd}; it owns the fd and closes it. */
    public static OutputStream outputStream(int fd) { return new FdOutputStream(fd); }

    private static final int CHUNK = 8192;

    private static final class FdInputStream extends InputStream {
        private final MemorySegment buf = Arena.ofAuto().allocate(CHUNK);
        private int fd;

        FdInputStream(int fd) { this.fd = fd; }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (fd < 0) throw new IOException("stream closed");
            if (len == 0) return 0;
            while (true) {
                long r = Native.syscall(Syscalls.READ, fd, buf.address(), Math.min(len, CHUNK));
                if (r == -Errno.EINTR) continue;
                if (r < 0) throw new IOException("read: " + Errno.message((int) -r));
                if (r == 0) return -1;
                MemorySegment.copy(buf, ValueLayout.JAVA_BYTE, 0, b, off, (int) r);
                return (int) r;
            }
        }

        @Override
        public synchronized void close() {
            Pipes.close(fd);
            fd = -1;
        }
    }

    private static final class FdOutputStream extends OutputStream {
        private final MemorySegment buf = Arena.ofAuto().allocate(CHUNK);
        private int fd;

        FdOutputStream(int fd) { this.fd = fd; }

        @Override
        public void write(int b) throws IOException { write(new byte[] {(byte) b}, 0, 1); }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (fd < 0) throw new IOException("stream closed");
            while (len > 0) {
                int n = Math.min(len, CHUNK);
                MemorySegment.copy(b, off, buf, ValueLayout.JAVA_BYTE, 0, n);
                long done = 0;
                while (done < n) {
                    long r = Native.syscall(Syscalls.WRITE, fd, buf.address() + done, n - done);
                    if (r == -Errno.EINTR) continue;
                    if (r < 0) throw new IOException("write: " + Errno.message((int) -r));
                    done += r;
                }
                off += n;
                len -= n;
            }
        }

        @Override
        public synchronized void close() {
            Pipes.close(fd);
            fd = -1;
        }
    }
}
