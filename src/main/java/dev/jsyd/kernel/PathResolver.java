package dev.jsyd.kernel;

import static dev.jsyd.abi.OpenFlags.AT_EMPTY_PATH;
import static dev.jsyd.abi.OpenFlags.AT_FDCWD;
import static dev.jsyd.abi.OpenFlags.O_CLOEXEC;
import static dev.jsyd.abi.OpenFlags.O_DIRECTORY;
import static dev.jsyd.abi.OpenFlags.O_NOFOLLOW;
import static dev.jsyd.abi.OpenFlags.O_PATH;
import static dev.jsyd.abi.OpenFlags.RESOLVE_BENEATH;
import static dev.jsyd.abi.OpenFlags.RESOLVE_NO_MAGICLINKS;
import static dev.jsyd.abi.OpenFlags.RESOLVE_NO_SYMLINKS;
import static dev.jsyd.abi.OpenFlags.RESOLVE_NO_XDEV;

import dev.jsyd.abi.Errno;
import dev.jsyd.sys.Files;
import java.util.ArrayDeque;

/**
 * Resolves a path the way the kernel would for the sandboxed program, but in the supervisor,
 * component by component, holding an O_PATH fd of each directory it passes through. The result
 * is the canonical absolute path (what rules are matched against) plus an O_PATH fd of the
 * final component's parent directory and the final name (what the emulated call acts on), so
 * the checked object and the used object are the same: a symlink swapped in after the walk
 * makes the final {@code openat2(RESOLVE_NO_SYMLINKS)} fail instead of being followed.
 *
 * <ul>
 *   <li>Relative paths start at the program's cwd ({@code /proc/TID/cwd}) or the given dirfd
 *       ({@code /proc/TID/fd/N}), opened by the supervisor: the program's own objects.</li>
 *   <li>{@code ..} goes to the real parent (openat(fd, "..")); at {@code /} it stays.</li>
 *   <li>Symlinks are read with readlinkat and spliced into the remaining components; more than
 *       40 gives ELOOP, like the kernel.</li>
 *   <li>{@code /proc/self} and {@code /proc/thread-self} mean the program (its thread id), never
 *       the supervisor.</li>
 *   <li>Magic links ({@code /proc/N/fd/M}, {@code cwd}, {@code root}, {@code exe}) whose target is
 *       a path are followed as that path; other targets (pipes, sockets, deleted files) are
 *       returned as a magic result that is opened through {@code /proc}.</li>
 * </ul>
 *
 * One instance per worker thread (it owns scratch buffers through {@link Files}).
 */
public final class PathResolver {
    private static final int MAX_SYMLINKS = 40;
    private static final int PATH_MAX = 4096;

    private final Files files;
    private WalkCheck walkCheck;
    private ProcGuard procGuard = ProcGuard.SUPERVISOR_ONLY;
    private ProgramView view = ProgramView.HOST;

    public PathResolver(Files files) { this.files = files; }

    /**
     * The walk check (spec §6): asked for every directory the resolution enters (by name, through
     * a symlink, or by {@code ..}), with its canonical absolute path. A denied walk makes the
     * resolution fail with ENOENT, as if the directory were absent (hidden paths look absent).
     */
    @FunctionalInterface
    public interface WalkCheck {
        /** True when walking through {@code dir} is denied. */
        boolean denied(String dir);

        /** False when no directory can be denied now (lets the fast path skip building prefixes). */
        default boolean active() { return true; }

        /**
         * RESOLVE_NO_SYMLINKS, RESOLVE_NO_MAGICLINKS, RESOLVE_NO_XDEV bits every resolution obeys
         * ({@code trace/force_no_symlinks}, {@code _magiclinks}, {@code _xdev}), as openat2 would:
         * ELOOP for a link met, EXDEV for a mount crossed.
         */
        default long forced() { return 0; }

        /**
         * True when a {@code ..} component (in the path or a symlink's target) must fail the
         * resolution with EACCES ({@code trace/deny_dotdot}).
         */
        default boolean denyDotDot() { return false; }
    }

    /** The calls {@code trace/deny_dotdot} applies to (Syd: the open family and chdir). */
    static boolean dotDotRefusable(int nr) {
        return nr == dev.jsyd.abi.Syscalls.OPEN || nr == dev.jsyd.abi.Syscalls.OPENAT || nr == dev.jsyd.abi.Syscalls.OPENAT2
                || nr == dev.jsyd.abi.Syscalls.CREAT || nr == dev.jsyd.abi.Syscalls.CHDIR;
    }

    /** Resolves as the program sees paths: from its root, its {@code /proc} (see {@link ProgramView}). */
    public void setView(ProgramView view) {
        if (view.rootFd() != this.view.rootFd()) topLinks.clear();
        this.view = view;
    }

    private int callerTgid = -1;

    /** The process of the threads whose paths are resolved next (their own {@code /proc} entries: {@link OwnProc}). */
    public void setCaller(int tgid) { this.callerTgid = tgid; }

    /** True when {@code dir} is in the own {@code /proc} entry of thread {@code tid} or of its process. */
    private boolean own(CharSequence dir, int tid) {
        return OwnProc.in(dir, tid) || (callerTgid >= 0 && OwnProc.in(dir, callerTgid));
    }

    /** The program's cwd or its fd {@code dirfd}, opened O_PATH (its own /proc entries); fd or -errno. */
    private int programDir(int tid, int dirfd) {
        String base = dirfd == AT_FDCWD ? "/proc/" + tid + "/cwd" : "/proc/" + tid + "/fd/" + dirfd;
        return (int) OwnProc.lookup(() -> files.openat(AT_FDCWD, base, O_PATH | O_DIRECTORY | O_CLOEXEC, 0), () -> true);
    }

