package dev.jsyd.sys;

import dev.jsyd.abi.Errno;
import dev.jsyd.abi.Syscalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The calls that change the file system, made by the supervisor on the program's behalf on
 * objects it resolved itself (a parent directory fd plus one final name, or an fd). Paths and
 * names are byte strings (one char per byte). Every call returns its result or {@code -errno}.
 *
 * <p>The scratch buffers are per thread ({@link #THREAD}), in an automatic arena so a retired
 * worker thread leaves nothing behind.
 */
public final class FileOps {
    private static final int BUF = 4097;
    private static final ThreadLocal<FileOps> THREAD = ThreadLocal.withInitial(FileOps::new);

    private final MemorySegment a;
    private final MemorySegment b;
    private final MemorySegment times;
    private final MemorySegment stat;

    private FileOps() {
        Arena arena = Arena.ofAuto();
        a = arena.allocate(BUF);
        b = arena.allocate(BUF);
        times = arena.allocate(32, 8);
        stat = arena.allocate(256, 8);
    }

    private static FileOps buffers() { return THREAD.get(); }

    /** Copies {@code s} as a C string into {@code seg}; null when too long. */
    private static MemorySegment cstr(MemorySegment seg, String s) {
        int n = s.length();
        if (n >= BUF) return null;
        for (int i = 0; i < n; i++) seg.set(ValueLayout.JAVA_BYTE, i, (byte) s.charAt(i));
        seg.set(ValueLayout.JAVA_BYTE, n, (byte) 0);
        return seg;
    }

    private static final int TOO_LONG = -Errno.ENAMETOOLONG;

    /** mkdirat(2). */
    public static int mkdirat(int dirfd, String name, int mode) {
        MemorySegment p = cstr(buffers().a, name);
        if (p == null) return TOO_LONG;
        return (int) Native.syscall(Syscalls.MKDIRAT, dirfd, p.address(), mode);
    }

    /** mknodat(2); {@code dev} as the kernel's 32-bit encoding. */
    public static int mknodat(int dirfd, String name, int mode, long dev) {
        MemorySegment p = cstr(buffers().a, name);
        if (p == null) return TOO_LONG;
        return (int) Native.syscall(Syscalls.MKNODAT, dirfd, p.address(), mode, dev & 0xffffffffL);
    }

    /** unlinkat(2). */
    public static int unlinkat(int dirfd, String name, int flags) {
        MemorySegment p = cstr(buffers().a, name);
        if (p == null) return TOO_LONG;
        return (int) Native.syscall(Syscalls.UNLINKAT, dirfd, p.address(), flags);
    }

    /** renameat2(2). */
    public static int renameat2(int oldDir, String oldName, int newDir, String newName, int flags) {
        FileOps f = buffers();
        MemorySegment o = cstr(f.a, oldName), n = cstr(f.b, newName);
        if (o == null || n == null) return TOO_LONG;
        return (int) Native.syscall(Syscalls.RENAMEAT2, oldDir, o.address(), newDir, n.address(), flags & 0xffffffffL);
    }

    /** linkat(2). */
    public static int linkat(int oldDir, String oldName, int newDir, String newName, int flags) {
        FileOps f = buffers();
        MemorySegment o = cstr(f.a, oldName), n = cstr(f.b, newName);
        if (o == null || n == null) return TOO_LONG;
        return (int) Native.syscall(Syscalls.LINKAT, oldDir, o.address(), newDir, n.address(), flags);
    }

    /** symlinkat(2): {@code target} is stored as the link's text, never resolved. */
    public static int symlinkat(String target, int dirfd, String name) {
        FileOps f = buffers();
        MemorySegment t = cstr(f.a, target), n = cstr(f.b, name);
        if (t == null || n == null) return TOO_LONG;
        return (int) Native.syscall(Syscalls.SYMLINKAT, t.address(), dirfd, n.address());
    }

    /** fchmodat2(2) (Linux 6.6+: honours AT_SYMLINK_NOFOLLOW and AT_EMPTY_PATH). */
    public static int fchmodat2(int dirfd, String name, int mode, int flags) {
        MemorySegment p = cstr(buffers().a, name);
        if (p == null) return TOO_LONG;
        return (int) Native.syscall(Syscalls.FCHMODAT2, dirfd, p.address(), mode, flags);
    }

    /** fchmod(2). */
    public static int fchmod(int fd, int mode) { return (int) Native.syscall(Syscalls.FCHMOD, fd, mode); }

    /** fchownat(2); uid/gid -1 leave that id unchanged. */
    public static int fchownat(int dirfd, String name, int uid, int gid, int flags) {
        MemorySegment p = cstr(buffers().a, name);
        if (p == null) return TOO_LONG;
        return (int) Native.syscall(Syscalls.FCHOWNAT, dirfd, p.address(), uid & 0xffffffffL, gid & 0xffffffffL, flags);
    }

    /** fchown(2). */
    public static int fchown(int fd, int uid, int gid) {
        return (int) Native.syscall(Syscalls.FCHOWN, fd, uid & 0xffffffffL, gid & 0xffffffffL);
    }

    /**
     * utimensat(2). {@code ts} = {atime sec, atime nsec, mtime sec, mtime nsec} or null for "now";
     * {@code name} null means the fd form ({@code utimensat(fd, NULL, ...)}).
     */
    public static int utimensat(int dirfd, String name, long[] ts, int flags) {
        FileOps f = buffers();
        long path = 0;
        if (name != null) {
            MemorySegment p = cstr(f.a, name);
            if (p == null) return TOO_LONG;
            path = p.address();
        }
        long t = 0;
        if (ts != null) {
            for (int i = 0; i < 4; i++) f.times.set(ValueLayout.JAVA_LONG, 8L * i, ts[i]);
            t = f.times.address();
        }
        return (int) Native.syscall(Syscalls.UTIMENSAT, dirfd, path, t, flags);
    }

    /** ftruncate(2). */
    /** fcntl(2) with an integer argument; the result or -errno. */
    public static int fcntl(int fd, int cmd, long arg) { return (int) Native.syscall(Syscalls.FCNTL, fd, cmd, arg); }

    public static int ftruncate(int fd, long length) { return (int) Native.syscall(Syscalls.FTRUNCATE, fd, length); }

    /** fallocate(2). */
    public static int fallocate(int fd, int mode, long offset, long len) {
        return (int) Native.syscall(Syscalls.FALLOCATE, fd, mode, offset, len);
    }

    /** inotify_add_watch(2); the watch descriptor or -errno. */
    public static int inotifyAddWatch(int fd, String path, int mask) {
        MemorySegment p = cstr(buffers().a, path);
        if (p == null) return TOO_LONG;
        return (int) Native.syscall(Syscalls.INOTIFY_ADD_WATCH, fd, p.address(), mask & 0xffffffffL);
    }

    /** fanotify_mark(2); {@code path} null for the dirfd form (or a flush). */
    public static int fanotifyMark(int fd, int flags, long mask, int dirfd, String path) {
        long addr = 0;
        if (path != null) {
            MemorySegment p = cstr(buffers().a, path);
            if (p == null) return TOO_LONG;
            addr = p.address();
        }
        return (int) Native.syscall(Syscalls.FANOTIFY_MARK, fd, flags & 0xffffffffL, mask, dirfd, addr);
    }

    /** st_mode of {@code name} relative to {@code dirfd} (with AT_* flags), or -errno. */
    public static int statMode(int dirfd, String name, int flags) {
        FileOps f = buffers();
        MemorySegment p = cstr(f.a, name);
        if (p == null) return TOO_LONG;
        long r = Native.syscall(Syscalls.NEWFSTATAT, dirfd, p.address(), f.stat.address(), flags);
        if (r < 0) return (int) r;
        return f.stat.get(ValueLayout.JAVA_INT, 24); // st_mode (x86_64 struct stat)
    }

    private static volatile int supervisorUmask = -1;

    /**
     * The supervisor's own umask (read once from /proc/self/status; jsyd never changes it). Files
     * the supervisor creates for the program get it on top of the program's umask, so callers
     * compensate when it masks bits the program asked for.
     */
    public static int supervisorUmask() {
        int u = supervisorUmask;
        if (u >= 0) return u;
        u = 022;
        try (Files files = new Files()) {
            String s = files.readSmallFile("/proc/self/status");
            int i = s == null ? -1 : s.indexOf("\nUmask:");
            if (i >= 0) {
                int j = i + 7, v = 0;
                while (j < s.length() && (s.charAt(j) == ' ' || s.charAt(j) == '\t')) j++;
                while (j < s.length() && s.charAt(j) >= '0' && s.charAt(j) <= '7') v = v * 8 + (s.charAt(j++) - '0');
                u = v;
            }
        }
        supervisorUmask = u;
        return u;
    }
}
