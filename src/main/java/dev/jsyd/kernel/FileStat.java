package dev.jsyd.kernel;

import dev.jsyd.abi.OpenFlags;
import dev.jsyd.sys.Files;

/**
 * The fields of an x86_64 {@code struct stat} the exec checks use. {@link #key()} identifies a
 * file's content for caching: a change of the content changes {@code mtime} and {@code ctime},
 * and {@code ctime} cannot be set back from user space (utimensat only sets atime and mtime).
 */
public record FileStat(long dev, long ino, int mode, int uid, int gid, long size, long mtimeSec, long mtimeNsec,
                       long ctimeSec, long ctimeNsec) {

    /** Decodes a 144-byte {@code struct stat}. */
    public static FileStat of(byte[] st) {
        return new FileStat(le64(st, 0), le64(st, 8), (int) le64(st, 24, 4), (int) le64(st, 28, 4), (int) le64(st, 32, 4),
                le64(st, 48), le64(st, 88), le64(st, 96), le64(st, 104), le64(st, 112));
    }

    /** fstat of {@code fd}, or null. */
    public static FileStat ofFd(Files files, int fd) {
        byte[] st = files.fstatat(fd, "", OpenFlags.AT_EMPTY_PATH);
        return st == null ? null : of(st);
    }

    /** stat of {@code path} (followed), or null. */
    public static FileStat ofPath(Files files, String path) {
        byte[] st = files.fstatat(OpenFlags.AT_FDCWD, path, 0);
        return st == null ? null : of(st);
    }

    public int type() { return mode & Files.S_IFMT; }

    /** Device major number as {@code /proc/PID/maps} shows it. */
    public long major() { return ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL); }

    /** Device minor number as {@code /proc/PID/maps} shows it. */
    public long minor() { return (dev & 0xff) | ((dev >>> 12) & ~0xffL); }

    /** What identifies this version of the file's content. */
    public Key key() { return new Key(dev, ino, size, mtimeSec, mtimeNsec, ctimeSec, ctimeNsec); }

    public record Key(long dev, long ino, long size, long mtimeSec, long mtimeNsec, long ctimeSec, long ctimeNsec) {}

    private static long le64(byte[] b, int off) { return le64(b, off, 8); }

    private static long le64(byte[] b, int off, int n) {
        long v = 0;
        for (int i = n - 1; i >= 0; i--) v = (v << 8) | (b[off + i] & 0xffL);
        return v;
    }
}
