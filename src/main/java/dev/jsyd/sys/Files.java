package dev.jsyd.sys;

import dev.jsyd.abi.Syscalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * File system calls the supervisor makes on the program's behalf. Paths are byte strings (one
 * char per byte, ISO-8859-1), as everywhere in jsyd. Per-thread: owns a confined scratch
 * buffer, so use one instance per worker thread. Calls return the result or {@code -errno}.
 */
public final class Files implements AutoCloseable {
    private static final int NAME_MAX_BUF = 4097;

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment name = arena.allocate(NAME_MAX_BUF);
    private final MemorySegment link = arena.allocate(NAME_MAX_BUF);
    private final MemorySegment how = arena.allocate(24, 8);
    private final MemorySegment stat = arena.allocate(256, 8);
    private final byte[] linkBytes = new byte[NAME_MAX_BUF];
    private final byte[] nameBytes = new byte[NAME_MAX_BUF];

    private MemorySegment cstr(String s) { return cstr(s, 0, s.length()); }

    /** {@code s[from, to)} as a NUL-terminated C string in the scratch buffer, or null when too long. */
    private MemorySegment cstr(String s, int from, int to) {
        return CString.put(name, nameBytes, s, from, to) ? name : null;
    }

    /** openat(2); result fd or -errno. */
    public int openat(int dirfd, String path, int flags, int mode) {
        MemorySegment p = cstr(path);
        if (p == null) return -dev.jsyd.abi.Errno.ENAMETOOLONG;
        return (int) Native.syscall(Syscalls.OPENAT, dirfd, p.address(), flags, mode);
    }

    /** openat2(2) with {@code struct open_how}; result fd or -errno. */
    public int openat2(int dirfd, String path, long flags, long mode, long resolve) {
        return openat2(dirfd, path, 0, path.length(), flags, mode, resolve);
    }

    /** {@link #openat2(int, String, long, long, long)} of the part {@code path[from, to)} (no substring). */
    public int openat2(int dirfd, String path, int from, int to, long flags, long mode, long resolve) {
        MemorySegment p = cstr(path, from, to);
        if (p == null) return -dev.jsyd.abi.Errno.ENAMETOOLONG;
        how.set(ValueLayout.JAVA_LONG, 0, flags);
        how.set(ValueLayout.JAVA_LONG, 8, mode);
        how.set(ValueLayout.JAVA_LONG, 16, resolve);
        return (int) Native.syscall(Syscalls.OPENAT2, dirfd, p.address(), how.address(), 24);
    }

    /**
     * readlinkat(2) as a byte string, or null with {@link #lastError()} set (EINVAL: not a symlink).
     * An empty {@code path} reads the link {@code dirfd} itself refers to (O_PATH fd of a symlink, or a magic link).
     */
    public String readlinkat(int dirfd, String path) {
        MemorySegment p = cstr(path);
        if (p == null) { lastError = dev.jsyd.abi.Errno.ENAMETOOLONG; return null; }
        long r = Native.syscall(Syscalls.READLINKAT, dirfd, p.address(), link.address(), NAME_MAX_BUF - 1);
        if (r < 0) { lastError = (int) -r; return null; }
        MemorySegment.copy(link, ValueLayout.JAVA_BYTE, 0, linkBytes, 0, (int) r);
        return new String(linkBytes, 0, (int) r, StandardCharsets.ISO_8859_1);
    }

    /**
     * readlink(2) of {@code path} as a byte string, or null: for callers without a per-thread
     * instance (it allocates its own buffers).
     */
    public static String readlink(String path) {
        try (Arena a = Arena.ofConfined()) {
            byte[] p = path.getBytes(StandardCharsets.ISO_8859_1);
            MemorySegment cpath = a.allocate(p.length + 1L);
            MemorySegment.copy(p, 0, cpath, ValueLayout.JAVA_BYTE, 0, p.length);
            MemorySegment buf = a.allocate(NAME_MAX_BUF);
            long r = Native.syscall(Syscalls.READLINKAT, dev.jsyd.abi.OpenFlags.AT_FDCWD, cpath.address(), buf.address(),
                    NAME_MAX_BUF - 1);
            if (r < 0) return null;
            return new String(buf.asSlice(0, r).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.ISO_8859_1);
        }
    }

    private int lastError;

    /** The errno of the last call that returned null. */
    public int lastError() { return lastError; }

