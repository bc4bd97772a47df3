package dev.jsyd.kernel;

import static dev.jsyd.kernel.SockaddrDecoder.AF_INET;
import static dev.jsyd.kernel.SockaddrDecoder.AF_INET6;
import static dev.jsyd.kernel.SockaddrDecoder.AF_NETLINK;
import static dev.jsyd.kernel.SockaddrDecoder.AF_UNIX;
import static dev.jsyd.kernel.SockaddrDecoder.AF_UNSPEC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jsyd.abi.Errno;
import dev.jsyd.kernel.SockaddrDecoder.Abstract;
import dev.jsyd.kernel.SockaddrDecoder.Addr;
import dev.jsyd.kernel.SockaddrDecoder.DecodeException;
import dev.jsyd.kernel.SockaddrDecoder.Inet;
import dev.jsyd.kernel.SockaddrDecoder.NoAddress;
import dev.jsyd.kernel.SockaddrDecoder.Op;
import dev.jsyd.kernel.SockaddrDecoder.Unchecked;
import dev.jsyd.kernel.SockaddrDecoder.UnixPath;
import dev.jsyd.kernel.SockaddrDecoder.Unnamed;
import dev.jsyd.sys.ErrnoException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Socket address decoding: families, lengths and errnos as the kernel reads the same bytes. */
class SockaddrDecoderTest {
    static byte[] sin(int family, int port, int a, int b, int c, int d, int len) {
        byte[] r = new byte[len];
        byte[] full = {(byte) family, (byte) (family >> 8), (byte) (port >> 8), (byte) port, (byte) a, (byte) b, (byte) c, (byte) d};
        System.arraycopy(full, 0, r, 0, Math.min(len, full.length));
        return r;
    }

    static byte[] sin6(int family, int port, byte[] ip, int len) {
        byte[] r = new byte[Math.max(len, 0)];
        byte[] full = new byte[28];
        full[0] = (byte) family;
        full[2] = (byte) (port >> 8);
        full[3] = (byte) port;
        System.arraycopy(ip, 0, full, 8, 16);
        System.arraycopy(full, 0, r, 0, Math.min(len, 28));
        return r;
    }

    static byte[] sun(String path, int len) {
        byte[] p = path.getBytes(StandardCharsets.ISO_8859_1);
        byte[] r = new byte[len];
        r[0] = AF_UNIX;
        System.arraycopy(p, 0, r, 2, Math.min(p.length, len - 2));
        return r;
    }

    static byte[] v6(String... groups) {
        byte[] ip = new byte[16];
        for (int i = 0; i < 8; i++) {
            int g = Integer.parseInt(groups[i], 16);
            ip[2 * i] = (byte) (g >> 8);
            ip[2 * i + 1] = (byte) g;
        }
        return ip;
    }

    static int errno(int domain, Op op, byte[] raw) {
        try {
            SockaddrDecoder.decode(domain, op, raw);
            return 0;
        } catch (DecodeException e) {
            return e.errno();
        }
    }

    @Test
    void ipv4AddressAndPort() throws Exception {
        Addr a = SockaddrDecoder.decode(AF_INET, Op.CONNECT, sin(AF_INET, 8080, 127, 0, 0, 1, 16));
        assertThat(a).isInstanceOf(Inet.class);
        Inet in = (Inet) a;
        assertThat(in.text()).isEqualTo("127.0.0.1!8080");
        assertThat(in.ipv()).isEqualTo(4);
        assertThat(in.inetAddress().getHostAddress()).isEqualTo("127.0.0.1");
    }

    @Test
    void ipv4LengthsAsTheKernel() {
        for (Op op : Op.values()) {
            assertThat(errno(AF_INET, op, sin(AF_INET, 1, 127, 0, 0, 1, 15))).as(op.name()).isEqualTo(Errno.EINVAL);
            assertThat(errno(AF_INET, op, sin(AF_INET, 1, 127, 0, 0, 1, 1))).isEqualTo(Errno.EINVAL);
            assertThat(errno(AF_INET, op, sin(AF_INET, 1, 127, 0, 0, 1, 16))).isZero();
            assertThat(errno(AF_INET, op, sin(AF_INET, 1, 127, 0, 0, 1, 128))).isZero();
            assertThat(errno(AF_INET, op, new byte[129])).isEqualTo(Errno.EINVAL);
        }
        assertThat(errno(AF_INET, Op.CONNECT, new byte[0])).isEqualTo(Errno.EINVAL);
        assertThat(errno(AF_INET, Op.BIND, new byte[0])).isEqualTo(Errno.EINVAL);
    }

