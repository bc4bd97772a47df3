package dev.jsyd.kernel;

import static dev.jsyd.abi.OpenFlags.AT_FDCWD;
import static dev.jsyd.abi.OpenFlags.O_CLOEXEC;
import static dev.jsyd.abi.OpenFlags.O_NOFOLLOW;
import static dev.jsyd.abi.OpenFlags.O_PATH;

import dev.jsyd.abi.Errno;
import dev.jsyd.kernel.SockaddrDecoder.Abstract;
import dev.jsyd.kernel.SockaddrDecoder.Addr;
import dev.jsyd.kernel.SockaddrDecoder.Inet;
import dev.jsyd.kernel.SockaddrDecoder.UnixPath;
import dev.jsyd.policy.Action;
import dev.jsyd.policy.Category;
import dev.jsyd.policy.Sandbox;
import dev.jsyd.sys.ErrnoException;
import dev.jsyd.sys.Files;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the network handlers share: the address check (rules, plus the addresses the sandbox
 * bound itself under {@code trace/allow_safe_bind}), the resolution of UNIX socket paths to an
 * object the supervisor can name race-free, and per-sandbox state.
 *
 * <p>Per-sandbox state lives here, keyed by the sandbox's {@link SandboxContext}, because the
 * policy snapshot is immutable and cannot take rules at run time: the bound addresses are kept
 * in a concurrent set consulted by the connect check (the effect of Syd adding an allow rule at
 * the end of the connect rules), and the names of UNIX sockets the supervisor bound on the
 * program's behalf (for getsockname).
 */
final class NetAccess {
    private NetAccess() {}

    /** Per-sandbox network state. */
    static final class State {
        /** Addresses bound successfully (getsockname after the bind): allowed for connect under allow_safe_bind. */
        final Set<Inet> boundInet = ConcurrentHashMap.newKeySet();
        /** Canonical UNIX paths and {@code @abstract} names bound successfully. */
        final Set<String> boundUnix = ConcurrentHashMap.newKeySet();
        /** Socket inode → the name the supervisor bound it to and the name the program asked for. */
        final Map<Long, String[]> unixNames = new ConcurrentHashMap<>();

        static final int LIMIT = 65536;

        /**
         * UNIX sockets the supervisor connected for the program (socket inode → who asked): the
         * kernel records the connecting process — the supervisor — as the peer of the other end, so
         * {@link PeerHandlers} answers SO_PEERCRED/SO_PEERPIDFD there with this one instead.
         */
        final Map<Long, Peer> connectedFor = new ConcurrentHashMap<>();

        void recordConnect(long inode, Peer p) {
            if (connectedFor.size() >= LIMIT) connectedFor.clear();
            connectedFor.put(inode, p);
        }

        void recordBound(Inet a) {
            if (boundInet.size() >= LIMIT) boundInet.clear();
            boundInet.add(a);
        }

        void recordBound(String unix) {
            if (boundUnix.size() >= LIMIT) boundUnix.clear();
            boundUnix.add(unix);
        }

        /** Abstract UNIX names a process of the sandbox bound (for the Landlock abstract-socket scope). */
        private final Set<String> boundAbstract = ConcurrentHashMap.newKeySet();

        void recordAbstract(String name) {
            if (boundAbstract.size() >= LIMIT) boundAbstract.clear();
            boundAbstract.add(name);
        }

        boolean boundAbstract(String name) { return boundAbstract.contains(name); }

        /**
         * The supervisor's name of a UNIX socket it bound → {program's name, canonical path}, or
         * {@link #AMBIGUOUS} once two different sockets were bound under the same supervisor name
         * (fd numbers are reused): peer names (getpeername, accept) are rewritten only when unambiguous.
         */
        final Map<String, String[]> hostNames = new ConcurrentHashMap<>();

        static final String[] AMBIGUOUS = new String[0];

        void recordName(long inode, String hostName, String programName) {
            if (unixNames.size() >= LIMIT) unixNames.clear();
            unixNames.put(inode, new String[] {hostName, programName});
        }

        /** Records every UNIX path bind: the kernel's name of the socket, the program's, the canonical path. */
        void recordHostName(String hostName, String programName, String canonical) {
            if (hostNames.size() >= LIMIT) hostNames.clear();
            String[] mine = {programName, canonical};
            hostNames.merge(hostName, mine,
                    (old, now) -> old.length == 2 && old[0].equals(now[0]) && old[1].equals(now[1]) ? old : AMBIGUOUS);
        }

        /** {program's name, canonical path} of a peer name the supervisor bound, or null when unknown or ambiguous. */
        String[] programName(String hostName) {
            String[] e = hostNames.get(hostName);
            return e == null || e.length != 2 ? null : e;
        }

        /** Was {@code a} bound by the sandbox? An unspecified bind address stands for every address of its family. */
        boolean wasBound(Inet a) {
            if (boundInet.contains(a)) return true;
            byte[] any4 = new byte[4], any6 = new byte[16];
            if (boundInet.contains(new Inet(any6, a.port()))) return true; // [::] takes IPv4 too (dual stack)
            if (a.ip().length == 4) return boundInet.contains(new Inet(any4, a.port()));
            return isV4Mapped(a.ip()) && boundInet.contains(new Inet(any4, a.port()));
        }
    }

