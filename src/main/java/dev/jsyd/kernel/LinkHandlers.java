package dev.jsyd.kernel;

import static dev.jsyd.abi.OpenFlags.AT_EMPTY_PATH;
import static dev.jsyd.abi.OpenFlags.AT_FDCWD;
import static dev.jsyd.abi.OpenFlags.AT_SYMLINK_FOLLOW;
import static dev.jsyd.abi.OpenFlags.AT_SYMLINK_NOFOLLOW;

import dev.jsyd.abi.Errno;
import dev.jsyd.abi.Syscalls;
import dev.jsyd.policy.Category;
import dev.jsyd.sys.ErrnoException;
import dev.jsyd.sys.FileOps;
import java.util.List;

/**
 * link, linkat (category create, checked on the new name) and symlink, symlinkat (category
 * symlink, checked on the new link's path). The new name's last component is never followed;
 * link's old path is followed only with AT_SYMLINK_FOLLOW, and with AT_EMPTY_PATH the old
 * object is the program's fd. A symlink's target is data: stored as given, never resolved or
 * checked (it is checked when something is opened through it). The supervisor creates the
 * entry itself with {@code linkat}/{@code symlinkat} on the resolved parent directory fds.
 */
public final class LinkHandlers {
    private LinkHandlers() {}


    public static void link(Request r) throws ResolveException, ErrnoException {
        link(r, "link", AT_FDCWD, r.arg(0), AT_FDCWD, r.arg(1), 0);
    }

    public static void linkat(Request r) throws ResolveException, ErrnoException {
        int flags = (int) r.arg(4);
        if ((flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) != 0) { r.fail(Errno.EINVAL); return; }
        link(r, "linkat", (int) r.arg(0), r.arg(1), (int) r.arg(2), r.arg(3), flags);
    }

    public static void symlink(Request r) throws ResolveException, ErrnoException {
        symlink(r, "symlink", r.arg(0), AT_FDCWD, r.arg(1));
    }

    public static void symlinkat(Request r) throws ResolveException, ErrnoException {
        symlink(r, "symlinkat", r.arg(0), (int) r.arg(1), r.arg(2));
    }

    private static void link(Request r, String sys, int oldDirfd, long oldAddr, int newDirfd, long newAddr, int flags)
            throws ResolveException, ErrnoException {
        String oldPath = r.readPath(oldAddr);
        String newPath = r.readPath(newAddr);
        if (!r.stillValid()) return;
        boolean emptyOld = oldPath.isEmpty() && (flags & AT_EMPTY_PATH) != 0;
        // AT_EMPTY_PATH links an fd's object: the kernel allows it only with CAP_DAC_READ_SEARCH (else ENOENT).
        if (emptyOld && !PathArgs.hasCap(r, PathArgs.CAP_DAC_READ_SEARCH)) { r.fail(Errno.ENOENT); return; }
        try (PathArgs.Target from = emptyOld
                ? (oldDirfd == AT_FDCWD ? PathArgs.target(r, sys, AT_FDCWD, ".", true, Category.CREATE) : PathArgs.fd(r, oldDirfd))
                : oldTarget(r, oldDirfd, oldPath, (flags & AT_SYMLINK_FOLLOW) != 0);
             PathArgs.Named to = PathArgs.named(r, newDirfd, newPath)) {
            if (to.kind() != PathArgs.Kind.NORM) { r.fail(Errno.EEXIST); return; }
            int existing = to.type();
            if (existing >= 0) { r.fail(Errno.EEXIST); return; }
            if (existing != -Errno.ENOENT) { r.fail(-existing); return; }
            if (r.denied(sys, to.path(), -1, Category.CREATE)) { r.fail(Errno.EACCES); return; }
            // a second name for an append-only file would be writable without O_APPEND (the kernel too refuses it for +a)
            if (PathTransforms.appendOnly(r.sandbox(), from.path())) { r.fail(Errno.EPERM); return; }
            if (r.landlockActive()) {
                int type = from.atName().isEmpty() || from.atDir() < 0 ? -1 : r.files().fileType(from.atDir(), from.atName(), AT_SYMLINK_NOFOLLOW);
                if (type < 0) { r.fail(Errno.EACCES); return; } // an fd's object: no directory to check it in
                int err = r.context().view().landlock().moveError(r.files(), from.atDir(), to.dirFd(), 0,
                        LandlockMirror.makeRight(type), false);
                if (err != 0) { r.fail(err); return; }
            }
            int rc = FileOps.linkat(from.atDir(), from.atName(), to.dirFd(), to.hostName(),
                    from.atName().isEmpty() ? AT_EMPTY_PATH : 0);
            if (rc < 0) { r.fail(-rc); return; }
            r.reply(0);
        }
    }

    /**
     * link's old path: an existing entry, its last component followed only with
     * AT_SYMLINK_FOLLOW (a trailing slash is passed on so the kernel refuses a non-directory).
     */
    private static PathArgs.Target oldTarget(Request r, int dirfd, String path, boolean follow) throws ResolveException {
        if (follow) return PathArgs.target(r, "linkat", dirfd, path, true, Category.CREATE);
        PathArgs.Named n = PathArgs.named(r, dirfd, path);
        if (n.kind() != PathArgs.Kind.NORM) {
            n.close();
            throw new ResolveException(Errno.EPERM); // ".", "..", "/" are directories: no hard links
        }
        int type = n.type();
        if (type < 0) {
            n.close();
            throw new ResolveException(-type);
        }
        return new PathArgs.Target(n.path(), n.dirFd(), n.hostName(), -1);
    }

    private static void symlink(Request r, String sys, long targetAddr, int newDirfd, long linkAddr)
            throws ResolveException, ErrnoException {
        String target = r.readPath(targetAddr);
        String linkPath = r.readPath(linkAddr);
        if (!r.stillValid()) return;
        if (target.isEmpty()) { r.fail(Errno.ENOENT); return; }
        try (PathArgs.Named n = PathArgs.named(r, newDirfd, linkPath)) {
            if (n.kind() != PathArgs.Kind.NORM) { r.fail(Errno.EEXIST); return; }
            int existing = n.type();
            if (existing >= 0) { r.fail(Errno.EEXIST); return; }
            if (existing != -Errno.ENOENT) { r.fail(-existing); return; }
            if (r.denied(sys, n.path(), -1, Category.SYMLINK)) { r.fail(Errno.EACCES); return; }
            if (r.landlockRefuses(n.dirFd(), n.name(), dev.jsyd.abi.Landlock.MAKE_SYM, false)) { r.fail(Errno.EACCES); return; }
            int rc = FileOps.symlinkat(target, n.dirFd(), n.hostName());
            if (rc < 0) { r.fail(-rc); return; }
            r.reply(0);
        }
    }
}
