package dev.jsyd.it.escape;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * With a network category on, every sendmsg is carried out by the supervisor on its duplicate of
 * the program's socket, and the kernel checks the <em>sender's</em> capabilities and identity:
 * netlink commands (CAP_NET_ADMIN), SO_MARK as ancillary data (CAP_NET_RAW/CAP_NET_ADMIN),
 * SCM_CREDENTIALS (CAP_SYS_ADMIN for another pid, CAP_SETUID/CAP_SETGID for other ids). Each
 * attack works with root's rights, fails with the program's natively, and fails the same way
 * under syd ({@link RightsEscapeIT} explains the three runs).
 */
class SendRightsIT {
    static final List<String> EMULATE_ALL = RightsEscapeIT.EMULATE_ALL;
    static final String[] NONE = {};

    @Test
    void netlinkAddressWithoutCapNetAdmin() throws Exception {
        String addr = "127.3.2.1";
        try {
            assertThat(RightsEscapeIT.nat(NONE, "rtaddr", addr)).as("root adds an address to lo").isEqualTo("ok");
            Escape.nativeRun("ip", "addr", "del", addr + "/32", "dev", "lo");
            assertThat(RightsEscapeIT.nat(RightsEscapeIT.caps(), "rtaddr", addr)).isEqualTo("err EPERM");
            assertThat(RightsEscapeIT.syd(EMULATE_ALL, RightsEscapeIT.caps(), "rtaddr", addr)).isEqualTo("err EPERM");
            assertThat(Escape.nativeRun("ip", "-4", "addr", "show", "dev", "lo").out()).doesNotContain(addr);
        } finally {
            Escape.nativeRun("ip", "addr", "del", addr + "/32", "dev", "lo");
        }
    }

    @Test
    void packetMarkWithoutCapNetAdmin() throws Exception {
        RightsEscapeIT.sameAsNative(EMULATE_ALL, RightsEscapeIT.caps(), "err EPERM", "somark");
    }

    @Test
    void credentialsOfAnotherProcessWithoutCapSysAdmin() throws Exception {
        RightsEscapeIT.sameAsNative(EMULATE_ALL, RightsEscapeIT.caps(), "err EPERM", "creds", "1", "0", "0");
        // Its own pid and ids go through, as natively; the receiver sees the supervisor's pid, as for
        // implicit credentials (the supervisor's threads have no CAP_SYS_ADMIN to send another pid).
        assertThat(RightsEscapeIT.syd(EMULATE_ALL, RightsEscapeIT.caps(), "creds", "self", "0", "0"))
                .isEqualTo("ok pid other uid 0 gid 0");
    }

    @Test
    void credentialsOfAnotherUserAfterBecomingNobody() throws Exception {
        String[] nobody = RightsEscapeIT.NOBODY;
        RightsEscapeIT.sameAsNative(RightsEscapeIT.AS_NOBODY, nobody, "err EPERM", "creds", "self", "0", "0");
        assertThat(RightsEscapeIT.nat(nobody, "creds", "self", "65534", "65534")).isEqualTo("ok pid self uid 65534 gid 65534");
        assertThat(RightsEscapeIT.syd(RightsEscapeIT.AS_NOBODY, nobody, "creds", "self", "65534", "65534"))
                .isEqualTo("ok pid other uid 65534 gid 65534");
        // With no explicit credentials the receiver gets the sender's real ids: the program's, not
        // root's (with the supervisor's pid, as ever).
        assertThat(RightsEscapeIT.nat(nobody, "implicit-creds")).isEqualTo("ok pid self uid 65534 gid 65534");
        assertThat(RightsEscapeIT.syd(RightsEscapeIT.AS_NOBODY, nobody, "implicit-creds"))
                .isEqualTo("ok pid other uid 65534 gid 65534");
    }
}
