package dev.jsyd.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MapsLineTest {
    static final String MAPS = """
            55d0a0000000-55d0a0002000 r--p 00000000 fe:00 1234                       /usr/bin/cat
            55d0a0002000-55d0a0006000 r-xp 00002000 fe:00 1234                       /usr/bin/cat
            7f0000000000-7f0000001000 r-xp 00000000 00:01 77                         /memfd:jit (deleted)
            7f0000001000-7f0000002000 rw-p 00000000 00:00 0 
            7f0000002000-7f0000003000 r-xp 00000000 fe:00 99                         /tmp/a b (deleted)
            7ffc00000000-7ffc00021000 rw-p 00000000 00:00 0                          [stack]
            """;

    @Test
    void parsesTheKernelsFields() {
        MapsLine text = MapsLine.containing(MAPS, 0x55d0a0003000L);
        assertThat(text).isNotNull();
        assertThat(text.executable()).isTrue();
        assertThat(text.inode()).isEqualTo(1234);
        assertThat(text.major()).isEqualTo(0xfe);
        assertThat(text.path()).isEqualTo("/usr/bin/cat");
        assertThat(MapsLine.containing(MAPS, 0x7f0000000010L).path()).isEqualTo("/memfd:jit (deleted)");
        assertThat(MapsLine.containing(MAPS, 0x7f0000001000L).path()).isNull();
        assertThat(MapsLine.containing(MAPS, 0x7f0000002000L).path()).isEqualTo("/tmp/a b (deleted)");
        assertThat(MapsLine.containing(MAPS, 0x7ffc00000010L).path()).as("pseudo paths are not files").isNull();
        assertThat(MapsLine.containing(MAPS, 0x1000L)).isNull();
        assertThat(MapsLine.overlapping(MAPS, 0x55d0a0001000L, 0x55d0a0003000L)).hasSize(2);
    }

    @Test
    void aLineReadInPartIsNoLine() {
        String cut = MAPS.substring(0, MAPS.indexOf("/tmp/a b") + 5); // "/tmp/" of "/tmp/a b (deleted)"
        assertThat(MapsLine.containing(cut, 0x7f0000000010L).path()).isEqualTo("/memfd:jit (deleted)");
        assertThat(MapsLine.containing(cut, 0x7f0000002000L)).as("a cut path must never reach a rule").isNull();
        assertThat(MapsLine.containing(null, 0x7f0000002000L)).isNull();
    }
}
