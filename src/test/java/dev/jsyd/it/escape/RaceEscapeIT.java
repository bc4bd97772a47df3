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

    /**
     * The relative fast path (the base named from {@code /proc/TID/cwd} or {@code /proc/TID/fd/N},
     * then the whole path walked from "/" with no symlink): a thread swaps a directory of the path,
     * or the base itself, with a symlink to a stat-denied tree (RENAME_EXCHANGE) while another
     * stats and readlinks relative to its cwd and to dirfds. Natively some answers come from the
     * denied tree; under syd none do.
     */
    @Test
    void directorySwapDuringRelativeStatNeverShowsTheDeniedFile() throws Exception {
        String[] attack = {Escape.probe(), "base-race", baseRaceTree(tmp.resolve("n")).toString(), "2"};
        long[] nat = Escape.raceCounts(Escape.nativeRun(attack).out());
        assertThat(nat[0]).as("natively the swapped directory reaches the secret").isPositive();

        Path d = baseRaceTree(tmp.resolve("s"));
        attack[2] = d.toString();
        var r = Escape.syd(java.util.List.of("-poff", "-m", "sandbox/stat:on", "-m", "allow/stat+/***",
                "-m", "deny/stat+" + d.resolve("secret") + "/***"), attack);
        assertThat(r.status()).as(r.toString()).isZero();
        long[] c = Escape.raceCounts(r.out());
        assertThat(c[0]).as("answers from the denied tree under syd: " + r.out()).isZero();
        assertThat(c[1]).as("allowed answers went through").isPositive();
        assertThat(c[2]).as("denied answers were seen (hidden: ENOENT)").isPositive();
    }

    /** a/sub/f (1 byte), a/sub/l -> public; secret/sub/f (4321 bytes), secret/sub/l -> SECRETLINK; s -> secret. */
    private static Path baseRaceTree(Path d) throws java.io.IOException {
        java.nio.file.Files.createDirectories(d.resolve("a/sub"));
        java.nio.file.Files.createDirectories(d.resolve("secret/sub"));
        java.nio.file.Files.writeString(d.resolve("a/sub/f"), "x");
        java.nio.file.Files.write(d.resolve("secret/sub/f"), new byte[4321]);
        java.nio.file.Files.createSymbolicLink(d.resolve("a/sub/l"), Path.of("public"));
        java.nio.file.Files.createSymbolicLink(d.resolve("secret/sub/l"), Path.of("SECRETLINK"));
        java.nio.file.Files.createSymbolicLink(d.resolve("s"), Path.of("secret"));
        return d;
    }
}
