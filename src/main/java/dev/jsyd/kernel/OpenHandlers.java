package dev.jsyd.kernel;

import static dev.jsyd.abi.OpenFlags.*;

import dev.jsyd.abi.Errno;
import dev.jsyd.abi.Landlock;
import dev.jsyd.policy.Category;
import dev.jsyd.policy.Sandbox;
import dev.jsyd.sys.ErrnoException;
import dev.jsyd.sys.Files;

/**
 * open, openat, openat2, creat: checked on the canonical path and carried out by the supervisor,
 * which opens the resolved object itself (relative to the parent directory fd the resolver
 * holds, with RESOLVE_NO_SYMLINKS so nothing swapped in after the check is followed) and
 * injects the fd with ADDFD+SEND, honouring O_CLOEXEC. New files get the program's umask.
 *
 * <p>Categories: read (O_RDONLY, O_RDWR), write (O_WRONLY, O_RDWR), create (O_CREAT and the file
 * does not exist), truncate (O_TRUNC on an existing file), mktemp (O_TMPFILE, instead of
 * create), readdir (the target is a directory, instead of read). A hidden path (stat denied,
 * see {@link Request#hidden}) answers ENOENT before any of these is checked.
 */
public final class OpenHandlers {
    private OpenHandlers() {}


    private static final long RESOLVE_KNOWN = RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS
            | RESOLVE_BENEATH | RESOLVE_IN_ROOT | RESOLVE_CACHED;

    public static void open(Request r) throws ResolveException, ErrnoException {
        emulate(r, "open", AT_FDCWD, r.arg(0), (int) r.arg(1), (int) r.arg(2), 0);
    }

    public static void openat(Request r) throws ResolveException, ErrnoException {
        emulate(r, "openat", (int) r.arg(0), r.arg(1), (int) r.arg(2), (int) r.arg(3), 0);
    }

    public static void creat(Request r) throws ResolveException, ErrnoException {
        emulate(r, "creat", AT_FDCWD, r.arg(0), O_CREAT | O_WRONLY | O_TRUNC, (int) r.arg(1), 0);
    }

    public static void openat2(Request r) throws ResolveException, ErrnoException {
        long size = r.arg(3);
        if (size < 24 || size > 4096) { r.fail(size < 24 ? Errno.EINVAL : Errno.E2BIG); return; }
        byte[] how = r.memory().read(r.pid(), r.arg(2), (int) size);
        for (int i = 24; i < size; i++) if (how[i] != 0) { r.fail(Errno.E2BIG); return; }
        long flags = le64(how, 0), mode = le64(how, 8), resolve = le64(how, 16);
        if ((resolve & ~RESOLVE_KNOWN) != 0 || (flags >>> 32) != 0) { r.fail(Errno.EINVAL); return; }
        if ((flags & (O_CREAT | __O_TMPFILE_BIT)) == 0 && mode != 0) { r.fail(Errno.EINVAL); return; }
        if ((mode & ~07777L) != 0) { r.fail(Errno.EINVAL); return; }
        if ((flags & O_PATH) != 0 && (flags & ~O_PATH_FLAGS) != 0) { r.fail(Errno.EINVAL); return; }
        emulate(r, "openat2", (int) r.arg(0), r.arg(1), (int) flags, (int) mode, resolve);
    }

    private static final int __O_TMPFILE_BIT = 020000000;
    /** The only flags that count with O_PATH (open/openat drop the others, openat2 refuses them). */
    private static final int O_PATH_FLAGS = O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

    static long le64(byte[] b, int off) {
        long v = 0;
        for (int i = 7; i >= 0; i--) v = (v << 8) | (b[off + i] & 0xffL);
        return v;
    }