    @Test
    void wrongFamilyOnAnIpv4Socket() {
        assertThat(errno(AF_INET, Op.CONNECT, sin6(AF_INET6, 1, new byte[16], 28))).isEqualTo(Errno.EAFNOSUPPORT);
        assertThat(errno(AF_INET, Op.CONNECT, sin(AF_UNIX, 1, 1, 1, 1, 1, 15))).isEqualTo(Errno.EINVAL);
        assertThat(errno(AF_INET, Op.BIND, sin(AF_UNSPEC, 1, 127, 0, 0, 1, 16))).isEqualTo(Errno.EAFNOSUPPORT);
    }

    @Test
    void unspecFamilyMeansWhatTheSocketMakesOfIt() throws Exception {
        // connect(AF_UNSPEC) dissolves an association: nothing to check
        assertThat(SockaddrDecoder.decode(AF_INET, Op.CONNECT, sin(AF_UNSPEC, 1, 10, 0, 0, 1, 16))).isInstanceOf(NoAddress.class);
        assertThat(SockaddrDecoder.decode(AF_INET6, Op.CONNECT, sin(AF_UNSPEC, 1, 10, 0, 0, 1, 2))).isInstanceOf(NoAddress.class);
        assertThat(SockaddrDecoder.decode(AF_UNIX, Op.CONNECT, sin(AF_UNSPEC, 0, 0, 0, 0, 0, 2))).isInstanceOf(NoAddress.class);
        // an IPv4 UDP socket sends to an AF_UNSPEC address as IPv4: it must be checked
        assertThat(SockaddrDecoder.decode(AF_INET, Op.SEND, sin(AF_UNSPEC, 53, 10, 0, 0, 1, 16)).toString()).isEqualTo("10.0.0.1!53");
        // bind(AF_UNSPEC) is accepted for INADDR_ANY only
        assertThat(SockaddrDecoder.decode(AF_INET, Op.BIND, sin(AF_UNSPEC, 80, 0, 0, 0, 0, 16)).toString()).isEqualTo("0.0.0.0!80");
        // IPv6: short AF_UNSPEC destination means none; a full one is read as IPv6 by raw sockets: checked
        assertThat(SockaddrDecoder.decode(AF_INET6, Op.SEND, sin(AF_UNSPEC, 1, 0, 0, 0, 0, 16))).isInstanceOf(NoAddress.class);
        assertThat(SockaddrDecoder.decode(AF_INET6, Op.SEND, sin6(AF_UNSPEC, 7, v6("0", "0", "0", "0", "0", "0", "0", "1"), 28)).toString())
                .isEqualTo("::1!7");
    }

    @Test
    void ipv6AddressesIncludingMapped() throws Exception {
        Inet a = (Inet) SockaddrDecoder.decode(AF_INET6, Op.CONNECT, sin6(AF_INET6, 443, v6("0", "0", "0", "0", "0", "0", "0", "1"), 28));
        assertThat(a.text()).isEqualTo("::1!443");
        assertThat(a.ipv()).isEqualTo(6);
        Inet m = (Inet) SockaddrDecoder.decode(AF_INET6, Op.CONNECT, sin6(AF_INET6, 80, v6("0", "0", "0", "0", "0", "ffff", "7f00", "1"), 24));
        assertThat(m.text()).isEqualTo("::ffff:127.0.0.1!80");
        assertThat(m.inetAddress()).isInstanceOf(java.net.Inet6Address.class); // checked as IPv6 and as IPv4 by the policy
        assertThat(errno(AF_INET6, Op.CONNECT, sin6(AF_INET6, 80, new byte[16], 23))).isEqualTo(Errno.EINVAL);
        assertThat(errno(AF_INET6, Op.BIND, sin6(AF_INET6, 80, new byte[16], 23))).isEqualTo(Errno.EINVAL);
    }

