package dev.jsyd.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.kernel.SockaddrDecoder.Abstract;
import dev.jsyd.kernel.SockaddrDecoder.Inet;
import dev.jsyd.kernel.SockaddrDecoder.Unchecked;
import dev.jsyd.kernel.SockaddrDecoder.UnixPath;
import dev.jsyd.kernel.SockaddrDecoder.Unnamed;
import org.junit.jupiter.api.Test;

/** Peer addresses as accept/getpeername report them, and the UNIX peer-name map. */
class PeerAddressTest {
    @Test
    void peerAddressesDecodeByFamily() {
        byte[] v4 = {2, 0, 0x1f, (byte) 0x90, 127, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0};
        assertThat(SockaddrDecoder.peer(v4)).isEqualTo(new Inet(new byte[] {127, 0, 0, 2}, 8080));
        byte[] v6 = new byte[28];
        v6[0] = 10;
        v6[3] = 80;
        v6[18] = (byte) 0xff;
        v6[19] = (byte) 0xff;
        v6[20] = 127;
        v6[23] = 1;
        Inet mapped = (Inet) SockaddrDecoder.peer(v6);
        assertThat(mapped.port()).isEqualTo(80);
        assertThat(NetAccess.isV4Mapped(mapped.ip())).isTrue();
        assertThat(SockaddrDecoder.peer(new byte[] {1, 0})).isInstanceOf(Unnamed.class);
        assertThat(SockaddrDecoder.peer(new byte[] {1, 0, 0, 'a', 0, 'b'})).isEqualTo(new Abstract("a\0b"));
        assertThat(SockaddrDecoder.peer(new byte[] {1, 0, '/', 's', 0, 'x'})).isEqualTo(new UnixPath("/s"));
        assertThat(SockaddrDecoder.peer(new byte[] {16, 0, 1, 2})).isInstanceOf(Unchecked.class);
        assertThat(SockaddrDecoder.peer(new byte[] {2, 0, 0})).isInstanceOf(Unchecked.class); // short IPv4
        assertThat(SockaddrDecoder.peer(new byte[1])).isInstanceOf(Unchecked.class);
        assertThat(SockaddrDecoder.peer(null)).isInstanceOf(Unchecked.class);
    }

    @Test
    void peerNamesAreRewrittenOnlyWhenUnambiguous() {
        var s = new NetAccess.State();
        s.recordHostName("/proc/self/fd/7/a.sock", "/tmp/x/a.sock", "/tmp/x/a.sock");
        s.recordHostName("/proc/self/fd/7/a.sock", "/tmp/x/a.sock", "/tmp/x/a.sock"); // the same bind again
        assertThat(s.programName("/proc/self/fd/7/a.sock")).containsExactly("/tmp/x/a.sock", "/tmp/x/a.sock");
        s.recordHostName("/proc/self/fd/7/a.sock", "/tmp/y/a.sock", "/tmp/y/a.sock"); // fd 7 reused elsewhere
        assertThat(s.programName("/proc/self/fd/7/a.sock")).isNull();
        s.recordHostName("/proc/self/fd/7/a.sock", "/tmp/x/a.sock", "/tmp/x/a.sock");
        assertThat(s.programName("/proc/self/fd/7/a.sock")).as("ambiguous stays ambiguous").isNull();
        assertThat(s.programName("/never/bound")).isNull();
    }
}