    /** Duplicates of the program's fds, taken with pidfd_getfd (see {@link #setProgramFds}). */
    @FunctionalInterface
    public interface ProgramFds {
        /** A duplicate of fd {@code fd} of the thread {@code tid} the request names, or -1 when it cannot be taken. */
        int dup(int tid, int fd);
    }

    private ProgramFds programFds;

    /** Lets the fast path take a program's dirfd by pidfd_getfd (null: by opening {@code /proc/TID/fd/N}). */
    public void setProgramFds(ProgramFds fds) { this.programFds = fds; }

    /**
     * The program's dirfd {@code dirfd} as a directory fd of the supervisor, or -1: a pidfd_getfd
     * duplicate (the same open file; one call with the worker's kept pidfd, instead of a walk of
     * {@code /proc/TID/fd/N} and a new open file) that is a directory, else the /proc open. A
     * non-directory gives -1 (the component walk answers ENOTDIR exactly, as the kernel would).
     */
    private int programFdDir(int tid, int dirfd) {
        int fd = programFds == null ? -1 : programFds.dup(tid, dirfd);
        if (fd < 0) return programDir(tid, dirfd);
        if (files.fileType(fd, "", AT_EMPTY_PATH) != Files.S_IFDIR) {
            Files.close(fd);
            return -1;
        }
        return fd;
    }

    /** Installs the walk check used by every later {@link #resolve} (null: no check). */
    public void setWalkCheck(WalkCheck check) { this.walkCheck = check; }

    /** Installs the pid hiding of {@code /proc} used by every later {@link #resolve}. */
    void setProcGuard(ProcGuard guard) { this.procGuard = guard; }

    /** The installed walk check, or null. */
    public WalkCheck walkCheck() { return walkCheck; }

    private void walked(CharSequence dir) throws ResolveException {
        if (walkCheck == null) return;
        // A walk through "d/.." goes back and forth between two directories: each is checked once
        // per resolution (an allowed walk has no effect to repeat; a denied one ends it).
        if (walkedA != null && walkedA.contentEquals(dir)) return;
        if (walkedB != null && walkedB.contentEquals(dir)) return;
        String d = dir.toString();
        if (walkCheck.denied(d)) throw new ResolveException(Errno.ENOENT);
        walkedB = walkedA;
        walkedA = d;
    }

    /** The last two directories {@link #walked} allowed in the current resolution. */
    private String walkedA, walkedB;

    /** How the last component is treated. */
    public enum Last {
        FOLLOW,
        NOFOLLOW,
        /**
         * FOLLOW for a caller that acts on the result only through an
         * {@code openat2(dirFd, name, RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_BENEATH)}
         * of its own: the fast path then opens no parent at all. Its result says so
         * ({@link Resolved#lastUnchecked()}): {@code dirFd} is the base directory (the program's root,
         * cwd or dirfd; see {@link Resolved#ownsDir()}) and {@code name} the whole path below it, so
         * the caller's one open walks every component with no symlink allowed, and the path is the
         * lexical one, right only if that open meets no symlink. The caller must not let a decision
         * on it have any effect (log, signal, answer) before its open: an ELOOP means "a symlink
         * after all" (resolve again with FOLLOW); any other answer of that open is the answer the
         * program's own call gets, since its walk met no symlink up to where it ended.
         */
        FOLLOW_LAZY,
        /**
         * FOLLOW for a caller that only looks at the last component through
         * {@code *at(dirFd, name, AT_SYMLINK_NOFOLLOW)} and can tell a symlink from the answer
         * (fstatat's file type): the parent is opened and checked as for FOLLOW, reading the last
         * component as a link is skipped ({@link Resolved#lastUnchecked()}). The caller must not let
         * a decision on the path have any effect before it knows the last component is no symlink;
         * if it is one, it resolves again with FOLLOW.
         */
        LAST_LAZY
    }

    /**
     * The outcome: canonical absolute {@code path}; {@code dirFd} = O_PATH fd of the parent of the
     * final component (owned by the caller, close it), {@code name} = the final component ("" when
     * the path is {@code /}); {@code magic} = a /proc magic link whose object is not a path, to be
     * opened by its {@code /proc} path; {@code trailingSlash} when the program's path ended in "/";
     * {@code lastUnchecked} when the last component (with {@link Last#FOLLOW_LAZY}: any component)
     * was not checked to be no symlink; {@code ownsDir} false when {@code dirFd} is the resolver's
     * own root fd, which {@link #close} leaves open.
     */
    public record Resolved(String path, int dirFd, String name, String magic, boolean trailingSlash,
                           boolean lastUnchecked, boolean ownsDir) implements AutoCloseable {
        Resolved(String path, int dirFd, String name, String magic, boolean trailingSlash) {
            this(path, dirFd, name, magic, trailingSlash, false, true);
        }

        public boolean isMagic() { return magic != null; }
        @Override public void close() { if (dirFd >= 0 && ownsDir) Files.close(dirFd); }
    }

