package dev.jsyd.sys;

import static dev.jsyd.abi.OpenFlags.AT_FDCWD;
import static dev.jsyd.abi.OpenFlags.O_CLOEXEC;
import static dev.jsyd.abi.OpenFlags.O_NOFOLLOW;
import static dev.jsyd.abi.OpenFlags.O_PATH;
import static dev.jsyd.abi.OpenFlags.RESOLVE_NO_MAGICLINKS;
import static dev.jsyd.abi.OpenFlags.RESOLVE_NO_SYMLINKS;

import dev.jsyd.abi.Errno;
import dev.jsyd.abi.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The supervisor's own metadata calls, made on objects it has resolved for the program: stat,
 * statx, fstatfs, faccessat2, readlinkat, getdents64, lseek and the xattr calls. Every call that
 * produces data leaves it in one confined scratch buffer ({@link #bytes}), so an instance belongs
 * to one worker thread. Calls return the kernel's result or {@code -errno}; paths and names are
 * byte strings (one char per byte).
 */
public final class StatCalls implements AutoCloseable {
    /** Sizes of the x86_64 structures. */
    public static final int STAT_SIZE = 144, STATX_SIZE = 256, STATFS_SIZE = 120;
    /** The scratch buffer: XATTR_SIZE_MAX = XATTR_LIST_MAX = 64 KiB. */
    public static final int BUF = 65536;
    private static final int PATH_BUF = 4097, NAME_BUF = 256;
    private static final int F_DUPFD_CLOEXEC = 1030;

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment path = arena.allocate(PATH_BUF);
    private final MemorySegment name = arena.allocate(NAME_BUF + 1);
    private final MemorySegment buf = arena.allocate(BUF, 8);
    private final MemorySegment how = arena.allocate(24, 8);

    private final byte[] scratch = new byte[PATH_BUF];

    private long cstr(MemorySegment seg, int cap, String s) {
        if (s.length() >= cap) return 0;
        return CString.put(seg, scratch, s, 0, s.length()) ? seg.address() : 0;
    }

    private long p(String s) { return cstr(path, PATH_BUF, s); }

    private long n(String s) { return cstr(name, NAME_BUF + 1, s); }

    /** A copy of {@code len} bytes of the scratch buffer from {@code off}. */
    public byte[] bytes(int off, int len) { return buf.asSlice(off, len).toArray(ValueLayout.JAVA_BYTE); }

    /**
     * Writes the first {@code len} bytes of the scratch buffer at {@code addr} in process {@code pid}
     * straight from native memory (no Java copy); EFAULT if it cannot be written whole.
     */
    public void writeTo(RemoteMemory memory, int pid, long addr, int len) throws ErrnoException {
        memory.write(pid, addr, buf, len);
    }

    /** Copies {@code data} into the scratch buffer at 0. */
    private void put(byte[] data) { MemorySegment.copy(data, 0, buf, ValueLayout.JAVA_BYTE, 0, data.length); }

    /** newfstatat(2) into the buffer (144 bytes); 0 or -errno. */
    public long fstatat(int dirfd, String file, int flags) {
        long a = p(file);
        if (a == 0) return -Errno.ENAMETOOLONG;
        return Native.syscall(Syscalls.NEWFSTATAT, dirfd, a, buf.address(), flags);
    }

    /** The st_mode of the last successful {@link #fstatat}. */
    public int statMode() { return buf.get(ValueLayout.JAVA_INT, 24); }

    /** statx(2) into the buffer (256 bytes); 0 or -errno. */
    public long statx(int dirfd, String file, int flags, int mask) {
        long a = p(file);
        if (a == 0) return -Errno.ENAMETOOLONG;
        return Native.syscall(Syscalls.STATX, dirfd, a, flags, mask & 0xffffffffL, buf.address());
    }

    /** fstatfs(2) into the buffer (120 bytes); 0 or -errno. */
    public long fstatfs(int fd) { return Native.syscall(Syscalls.FSTATFS, fd, buf.address()); }

    /** faccessat2(2); 0 or -errno. */
    public long faccessat2(int dirfd, String file, int mode, int flags) {
        long a = p(file);
        if (a == 0) return -Errno.ENAMETOOLONG;
        return Native.syscall(Syscalls.FACCESSAT2, dirfd, a, mode, flags);
    }

    /** readlinkat(2) into the buffer; the length or -errno. */
    public long readlinkat(int dirfd, String file) {
        long a = p(file);
        if (a == 0) return -Errno.ENAMETOOLONG;
        return Native.syscall(Syscalls.READLINKAT, dirfd, a, buf.address(), BUF);
    }

    /** An O_PATH fd (close-on-exec) of {@code dirfd/file}, never following a symlink; fd or -errno. */
    public int openPath(int dirfd, String file) {
        long a = p(file);
        if (a == 0) return -Errno.ENAMETOOLONG;
        how.set(ValueLayout.JAVA_LONG, 0, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        how.set(ValueLayout.JAVA_LONG, 8, 0L);
        how.set(ValueLayout.JAVA_LONG, 16, RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS);
        return (int) Native.syscall(Syscalls.OPENAT2, dirfd, a, how.address(), 24);
    }

    /** An O_PATH fd (close-on-exec) following {@code file} (for /proc magic links); fd or -errno. */
    public int openPathFollow(String file) {
        long a = p(file);
        if (a == 0) return -Errno.ENAMETOOLONG;
        return (int) Native.syscall(Syscalls.OPENAT, AT_FDCWD, a, O_PATH | O_CLOEXEC, 0);
    }

    /** getdents64(2) (or the old getdents(2)) into the buffer, at most {@code count} bytes; length or -errno. */
    public long getdents(boolean old, int fd, int count) {
        return Native.syscall(old ? Syscalls.GETDENTS : Syscalls.GETDENTS64, fd, buf.address(), Math.min(count, BUF));
    }

    /** Moves {@code len} bytes inside the buffer (compacting directory records). */
    public void move(int from, int to, int len) { MemorySegment.copy(buf, from, buf, to, len); }

    /** The unsigned 16-bit value at {@code off} of the buffer. */
    public int u16(int off) { return buf.get(ValueLayout.JAVA_SHORT_UNALIGNED, off) & 0xffff; }

    /** The byte at {@code off} of the buffer. */
    public int u8(int off) { return buf.get(ValueLayout.JAVA_BYTE, off) & 0xff; }

    /** A close-on-exec duplicate of {@code fd} (fcntl F_DUPFD_CLOEXEC); fd or -errno. */
    public static int dup(int fd) { return (int) Native.syscall(Syscalls.FCNTL, fd, F_DUPFD_CLOEXEC, 0); }

    /** lseek(2); the offset or -errno. */
    public static long lseek(int fd, long off, int whence) { return Native.syscall(Syscalls.LSEEK, fd, off, whence); }

    // xattr calls: path forms act on {@code file} (follow: getxattr, else lgetxattr), fd forms on {@code fd}.

    /** getxattr/lgetxattr into the buffer ({@code size} ≤ BUF; 0 asks for the size); length or -errno. */
    public long getxattr(String file, boolean follow, String attr, int size) {
        long a = p(file), b = n(attr);
        if (a == 0) return -Errno.ENAMETOOLONG;
        if (b == 0) return -Errno.ERANGE;
        return Native.syscall(follow ? Syscalls.GETXATTR : Syscalls.LGETXATTR, a, b, size == 0 ? 0 : buf.address(), size);
    }

    /** fgetxattr into the buffer; length or -errno. */
    public long fgetxattr(int fd, String attr, int size) {
        long b = n(attr);
        if (b == 0) return -Errno.ERANGE;
        return Native.syscall(Syscalls.FGETXATTR, fd, b, size == 0 ? 0 : buf.address(), size);
    }

    /** listxattr/llistxattr into the buffer; length or -errno. */
    public long listxattr(String file, boolean follow, int size) {
        long a = p(file);
        if (a == 0) return -Errno.ENAMETOOLONG;
        return Native.syscall(follow ? Syscalls.LISTXATTR : Syscalls.LLISTXATTR, a, size == 0 ? 0 : buf.address(), size);
    }

    /** flistxattr into the buffer; length or -errno. */
    public long flistxattr(int fd, int size) {
        return Native.syscall(Syscalls.FLISTXATTR, fd, size == 0 ? 0 : buf.address(), size);
    }

    /** setxattr/lsetxattr of {@code value}; 0 or -errno. */
    public long setxattr(String file, boolean follow, String attr, byte[] value, int flags) {
        long a = p(file), b = n(attr);
        if (a == 0) return -Errno.ENAMETOOLONG;
        if (b == 0) return -Errno.ERANGE;
        put(value);
        return Native.syscall(follow ? Syscalls.SETXATTR : Syscalls.LSETXATTR, a, b, buf.address(), value.length, flags);
    }

    /** fsetxattr of {@code value}; 0 or -errno. */
    public long fsetxattr(int fd, String attr, byte[] value, int flags) {
        long b = n(attr);
        if (b == 0) return -Errno.ERANGE;
        put(value);
        return Native.syscall(Syscalls.FSETXATTR, fd, b, buf.address(), value.length, flags);
    }

    /** removexattr/lremovexattr; 0 or -errno. */
    public long removexattr(String file, boolean follow, String attr) {
        long a = p(file), b = n(attr);
        if (a == 0) return -Errno.ENAMETOOLONG;
        if (b == 0) return -Errno.ERANGE;
        return Native.syscall(follow ? Syscalls.REMOVEXATTR : Syscalls.LREMOVEXATTR, a, b);
    }

    /** fremovexattr; 0 or -errno. */
    public long fremovexattr(int fd, String attr) {
        long b = n(attr);
        if (b == 0) return -Errno.ERANGE;
        return Native.syscall(Syscalls.FREMOVEXATTR, fd, b);
    }

    @Override
    public void close() { arena.close(); }
}
