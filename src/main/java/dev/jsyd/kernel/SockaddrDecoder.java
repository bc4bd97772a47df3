package dev.jsyd.kernel;

import dev.jsyd.abi.Errno;
import dev.jsyd.policy.Address;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Decodes the socket address a program passes to bind, connect, sendto or sendmsg into what the
 * policy checks, the way the kernel will read the same bytes for a socket of the given domain.
 * Pure: the caller reads the bytes from the program once (at most {@code sockaddr_storage}, 128
 * bytes) and passes the very same bytes on to the kernel after the check.
 *
 * <p>The kernel's reading depends on the socket, not only on {@code sa_family}: an IPv4 UDP
 * socket takes an {@code AF_UNSPEC} destination as IPv4, an IPv6 UDP socket takes an
 * {@code AF_INET} one as IPv4, {@code AF_UNSPEC} in connect dissolves an association. Lengths are
 * validated as the kernel does (too short or too long: EINVAL; wrong family: EAFNOSUPPORT for
 * IP sockets, EINVAL for UNIX sockets). Sockets of other domains (netlink, packet, ...) are
 * gated when they are created; their addresses are passed on unchecked.
 */
public final class SockaddrDecoder {
    private SockaddrDecoder() {}

    public static final int AF_UNSPEC = 0, AF_UNIX = 1, AF_INET = 2, AF_INET6 = 10, AF_NETLINK = 16,
            AF_PACKET = 17, AF_ALG = 38;
    /** {@code sizeof(struct sockaddr_in)}, {@code SIN6_LEN_RFC2133}, {@code sizeof(struct sockaddr_un)}. */
    static final int SIN_LEN = 16, SIN6_LEN = 24, SUN_LEN = 110, SUN_PATH_MAX = 108;

    /** What the address is used for. */
    public enum Op { BIND, CONNECT, SEND }

    /** A decoded address. */
    public sealed interface Addr permits Inet, UnixPath, Abstract, Unnamed, NoAddress, Unchecked {}

    /** An IPv4 (4 bytes) or IPv6 (16 bytes) address and a port. */
    public record Inet(byte[] ip, int port) implements Addr {
        public int ipv() { return ip.length == 4 ? 4 : 6; }

        /** {@code ip!port}, as log records and rules write it. */
        public String text() { return Address.format(ip) + "!" + port; }

        /** For {@code Sandbox.checkInet}; an IPv4-mapped IPv6 address stays IPv6 (the policy checks it both ways). */
        public InetAddress inetAddress() {
            try {
                return ip.length == 4 ? Inet4Address.getByAddress(ip) : Inet6Address.getByAddress(null, ip, -1);
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e); // cannot happen: 4 or 16 bytes
            }
        }

        public boolean unspecified() {
            for (byte b : ip) if (b != 0) return false;
            return true;
        }

        /** 0.0.0.0, {@code ::} or {@code ::ffff:0.0.0.0}: a destination the kernel routes to the local host. */
        public boolean unspecifiedDestination() {
            return unspecified() || NetAccess.isV4Mapped(ip) && (ip[12] | ip[13] | ip[14] | ip[15]) == 0;
        }

        @Override public boolean equals(Object o) {
            return o instanceof Inet i && i.port == port && Arrays.equals(i.ip, ip);
        }

        @Override public int hashCode() { return Arrays.hashCode(ip) * 31 + port; }

