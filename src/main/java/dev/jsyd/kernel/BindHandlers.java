package dev.jsyd.kernel;

import static dev.jsyd.abi.OpenFlags.AT_EMPTY_PATH;
import static dev.jsyd.abi.OpenFlags.AT_FDCWD;
import static dev.jsyd.abi.OpenFlags.O_CLOEXEC;
import static dev.jsyd.abi.OpenFlags.O_NOFOLLOW;
import static dev.jsyd.abi.OpenFlags.O_PATH;

import dev.jsyd.abi.Errno;
import dev.jsyd.abi.Syscalls;
import dev.jsyd.kernel.SockaddrDecoder.Abstract;
import dev.jsyd.kernel.SockaddrDecoder.Addr;
import dev.jsyd.kernel.SockaddrDecoder.Inet;
import dev.jsyd.kernel.SockaddrDecoder.Unnamed;
import dev.jsyd.kernel.SockaddrDecoder.UnixPath;
import dev.jsyd.policy.Category;
import dev.jsyd.sys.ErrnoException;
import dev.jsyd.sys.Files;
import dev.jsyd.sys.Sockets;
import java.util.List;

/**
 * bind, and the getsockname fix-up it needs.
 *
 * <p>bind: the address is read once, decoded for the socket's domain and checked against
 * {@code net/bind}; the supervisor then binds its duplicate of the program's socket. A UNIX
 * path is resolved like a file path without following the last component (only the parent must
 * exist) and bound from the checked parent directory fd, never by re-resolving the path: a
 * one-component relative name as given (after fchdir to the parent fd in the worker's private
 * cwd), other paths as {@code /proc/self/fd/<parent fd>/<name>} (or {@code <name>} after fchdir
 * when that does not fit {@code sun_path}), with the program's umask (the worker's private umask).
 * With {@code trace/allow_safe_bind} the bound address (for port 0 the one getsockname reports)
 * is allowed for connect from then on.
 *
 * <p>Implicit binds are binds too, checked against {@code net/bind} (docs/DECISIONS.md):
 * {@code listen} on an IP socket with no port takes an ephemeral port on the address it has
 * (0.0.0.0 or :: when unbound), checked as that address with port 0 ({@code allow/net/bind+any!0});
 * a UNIX socket that the kernel names itself (bind with the family alone; connect or sendto with
 * SO_PASSCRED or SO_PASSPIDFD on an unnamed socket) is checked as the empty abstract name
 * {@code @} ({@code allow/net/bind+@}, or {@code @**}). An ephemeral port taken by connect or by
 * a send on an unbound UDP socket is not a bind here, as in Syd.
 *
 * <p>listen is emulated (on the supervisor's duplicate of the socket, the very socket checked) so
 * that another thread cannot swap the fd between the check and the call.
 *
 * <p>getsockname: emulated so that a UNIX socket the supervisor bound reports the name the
 * program asked for, not the {@code /proc/self/fd/...} name the supervisor used.
 */
public final class BindHandlers {
    private BindHandlers() {}

    /** What a kernel-chosen UNIX socket name is checked as: the empty abstract name, {@code @}. */
    static final Abstract AUTOBIND = new Abstract("");
    static final int SOCK_STREAM = 1, SOCK_SEQPACKET = 5;

    public static void bind(Request r) throws ResolveException, ErrnoException {
        int addrlen = (int) r.arg(2);
        int sock = r.programFd((int) r.arg(0));
        try {
            Sockets s = Sockets.current();
            NetAccess.Address read = NetAccess.readAddress(r, s, sock, r.arg(1), addrlen, SockaddrDecoder.Op.BIND);
            if (read == null) return;
            Addr a = read.addr();
            byte[] raw = read.raw();
            if (a instanceof UnixPath up) {
                bindUnix(r, s, sock, up);
                return;
            }
            if (a instanceof Inet in && r.sandbox().flag("trace/force_local_net")) {
                raw = loopback(raw, in);
                a = SockaddrDecoder.boundInet(raw);
            }
            if (NetAccess.denied(r, "bind", Category.NET_BIND, a instanceof Unnamed ? AUTOBIND : a, null)) {
                r.fail(Errno.EACCES);
                return;
            }
            int landlock = NetAccess.landlockRefusal(r, dev.jsyd.abi.Landlock.BIND_TCP, a, sock);
            if (landlock != 0) { r.fail(landlock); return; }
            int rc = s.bind(sock, raw);
            if (rc < 0) { r.fail(-rc); return; }
            String abstractName = a instanceof Abstract ab ? ab.text() : a instanceof Unnamed ? autoboundName(s, sock) : null;
            if (abstractName != null) NetAccess.state(r).recordAbstract(abstractName);
            if (r.sandbox().flag("trace/allow_safe_bind")) recordBound(r, s, sock, a);
            r.reply(0);
        } finally {
            Files.close(sock);
        }
    }

