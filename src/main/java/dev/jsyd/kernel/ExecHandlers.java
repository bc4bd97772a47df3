package dev.jsyd.kernel;

import static dev.jsyd.abi.OpenFlags.AT_EMPTY_PATH;
import static dev.jsyd.abi.OpenFlags.AT_FDCWD;
import static dev.jsyd.abi.OpenFlags.AT_SYMLINK_NOFOLLOW;

import dev.jsyd.abi.Errno;
import dev.jsyd.policy.Category;
import dev.jsyd.sys.ErrnoException;
import dev.jsyd.sys.Files;

/**
 * execve and execveat: the file to be executed is resolved like the kernel would and checked
 * against the exec category; a denial answers EACCES, a hidden file (stat denied) ENOENT.
 *
 * <p>An exec cannot be emulated (the supervisor cannot replace another process's image), so an
 * allowed exec is answered with CONTINUE. On its own that would race: another thread of the
 * program could rewrite the path between the check and the kernel's own lookup. So every
 * process of the sandbox is traced, and at the PTRACE_EVENT_EXEC stop — the new image is loaded
 * but has not run a single instruction — {@link ExecCheck} checks what the kernel really executed;
 * a denied one is killed there.
 */
public final class ExecHandlers {
    private ExecHandlers() {}


    /** True for the name a memfd has in /proc ({@code /memfd:NAME (deleted)}). */
    static boolean isMemfd(String path) {
        return path != null && path.startsWith("/memfd:");
    }

    /** The log record of a refused memfd exec, with the switch that would allow it as its tip. */
    static AccessEvent memfdEvent(int pid, String path) {
        return new AccessEvent(Category.EXEC, dev.jsyd.policy.Action.DENY, "execve", pid, path, null, -1, 0,
                "configure `trace/allow_unsafe_memfd:1'");
    }

    /** The {@code #!} interpreter of the resolved file, or null when it is not a script. */
    private static String interpreter(Request r, PathResolver.Resolved res) {
        int fd = r.files().openat2(res.dirFd(), res.name(), dev.jsyd.abi.OpenFlags.O_RDONLY | dev.jsyd.abi.OpenFlags.O_CLOEXEC
                | dev.jsyd.abi.OpenFlags.O_NONBLOCK, 0, dev.jsyd.abi.OpenFlags.RESOLVE_NO_SYMLINKS | dev.jsyd.abi.OpenFlags.RESOLVE_BENEATH);
        if (fd < 0) return null;
        String head;
        try {
            head = r.files().readPrefix(fd, 256);
        } finally {
            Files.close(fd);
        }
        if (head == null || !head.startsWith("#!")) return null;
        int i = 2;
        while (i < head.length() && (head.charAt(i) == ' ' || head.charAt(i) == '\t')) i++;
        int j = i;
        while (j < head.length() && " \t\n".indexOf(head.charAt(j)) < 0) j++;
        return j > i ? head.substring(i, j) : null;
    }

    /** Checks a script's interpreter like the script; true when denied (and answered). */
    private static boolean deniedInterpreter(Request r, String sys, String interpreter) throws ErrnoException {
        try (PathResolver.Resolved res = r.resolver().resolve(r.pid(), AT_FDCWD, interpreter, PathResolver.Last.FOLLOW)) {
            if (r.denied(sys, res.path(), -1, Category.EXEC)) {
                r.fail(Errno.EACCES);
                return true;
            }
            return false;
        } catch (ResolveException e) {
            return false; // the kernel will report the missing interpreter itself
        }
    }

    public static void execve(Request r) throws ResolveException, ErrnoException {
        check(r, "execve", AT_FDCWD, r.arg(0), 0);
    }

    public static void execveat(Request r) throws ResolveException, ErrnoException {
        check(r, "execveat", (int) r.arg(0), r.arg(1), (int) r.arg(4));
    }

    private static void check(Request r, String sys, int dirfd, long pathAddr, int flags) throws ResolveException, ErrnoException {
        String path = r.readPath(pathAddr);
        if (!r.stillValid()) return;
        String canonical;
        boolean checkHidden = true;
        // Walk checks are made after the exec check (see below): collect the directories first.
        java.util.List<String> walked = new java.util.ArrayList<>();
        if (path.isEmpty() && (flags & AT_EMPTY_PATH) != 0) {
            String link = "/proc/" + r.pid() + "/fd/" + dirfd;
            canonical = r.ownProcLook(link, () -> r.files().readlinkat(AT_FDCWD, link));
            if (canonical == null) { r.fail(Errno.EBADF); return; }
            checkHidden = canonical.startsWith("/");
        } else {
            PathResolver.Last last = (flags & AT_SYMLINK_NOFOLLOW) != 0 ? PathResolver.Last.NOFOLLOW : PathResolver.Last.FOLLOW;
            PathResolver.WalkCheck walk = r.resolver().walkCheck();
            r.resolver().setWalkCheck(dir -> { walked.add(dir); return false; });
            try (PathResolver.Resolved res = r.resolver().resolve(r.pid(), dirfd, path, last)) {
                // A hidden file's existence and type are not looked at (hidden means absent): the
                // exec check decides (EACCES), then hiding (ENOENT), as for an absent name.
                boolean hides = !res.isMagic() && r.sandbox().checkPath(Category.STAT, res.path()) != dev.jsyd.policy.Action.ALLOW;
                if (!res.isMagic() && !res.name().isEmpty() && !hides) {
                    int type = r.files().fileType(res.dirFd(), res.name(), AT_SYMLINK_NOFOLLOW);
                    if (type < 0) { r.fail(-type); return; }
                    if (type == Files.S_IFDIR) { r.fail(Errno.EACCES); return; }
                    String interpreter = interpreter(r, res);
                    if (interpreter != null && deniedInterpreter(r, sys, interpreter)) return;
                }
                canonical = res.path();
                checkHidden = !res.isMagic();
            } finally {
                r.resolver().setWalkCheck(walk);
            }
        }
        // The exec check comes first: Syd checks exec on the file the kernel resolved, so an exec
        // denial is EACCES (`syd -- true` under the default policy exits 13, spec §2); only an
        // allowed exec of a file behind a denied walk or a hidden file answers ENOENT.
        if (isMemfd(canonical) && !r.sandbox().flag("trace/allow_unsafe_memfd")
                && Enforcement.apply(r.context(), r.pid(), dev.jsyd.policy.Action.DENY, memfdEvent(r.pid(), canonical))) {
            r.fail(Errno.EACCES); // executing memory is refused unless trace/allow_unsafe_memfd
            return;
        }
        if (r.denied(sys, canonical, -1, Category.EXEC)) {
            r.fail(Errno.EACCES);
            return;
        }
        PathResolver.WalkCheck walk = r.resolver().walkCheck();
        for (String dir : walked) {
            if (walk != null && walk.denied(dir)) { r.fail(Errno.ENOENT); return; }
        }
        if (checkHidden && r.hidden(sys, canonical)) { r.fail(Errno.ENOENT); return; }
        r.continueSyscall();
    }
}