    @Test
    void ipv4AddressOnAnIpv6Socket() throws Exception {
        // UDP over IPv6 connects and sends to AF_INET addresses as IPv4
        assertThat(SockaddrDecoder.decode(AF_INET6, Op.CONNECT, sin(AF_INET, 9, 192, 168, 1, 1, 16)).toString()).isEqualTo("192.168.1.1!9");
        assertThat(SockaddrDecoder.decode(AF_INET6, Op.SEND, sin(AF_INET, 9, 192, 168, 1, 1, 16)).toString()).isEqualTo("192.168.1.1!9");
        assertThat(errno(AF_INET6, Op.SEND, sin(AF_INET, 9, 192, 168, 1, 1, 15))).isEqualTo(Errno.EINVAL);
        // but bind needs an IPv6 address
        assertThat(errno(AF_INET6, Op.BIND, sin(AF_INET, 9, 192, 168, 1, 1, 16))).isEqualTo(Errno.EINVAL);
        assertThat(errno(AF_INET6, Op.BIND, sin6(AF_INET, 9, new byte[16], 28))).isEqualTo(Errno.EAFNOSUPPORT);
    }

    @Test
    void unixPathAbstractAndUnnamed() throws Exception {
        assertThat(SockaddrDecoder.decode(AF_UNIX, Op.CONNECT, sun("/run/x.sock", 110))).isEqualTo(new UnixPath("/run/x.sock"));
        // the path ends at the first NUL or at addrlen, whichever comes first
        assertThat(SockaddrDecoder.decode(AF_UNIX, Op.CONNECT, sun("rel/sock", 2 + 3))).isEqualTo(new UnixPath("rel"));
        Addr ab = SockaddrDecoder.decode(AF_UNIX, Op.BIND, sun("\0name\0x", 2 + 7));
        assertThat(ab).isEqualTo(new Abstract("name\0x"));
        assertThat(((Abstract) ab).text()).isEqualTo("@name\0x");
        assertThat(SockaddrDecoder.decode(AF_UNIX, Op.BIND, sun("", 2))).isInstanceOf(Unnamed.class);
        assertThat(errno(AF_UNIX, Op.CONNECT, sun("", 2))).isEqualTo(Errno.EINVAL);
        assertThat(errno(AF_UNIX, Op.SEND, sun("", 2))).isEqualTo(Errno.EINVAL);
        assertThat(errno(AF_UNIX, Op.CONNECT, sun("/x", 111))).isEqualTo(Errno.EINVAL);
        assertThat(errno(AF_UNIX, Op.CONNECT, sin(AF_INET, 1, 1, 1, 1, 1, 16))).isEqualTo(Errno.EINVAL);
        assertThat(errno(AF_UNIX, Op.BIND, new byte[1])).isEqualTo(Errno.EINVAL);
    }

    @Test
    void sendWithoutAddressAndOtherDomains() throws Exception {
        assertThat(SockaddrDecoder.decode(AF_INET, Op.SEND, new byte[0])).isInstanceOf(NoAddress.class);
        assertThat(SockaddrDecoder.decode(AF_UNIX, Op.SEND, new byte[0])).isInstanceOf(NoAddress.class);
        assertThat(SockaddrDecoder.decode(AF_NETLINK, Op.BIND, new byte[12])).isEqualTo(new Unchecked(AF_NETLINK));
    }

    @Test
    void unixAddressFitsSunPath() {
        byte[] a = SockaddrDecoder.unixAddress("/proc/self/fd/7/sock");
        assertThat(a).hasSize(2 + 20 + 1);
        assertThat(a[0]).isEqualTo((byte) AF_UNIX);
        assertThat(a[a.length - 1]).isZero();
        assertThat(SockaddrDecoder.unixAddress("x".repeat(107))).isNotNull();
        assertThat(SockaddrDecoder.unixAddress("x".repeat(108))).isNull();
    }

    @Test
    void boundAddressFromGetsockname() {
        assertThat(SockaddrDecoder.boundInet(sin(AF_INET, 4242, 127, 0, 0, 1, 16)).toString()).isEqualTo("127.0.0.1!4242");
        assertThat(SockaddrDecoder.boundInet(sun("/x", 5))).isNull();
        assertThat(SockaddrDecoder.boundInet(null)).isNull();
    }

