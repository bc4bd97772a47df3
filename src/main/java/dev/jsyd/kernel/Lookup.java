package dev.jsyd.kernel;

import static dev.jsyd.abi.OpenFlags.AT_EMPTY_PATH;
import static dev.jsyd.abi.OpenFlags.AT_FDCWD;
import static dev.jsyd.abi.OpenFlags.AT_SYMLINK_NOFOLLOW;

import dev.jsyd.abi.Errno;
import dev.jsyd.policy.Category;
import dev.jsyd.sys.ErrnoException;
import dev.jsyd.sys.Files;
import dev.jsyd.sys.StatCalls;

/**
 * The object a metadata call (stat, access, readlink, xattr) names, found the race-free way and
 * expressed so the supervisor can act on exactly that object:
 *
 * <ul>
 *   <li>a path: resolved by {@link PathResolver} to an O_PATH parent fd + final name, acted on
 *       with {@code *at(parent, name, AT_SYMLINK_NOFOLLOW)} (the resolver already followed what
 *       had to be followed, so nothing swapped in later is followed);</li>
 *   <li>a program fd (AT_EMPTY_PATH, f* calls): a duplicate taken with pidfd_getfd, whose path is
 *       then read from the supervisor's own {@code /proc/self/fd/N}, so the path checked and the
 *       object used are the same even if the program re-uses the fd number meanwhile;</li>
 *   <li>a /proc magic link to a non-path object (pipe, socket, deleted file): used through its
 *       {@code /proc/TID/fd/N} path.</li>
 * </ul>
 *
 * {@link #path} is what rules are matched against; it is null for objects that have no path
 * (pipes, sockets, anonymous inodes), which are not checked, like fstat.
 */
final class Lookup implements AutoCloseable {
    final String path;
    private final int dirFd;
    private final String name;
    private final int objFd;
    private final String magic;
    final boolean trailingSlash;
    /** False when {@code dirFd} is the resolver's own root fd, which {@link #close} leaves open. */
    private boolean ownsDir = true;
    /** The last component was not read as a link ({@link PathResolver.Last#LAST_LAZY}): see {@link #lastUnchecked}. */
    private boolean lastUnchecked;

    private Lookup(String path, int dirFd, String name, int objFd, String magic, boolean trailingSlash) {
        this.path = path;
        this.dirFd = dirFd;
        this.name = name;
        this.objFd = objFd;
        this.magic = magic;
        this.trailingSlash = trailingSlash;
    }

    /**
     * Reads the path argument at {@code pathAddr} once and finds its object: the program's fd
     * {@code dirfd} itself when {@code atFlags} has AT_EMPTY_PATH and the path is empty (or NULL,
     * when {@code nullIsEmpty}, as stat and statx accept), else the path resolved relative to
     * {@code dirfd}, following a final symlink unless AT_SYMLINK_NOFOLLOW. Returns null when the
     * program left the call (the request is then answered).
     */
    static Lookup find(Request r, int dirfd, long pathAddr, int atFlags, boolean nullIsEmpty)
            throws ResolveException, ErrnoException {
        return find(r, dirfd, pathAddr, atFlags, nullIsEmpty, false);
    }

    /**
     * Like {@link #find}, for the stat family, which also serves the /dev/syd API: a stat of
     * {@code /dev/syd/<command>} runs the command and, on success, stats {@code /dev/null}.
     */
    static Lookup findForStat(Request r, int dirfd, long pathAddr, int atFlags, boolean nullIsEmpty)
            throws ResolveException, ErrnoException {
        return find(r, dirfd, pathAddr, atFlags, nullIsEmpty, true, false, false);
    }

    /** {@link #findForStat} for statx, which only looks at the object: a program fd may be named ({@link #fdNamed}). */
    static Lookup findForStatx(Request r, int dirfd, long pathAddr, int atFlags, boolean nullIsEmpty)
            throws ResolveException, ErrnoException {
        return find(r, dirfd, pathAddr, atFlags, nullIsEmpty, true, false, true);
    }

    /**
     * {@link #findForStat} for a caller that looks at the object only with
     * {@code fstatat(atFd(), atName(), AT_SYMLINK_NOFOLLOW)} and checks the file type it answers: a
     * followed last component may then be left unread as a link ({@link #lastUnchecked}), saving a
     * readlinkat per call.
     */
    static Lookup findForStatLazy(Request r, int dirfd, long pathAddr, int atFlags, boolean nullIsEmpty)
            throws ResolveException, ErrnoException {
        return find(r, dirfd, pathAddr, atFlags, nullIsEmpty, true, true, true);
    }