    /**
     * {@code trace/force_local_net}: the IP sockaddr {@code raw} (of {@code in}) with its address
     * replaced by loopback, the port kept: 127.0.0.1 for IPv4, ::1 for IPv6, ::ffff:127.0.0.1 for an
     * IPv4-mapped address (so a v4-mapped socket stays reachable from IPv4). A sandboxed server is
     * then reachable from the host only.
     */
    static byte[] loopback(byte[] raw, Inet in) {
        byte[] out = raw.clone();
        if (in.ipv() == 4) {
            out[4] = 127; out[5] = 0; out[6] = 0; out[7] = 1;
            return out;
        }
        boolean mapped = true;
        for (int i = 0; i < 10; i++) mapped &= in.ip()[i] == 0;
        mapped &= in.ip()[10] == (byte) 0xff && in.ip()[11] == (byte) 0xff;
        java.util.Arrays.fill(out, 8, 24, (byte) 0);
        if (mapped) {
            out[18] = (byte) 0xff; out[19] = (byte) 0xff; out[20] = 127; out[23] = 1;
        } else {
            out[23] = 1;
        }
        return out;
    }

    /** Under allow_safe_bind: the address {@code sock} got (an ephemeral port, an autobound name) may be connected to. */
    private static void recordBound(Request r, Sockets s, int sock, Addr a) {
        if (a instanceof Abstract ab) {
            NetAccess.state(r).recordBound(ab.text());
            return;
        }
        Inet bound = SockaddrDecoder.boundInet(s.getsockname(sock));
        String autobound = bound == null ? autoboundName(s, sock) : null;
        if (bound != null) NetAccess.state(r).recordBound(bound);
        else if (autobound != null) NetAccess.state(r).recordBound(autobound);
    }

    /** {@code @name} of the abstract name the kernel gave {@code sock}, or null. */
    private static String autoboundName(Sockets s, int sock) {
        byte[] name = s.getsockname(sock);
        if (name == null || name.length <= 3 || name[0] != SockaddrDecoder.AF_UNIX || name[2] != 0) return null;
        return "@" + dev.jsyd.policy.Bytes.of(java.util.Arrays.copyOfRange(name, 3, name.length));
    }

    /**
     * listen: a socket without a port gets one here (the kernel's implicit bind), checked as a
     * bind of its address with port 0; then listen on the checked socket.
     */
    public static void listen(Request r) throws ErrnoException {
        int sock = r.programFd((int) r.arg(0));
        try {
            Sockets s = Sockets.current();
            Inet implicit = implicitBind(s, sock);
            byte[] local = null;
            if (implicit != null && implicit.unspecified() && r.sandbox().flag("trace/force_local_net")) {
                local = loopback(s.getsockname(sock), implicit); // bound to loopback first, as bind would be
                implicit = SockaddrDecoder.boundInet(local);
            }
            if (implicit != null && NetAccess.denied(r, "listen", Category.NET_BIND, implicit, null)) {
                r.fail(Errno.EACCES);
                return;
            }
            if (local != null) {
                int rc = s.bind(sock, local);
                if (rc < 0) { r.fail(-rc); return; }
            }
            int rc = s.listen(sock, (int) r.arg(1));
            if (rc < 0) { r.fail(-rc); return; }
            if (implicit != null && r.sandbox().flag("trace/allow_safe_bind")) recordBound(r, s, sock, implicit);
            r.reply(0);
        } finally {
            Files.close(sock);
        }
    }

    /** The address listen would bind {@code sock} to by itself (port 0), or null when it has a port or is not a listening IP socket. */
    private static Inet implicitBind(Sockets s, int sock) {
        int type = s.getsockoptInt(sock, Sockets.SOL_SOCKET, Sockets.SO_TYPE);
        if (type != SOCK_STREAM && type != SOCK_SEQPACKET) return null; // listen fails there anyway
        Inet name = SockaddrDecoder.boundInet(s.getsockname(sock));
        return name != null && name.port() == 0 ? name : null;
    }

    /**
     * True when {@code sock} is a UNIX socket without a name that a connect or send will name by
     * itself (SO_PASSCRED or SO_PASSPIDFD set: the kernel autobinds so the peer sees a sender),
     * and that implicit bind is refused (and logged); {@code sys} names the call.
     */
    static boolean autobindDenied(Request r, String sys, int sock) {
        if (!r.sandbox().enabled(Category.NET_BIND)) return false;
        Sockets s = Sockets.current();
        byte[] name = s.getsockname(sock);
        if (name == null || name.length != 2 || name[0] != SockaddrDecoder.AF_UNIX || name[1] != 0) return false;
        if (s.getsockoptInt(sock, Sockets.SOL_SOCKET, Sockets.SO_PASSCRED) <= 0
                && s.getsockoptInt(sock, Sockets.SOL_SOCKET, Sockets.SO_PASSPIDFD) <= 0) return false;
        return NetAccess.denied(r, sys, Category.NET_BIND, AUTOBIND, null);
    }