    static byte[] cmsg(int level, int type, int[] fds, long lenOverride) {
        int len = 16 + 4 * fds.length;
        byte[] b = new byte[(len + 7) & ~7];
        long l = lenOverride >= 0 ? lenOverride : len;
        for (int i = 0; i < 8; i++) b[i] = (byte) (l >> (8 * i));
        b[8] = (byte) level;
        b[12] = (byte) type;
        for (int i = 0; i < fds.length; i++) b[16 + 4 * i] = (byte) fds[i];
        return b;
    }

    static byte[] concat(byte[]... parts) {
        byte[] out = new byte[0];
        for (byte[] p : parts) {
            int o = out.length;
            out = Arrays.copyOf(out, o + p.length);
            System.arraycopy(p, 0, out, o, p.length);
        }
        return out;
    }

    @Test
    void everyScmRightsFdIsFoundAsTheKernelWalksControlMessages() throws Exception {
        byte[] ctl = concat(cmsg(1, 2, new int[] {1, 2, 3}, -1), cmsg(1, 1, new int[] {5, 6}, -1), cmsg(0, 1, new int[] {9}, -1),
                cmsg(1, 1, new int[] {7}, -1));
        assertThat(ControlMessages.rightsOffsets(ctl)).hasSize(3);
        int[] seen = ControlMessages.rightsOffsets(ctl).stream().mapToInt(off -> ctl[off]).toArray();
        assertThat(seen).containsExactly(5, 6, 7);
        // shorter than a header: no control message at all
        assertThat(ControlMessages.rightsOffsets(new byte[15])).isEmpty();
        // cmsg_len shorter than the header or past the end: EINVAL
        assertThatThrownBy(() -> ControlMessages.rightsOffsets(cmsg(1, 1, new int[] {1}, 8)))
                .isInstanceOf(ErrnoException.class).extracting(e -> ((ErrnoException) e).errno()).isEqualTo(Errno.EINVAL);
        assertThatThrownBy(() -> ControlMessages.rightsOffsets(cmsg(1, 1, new int[] {1}, 200))).isInstanceOf(ErrnoException.class);
        // a trailing fragment shorter than a header is ignored, as by CMSG_NXTHDR
        byte[] tail = concat(cmsg(1, 1, new int[] {4}, -1), new byte[8]);
        assertThat(ControlMessages.rightsOffsets(tail)).hasSize(1);
        // too many fds in one message
        assertThatThrownBy(() -> ControlMessages.rightsOffsets(cmsg(1, 1, new int[254], -1))).isInstanceOf(ErrnoException.class);
    }

    @Test
    void credentialsAreFoundAndAddedWhereTheKernelLooks() throws Exception {
        byte[] rights = cmsg(1, 1, new int[] {4}, -1); // 20 bytes (24 aligned), then 8 bytes the kernel ignores
        byte[] ctl = ControlMessages.withCredentials(concat(rights, new byte[8]), 77, 65534, 100);
        assertThat(ctl).hasSize(24 + 32);
        assertThat(ControlMessages.rightsOffsets(ctl)).hasSize(1);
        int off = ControlMessages.credentialsOffsets(ctl).getFirst();
        assertThat(off).isEqualTo(24 + 16);
        assertThat(new int[] {ctl[off], ctl[off + 4] & 0xff | (ctl[off + 5] & 0xff) << 8, ctl[off + 8]})
                .containsExactly(77, 65534, 100);
        assertThat(ControlMessages.withCredentials(null, 1, 2, 3)).hasSize(32);
        // SCM_CREDENTIALS of another length: EINVAL, as the kernel answers
        assertThatThrownBy(() -> ControlMessages.credentialsOffsets(cmsg(1, 2, new int[] {1, 2}, -1)))
                .isInstanceOf(ErrnoException.class);
    }

