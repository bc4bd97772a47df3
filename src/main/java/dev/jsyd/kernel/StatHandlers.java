package dev.jsyd.kernel;

import static dev.jsyd.abi.OpenFlags.AT_EACCESS;
import static dev.jsyd.abi.OpenFlags.AT_EMPTY_PATH;
import static dev.jsyd.abi.OpenFlags.AT_FDCWD;
import static dev.jsyd.abi.OpenFlags.AT_NO_AUTOMOUNT;
import static dev.jsyd.abi.OpenFlags.AT_SYMLINK_NOFOLLOW;

import dev.jsyd.abi.Errno;
import dev.jsyd.abi.Syscalls;
import dev.jsyd.policy.Category;
import dev.jsyd.sys.ErrnoException;
import dev.jsyd.sys.Files;
import dev.jsyd.sys.StatCalls;
import java.util.List;

/**
 * stat, lstat, newfstatat, statx, statfs, access, faccessat, faccessat2 (category stat).
 *
 * <p>Emulated: the supervisor finds the object ({@link Lookup}), checks its canonical path
 * against stat (a denied path is hidden: ENOENT, spec §1), performs the call itself on that
 * object and writes the result struct into the program's memory (EFAULT when it cannot). fstat
 * and fstatfs stay in the kernel; glibc's fstat (newfstatat with AT_EMPTY_PATH) is checked on
 * the fd's path, except for objects without one (pipes, sockets).
 *
 * <p>access and faccessat* are answered by the supervisor's faccessat2 on the resolved object:
 * supervisor and program share credentials today, so the answer is the program's. If the
 * program ever runs with fewer privileges than the supervisor, this must change.
 */
public final class StatHandlers {
    private StatHandlers() {}


    static final int AT_STATX_SYNC_TYPE = 0x6000;
    static final int STATX_RESERVED = 0x80000000;
    private static final int STAT_FLAGS = AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH | AT_STATX_SYNC_TYPE;
    private static final int ACCESS_FLAGS = AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH;

    public static void stat(Request r) throws ResolveException, ErrnoException {
        fstatat(r, "stat", AT_FDCWD, r.arg(0), r.arg(1), 0);
    }

    public static void lstat(Request r) throws ResolveException, ErrnoException {
        fstatat(r, "lstat", AT_FDCWD, r.arg(0), r.arg(1), AT_SYMLINK_NOFOLLOW);
    }

    public static void newfstatat(Request r) throws ResolveException, ErrnoException {
        fstatat(r, "newfstatat", (int) r.arg(0), r.arg(1), r.arg(2), (int) r.arg(3));
    }

    private static void fstatat(Request r, String sys, int dirfd, long pathAddr, long buf, int flags)
            throws ResolveException, ErrnoException {
        try (Lookup lk = Lookup.findForStatLazy(r, dirfd, pathAddr, flags, true)) {
            if (lk == null) return;
            if ((flags & ~STAT_FLAGS) != 0) { r.fail(Errno.EINVAL); return; }
            if (lk.lastUnchecked() || lk.baseUnchecked()) {
                // The last component was not read as a link: stat it without following first (no
                // effect yet); anything but a symlink means the path checked below is the right one.
                // A directory fd named, not opened: ENOTDIR when it is none, before any check.
                StatCalls sc = r.statCalls();
                long rc = lk.look(r, () -> sc.fstatat(lk.atFd(), lk.atName(), lk.atFlags() | (flags & AT_NO_AUTOMOUNT)));
                if (rc == -Errno.ENOTDIR && lk.baseUnchecked()) { r.fail(Errno.ENOTDIR); return; }
                if (rc < 0 || !lk.lastUnchecked() || (sc.statMode() & Files.S_IFMT) != Files.S_IFLNK) {
                    answer(r, sys, lk, rc, buf);
                    return;
                }
                try (Lookup again = lk.resolvedAgain(r)) { // a symlink after all: follow it the long way
                    fstatat(r, sys, again, buf, flags);
                }
                return;
            }
            fstatat(r, sys, lk, buf, flags);
        }
    }

    /** The stat check, then the answer for a stat result {@code rc} (0: in {@code r.statCalls()}) of {@code lk}'s object. */
    private static void answer(Request r, String sys, Lookup lk, long rc, long buf) throws ErrnoException {
        if (lk.hidden(r, sys)) { r.fail(Errno.ENOENT); return; }
        if (rc < 0) { r.fail((int) -rc); return; }
        r.statCalls().writeTo(r.memory(), r.pid(), buf, StatCalls.STAT_SIZE);
        r.reply(0);
    }

