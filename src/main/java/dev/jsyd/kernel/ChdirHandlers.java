package dev.jsyd.kernel;

import static dev.jsyd.abi.OpenFlags.AT_FDCWD;

import dev.jsyd.abi.Errno;
import dev.jsyd.abi.Syscalls;
import dev.jsyd.policy.Category;
import dev.jsyd.sys.ErrnoException;
import dev.jsyd.sys.Files;
import java.util.List;

/**
 * chdir, fchdir (category chdir) and chroot, pivot_root (category chroot).
 *
 * <p>The cwd is the program's own kernel state, which the supervisor cannot set for it: an
 * allowed chdir/fchdir is checked on the canonical directory and then CONTINUEd (see the
 * CONTINUE table in docs/EMULATION.md for why a swapped target gains nothing: every later path
 * is resolved from the actual cwd in {@code /proc/TID/cwd} and checked on its own).
 *
 * <p>A changed root cannot be followed by the supervisor's resolver (it resolves absolute paths
 * from the host root, and exec is checked on the host path), so an allowed chroot or pivot_root
 * is answered EPERM — what an unprivileged program gets natively — never let through. A denied
 * one is EACCES, as for every category.
 */
public final class ChdirHandlers {
    private ChdirHandlers() {}


    public static void chdir(Request r) throws ResolveException, ErrnoException {
        String path = r.readPath(r.arg(0));
        if (!r.stillValid()) return;
        try (PathArgs.Target t = PathArgs.target(r, "chdir", AT_FDCWD, path, true, Category.CHDIR)) {
            if (!isDir(t)) { r.fail(Errno.ENOTDIR); return; }
            if (r.denied("chdir", t.path(), -1, Category.CHDIR)) { r.fail(Errno.EACCES); return; }
            r.context().chdirWatch().expect(r, r.pid(), ChdirWatch.statOf(r.files(), t));
            r.continueSyscall(); // CONTINUE: see docs/EMULATION.md (chdir); verified by ChdirWatch
        }
    }

    public static void fchdir(Request r) throws ResolveException, ErrnoException {
        try (PathArgs.Target t = PathArgs.fd(r, (int) r.arg(0))) {
            if (!isDir(t)) { r.fail(Errno.ENOTDIR); return; }
            if (r.denied("fchdir", t.path(), -1, Category.CHDIR)) { r.fail(Errno.EACCES); return; }
            r.context().chdirWatch().expect(r, r.pid(), ChdirWatch.statOf(r.files(), t));
            r.continueSyscall(); // CONTINUE: see docs/EMULATION.md (fchdir); verified by ChdirWatch
        }
    }

    public static void chroot(Request r) throws ResolveException, ErrnoException {
        String path = r.readPath(r.arg(0));
        if (!r.stillValid()) return;
        try (PathArgs.Target t = PathArgs.target(r, "chroot", AT_FDCWD, path, true, Category.CHROOT)) {
            if (!isDir(t)) { r.fail(Errno.ENOTDIR); return; }
            if (r.denied("chroot", t.path(), -1, Category.CHROOT)) { r.fail(Errno.EACCES); return; }
            r.fail(Errno.EPERM);
        }
    }

    public static void pivotRoot(Request r) throws ResolveException, ErrnoException {
        String path = r.readPath(r.arg(0));
        r.readPath(r.arg(1)); // put_old: must be readable, as natively (EFAULT)
        if (!r.stillValid()) return;
        try (PathArgs.Target t = PathArgs.target(r, "pivot_root", AT_FDCWD, path, true, Category.CHROOT)) {
            if (r.denied("pivot_root", t.path(), -1, Category.CHROOT)) { r.fail(Errno.EACCES); return; }
            r.fail(Errno.EPERM);
        }
    }

    private static boolean isDir(PathArgs.Target t) {
        int m = t.mode();
        return m >= 0 && (m & Files.S_IFMT) == Files.S_IFDIR;
    }
}
