package dev.jsyd.it.escape;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.it.Syd;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Binds the kernel makes by itself: listen() on a socket with no port binds an ephemeral port on
 * every interface; a UNIX socket with SO_PASSCRED gets an abstract name at connect or sendto;
 * bind() with the address family alone names it too. Under {@code net/bind} each is a bind:
 * refused and logged unless a rule allows port 0 / the autobind name {@code @}.
 */
class ImplicitBindEscapeIT {
    static String probe() throws Exception { return Syd.probe("keeper-probe").toString(); }

    static List<String> net(String... extra) {
        // -p nopie: Debian 12's python3.11 (used below) is not PIE.
        List<String> p = new ArrayList<>(List.of("-poff", "-p", "nopie", "-m", "sandbox/net:on", "-m", "allow/net/bind+@keeper-peer-*",
                "-m", "allow/net/connect+@keeper-peer-*"));
        for (String e : extra) {
            p.add("-m");
            p.add(e);
        }
        return p;
    }

    @Test
    void listenWithoutBindIsABindOfPortZero() throws Exception {
        assertThat(Escape.nativeRun(probe(), "listen-unbound", "4").out()).isEqualTo("listen ok port\n");
        // on main: "listen ok port", a server on 0.0.0.0 with no check and no record
        var r = Escape.syd(net(), probe(), "listen-unbound", "4");
        assertThat(r.out()).as(r.toString()).isEqualTo("listen EACCES\n");
        assertThat(r.err()).contains("\"cap\":\"net/bind\"", "\"sys\":\"listen\"", "\"addr\":\"0.0.0.0!0\"",
                "\"tip\":\"configure `allow/net/bind+0.0.0.0!0'\"");
        r = Escape.syd(net(), probe(), "listen-unbound", "6");
        assertThat(r.out()).as(r.toString()).isEqualTo("listen EACCES\n");
        assertThat(r.err()).contains("\"addr\":\"::!0\"");
        for (String v : List.of("4", "6")) {
            r = Escape.syd(net("allow/net/bind+any!0"), probe(), "listen-unbound", v);
            assertThat(r.out()).as(r.toString()).isEqualTo("listen ok port\n");
        }
        // a port rule for loopback only does not cover the implicit bind on every interface
        r = Escape.syd(net("allow/net/bind+loopback!0"), probe(), "listen-unbound", "4");
        assertThat(r.out()).as(r.toString()).isEqualTo("listen EACCES\n");
    }

    @Test
    void listenAfterAnExplicitBindIsNotCheckedAgain() throws Exception {
        var r = Escape.syd(net("allow/net/bind+loopback!0", "allow/net/connect+loopback!0-65535"),
                "python3", "-c", "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); s.listen(); print('ok')");
        assertThat(r.out()).as(r.toString()).isEqualTo("ok\n");
    }

    @Test
    void unixAutobindIsABindOfTheNameAt() throws Exception {
        String expectedNative = "bind-family-only ok autobound\nsendto-passcred ok autobound\n"
                + "connect-passcred ok autobound\nsendto-plain ok unnamed\n";
        assertThat(Escape.nativeRun(probe(), "unix-autobind").out()).isEqualTo(expectedNative);
        // on main: all three autobound with no check
        var r = Escape.syd(net(), probe(), "unix-autobind");
        assertThat(r.out()).as(r.toString()).isEqualTo("bind-family-only EACCES\nsendto-passcred EACCES\n"
                + "connect-passcred EACCES\nsendto-plain ok unnamed\n");
        assertThat(r.err()).contains("\"sys\":\"bind\",\"addr\":\"@\"", "\"sys\":\"sendto\",\"addr\":\"@\"",
                "\"sys\":\"connect\",\"addr\":\"@\"");
        r = Escape.syd(net("allow/net/bind+@"), probe(), "unix-autobind");
        assertThat(r.out()).as(r.toString()).isEqualTo(expectedNative);
    }
}
