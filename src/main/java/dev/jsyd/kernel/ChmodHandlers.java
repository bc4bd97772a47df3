package dev.jsyd.kernel;

import static dev.jsyd.abi.OpenFlags.AT_EMPTY_PATH;
import static dev.jsyd.abi.OpenFlags.AT_FDCWD;
import static dev.jsyd.abi.OpenFlags.AT_SYMLINK_NOFOLLOW;

import dev.jsyd.abi.Errno;
import dev.jsyd.abi.Syscalls;
import dev.jsyd.policy.Category;
import dev.jsyd.sys.ErrnoException;
import dev.jsyd.sys.FileOps;
import dev.jsyd.sys.Files;
import java.util.List;

/**
 * chmod, fchmod, fchmodat, fchmodat2: category chmod. Path forms resolve (following the last
 * component unless AT_SYMLINK_NOFOLLOW), check the canonical path and change the resolved
 * object with {@code fchmodat2(parentfd, name, AT_SYMLINK_NOFOLLOW)} (a symlink swapped in is
 * never followed); fchmod changes a duplicate of the program's fd.
 *
 * <p>Immutable sticky bit (Syd 3.50): a chmod that would clear S_ISVTX on a directory that has
 * it keeps the bit, silently, unless {@code trace/allow_unsafe_sticky:1}.
 */
public final class ChmodHandlers {
    private ChmodHandlers() {}


    static final int S_ISVTX = 01000;

    public static void chmod(Request r) throws ResolveException, ErrnoException {
        chmodPath(r, "chmod", AT_FDCWD, r.arg(0), (int) r.arg(1), 0);
    }

    public static void fchmodat(Request r) throws ResolveException, ErrnoException {
        chmodPath(r, "fchmodat", (int) r.arg(0), r.arg(1), (int) r.arg(2), 0);
    }

    public static void fchmodat2(Request r) throws ResolveException, ErrnoException {
        int flags = (int) r.arg(3);
        if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) != 0) { r.fail(Errno.EINVAL); return; }
        chmodPath(r, "fchmodat2", (int) r.arg(0), r.arg(1), (int) r.arg(2), flags);
    }

    public static void fchmod(Request r) throws ResolveException, ErrnoException {
        int mode = (int) r.arg(1) & 07777;
        try (PathArgs.Target t = PathArgs.fd(r, (int) r.arg(0))) {
            if (r.denied("fchmod", t.path(), -1, Category.CHMOD)) { r.fail(Errno.EACCES); return; }
            mode = keepSticky(r, t, mode) & ~Umask.forced(r);
            if (!r.stillValid()) return;
            int rc = FileOps.fchmod(t.fd(), mode);
            if (rc < 0) { r.fail(-rc); return; }
            r.reply(0);
        }
    }

    private static void chmodPath(Request r, String sys, int dirfd, long pathAddr, int mode, int flags)
            throws ResolveException, ErrnoException {
        mode &= 07777;
        String path = r.readPath(pathAddr);
        if (!r.stillValid()) return;
        try (PathArgs.Target t = path.isEmpty() && (flags & AT_EMPTY_PATH) != 0
                ? (dirfd == AT_FDCWD ? PathArgs.target(r, sys, AT_FDCWD, ".", true, Category.CHMOD) : PathArgs.fd(r, dirfd))
                : PathArgs.target(r, sys, dirfd, path, (flags & AT_SYMLINK_NOFOLLOW) == 0, Category.CHMOD)) {
            if (r.denied(sys, t.path(), -1, Category.CHMOD)) { r.fail(Errno.EACCES); return; }
            mode = keepSticky(r, t, mode) & ~Umask.forced(r); // trace/force_umask also bounds chmod (Syd)
            int rc = FileOps.fchmodat2(t.atDir(), t.atName(), mode, t.atFlags());
            if (rc < 0) { r.fail(-rc); return; }
            r.reply(0);
        }
    }

    /** The mode with S_ISVTX kept when the target is a sticky directory (see the class comment). */
    private static int keepSticky(Request r, PathArgs.Target t, int mode) {
        if ((mode & S_ISVTX) != 0 || r.sandbox().flag("trace/allow_unsafe_sticky")) return mode;
        int cur = t.mode();
        if (cur >= 0 && (cur & Files.S_IFMT) == Files.S_IFDIR && (cur & S_ISVTX) != 0) return mode | S_ISVTX;
        return mode;
    }
}
