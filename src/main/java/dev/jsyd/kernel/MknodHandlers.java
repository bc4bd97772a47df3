package dev.jsyd.kernel;

import static dev.jsyd.abi.OpenFlags.AT_FDCWD;

import dev.jsyd.abi.Errno;
import dev.jsyd.abi.Syscalls;
import dev.jsyd.policy.Category;
import dev.jsyd.sys.ErrnoException;
import dev.jsyd.sys.FileOps;
import dev.jsyd.sys.Files;
import java.util.List;

/**
 * mkdir, mkdirat (category mkdir) and mknod, mknodat (create for regular files and sockets,
 * mkfifo, mkbdev, mkcdev by the node type). The new name's last component is never followed;
 * the supervisor creates the entry itself with {@code mkdirat}/{@code mknodat} on the resolved
 * parent directory fd, with the mode less the program's umask. New entries are owned by the
 * supervisor's credentials, which today are the program's (same user).
 */
public final class MknodHandlers {
    private MknodHandlers() {}


    public static void mkdir(Request r) throws ResolveException, ErrnoException {
        mkdir(r, "mkdir", AT_FDCWD, r.arg(0), (int) r.arg(1));
    }

    public static void mkdirat(Request r) throws ResolveException, ErrnoException {
        mkdir(r, "mkdirat", (int) r.arg(0), r.arg(1), (int) r.arg(2));
    }

    public static void mknod(Request r) throws ResolveException, ErrnoException {
        mknod(r, "mknod", AT_FDCWD, r.arg(0), (int) r.arg(1), r.arg(2));
    }

    public static void mknodat(Request r) throws ResolveException, ErrnoException {
        mknod(r, "mknodat", (int) r.arg(0), r.arg(1), (int) r.arg(2), r.arg(3));
    }

    private static void mkdir(Request r, String sys, int dirfd, long pathAddr, int mode)
            throws ResolveException, ErrnoException {
        String path = r.readPath(pathAddr);
        if (!r.stillValid()) return;
        try (PathArgs.Named n = PathArgs.named(r, dirfd, path)) {
            if (n.kind() != PathArgs.Kind.NORM) { r.fail(Errno.EEXIST); return; }
            int type = n.type();
            if (type >= 0) { r.fail(Errno.EEXIST); return; }
            if (type != -Errno.ENOENT) { r.fail(-type); return; }
            if (r.denied(sys, n.path(), -1, Category.MKDIR)) { r.fail(Errno.EACCES); return; }
            if (r.landlockRefuses(n.dirFd(), n.name(), dev.jsyd.abi.Landlock.MAKE_DIR, false)) { r.fail(Errno.EACCES); return; }
            int m = mode & 01777 & ~Umask.of(r);
            int rc = FileOps.mkdirat(n.dirFd(), n.hostName(), m);
            if (rc < 0) { r.fail(-rc); return; }
            PathArgs.restoreMode(r.files(), n.dirFd(), n.name(), m, Files.S_IFDIR);
            r.reply(0);
        }
    }

    /** The category for a node type (S_IFMT bits of mknod's mode); null for a type mknod refuses. */
    static Category category(int type) {
        return switch (type) {
            case 0, Files.S_IFREG, Files.S_IFSOCK -> Category.CREATE;
            case Files.S_IFIFO -> Category.MKFIFO;
            case Files.S_IFCHR -> Category.MKCDEV;
            case Files.S_IFBLK -> Category.MKBDEV;
            default -> null;
        };
    }

    private static void mknod(Request r, String sys, int dirfd, long pathAddr, int mode, long dev)
            throws ResolveException, ErrnoException {
        int type = mode & Files.S_IFMT;
        // The kernel refuses bad node types before it looks at the path.
        if (type == Files.S_IFDIR) { r.fail(Errno.EPERM); return; }
        Category cat = category(type);
        if (cat == null) { r.fail(Errno.EINVAL); return; }
        String path = r.readPath(pathAddr);
        if (!r.stillValid()) return;
        try (PathArgs.Named n = PathArgs.named(r, dirfd, path)) {
            if (n.kind() != PathArgs.Kind.NORM) { r.fail(Errno.EEXIST); return; }
            int existing = n.type();
            if (existing >= 0) { r.fail(Errno.EEXIST); return; }
            if (existing != -Errno.ENOENT) { r.fail(-existing); return; }
            if (r.denied(sys, n.path(), -1, cat)) { r.fail(Errno.EACCES); return; }
            if (r.landlockRefuses(n.dirFd(), n.name(), LandlockMirror.makeRight(type), false)) { r.fail(Errno.EACCES); return; }
            boolean device = type == Files.S_IFCHR || type == Files.S_IFBLK;
            boolean whiteout = type == Files.S_IFCHR && (dev & 0xffffffffL) == 0;
            if (device && !whiteout && !PathArgs.hasCap(r, PathArgs.CAP_MKNOD)) { r.fail(Errno.EPERM); return; }
            int hostType = type == 0 ? Files.S_IFREG : type;
            int m = mode & 07777 & ~Umask.of(r);
            int rc = FileOps.mknodat(n.dirFd(), n.hostName(), hostType | m, dev);
            if (rc < 0) { r.fail(-rc); return; }
            PathArgs.restoreMode(r.files(), n.dirFd(), n.name(), m, hostType);
            r.reply(0);
        }
    }
}
