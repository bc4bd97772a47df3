package dev.jsyd.it.layers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.it.Syd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Path transformations (syd(2) {@code mask}, {@code append}): a masked path reads (and stats) as
 * its target; an append-only file keeps what it has. Each test shows the operation natively first.
 */
class TransformsIT {
    Path dir;

    @BeforeEach
    void files() throws Exception {
        dir = Files.createTempDirectory(Syd.HOME.resolve("target"), "transforms");
        Files.writeString(dir.resolve("secret"), "SECRET\n");
        Files.writeString(dir.resolve("decoy"), "DECOY\n");
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("sub/inner"), "INNER\n");
        Files.createDirectories(dir.resolve("empty"));
        Files.writeString(dir.resolve("log"), "first line\n");
    }

    @AfterEach
    void clean() throws Exception {
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    static List<String> policy(String... commands) {
        List<String> out = new ArrayList<>(List.of("-poff"));
        for (String c : commands) out.addAll(List.of("-m", c));
        return out;
    }

    @Test
    void aMaskedFileReadsAndStatsAsDevNull() throws Exception {
        String script = "cat " + dir + "/secret; echo rc=$?; stat -c %F " + dir + "/secret; cat " + dir + "/decoy";
        assertThat(Syd.nativeSh(script)).isEqualTo("SECRET\nrc=0\nregular file\nDECOY\n");
        var r = Syd.sh(policy("mask+" + dir + "/secret"), script);
        assertThat(r.out()).as(r.toString()).isEqualTo("rc=0\ncharacter special file\nDECOY\n");
        r = Syd.sh(policy("mask+" + dir + "/secret", "sandbox/read,stat:on", "allow/read,stat+/***", Syd.NOTIFY_ALL), script);
        assertThat(r.out()).as("with every call checked too\n" + r).isEqualTo("rc=0\ncharacter special file\nDECOY\n");
        r = Syd.sh(policy("mask+" + dir + "/secret", "sandbox/read:on", "allow/read+/***", "deny/read+" + dir + "/secret"), script);
        assertThat(r.out()).as("the path's own rules still apply\n" + r).startsWith("rc=1\n");
        r = Syd.sh(policy("mask+" + dir + "/sec*", "mask-" + dir + "/sec*"), script);
        assertThat(r.out()).as("mask- removes it").startsWith("SECRET\n");
    }

    @Test
    void aMaskTargetIsReadInsteadAndNeverChanged() throws Exception {
        var r = Syd.sh(policy("mask+" + dir + "/secret:" + dir + "/decoy"),
                "cat " + dir + "/secret; echo x > " + dir + "/secret; echo rc=$?; cat " + dir + "/decoy");
        // the shell's O_TRUNC is dropped on the target: "x" overwrites the start of DECOY
        assertThat(r.out()).as(r.toString()).isEqualTo("DECOY\nrc=0\nx\nCOY\n");
        assertThat(Files.readString(dir.resolve("secret"))).isEqualTo("SECRET\n");
    }

    @Test
    void directoriesAreMaskedOnlyWithADirectoryTarget() throws Exception {
        String script = "ls " + dir + "/sub; cat " + dir + "/sub/inner; echo rc=$?";
        assertThat(Syd.nativeSh(script)).isEqualTo("inner\nINNER\nrc=0\n");
        var r = Syd.sh(policy("mask+" + dir + "/sub/***"), script);
        assertThat(r.out()).as("no directory target: the entries are masked\n" + r).isEqualTo("inner\nrc=0\n");
        r = Syd.sh(policy("mask+" + dir + "/sub/***:/dev/null:" + dir + "/empty"), "ls -a " + dir + "/sub; stat -c %h " + dir + "/sub");
        assertThat(r.out()).as("the directory reads as the empty one\n" + r).isEqualTo(".\n..\n2\n");
    }

    @Test
    void anAppendOnlyFileKeepsItsFirstLine() throws Exception {
        Path copy = dir.resolve("native");
        Files.writeString(copy, "first line\n");
        String p = Syd.probe("layers-probe").toString();
        String attacks = "echo replaced > %1$s; echo rc=$?; " + p + " pwrite %1$s 0 OVERWRITE; truncate -s 0 %1$s; echo rc=$?; "
                + "ln %1$s %1$s.hard; echo rc=$?; mv %1$s %1$s.moved; echo rc=$?; echo added >> %1$s; "
                + "rm %1$s; echo rc=$?; cat %1$s %1$s.moved 2>/dev/null";
        String nativeOut = Syd.nativeSh(String.format(attacks, copy));
        assertThat(nativeOut).as("natively every attack works").contains("ok append 0", "rc=0").doesNotContain("first line");
        var r = Syd.sh(policy("append+" + dir + "/log"), String.format(attacks, dir.resolve("log")));
        assertThat(r.out()).as(r.toString()).isEqualTo("rc=2\nsetfl EPERM\nok append 1\nrc=1\nrc=1\nrc=1\nrc=1\n"
                + "first line\nOVERWRITEadded\n");
        assertThat(r.err()).contains("Operation not permitted");
        assertThat(Files.readString(dir.resolve("log"))).startsWith("first line\n");
    }

    @Test
    void appendOnlyHoldsAgainstNoAppendWritesAndDirectoryRenames() throws Exception {
        String py = "import os\n"
                + "fd = os.open('" + dir + "/log', os.O_WRONLY)\n"
                + "try:\n  os.pwritev(fd, [b'XX'], 0, 0x20); print('pwritev2 ok')\n"
                + "except OSError as e: print('pwritev2', e.errno)\n"
                + "try:\n  os.rename('" + dir + "', '" + dir + ".moved'); print('rename ok')\n"
                + "except OSError as e: print('rename', e.errno)\n";
        var r = Syd.run(List.of("-poff", "-m", "append+" + dir + "/***", "--", "python3", "-c", py).toArray(String[]::new));
        assertThat(r.out()).as(r.toString()).isEqualTo("pwritev2 1\nrename 1\n");
        assertThat(Files.readString(dir.resolve("log"))).isEqualTo("first line\n");
    }

    @Test
    void appendOnlyAddedAtRunTimeHoldsForFdsOpenedAfter() throws Exception {
        String p = Syd.probe("layers-probe").toString();
        var r = Syd.sh(policy("lock:off"), "test -c '/dev/syd/append+" + dir + "/log'; " + p + " pwrite " + dir + "/log 0 ZZ");
        assertThat(r.out()).as(r.toString()).isEqualTo("setfl EPERM\nok append 1\n");
        assertThat(Files.readString(dir.resolve("log"))).isEqualTo("first line\nZZ");
    }
}
