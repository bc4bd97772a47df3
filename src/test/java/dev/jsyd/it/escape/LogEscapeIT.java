package dev.jsyd.it.escape;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.jsyd.it.Syd;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit log is the supervisor's alone: the program cannot reach its fd, learn where it is,
 * write records into it or make the supervisor wait on it.
 */
class LogEscapeIT {
    @TempDir Path tmp;

    static final String FORGED = "{\"id\":\"x\",\"ctx\":\"access\",\"act\":\"allow\",\"path\":\"shadow\"}";

    static String probe() throws Exception { return Syd.probe("keeper-probe").toString(); }

    /** Every line of {@code text} as a flat JSON object (a line that is not one fails the test). */
    static List<Map<String, String>> records(String text) throws Exception {
        List<Map<String, String>> out = new ArrayList<>();
        JsonFactory f = new JsonFactory();
        for (String line : text.split("\n")) {
            if (line.isEmpty()) continue;
            Map<String, String> m = new LinkedHashMap<>();
            try (JsonParser p = f.createParser(line)) {
                assertThat(p.nextToken()).as(line).isEqualTo(JsonToken.START_OBJECT);
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    if (p.nextToken() == JsonToken.START_ARRAY) p.skipChildren();
                    else m.put(name, p.getText());
                }
                assertThat(p.nextToken()).as(line).isNull();
            }
            out.add(m);
        }
        return out;
    }

    /** Runs {@code sh -c SCRIPT} natively, SCRIPT being a shell command line. */
    static dev.jsyd.it.Syd.Result sh(String script) throws Exception {
        return Escape.nativeRun("sh", "-c", script);
    }

    @Test
    void theProgramCannotReachTheLogFdNorForgeRecordsInIt() throws Exception {
        Path log = tmp.resolve("audit.log");
        // A name built to end a record and start a forged one, if it were written unescaped.
        Path secret = Files.writeString(tmp.resolve("s\"}\n" + FORGED + "\n{\"x"), "SECRET\n");
        Path program = Files.writeString(tmp.resolve("program.sh"), probe() + " write-fds '" + FORGED
                + "'; env | grep -c '^SYD_LOG'; cat '" + secret + "' 2>/dev/null; true\n");
        // Natively a program that inherits the log fd writes whatever it likes into it.
        var nat = sh("exec 7>>" + log + "; sh " + program);
        assertThat(Files.readString(log)).contains(FORGED);
        Files.delete(log);
        assertThat(nat.status()).isZero();
        // Under syd with SYD_LOG_FD=7: fd 7 is not inherited, the variables are not in the
        // program's environment, and the denied path is one string inside one record: with control
        // characters in it, the hex of its bytes, as Syd writes such names.
        var r = sh("exec 7>>" + log + "; SYD_LOG_FD=7 SYD_LOG=warn exec " + Syd.SYD + " -poff -m sandbox/read:on"
                + " -m 'allow/read+/***' -m 'deny/read+" + tmp + "/s*' -- sh " + program);
        assertThat(r.out()).as(r.toString()).isEqualTo("wrote 1\n0\n"); // only its own stderr (fd 2) took the line
        var recs = records(Files.readString(log));
        assertThat(recs).hasSize(1);
        assertThat(recs.getFirst().get("act")).isEqualTo("deny");
        assertThat(recs.getFirst().get("path"))
                .isEqualTo(java.util.HexFormat.of().formatHex(secret.toString().getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aLogPipeNobodyReadsDoesNotStallTheSandbox() throws Exception {
        // Natively a writer blocks on a full pipe nobody reads (64 KiB here).
        Process nat = new ProcessBuilder("sh", "-c", "head -c 300000 /dev/zero >&2").redirectOutput(
                ProcessBuilder.Redirect.DISCARD).start();
        assertThat(nat.waitFor(3, TimeUnit.SECONDS)).isFalse();
        nat.destroyForcibly().waitFor();
        // Under syd 3000 denials (about 1 MiB of records) go to a stderr nobody reads: the
        // program is answered and ends, syd ends with its status (on main the first record that
        // did not fit held the worker, the program and the sandbox forever).
        Path secret = Files.writeString(tmp.resolve("secret"), "SECRET\n");
        Process p = new ProcessBuilder(Syd.SYD.toString(), "-poff", "-m", "sandbox/read:on", "-m", "allow/read+/***",
                "-m", "deny/read+" + secret, "--", probe(), "deny-flood", "3000", secret.toString())
                .redirectInput(new File("/dev/null")).start(); // stdout and stderr: pipes; stderr never read
        try {
            assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("syd ended").isTrue();
            assertThat(p.exitValue()).isZero();
            assertThat(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("denied 3000\n");
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void recordsDroppedWhileTheLogWasBlockedAreCountedAndReported() throws Exception {
        // The program's 6000 denials outrun a log pipe that is read only once they are all
        // answered: what the queue could not hold is dropped, and one record says how many.
        Path secret = Files.writeString(tmp.resolve("secret"), "SECRET\n");
        Process p = new ProcessBuilder(Syd.SYD.toString(), "-poff", "-m", "sandbox/read:on", "-m", "allow/read+/***",
                "-m", "deny/read+" + secret, "--", "sh", "-c", probe() + " deny-flood 6000 " + secret + "; sleep 3")
                .redirectInput(new File("/dev/null")).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            assertThat(out.readLine()).isEqualTo("denied 6000"); // all answered while the log was stuck
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            long access = 0, dropped = 0;
            for (var rec : records(err)) {
                if (rec.get("ctx").equals("access")) access++;
                if (rec.get("ctx").equals("log")) dropped += Long.parseLong(rec.get("dropped"));
            }
            assertThat(dropped).as("dropped").isPositive();
            assertThat(access + dropped).isEqualTo(6000);
        } finally {
            p.destroyForcibly();
        }
    }
}
