package dev.jsyd.kernel;

import static dev.jsyd.abi.OpenFlags.AT_EMPTY_PATH;
import static dev.jsyd.abi.OpenFlags.AT_FDCWD;
import static dev.jsyd.abi.OpenFlags.AT_SYMLINK_NOFOLLOW;
import static dev.jsyd.abi.OpenFlags.O_CLOEXEC;
import static dev.jsyd.abi.OpenFlags.O_PATH;

import dev.jsyd.abi.Errno;
import dev.jsyd.policy.Action;
import dev.jsyd.policy.Category;
import dev.jsyd.sys.ErrnoException;
import dev.jsyd.sys.FileOps;
import dev.jsyd.sys.Files;

/**
 * Shared argument handling for the calls that change the file system: the two shapes of
 * object those calls act on.
 *
 * Both answer ENOENT for a hidden path ({@link Request#hidden}: stat denies it), whether or not
 * it exists, before anything else is looked at: a hidden name looks absent to every call.
 *
 * <ul>
 *   <li>{@link Named}: a name whose last component is never followed (mkdir, mknod, unlink,
 *       rmdir, rename, link's new name, symlink). Trailing slashes are taken off before
 *       resolving and handed back to the kernel with the final name ({@code "name/"}), so the
 *       host call applies the kernel's own trailing-slash rules to the same single component;
 *       a last component of {@code .}, {@code ..} or {@code /} is reported as a {@link Kind} for
 *       the caller's errno (the kernel refuses those before touching anything).</li>
 *   <li>{@link Target}: an existing object whose metadata changes (chmod, chown, utime,
 *       truncate, notify), as the parent fd + name of the resolved object or as an fd of it
 *       (fd forms, {@code AT_EMPTY_PATH}, /proc magic links).</li>
 * </ul>
 */
final class PathArgs {
    private PathArgs() {}

    /** What the last component of a path is, as the kernel classifies it. */
    enum Kind { NORM, DOT, DOTDOT, ROOT }

    /** A resolved path whose last component is not followed. {@code dirFd} is owned (close it). */
    record Named(String path, int dirFd, String name, boolean slash, Kind kind) implements AutoCloseable {
        /** The name to hand to the host *at call: with the program's trailing slash, if any. */
        String hostName() { return slash ? name + "/" : name; }

        /** The S_IFMT bits of the existing entry (not followed), or -errno (-ENOENT: absent). */
        int type() {
            int m = FileOps.statMode(dirFd, name, AT_SYMLINK_NOFOLLOW);
            return m < 0 ? m : m & Files.S_IFMT;
        }

        @Override public void close() { if (dirFd >= 0) Files.close(dirFd); }
    }

    /**
     * Resolves {@code path} (relative to the program's {@code dirfd}) without following its last
     * component. For a last component of {@code .}/{@code ..}/{@code /} the whole path is resolved
     * only to give the kernel's lookup errors, and the result has no fd and {@link Named#kind}
     * set.
     */
    static Named named(Request r, int dirfd, String path) throws ResolveException {
        if (path.isEmpty()) throw new ResolveException(Errno.ENOENT);
        String sys = dev.jsyd.abi.Syscalls.name(r.notification.nr);
        int end = path.length();
        while (end > 1 && path.charAt(end - 1) == '/') end--;
        boolean slash = end < path.length();
        String stripped = path.substring(0, end);
        String last = stripped.substring(stripped.lastIndexOf('/') + 1);
        Kind kind = stripped.equals("/") ? Kind.ROOT : last.equals(".") ? Kind.DOT : last.equals("..") ? Kind.DOTDOT : Kind.NORM;
        if (kind != Kind.NORM) {
            try (PathResolver.Resolved res = r.resolver().resolve(r.pid(), dirfd, path, PathResolver.Last.FOLLOW)) {
                if (!res.isMagic() && r.hidden(sys, res.path())) throw new ResolveException(Errno.ENOENT);
                return new Named(res.path(), -1, "", slash, kind);
            }
        }
        PathResolver.Resolved res = r.resolver().resolve(r.pid(), dirfd, stripped, PathResolver.Last.NOFOLLOW);
        if (res.isMagic() || res.name().isEmpty()) { // cannot happen for a NOFOLLOW last component; fail closed
            res.close();
            throw new ResolveException(Errno.EACCES);
        }
        if (r.hidden(sys, res.path())) { // hidden means absent: before existence, type or the call's own category
            res.close();
            throw new ResolveException(Errno.ENOENT);
        }
        return new Named(res.path(), res.dirFd(), res.name(), slash, kind);
    }

    /**
     * An existing object for a metadata call. Either {@code dirFd}+{@code name} (the resolved
     * parent and final name; name "" means {@code dirFd} is the object, i.e. "/"), or {@code fd}
     * (an fd of the object itself). {@code path} is what the policy is checked against. Both
     * fds are owned (close it).
     */
    record Target(String path, int dirFd, String name, int fd) implements AutoCloseable {
        /** The dirfd for a *at call on this object. */
        int atDir() { return fd >= 0 ? fd : dirFd; }

