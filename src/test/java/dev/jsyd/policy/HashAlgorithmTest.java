package dev.jsyd.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Force's checksum algorithms and the force+ rule syntax they allow. */
class HashAlgorithmTest {
    static String hex(HashAlgorithm a, String data) {
        HashAlgorithm.Hasher h = a.newHasher();
        byte[] b = data.getBytes(StandardCharsets.US_ASCII);
        h.update(b, 0, b.length);
        return h.hex();
    }

    @Test
    void knownVectors() {
        assertThat(hex(HashAlgorithm.SHA256, "abc")).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(hex(HashAlgorithm.MD5, "abc")).isEqualTo("900150983cd24fb0d6963f7d28e17f72");
        assertThat(hex(HashAlgorithm.SHA3_256, "abc")).isEqualTo("3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532");
        assertThat(hex(HashAlgorithm.CRC32, "123456789")).isEqualTo("cbf43926");
        assertThat(hex(HashAlgorithm.CRC32C, "123456789")).isEqualTo("e3069283");
        for (HashAlgorithm a : HashAlgorithm.values()) assertThat(hex(a, "")).as(a.sydName()).hasSize(2 * a.length());
    }

    @Test
    void crcsMatchInEitherByteOrder() {
        assertThat(HashAlgorithm.CRC32C.matches("e3069283", "e3069283")).isTrue();
        assertThat(HashAlgorithm.CRC32C.matches("839206e3", "e3069283")).as("the kernel crypto API's order").isTrue();
        assertThat(HashAlgorithm.CRC32C.matches("839206e4", "e3069283")).isFalse();
        assertThat(HashAlgorithm.SHA1.matches("00", "01")).isFalse();
    }

    @Test
    void forceRulesNameAKnownAlgorithmAndADigestOfItsLength() throws Exception {
        Sandbox s = policy("sandbox/force:on", "force+/bin/true:sha1:" + "A".repeat(40) + ":warn").snapshot();
        assertThat(s.force("/bin/true").orElseThrow().digest()).isEqualTo("a".repeat(40));
        assertThat(s.force("/bin/true").orElseThrow().action()).contains(Action.WARN);
        assertThatThrownBy(() -> policy("force+/bin/true:blake3:" + "0".repeat(64)))
                .hasMessageContaining("unsupported hash algorithm `blake3`").hasMessageContaining("sha256");
        assertThatThrownBy(() -> policy("force+/bin/true:sha256:00ff")).hasMessageContaining("64 hex digits");
        assertThatThrownBy(() -> policy("force+/bin/true:sha265:" + "0".repeat(64))).hasMessageContaining("did you mean `sha256`");
    }

    static Policy policy(String... commands) throws PolicyException {
        Policy p = Policy.defaults();
        int n = 0;
        for (String c : commands) p.apply(c, Origin.argument(++n));
        return p;
    }
}