    private static void fstatat(Request r, String sys, Lookup lk, long buf, int flags) throws ErrnoException {
        if (lk.hidden(r, sys)) { r.fail(Errno.ENOENT); return; }
        StatCalls sc = r.statCalls();
        int err = lk.trailingSlashError(sc);
        if (err != 0) { r.fail(err); return; }
        long rc = lk.look(r, () -> sc.fstatat(lk.atFd(), lk.atName(), lk.atFlags() | (flags & AT_NO_AUTOMOUNT)));
        if (rc < 0) { r.fail((int) -rc); return; }
        sc.writeTo(r.memory(), r.pid(), buf, StatCalls.STAT_SIZE);
        r.reply(0);
    }

    public static void statx(Request r) throws ResolveException, ErrnoException {
        int dirfd = (int) r.arg(0), flags = (int) r.arg(2), mask = (int) r.arg(3);
        long buf = r.arg(4);
        try (Lookup lk = Lookup.findForStatx(r, dirfd, r.arg(1), flags, true)) {
            if (lk == null) return;
            if ((mask & STATX_RESERVED) != 0 || (flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE
                    || (flags & ~STAT_FLAGS) != 0) {
                r.fail(Errno.EINVAL);
                return;
            }
            if (lk.hidden(r, "statx")) { r.fail(Errno.ENOENT); return; }
            StatCalls sc = r.statCalls();
            int err = lk.trailingSlashError(sc);
            if (err != 0) { r.fail(err); return; }
            long rc = lk.look(r, () -> sc.statx(lk.atFd(), lk.atName(), lk.atFlags() | (flags & (AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE)), mask));
            if (rc < 0) { r.fail((int) -rc); return; }
            sc.writeTo(r.memory(), r.pid(), buf, StatCalls.STATX_SIZE);
            r.reply(0);
        }
    }

    public static void statfs(Request r) throws ResolveException, ErrnoException {
        long buf = r.arg(1);
        try (Lookup lk = Lookup.find(r, AT_FDCWD, r.arg(0), 0, false)) {
            if (lk == null) return;
            if (lk.hidden(r, "statfs")) { r.fail(Errno.ENOENT); return; }
            StatCalls sc = r.statCalls();
            int err = lk.trailingSlashError(sc);
            if (err != 0) { r.fail(err); return; }
            int fd = lk.openObject(sc);
            if (fd < 0) { r.fail(-fd); return; }
            long rc;
            try {
                rc = sc.fstatfs(fd);
            } finally {
                Files.close(fd);
            }
            if (rc < 0) { r.fail((int) -rc); return; }
            sc.writeTo(r.memory(), r.pid(), buf, StatCalls.STATFS_SIZE);
            r.reply(0);
        }
    }

    public static void access(Request r) throws ResolveException, ErrnoException {
        faccess(r, "access", AT_FDCWD, r.arg(0), (int) r.arg(1), 0);
    }

    public static void faccessat(Request r) throws ResolveException, ErrnoException {
        faccess(r, "faccessat", (int) r.arg(0), r.arg(1), (int) r.arg(2), 0);
    }

    public static void faccessat2(Request r) throws ResolveException, ErrnoException {
        faccess(r, "faccessat2", (int) r.arg(0), r.arg(1), (int) r.arg(2), (int) r.arg(3));
    }

    private static void faccess(Request r, String sys, int dirfd, long pathAddr, int mode, int flags)
            throws ResolveException, ErrnoException {
        if ((mode & ~7) != 0 || (flags & ~ACCESS_FLAGS) != 0) { r.fail(Errno.EINVAL); return; }
        // Without AT_EACCESS the kernel checks the whole lookup with the caller's real ids (and, for
        // a real uid 0, its permitted capabilities): the worker takes exactly those, and asks with AT_EACCESS.
        if ((flags & AT_EACCESS) == 0) r.credentials().become(r.task().accessIdentity());
        try (Lookup lk = Lookup.findForStat(r, dirfd, pathAddr, flags, false)) {
            if (lk == null) return;
            if (lk.hidden(r, sys)) { r.fail(Errno.ENOENT); return; }
            StatCalls sc = r.statCalls();
            int err = lk.trailingSlashError(sc);
            if (err != 0) { r.fail(err); return; }
            long rc = lk.act(r, () -> sc.faccessat2(lk.atFd(), lk.atName(), mode, lk.atFlags() | AT_EACCESS));
            if (rc < 0) { r.fail((int) -rc); return; }
            r.reply(0);
        }
    }
}