    /** The process that asked for a connection, with its effective ids at the time (as SO_PEERCRED shows them). */
    record Peer(Members.Proc proc, int uid, int gid) {}

    private static final Map<SandboxContext, State> STATES = Collections.synchronizedMap(new WeakHashMap<>());

    static State state(Request r) {
        return STATES.computeIfAbsent(r.context(), k -> new State());
    }

    static boolean isV4Mapped(byte[] ip) {
        if (ip.length != 16) return false;
        for (int i = 0; i < 10; i++) if (ip[i] != 0) return false;
        return (ip[10] & 0xff) == 0xff && (ip[11] & 0xff) == 0xff;
    }

    /**
     * Checks an IP or abstract address for {@code cat} and applies the action (log, signal, ...).
     * True when denied. {@code unixCanonical} is the canonical path for a UNIX path address.
     */
    static boolean denied(Request r, String sys, Category cat, Addr a, String unixCanonical) {
        Sandbox sb = r.sandbox();
        if (cat == Category.NET_CONNECT && a instanceof Inet in && !sb.blocklist().isEmpty() && sb.blocked(in.inetAddress())) {
            // the IP blocklist (block+CIDR) comes before the rules, whether net/connect is on or not;
            // its action is default/block
            Action b = sb.defaultAction(Category.BLOCK);
            if (r.enforceNet(Category.BLOCK, b, sys, in.text(), in.ipv(), "configure `block-" + blockEntry(sb, in) + "'")) {
                return true;
            }
        }
        if (!sb.enabled(cat)) return false;
        boolean safeBind = cat == Category.NET_CONNECT && sb.flag("trace/allow_safe_bind");
        switch (a) {
            case Inet in -> {
                Action act = sb.checkInet(cat, in.inetAddress(), in.port());
                if (act != Action.ALLOW && safeBind && state(r).wasBound(in)) act = Action.ALLOW;
                return r.enforceNet(cat, act, sys, in.text(), in.ipv(), null);
            }
            case Abstract ab -> {
                Action act = sb.checkUnix(cat, ab.text());
                if (act != Action.ALLOW && safeBind && state(r).boundUnix.contains(ab.text())) act = Action.ALLOW;
                return r.enforceNet(cat, act, sys, ab.text(), 0, null);
            }
            case UnixPath up -> {
                Action act = sb.checkUnix(cat, unixCanonical);
                if (act != Action.ALLOW && safeBind && state(r).boundUnix.contains(unixCanonical)) act = Action.ALLOW;
                return r.enforceNet(cat, act, sys, unixCanonical, 0, null);
            }
            default -> {
                return false;
            }
        }
    }

    /** The blocklist entry that matches {@code in} (for the tip). */
    private static String blockEntry(Sandbox sb, Inet in) {
        byte[] v4 = in.ip().length == 4 ? in.ip() : isV4Mapped(in.ip()) ? java.util.Arrays.copyOfRange(in.ip(), 12, 16) : null;
        for (var c : sb.blocklist()) {
            if (c.isV4() ? v4 != null && c.contains(v4) : in.ip().length == 16 && c.contains(in.ip())) return c.toString();
        }
        return dev.jsyd.policy.Address.format(in.ip());
    }