    /**
     * Resolves {@code path} for thread {@code tid} relative to {@code dirfd} (AT_FDCWD or a program fd).
     */
    public Resolved resolve(int tid, int dirfd, String path, Last last) throws ResolveException {
        if (path.isEmpty()) throw new ResolveException(Errno.ENOENT);
        if (path.length() >= PATH_MAX) throw new ResolveException(Errno.ENAMETOOLONG);
        boolean lazy = last == Last.FOLLOW_LAZY || last == Last.LAST_LAZY;
        boolean noParent = last == Last.FOLLOW_LAZY;
        if (lazy) last = Last.FOLLOW;
        forced = walkCheck == null ? 0 : walkCheck.forced();
        Resolved quick = forced != 0 ? null : fast(tid, dirfd, throughTopLink(path), last, lazy, noParent);
        if (quick != null) return quick;
        return walk(tid, dirfd, path, last);
    }

    /**
     * The symlinks met as the first component of an absolute path, name to target ({@code lib} to
     * {@code usr/lib} on a merged /usr): learnt by the component walk, at most {@link #TOP_LINKS}.
     * Only names: each use reads the link again, so a link changed since is followed as it is now.
     */
    private final java.util.HashMap<String, String> topLinks = new java.util.HashMap<>();
    private static final int TOP_LINKS = 16;

    /**
     * {@code path} with its first component replaced by the target of that symlink when it is a
     * known one ({@link #topLinks}), read now with one {@code readlinkat} from the root: then
     * the fast path resolves {@code /usr/lib/x/libc.so.6} in one {@code openat2} where
     * {@code /lib/x/libc.so.6} took the component walk (~8 calls). Equal to what the walk does: it
     * splices a link's target in place of the link, and the walk check sees the same directories
     * (the link itself is not a directory walked). What is checked is the rewritten canonical
     * path, and what is opened is that path with RESOLVE_NO_SYMLINKS: a link changed after the
     * read is not followed. {@code path} itself when no known link starts it.
     */
    private String throughTopLink(String path) {
        if (topLinks.isEmpty() || path.charAt(0) != '/') return path;
        int end = path.indexOf('/', 1);
        if (end < 0) return path; // the link is the last component: the caller decides to follow it
        String name = path.substring(1, end);
        if (!topLinks.containsKey(name)) return path;
        int root = root();
        String target = root < 0 ? null : files.readlinkat(root, name);
        if (target == null || !plainTopLinkTarget(target)) {
            topLinks.remove(name);
            return path;
        }
        topLinks.put(name, target);
        return (target.charAt(0) == '/' ? target : "/" + target) + path.substring(end);
    }

    /** Called by the walk for a symlink that is the first component of an absolute path. */
    private void learnTopLink(String name, String target) {
        if (name.equals("proc") || !plainTopLinkTarget(target)) return;
        if (topLinks.size() < TOP_LINKS || topLinks.containsKey(name)) topLinks.put(name, target);
    }

    /** A target made only of plain names ("usr/lib", "/usr/lib"): no ".", "..", empty component or /proc. */
    static boolean plainTopLinkTarget(String target) {
        int n = target.length();
        if (n == 0 || n > 1024 || target.charAt(n - 1) == '/') return false;
        int from = target.charAt(0) == '/' ? 1 : 0;
        if (from == n || target.startsWith("proc", from) && (n == from + 4 || target.charAt(from + 4) == '/')) return false;
        for (int i = from, start = from; i <= n; i++) {
            if (i == n || target.charAt(i) == '/') {
                int len = i - start;
                if (len == 0 || len > 255) return false;
                if (len == 1 && target.charAt(start) == '.') return false;
                if (len == 2 && target.charAt(start) == '.' && target.charAt(start + 1) == '.') return false;
                start = i + 1;
            }
        }
        return true;
    }

    /**
     * The common case in one to three system calls: a path with no {@code .}, {@code ..}, symlink or
     * /proc component. The parent directory is opened in one {@code openat2} with
     * RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_BENEATH from the base directory (whose
     * canonical name is read from the fd the supervisor holds, after opening it, so the program
     * cannot swap the base in between), and the last component is checked not to be a symlink
     * when it is to be followed (unless {@code lazy}: then the caller's RESOLVE_NO_SYMLINKS open
     * makes that check, see {@link Last#FOLLOW_LAZY}). With no symlink anywhere, the canonical path
     * is the lexical one; an absolute path without empty components is returned as the very
     * String the program gave (no copy). Anything else — a symlink met, an error, {@code /proc} —
     * returns null and the component walk ({@link #walk}) decides, with the kernel's exact errors.
     */
    private Resolved fast(int tid, int dirfd, String path, Last last, boolean lazy, boolean noParent) {
        return fast(tid, dirfd, path, last, lazy, noParent, 1);
    }