    /** The file type bits (S_IFMT) of {@code path} relative to {@code dirfd} (with AT_* flags), or -errno. */
    public int fileType(int dirfd, String path, int atFlags) {
        MemorySegment p = cstr(path);
        if (p == null) return -dev.jsyd.abi.Errno.ENAMETOOLONG;
        long r = Native.syscall(Syscalls.NEWFSTATAT, dirfd, p.address(), stat.address(), atFlags);
        if (r < 0) return (int) r;
        return stat.get(ValueLayout.JAVA_INT, 24) & 0170000; // st_mode at offset 24 in struct stat (x86_64)
    }

    /** Raw {@code struct stat} (144 bytes) of {@code path} relative to {@code dirfd}, or null with lastError(). */
    public byte[] fstatat(int dirfd, String path, int atFlags) {
        MemorySegment p = cstr(path);
        if (p == null) { lastError = dev.jsyd.abi.Errno.ENAMETOOLONG; return null; }
        long r = Native.syscall(Syscalls.NEWFSTATAT, dirfd, p.address(), stat.address(), atFlags);
        if (r < 0) { lastError = (int) -r; return null; }
        return stat.asSlice(0, 144).toArray(ValueLayout.JAVA_BYTE);
    }

    /** The mount id of the file open at {@code fd} (statx STATX_MNT_ID), or -errno. */
    public long mountId(int fd) {
        MemorySegment p = cstr("");
        long r = Native.syscall(Syscalls.STATX, fd, p.address(), dev.jsyd.abi.OpenFlags.AT_EMPTY_PATH, 0x1000, stat.address());
        return r < 0 ? r : stat.get(ValueLayout.JAVA_LONG, 144);
    }

    /** The file status flags of {@code fd} (fcntl F_GETFL), or -errno. */
    public static int statusFlags(int fd) { return (int) Native.syscall(Syscalls.FCNTL, fd, 3 /* F_GETFL */); }

    public static int close(int fd) { return (int) Native.syscall(Syscalls.CLOSE, fd); }

    /**
     * Device and inode of {@code path} relative to {@code dirfd} (with AT_* flags; an empty path
     * and AT_EMPTY_PATH: the fd itself), or null with {@link #lastError()}.
     */
    public long[] devIno(int dirfd, String path, int atFlags) {
        MemorySegment p = cstr(path);
        if (p == null) { lastError = dev.jsyd.abi.Errno.ENAMETOOLONG; return null; }
        long r = Native.syscall(Syscalls.NEWFSTATAT, dirfd, p.address(), stat.address(), atFlags);
        if (r < 0) { lastError = (int) -r; return null; }
        return new long[] {stat.get(ValueLayout.JAVA_LONG, 0), stat.get(ValueLayout.JAVA_LONG, 8)};
    }

    private MemorySegment dents;

    /**
     * The name under which directory {@code dirfd} holds the object (device {@code device}, inode
     * {@code ino}), or null. Entries whose d_ino matches are confirmed with fstatat; when none
     * does (a mount point: the entry shows the inode under the mount), every subdirectory is
     * stat'ed. Reads the directory through a fresh open file, so no offset is shared.
     */
    public String nameOf(int dirfd, long device, long ino) {
        if (dents == null) dents = arena.allocate(32768, 8);
        for (int pass = 0; pass < 2; pass++) {
            int fd = openat(dirfd, ".", dev.jsyd.abi.OpenFlags.O_RDONLY | dev.jsyd.abi.OpenFlags.O_DIRECTORY
                    | dev.jsyd.abi.OpenFlags.O_CLOEXEC, 0);
            if (fd < 0) { lastError = -fd; return null; }
            try {
                while (true) {
                    long n = Native.syscall(Syscalls.GETDENTS64, fd, dents.address(), dents.byteSize());
                    if (n == -dev.jsyd.abi.Errno.EINTR) continue;
                    if (n <= 0) break;
                    for (int off = 0; off < n; ) {
                        long dIno = dents.get(ValueLayout.JAVA_LONG_UNALIGNED, off);
                        int reclen = dents.get(ValueLayout.JAVA_SHORT_UNALIGNED, off + 16) & 0xffff;
                        int type = dents.get(ValueLayout.JAVA_BYTE, off + 18) & 0xff;
                        boolean candidate = pass == 0 ? dIno == ino : type == 4 /* DT_DIR */ || type == 0 /* DT_UNKNOWN */;
                        if (candidate) {
                            int end = off + 19;
                            while (dents.get(ValueLayout.JAVA_BYTE, end) != 0) end++;
                            byte[] nb = dents.asSlice(off + 19, end - off - 19).toArray(ValueLayout.JAVA_BYTE);
                            String name = new String(nb, StandardCharsets.ISO_8859_1);
                            if (!name.equals(".") && !name.equals("..")) {
                                long[] st = devIno(dirfd, name, dev.jsyd.abi.OpenFlags.AT_SYMLINK_NOFOLLOW);
                                if (st != null && st[0] == device && st[1] == ino) return name;
                            }
                        }
                        off += reclen;
                    }
                }
            } finally {
                close(fd);
            }
        }
        lastError = dev.jsyd.abi.Errno.ENOENT;
        return null;
    }

