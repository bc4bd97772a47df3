package dev.jsyd.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile program races the supervisor: one thread flips a symlink (or rewrites the path
 * buffer) between an allowed and a denied directory in a tight loop while another unlinks,
 * renames or chmods through it. The supervisor resolves once, checks the canonical path and
 * acts on the directory fd it resolved, so the denied directory is never modified. Each run
 * is bounded (1.5 s of racing).
 */
class ModifyRaceIT {
    @TempDir Path tmp;

    private static final Pattern DONE = Pattern.compile("done ok=(\\d+) denied=(\\d+) other=(\\d+)");

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "race-link, unlink, delete", "race-link, rename, rename", "race-link, chmod, chmod",
        "race-buf, unlink, delete", "race-buf, rename, rename", "race-buf, chmod, chmod"})
    void theDeniedDirectoryIsNeverModified(String mode, String op, String cat) throws Exception {
        Path ok = Files.createDirectories(tmp.resolve("ok"));
        Path no = Files.createDirectories(tmp.resolve("no"));
        Files.writeString(ok.resolve("victim"), "ok");
        Files.writeString(no.resolve("victim"), "secret");
        Files.setAttribute(no.resolve("victim"), "unix:mode", 0644);
        Files.createSymbolicLink(tmp.resolve("link"), ok);
        var before = ModifyFixture.snapshot(no);

        var r = ModifyFixture.sydRun(List.of("-poff", "-m", "sandbox/" + cat + ":on",
                "-m", "allow/" + cat + "+" + ok + "/***", "-m", "allow/" + cat + "+" + tmp + "/link*",
                "-m", "default/" + cat + ":filter"), List.of(mode, op, tmp.toString(), "1.5"));
        assertThat(r.status()).as(r.toString()).isZero();
        Matcher m = DONE.matcher(r.out());
        assertThat(m.find()).as(r.toString()).isTrue();
        long allowed = Long.parseLong(m.group(1)), denied = Long.parseLong(m.group(2));
        // Both sides of the race were hit: some calls landed in ok/, some were refused for no/.
        assertThat(allowed).as(r.out()).isPositive();
        assertThat(denied).as(r.out()).isPositive();
        assertThat(ModifyFixture.snapshot(no)).as(r.out()).isEqualTo(before);
    }
}