    /**
     * {@link #fast} with the walk check starting at {@code walkFrom} (an absolute path's first
     * directory: 1; a relative path named from its base: past the base, which the program is in).
     */
    private Resolved fast(int tid, int dirfd, String path, Last last, boolean lazy, boolean noParent, int walkFrom) {
        int n = path.length();
        if (path.charAt(n - 1) == '/') return null;
        boolean absolute = path.charAt(0) == '/';
        // Components must be plain names: no ".", "..", empty runs are fine.
        int lastSlash = -1;
        for (int i = 0, start = 0; i <= n; i++) {
            if (i == n || path.charAt(i) == '/') {
                int len = i - start;
                if (len > 255) return null;
                if (len == 1 && path.charAt(start) == '.') return null;
                if (len == 2 && path.charAt(start) == '.' && path.charAt(start + 1) == '.') return null;
                if (i < n) lastSlash = i;
                start = i + 1;
            }
        }
        // The parent, relative to the base directory: path[parentFrom, parentTo).
        int parentFrom = absolute ? 1 : 0;
        int parentTo = Math.max(lastSlash, parentFrom);
        boolean hasParent = parentTo > parentFrom;
        int base;
        String basePath;
        boolean ownBase = true;
        if (absolute) {
            if (path.startsWith("/proc/") || path.equals("/proc")) return null;
            if (hasParent || shareRoot) {
                base = root();
                ownBase = false;
            } else {
                base = openRoot();
            }
            if (base < 0) return null;
            basePath = "/";
        } else if ((hasParent || noParent) && view.rootFd() < 0) {
            // A relative path below its base, or a name in it to be opened (FOLLOW_LAZY: openat(dirfd,
            // "name") of a tree walker): the base named once from the program's /proc link, then the
            // whole path walked by name from "/" (see named()) — two calls where opening the base
            // takes four.
            return named(tid, dirfd, path, last, lazy, noParent);
        } else {
            base = dirfd == AT_FDCWD ? programDir(tid, dirfd) : programFdDir(tid, dirfd);
            if (base < 0) return null;
            basePath = files.readlinkat(AT_FDCWD, "/proc/self/fd/" + base);
            if (basePath == null || basePath.isEmpty() || basePath.charAt(0) != '/' || basePath.startsWith("/proc")
                    || basePath.endsWith(" (deleted)")) {
                Files.close(base);
                return null;
            }
        }
        if (noParent && hasParent) {
            // FOLLOW_LAZY: the caller's one RESOLVE_NO_SYMLINKS open walks the whole path from the base.
            String canonical = absolute && path.indexOf("//") < 0 ? path : lexical(basePath, path, parentFrom, parentTo, lastSlash);
            if (canonical.startsWith("/proc/") || walkDenied(canonical, absolute ? walkFrom : basePath.length() + 1)) {
                if (ownBase) Files.close(base);
                return null;
            }
            int from = parentFrom;
            while (path.charAt(from) == '/') from++; // "//a/b": the open must stay beneath the base
            return new Resolved(canonical, base, path.substring(from), null, false, true, ownBase);
        }
        int parent = base;
        if (hasParent) {
            parent = files.openat2(base, path, parentFrom, parentTo, O_PATH | O_DIRECTORY | O_CLOEXEC,
                    0, RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_BENEATH);
            if (ownBase) Files.close(base);
            if (parent < 0) return null;
        }
        String canonical = absolute && path.indexOf("//") < 0 ? path : lexical(basePath, path, parentFrom, parentTo, lastSlash);
        if (canonical.startsWith("/proc/") || walkDenied(canonical, absolute ? walkFrom : basePath.length() + 1)) {
            if (parent != base || ownBase) Files.close(parent);
            return null; // /proc, or a hidden directory: the component walk reports it
        }
        String name = path.substring(lastSlash + 1);
        if (last == Last.FOLLOW && !lazy) {
            String target = files.readlinkat(parent, name);
            if (target != null || (files.lastError() != Errno.EINVAL && files.lastError() != Errno.ENOENT)) {
                if (parent != base || ownBase) Files.close(parent);
                return null; // a symlink to follow, or an error to report exactly
            }
        }
        return new Resolved(canonical, parent, name, null, false, lazy && last == Last.FOLLOW, parent != base || ownBase);
    }

    /**
     * A relative path with a directory part, for a program that shares the supervisor's mounts and
     * root: its base (cwd or dirfd) is named by one readlink of {@code /proc/TID/cwd} or
     * {@code /proc/TID/fd/N}, and the path is resolved as {@code BASE/path} from "/" by {@link #fast}
     * (RESOLVE_NO_SYMLINKS from the root), instead of opening the base, naming it from the
     * supervisor's fd and closing it: two system calls less. What is checked is what is used: the
     * canonical path is the name walked, with no symlink, at the time of the walk; if the base moved
     * in between, the call acts on what the checked name names then, as an absolute path would. A
     * base the name does not reach (renamed, replaced by a symlink, not searchable by the program's
     * ancestors' permissions) makes that walk fail, and the component walk from the base decides.
     * The walk check starts below the base, as for the base opened (the program is already in it).
     */
    private Resolved named(int tid, int dirfd, String path, Last last, boolean lazy, boolean noParent) {
        String link = dirfd == AT_FDCWD ? "/proc/" + tid + "/cwd" : "/proc/" + tid + "/fd/" + dirfd;
        String basePath = OwnProc.look(files, () -> files.readlinkat(AT_FDCWD, link), () -> true);
        if (basePath == null || basePath.isEmpty() || basePath.charAt(0) != '/' || basePath.startsWith("/proc")
                || basePath.endsWith(" (deleted)")) {
            return null;
        }
        String full = basePath.length() == 1 ? "/" + path : basePath + "/" + path;
        if (full.length() >= PATH_MAX) return null;
        return fast(tid, AT_FDCWD, full, last, lazy, noParent, basePath.length() + 1);
    }

    /**
     * Lets the fast path hand out the resolver's own root fd as the parent of a name in "/"
     * ({@link Resolved#ownsDir()} false) instead of a new one: for callers that close the result
     * only through {@link Resolved#close} or honour {@code ownsDir} (the stat family's {@link Lookup}).
     */
    private boolean shareRoot;

    /** {@link #resolve}, letting a name in "/" share the resolver's root fd (see {@link #shareRoot}). */
    public Resolved resolveSharingRoot(int tid, int dirfd, String path, Last last) throws ResolveException {
        shareRoot = true;
        try {
            return resolve(tid, dirfd, path, last);
        } finally {
            shareRoot = false;
        }
    }