    /**
     * A UNIX socket path destination (connect, sendto): resolved like a file path for the program
     * (following symlinks), checked on its canonical path, then opened O_PATH|O_NOFOLLOW by the
     * supervisor so that {@code /proc/self/fd/N} names exactly the checked socket file (N is left in
     * {@code heldFd[0]} for the caller to release). Returns the sockaddr_un to use; a denial or a
     * failure is thrown as the errno to answer.
     */
    static byte[] unixDestination(Request r, String sys, UnixPath up, int[] heldFd)
            throws ResolveException, ErrnoException {
        try (PathResolver.Resolved res = r.resolver().resolve(r.pid(), AT_FDCWD, up.path(), PathResolver.Last.FOLLOW)) {
            // a /proc magic link to a non-path object is not a bound socket
            if (res.isMagic()) throw new ErrnoException(sys, Errno.ECONNREFUSED);
            if (r.hidden(sys, res.path())) throw new ErrnoException(sys, Errno.ENOENT); // hidden means absent
            if (denied(r, sys, Category.NET_CONNECT, up, res.path())) throw new ErrnoException(sys, Errno.EACCES);
            int fd = res.name().isEmpty()
                    ? r.files().openat(res.dirFd(), ".", O_PATH | O_CLOEXEC, 0)
                    : r.files().openat(res.dirFd(), res.trailingSlash() ? res.name() + "/" : res.name(),
                            O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
            if (fd < 0) throw new ErrnoException(sys, -fd);
            heldFd[0] = fd;
            return SockaddrDecoder.unixAddress("/proc/self/fd/" + fd);
        }
    }

    /**
     * The address bytes to hand to the kernel for a checked destination {@code a} decoded from
     * {@code raw}: {@code raw} itself; for a UNIX path the supervisor's name of the checked socket
     * file; for an unspecified IP destination ({@code 0.0.0.0}, {@code ::}, {@code ::ffff:0.0.0.0})
     * the local address the kernel would route it to, checked and passed on explicitly (so a bind
     * from another thread after the check cannot change where it goes). {@code sock} is the
     * supervisor's copy of the program's socket. A denial (logged) is thrown as EACCES; so is the
     * implicit bind a UNIX destination may cause ({@link BindHandlers#autobindDenied}).
     */
    static byte[] destination(Request r, String sys, Addr a, byte[] raw, int sock, int[] heldFd)
            throws ResolveException, ErrnoException {
        if ((a instanceof UnixPath || a instanceof Abstract) && BindHandlers.autobindDenied(r, sys, sock)) {
            throw new ErrnoException(sys, Errno.EACCES);
        }
        if (a instanceof UnixPath up) return unixDestination(r, sys, up, heldFd);
        if (a instanceof Inet in && in.unspecifiedDestination()) {
            Inet bound = SockaddrDecoder.boundInet(dev.jsyd.sys.Sockets.current().getsockname(sock));
            Inet routed = SockaddrDecoder.routedDestination(in, bound);
            a = routed;
            raw = SockaddrDecoder.withIp(raw, routed.ip());
        }
        if (denied(r, sys, Category.NET_CONNECT, a, null)) throw new ErrnoException(sys, Errno.EACCES);
        int landlock = landlockRefusal(r, sys.equals("connect") ? dev.jsyd.abi.Landlock.CONNECT_TCP : 0, a, sock);
        if (landlock != 0) throw new ErrnoException(sys, landlock);
        return raw;
    }

    /**
     * The errno with which the program's Landlock domain refuses what the supervisor is about to
     * do on its socket {@code sock} (the supervisor is not under Landlock, see
     * {@link LandlockMirror}), or 0: a TCP bind or connect ({@code tcpRight}: BIND_TCP, CONNECT_TCP,
     * or 0 for a send) to a port no rule allows (EACCES); a connect or send to an abstract UNIX
     * socket the sandbox did not bind, under the abstract-socket scope (EPERM).
     */
    static int landlockRefusal(Request r, long tcpRight, Addr a, int sock) {
        LandlockMirror ll = r.context().view().landlock();
        if (!ll.any()) return 0;
        if (a instanceof Inet in && tcpRight != 0 && isTcp(sock) && ll.refusesPort(tcpRight, in.port())) return Errno.EACCES;
        boolean reaching = tcpRight != dev.jsyd.abi.Landlock.BIND_TCP; // connect, send: reaching another socket
        if (reaching && a instanceof SockaddrDecoder.Abstract ab && ll.scopesAbstractSockets() && !state(r).boundAbstract(ab.text())) {
            return Errno.EPERM;
        }
        return 0;
    }

    private static boolean isTcp(int sock) {
        dev.jsyd.sys.Sockets s = dev.jsyd.sys.Sockets.current();
        int type = s.getsockoptInt(sock, dev.jsyd.sys.Sockets.SOL_SOCKET, dev.jsyd.sys.Sockets.SO_TYPE);
        int protocol = s.getsockoptInt(sock, dev.jsyd.sys.Sockets.SOL_SOCKET, SO_PROTOCOL);
        return (type & 0xf) == SOCK_STREAM && (protocol == IPPROTO_TCP || protocol == IPPROTO_MPTCP);
    }

    private static final int SO_PROTOCOL = 38, SOCK_STREAM = 1, IPPROTO_TCP = 6, IPPROTO_MPTCP = 262;

    /** Closes an fd held for a destination (if any). */
    static void release(int[] heldFd) {
        if (heldFd[0] >= 0) Files.close(heldFd[0]);
        heldFd[0] = -1;
    }

    /** A sockaddr as the program passed it (read once) and as decoded for its socket's family. */
    record Address(Addr addr, byte[] raw) {}

    /**
     * Reads the program's sockaddr ({@code addrlen} bytes at {@code ptr}) once and decodes it for
     * the family of the supervisor's copy {@code sock} of the program's socket. Returns null after
     * answering the request (bad length, bad pointer, bad address) or when the program is gone.
     */
    static Address readAddress(Request r, dev.jsyd.sys.Sockets s, int sock, long ptr, int addrlen, SockaddrDecoder.Op op)
            throws dev.jsyd.sys.ErrnoException {
        if (addrlen < 0 || addrlen > dev.jsyd.sys.Sockets.ADDR_MAX) { r.fail(Errno.EINVAL); return null; }
        byte[] raw = r.memory().read(r.pid(), ptr, addrlen);
        int domain = s.getsockoptInt(sock, dev.jsyd.sys.Sockets.SOL_SOCKET, dev.jsyd.sys.Sockets.SO_DOMAIN);
        if (domain < 0) { r.fail(-domain); return null; }
        Addr a;
        try {
            a = SockaddrDecoder.decode(domain, op, raw);
        } catch (SockaddrDecoder.DecodeException e) {
            r.fail(e.errno());
            return null;
        }
        if (!r.stillValid()) return null;
        return new Address(a, raw);
    }
}
