package dev.jsyd.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Network sandboxing on real loopback sockets: bind/connect/send checked against net/bind,
 * net/connect and net/sendfd and carried out by the supervisor. "Checked and allowed" is told
 * from "denied" by the errno: a closed port gives ECONNREFUSED when allowed, EACCES when denied.
 */
class NetIT {
    @TempDir Path tmp;

    /** Runs {@code syd -poff -m sandbox/net:on [rules...] -- cmd...}; rules and command split at "--". */
    static Syd.Result net(String... args) throws Exception {
        // -p nopie: Debian 12's python3.11 (the clients and servers here) is not PIE.
        List<String> a = new ArrayList<>(List.of("-poff", "-p", "nopie", "-m", "sandbox/net:on"));
        boolean cmd = false;
        for (String s : args) {
            if (s.equals("--")) {
                cmd = true;
                a.add(s);
            } else if (cmd) {
                a.add(s);
            } else {
                a.add("-m");
                a.add(s);
            }
        }
        return Syd.run(a.toArray(String[]::new));
    }

    static String probe() throws Exception { return Syd.probe("probe-net").toString(); }

    static Syd.Result nativeRun(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes());
        String err = new String(p.getErrorStream().readAllBytes());
        return new Syd.Result(p.waitFor(), out, err);
    }

    /** A loopback port nobody listens on. */
    static int closedPort(String host) throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return s.getLocalPort();
        }
    }

    /** A TCP server that accepts and counts connections until closed. */
    static final class Counter implements AutoCloseable {
        final ServerSocket socket;
        final AtomicInteger accepted = new AtomicInteger();
        final Thread thread;

        Counter(String host) throws IOException {
            socket = new ServerSocket(0, 1024, InetAddress.getByName(host));
            thread = Thread.ofPlatform().daemon().start(() -> {
                while (true) {
                    try {
                        Socket c = socket.accept();
                        accepted.incrementAndGet();
                        c.close();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        int port() { return socket.getLocalPort(); }

        @Override public void close() throws IOException {
            socket.close();
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Test
    void tcp4AllowedConnectsDeniedIsEaccesAndLogged() throws Exception {
        try (Counter srv = new Counter("127.0.0.1")) {
            int closed = closedPort("127.0.0.1");
            var ok = net("allow/net/connect+127.0.0.1!" + srv.port(), "--", probe(), "connect", "127.0.0.1", "" + srv.port());
            assertThat(ok.out()).as(ok.toString()).isEqualTo("ok 0\n");
            var refused = net("allow/net/connect+127.0.0.1!" + closed, "--", probe(), "connect", "127.0.0.1", "" + closed);
            assertThat(refused.out()).as(refused.toString()).isEqualTo("err ECONNREFUSED\n");
            var denied = net("allow/net/connect+127.0.0.1!" + srv.port(), "--", probe(), "connect", "127.0.0.1", "" + closed);
            assertThat(denied.out()).as(denied.toString()).isEqualTo("err EACCES\n");
            assertThat(denied.err()).contains("\"cap\":\"net/connect\"", "\"act\":\"deny\"", "\"sys\":\"connect\"",
                    "\"addr\":\"127.0.0.1!" + closed + "\"", "\"ipv\":4", "allow/net/connect+127.0.0.1!" + closed);
            assertThat(nativeRun(probe(), "connect", "127.0.0.1", "" + closed).out()).isEqualTo("err ECONNREFUSED\n");
            assertThat(srv.accepted.get()).isEqualTo(1);
        }
    }

    @Test
    void tcp6AllowedConnectsDeniedIsEacces() throws Exception {
        try (Counter srv = new Counter("::1")) {
            int closed = closedPort("::1");
            var ok = net("allow/net/connect+::1!" + srv.port(), "--", probe(), "connect", "::1", "" + srv.port());
            assertThat(ok.out()).as(ok.toString()).isEqualTo("ok 0\n");
            var denied = net("allow/net/connect+::1!" + srv.port(), "--", probe(), "connect", "::1", "" + closed);
            assertThat(denied.out()).as(denied.toString()).isEqualTo("err EACCES\n");
            assertThat(denied.err()).contains("\"addr\":\"::1!" + closed + "\"", "\"ipv\":6");
            // an IPv4 rule does not cover ::1
            var v4rule = net("allow/net/connect+127.0.0.1!" + srv.port(), "--", probe(), "connect", "::1", "" + srv.port());
            assertThat(v4rule.out()).isEqualTo("err EACCES\n");
        }
    }

    @Test
    void ipv4MappedAddressIsCheckedAsIpv4Too() throws Exception {
        int closed = closedPort("127.0.0.1");
        var allowed = net("allow/net/connect+127.0.0.1!" + closed, "--", probe(), "connect", "::ffff:127.0.0.1", "" + closed);
        assertThat(allowed.out()).as(allowed.toString()).isEqualTo("err ECONNREFUSED\n");
        var asV6 = net("allow/net/connect+::ffff:127.0.0.1!" + closed, "--", probe(), "connect", "::ffff:127.0.0.1", "" + closed);
        assertThat(asV6.out()).isEqualTo("err ECONNREFUSED\n");
        var denied = net("allow/net/connect+any!" + closed, "deny/net/connect+127.0.0.1!" + closed, "--",
                probe(), "connect", "::ffff:127.0.0.1", "" + closed);
        assertThat(denied.out()).isEqualTo("err EACCES\n");
    }

    @Test
    void lastMatchingRuleWins() throws Exception {
        int p = closedPort("127.0.0.1");
        var denyLast = net("allow/net/connect+127.0.0.0/8!" + p, "deny/net/connect+127.0.0.1!" + p, "--",
                probe(), "connect", "127.0.0.1", "" + p);
        assertThat(denyLast.out()).isEqualTo("err EACCES\n");
        var allowLast = net("deny/net/connect+127.0.0.1!" + p, "allow/net/connect+127.0.0.0/8!" + p, "--",
                probe(), "connect", "127.0.0.1", "" + p);
        assertThat(allowLast.out()).isEqualTo("err ECONNREFUSED\n");
        // removing the last rule restores the earlier decision
        var removed = net("allow/net/connect+127.0.0.0/8!" + p, "deny/net/connect+127.0.0.1!" + p,
                "deny/net/connect-127.0.0.1!" + p, "--", probe(), "connect", "127.0.0.1", "" + p);
        assertThat(removed.out()).isEqualTo("err ECONNREFUSED\n");
    }

    @Test
    void cidrEdgesPortRangesAndAliases() throws Exception {
        int p = closedPort("127.0.0.1");
        String rule = "allow/net/connect+127.0.0.0/31!" + p + "-" + (p + 1);
        assertThat(net(rule, "--", probe(), "connect", "127.0.0.1", "" + p).out()).isEqualTo("err ECONNREFUSED\n");
        assertThat(net(rule, "--", probe(), "connect", "127.0.0.1", "" + (p + 1)).out()).isEqualTo("err ECONNREFUSED\n");
        assertThat(net(rule, "--", probe(), "connect", "127.0.0.1", "" + (p + 2)).out()).isEqualTo("err EACCES\n");
        assertThat(net(rule, "--", probe(), "connect", "127.0.0.1", "" + (p - 1)).out()).isEqualTo("err EACCES\n");
        assertThat(net(rule, "--", probe(), "connect", "127.0.0.2", "" + p).out()).isEqualTo("err EACCES\n");
        String alias = "allow/net/connect+loopback!" + p;
        assertThat(net(alias, "--", probe(), "connect", "127.0.0.1", "" + p).out()).isEqualTo("err ECONNREFUSED\n");
        assertThat(net(alias, "--", probe(), "connect", "::1", "" + p).out()).isEqualTo("err ECONNREFUSED\n");
        assertThat(net("allow/net/connect+loopback4!" + p, "--", probe(), "connect", "::1", "" + p).out())
                .isEqualTo("err EACCES\n");
    }

    @Test
    void nonBlockingConnectKeepsEinprogress() throws Exception {
        try (Counter srv = new Counter("127.0.0.1")) {
            var r = net("allow/net/connect+127.0.0.1!" + srv.port(), "--", probe(), "connect", "127.0.0.1", "" + srv.port(), "nb");
            assertThat(r.out()).as(r.toString()).isIn("err EINPROGRESS\n", "ok 0\n");
            assertThat(r.out()).isEqualTo(nativeRun(probe(), "connect", "127.0.0.1", "" + srv.port(), "nb").out());
        }
    }

    static final String UDP = """
            import socket, sys
            fam = socket.AF_INET6 if ':' in sys.argv[1] else socket.AF_INET
            s = socket.socket(fam, socket.SOCK_DGRAM)
            for port in sys.argv[2:]:
                try:
                    print(port, s.sendto(b'dgram-' + port.encode(), (sys.argv[1], int(port))))
                except OSError as e:
                    print(port, 'errno', e.errno)
            """;

    @Test
    void udpSendtoOverIpv4AndIpv6() throws Exception {
        for (String host : List.of("127.0.0.1", "::1")) {
            try (DatagramSocket allowed = new DatagramSocket(0, InetAddress.getByName(host));
                 DatagramSocket denied = new DatagramSocket(0, InetAddress.getByName(host))) {
                allowed.setSoTimeout(3000);
                denied.setSoTimeout(300);
                var r = net("allow/net/connect+" + host + "!" + allowed.getLocalPort(), "--", "python3", "-c", UDP, host,
                        "" + allowed.getLocalPort(), "" + denied.getLocalPort());
                String ap = "" + allowed.getLocalPort();
                assertThat(r.out()).as(r.toString()).isEqualTo(ap + " " + (6 + ap.length()) + "\n" + denied.getLocalPort() + " errno 13\n");
                byte[] buf = new byte[64];
                DatagramPacket pk = new DatagramPacket(buf, buf.length);
                allowed.receive(pk);
                assertThat(new String(buf, 0, pk.getLength())).isEqualTo("dgram-" + allowed.getLocalPort());
                boolean leaked;
                try {
                    denied.receive(pk);
                    leaked = true;
                } catch (SocketTimeoutException e) {
                    leaked = false;
                }
                assertThat(leaked).as("datagram reached the denied port").isFalse();
            }
        }
    }

    @Test
    void sendmmsgStopsAtTheFirstDeniedDestination() throws Exception {
        try (DatagramSocket a = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
            int p = a.getLocalPort(), q = closedPort("127.0.0.1");
            var r = net("allow/net/connect+127.0.0.1!" + p, "--", probe(), "sendmmsg", "" + p, "" + q, "" + p);
            assertThat(r.out()).as(r.toString()).isEqualTo("ok 1 lens 5 0 0\n");
            var first = net("allow/net/connect+127.0.0.1!" + p, "--", probe(), "sendmmsg", "" + q, "" + p, "" + p);
            assertThat(first.out()).isEqualTo("err EACCES\n");
            var all = net("allow/net/connect+127.0.0.1!" + p, "--", probe(), "sendmmsg", "" + p, "" + p, "" + p);
            assertThat(all.out()).isEqualTo("ok 3 lens 5 5 5\n");
        }
    }

    static final String UNIX_STREAM = """
            import socket, os, sys
            os.chdir(sys.argv[1])
            srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            srv.bind('srv.sock')
            srv.listen()
            print('name', srv.getsockname())
            c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            c.connect(sys.argv[1] + '/srv.sock')
            a, _ = srv.accept()
            print('peer', c.getpeername())
            c.sendall(b'over unix')
            print('got', a.recv(64).decode())
            try:
                socket.socket(socket.AF_UNIX).connect(sys.argv[2])
            except OSError as e:
                print('other', e.errno)
            """;

    @Test
    void unixStreamByPath() throws Exception {
        Path other = Files.createDirectory(tmp.resolve("other"));
        var r = net("allow/net/bind+" + tmp + "/*.sock", "allow/net/connect+" + tmp + "/*.sock", "--", "python3", "-c",
                UNIX_STREAM, tmp.toString(), other + "/x.sock");
        assertThat(r.out()).as(r.toString()).isEqualTo("name srv.sock\npeer srv.sock\ngot over unix\nother 13\n");
        assertThat(r.err()).contains("\"addr\":\"" + other + "/x.sock\"");
        assertThat(Files.readAttributes(tmp.resolve("srv.sock"), java.nio.file.attribute.BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS).isOther()).isTrue();
        // the connect check is made on the canonical path: a symlink is checked as its target
        Path toAllowed = Files.createSymbolicLink(other.resolve("in.sock"), tmp.resolve("gone.sock"));
        Path toDenied = Files.createSymbolicLink(tmp.resolve("evil.sock"), other.resolve("y.sock"));
        Files.delete(tmp.resolve("srv.sock"));
        var viaLink = net("allow/net/bind+" + tmp + "/*.sock", "allow/net/connect+" + tmp + "/*.sock", "--", "python3", "-c",
                UNIX_STREAM, tmp.toString(), toAllowed.toString());
        assertThat(viaLink.out()).as(viaLink.toString()).endsWith("other 2\n"); // allowed (target), does not exist
        Files.delete(tmp.resolve("srv.sock"));
        var evil = net("allow/net/bind+" + tmp + "/*.sock", "allow/net/connect+" + tmp + "/*.sock", "--", "python3", "-c",
                UNIX_STREAM, tmp.toString(), toDenied.toString());
        assertThat(evil.out()).as(evil.toString()).endsWith("other 13\n");
        assertThat(evil.err()).contains("\"addr\":\"" + other + "/y.sock\"");
    }

    @Test
    void unixBindCreatesTheSocketWithTheProgramsUmaskAndName() throws Exception {
        Path sock = tmp.resolve("b.sock");
        var r = net("allow/net/bind+" + tmp + "/***", "--", "sh", "-c", "umask 027; exec " + probe() + " unixbind " + sock);
        assertThat(r.out()).as(r.toString()).isEqualTo("ok " + sock + " len=" + (sock.toString().length() + 3) + " mode=750\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sock))).isEqualTo("rwxr-x---");
        Path denied = tmp.resolve("sub");
        Files.createDirectory(denied);
        var d = net("allow/net/bind+" + tmp + "/*.sock", "--", probe(), "unixbind", denied + "/c.sock");
        assertThat(d.out()).isEqualTo("err EACCES\n");
        assertThat(Files.exists(denied.resolve("c.sock"))).isFalse();
        // only the parent must exist
        var missing = net("allow/net/bind+" + tmp + "/***", "--", probe(), "unixbind", tmp + "/nodir/c.sock");
        assertThat(missing.out()).isEqualTo("err ENOENT\n");
        var again = net("allow/net/bind+" + tmp + "/***", "--", probe(), "unixbind", sock.toString());
        assertThat(again.out()).isEqualTo("err EADDRINUSE\n");
    }

    static final String ABSTRACT = """
            import socket, sys
            srv = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            srv.bind('\\0' + sys.argv[1])
            c = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            print(c.sendto(b'abstract', '\\0' + sys.argv[1]))
            print(srv.recv(64).decode())
            try:
                c.sendto(b'x', '\\0' + sys.argv[1] + '-denied')
            except OSError as e:
                print('denied', e.errno)
            try:
                socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).bind('\\0elsewhere')
            except OSError as e:
                print('bind', e.errno)
            """;

    @Test
    void unixDatagramAbstract() throws Exception {
        String name = "jsyd-net-" + ProcessHandle.current().pid();
        var r = net("allow/net/bind+@jsyd-net-*", "allow/net/connect+@" + name, "--", "python3", "-c", ABSTRACT, name);
        assertThat(r.out()).as(r.toString()).isEqualTo("8\nabstract\ndenied 13\nbind 13\n");
        assertThat(r.err()).contains("\"addr\":\"@" + name + "-denied\"", "\"cap\":\"net/bind\"", "\"addr\":\"@elsewhere\"");
    }

    static final String SAFE_BIND = """
            import socket
            srv = socket.socket()
            srv.bind(('127.0.0.1', 0))
            srv.listen()
            c = socket.socket()
            try:
                c.connect(srv.getsockname())
                print('connected')
            except OSError as e:
                print('errno', e.errno)
            """;

    @Test
    void bindToPortZeroThenConnectWorksWithAllowSafeBind() throws Exception {
        var on = net("allow/net/bind+127.0.0.1!0", "trace/allow_safe_bind:1", "--", "python3", "-c", SAFE_BIND);
        assertThat(on.out()).as(on.toString()).isEqualTo("connected\n");
        var off = net("allow/net/bind+127.0.0.1!0", "--", "python3", "-c", SAFE_BIND);
        assertThat(off.out()).isEqualTo("errno 13\n");
        var bindDenied = net("allow/net/bind+127.0.0.1!1-65535", "trace/allow_safe_bind:1", "--", "python3", "-c", SAFE_BIND);
        assertThat(bindDenied.status()).isNotZero();
        assertThat(bindDenied.err()).contains("\"cap\":\"net/bind\"", "\"addr\":\"127.0.0.1!0\"");
    }

    @Test
    void connectRaceNeverReachesTheDeniedPort() throws Exception {
        try (Counter allowed = new Counter("127.0.0.1"); Counter denied = new Counter("127.0.0.1")) {
            var r = net("allow/net/connect+127.0.0.1!" + allowed.port(), "--", probe(), "race", "" + allowed.port(),
                    "" + denied.port(), "3");
            String[] f = r.out().trim().split(" ");
            assertThat(f[0]).as(r.toString()).isEqualTo("ok");
            long ok = Long.parseLong(f[1]), eacces = Long.parseLong(f[2]);
            assertThat(ok).as("connections to the allowed port").isPositive();
            assertThat(eacces).as("attempts the flipper turned to the denied port").isPositive();
            Thread.sleep(200);
            assertThat(denied.accepted.get()).as("connections that reached the denied port").isZero();
        }
    }

    @Test
    void unixBindRaceNeverCreatesASocketInTheDeniedDirectory() throws Exception {
        Path work = Files.createDirectory(tmp.resolve("work"));
        Path denied = Files.createDirectory(tmp.resolve("denied"));
        var r = net("allow/net/bind+" + work + "/d/*", "--", probe(), "bindrace", work.toString(), denied.toString(), "2");
        String[] f = r.out().trim().split(" ");
        assertThat(f[0]).as(r.toString()).isEqualTo("ok");
        assertThat(Long.parseLong(f[1])).as("binds in the allowed directory").isPositive();
        assertThat(Long.parseLong(f[2])).as("binds the swap turned to the denied directory").isPositive();
        try (var files = Files.list(denied)) {
            assertThat(files.toList()).as("socket files in the denied directory").isEmpty();
        }
    }

    @Test
    void blocklistComesBeforeTheRules() throws Exception {
        int p = closedPort("127.0.0.1");
        var blocked = net("allow/net/connect+127.0.0.1!" + p, "block+127.0.0.0/8", "--", probe(), "connect", "127.0.0.1", "" + p);
        assertThat(blocked.out()).as(blocked.toString()).isEqualTo("err EACCES\n");
        assertThat(blocked.err()).contains("\"cap\":\"block\"", "block-127.0.0.0/8");
        var other = net("allow/net/connect+127.0.0.1!" + p, "block+10.0.0.0/8", "--", probe(), "connect", "127.0.0.1", "" + p);
        assertThat(other.out()).isEqualTo("err ECONNREFUSED\n");
    }

    @Test
    void sendfdIsCheckedOnThePathOfThePassedFile() throws Exception {
        Path allowed = Files.writeString(tmp.resolve("allowed.txt"), "a");
        Path other = Files.writeString(tmp.resolve("other.txt"), "b");
        var ok = net("allow/net/sendfd+" + tmp + "/allowed.*", "--", probe(), "sendfd", "file", allowed.toString());
        assertThat(ok.out()).as(ok.toString()).isEqualTo("ok 1\ngot " + allowed + "\n");
        var denied = net("allow/net/sendfd+" + tmp + "/allowed.*", "--", probe(), "sendfd", "file", other.toString());
        assertThat(denied.out()).isEqualTo("err EACCES\n");
        assertThat(denied.err()).contains("\"cap\":\"net/sendfd\"", "\"addr\":\"" + other + "\"");
        // with net/sendfd off nothing is checked
        var off = net("sandbox/net/sendfd:off", "--", probe(), "sendfd", "file", other.toString());
        assertThat(off.out()).isEqualTo("ok 1\ngot " + other + "\n");
    }

    @Test
    void sendfdOfSpecialFilesIsRefusedUnlessRelaxed() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("d"));
        Path link = Files.createSymbolicLink(tmp.resolve("l"), dir);
        String all = "allow/net/sendfd+/***";
        assertThat(nativeRun(probe(), "sendfd", "dir", dir.toString()).out()).startsWith("ok 1\n");
        var d = net(all, "--", probe(), "sendfd", "dir", dir.toString());
        assertThat(d.out()).as(d.toString()).isEqualTo("err EACCES\n");
        assertThat(d.err()).contains("trace/allow_unsafe_sendfd_dir:1");
        assertThat(net(all, "trace/allow_unsafe_sendfd_dir:1", "--", probe(), "sendfd", "dir", dir.toString()).out())
                .isEqualTo("ok 1\ngot " + dir + "\n");
        assertThat(net(all, "--", probe(), "sendfd", "symlink", link.toString()).out()).isEqualTo("err EACCES\n");
        assertThat(net(all, "trace/allow_unsafe_sendfd_symlink:1", "--", probe(), "sendfd", "symlink", link.toString()).out())
                .isEqualTo("ok 1\ngot " + link + "\n");
        assertThat(net(all, "--", probe(), "sendfd", "pipe", "-").out()).isEqualTo("err EACCES\n");
        assertThat(net(all, "trace/allow_unsafe_sendfd_fifo:1", "--", probe(), "sendfd", "pipe", "-").out()).startsWith("ok 1\ngot pipe:[");
        assertThat(net(all, "--", probe(), "sendfd", "socket", "-").out()).isEqualTo("err EACCES\n");
    }

    @Test
    void sendfdRaceOnTheControlBufferNeverPassesTheDeniedFile() throws Exception {
        Path allowed = Files.writeString(tmp.resolve("allowed.txt"), "a");
        Path secret = Files.writeString(tmp.resolve("secret.txt"), "b");
        var r = net("allow/net/sendfd+" + allowed, "--", probe(), "fdrace", allowed.toString(), secret.toString(), "2");
        String[] f = r.out().trim().split(" ");
        assertThat(f[0]).as(r.toString()).isEqualTo("ok");
        assertThat(Long.parseLong(f[1])).as("sent").isPositive();
        assertThat(Long.parseLong(f[2])).as("denied").isPositive();
        assertThat(Long.parseLong(f[3])).as("received fds that were not the allowed file").isZero();
    }

    @Test
    void malformedArgumentsGiveTheNativeErrno() throws Exception {
        List<List<String>> cases = List.of(List.of("badlen", "connect", "8"), List.of("badlen", "bind", "15"),
                List.of("badlen", "sendto", "8"), List.of("badlen", "connect", "129"), List.of("badlen", "connect", "-1"),
                List.of("badptr", "connect"), List.of("badptr", "bind"), List.of("badptr", "sendto"), List.of("badfd"),
                List.of("badcmsg"));
        for (List<String> c : cases) {
            List<String> cmd = new ArrayList<>(List.of(probe()));
            cmd.addAll(c);
            String expected = nativeRun(cmd.toArray(String[]::new)).out();
            assertThat(expected).as(c.toString()).startsWith("err ");
            var r = net(concat(List.of("allow/net/bind+any!0-65535", "allow/net/connect+any!0-65535", "--"), cmd));
            assertThat(r.out()).as(c + "\n" + r).isEqualTo(expected);
        }
    }

    @Test
    void fuzzedSendmsgGivesTheNativeResults() throws Exception {
        var expected = nativeRun(probe(), "fuzzmsg", "2000");
        assertThat(expected.out().lines().count()).isEqualTo(2000);
        assertThat(expected.out()).contains(" EINVAL", " EFAULT", " -\n");
        var r = net("allow/net/sendfd+/***", "trace/allow_unsafe_sendfd_cdev:1", "trace/allow_unsafe_sendfd_fifo:1",
                "trace/allow_unsafe_sendfd_socket:1", "trace/allow_unsafe_sendfd_misc:1", "trace/allow_unsafe_sendfd_dir:1",
                "--", probe(), "fuzzmsg", "2000");
        assertThat(r.out()).as(r.err()).isEqualTo(expected.out());
    }

    @Test
    void fuzzedAddressesGiveTheNativeResults() throws Exception {
        Path nat = Files.createDirectory(tmp.resolve("native")), sb = Files.createDirectory(tmp.resolve("sandboxed"));
        Process p = new ProcessBuilder(probe(), "fuzzaddr", "2000").directory(nat.toFile()).start();
        String expected = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).isZero();
        assertThat(expected).contains(" EINVAL\n", " EAFNOSUPPORT\n", " ok\n", " ENOENT\n");
        String script = "cd " + sb + " && exec " + probe() + " fuzzaddr 2000";
        var r = net("allow/net/bind+any!0-65535", "allow/net/connect+any!0-65535", "allow/net/bind+/***",
                "allow/net/connect+/***", "allow/net/bind+@**", "allow/net/connect+@**", "--", "sh", "-c", script);
        assertThat(r.out()).as(r.err()).isEqualTo(expected);
        try (var a = Files.list(nat); var b = Files.list(sb)) {
            assertThat(b.map(x -> x.getFileName().toString()).sorted().toList())
                    .isEqualTo(a.map(x -> x.getFileName().toString()).sorted().toList());
        }
    }

    static String[] concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all.toArray(String[]::new);
    }

    @Test
    void blockingSendIsInterruptedBySignalsAndRaisesSigpipe() throws Exception {
        var r = net("--", probe(), "eintr");
        assertThat(r.out()).as(r.toString()).isEqualTo("EINTR caught=1\n");
        var pipe = net("--", probe(), "sigpipe");
        assertThat(pipe.status()).as(pipe.toString()).isEqualTo(128 + 13);
        assertThat(net("--", probe(), "sigpipe", "nosignal").out()).isEqualTo("err EPIPE\n");
    }

    @Test
    void unsupportedSocketFamiliesAreRefusedUnlessRelaxed() throws Exception {
        // AF_INET SOCK_RAW ICMP, AF_PACKET, AF_NETLINK audit, AF_NETLINK route, AF_UNIX, AF_INET6 stream
        var raw = net("--", probe(), "socket", "2", "3", "1");
        assertThat(raw.out()).as(raw.toString()).isEqualTo("err EAFNOSUPPORT\n");
        assertThat(raw.err()).contains("\"sys\":\"socket\"", "trace/allow_unsafe_socket:1");
        assertThat(net("--", probe(), "socket", "17", "3", "0").out()).isEqualTo("err EAFNOSUPPORT\n");
        assertThat(net("--", probe(), "socket", "16", "3", "9").out()).isEqualTo("err EAFNOSUPPORT\n");
        assertThat(net("trace/allow_unsupp_socket:1", "--", probe(), "socket", "16", "3", "9").out()).startsWith("ok ");
        assertThat(net("--", probe(), "socket", "16", "3", "0").out()).startsWith("ok ");
        assertThat(net("--", probe(), "socket", "1", "1", "0").out()).startsWith("ok ");
        assertThat(net("--", probe(), "socket", "10", "1", "0").out()).startsWith("ok ");
        // AF_APPLETALK: unknown to the sandbox
        assertThat(net("--", probe(), "socket", "5", "2", "0").out()).isEqualTo("err EAFNOSUPPORT\n");
        // net/link rules decide netlink families when that category is on
        assertThat(net("sandbox/net/link:on", "allow/net/link+audit", "--", probe(), "socket", "16", "3", "9").out())
                .startsWith("ok ");
        assertThat(net("sandbox/net/link:on", "allow/net/link+audit", "--", probe(), "socket", "16", "3", "0").out())
                .isEqualTo("err EACCES\n");
    }
}
