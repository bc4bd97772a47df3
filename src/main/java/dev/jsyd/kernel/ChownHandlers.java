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
 * chown, fchown, lchown, fchownat: category chown when a uid is given, chgrp when a gid is
 * given (-1 leaves that id unchanged and is not checked; both given: both checked). Path forms
 * resolve (lchown and AT_SYMLINK_NOFOLLOW do not follow the last component), check the
 * canonical path and change the resolved object with {@code fchownat(parentfd, name,
 * AT_SYMLINK_NOFOLLOW)}; fchown changes a duplicate of the program's fd.
 */
public final class ChownHandlers {
    private ChownHandlers() {}


    public static void chown(Request r) throws ResolveException, ErrnoException {
        chownPath(r, "chown", AT_FDCWD, r.arg(0), (int) r.arg(1), (int) r.arg(2), 0);
    }

    public static void lchown(Request r) throws ResolveException, ErrnoException {
        chownPath(r, "lchown", AT_FDCWD, r.arg(0), (int) r.arg(1), (int) r.arg(2), AT_SYMLINK_NOFOLLOW);
    }

    public static void fchownat(Request r) throws ResolveException, ErrnoException {
        int flags = (int) r.arg(4);
        if ((flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) != 0) { r.fail(Errno.EINVAL); return; }
        chownPath(r, "fchownat", (int) r.arg(0), r.arg(1), (int) r.arg(2), (int) r.arg(3), flags);
    }

    public static void fchown(Request r) throws ResolveException, ErrnoException {
        int uid = (int) r.arg(1), gid = (int) r.arg(2);
        try (PathArgs.Target t = PathArgs.fd(r, (int) r.arg(0))) {
            if (denied(r, "fchown", t.path(), uid, gid)) { r.fail(Errno.EACCES); return; }
            if (!r.stillValid()) return;
            int rc = FileOps.fchown(t.fd(), uid, gid);
            if (rc < 0) { r.fail(-rc); return; }
            r.reply(0);
        }
    }

    private static void chownPath(Request r, String sys, int dirfd, long pathAddr, int uid, int gid, int flags)
            throws ResolveException, ErrnoException {
        String path = r.readPath(pathAddr);
        if (!r.stillValid()) return;
        try (PathArgs.Target t = path.isEmpty() && (flags & AT_EMPTY_PATH) != 0
                ? (dirfd == AT_FDCWD ? PathArgs.target(r, sys, AT_FDCWD, ".", true, Category.CHOWN) : PathArgs.fd(r, dirfd))
                : PathArgs.target(r, sys, dirfd, path, (flags & AT_SYMLINK_NOFOLLOW) == 0, Category.CHOWN)) {
            if (denied(r, sys, t.path(), uid, gid)) { r.fail(Errno.EACCES); return; }
            int rc = FileOps.fchownat(t.atDir(), t.atName(), uid, gid, t.atFlags());
            if (rc < 0) { r.fail(-rc); return; }
            r.reply(0);
        }
    }

    private static boolean denied(Request r, String sys, String path, int uid, int gid) {
        return r.denied(sys, path, -1, uid != -1 ? Category.CHOWN : null, gid != -1 ? Category.CHGRP : null);
    }
}