    private static void emulate(Request r, String sys, int dirfd, long pathAddr, int flags, int mode, long resolve)
            throws ResolveException, ErrnoException {
        String path = r.readPath(pathAddr);
        int virtual = DevSyd.open(r, path);
        if (virtual != DevSyd.NOT_MINE) {
            if (!r.stillValid()) { if (virtual >= 0) Files.close(virtual); return; }
            if (virtual < 0) r.fail(-virtual);
            else reply(r, virtual, flags);
            return;
        }
        if ((flags & O_PATH) != 0) { flags &= O_PATH_FLAGS; mode = 0; }
        boolean creat = (flags & O_CREAT) != 0 && (flags & O_TMPFILE) != O_TMPFILE;
        boolean nofollow = (flags & O_NOFOLLOW) != 0 || (creat && (flags & O_EXCL) != 0);
        if ((resolve & RESOLVE_NO_SYMLINKS) != 0) nofollow = true;
        if (!r.stillValid()) return;
        PathResolver.Last last = nofollow ? PathResolver.Last.NOFOLLOW : PathResolver.Last.FOLLOW;
        boolean plain = plainOpen(flags, resolve);
        if (plain && !nofollow) {
            try (PathResolver.Resolved lazy = r.resolver().resolve(r.pid(), dirfd, path, PathResolver.Last.FOLLOW_LAZY)) {
                // Not lastUnchecked: the resolver checked everything, no need to resolve again below.
                if (!lazy.lastUnchecked()) { longOpen(r, sys, dirfd, lazy, flags, mode, resolve, true); return; }
                if (quickOpen(r, lazy, flags, path.charAt(0) != '/')) return;
            }
        }
        try (PathResolver.Resolved res = r.resolver().resolve(r.pid(), dirfd, path, last)) {
            longOpen(r, sys, dirfd, res, flags, mode, resolve, plain);
        }
    }

