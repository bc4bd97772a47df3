package dev.jsyd.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The access-violation log (spec §8): one JSON object per line, each field, levels, fd, actions, -x. */
class LogIT {
    @TempDir Path tmp;

    static final List<String> DENY_PASSWD = List.of("-poff", "-m", "sandbox/read:on", "-m", "allow/read+/***",
            "-m", "deny/read+/etc/passwd");

    /** The JSON records among the lines of {@code text} (other lines are ignored). */
    static List<Map<String, Object>> records(String text) throws Exception {
        List<Map<String, Object>> out = new ArrayList<>();
        JsonFactory f = new JsonFactory();
        for (String line : text.split("\n")) {
            if (!line.startsWith("{")) continue;
            Map<String, Object> m = new LinkedHashMap<>();
            try (JsonParser p = f.createParser(line)) {
                assertThat(p.nextToken()).isEqualTo(JsonToken.START_OBJECT);
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    JsonToken t = p.nextToken();
                    if (t == JsonToken.START_ARRAY) {
                        List<String> a = new ArrayList<>();
                        while (p.nextToken() != JsonToken.END_ARRAY) a.add(p.getText());
                        m.put(name, a);
                    } else if (t == JsonToken.VALUE_NUMBER_INT) {
                        m.put(name, p.getLongValue());
                    } else {
                        m.put(name, p.getText());
                    }
                }
            }
            out.add(m);
        }
        return out;
    }

    static Syd.Result run(List<String> policy, Map<String, String> env, String... command) throws Exception {
        List<String> args = new ArrayList<>(policy);
        args.add("--");
        args.addAll(List.of(command));
        return Syd.run(args, null, env, Duration.ofSeconds(30));
    }

    private Map<String, Object> deniedRead() throws Exception {
        var r = run(DENY_PASSWD, Map.of(), "cat", "/etc/passwd");
        var recs = records(r.err());
        assertThat(recs).as(r.toString()).hasSize(1);
        return recs.get(0);
    }

    @Test void idIsAHexStringAndSidAnAdjectiveSurname() throws Exception {
        var rec = deniedRead();
        assertThat((String) rec.get("id")).matches("[0-9a-f]{8,}");
        assertThat((String) rec.get("sid")).matches("[a-z]+_[a-z]+");
    }

    @Test void sydIsTheSupervisorsPidNotTheProgramsPid() throws Exception {
        var rec = deniedRead();
        assertThat((Long) rec.get("syd")).isPositive().isNotEqualTo(rec.get("pid"));
    }

    @Test void ctxCapActSys() throws Exception {
        var rec = deniedRead();
        assertThat(rec.get("ctx")).isEqualTo("access");
        assertThat(rec.get("cap")).isEqualTo("read");
        assertThat(rec.get("act")).isEqualTo("deny");
        assertThat(rec.get("sys")).isIn("openat", "open");
    }

    @Test void pathAndOflags() throws Exception {
        var rec = deniedRead();
        assertThat(rec.get("path")).isEqualTo("/etc/passwd");
        assertThat(rec.get("oflags")).isInstanceOf(List.class).asString().contains("rdonly");
    }

    @Test void timeIsUtcBasicFormat() throws Exception {
        assertThat((String) deniedRead().get("time")).matches("\\d{8}T\\d{6}Z");
    }

    @Test void cmdCwdPidUid() throws Exception {
        var r = run(DENY_PASSWD, Map.of(), "sh", "-c", "cd /tmp && exec cat /etc/passwd");
        var rec = records(r.err()).get(0);
        assertThat(rec.get("cmd")).isEqualTo("cat /etc/passwd");
        assertThat(rec.get("cwd")).isEqualTo("/tmp");
        assertThat((Long) rec.get("pid")).isPositive();
        assertThat(rec.get("uid")).isEqualTo(new com.sun.security.auth.module.UnixSystem().getUid());
    }

    @Test void theFirstExecIsLoggedWithTheProgramsOwnCommandLine() throws Exception {
        var r = Syd.run("--", "true", "arg");
        assertThat(records(r.err())).isNotEmpty().allSatisfy(m -> assertThat(m.get("cmd")).isEqualTo("true arg"));
        r = Syd.run("-poff", "--", "sh", "-c", "env | grep -c JSYD_LAUNCH_ || true");
        assertThat(r.out()).as("the launcher's variables do not reach the program").isEqualTo("0\n");
    }

    @Test void tipIsARuleThatAllowsTheOperation() throws Exception {
        String tip = (String) deniedRead().get("tip");
        assertThat(tip).isEqualTo("configure `allow/read+/etc/passwd'");
        // Pasting the rule after the deny lets the read through.
        var r = run(List.of("-poff", "-m", "sandbox/read:on", "-m", "allow/read+/***", "-m", "deny/read+/etc/passwd",
                "-m", tip.substring("configure `".length(), tip.length() - 1)), Map.of(), "cat", "/etc/passwd");
        assertThat(r.status()).as(r.toString()).isZero();
    }

    @Test void sydLogFdSendsRecordsElsewhere() throws Exception {
        Path log = tmp.resolve("log");
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", Syd.SYD + " -poff -m sandbox/read:on -m 'allow/read+/***'"
                + " -m deny/read+/etc/passwd -- cat /etc/passwd 3>" + log);
        pb.environment().put("SYD_LOG_FD", "3");
        Process p = pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String err = new String(p.getErrorStream().readAllBytes());
        p.waitFor();
        assertThat(records(Files.readString(log))).singleElement()
                .satisfies(m -> assertThat(m.get("path")).isEqualTo("/etc/passwd"));
        assertThat(records(err)).as("nothing on stderr").isEmpty();
    }

    @Test void sydLogLevelDecidesWhatIsWritten() throws Exception {
        var warnRule = List.of("-poff", "-m", "sandbox/read:on", "-m", "allow/read+/***", "-m", "warn/read+/etc/passwd");
        var r = run(warnRule, Map.of(), "cat", "/etc/passwd");
        assertThat(r.status()).isZero();
        assertThat(records(r.err())).as("warn records are at notice").isEmpty();
        r = run(warnRule, Map.of("SYD_LOG", "notice"), "cat", "/etc/passwd");
        assertThat(records(r.err())).singleElement().satisfies(m -> assertThat(m.get("act")).isEqualTo("warn"));
        r = run(DENY_PASSWD, Map.of("SYD_LOG", "error"), "cat", "/etc/passwd");
        assertThat(records(r.err())).as("deny records are at warn").isEmpty();
    }

    @Test void filterDeniesWithoutARecord() throws Exception {
        var r = run(List.of("-poff", "-m", "sandbox/read:on", "-m", "allow/read+/***", "-m", "filter/read+/etc/passwd"),
                Map.of(), "cat", "/etc/passwd");
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).contains("Permission denied");
        assertThat(records(r.err())).isEmpty();
    }

    @Test void traceModeLogsAndAllows() throws Exception {
        List<String> p = new ArrayList<>(List.of("-x"));
        p.addAll(DENY_PASSWD);
        var r = run(p, Map.of(), "cat", "/etc/passwd");
        assertThat(r.status()).as(r.toString()).isZero();
        assertThat(r.out()).contains("root:");
        assertThat(records(r.err())).singleElement().satisfies(m -> assertThat(m.get("path")).isEqualTo("/etc/passwd"));
        // with Syd's defaults (everything denied), -x still runs the program and logs the exec
        r = run(List.of("-x"), Map.of(), "true");
        assertThat(r.status()).as(r.toString()).isZero();
        assertThat(records(r.err())).anySatisfy(m -> assertThat(m.get("cap")).isEqualTo("exec"));
    }
}
