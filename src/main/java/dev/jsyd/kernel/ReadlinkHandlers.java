package dev.jsyd.kernel;

import static dev.jsyd.abi.OpenFlags.AT_FDCWD;

import dev.jsyd.abi.Errno;
import dev.jsyd.abi.Syscalls;
import dev.jsyd.policy.Category;
import dev.jsyd.sys.ErrnoException;
import dev.jsyd.sys.StatCalls;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * readlink, readlinkat (category stat). The link is resolved without following its last
 * component, checked (a stat-denied link is hidden: ENOENT), read by the supervisor and written
 * into the program's buffer, truncated to the buffer size and without a NUL, like the kernel.
 * An empty path reads the link the dirfd itself refers to (an O_PATH fd of a symlink).
 * {@code /proc/self} and {@code /proc/thread-self} read as the program's ids, not the supervisor's.
 */
public final class ReadlinkHandlers {
    private ReadlinkHandlers() {}


    public static void readlink(Request r) throws ResolveException, ErrnoException {
        emulate(r, "readlink", AT_FDCWD, r.arg(0), r.arg(1), (int) r.arg(2));
    }

    public static void readlinkat(Request r) throws ResolveException, ErrnoException {
        emulate(r, "readlinkat", (int) r.arg(0), r.arg(1), r.arg(2), (int) r.arg(3));
    }

    private static void emulate(Request r, String sys, int dirfd, long pathAddr, long buf, int size)
            throws ResolveException, ErrnoException {
        if (size <= 0) { r.fail(Errno.EINVAL); return; }
        String path = r.readPath(pathAddr);
        if (!r.stillValid()) return;
        try (Lookup lk = path.isEmpty() ? Lookup.fd(r, dirfd) : Lookup.path(r, dirfd, path, false)) {
            if (lk.hidden(r, sys)) { r.fail(Errno.ENOENT); return; }
            StatCalls sc = r.statCalls();
            int err = lk.trailingSlashError(sc);
            if (err != 0) { r.fail(err); return; }
            byte[] target;
            if (lk.isProcSelfLink()) {
                int[] ids = r.context().view().local(r.files(), r.pid()); // as the program's /proc names them
                if (ids == null) { r.fail(Errno.ENOENT); return; }
                String t = lk.path.equals("/proc/self") ? Integer.toString(ids[1]) : ids[1] + "/task/" + ids[0];
                target = t.getBytes(StandardCharsets.ISO_8859_1);
            } else if (lk.isHeldDirectory()) {
                r.fail(Errno.EINVAL); // "/", ".", "..": a directory is not a link
                return;
            } else {
                long rc = lk.look(r, () -> sc.readlinkat(lk.atFd(), lk.atName()));
                if (rc < 0) { r.fail((int) -rc); return; }
                int n = (int) Math.min(size, rc);
                sc.writeTo(r.memory(), r.pid(), buf, n); // straight from the buffer the link was read into
                r.reply(n);
                return;
            }
            int n = Math.min(size, target.length);
            r.memory().write(r.pid(), buf, target, 0, n);
            r.reply(n);
        }
    }
}