    private static void bindUnix(Request r, Sockets s, int sock, UnixPath up) throws ResolveException {
        try (PathResolver.Resolved res = r.resolver().resolve(r.pid(), AT_FDCWD, up.path(), PathResolver.Last.NOFOLLOW)) {
            if (res.isMagic()) { r.fail(Errno.EADDRINUSE); return; }
            if (r.hidden("bind", res.path())) { r.fail(Errno.ENOENT); return; } // hidden means absent
            if (NetAccess.denied(r, "bind", Category.NET_BIND, up, res.path())) {
                r.fail(Errno.EACCES);
                return;
            }
            if (r.landlockRefuses(res.dirFd(), res.name(), dev.jsyd.abi.Landlock.MAKE_SOCK, false)) { r.fail(Errno.EACCES); return; }
            String host = "/proc/self/fd/" + res.dirFd() + (res.name().isEmpty() ? "" : "/" + res.name())
                    + (res.trailingSlash() ? "/" : "");
            String prog = up.path();
            boolean own = s.privateFs();
            // A one-component relative name is bound as the program gave it, from the checked directory:
            // every name the kernel reports (getsockname, getpeername, accept, recvfrom) is then native.
            boolean exact = own && prog.indexOf('/') < 0 && prog.equals(res.name()) && !res.trailingSlash();
            boolean relative = exact || own && !res.name().isEmpty() && SockaddrDecoder.unixAddress(host) == null;
            String bound = exact ? prog : relative ? res.name() : host;
            byte[] sa = SockaddrDecoder.unixAddress(bound);
            if (sa == null) { r.fail(Errno.ENAMETOOLONG); return; }
            if (relative && s.fchdir(res.dirFd()) < 0) { r.fail(Errno.ENOENT); return; }
            int oldMask = own ? s.umask(Umask.of(r)) : -1;
            int rc;
            try {
                rc = s.bind(sock, sa);
            } finally {
                if (own) s.umask(oldMask);
                if (relative) s.chdirRoot();
            }
            if (rc < 0) { r.fail(-rc); return; }
            if (!own) applyUmask(r, s, res);
            long ino = exact ? -1 : inode(r.files(), sock);
            if (ino >= 0) NetAccess.state(r).recordName(ino, bound, prog);
            NetAccess.state(r).recordHostName(bound, prog, res.path());
            if (r.sandbox().flag("trace/allow_safe_bind")) NetAccess.state(r).recordBound(res.path());
            r.reply(0);
        }
    }

    /**
     * Without a private umask the kernel created the socket file with the supervisor's umask; give
     * it the program's (there is a short window with the supervisor's mode).
     */
    private static void applyUmask(Request r, Sockets s, PathResolver.Resolved res) {
        if (res.name().isEmpty()) return;
        int fd = r.files().openat(res.dirFd(), res.name(), O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
        if (fd < 0) return;
        try {
            byte[] st = r.files().fstatat(fd, "", AT_EMPTY_PATH);
            if (st != null && (le32(st, 24) & Files.S_IFMT) == Files.S_IFSOCK) {
                s.chmod("/proc/self/fd/" + fd, 0777 & ~Umask.of(r));
            }
        } finally {
            Files.close(fd);
        }
    }

    private static long inode(Files files, int fd) {
        byte[] st = files.fstatat(fd, "", AT_EMPTY_PATH);
        if (st == null) return -1;
        long v = 0;
        for (int i = 15; i >= 8; i--) v = (v << 8) | (st[i] & 0xffL);
        return v;
    }

    public static void getsockname(Request r) throws ErrnoException {
        long addr = r.arg(1), lenAddr = r.arg(2);
        int sock = r.programFd((int) r.arg(0));
        try {
            Sockets s = Sockets.current();
            byte[] name = s.getsockname(sock);
            if (name == null) { r.fail(s.lastError()); return; }
            name = programName(r, sock, name);
            int ulen = le32(r.memory().read(r.pid(), lenAddr, 4), 0);
            if (ulen < 0) { r.fail(Errno.EINVAL); return; }
            if (!r.stillValid()) return;
            int n = Math.min(ulen, name.length);
            if (n > 0) r.memory().write(r.pid(), addr, name, 0, n);
            byte[] len = {(byte) name.length, (byte) (name.length >> 8), 0, 0};
            r.memory().write(r.pid(), lenAddr, len, 0, 4);
            r.reply(0);
        } finally {
            Files.close(sock);
        }
    }

    /** Replaces the supervisor's {@code /proc/self/fd/...} name of a socket it bound by the program's. */
    private static byte[] programName(Request r, int sock, byte[] name) {
        if (name.length <= 2 || name[0] != SockaddrDecoder.AF_UNIX || name[1] != 0 || name[2] == 0) return name;
        var names = NetAccess.state(r).unixNames;
        if (names.isEmpty()) return name;
        long ino = inode(r.files(), sock);
        String[] entry = ino < 0 ? null : names.get(ino);
        if (entry == null) return name;
        int end = 2;
        while (end < name.length && name[end] != 0) end++;
        if (!dev.jsyd.policy.Bytes.of(java.util.Arrays.copyOfRange(name, 2, end)).equals(entry[0])) return name;
        byte[] mine = SockaddrDecoder.unixAddress(entry[1]);
        return mine == null ? name : mine;
    }

    static int le32(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }
}
