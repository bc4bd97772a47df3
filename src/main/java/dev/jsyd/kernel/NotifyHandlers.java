package dev.jsyd.kernel;

import static dev.jsyd.abi.OpenFlags.AT_FDCWD;
import static dev.jsyd.abi.OpenFlags.O_CLOEXEC;
import static dev.jsyd.abi.OpenFlags.O_NOFOLLOW;
import static dev.jsyd.abi.OpenFlags.O_PATH;

import dev.jsyd.abi.Errno;
import dev.jsyd.abi.Syscalls;
import dev.jsyd.policy.Category;
import dev.jsyd.sys.ErrnoException;
import dev.jsyd.sys.FileOps;
import dev.jsyd.sys.Files;
import java.util.List;

/**
 * inotify_add_watch and fanotify_mark: category notify, checked on the canonical path of the
 * watched object (last component followed unless IN_DONT_FOLLOW / FAN_MARK_DONT_FOLLOW). The
 * supervisor adds the watch itself on a duplicate of the program's inotify/fanotify fd (which
 * shares the instance, so the watch is the program's), naming the object it resolved through
 * {@code /proc/self/fd/N} of an O_PATH fd: nothing the program swaps afterwards is watched.
 */
public final class NotifyHandlers {
    private NotifyHandlers() {}


    static final int IN_DONT_FOLLOW = 0x02000000;
    static final int FAN_MARK_DONT_FOLLOW = 0x04, FAN_MARK_FLUSH = 0x80;

    public static void inotifyAddWatch(Request r) throws ResolveException, ErrnoException {
        int mask = (int) r.arg(2);
        String path = r.readPath(r.arg(1));
        if (!r.stillValid()) return;
        try (Watch w = Watch.of(r, "inotify_add_watch", AT_FDCWD, path, (mask & IN_DONT_FOLLOW) == 0)) {
            int dup = r.programFd((int) r.arg(0));
            try {
                int wd = FileOps.inotifyAddWatch(dup, "/proc/self/fd/" + w.fd, mask & ~IN_DONT_FOLLOW);
                if (wd < 0) { r.fail(-wd); return; }
                r.reply(wd);
            } finally {
                Files.close(dup);
            }
        }
    }

    public static void fanotifyMark(Request r) throws ResolveException, ErrnoException {
        int flags = (int) r.arg(1);
        long mask = r.arg(2);
        int dirfd = (int) r.arg(3);
        long pathAddr = r.arg(4);
        int dup = r.programFd((int) r.arg(0));
        try {
            if ((flags & FAN_MARK_FLUSH) != 0) { // no object: nothing to check
                if (!r.stillValid()) return;
                int rc = FileOps.fanotifyMark(dup, flags, mask, dirfd, null);
                if (rc < 0) { r.fail(-rc); return; }
                r.reply(rc);
                return;
            }
            boolean follow = (flags & FAN_MARK_DONT_FOLLOW) == 0;
            String path = pathAddr == 0 ? null : r.readPath(pathAddr);
            if (!r.stillValid()) return;
            try (Watch w = path == null ? Watch.ofFd(r, "fanotify_mark", dirfd) : Watch.of(r, "fanotify_mark", dirfd, path, follow)) {
                int rc = FileOps.fanotifyMark(dup, flags & ~FAN_MARK_DONT_FOLLOW, mask, AT_FDCWD, "/proc/self/fd/" + w.fd);
                if (rc < 0) { r.fail(-rc); return; }
                r.reply(rc);
            }
        } finally {
            Files.close(dup);
        }
    }

    /** An O_PATH fd of the checked object (the caller closes it via close()). */
    private record Watch(int fd) implements AutoCloseable {
        /** Resolves, checks (throws EACCES when denied) and opens the object O_PATH without following. */
        static Watch of(Request r, String sys, int dirfd, String path, boolean follow) throws ResolveException {
            try (PathArgs.Target t = PathArgs.target(r, sys, dirfd, path, follow, Category.NOTIFY)) {
                return check(r, sys, t);
            }
        }

        static Watch ofFd(Request r, String sys, int fd) throws ResolveException, ErrnoException {
            if (fd == AT_FDCWD) return of(r, sys, AT_FDCWD, ".", true);
            try (PathArgs.Target t = PathArgs.fd(r, fd)) {
                return check(r, sys, t);
            }
        }

        private static Watch check(Request r, String sys, PathArgs.Target t) throws ResolveException {
            if (r.denied(sys, t.path(), -1, Category.NOTIFY)) throw new ResolveException(Errno.EACCES);
            int fd = t.fd() >= 0
                    ? r.files().openat(AT_FDCWD, "/proc/self/fd/" + t.fd(), O_PATH | O_CLOEXEC, 0)
                    : r.files().openat(t.dirFd(), t.name().isEmpty() ? "." : t.name(), O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
            if (fd < 0) throw new ResolveException(-fd);
            return new Watch(fd);
        }

        @Override public void close() { Files.close(fd); }
    }
}