    /** fchmod(2); 0 or -errno. */
    public static int fchmod(int fd, int mode) { return (int) Native.syscall(Syscalls.FCHMOD, fd, mode); }

    /** Reads at most {@code max} (≤ 4096) bytes from the start of {@code fd} (pread at 0) as a byte string, or null with lastError(). */
    public String readPrefix(int fd, int max) {
        long r;
        do {
            r = Native.syscall(Syscalls.PREAD64, fd, link.address(), Math.min(max, NAME_MAX_BUF - 1), 0);
        } while (r == -dev.jsyd.abi.Errno.EINTR);
        if (r < 0) { lastError = (int) -r; return null; }
        return latin1(link, (int) r);
    }

    /** The first {@code n} bytes of {@code seg} as a byte string (one char per byte), copied in bulk. */
    private static String latin1(MemorySegment seg, int n) {
        byte[] b = new byte[n];
        MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, 0, b, 0, n);
        return new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private MemorySegment chunk;

    /**
     * pread(2) of up to {@code len} bytes at {@code offset} into {@code dst} (several reads until
     * {@code len} or end of file); the count, or -errno when nothing could be read.
     */
    public int pread(int fd, byte[] dst, int len, long offset) {
        if (chunk == null) chunk = arena.allocate(65536, 8);
        int done = 0;
        while (done < len) {
            long r = Native.syscall(Syscalls.PREAD64, fd, chunk.address(), Math.min(len - done, 65536), offset + done);
            if (r == -dev.jsyd.abi.Errno.EINTR) continue;
            if (r < 0) return done > 0 ? done : (int) r;
            if (r == 0) break;
            MemorySegment.copy(chunk, ValueLayout.JAVA_BYTE, 0, dst, done, (int) r);
            done += (int) r;
        }
        return done;
    }

    /**
     * The first 4 KiB of a {@code /proc} file the kernel makes as one record ({@code status},
     * {@code auxv}: the first read returns all of it), read with open, one read and close instead
     * of reading on to the end; null with lastError() on failure.
     */
    public String readProcRecord(String path) {
        int fd = openat(dev.jsyd.abi.OpenFlags.AT_FDCWD, path, dev.jsyd.abi.OpenFlags.O_RDONLY | dev.jsyd.abi.OpenFlags.O_CLOEXEC, 0);
        if (fd < 0) { lastError = -fd; return null; }
        try {
            return readPrefix(fd, NAME_MAX_BUF - 1);
        } finally {
            close(fd);
        }
    }

    /**
     * Reads a whole small file (e.g. under /proc) as a byte string, at most 64 KiB; null with
     * lastError() on failure. A read of {@code /proc/.../status} that fills less than the buffer
     * ends it (one seq_file record, the whole file, given as far as the read can take it), so the
     * file takes one read, not two. Other files are read to end of file: a seq_file of many
     * records (/proc/PID/maps) ends a read short of the buffer at a record that does not fit.
     */
    public String readSmallFile(String path) {
        int fd = openat(dev.jsyd.abi.OpenFlags.AT_FDCWD, path, dev.jsyd.abi.OpenFlags.O_RDONLY | dev.jsyd.abi.OpenFlags.O_CLOEXEC, 0);
        if (fd < 0) { lastError = -fd; return null; }
        boolean proc = path.startsWith("/proc/") && path.endsWith("/status");
        try {
            StringBuilder sb = new StringBuilder();
            while (sb.length() < 65536) {
                long r = Native.syscall(Syscalls.READ, fd, link.address(), NAME_MAX_BUF - 1);
                if (r == -dev.jsyd.abi.Errno.EINTR) continue;
                if (r < 0) { lastError = (int) -r; return null; }
                if (r == 0) break;
                sb.append(latin1(link, (int) r));
                if (proc && r < NAME_MAX_BUF - 1) break;
            }
            return sb.toString();
        } finally {
            close(fd);
        }
    }

    @Override
    public void close() { arena.close(); }

    public static final int S_IFMT = 0170000, S_IFDIR = 0040000, S_IFREG = 0100000, S_IFLNK = 0120000,
            S_IFIFO = 0010000, S_IFSOCK = 0140000, S_IFCHR = 0020000, S_IFBLK = 0060000;
}