    /** {@code basePath} joined with the non-empty components of {@code path}'s parent part and its last component. */
    private static String lexical(String basePath, String path, int parentFrom, int parentTo, int lastSlash) {
        StringBuilder canon = new StringBuilder(basePath.length() + path.length() + 1).append(basePath);
        for (int i = parentFrom, start = parentFrom; i <= parentTo; i++) {
            if (i == parentTo || path.charAt(i) == '/') {
                if (i > start) {
                    if (canon.length() > 1) canon.append('/');
                    canon.append(path, start, i);
                }
                start = i + 1;
            }
        }
        if (canon.length() > 1) canon.append('/');
        return canon.append(path, lastSlash + 1, path.length()).toString();
    }

    /**
     * The walk check of the fast path: every directory the resolution entered, i.e. each prefix of
     * the canonical path {@code canonical} (which has no empty component) that ends before a '/'
     * at index {@code from} or later (past the base directory), from the top down; true when one
     * is denied.
     */
    private boolean walkDenied(String canonical, int from) {
        if (walkCheck == null || !walkCheck.active()) return false;
        for (int i = canonical.indexOf('/', from); i > 0; i = canonical.indexOf('/', i + 1)) {
            if (walkCheck.denied(canonical.substring(0, i))) return true;
        }
        return false;
    }

    private int rootFd = -1;

    /** The {@link WalkCheck#forced} bits of the resolution under way. */
    private long forced;