    @Test
    void sendfdKinds() {
        assertThat(ControlMessages.kind(dev.jsyd.sys.Files.S_IFREG, "/etc/passwd")).isNull();
        assertThat(ControlMessages.kind(dev.jsyd.sys.Files.S_IFREG, "/memfd:x (deleted)")).isEqualTo("memfd");
        assertThat(ControlMessages.kind(dev.jsyd.sys.Files.S_IFREG, "anon_inode:[pidfd]")).isEqualTo("misc");
        assertThat(ControlMessages.kind(dev.jsyd.sys.Files.S_IFDIR, "/tmp")).isEqualTo("dir");
        assertThat(ControlMessages.kind(dev.jsyd.sys.Files.S_IFIFO, "pipe:[1]")).isEqualTo("fifo");
        assertThat(ControlMessages.kind(dev.jsyd.sys.Files.S_IFSOCK, "socket:[1]")).isEqualTo("socket");
        assertThat(ControlMessages.kind(dev.jsyd.sys.Files.S_IFLNK, "/tmp/link")).isEqualTo("symlink");
        assertThat(ControlMessages.kind(dev.jsyd.sys.Files.S_IFLNK, "/proc/12/fd/3")).isEqualTo("magiclink");
        assertThat(ControlMessages.kind(0, "anon_inode:[eventfd]")).isEqualTo("misc");
    }

    static byte[] ip(String text) throws Exception { return java.net.InetAddress.getByName(text).getAddress(); }

    static byte[] v6(String text) throws Exception {
        byte[] b = ip(text);
        if (b.length == 16) return b;
        byte[] m = new byte[16]; // InetAddress folds ::ffff:a.b.c.d to IPv4: build the mapped form
        m[10] = m[11] = (byte) 0xff;
        System.arraycopy(b, 0, m, 12, 4);
        return m;
    }

    static String routed(byte[] dest, byte[] bound) {
        Inet r = SockaddrDecoder.routedDestination(new Inet(dest, 9), bound == null ? null : new Inet(bound, 5));
        assertThat(r.port()).isEqualTo(9);
        return r.text();
    }

    @Test
    void unspecifiedDestinationsAreRoutedToTheLocalHost() throws Exception {
        assertThat(routed(ip("0.0.0.0"), null)).isEqualTo("127.0.0.1!9");
        assertThat(routed(ip("0.0.0.0"), ip("0.0.0.0"))).as("bound to any").isEqualTo("127.0.0.1!9");
        assertThat(routed(ip("0.0.0.0"), ip("10.1.2.3"))).as("bound: the kernel uses the source").isEqualTo("10.1.2.3!9");
        assertThat(routed(v6("::"), null)).isEqualTo("::1!9");
        assertThat(routed(v6("::"), v6("::ffff:10.1.2.3"))).as("v4-mapped socket").isEqualTo("::ffff:127.0.0.1!9");
        assertThat(routed(v6("::ffff:0.0.0.0"), null)).isEqualTo("::ffff:127.0.0.1!9");
        assertThat(routed(v6("::ffff:0.0.0.0"), v6("::ffff:10.1.2.3"))).isEqualTo("::ffff:10.1.2.3!9");
        assertThat(routed(ip("0.0.0.0"), v6("::ffff:10.1.2.3"))).as("AF_INET on an IPv6 socket").isEqualTo("10.1.2.3!9");
        assertThat(routed(ip("192.0.2.1"), ip("10.1.2.3"))).as("specified: unchanged").isEqualTo("192.0.2.1!9");
        assertThat(routed(v6("2001:db8::1"), null)).isEqualTo("2001:db8::1!9");
        assertThat(new Inet(v6("::ffff:0.0.0.1"), 1).unspecifiedDestination()).isFalse();
    }

    @Test
    void theRoutedAddressReplacesOnlyTheIp() throws Exception {
        byte[] raw4 = sin(AF_INET, 80, 0, 0, 0, 0, 16);
        assertThat(SockaddrDecoder.withIp(raw4, ip("127.0.0.1"))).isEqualTo(sin(AF_INET, 80, 127, 0, 0, 1, 16));
        byte[] raw6 = sin6(AF_INET6, 80, new byte[16], 28);
        byte[] want = sin6(AF_INET6, 80, v6("::1"), 28);
        assertThat(SockaddrDecoder.withIp(raw6, v6("::1"))).isEqualTo(want);
        assertThat(raw6).as("a copy").isEqualTo(sin6(AF_INET6, 80, new byte[16], 28));
    }
}
