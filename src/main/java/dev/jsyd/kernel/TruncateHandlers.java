package dev.jsyd.kernel;

import static dev.jsyd.abi.OpenFlags.AT_FDCWD;
import static dev.jsyd.abi.OpenFlags.O_CLOEXEC;
import static dev.jsyd.abi.OpenFlags.O_NOCTTY;
import static dev.jsyd.abi.OpenFlags.O_NOFOLLOW;
import static dev.jsyd.abi.OpenFlags.O_NONBLOCK;
import static dev.jsyd.abi.OpenFlags.O_WRONLY;
import static dev.jsyd.abi.OpenFlags.RESOLVE_BENEATH;
import static dev.jsyd.abi.OpenFlags.RESOLVE_NO_MAGICLINKS;
import static dev.jsyd.abi.OpenFlags.RESOLVE_NO_SYMLINKS;

import dev.jsyd.abi.Errno;
import dev.jsyd.abi.Syscalls;
import dev.jsyd.policy.Category;
import dev.jsyd.sys.ErrnoException;
import dev.jsyd.sys.FileOps;
import dev.jsyd.sys.Files;
import java.util.List;

/**
 * truncate, ftruncate, fallocate: category truncate. truncate resolves its path (following
 * symlinks), checks the canonical path, then opens the resolved regular file O_WRONLY itself
 * (RESOLVE_NO_SYMLINKS on the parent fd, so nothing swapped in is followed) and truncates that
 * fd. ftruncate and fallocate are checked by the path of the program's fd and carried out on a
 * duplicate of it (the same open file description, so its access mode decides as natively).
 */
public final class TruncateHandlers {
    private TruncateHandlers() {}

    private static final int FALLOC_FL_KEEP_SIZE = 1;


    public static void truncate(Request r) throws ResolveException, ErrnoException {
        long length = r.arg(1);
        if (length < 0) { r.fail(Errno.EINVAL); return; }
        String path = r.readPath(r.arg(0));
        if (!r.stillValid()) return;
        try (PathArgs.Target t = PathArgs.target(r, "truncate", AT_FDCWD, path, true, Category.TRUNCATE)) {
            int mode = t.mode();
            if (mode < 0) { r.fail(-mode); return; }
            if ((mode & Files.S_IFMT) == Files.S_IFDIR) { r.fail(Errno.EISDIR); return; }
            if ((mode & Files.S_IFMT) != Files.S_IFREG) { r.fail(Errno.EINVAL); return; }
            if (r.denied("truncate", t.path(), -1, Category.TRUNCATE)) { r.fail(Errno.EACCES); return; }
            if (PathTransforms.appendOnly(r.sandbox(), t.path())) { r.fail(Errno.EPERM); return; }
            if (r.landlockActive() && (t.fd() >= 0 || r.landlockRefuses(t.dirFd(), t.name(), dev.jsyd.abi.Landlock.TRUNCATE, true))) {
                r.fail(Errno.EACCES);
                return;
            }
            int flags = O_WRONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW;
            int fd = t.fd() >= 0
                    ? r.files().openat(AT_FDCWD, "/proc/self/fd/" + t.fd(), flags & ~O_NOFOLLOW, 0)
                    : r.files().openat2(t.dirFd(), t.name(), flags, 0, RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_BENEATH);
            if (fd < 0) { r.fail(-fd); return; }
            int rc;
            try {
                rc = FileOps.ftruncate(fd, length);
            } finally {
                Files.close(fd);
            }
            if (rc < 0) { r.fail(-rc); return; }
            r.reply(0);
        }
    }

    public static void ftruncate(Request r) throws ResolveException, ErrnoException {
        long length = r.arg(1);
        try (PathArgs.Target t = PathArgs.fd(r, (int) r.arg(0))) {
            if (r.denied("ftruncate", t.path(), -1, Category.TRUNCATE)) { r.fail(Errno.EACCES); return; }
            if (PathTransforms.appendOnly(r.sandbox(), t.path())) { r.fail(Errno.EPERM); return; }
            if (r.landlockActive() && landlockRefusesTruncate(r, t.path())) { r.fail(Errno.EACCES); return; }
            if (!r.stillValid()) return;
            int rc = FileOps.ftruncate(t.fd(), length);
            if (rc < 0) { r.fail(-rc); return; }
            r.reply(0);
        }
    }

    /**
     * Under Landlock, ftruncate is notified: a file the supervisor opened for the program (an
     * emulated open) carries no Landlock truncate check of its own, so the right is checked here
     * on the file's place in the tree. A file that has none (deleted, not a path) is refused.
     */
    private static boolean landlockRefusesTruncate(Request r, String path) {
        if (path == null || !path.startsWith("/")) return true;
        try (PathResolver.Resolved res = r.resolver().resolve(r.pid(), AT_FDCWD, path, PathResolver.Last.NOFOLLOW)) {
            return res.isMagic() || r.landlockRefuses(res.dirFd(), res.name(), dev.jsyd.abi.Landlock.TRUNCATE, true);
        } catch (ResolveException e) {
            return true;
        }
    }

    public static void fallocate(Request r) throws ResolveException, ErrnoException {
        int mode = (int) r.arg(1);
        long offset = r.arg(2), len = r.arg(3);
        try (PathArgs.Target t = PathArgs.fd(r, (int) r.arg(0))) {
            if (r.denied("fallocate", t.path(), -1, Category.TRUNCATE)) { r.fail(Errno.EACCES); return; }
            // as for an append-only inode: only allocation (FALLOC_FL_KEEP_SIZE at most) may touch it
            if ((mode & ~FALLOC_FL_KEEP_SIZE) != 0 && PathTransforms.appendOnly(r.sandbox(), t.path())) { r.fail(Errno.EPERM); return; }
            if (!r.stillValid()) return;
            int rc = FileOps.fallocate(t.fd(), mode, offset, len);
            if (rc < 0) { r.fail(-rc); return; }
            r.reply(0);
        }
    }
}
