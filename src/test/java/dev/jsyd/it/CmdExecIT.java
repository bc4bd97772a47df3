package dev.jsyd.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cmd/exec!PROG\x1FARG...} from a sandboxed shell: runs the program outside the sandbox
 * (it may write where the sandbox may not), in {@code /}, with the arguments split on 0x1F;
 * refused once the lock hides the API; a missing program answers ENOENT.
 */
class CmdExecIT {
    @TempDir Path tmp;

    /** The sandbox may not write or create anything under {@code tmp}. */
    Syd.Result sh(String script, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("-poff", "-m", "sandbox/write,create:on", "-m", "allow/write,create+/***",
                "-m", "deny/write,create+" + tmp + "/***"));
        args.addAll(List.of(extra));
        args.addAll(List.of("--", "sh", "-c", script));
        return Syd.run(args, null, Map.of("T", tmp.toString()), Duration.ofSeconds(60));
    }

    static void awaitFile(Path p) throws InterruptedException {
        for (int i = 0; i < 200 && !Files.exists(p); i++) Thread.sleep(25);
    }

    @Test
    void runsAProgramOutsideTheSandboxUnderLockOff() throws Exception {
        var r = sh("""
                touch "$T/inside" 2>/dev/null || echo inside-refused
                test -c "/dev/syd/cmd/exec!$(printf 'touch\\037%s' "$T/outside")"; echo rc=$?
                """, "-m", "lock:off");
        assertThat(r.out()).as(r.toString()).isEqualTo("inside-refused\nrc=0\n");
        assertThat(r.status()).isZero();
        awaitFile(tmp.resolve("outside"));
        assertThat(tmp.resolve("outside")).exists();
        assertThat(tmp.resolve("inside")).doesNotExist();
    }

    @Test
    void argumentsAreSplitOnTheUnitSeparatorAndTheDirectoryIsRoot() throws Exception {
        Path out = tmp.resolve("out");
        var r = sh("""
                test -c "/dev/syd/cmd/exec!$(printf 'sh\\037-c\\037%s\\037%s\\037%s' 'pwd > "$1"; echo "$0" >> "$1"; ls -l /proc/self/fd/0 >> "$1"' 'a b' "$T/out")"; echo rc=$?
                """, "-m", "lock:off");
        assertThat(r.out()).as(r.toString()).isEqualTo("rc=0\n");
        awaitFile(out);
        for (int i = 0; i < 200 && Files.readAllLines(out).size() < 3; i++) Thread.sleep(25);
        List<String> lines = Files.readAllLines(out);
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).isEqualTo("/");
        assertThat(lines.get(1)).isEqualTo("a b");
        assertThat(lines.get(2)).endsWith("-> /dev/null");
    }

    @Test
    void aMissingProgramAnswersEnoent() throws Exception {
        var r = sh("stat /dev/syd/cmd/exec!/nonexistent/program 2>&1; echo rc=$?", "-m", "lock:off");
        assertThat(r.out()).as(r.toString()).contains("No such file or directory").endsWith("rc=1\n");
    }

    @Test
    void refusedOnceTheLockIsOn() throws Exception {
        // no lock given: it becomes on when the program runs, the API is gone
        var r = sh("test -c \"/dev/syd/cmd/exec!$(printf 'touch\\037%s' \"$T/outside\")\"; echo rc=$?");
        assertThat(r.out()).as(r.toString()).isEqualTo("rc=1\n");
        Thread.sleep(500);
        assertThat(tmp.resolve("outside")).doesNotExist();
        // lock:exec: only the initial process may; a child shell may not
        r = sh("sh -c 'test -c \"/dev/syd/cmd/exec!$(printf \"touch\\037%s\" \"$T/child\")\"; echo child=$?'; "
                + "test -c \"/dev/syd/cmd/exec!$(printf 'touch\\037%s' \"$T/initial\")\"; echo initial=$?", "-m", "lock:exec");
        assertThat(r.out()).as(r.toString()).isEqualTo("child=1\ninitial=0\n");
        awaitFile(tmp.resolve("initial"));
        assertThat(tmp.resolve("initial")).exists();
        assertThat(tmp.resolve("child")).doesNotExist();
    }
}
