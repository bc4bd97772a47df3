package dev.jsyd.kernel;

import static dev.jsyd.abi.OpenFlags.AT_FDCWD;
import static dev.jsyd.abi.OpenFlags.AT_REMOVEDIR;

import dev.jsyd.abi.Errno;
import dev.jsyd.abi.Syscalls;
import dev.jsyd.policy.Category;
import dev.jsyd.sys.ErrnoException;
import dev.jsyd.sys.FileOps;
import java.util.List;

/**
 * unlink, unlinkat (category delete) and rmdir, unlinkat with AT_REMOVEDIR (category rmdir).
 * The last component is never followed; the supervisor removes the entry itself with
 * {@code unlinkat} on the resolved parent directory fd, so the kernel gives its own errno for
 * the checked entry (EISDIR for unlink of a directory, ENOTEMPTY, ENOTDIR, EBUSY, ...).
 */
public final class UnlinkHandlers {
    private UnlinkHandlers() {}


    public static void unlink(Request r) throws ResolveException, ErrnoException {
        remove(r, "unlink", AT_FDCWD, r.arg(0), 0);
    }

    public static void rmdir(Request r) throws ResolveException, ErrnoException {
        remove(r, "rmdir", AT_FDCWD, r.arg(0), AT_REMOVEDIR);
    }

    public static void unlinkat(Request r) throws ResolveException, ErrnoException {
        int flags = (int) r.arg(2);
        if ((flags & ~AT_REMOVEDIR) != 0) { r.fail(Errno.EINVAL); return; }
        remove(r, "unlinkat", (int) r.arg(0), r.arg(1), flags);
    }

    private static void remove(Request r, String sys, int dirfd, long pathAddr, int flags)
            throws ResolveException, ErrnoException {
        boolean dir = (flags & AT_REMOVEDIR) != 0;
        String path = r.readPath(pathAddr);
        if (!r.stillValid()) return;
        try (PathArgs.Named n = PathArgs.named(r, dirfd, path)) {
            switch (n.kind()) {
                case NORM -> { }
                case DOT -> { r.fail(dir ? Errno.EINVAL : Errno.EISDIR); return; }
                case DOTDOT -> { r.fail(dir ? Errno.ENOTEMPTY : Errno.EISDIR); return; }
                case ROOT -> { r.fail(dir ? Errno.EBUSY : Errno.EISDIR); return; }
            }
            int type = n.type();
            if (type < 0) { r.fail(-type); return; }
            if (r.denied(sys, n.path(), -1, dir ? Category.RMDIR : Category.DELETE)) { r.fail(Errno.EACCES); return; }
            if (r.landlockRefuses(n.dirFd(), n.name(), LandlockMirror.removeRight(type), false)) { r.fail(Errno.EACCES); return; }
            if (PathTransforms.appendOnly(r.sandbox(), n.path())) { r.fail(Errno.EPERM); return; } // append-only: never removed
            int rc = FileOps.unlinkat(n.dirFd(), n.hostName(), flags);
            if (rc < 0) { r.fail(-rc); return; }
            r.reply(0);
        }
    }
}