        /** The name for a *at call on this object. */
        String atName() { return fd >= 0 ? "" : name; }

        /** The flags for a *at call that must act on exactly this object (never following). */
        int atFlags() { return fd >= 0 || name.isEmpty() ? AT_EMPTY_PATH : AT_SYMLINK_NOFOLLOW; }

        /** st_mode of the object, or -errno. */
        int mode() { return FileOps.statMode(atDir(), atName(), atFlags()); }

        @Override
        public void close() {
            if (dirFd >= 0) Files.close(dirFd);
            if (fd >= 0) Files.close(fd);
        }
    }

    /**
     * Resolves the object {@code path} names for a metadata call ({@code follow}: whether a final
     * symlink is followed). The object must exist (else its errno, e.g. ENOENT); a trailing slash
     * on a non-directory is ENOTDIR. A /proc magic link to a non-path object (pipe, socket,
     * deleted file) is opened through /proc (only the program's own; another process's is denied
     * and logged under {@code cat}).
     */
    static Target target(Request r, String sys, int dirfd, String path, boolean follow, Category cat)
            throws ResolveException {
        PathResolver.Resolved res = r.resolver().resolve(r.pid(), dirfd, path,
                follow ? PathResolver.Last.FOLLOW : PathResolver.Last.NOFOLLOW);
        boolean handedOver = false;
        try {
            if (res.isMagic()) {
                if (!MagicLinks.mayFollow(r, res.magic())
                        && r.enforce(cat, Action.DENY, sys, res.magic(), null, -1)) {
                    throw new ResolveException(Errno.EACCES);
                }
                int fd = r.files().openat(AT_FDCWD, res.magic(), O_PATH | O_CLOEXEC, 0);
                if (fd < 0) throw new ResolveException(-fd);
                String p = r.resolver().pathOf(fd);
                if (p == null) {
                    Files.close(fd);
                    throw new ResolveException(Errno.EBADF);
                }
                return new Target(p, -1, "", fd);
            }
            // hidden means absent: before existence, type or the call's own category
            if (r.hidden(sys, res.path())) throw new ResolveException(Errno.ENOENT);
            int m = res.name().isEmpty() ? Files.S_IFDIR : FileOps.statMode(res.dirFd(), res.name(), AT_SYMLINK_NOFOLLOW);
            if (m < 0) throw new ResolveException(-m);
            if (res.trailingSlash() && (m & Files.S_IFMT) != Files.S_IFDIR) throw new ResolveException(Errno.ENOTDIR);
            handedOver = true; // the Target owns the parent fd from here on
            return new Target(res.path(), res.dirFd(), res.name(), -1);
        } finally {
            if (!handedOver) res.close();
        }
    }

    /**
     * The object the program's fd {@code fd} refers to (fd forms and AT_EMPTY_PATH): a duplicate
     * of it (same open file description), checked by the path that duplicate shows in /proc, so
     * the checked and the used object are the same even if the program swaps its fd table.
     */
    static Target fd(Request r, int fd) throws ResolveException, ErrnoException {
        int dup = r.programFd(fd);
        String p = r.resolver().pathOf(dup);
        if (p == null) {
            Files.close(dup);
            throw new ResolveException(r.resolver().unnamed() ? Errno.ENAMETOOLONG : Errno.EBADF);
        }
        return new Target(p, -1, "", dup);
    }

    /** True when the calling thread has capability {@code cap} in its effective set. */
    static boolean hasCap(Request r, int cap) {
        return r.task().identity().hasCap(cap);
    }

    static final int CAP_DAC_READ_SEARCH = 2, CAP_MKNOD = 27;

    /**
     * After creating {@code name} in {@code dirFd} with {@code mode} (already without the program's
     * umask): if the supervisor's own umask took bits the program asked for, put them back on the
     * new entry (opened O_PATH|O_NOFOLLOW and checked to be of type {@code type}, so a symlink or
     * another kind of object swapped in is never changed).
     */
    static void restoreMode(Files files, int dirFd, String name, int mode, int type) {
        if ((mode & FileOps.supervisorUmask()) == 0) return;
        int fd = files.openat(dirFd, name, O_PATH | dev.jsyd.abi.OpenFlags.O_NOFOLLOW | O_CLOEXEC, 0);
        if (fd < 0) return;
        try {
            int m = FileOps.statMode(fd, "", AT_EMPTY_PATH);
            if (m >= 0 && (m & Files.S_IFMT) == type) FileOps.fchmodat2(fd, "", mode, AT_EMPTY_PATH);
        } finally {
            Files.close(fd);
        }
    }
}
