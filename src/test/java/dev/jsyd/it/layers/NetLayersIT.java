package dev.jsyd.it.layers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.it.Syd;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Network settings NetIT does not show: {@code trace/allow_unsafe_sendfd_*} for a memfd, a
 * secret-memory fd, a block device and a magic link (refused with EACCES unless the switch of that
 * kind is on; natively each is sent), and {@code default/net/sendfd}, {@code default/net/link}
 * deciding what no rule names.
 */
class NetLayersIT {
    /** Switch, kind of fd, what the probe opens. */
    static final List<List<String>> KINDS = List.of(List.of("trace/allow_unsafe_sendfd_memfd", "memfd", "-"),
            List.of("trace/allow_unsafe_sendfd_secretmem", "secretmem", "-"),
            List.of("trace/allow_unsafe_sendfd_bdev", "bdev", "/dev/loop0"),
            List.of("trace/allow_unsafe_sendfd_magiclink", "magiclink", "/proc/self/cwd"));

    @Test
    void specialKindsAreRefusedUnlessTheirSwitchIsOn() throws Exception {
        String probe = Syd.probe("probe-net").toString();
        for (List<String> k : KINDS) {
            String sw = k.get(0), kind = k.get(1), arg = k.get(2);
            String nativeOut = Syd.nativeSh(probe + " sendfd " + kind + " " + arg);
            assertThat(nativeOut).as(kind + " natively").startsWith("ok 1\ngot ");
            var r = Syd.run("-poff", "-m", "sandbox/net:on", "-m", "allow/net/sendfd+/***", "--", probe, "sendfd", kind, arg);
            assertThat(r.out()).as(kind + "\n" + r).isEqualTo("err EACCES\n");
            assertThat(r.err()).contains(sw + ":1");
            r = Syd.run("-poff", "-m", "sandbox/net:on", "-m", "allow/net/sendfd+/***", "-m", sw + ":1",
                    "--", probe, "sendfd", kind, arg);
            assertThat(r.out()).as(kind + "\n" + r).startsWith("ok 1\ngot ");
        }
    }

    @Test
    void defaultNetSendfdDecidesWhatNoRuleNames() throws Exception {
        String probe = Syd.probe("probe-net").toString();
        java.nio.file.Path f = java.nio.file.Files.createTempFile(Syd.HOME.resolve("target"), "sendfd", ".txt");
        try {
            assertThat(Syd.nativeSh(probe + " sendfd file " + f)).startsWith("ok 1\ngot ");
            var r = Syd.run("-poff", "-m", "sandbox/net/sendfd:on", "-m", "default/net/sendfd:deny", "--", probe, "sendfd", "file", f.toString());
            assertThat(r.out()).as(r.toString()).isEqualTo("err EACCES\n");
            assertThat(r.err()).contains("\"cap\":\"net/sendfd\"");
            r = Syd.run("-poff", "-m", "sandbox/net/sendfd:on", "-m", "default/net/sendfd:allow", "--", probe, "sendfd", "file", f.toString());
            assertThat(r.out()).as(r.toString()).isEqualTo("ok 1\ngot " + f + "\n");
        } finally {
            java.nio.file.Files.deleteIfExists(f);
        }
    }

    @Test
    void defaultNetLinkDecidesWhatNoRuleNames() throws Exception {
        String probe = Syd.probe("probe-net").toString();
        String netlinkRoute = "16 3 0"; // AF_NETLINK, SOCK_RAW, NETLINK_ROUTE
        assertThat(Syd.nativeSh(probe + " socket " + netlinkRoute)).startsWith("ok ");
        var r = Syd.run("-poff", "-m", "sandbox/net/link:on", "-m", "default/net/link:deny", "--", probe, "socket", "16", "3", "0");
        assertThat(r.out()).as(r.toString()).startsWith("err ");
        r = Syd.run("-poff", "-m", "sandbox/net/link:on", "-m", "default/net/link:allow", "--", probe, "socket", "16", "3", "0");
        assertThat(r.out()).as(r.toString()).startsWith("ok ");
    }
}
