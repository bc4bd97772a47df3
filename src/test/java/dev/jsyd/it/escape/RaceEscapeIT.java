package dev.jsyd.it.escape;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Time-of-check/time-of-use races on open: a second thread changes what the path means between
 * the supervisor's check and the open. The supervisor opens the object it checked (parent fd +
 * RESOLVE_NO_SYMLINKS) from a copy of the path it read once, so the denied file is never read.
 */
class RaceEscapeIT {
    @TempDir Path tmp;

    @Test
    void symlinkSwapDuringOpenNeverReadsTheDeniedFile() throws Exception {
        Path d = Escape.files(tmp);
        String[] attack = {Escape.probe(), "symlink-race", d.resolve("allowed").toString(),
            d.resolve("secretx").toString(), d.resolve("link").toString(), "3"};
        long[] nat = Escape.raceCounts(Escape.nativeRun(attack).out());
        assertThat(nat[0]).as("natively the flipping link reaches the secret").isPositive();

        var r = Escape.syd(Escape.readPolicy(d.resolve("secretx")), attack);
        assertThat(r.status()).as(r.toString()).isZero();
        long[] c = Escape.raceCounts(r.out());
        assertThat(c[0]).as("secret reads under syd: " + r.out()).isZero();
        assertThat(c[1]).as("allowed opens went through").isPositive();
        assertThat(c[2]).as("denied opens were seen").isPositive();
    }

    @Test
    void pathBufferRewriteDuringOpenNeverReadsTheDeniedFile() throws Exception {
        Path d = Escape.files(tmp);
        String[] attack = {Escape.probe(), "path-race", d.resolve("allowed").toString(),
            d.resolve("secretx").toString(), "3"};
        long[] nat = Escape.raceCounts(Escape.nativeRun(attack).out());
        assertThat(nat[0]).as("natively the rewritten buffer reaches the secret").isPositive();

        var r = Escape.syd(Escape.readPolicy(d.resolve("secretx")), attack);
        assertThat(r.status()).as(r.toString()).isZero();
        long[] c = Escape.raceCounts(r.out());
        assertThat(c[0]).as("secret reads under syd: " + r.out()).isZero();
        assertThat(c[1]).isPositive();
        assertThat(c[2]).isPositive();
    }
}