    /** An O_PATH fd of the program's "/" kept for the life of this resolver or its view (never handed out). */
    private int root() {
        if (view.rootFd() >= 0) return view.rootFd();
        if (rootFd < 0) rootFd = files.openat(AT_FDCWD, "/", O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
        return rootFd;
    }

    /** A new O_PATH fd of the program's "/" (the caller's to close), or -errno. */
    private int openRoot() {
        if (view.rootFd() >= 0) return files.openat(view.rootFd(), ".", O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
        return files.openat(AT_FDCWD, "/", O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
    }

    private int openRootDir() throws ResolveException {
        int fd = openRoot();
        if (fd < 0) throw new ResolveException(-fd);
        return fd;
    }

    /** Closes the fds this resolver keeps. */
    public void close() {
        if (rootFd >= 0) Files.close(rootFd);
        rootFd = -1;
    }

    /** The component-by-component resolution: every case, with the kernel's exact errors. */
    Resolved walk(int tid, int dirfd, String path, Last last) throws ResolveException {
        boolean noDotDot = walkCheck != null && walkCheck.denyDotDot();
        walkedA = walkedB = null;
        if (last == Last.FOLLOW_LAZY || last == Last.LAST_LAZY) last = Last.FOLLOW; // the walk always checks the last component
        String startPath;
        int cur;
        if (path.charAt(0) == '/') {
            startPath = "/";
            cur = openRootDir();
        } else {
            // Open the program's base directory first and name it from our own fd afterwards, so
            // the program cannot swap its fd or cwd between the naming and the opening.
            int fd = programDir(tid, dirfd);
            if (fd < 0) {
                if (fd == -Errno.ENOTDIR) throw new ResolveException(Errno.ENOTDIR);
                throw new ResolveException(fd == -Errno.ENOENT && dirfd != AT_FDCWD ? Errno.EBADF : -fd);
            }
            startPath = pathOf(fd);
            if (startPath == null || startPath.isEmpty() || startPath.charAt(0) != '/') {
                Files.close(fd);
                throw new ResolveException(Errno.ENOENT);
            }
            try {
                if (!view.privateProc()) procGuard.checkStart(files, tid, startPath); // /proc/PID of other processes is hidden
            } catch (ResolveException e) {
                Files.close(fd);
                throw e;
            }
            cur = fd;
        }
        boolean trailingSlash = path.length() > 1 && path.charAt(path.length() - 1) == '/';
        StringBuilder canon = new StringBuilder(startPath);
        ArrayDeque<String> todo = new ArrayDeque<>();
        split(path, todo, false);
        int links = 0;
        String pendingName = null;
        boolean atTop = path.charAt(0) == '/';
        try {
            while (!todo.isEmpty()) {
                if (todo.size() > 2 && !noDotDot && (forced & RESOLVE_NO_XDEV) == 0) { // a run would not see a mount crossed
                    int next = run(cur, canon, todo);
                    if (next != cur) {
                        Files.close(cur);
                        cur = next;
                    }
                }
                String comp = todo.pollFirst();
                boolean isLast = todo.isEmpty();
                boolean top = atTop && canon.length() == 1;
                atTop = false;
                if (comp.equals(".")) {
                    if (isLast) break;
                    continue;
                }
                if (comp.equals("..") && noDotDot) throw new ResolveException(Errno.EACCES);
                if (comp.equals("..")) {
                    if (canon.length() > 1) {
                        int parent = openDir(cur, "..");
                        Files.close(cur);
                        cur = parent;
                        canon.setLength(Math.max(1, canon.lastIndexOf("/")));
                        walked(canon);
                    }
                    continue;
                }
                if (comp.length() > 255) throw new ResolveException(Errno.ENAMETOOLONG);
                if (comp.equals("self") || comp.equals("thread-self")) {
                    // The program's own /proc entry; a final /proc/self not followed stays the link itself.
                    boolean linkItself = isLast && last == Last.NOFOLLOW && !trailingSlash;
                    if ((forced & RESOLVE_NO_SYMLINKS) != 0 && !linkItself && canon.toString().equals("/proc")) {
                        throw new ResolveException(Errno.ELOOP); // /proc/self is a symlink too
                    }
                    if (canon.toString().equals("/proc") && !linkItself) comp = Integer.toString(ownPid(tid));
                }
                // /proc/PID of other processes is hidden (a private proc shows only the sandbox's).
                Members.Proc seen = view.privateProc() ? null : procGuard.check(files, tid, canon, comp);
                if (!isLast || last == Last.FOLLOW || trailingSlash) {
                    int at = cur;
                    String link = comp;
                    String target = OwnProc.look(files, () -> files.readlinkat(at, link), () -> own(canon, tid));
                    if (target != null) {
                        if (++links > MAX_SYMLINKS) throw new ResolveException(Errno.ELOOP);
                        if ((forced & RESOLVE_NO_SYMLINKS) != 0
                                || ((forced & RESOLVE_NO_MAGICLINKS) != 0 && isMagicDir(canon, comp))) {
                            throw new ResolveException(Errno.ELOOP);
                        }
                        if (isMagicDir(canon, comp) && (target.isEmpty() || target.charAt(0) != '/' || target.endsWith(" (deleted)"))) {
                            if (!isLast) throw new ResolveException(Errno.ENOTDIR);
                            String magic = hostMagic(canon + "/" + comp, tid);
                            return new Resolved(target, -1, comp, magic, trailingSlash);
                        }
                        if (target.isEmpty()) throw new ResolveException(Errno.ENOENT);
                        if (top && !isLast && links == 1) learnTopLink(comp, target);
                        if (target.charAt(0) == '/') {
                            if ((forced & RESOLVE_NO_XDEV) != 0) crossesToRoot(cur);
                            Files.close(cur);
                            cur = -1;
                            cur = openRootDir();
                            canon.setLength(1);
                        }
                        split(target, todo, true);
                        if (todo.isEmpty()) { // a link to "/"
                            pendingName = "";
                            break;
                        }
                        continue;
                    }
                    int err = files.lastError();
                    if (err == Errno.ENOENT) {
                        if (isLast) { pendingName = comp; break; }
                        throw new ResolveException(Errno.ENOENT);
                    }
                    if (err != Errno.EINVAL) throw new ResolveException(err);
                }
                if (isLast) { pendingName = comp; break; }
                int dir = cur;
                String name = comp;
                int next = (int) OwnProc.lookup(() -> openDirOrErrno(dir, name), () -> own(canon, tid));
                if (next < 0) throw new ResolveException(-next);
                Files.close(cur);
                cur = next;
                if (seen != null && !procGuard.sameAs(comp, seen)) throw new ResolveException(Errno.ENOENT); // its pid was reused
                if (canon.length() > 1) canon.append('/');
                canon.append(comp);
                walked(canon);
            }
            if (pendingName == null || pendingName.isEmpty()) {
                // The path names a directory we hold (e.g. "/", ".", ".."): express it as parent + name.
                if (canon.length() == 1) {
                    int fd = cur;
                    cur = -1;
                    return new Resolved("/", fd, "", null, trailingSlash);
                }
                int parent = openDir(cur, "..");
                String name = canon.substring(canon.lastIndexOf("/") + 1);
                Files.close(cur);
                cur = -1;
                canon.setLength(Math.max(1, canon.lastIndexOf("/")));
                String full = (canon.length() > 1 ? canon + "/" : "/") + name;
                return new Resolved(full, parent, name, null, trailingSlash);
            }
            String full = (canon.length() > 1 ? canon + "/" : "/") + pendingName;
            if ((forced & RESOLVE_NO_XDEV) != 0) lastStaysOnItsMount(cur, pendingName);
            int fd = cur;
            cur = -1;
            return new Resolved(full, fd, pendingName, null, trailingSlash);
        } finally {
            if (cur >= 0) Files.close(cur);
        }
    }

    /** The most bytes handed to one openat2 of a component run (the kernel takes < PATH_MAX). */
    private static final int RUN_BYTES = 4000;

    /**
     * Bounds the work of a long walk (a symlink whose target is hundreds of {@code d/..}): the
     * components ahead (all but the last, none in /proc) are tried as one run, resolved by the
     * kernel in one openat2 with RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS. When the run holds a
     * symlink (ELOOP) its first half is tried, and so on, so each symlink met costs O(log n) calls
     * instead of three per component. With no symlink in it, the run's canonical path is the
     * lexical one, and every directory it enters is walk-checked in order, as one by one. Any
     * other error leaves the run to the component walk, which gives the kernel's exact errno.
     * Returns the directory now current: {@code cur} (still the caller's) when nothing was
     * consumed, else a new fd the caller owns (and {@code cur} is the caller's to close).
     */
    private int run(int cur, StringBuilder canon, ArrayDeque<String> todo) throws ResolveException {
        int max = todo.size() - 1;
        StringBuilder rel = new StringBuilder();
        int[] ends = new int[max];
        int n = 0;
        // Where the run goes, lexically: how deep, and whether under /proc (never batched: magic
        // links, /proc/self and the supervisor's hidden entries need the component walk).
        int depth = 0;
        for (int i = 1; i < canon.length(); i++) if (canon.charAt(i - 1) == '/') depth++;
        boolean proc = depth > 0 && canon.indexOf("/proc") == 0 && (canon.length() == 5 || canon.charAt(5) == '/');
        for (String comp : todo) {
            if (n == max || comp.length() > 255 || rel.length() + comp.length() + 1 > RUN_BYTES) break;
            if (comp.equals("..")) {
                if (depth > 0) depth--;
            } else if (!comp.equals(".")) {
                if (depth == 0) proc = comp.equals("proc");
                depth++;
            }
            if (proc && depth > 0) break;
            if (n > 0) rel.append('/');
            rel.append(comp);
            ends[n++] = rel.length();
        }
        // Binary search for the first symlink: the whole run, then halves of what is left.
        int done = 0, size = n, now = cur;
        while (n - done >= 2 && size >= 2) {
            int end = Math.min(done + size, n);
            if (end - done < 2) break;
            int from = done == 0 ? 0 : ends[done - 1] + 1;
            int fd = files.openat2(cur, rel.toString(), from, ends[end - 1], O_PATH | O_DIRECTORY | O_CLOEXEC, 0,
                    RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
            if (fd == -Errno.ELOOP) { size = (end - done) / 2; continue; }
            if (fd < 0) break; // the component walk gives the exact errno
            if (now != cur) Files.close(now);
            now = fd;
            for (; done < end; done++) {
                String comp = todo.pollFirst();
                if (comp.equals(".")) continue;
                if (comp.equals("..")) {
                    if (canon.length() <= 1) continue;
                    canon.setLength(Math.max(1, canon.lastIndexOf("/")));
                } else {
                    if (canon.length() > 1) canon.append('/');
                    canon.append(comp);
                }
                try {
                    walked(canon);
                } catch (ResolveException e) {
                    Files.close(now);
                    throw e;
                }
            }
        }
        return now;
    }

    /** How many levels {@link #pathOf} climbs at most to name a directory deeper than PATH_MAX. */
    private static final int MAX_CLIMB = 4096;

    /**
     * The canonical path of the supervisor's fd {@code fd}, as {@code /proc/self/fd} shows it,
     * also when it is longer than the kernel will print (ENAMETOOLONG beyond PATH_MAX): a directory
     * is then named by climbing with {@code ..} to an ancestor short enough to print and looking
     * each name up in its parent, and the result is checked by walking back down to the same
     * inode. Null when there is no path (other errors, a non-directory beyond PATH_MAX, a tree
     * that kept changing while it was named).
     */
    public String pathOf(int fd) {
        unnamed = false;
        String p = files.readlinkat(AT_FDCWD, "/proc/self/fd/" + fd);
        if (p != null || files.lastError() != Errno.ENAMETOOLONG) return p;
        if (files.fileType(fd, "", AT_EMPTY_PATH) != Files.S_IFDIR) p = recall(fd);
        for (int attempt = 0; p == null && attempt < 3; attempt++) p = climb(fd);
        unnamed = p == null;
        return p;
    }

    private boolean unnamed;

    /**
     * True when the last {@link #pathOf} returned null for an object that has a path, only one
     * longer than the supervisor could name: callers must refuse (ENAMETOOLONG), not treat it as
     * an object without a path.
     */
    public boolean unnamed() { return unnamed; }

    /**
     * Paths of non-directories deeper than PATH_MAX that the supervisor opened for a program, by
     * (device, inode): nothing can climb from a file to its directory, so the open's canonical
     * path is kept (the last 256) and given back for later fd calls once it is verified to still
     * name the same inode. Shared by every worker: an fd opened by one is used through another.
     */
    private static final java.util.Map<String, String> LONG_PATHS = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(16, 0.75f, true) {
                @Override protected boolean removeEldestEntry(java.util.Map.Entry<String, String> e) { return size() > 256; }
            });

    /** Keeps {@code path} for the object of {@code fd} when {@code path} is too long for /proc to print. */
    public void remember(int fd, String path) {
        if (path.length() < PATH_MAX) return;
        long[] id = files.devIno(fd, "", AT_EMPTY_PATH);
        if (id != null) LONG_PATHS.put(id[0] + ":" + id[1], path);
    }

    /** The kept path of {@code fd}'s object if it still names it (walked down from "/"), else null. */
    private String recall(int fd) {
        long[] id = files.devIno(fd, "", AT_EMPTY_PATH);
        if (id == null) return null;
        String path = LONG_PATHS.get(id[0] + ":" + id[1]);
        if (path == null) return null;
        int cur = openRoot();
        int from = 1;
        for (int slash = path.indexOf('/', from); slash > 0 && cur >= 0; slash = path.indexOf('/', from)) {
            int next = files.openat2(cur, path, from, slash, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0,
                    RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
            Files.close(cur);
            cur = next;
            from = slash + 1;
        }
        if (cur < 0) return null;
        long[] now = files.devIno(cur, path.substring(from), dev.jsyd.abi.OpenFlags.AT_SYMLINK_NOFOLLOW);
        Files.close(cur);
        return now != null && now[0] == id[0] && now[1] == id[1] ? path : null;
    }

    private String climb(int fd) {
        long[] target = files.devIno(fd, "", AT_EMPTY_PATH);
        if (target == null) return null;
        ArrayDeque<String> names = new ArrayDeque<>();
        int cur = files.openat(fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC, 0); // ENOTDIR: not a directory
        if (cur < 0) return null;
        try {
            long[] id = target;
            String top = null;
            for (int depth = 0; depth < MAX_CLIMB && top == null; depth++) {
                int parent = files.openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
                if (parent < 0) return null;
                String name = files.nameOf(parent, id[0], id[1]);
                Files.close(cur);
                cur = parent;
                if (name == null) return null;
                names.addFirst(name);
                id = files.devIno(cur, "", AT_EMPTY_PATH);
                if (id == null) return null;
                top = files.readlinkat(AT_FDCWD, "/proc/self/fd/" + cur);
                if (top == null && files.lastError() != Errno.ENAMETOOLONG) return null;
            }
            if (top == null) return null;
            // Down again from the named ancestor: the names must lead to the same directory.
            int down = files.openat(cur, ".", O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
            if (down < 0) return null;
            StringBuilder path = new StringBuilder(top);
            for (String name : names) {
                int next = files.openat(down, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
                Files.close(down);
                if (next < 0) return null;
                down = next;
                if (path.length() > 1) path.append('/');
                path.append(name);
            }
            long[] end = files.devIno(down, "", AT_EMPTY_PATH);
            Files.close(down);
            return end != null && end[0] == target[0] && end[1] == target[1] ? path.toString() : null;
        } finally {
            Files.close(cur);
        }
    }

    /** The calling thread's pid as the program's /proc names it. */
    private int ownPid(int tid) throws ResolveException {
        if (!view.privateProc()) return tid;
        int[] ids = view.local(files, tid);
        if (ids == null) throw new ResolveException(Errno.ENOENT);
        return ids[0];
    }

    /**
     * A magic link's path for the supervisor to open: with a private proc, the caller's own
     * {@code /proc/N[/task/T]} (N, T in the program's pid namespace) becomes the caller's
     * {@code /proc/TID}; another process's stays as the program named it (and is refused as not
     * the caller's own, see {@link MagicLinks}).
     */
    private String hostMagic(String magic, int tid) throws ResolveException {
        if (!view.privateProc()) return magic;
        int[] ids = view.local(files, tid);
        if (ids == null) throw new ResolveException(Errno.ENOENT);
        String[] parts = magic.substring(6).split("/", -1);
        String own = Integer.toString(ids[0]), group = Integer.toString(ids[1]), host = Integer.toString(tid);
        if (!parts[0].equals(own) && !parts[0].equals(group)) return magic;
        parts[0] = host;
        if (parts.length > 2 && parts[1].equals("task") && parts[2].equals(own)) parts[2] = host;
        return "/proc/" + String.join("/", parts);
    }

    private int openDir(int dirfd, String name) throws ResolveException {
        int fd = openDirOrErrno(dirfd, name);
        if (fd < 0) throw new ResolveException(-fd);
        return fd;
    }

    /** An O_PATH fd of directory {@code name} in {@code dirfd} (not followed; not across a mount under force_no_xdev), or -errno. */
    private int openDirOrErrno(int dirfd, String name) {
        return (forced & RESOLVE_NO_XDEV) == 0 ? files.openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0)
                : files.openat2(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0, RESOLVE_NO_XDEV);
    }

    /** {@code trace/force_no_xdev}: EXDEV when the last component is a mount point (entering it crosses a mount). */
    private void lastStaysOnItsMount(int dirfd, String name) throws ResolveException {
        int fd = files.openat2(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0, RESOLVE_NO_XDEV);
        if (fd == -Errno.EXDEV) throw new ResolveException(Errno.EXDEV);
        if (fd >= 0) Files.close(fd);
    }

    /** {@code trace/force_no_xdev}: EXDEV when an absolute symlink in {@code dirfd} jumps to a root on another file system. */
    private void crossesToRoot(int dirfd) throws ResolveException {
        int root = openRootDir();
        try {
            byte[] a = files.fstatat(dirfd, "", dev.jsyd.abi.OpenFlags.AT_EMPTY_PATH), b = files.fstatat(root, "", dev.jsyd.abi.OpenFlags.AT_EMPTY_PATH);
            if (a == null || b == null || java.nio.ByteBuffer.wrap(a).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(0)
                    != java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(0)) {
                throw new ResolveException(Errno.EXDEV);
            }
        } finally {
            Files.close(root);
        }
    }

    /** True when {@code dir/name} is a /proc magic link: /proc/N/{cwd,root,exe}, /proc/N/fd/M, and the task/ forms. */
    static boolean isMagicDir(CharSequence dir, String name) {
        String d = dir.toString();
        if (!d.startsWith("/proc/")) return false;
        String[] parts = d.substring(6).split("/");
        // /proc/N, /proc/N/task/T
        boolean procDir = (parts.length == 1 && isNumber(parts[0]))
                || (parts.length == 3 && isNumber(parts[0]) && parts[1].equals("task") && isNumber(parts[2]));
        if (procDir) return name.equals("cwd") || name.equals("root") || name.equals("exe");
        boolean fdDir = (parts.length == 2 && isNumber(parts[0]) && parts[1].equals("fd"))
                || (parts.length == 4 && isNumber(parts[0]) && parts[1].equals("task") && isNumber(parts[2]) && parts[3].equals("fd"));
        return fdDir && isNumber(name);
    }

    private static boolean isNumber(String s) {
        if (s.isEmpty()) return false;
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
        return true;
    }

    /** Splits on '/', dropping empty parts, and puts the parts in front of {@code todo} (or at its end). */
    private static void split(String path, ArrayDeque<String> todo, boolean front) {
        ArrayDeque<String> parts = new ArrayDeque<>();
        int i = 0, n = path.length();
        while (i < n) {
            while (i < n && path.charAt(i) == '/') i++;
            int j = i;
            while (j < n && path.charAt(j) != '/') j++;
            if (j > i) parts.add(path.substring(i, j));
            i = j;
        }
        if (front) {
            while (!parts.isEmpty()) todo.addFirst(parts.pollLast());
        } else {
            todo.addAll(parts);
        }
    }
}