    private static Lookup find(Request r, int dirfd, long pathAddr, int atFlags, boolean nullIsEmpty, boolean devSyd)
            throws ResolveException, ErrnoException {
        return find(r, dirfd, pathAddr, atFlags, nullIsEmpty, devSyd, false, false);
    }

    private static Lookup find(Request r, int dirfd, long pathAddr, int atFlags, boolean nullIsEmpty, boolean devSyd,
                               boolean lazy, boolean fdByName) throws ResolveException, ErrnoException {
        boolean emptyPath = (atFlags & AT_EMPTY_PATH) != 0;
        String path = emptyPath && nullIsEmpty && pathAddr == 0 ? "" : r.readPath(pathAddr);
        if (!r.stillValid()) return null;
        if (devSyd) {
            String target = DevSyd.statTarget(r, path);
            if (target != null) return path(r, AT_FDCWD, target, true);
        }
        if (emptyPath && path.isEmpty()) {
            Lookup named = fdByName ? fdNamed(r, dirfd) : null;
            return named != null ? named : fd(r, dirfd);
        }
        boolean follow = (atFlags & AT_SYMLINK_NOFOLLOW) == 0;
        if (lazy && r.sandbox().masks().isEmpty()) {
            Lookup named = nameInFdDir(r, dirfd, path, follow);
            if (named != null) return named;
        }
        if (lazy && follow && r.sandbox().masks().isEmpty()) { // a masked path is looked at the long way
            PathResolver.Resolved res = r.resolver().resolveSharingRoot(r.pid(), dirfd, path, PathResolver.Last.LAST_LAZY);
            if (res.isMagic()) return new Lookup(MagicLinks.mayFollow(r, res.magic()) ? null : res.magic(),
                    -1, "", -1, res.magic(), res.trailingSlash());
            Lookup lk = new Lookup(res.path(), res.dirFd(), res.name(), -1, null, res.trailingSlash());
            lk.ownsDir = res.ownsDir();
            lk.lastUnchecked = res.lastUnchecked();
            lk.unreadPath = path;
            lk.unreadDirfd = dirfd;
            return lk;
        }
        Lookup lk = path(r, dirfd, path, follow);
        return devSyd ? lk.masked(r) : lk;
    }

    private String unreadPath;
    private int unreadDirfd;

    /**
     * {@code fstatat(dirfd, name)} of one plain name in a program directory fd (find, du: most of a
     * tree walk's calls), by a process no other task can change the fd table of
     * ({@link Members#ownsFdTable}; it waits in this call, so fd N names the same directory
     * throughout): the directory named by one readlink of {@code /proc/TID/fd/N}, the object looked
     * at as {@code /proc/TID/fd/N/name} without following it — two system calls where opening the
     * directory takes it, its readlink and close. The last component is left unread as a link
     * ({@link #lastUnchecked}, as LAST_LAZY): a symlink to follow is resolved again the long way.
     * Null (the long way) for another process, AT_FDCWD (a cwd can be shared without a task
     * created since), a name with '/', "." or "..", a program with its own root, or a directory
     * in /proc, deleted, or not named as the program's own identity.
     */
    private static Lookup nameInFdDir(Request r, int dirfd, String name, boolean follow) {
        if (dirfd < 0 || name.isEmpty() || name.length() > 255 || name.indexOf('/') >= 0 || name.equals(".") || name.equals("..")
                || r.context().view().rootFd() >= 0 || !r.context().members().ownsFdTable(r.pid())) {
            return null;
        }
        String link = "/proc/" + r.pid() + "/fd/" + dirfd;
        String base = r.files().readlinkat(AT_FDCWD, link);
        if (base == null || base.isEmpty() || base.charAt(0) != '/' || base.startsWith("/proc") || base.endsWith(" (deleted)")) {
            return null;
        }
        String canonical = base.length() == 1 ? "/" + name : base + "/" + name;
        if (canonical.length() >= 4096) return null;
        Lookup lk = new Lookup(canonical, AT_FDCWD, link + "/" + name, -1, null, false);
        lk.baseUnchecked = true;
        lk.lastUnchecked = follow;
        lk.unreadPath = name;
        lk.unreadDirfd = dirfd;
        return lk;
    }