    /**
     * Checks and opens the resolved object: {@link #quickOpen} when {@code plain} and it applies,
     * else every category with the file type known.
     */
    private static void longOpen(Request r, String sys, int dirfd, PathResolver.Resolved res, int flags, int mode,
                                 long resolve, boolean plain) throws ResolveException, ErrnoException {
        if (plain && quickOpen(r, res, flags, false)) return;
        boolean tmpfile = (flags & O_TMPFILE) == O_TMPFILE;
        boolean creat = (flags & O_CREAT) != 0 && !tmpfile;
        if ((resolve & (RESOLVE_BENEATH | RESOLVE_IN_ROOT)) != 0 && !beneath(r, dirfd, res.path())) {
            r.fail(Errno.EXDEV);
            return;
        }
        if (res.isMagic()) {
            openMagic(r, sys, res, flags);
            return;
        }
        if ((flags & O_ACCMODE) != O_RDONLY && r.procGuard().writesOthersMemory(r.files(), r.pid(), res.path())) {
            // Never another process's memory, whatever the policy says (also under -x).
            r.context().audit(new AccessEvent(Category.WRITE, dev.jsyd.policy.Action.DENY, sys, r.pid(), res.path(), null, flags,
                    0, "processes of the sandbox cannot write each other's memory"));
            r.fail(Errno.EACCES);
            return;
        }
        if (MemoryHandlers.procMemWriteRefused(r, sys, res.path(), flags)) { r.fail(Errno.EACCES); return; } // own memory too, under W^X
        if (r.hidden(sys, res.path())) { r.fail(Errno.ENOENT); return; }
        Sandbox sb = r.sandbox();
        int acc = flags & O_ACCMODE;
        boolean writes = acc != O_RDONLY || (flags & (O_CREAT | O_TRUNC)) != 0 || tmpfile;
        if (writes && sb.flag("trace/force_ro_open")) { r.fail(Errno.EROFS); return; }
        Files files = r.files();
        int type = res.name().isEmpty() ? Files.S_IFDIR : files.fileType(res.dirFd(), res.name(), AT_SYMLINK_NOFOLLOW);
        boolean exists = type >= 0;
        if (!exists && type != -Errno.ENOENT) { r.fail(-type); return; }
        boolean dir = exists && type == Files.S_IFDIR;
        Category readCat = acc == O_WRONLY ? null : dir ? Category.READDIR : Category.READ;
        Category writeCat = acc == O_RDONLY && !tmpfile ? null : Category.WRITE;
        Category createCat = tmpfile ? Category.MKTEMP : creat && !exists ? Category.CREATE : null;
        // O_TRUNC truncates regular files only (the kernel ignores it on devices, FIFOs, sockets).
        Category truncCat = (flags & O_TRUNC) != 0 && exists && type == Files.S_IFREG ? Category.TRUNCATE : null;
        if (r.denied(sys, res.path(), (long) flags, readCat, writeCat, createCat, truncCat)) {
            r.fail(Errno.EACCES);
            return;
        }
        if (!exists && !creat && !tmpfile) { r.fail(Errno.ENOENT); return; }
        long landlock = (readCat == Category.READ ? Landlock.READ_FILE : readCat == Category.READDIR ? Landlock.READ_DIR : 0)
                | (writeCat != null ? Landlock.WRITE_FILE : 0) | (truncCat != null ? Landlock.TRUNCATE : 0)
                | (createCat == Category.CREATE ? Landlock.MAKE_REG : 0);
        if (r.landlockRefuses(res.dirFd(), res.name(), landlock, exists)) { r.fail(Errno.EACCES); return; }
        String maskTarget = exists && !tmpfile ? PathTransforms.maskTarget(sb, res.path(), dir) : null;
        if (maskTarget != null) { openMasked(r, maskTarget, flags); return; }
        if (writes && !tmpfile && PathTransforms.appendOnly(sb, res.path())) {
            if (truncCat != null) { r.fail(Errno.EPERM); return; } // O_TRUNC of an append-only file
            flags = (flags | O_APPEND) & ~O_TRUNC; // (a file made meanwhile by another process is not truncated either)
        }
        if (sb.flag("trace/force_wx_open") && wxRefused(r, res, exists, writes, type, mode, flags)) { r.fail(Errno.EACCES); return; }
        if (res.trailingSlash() && exists && !dir) { r.fail(Errno.ENOTDIR); return; }
        if (res.trailingSlash() && creat && !exists) { r.fail(Errno.EISDIR); return; }
        int hostFlags = (flags & ~O_CLOEXEC) | O_CLOEXEC | O_NOCTTY;
        if ((flags & O_PATH) != 0 && type == Files.S_IFLNK) {
            // O_PATH|O_NOFOLLOW of a symlink: no fd of a link can be installed (ADDFD refuses
            // O_PATH files, a link cannot be opened otherwise), and glibc's lchmod/fchmodat
            // (AT_SYMLINK_NOFOLLOW) needs exactly this fd. CONTINUE: an O_PATH fd grants no
            // access by itself, every use of it is checked again (docs/EMULATION.md).
            r.continueSyscall();
            return;
        }
        if ((flags & O_PATH) != 0) {
            // SECCOMP_IOCTL_NOTIF_ADDFD refuses O_PATH files (EBADF), so the program gets an
            // O_RDONLY fd instead, as Syd does (docs/EMULATION.md); a FIFO is opened
            // non-blocking so that this open does not wait for a writer.
            hostFlags = (hostFlags & ~O_PATH) | O_RDONLY | (type == Files.S_IFIFO ? O_NONBLOCK : 0);
        }
        boolean create = creat && !exists;
        int fd;
        r.beginBlocking(); // opening a FIFO or a device may block
        try {
            int first = create ? hostFlags | O_EXCL : hostFlags;
            fd = r.ownProc(res.path(), () -> openHost(files, res, first, mode));
            if (fd == -Errno.EEXIST && create && (flags & O_EXCL) == 0) {
                create = false; // created by someone else between our look and the open
                fd = openHost(files, res, hostFlags & ~O_CREAT, 0);
            }
        } finally {
            r.endBlocking();
        }
        if (fd < 0) { r.fail(-fd); return; }
        if ((create || tmpfile) && mode != 0) {
            Files.fchmod(fd, mode & 07777 & ~Umask.of(r));
        }
        if (!tmpfile) r.resolver().remember(fd, res.path());
        reply(r, fd, flags);
    }

