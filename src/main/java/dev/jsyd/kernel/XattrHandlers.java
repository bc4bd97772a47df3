package dev.jsyd.kernel;

import static dev.jsyd.abi.OpenFlags.AT_FDCWD;

import dev.jsyd.abi.Errno;
import dev.jsyd.abi.Syscalls;
import dev.jsyd.policy.Category;
import dev.jsyd.sys.ErrnoException;
import dev.jsyd.sys.Files;
import dev.jsyd.sys.StatCalls;
import java.util.List;

/**
 * Extended attributes. getxattr, lgetxattr, fgetxattr, listxattr, llistxattr, flistxattr are
 * checked against stat (denied: hidden, ENOENT); setxattr, lsetxattr, fsetxattr, removexattr,
 * lremovexattr, fremovexattr against chattr (denied: EACCES; a hidden path: ENOENT).
 *
 * <p>Emulated: the arguments are read once and validated in the kernel's order (flags, name,
 * value, then the path); the path forms act on the resolved object through the supervisor's own
 * fds ({@code l*xattr("/proc/self/fd/PARENT/NAME")}), the fd forms on a pidfd_getfd duplicate of
 * the program's fd, checked on that duplicate's path. Values and lists larger than 64 KiB are
 * capped like the kernel caps them.
 *
 * <p>The *xattrat calls (Linux 6.13) are not emulated yet: they answer ENOSYS, as on an older
 * kernel, rather than run unchecked.
 */
public final class XattrHandlers {
    private XattrHandlers() {}

    public static void getxattr(Request r) throws ResolveException, ErrnoException { get(r, true); }
    public static void lgetxattr(Request r) throws ResolveException, ErrnoException { get(r, false); }
    public static void listxattr(Request r) throws ResolveException, ErrnoException { list(r, true); }
    public static void llistxattr(Request r) throws ResolveException, ErrnoException { list(r, false); }
    public static void setxattr(Request r) throws ResolveException, ErrnoException { set(r, true); }
    public static void lsetxattr(Request r) throws ResolveException, ErrnoException { set(r, false); }
    public static void removexattr(Request r) throws ResolveException, ErrnoException { remove(r, true); }
    public static void lremovexattr(Request r) throws ResolveException, ErrnoException { remove(r, false); }

    private static final int XATTR_NAME_MAX = 255, XATTR_SIZE_MAX = 65536, XATTR_LIST_MAX = 65536;
    private static final int XATTR_CREATE = 1, XATTR_REPLACE = 2;
    private static final int PAGE = 4096;

    private static String sysName(Request r) { return Syscalls.name(r.notification.nr); }

    /** Reads an attribute name like the kernel: at most 255 bytes; empty or longer is ERANGE. */
    static String readName(Request r, long addr) throws ErrnoException {
        if (addr == 0) throw new ErrnoException("xattr name", Errno.EFAULT);
        StringBuilder b = new StringBuilder();
        long p = addr;
        while (b.length() <= XATTR_NAME_MAX) {
            int chunk = (int) Math.min(PAGE - (p & (PAGE - 1)), XATTR_NAME_MAX + 1 - b.length());
            byte[] bytes = r.memory().read(r.pid(), p, chunk);
            for (byte x : bytes) {
                if (x == 0) {
                    if (b.isEmpty()) throw new ErrnoException("xattr name", Errno.ERANGE);
                    return b.toString();
                }
                b.append((char) (x & 0xff));
            }
            p += chunk;
        }
        throw new ErrnoException("xattr name", Errno.ERANGE);
    }

    private static int cap(long size, int max) {
        return size < 0 || size > max ? max : (int) size;
    }

    // getxattr(path, name, value, size) / lgetxattr
    private static void get(Request r, boolean follow) throws ResolveException, ErrnoException {
        String attr = readName(r, r.arg(1));
        String path = r.readPath(r.arg(0));
        if (!r.stillValid()) return;
        long size = r.arg(3);
        try (Lookup lk = Lookup.path(r, AT_FDCWD, path, follow)) {
            if (lk.hidden(r, sysName(r))) { r.fail(Errno.ENOENT); return; }
            StatCalls sc = r.statCalls();
            int err = lk.trailingSlashError(sc);
            if (err != 0) { r.fail(err); return; }
            answer(r, sc, sc.getxattr(lk.xattrPath(), lk.xattrFollow(), attr, cap(size, XATTR_SIZE_MAX)), r.arg(2), size);
        }
    }

    public static void fgetxattr(Request r) throws ResolveException, ErrnoException {
        long size = r.arg(3);
        try (Lookup lk = Lookup.fd(r, fdArg(r))) {
            String attr = readName(r, r.arg(1));
            if (!r.stillValid()) return;
            if (lk.hidden(r, "fgetxattr")) { r.fail(Errno.ENOENT); return; }
            StatCalls sc = r.statCalls();
            answer(r, sc, sc.fgetxattr(lk.atFd(), attr, cap(size, XATTR_SIZE_MAX)), r.arg(2), size);
        }
    }

    // listxattr(path, list, size) / llistxattr
    private static void list(Request r, boolean follow) throws ResolveException, ErrnoException {
        String path = r.readPath(r.arg(0));
        if (!r.stillValid()) return;
        long size = r.arg(2);
        try (Lookup lk = Lookup.path(r, AT_FDCWD, path, follow)) {
            if (lk.hidden(r, sysName(r))) { r.fail(Errno.ENOENT); return; }
            StatCalls sc = r.statCalls();
            int err = lk.trailingSlashError(sc);
            if (err != 0) { r.fail(err); return; }
            answer(r, sc, sc.listxattr(lk.xattrPath(), lk.xattrFollow(), cap(size, XATTR_LIST_MAX)), r.arg(1), size);
        }
    }