    /**
     * True when the last component was not read as a link: {@link #path} is right only if the
     * object {@code fstatat(atFd(), atName(), AT_SYMLINK_NOFOLLOW)} finds is no symlink. Until that
     * is known, no decision on the path may have an effect; if it is one, {@link #resolvedAgain}.
     */
    boolean lastUnchecked() { return lastUnchecked; }

    private boolean baseUnchecked;

    /**
     * True when the directory was named, not opened ({@link #nameInFdDir}): it may be no
     * directory at all. Look at the object first: ENOTDIR is then the answer, before any check
     * of the path (a name below a file is none), as the kernel gives it.
     */
    boolean baseUnchecked() { return baseUnchecked; }

    /** The same path resolved again following its last component (this lookup's last one was a symlink). */
    Lookup resolvedAgain(Request r) throws ResolveException {
        return path(r, unreadDirfd, unreadPath, true);
    }


    /**
     * For the stat family: a masked path ({@code mask+}, see {@link PathTransforms}) answers with its
     * target's metadata; the lookup keeps the program's path, which the checks (hiding) are made
     * on. An object that is not masked is returned as it is.
     */
    private Lookup masked(Request r) throws ResolveException {
        if (path == null || magic != null || r.sandbox().masks().isEmpty()) return this;
        long rc = r.statCalls().fstatat(atFd(), atName(), atFlags());
        if (rc < 0) return this; // absent: the call's own answer
        String target = PathTransforms.maskTarget(r.sandbox(), path, (r.statCalls().statMode() & Files.S_IFMT) == Files.S_IFDIR);
        if (target == null) return this;
        int fd = PathTransforms.openTarget(r, target, dev.jsyd.abi.OpenFlags.O_PATH);
        if (fd < 0) throw new ResolveException(-fd);
        close();
        return new Lookup(path, -1, "", fd, null, trailingSlash);
    }

    /** Resolves {@code path} relative to {@code dirfd} for the calling thread. */
    static Lookup path(Request r, int dirfd, String path, boolean follow) throws ResolveException {
        PathResolver.Resolved res = r.resolver().resolveSharingRoot(r.pid(), dirfd, path,
                follow ? PathResolver.Last.FOLLOW : PathResolver.Last.NOFOLLOW);
        if (res.isMagic()) return new Lookup(MagicLinks.mayFollow(r, res.magic()) ? null : res.magic(),
                -1, "", -1, res.magic(), res.trailingSlash());
        Lookup lk = new Lookup(res.path(), res.dirFd(), res.name(), -1, null, res.trailingSlash());
        lk.ownsDir = res.ownsDir();
        return lk;
    }

    /**
     * The object of the program's fd {@code fd} (AT_EMPTY_PATH) for a call that only looks at it
     * (fstat, statx), named {@code /proc/TID/fd/N} instead of duplicated: its path is that link's
     * readlink and the object is what following it reaches — two system calls where the duplicate
     * takes a pidfd, its copy, the copy's readlink and close. Only for a process no other task can
     * change the fd table of ({@link Members#ownsFdTable}): it waits in this very call, so fd N
     * names the same file for both looks. Null (take the duplicate) for any other process, for
     * AT_FDCWD, or when the link cannot be read as the program's own identity.
     */
    private static Lookup fdNamed(Request r, int fd) {
        if (fd < 0 || !r.context().members().ownsFdTable(r.pid())) return null;
        String link = "/proc/" + r.pid() + "/fd/" + fd;
        String p = r.files().readlinkat(AT_FDCWD, link);
        if (p == null) return null;
        if (p.isEmpty() || p.charAt(0) != '/') p = null; // pipe:[..], socket:[..], anon_inode:..: not checked
        return new Lookup(p, -1, "", -1, link, false);
    }

    /** The object of the program's fd {@code fd}, or its cwd for AT_FDCWD (AT_EMPTY_PATH). */
    static Lookup fd(Request r, int fd) throws ResolveException, ErrnoException {
        int obj;
        if (fd == AT_FDCWD) {
            String cwd = "/proc/" + r.pid() + "/cwd";
            obj = (int) OwnProc.lookup(() -> r.statCalls().openPathFollow(cwd), () -> true); // O_PATH: a lookup
            if (obj < 0) throw new ResolveException(-obj == Errno.EACCES ? Errno.EACCES : Errno.ENOENT);
        } else {
            obj = r.programFd(fd);
        }
        String p = r.resolver().pathOf(obj);
        if (p == null && r.resolver().unnamed()) {
            Files.close(obj);
            throw new ResolveException(Errno.ENAMETOOLONG);
        }
        if (p == null || p.isEmpty() || p.charAt(0) != '/') p = null; // pipe:[..], socket:[..], anon_inode:..
        return new Lookup(p, -1, "", obj, null, false);
    }