    /** Installs the opened fd in the program: close-on-exec as asked, or always under {@code trace/force_cloexec}. */
    private static void reply(Request r, int fd, int flags) {
        reply(r, fd, flags, false);
    }

    /** As {@link #reply(Request, int, int)}; {@code readOnly}: fd was opened O_RDONLY here (no fcntl to ask). */
    private static void reply(Request r, int fd, int flags, boolean readOnly) {
        r.replyWithFd(fd, (flags & O_CLOEXEC) != 0 || r.sandbox().flag("trace/force_cloexec"), readOnly);
    }

    /**
     * A masked path: its target is opened instead, with the program's access mode (creation and
     * truncation flags dropped: the target is the user's, never changed by its opener's flags).
     */
    private static void openMasked(Request r, String target, int flags) {
        int f = (flags & ~(O_CREAT | O_EXCL | O_TRUNC | O_PATH | O_CLOEXEC)) | O_NOCTTY;
        int fd;
        r.beginBlocking();
        try {
            fd = PathTransforms.openTarget(r, target, f);
        } finally {
            r.endBlocking();
        }
        if (fd < 0) { r.fail(-fd); return; }
        reply(r, fd, flags);
    }

    /**
     * {@code trace/force_wx_open}: no file is both writable and executable through an open: an
     * existing regular file with an execute bit is not opened for writing, and no file is created
     * with an execute bit in its mode.
     */
    private static boolean wxRefused(Request r, PathResolver.Resolved res, boolean exists, boolean writes, int type,
            int mode, int flags) {
        if (!writes) return false;
        if (!exists) return (mode & 0111) != 0 && ((flags & O_CREAT) != 0 || (flags & O_TMPFILE) == O_TMPFILE);
        if (type != Files.S_IFREG) return false;
        int m = dev.jsyd.sys.FileOps.statMode(res.dirFd(), res.name(), AT_SYMLINK_NOFOLLOW);
        return m < 0 || (m & 0111) != 0;
    }

    /**
     * An open whose categories and result do not depend on what the object is: no O_CREAT,
     * O_TMPFILE, O_TRUNC or O_PATH, no RESOLVE_* flag. Only read or readdir (the type decides
     * which) and write are checked; when all of them allow the path silently, the file type is not
     * needed (see {@link #quickOpen}).
     */
    private static boolean plainOpen(int flags, long resolve) {
        return (flags & (O_CREAT | __O_TMPFILE_BIT | O_TRUNC | O_PATH)) == 0 && resolve == 0;
    }

