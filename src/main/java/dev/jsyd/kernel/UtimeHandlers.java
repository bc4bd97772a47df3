package dev.jsyd.kernel;

import static dev.jsyd.abi.OpenFlags.AT_EMPTY_PATH;
import static dev.jsyd.abi.OpenFlags.AT_FDCWD;
import static dev.jsyd.abi.OpenFlags.AT_SYMLINK_NOFOLLOW;

import dev.jsyd.abi.Errno;
import dev.jsyd.abi.Syscalls;
import dev.jsyd.policy.Category;
import dev.jsyd.sys.ErrnoException;
import dev.jsyd.sys.FileOps;
import java.util.List;

/**
 * utime, utimes, futimesat, utimensat: category utime. The times are read once from the
 * program (utimbuf, timeval[2] or timespec[2]; NULL = now) and converted to a timespec[2] with
 * the kernel's validation (EINVAL for out-of-range microseconds). Path forms resolve (following
 * the last component unless AT_SYMLINK_NOFOLLOW), check the canonical path and set the times on
 * the resolved object with {@code utimensat(parentfd, name, AT_SYMLINK_NOFOLLOW)}; a NULL path
 * (utimensat, futimesat) is the fd form, carried out on a duplicate of the program's fd.
 */
public final class UtimeHandlers {
    private UtimeHandlers() {}


    /** Thrown-free marker for invalid times. */
    private static final long[] INVALID = new long[0];

    public static void utime(Request r) throws ResolveException, ErrnoException {
        long[] ts = null;
        if (r.arg(1) != 0) {
            byte[] b = r.memory().read(r.pid(), r.arg(1), 16);
            ts = new long[] {le64(b, 0), 0, le64(b, 8), 0};
        }
        emulate(r, "utime", AT_FDCWD, r.arg(0), ts, 0, false);
    }

    public static void utimes(Request r) throws ResolveException, ErrnoException {
        long[] ts = timevals(r, r.arg(1));
        if (ts == INVALID) { r.fail(Errno.EINVAL); return; }
        emulate(r, "utimes", AT_FDCWD, r.arg(0), ts, 0, false);
    }

    public static void futimesat(Request r) throws ResolveException, ErrnoException {
        long[] ts = timevals(r, r.arg(2));
        if (ts == INVALID) { r.fail(Errno.EINVAL); return; }
        emulate(r, "futimesat", (int) r.arg(0), r.arg(1), ts, 0, true);
    }

    public static void utimensat(Request r) throws ResolveException, ErrnoException {
        int flags = (int) r.arg(3);
        if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) != 0) { r.fail(Errno.EINVAL); return; }
        long[] ts = null;
        if (r.arg(2) != 0) {
            byte[] b = r.memory().read(r.pid(), r.arg(2), 32);
            ts = new long[] {le64(b, 0), le64(b, 8), le64(b, 16), le64(b, 24)};
        }
        emulate(r, "utimensat", (int) r.arg(0), r.arg(1), ts, flags, true);
    }

    /** timeval[2] → timespec[2]; null for NULL; INVALID when a usec is out of range. */
    private static long[] timevals(Request r, long addr) throws ErrnoException {
        if (addr == 0) return null;
        byte[] b = r.memory().read(r.pid(), addr, 32);
        long[] ts = {le64(b, 0), le64(b, 8), le64(b, 16), le64(b, 24)};
        if (ts[1] < 0 || ts[1] >= 1_000_000 || ts[3] < 0 || ts[3] >= 1_000_000) return INVALID;
        ts[1] *= 1000;
        ts[3] *= 1000;
        return ts;
    }

    private static void emulate(Request r, String sys, int dirfd, long pathAddr, long[] ts, int flags, boolean nullPathIsFd)
            throws ResolveException, ErrnoException {
        if (pathAddr == 0 && nullPathIsFd && dirfd != AT_FDCWD) {
            // The fd form: utimensat(fd, NULL, times, 0), futimens.
            if (flags != 0) { r.fail(Errno.EINVAL); return; }
            try (PathArgs.Target t = PathArgs.fd(r, dirfd)) {
                if (r.denied(sys, t.path(), -1, Category.UTIME)) { r.fail(Errno.EACCES); return; }
                if (!r.stillValid()) return;
                int rc = FileOps.utimensat(t.fd(), null, ts, 0);
                if (rc < 0) { r.fail(-rc); return; }
                r.reply(0);
            }
            return;
        }
        String path = r.readPath(pathAddr);
        if (!r.stillValid()) return;
        try (PathArgs.Target t = path.isEmpty() && (flags & AT_EMPTY_PATH) != 0
                ? (dirfd == AT_FDCWD ? PathArgs.target(r, sys, AT_FDCWD, ".", true, Category.UTIME) : PathArgs.fd(r, dirfd))
                : PathArgs.target(r, sys, dirfd, path, (flags & AT_SYMLINK_NOFOLLOW) == 0, Category.UTIME)) {
            if (r.denied(sys, t.path(), -1, Category.UTIME)) { r.fail(Errno.EACCES); return; }
            int rc = FileOps.utimensat(t.atDir(), t.atName(), ts, t.atFlags());
            if (rc < 0) { r.fail(-rc); return; }
            r.reply(0);
        }
    }

    private static long le64(byte[] b, int off) { return OpenHandlers.le64(b, off); }
}