    /**
     * Runs {@code call} on this object (a system call answering a value or -errno) with the
     * program's identity, and once more with CAP_SYS_PTRACE when it is refused inside the program's
     * own {@code /proc} (see {@link Request#ownProc(String, java.util.function.IntSupplier)}).
     */
    long act(Request r, java.util.function.LongSupplier call) {
        String where = path != null ? path : magic;
        return OwnProc.call(call, () -> where != null && r.ownProc(where));
    }

    /** {@link #act} for a call that only looks at the object (stat, readlink): {@link OwnProc#lookup}. */
    long look(Request r, java.util.function.LongSupplier call) {
        String where = path != null ? path : magic;
        return OwnProc.lookup(call, () -> where != null && r.ownProc(where));
    }

    /** The fd to give an {@code *at} call for this object. */
    int atFd() {
        if (objFd >= 0) return objFd;
        if (magic != null) return AT_FDCWD;
        return dirFd;
    }

    /** The name to give an {@code *at} call for this object. */
    String atName() {
        if (objFd >= 0) return "";
        if (magic != null) return magic;
        return name;
    }

    /** The AT_* flags to give an {@code *at} call for this object (never following a final symlink, except a magic link). */
    int atFlags() {
        if (objFd >= 0) return AT_EMPTY_PATH;
        if (magic != null) return 0;
        return name.isEmpty() ? AT_EMPTY_PATH : AT_SYMLINK_NOFOLLOW;
    }

    /** True when the path named a directory the resolver holds itself ("/"): the object is {@code dirFd}. */
    boolean isHeldDirectory() { return objFd < 0 && magic == null && name.isEmpty(); }

    /** True when this is the program's {@code /proc/self} or {@code /proc/thread-self} link itself. */
    boolean isProcSelfLink() {
        return objFd < 0 && magic == null && ("/proc/self".equals(path) || "/proc/thread-self".equals(path));
    }

    /**
     * A path for the xattr path calls that reaches this object through the supervisor's own fds:
     * {@code /proc/self/fd/PARENT/NAME} (with the l* call) or {@code /proc/self/fd/FD} (followed).
     */
    String xattrPath() {
        if (objFd >= 0) return "/proc/self/fd/" + objFd;
        if (magic != null) return magic;
        return name.isEmpty() ? "/proc/self/fd/" + dirFd : "/proc/self/fd/" + dirFd + "/" + name;
    }

    /** Whether the xattr path call for {@link #xattrPath} must follow (the magic link of an fd) or not (a name). */
    boolean xattrFollow() { return objFd >= 0 || magic != null || name.isEmpty(); }

    /** An O_PATH fd of the object (the caller closes it), or -errno. */
    int openObject(StatCalls sc) {
        if (objFd >= 0) return StatCalls.dup(objFd);
        if (magic != null) return sc.openPathFollow(magic);
        if (name.isEmpty()) return StatCalls.dup(dirFd);
        return sc.openPath(dirFd, name);
    }

    /**
     * The kernel's answer to a path with a trailing slash: 0 when the object is a directory, else
     * ENOTDIR (or the errno of looking at it). 0 when the path had no trailing slash.
     */
    int trailingSlashError(StatCalls sc) {
        if (!trailingSlash) return 0;
        long rc = sc.fstatat(atFd(), atName(), atFlags());
        if (rc < 0) return (int) -rc;
        return (sc.statMode() & Files.S_IFMT) == Files.S_IFDIR ? 0 : Errno.ENOTDIR;
    }

    /**
     * The stat check: true when the object is hidden (stat denied; the action is applied and
     * logged). Objects without a path and the program's own /proc magic links are not checked.
     */
    boolean hidden(Request r, String sys) {
        return path != null && r.hidden(sys, path);
    }

    /** A check of another category (chattr): true when denied (the caller answers EACCES). */
    boolean denied(Request r, String sys, Category c) {
        return path != null && r.denied(sys, path, -1, c);
    }

    @Override
    public void close() {
        if (objFd >= 0) Files.close(objFd);
        if (dirFd >= 0 && ownsDir) Files.close(dirFd);
    }
}
