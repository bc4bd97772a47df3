package dev.jsyd.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * accept/accept4 under {@code net/connect}: the peer of an inbound connection is checked like the
 * destination of an outbound one; a denied peer's connection is closed and the call gives
 * ECONNABORTED. Everything else (address copy and addrlen truncation, accept4 flags, EAGAIN,
 * EINTR/SA_RESTART) must be what the kernel gives natively, and UNIX peer names of sockets the
 * supervisor bound read as the program's names. The probe ({@code src/test/c/probe-net2.c}) forks
 * its own clients, so the same scenario runs natively for comparison.
 */
class NetAcceptIT {
    @TempDir Path tmp;

    static String probe() throws Exception { return Syd.probe("probe-net2").toString(); }

    /** {@code syd -poff -m sandbox/net/connect:on [rules] -- probe-net2 args...}; rules and args split at "--". */
    static Syd.Result sandboxed(String category, String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of("-poff", "-m", category + ":on"));
        boolean cmd = false;
        for (String s : args) {
            if (s.equals("--")) {
                cmd = true;
                a.add(s);
                a.add(probe());
            } else if (cmd) {
                a.add(s);
            } else {
                a.add("-m");
                a.add(s);
            }
        }
        return Syd.run(a.toArray(String[]::new));
    }

    static Syd.Result connectOn(String... args) throws Exception { return sandboxed("sandbox/net/connect", args); }

    static String nativeOut(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(probe()));
        cmd.addAll(List.of(args));
        return NetIT.nativeRun(cmd.toArray(String[]::new)).out();
    }

    static final String LOOPBACK_OK = "allow/net/connect+127.0.0.1!0-65535";

    @Test
    void ipv4DeniedPeerIsAbortedAndLoggedAllowedPeerIsAccepted() throws Exception {
        var r = connectOn(LOOPBACK_OK, "--", "serve", "4", "127.0.0.1", "-", "128", "127.0.0.2", "127.0.0.1");
        assertThat(r.out()).as(r.toString()).isEqualTo("""
                client eof
                err ECONNABORTED
                client got hi
                ok cloexec=0 nonblock=0 len=16 bytes=0200pppp7f0000010000000000000000aaaaaaaaaaaaaaaa ip=127.0.0.1
                """);
        assertThat(r.err()).contains("\"cap\":\"net/connect\"", "\"act\":\"deny\"", "\"sys\":\"accept4\"",
                "\"addr\":\"127.0.0.2!", "\"ipv\":4");
        // natively both peers are accepted
        assertThat(nativeOut("serve", "4", "127.0.0.1", "-", "128", "127.0.0.2", "127.0.0.1"))
                .contains("ip=127.0.0.2").contains("ip=127.0.0.1").doesNotContain("err");
        // the IP blocklist applies to inbound peers too
        var blocked = connectOn("allow/net/connect+127.0.0.0/8!0-65535", "block+127.0.0.2/32", "--",
                "serve", "4", "127.0.0.1", "-", "128", "127.0.0.2");
        assertThat(blocked.out()).as(blocked.toString()).isEqualTo("client eof\nerr ECONNABORTED\n");
    }

    @Test
    void ipv6PeersAndIpv4MappedPeersOfADualStackListener() throws Exception {
        String[] scenario = {"serve", "6", "::", "cn", "128", "::1", "127.0.0.2", "127.0.0.1"};
        var r = connectOn("allow/net/connect+::1!0-65535", LOOPBACK_OK, "--", scenario[0], scenario[1], scenario[2],
                scenario[3], scenario[4], scenario[5], scenario[6], scenario[7]);
        assertThat(r.out()).as(r.toString()).isEqualTo("""
                client got hi
                ok cloexec=1 nonblock=1 len=28 bytes=0a00pppp0000000000000000000000000000000000000001 ip=::1
                client eof
                err ECONNABORTED
                client got hi
                ok cloexec=1 nonblock=1 len=28 bytes=0a00pppp0000000000000000000000000000ffff7f000001 ip=::ffff:127.0.0.1
                """);
        assertThat(r.err()).contains("\"sys\":\"accept4\"", "\"ipv\":6");
        // an IPv6 peer denied by its (fixed) source port, while the destination ::1 is allowed
        int port = NetIT.closedPort("::1");
        var deny6 = connectOn("allow/net/connect+::1!0-65535", "deny/net/connect+::1!" + port, LOOPBACK_OK, "--",
                "serve", "6", "::", "-", "128", "::1!" + port, "127.0.0.1");
        assertThat(deny6.out()).as(deny6.toString()).startsWith("client eof\nerr ECONNABORTED\nclient got hi\nok ");
    }

    @Test
    void unixPeersUnnamedAllowedPathAndAbstractChecked() throws Exception {
        String srv = tmp.resolve("srv.sock").toString(), cli = tmp.resolve("cli.sock").toString();
        String abs = "@jsyd-accept-" + ProcessHandle.current().pid();
        var r = connectOn("allow/net/connect+" + tmp + "/***", "allow/net/connect+" + abs + "-ok",
                "deny/net/connect+" + cli, "--", "serve", "unix", srv, "-", "110", "-", cli, abs + "-ok", abs + "-no");
        List<String> lines = r.out().lines().toList();
        assertThat(lines).as(r.toString()).hasSize(9);
        assertThat(lines.subList(0, 6)).as(r.toString()).containsExactly("client got hi",
                "ok cloexec=0 nonblock=0 len=2 bytes=0100aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                "client eof", "client peer " + srv, "err ECONNABORTED", "client got hi");
        assertThat(lines.get(6)).startsWith("ok ").endsWith(" abstract=" + abs + "-ok");
        assertThat(lines.subList(7, 9)).containsExactly("client eof", "err ECONNABORTED");
        assertThat(r.err()).contains("\"addr\":\"" + cli + "\"", "\"addr\":\"" + abs + "-no\"")
                .doesNotContain("\"addr\":\"" + abs + "-ok\"");
    }

    @Test
    void addrlenTruncationAndErrorsAreNative() throws Exception {
        for (String len : List.of("0", "3", "4", "8", "16", "128", "-1", "nolen", "null")) {
            String[] s = {"serve", "4", "127.0.0.1", "-", len, "127.0.0.1"};
            var r = connectOn(LOOPBACK_OK, "--", s[0], s[1], s[2], s[3], s[4], s[5]);
            assertThat(r.out()).as(len + "\n" + r).isEqualTo(nativeOut(s)).isNotEmpty();
        }
        assertThat(nativeOut("serve", "4", "127.0.0.1", "-", "3", "127.0.0.1")).contains("len=16 bytes=0200ppaaaaaaaa");
        String srv = tmp.resolve("s.sock").toString(), cli = tmp.resolve("c.sock").toString();
        for (String len : List.of("2", "5", "110")) {
            String[] s = {"serve", "unix", srv, "-", len, cli};
            var r = connectOn("allow/net/connect+" + tmp + "/***", "--", s[0], s[1], s[2], s[3], s[4], s[5]);
            assertThat(r.out()).as(len + "\n" + r).isEqualTo(nativeOut(s)).contains("len=" + (cli.length() + 3));
        }
    }

    @Test
    void accept4FlagsAndNonBlockingListenersAreNative() throws Exception {
        for (String flags : List.of("-", "c", "n", "cn", "old")) {
            String[] s = {"serve", "4", "127.0.0.1", flags, "16", "127.0.0.1"};
            var r = connectOn(LOOPBACK_OK, "--", s[0], s[1], s[2], s[3], s[4], s[5]);
            assertThat(r.out()).as(flags + "\n" + r).isEqualTo(nativeOut(s)).contains("client got hi");
        }
        var cn = connectOn(LOOPBACK_OK, "--", "serve", "4", "127.0.0.1", "cn", "16", "127.0.0.1");
        assertThat(cn.out()).contains("ok cloexec=1 nonblock=1");
        // invalid flag, a non-blocking listener (accept4 flags or the listener's own O_NONBLOCK)
        for (String[] c : new String[][] {{"x", "err EINVAL\n"}, {"nN", "err EAGAIN\n"}, {"N", "err EAGAIN\n"}}) {
            var r = connectOn(LOOPBACK_OK, "--", "serve", "4", "127.0.0.1", c[0], "16");
            assertThat(r.out()).as(c[0] + "\n" + r).isEqualTo(c[1]).isEqualTo(nativeOut("serve", "4", "127.0.0.1", c[0], "16"));
        }
    }

    @Test
    void acceptOnWhatIsNotAListeningSocketFailsAsNatively() throws Exception {
        var r = connectOn(LOOPBACK_OK, "--", "badfd");
        assertThat(r.out()).as(r.toString()).isEqualTo("-1 ENOTSOCK\n-1 EBADF\n-1 EOPNOTSUPP\n-1 EINVAL\n")
                .isEqualTo(nativeOut("badfd"));
    }

    @Test
    void blockingAcceptIsInterruptedBySigalrmAndRestartedUnderSaRestart() throws Exception {
        var intr = connectOn(LOOPBACK_OK, "--", "intr", "norestart");
        assertThat(intr.out()).as(intr.toString()).isEqualTo("err EINTR alarms=1\n");
        var restart = connectOn(LOOPBACK_OK, "--", "intr", "restart");
        assertThat(restart.out()).as(restart.toString()).isEqualTo("client got hi\nok alarms=1\n");
        assertThat(nativeOut("intr", "norestart")).isEqualTo(intr.out());
    }

    @Test
    void unixPeerNamesOfSocketsTheSupervisorBoundAreTheProgramsNames() throws Exception {
        // absolute paths: the supervisor binds them as /proc/self/fd/N/name; both ends must still see the real names
        String srv = tmp.resolve("server.sock").toString(), cli = tmp.resolve("client.sock").toString();
        String[] s = {"serve", "unix", srv, "-", "110", cli};
        var r = sandboxed("sandbox/net", "allow/net/bind+" + tmp + "/***", "allow/net/connect+" + tmp + "/***", "--",
                s[0], s[1], s[2], s[3], s[4], s[5]);
        assertThat(r.out()).as(r.toString()).isEqualTo(nativeOut(s))
                .contains("client peer " + srv + "\n").contains(" path=" + cli + "\n").doesNotContain("/proc/");
    }
}
