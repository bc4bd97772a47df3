package dev.jsyd.sys;

import dev.jsyd.abi.Syscalls;

import dev.jsyd.abi.Errno;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * Reads and writes the sandboxed program's memory with process_vm_readv/writev. Per-thread
 * (confined buffers); every read copies into the supervisor once, and callers decide on that
 * copy only, never re-reading.
 */
public final class RemoteMemory implements AutoCloseable {
    public static final int PATH_MAX = 4096;
    private static final int PAGE = 4096;
    private static final int BUF = 64 * 1024;

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment local = arena.allocate(16, 8);
    private final MemorySegment remote = arena.allocate(16, 8);
    private final MemorySegment buf = arena.allocate(BUF, 8);
    private final byte[] pathBytes = new byte[PATH_MAX];
    private final byte[] lastPathBytes = new byte[PATH_MAX];
    private String lastPath;

    private long transfer(int nr, int pid, long remoteAddr, long localAddr, long len) {
        local.set(ValueLayout.JAVA_LONG, 0, localAddr);
        local.set(ValueLayout.JAVA_LONG, 8, len);
        remote.set(ValueLayout.JAVA_LONG, 0, remoteAddr);
        remote.set(ValueLayout.JAVA_LONG, 8, len);
        long r = Native.syscall(nr, pid, local.address(), 1, remote.address(), 1, 0);
        if (r != -Errno.EPERM) return r;
        // Refused as the program's identity (not dumpable, or another uid): the program may always
        // reach its own memory, so once more with CAP_SYS_PTRACE (see Credentials).
        return Credentials.ptraceRetry(() -> Native.syscall(nr, pid, local.address(), 1, remote.address(), 1, 0));
    }

    /** Reads exactly {@code len} bytes; a short or failed read is EFAULT (as the kernel would answer). */
    public byte[] read(int pid, long addr, int len) throws ErrnoException {
        if (len < 0 || len > BUF) throw new ErrnoException("process_vm_readv", Errno.EINVAL);
        if (len == 0) return new byte[0];
        long r = transfer(Syscalls.PROCESS_VM_READV, pid, addr, buf.address(), len);
        if (r < 0 && r != -Errno.EFAULT) throw new ErrnoException("process_vm_readv", (int) -r);
        if (r != len) throw new ErrnoException("process_vm_readv", Errno.EFAULT);
        return buf.asSlice(0, len).toArray(ValueLayout.JAVA_BYTE);
    }

    /**
     * Reads a NUL-terminated path of at most {@code PATH_MAX} bytes (including the NUL), page by page
     * so that a read never runs into an unmapped page after the string. Returns it as a byte string
     * (one char per byte, ISO-8859-1). EFAULT for a bad pointer, ENAMETOOLONG when no NUL is found
     * within PATH_MAX, as the kernel does.
     */
    public String readPath(int pid, long addr) throws ErrnoException {
        if (addr == 0) throw new ErrnoException("read path", Errno.EFAULT);
        int have = 0;
        long p = addr;
        while (have < PATH_MAX) {
            int chunk = (int) Math.min(PAGE - (p & (PAGE - 1)), PATH_MAX - have);
            long r = transfer(Syscalls.PROCESS_VM_READV, pid, p, buf.address(), chunk);
            if (r <= 0) {
                if (r < 0 && r != -Errno.EFAULT && r != -Errno.EIO) throw new ErrnoException("process_vm_readv", (int) -r);
                throw new ErrnoException("read path", Errno.EFAULT);
            }
            MemorySegment.copy(buf, ValueLayout.JAVA_BYTE, 0, pathBytes, have, (int) r);
            for (int end = have + (int) r; have < end; have++) {
                if (pathBytes[have] == 0) return pathString(have);
            }
            p += r;
        }
        throw new ErrnoException("read path", Errno.ENAMETOOLONG);
    }

    /**
     * The first {@code len} bytes of {@code pathBytes} as a byte string. A program that names the
     * same path again (the common case: a loop over one file, a library search) gets the previous
     * String back, so nothing is allocated and its cached hash code serves the policy cache.
     */
    private String pathString(int len) {
        String prev = lastPath;
        if (prev != null && prev.length() == len
                && java.util.Arrays.equals(pathBytes, 0, len, lastPathBytes, 0, len)) {
            return prev;
        }
        String s = new String(pathBytes, 0, len, StandardCharsets.ISO_8859_1);
        System.arraycopy(pathBytes, 0, lastPathBytes, 0, len);
        lastPath = s;
        return s;
    }

    /** Writes all of {@code data} at {@code addr} in the program; EFAULT if it cannot be written whole. */
    public void write(int pid, long addr, byte[] data, int off, int len) throws ErrnoException {
        if (len > BUF) throw new ErrnoException("process_vm_writev", Errno.EINVAL);
        MemorySegment.copy(data, off, buf, ValueLayout.JAVA_BYTE, 0, len);
        long r = transfer(Syscalls.PROCESS_VM_WRITEV, pid, addr, buf.address(), len);
        if (r != len) throw new ErrnoException("process_vm_writev", r < 0 ? (int) -r : Errno.EFAULT);
    }

    /** Writes the first {@code len} bytes of the native segment {@code data} at {@code addr}; EFAULT if not whole. */
    void write(int pid, long addr, MemorySegment data, int len) throws ErrnoException {
        if (len < 0 || len > data.byteSize()) throw new ErrnoException("process_vm_writev", Errno.EINVAL);
        long r = transfer(Syscalls.PROCESS_VM_WRITEV, pid, addr, data.address(), len);
        if (r != len) throw new ErrnoException("process_vm_writev", r < 0 ? (int) -r : Errno.EFAULT);
    }

    @Override
    public void close() { arena.close(); }
}
