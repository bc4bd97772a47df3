package dev.jsyd.it.escape;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.it.Syd;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Unspecified destinations (issue 12.5): Linux routes {@code 0.0.0.0}, {@code [::]} and
 * {@code [::ffff:0.0.0.0]} to the local host, so with every address allowed but the loopback
 * listener's port denied, connect, sendto, sendmsg and sendmmsg to an unspecified address reached
 * the listener. They are checked as the local address the kernel uses (and sent there explicitly).
 */
class UnspecifiedAddressEscapeIT {
    static final List<String> CALLS = List.of("connect", "sendto", "sendmsg", "sendmmsg");
    static final List<String> ADDRESSES = List.of("0.0.0.0", "[::]", "[::ffff:0.0.0.0]");

    static String expected(String what) {
        StringBuilder s = new StringBuilder();
        for (String a : ADDRESSES) for (String c : CALLS) s.append(c).append(' ').append(a).append(' ').append(what).append('\n');
        return s.toString();
    }

    @Test
    void unspecifiedAddressesAreCheckedAsTheLocalHost() throws Exception {
        // A dual-stack listener (TCP and UDP) on every local address, ephemeral ports.
        try (ServerSocket tcp = new ServerSocket(); DatagramSocket udp = new DatagramSocket(null)) {
            tcp.bind(new InetSocketAddress(InetAddress.getByName("::"), 0), 64);
            udp.bind(new InetSocketAddress(InetAddress.getByName("::"), 0));
            String tport = Integer.toString(tcp.getLocalPort()), uport = Integer.toString(udp.getLocalPort());
            String[] attack = {Syd.probe("table-probe").toString(), "unspec", tport, uport};
            assertThat(Escape.nativeRun(attack).out()).as("natively all reach the loopback listener").isEqualTo(expected("ok"));

            List<String> denyLoopback = List.of("-poff", "-m", "sandbox/net/connect:on", "-m", "allow/net/connect+any!0-65535",
                    "-m", "deny/net/connect+loopback!" + tport, "-m", "deny/net/connect+loopback!" + uport);
            var r = Escape.syd(denyLoopback, attack);
            assertThat(r.out()).as(r.toString()).isEqualTo(expected("err EACCES"));
            assertThat(r.err()).contains("\"addr\":\"127.0.0.1!" + tport + "\"").contains("\"addr\":\"::1!" + uport + "\"")
                    .contains("\"addr\":\"::ffff:127.0.0.1!" + tport + "\"");

            // Allowed, they still arrive (sent to the address the kernel would have used).
            List<String> allow = List.of("-poff", "-m", "sandbox/net/connect:on", "-m", "allow/net/connect+any!0-65535",
                    "-m", "deny/net/connect+loopback!1");
            r = Escape.syd(allow, attack);
            assertThat(r.out()).as(r.toString()).isEqualTo(expected("ok"));
        }
    }
}
