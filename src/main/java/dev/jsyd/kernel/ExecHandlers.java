package dev.jsyd.kernel;

import static dev.jsyd.abi.OpenFlags.AT_EMPTY_PATH;
import static dev.jsyd.abi.OpenFlags.AT_FDCWD;
import static dev.jsyd.abi.OpenFlags.AT_SYMLINK_NOFOLLOW;
import static dev.jsyd.abi.OpenFlags.O_CLOEXEC;
import static dev.jsyd.abi.OpenFlags.O_NONBLOCK;
import static dev.jsyd.abi.OpenFlags.O_RDONLY;
import static dev.jsyd.abi.OpenFlags.RESOLVE_BENEATH;
import static dev.jsyd.abi.OpenFlags.RESOLVE_NO_SYMLINKS;

import dev.jsyd.abi.Errno;
import dev.jsyd.policy.Category;
import dev.jsyd.sys.ErrnoException;
import dev.jsyd.sys.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * execve and execveat: the file to be executed is found like the kernel would and checked with
 * {@link ExecGate} (memfd, exec rules, SegvGuard, kind, TPE, Force); a refusal answers EACCES,
 * a hidden file (stat denied) or a denied walk ENOENT. A script's {@code #!} interpreter is
 * checked as the program too.
 *
 * <p>An executed fd — {@code execveat(fd, "", AT_EMPTY_PATH)}, {@code /dev/fd/N},
 * {@code /proc/self/fd/N} — is checked on the supervisor's own {@code pidfd_getfd} copy of that
 * fd, never by the name {@code /proc/PID/fd/N} shows; other paths are resolved component by
 * component and the file is opened beneath its parent, so the content checks read the checked file.
 *
 * <p>An exec cannot be emulated (the supervisor cannot replace another process's image), so an
 * allowed exec is answered with CONTINUE. The kernel then resolves the path or fd again, which
 * another thread may have changed; so every process of the sandbox is traced, and at the
 * PTRACE_EVENT_EXEC stop — the new image is loaded but has not run a single instruction —
 * {@link ExecCheck} checks what the kernel really executed; a refused one is killed there.
 */
public final class ExecHandlers {
    private ExecHandlers() {}

    /** {@code /dev/fd/N}, {@code /proc/self/fd/N}, {@code /proc/thread-self/fd/N}, {@code /proc/ID/fd/N}. */
    private static final Pattern FD_NAME = Pattern.compile("/(?:dev/fd|proc/(?:self|thread-self|(\\d+))(?:/task/\\d+)?/fd)/(\\d+)");

    public static void execve(Request r) throws ResolveException, ErrnoException {
        check(r, "execve", AT_FDCWD, r.arg(0), 0);
    }

    public static void execveat(Request r) throws ResolveException, ErrnoException {
        check(r, "execveat", (int) r.arg(0), r.arg(1), (int) r.arg(4));
    }

    private static void check(Request r, String sys, int dirfd, long pathAddr, int flags) throws ResolveException, ErrnoException {
        String path = r.readPath(pathAddr);
        if (!r.stillValid()) return;
        Target t = null;
        try {
            t = path.isEmpty() && (flags & AT_EMPTY_PATH) != 0 ? byFd(r, dirfd, Errno.EBADF) : null;
            Matcher m = FD_NAME.matcher(path);
            if (t == null && m.matches() && (m.group(1) == null || MagicLinks.ownProcess(r, "/proc/" + m.group(1)))) {
                t = byFd(r, Integer.parseInt(m.group(2)), Errno.ENOENT);
            }
            if (t == null) t = byPath(r, dirfd, path, flags);
            if (t.errno() != 0) { r.fail(t.errno()); return; }
            // The exec check comes first: Syd checks exec on the file the kernel resolved, so an exec
            // denial is EACCES (`syd -- true` under the default policy exits 13, spec §2); only an
            // allowed exec of a file behind a denied walk or a hidden file answers ENOENT.
            ExecGate gate = r.execGate();
            FileStat st = t.fd() >= 0 ? FileStat.ofFd(r.files(), t.fd()) : null; // one fstat for both checks
            boolean script = st != null && gate.isScript(t.fd(), st);
            boolean denied = t.kind() != null ? gate.programDenied(r.context(), r.pid(), sys, t.path(), t.stat(), t.kind())
                    : gate.denied(r.context(), r.pid(), sys, script ? ExecGate.Use.SCRIPT : ExecGate.Use.PROGRAM, t.path(), t.fd(), st, false)
                    || (script && interpreterDenied(r, sys, t.fd()));
            if (denied) {
                r.fail(Errno.EACCES);
                return;
            }
            PathResolver.WalkCheck walk = r.resolver().walkCheck();
            for (String dir : t.walked()) {
                if (walk != null && walk.denied(dir)) { r.fail(Errno.ENOENT); return; }
            }
            if (t.checkHidden() && r.hidden(sys, t.path())) { r.fail(Errno.ENOENT); return; }
            r.continueSyscall();
        } finally {
            if (t != null && t.fd() >= 0) Files.close(t.fd());
        }
    }

    /**
     * The file to execute: its canonical path, the supervisor's fd of it (-1 when it could not be
     * opened: the content checks are then made at the exec stop), the directories walked to it,
     * whether hiding applies (not for non-path objects), or the errno the exec fails with.
     */
    private record Target(String path, int fd, List<String> walked, boolean checkHidden, int errno, FileStat stat,
                          FileFacts.Kind kind) {
        Target(String path, int fd, List<String> walked, boolean checkHidden, int errno) {
            this(path, fd, walked, checkHidden, errno, null, null);
        }

        static Target failed(int errno) { return new Target(null, -1, List.of(), false, errno); }
    }

    /** The program's fd {@code n}, by the supervisor's pidfd_getfd copy; {@code missing} when it is not open. */
    private static Target byFd(Request r, int n, int missing) throws ErrnoException {
        int copy;
        try {
            copy = r.programFd(n);
        } catch (ErrnoException e) {
            return Target.failed(e.errno() == Errno.EBADF ? missing : e.errno());
        }
        String p = r.files().readlinkat(AT_FDCWD, "/proc/self/fd/" + copy);
        if (p == null) {
            Files.close(copy);
            return Target.failed(missing);
        }
        return new Target(p, copy, List.of(), p.startsWith("/") && !ExecGate.isMemfd(p), 0);
    }

    private static Target byPath(Request r, int dirfd, String path, int flags) throws ResolveException {
        // Walk checks are made after the exec check (see check): collect the directories first.
        List<String> walked = new ArrayList<>();
        boolean follow = (flags & AT_SYMLINK_NOFOLLOW) == 0;
        PathResolver.WalkCheck walk = r.resolver().walkCheck();
        r.resolver().setWalkCheck(dir -> { walked.add(dir); return false; });
        try {
            // Followed, the last component is first taken as it is (LAST_LAZY: no readlink); the
            // fstatat below tells a symlink, and only then is the path resolved again, following it.
            Target t = byPath(r, dirfd, path, follow ? PathResolver.Last.LAST_LAZY : PathResolver.Last.NOFOLLOW, walked);
            if (t != null) return t;
            walked.clear();
            return byPath(r, dirfd, path, PathResolver.Last.FOLLOW, walked);
        } finally {
            r.resolver().setWalkCheck(walk);
        }
    }

    /** {@link #byPath(Request, int, String, int)} resolving with {@code last}; null when LAST_LAZY met a symlink last. */
    private static Target byPath(Request r, int dirfd, String path, PathResolver.Last last, List<String> walked) throws ResolveException {
        try (PathResolver.Resolved res = r.resolver().resolve(r.pid(), dirfd, path, last)) {
            boolean unchecked = res.lastUnchecked();
            // A hidden file's existence and type are not looked at (hidden means absent): the exec
            // check decides (EACCES), then hiding (ENOENT), as for an absent name.
            boolean hides = !res.isMagic() && r.sandbox().checkPath(Category.STAT, res.path()) != dev.jsyd.policy.Action.ALLOW;
            if (unchecked && (res.isMagic() || res.name().isEmpty() || hides)) return null; // decided on the link's target only
            if (res.isMagic() || res.name().isEmpty() || hides) return new Target(res.path(), -1, walked, !res.isMagic(), 0);
            byte[] raw = r.files().fstatat(res.dirFd(), res.name(), AT_SYMLINK_NOFOLLOW);
            if (raw == null) return Target.failed(r.files().lastError());
            FileStat st = FileStat.of(raw);
            int type = st.type();
            if (unchecked && type == Files.S_IFLNK) return null;
            if (type == Files.S_IFDIR) return Target.failed(Errno.EACCES);
            // A program seen before (its kind kept by stat) under a policy that reads no content (no
            // TPE, no Force): checked by name and kind, not opened; the exec stop checks what runs.
            FileFacts.Kind known = type == Files.S_IFREG ? FileFacts.knownKind(st) : null;
            if (known != null && !known.script() && !ExecGate.checksMoreThanThePath(r.sandbox())) {
                return new Target(res.path(), -1, walked, true, 0, st, known);
            }
            int fd = type == Files.S_IFREG ? r.files().openat2(res.dirFd(), res.name(), O_RDONLY | O_CLOEXEC | O_NONBLOCK, 0,
                    RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH) : -1;
            return new Target(res.path(), Math.max(fd, -1), walked, true, 0);
        }
    }

    /** A script's {@code #!} interpreter, checked as the program that will run; true when refused. */
    private static boolean interpreterDenied(Request r, String sys, int scriptFd) {
        String head = r.files().readPrefix(scriptFd, 256);
        if (head == null || !head.startsWith("#!")) return false;
        int i = 2;
        while (i < head.length() && (head.charAt(i) == ' ' || head.charAt(i) == '\t')) i++;
        int j = i;
        while (j < head.length() && " \t\n".indexOf(head.charAt(j)) < 0) j++;
        if (j == i) return false;
        try (PathResolver.Resolved res = r.resolver().resolve(r.pid(), AT_FDCWD, head.substring(i, j), PathResolver.Last.FOLLOW)) {
            if (res.isMagic() || res.name().isEmpty()) return false;
            int fd = r.files().openat2(res.dirFd(), res.name(), O_RDONLY | O_CLOEXEC | O_NONBLOCK, 0, RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH);
            try {
                return r.execGate().denied(r.context(), r.pid(), sys, ExecGate.Use.PROGRAM, res.path(), fd, false);
            } finally {
                if (fd >= 0) Files.close(fd);
            }
        } catch (ResolveException e) {
            return false; // the kernel will report the missing interpreter itself
        }
    }
}