    /**
     * The short way for a {@link #plainOpen}: when stat, read and readdir (unless write-only) and
     * write (unless read-only) all allow the path silently, the checks could not refuse or log
     * whatever the object is, so the newfstatat that tells a directory from a file is skipped and
     * the object is opened at once, beneath the resolved parent, never following a symlink: the
     * kernel's answer (fd, ENOENT, EISDIR, ENOTDIR, …) is the answer. With
     * {@link PathResolver.Last#FOLLOW_LAZY} the resolver opened no parent and read no component as
     * a link: this one open walks the whole path below the base with no symlink allowed, so an
     * ELOOP here means one was met: nothing has been answered, logged or opened, and false sends
     * the caller the long way (resolve with FOLLOW, check, open). So does EACCES for a
     * {@code relative} path: its base was named and walked to from "/", which the program's own
     * call does not walk (a base it may no longer reach). False also when a check would not be
     * silent. True when the request was answered.
     */
    private static boolean quickOpen(Request r, PathResolver.Resolved res, int flags, boolean relative) {
        if (res.isMagic() || res.trailingSlash() || res.name().isEmpty() || ProcGuard.isMemFile(res.path())) return false;
        if (r.landlockActive()) return false; // the long way checks the Landlock rights the object's type needs
        if (PathTransforms.any(r.sandbox()) || r.sandbox().flag("trace/force_ro_open")
                || r.sandbox().flag("trace/force_wx_open")) {
            return false; // the long way masks, appends and applies the open rules, which need the type
        }
        int acc = flags & O_ACCMODE;
        boolean reads = acc != O_WRONLY;
        if (!r.silentlyAllowed(res.path(), reads ? Category.READ : null, reads ? Category.READDIR : null,
                acc != O_RDONLY ? Category.WRITE : null)) {
            return false;
        }
        int fd;
        r.beginBlocking(); // opening a FIFO or a device may block
        try {
            fd = r.ownProc(res.path(), () -> openHost(r.files(), res, (flags & ~O_CLOEXEC) | O_CLOEXEC | O_NOCTTY, 0));
        } finally {
            r.endBlocking();
        }
        if ((fd == -Errno.ELOOP || (fd == -Errno.EACCES && relative)) && res.lastUnchecked()) return false;
        if (fd < 0) { r.fail(-fd); return true; }
        r.resolver().remember(fd, res.path());
        reply(r, fd, flags, acc == O_RDONLY); // opened with the program's access mode
        return true;
    }

    /** The supervisor's open of the checked object (never following a symlink); fd or -errno. */
    private static int openHost(Files files, PathResolver.Resolved res, int hostFlags, int mode) {
        if (res.name().isEmpty()) return files.openat(AT_FDCWD, "/proc/self/fd/" + res.dirFd(), hostFlags, mode);
        return files.openat2(res.dirFd(), res.name(), hostFlags & 0xffffffffL, mode & 07777,
                RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_BENEATH);
    }

    /** A /proc magic link to a non-path object (pipe, socket, deleted file): reopened through /proc. */
    private static void openMagic(Request r, String sys, PathResolver.Resolved res, int flags) throws ErrnoException {
        if (!MagicLinks.mayFollow(r, res.magic())) {
            if (r.enforce(Category.READ, dev.jsyd.policy.Action.DENY, sys, res.magic(), null, flags)) {
                r.fail(Errno.EACCES);
                return;
            }
        }
        if (r.landlockActive()) {
            // A deleted file or directory still has a place in the tree Landlock would check; the
            // supervisor cannot walk it, so it is refused (pipes, sockets and the like are not).
            int type = r.files().fileType(AT_FDCWD, res.magic(), 0);
            if (type == Files.S_IFREG || type == Files.S_IFDIR) { r.fail(Errno.EACCES); return; }
        }
        int own = MagicLinks.ownFd(r, res.magic());
        int dup = own >= 0 ? r.programFd(own) : -1;
        // The program's own fd is reopened through the supervisor's duplicate (/proc/self/fd of the
        // supervisor, which it may always reach): the object's permissions are checked as the
        // program's, and the program's /proc need not be entered at all.
        String via = dup >= 0 ? "/proc/self/fd/" + dup : res.magic();
        int fd;
        r.beginBlocking();
        try {
            fd = r.ownProc(via, () -> r.files().openat(AT_FDCWD, via, (flags & ~O_CLOEXEC) | O_CLOEXEC | O_NOCTTY, 0));
        } finally {
            r.endBlocking();
            if (dup >= 0) Files.close(dup);
        }
        if (fd < 0) { r.fail(-fd); return; }
        reply(r, fd, flags);
    }

    private static boolean beneath(Request r, int dirfd, String path) {
        String link = dirfd == AT_FDCWD ? "/proc/" + r.pid() + "/cwd" : "/proc/" + r.pid() + "/fd/" + dirfd;
        String base = r.ownProcLook(link, () -> r.files().readlinkat(AT_FDCWD, link));
        if (base == null) return false;
        return base.equals("/") || path.equals(base) || path.startsWith(base + "/");
    }
}