    public static void flistxattr(Request r) throws ResolveException, ErrnoException {
        long size = r.arg(2);
        try (Lookup lk = Lookup.fd(r, fdArg(r))) {
            if (!r.stillValid()) return;
            if (lk.hidden(r, "flistxattr")) { r.fail(Errno.ENOENT); return; }
            StatCalls sc = r.statCalls();
            answer(r, sc, sc.flistxattr(lk.atFd(), cap(size, XATTR_LIST_MAX)), r.arg(1), size);
        }
    }

    /** Answers a get/list: the length, after copying the data when the program asked for it. */
    private static void answer(Request r, StatCalls sc, long rc, long buf, long size) throws ErrnoException {
        if (rc < 0) { r.fail((int) -rc); return; }
        if (size != 0 && rc > 0) r.memory().write(r.pid(), buf, sc.bytes(0, (int) rc), 0, (int) rc);
        r.reply(rc);
    }

    /** The value of a set call (read once); null when answered (E2BIG). */
    private static byte[] readValue(Request r, long addr, long size) throws ErrnoException {
        if (size == 0) return new byte[0];
        if (size < 0 || size > XATTR_SIZE_MAX) { r.fail(Errno.E2BIG); return null; }
        return r.memory().read(r.pid(), addr, (int) size);
    }

    // setxattr(path, name, value, size, flags) / lsetxattr
    private static void set(Request r, boolean follow) throws ResolveException, ErrnoException {
        int flags = (int) r.arg(4);
        if ((flags & ~(XATTR_CREATE | XATTR_REPLACE)) != 0) { r.fail(Errno.EINVAL); return; }
        String attr = readName(r, r.arg(1));
        byte[] value = readValue(r, r.arg(2), r.arg(3));
        if (value == null) return;
        String path = r.readPath(r.arg(0));
        if (!r.stillValid()) return;
        try (Lookup lk = Lookup.path(r, AT_FDCWD, path, follow)) {
            if (lk.hidden(r, sysName(r))) { r.fail(Errno.ENOENT); return; }
            if (lk.denied(r, sysName(r), Category.CHATTR)) { r.fail(Errno.EACCES); return; }
            StatCalls sc = r.statCalls();
            int err = lk.trailingSlashError(sc);
            if (err != 0) { r.fail(err); return; }
            done(r, sc.setxattr(lk.xattrPath(), lk.xattrFollow(), attr, value, flags));
        }
    }

    public static void fsetxattr(Request r) throws ResolveException, ErrnoException {
        int flags = (int) r.arg(4);
        try (Lookup lk = Lookup.fd(r, fdArg(r))) {
            if ((flags & ~(XATTR_CREATE | XATTR_REPLACE)) != 0) { r.fail(Errno.EINVAL); return; }
            String attr = readName(r, r.arg(1));
            byte[] value = readValue(r, r.arg(2), r.arg(3));
            if (value == null) return;
            if (!r.stillValid()) return;
            if (lk.hidden(r, "fsetxattr")) { r.fail(Errno.ENOENT); return; }
            if (lk.denied(r, "fsetxattr", Category.CHATTR)) { r.fail(Errno.EACCES); return; }
            done(r, r.statCalls().fsetxattr(lk.atFd(), attr, value, flags));
        }
    }

    // removexattr(path, name) / lremovexattr
    private static void remove(Request r, boolean follow) throws ResolveException, ErrnoException {
        String attr = readName(r, r.arg(1));
        String path = r.readPath(r.arg(0));
        if (!r.stillValid()) return;
        try (Lookup lk = Lookup.path(r, AT_FDCWD, path, follow)) {
            if (lk.hidden(r, sysName(r))) { r.fail(Errno.ENOENT); return; }
            if (lk.denied(r, sysName(r), Category.CHATTR)) { r.fail(Errno.EACCES); return; }
            StatCalls sc = r.statCalls();
            int err = lk.trailingSlashError(sc);
            if (err != 0) { r.fail(err); return; }
            done(r, sc.removexattr(lk.xattrPath(), lk.xattrFollow(), attr));
        }
    }

    public static void fremovexattr(Request r) throws ResolveException, ErrnoException {
        try (Lookup lk = Lookup.fd(r, fdArg(r))) {
            String attr = readName(r, r.arg(1));
            if (!r.stillValid()) return;
            if (lk.hidden(r, "fremovexattr")) { r.fail(Errno.ENOENT); return; }
            if (lk.denied(r, "fremovexattr", Category.CHATTR)) { r.fail(Errno.EACCES); return; }
            done(r, r.statCalls().fremovexattr(lk.atFd(), attr));
        }
    }

    private static void done(Request r, long rc) {
        if (rc < 0) r.fail((int) -rc);
        else r.reply(0);
    }

    /** The fd argument: an {@code int} in the kernel; AT_FDCWD is just a bad fd here. */
    private static int fdArg(Request r) {
        int fd = (int) r.arg(0);
        return fd < 0 ? Integer.MIN_VALUE : fd;
    }

    /** The *xattrat calls: not emulated yet, answered as by a kernel without them. */
    public static void notYet(Request r) { r.fail(Errno.ENOSYS); }
}