        @Override public String toString() { return text(); }
    }

    /** A UNIX socket path (byte string, as given: possibly relative). */
    public record UnixPath(String path) implements Addr {}

    /** An abstract UNIX socket name (without the leading NUL; may contain NULs). */
    public record Abstract(String name) implements Addr {
        /** {@code @name}, as rules and log records write it. */
        public String text() { return "@" + name; }
    }

    /** {@code sizeof(sa_family_t)} only: bind autobinds to a kernel-chosen abstract name. */
    public record Unnamed() implements Addr {}

    /** No destination: connect with AF_UNSPEC (dissolve), or a send whose address the socket ignores. */
    public record NoAddress() implements Addr {}

    /** A socket of a domain jsyd does not check addresses for (its creation was the gate). */
    public record Unchecked(int domain) implements Addr {}

    /** The address is invalid: the errno the kernel would give. */
    public static final class DecodeException extends Exception {
        private static final long serialVersionUID = 1L;
        private final int errno;

        public DecodeException(int errno) {
            super(Errno.name(errno), null, false, false);
            this.errno = errno;
        }

        public int errno() { return errno; }
    }

    /**
     * Decodes {@code raw} (exactly the {@code addrlen} bytes the program passed, at most 128) for a
     * socket of {@code domain}.
     */
    public static Addr decode(int domain, Op op, byte[] raw) throws DecodeException {
        int len = raw.length;
        if (len > 128) throw new DecodeException(Errno.EINVAL);
        if (domain != AF_UNIX && domain != AF_INET && domain != AF_INET6) return new Unchecked(domain);
        if (len == 0 && op == Op.SEND) return new NoAddress();
        if (len < 2) throw new DecodeException(Errno.EINVAL);
        int family = (raw[0] & 0xff) | (raw[1] & 0xff) << 8;
        return switch (domain) {
            case AF_UNIX -> unix(op, family, raw);
            case AF_INET -> inet4(op, family, raw);
            default -> inet6(op, family, raw);
        };
    }

    private static Addr unix(Op op, int family, byte[] raw) throws DecodeException {
        int len = raw.length;
        if (op == Op.CONNECT && family == AF_UNSPEC) return new NoAddress();
        if (family != AF_UNIX) throw new DecodeException(Errno.EINVAL);
        if (len == 2) {
            if (op == Op.BIND) return new Unnamed();
            throw new DecodeException(Errno.EINVAL);
        }
        if (len > SUN_LEN) throw new DecodeException(Errno.EINVAL);
        if (raw[2] == 0) return new Abstract(new String(raw, 3, len - 3, StandardCharsets.ISO_8859_1));
        int end = 2;
        while (end < len && raw[end] != 0) end++;
        return new UnixPath(new String(raw, 2, end - 2, StandardCharsets.ISO_8859_1));
    }

    private static Addr inet4(Op op, int family, byte[] raw) throws DecodeException {
        if (family == AF_UNSPEC && op == Op.CONNECT) return new NoAddress();
        if (raw.length < SIN_LEN) throw new DecodeException(Errno.EINVAL);
        Inet a = new Inet(Arrays.copyOfRange(raw, 4, 8), port(raw));
        if (family == AF_INET) return a;
        if (family == AF_UNSPEC && (op == Op.SEND || a.unspecified())) return a;
        throw new DecodeException(Errno.EAFNOSUPPORT);
    }

    private static Addr inet6(Op op, int family, byte[] raw) throws DecodeException {
        int len = raw.length;
        if (family == AF_UNSPEC && op == Op.CONNECT) return new NoAddress();
        if (family == AF_INET && op != Op.BIND) {
            if (len < SIN_LEN) throw new DecodeException(Errno.EINVAL);
            return new Inet(Arrays.copyOfRange(raw, 4, 8), port(raw));
        }
        if (family == AF_UNSPEC && op == Op.SEND && len < SIN6_LEN) return new NoAddress();
        if (len < SIN6_LEN) throw new DecodeException(Errno.EINVAL);
        if (family == AF_INET6 || family == AF_UNSPEC && op == Op.SEND) {
            return new Inet(Arrays.copyOfRange(raw, 8, 24), port(raw));
        }
        throw new DecodeException(op == Op.SEND ? Errno.EINVAL : Errno.EAFNOSUPPORT);
    }

    private static int port(byte[] raw) { return (raw[2] & 0xff) << 8 | (raw[3] & 0xff); }

    private static final byte[] LOOPBACK4 = {127, 0, 0, 1};

    /**
     * The destination the kernel really uses for an unspecified one (issue 12.5): IPv4
     * {@code 0.0.0.0} (also as {@code ::ffff:0.0.0.0}) is routed to the socket's own address when it
     * is bound to a specific one, else to 127.0.0.1 ({@code ip_route_output}); IPv6 {@code ::} is
     * {@code ::1}, or {@code ::ffff:127.0.0.1} on a socket bound to a v4-mapped address
     * ({@code tcp_v6_connect}, {@code ip6_datagram_connect}, {@code udpv6_sendmsg}). {@code bound}
     * is the socket's address (getsockname), or null. Any other destination is returned as it is.
     */
    public static Inet routedDestination(Inet dest, Inet bound) {
        if (!dest.unspecifiedDestination()) return dest;
        byte[] b = bound == null ? null : bound.ip();
        byte[] bound4 = b == null ? null : b.length == 4 ? b : NetAccess.isV4Mapped(b) ? Arrays.copyOfRange(b, 12, 16) : null;
        if (bound4 != null && new Inet(bound4, 0).unspecified()) bound4 = null;
        byte[] v4 = bound4 != null ? bound4 : LOOPBACK4;
        if (dest.ip().length == 4) return new Inet(v4.clone(), dest.port());
        byte[] ip = new byte[16];
        if (dest.unspecified() && !(b != null && NetAccess.isV4Mapped(b))) {
            ip[15] = 1; // ::1
        } else {
            ip[10] = ip[11] = (byte) 0xff;
            System.arraycopy(dest.unspecified() ? LOOPBACK4 : v4, 0, ip, 12, 4);
        }
        return new Inet(ip, dest.port());
    }

    /** {@code raw} (an address decoded as {@link Inet}) with its IP replaced by {@code ip} of the same length. */
    public static byte[] withIp(byte[] raw, byte[] ip) {
        byte[] out = raw.clone();
        System.arraycopy(ip, 0, out, ip.length == 4 ? 4 : 8, ip.length);
        return out;
    }

    /** A {@code sockaddr_un} for {@code path} (byte string), or null when it does not fit {@code sun_path}. */
    public static byte[] unixAddress(String path) {
        if (path.length() >= SUN_PATH_MAX) return null;
        byte[] b = new byte[2 + path.length() + 1];
        b[0] = AF_UNIX;
        for (int i = 0; i < path.length(); i++) b[2 + i] = (byte) path.charAt(i);
        return b;
    }

    /**
     * A peer address as the kernel reports it (accept, getpeername): IPv4/IPv6 → {@link Inet},
     * UNIX → {@link UnixPath} (the name as bound, possibly relative), {@link Abstract} or
     * {@link Unnamed} (an unbound peer, {@code sizeof(sa_family_t)} only); anything else (another
     * family, a malformed address) → {@link Unchecked}.
     */
    public static Addr peer(byte[] raw) {
        if (raw == null || raw.length < 2) return new Unchecked(-1);
        int family = (raw[0] & 0xff) | (raw[1] & 0xff) << 8;
        if (family == AF_UNIX) {
            if (raw.length == 2) return new Unnamed();
            if (raw[2] == 0) return new Abstract(new String(raw, 3, raw.length - 3, StandardCharsets.ISO_8859_1));
            int end = 2;
            while (end < raw.length && raw[end] != 0) end++;
            return new UnixPath(new String(raw, 2, end - 2, StandardCharsets.ISO_8859_1));
        }
        Inet in = boundInet(raw);
        return in != null ? in : new Unchecked(family);
    }

    /** The address a getsockname result names, for recording bound addresses; null if not IP. */
    public static Inet boundInet(byte[] raw) {
        if (raw == null || raw.length < 2) return null;
        int family = (raw[0] & 0xff) | (raw[1] & 0xff) << 8;
        if (family == AF_INET && raw.length >= SIN_LEN) return new Inet(Arrays.copyOfRange(raw, 4, 8), port(raw));
        if (family == AF_INET6 && raw.length >= SIN6_LEN) return new Inet(Arrays.copyOfRange(raw, 8, 24), port(raw));
        return null;
    }
}
