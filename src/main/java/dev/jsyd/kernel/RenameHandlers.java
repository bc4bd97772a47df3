package dev.jsyd.kernel;

import static dev.jsyd.abi.OpenFlags.AT_FDCWD;

import dev.jsyd.abi.Errno;
import dev.jsyd.abi.Syscalls;
import dev.jsyd.policy.Category;
import dev.jsyd.sys.ErrnoException;
import dev.jsyd.sys.FileOps;
import java.util.List;

/**
 * rename, renameat, renameat2 (RENAME_NOREPLACE, RENAME_EXCHANGE, RENAME_WHITEOUT): the source and
 * the target are both checked with the rename category (with EXCHANGE both are moved, so both
 * are checked the same way anyway). Neither last component is followed; the supervisor renames
 * with {@code renameat2} on the two resolved parent directory fds and passes the flags through,
 * so the kernel validates them and gives its own errno (EXDEV, ENOTEMPTY, EEXIST, EINVAL, ...).
 */
public final class RenameHandlers {
    private RenameHandlers() {}


    static final int RENAME_NOREPLACE = 1, RENAME_EXCHANGE = 2, RENAME_WHITEOUT = 4;

    public static void rename(Request r) throws ResolveException, ErrnoException {
        rename(r, "rename", AT_FDCWD, r.arg(0), AT_FDCWD, r.arg(1), 0);
    }

    public static void renameat(Request r) throws ResolveException, ErrnoException {
        rename(r, "renameat", (int) r.arg(0), r.arg(1), (int) r.arg(2), r.arg(3), 0);
    }

    public static void renameat2(Request r) throws ResolveException, ErrnoException {
        rename(r, "renameat2", (int) r.arg(0), r.arg(1), (int) r.arg(2), r.arg(3), (int) r.arg(4));
    }

    /**
     * True when renaming {@code n} (of type {@code type}; negative: absent) would move or replace an
     * append-only path: the entry itself, or a directory it could be under (see {@link PathTransforms}).
     */
    private static boolean movesAppendOnly(Request r, PathArgs.Named n, int type) {
        if (type < 0) return false;
        return PathTransforms.appendOnly(r.sandbox(), n.path())
                || (type == dev.jsyd.sys.Files.S_IFDIR && PathTransforms.mayHoldAppendOnly(r.sandbox(), n.path()));
    }

    private static void rename(Request r, String sys, int oldDirfd, long oldAddr, int newDirfd, long newAddr, int flags)
            throws ResolveException, ErrnoException {
        // The kernel rejects bad flag combinations before any lookup.
        if ((flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT)) != 0
                || ((flags & RENAME_NOREPLACE) != 0 && (flags & RENAME_EXCHANGE) != 0)
                || ((flags & RENAME_WHITEOUT) != 0 && (flags & RENAME_EXCHANGE) != 0)) {
            r.fail(Errno.EINVAL);
            return;
        }
        String oldPath = r.readPath(oldAddr);
        String newPath = r.readPath(newAddr);
        if (!r.stillValid()) return;
        try (PathArgs.Named from = PathArgs.named(r, oldDirfd, oldPath);
             PathArgs.Named to = PathArgs.named(r, newDirfd, newPath)) {
            if (from.kind() != PathArgs.Kind.NORM || to.kind() != PathArgs.Kind.NORM) { r.fail(Errno.EBUSY); return; }
            int type = from.type();
            if (type < 0) { r.fail(-type); return; }
            if (r.denied(sys, from.path(), -1, Category.RENAME) || r.denied(sys, to.path(), -1, Category.RENAME)) {
                r.fail(Errno.EACCES);
                return;
            }
            if ((flags & RENAME_WHITEOUT) != 0 && !PathArgs.hasCap(r, PathArgs.CAP_MKNOD)) { r.fail(Errno.EPERM); return; }
            if (movesAppendOnly(r, from, type) || movesAppendOnly(r, to, to.type())) { r.fail(Errno.EPERM); return; }
            if (r.landlockActive()) {
                int toType = to.type();
                boolean exchange = (flags & RENAME_EXCHANGE) != 0;
                long fromNeeds = LandlockMirror.removeRight(type) | (exchange && toType >= 0 ? LandlockMirror.makeRight(toType) : 0);
                long toNeeds = LandlockMirror.makeRight(type) | (toType >= 0 ? LandlockMirror.removeRight(toType) : 0);
                int err = r.context().view().landlock().moveError(r.files(), from.dirFd(), to.dirFd(), fromNeeds, toNeeds, exchange);
                if (err != 0) { r.fail(err); return; }
            }
            int rc = FileOps.renameat2(from.dirFd(), from.hostName(), to.dirFd(), to.hostName(), flags);
            if (rc < 0) { r.fail(-rc); return; }
            r.reply(0);
        }
    }
}
