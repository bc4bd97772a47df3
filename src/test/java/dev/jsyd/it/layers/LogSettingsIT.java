package dev.jsyd.it.layers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.it.Syd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code log/level}, {@code log/verbose}, {@code log/syslog} (syd(2)). */
class LogSettingsIT {
    static final List<String> DENY_HOSTNAME = List.of("-poff", "-m", "sandbox/read:on", "-m", "allow/read+/***",
            "-m", "deny/read+/etc/hostname");

    static Syd.Result run(Map<String, String> env, List<String> policy, String... cmd) throws Exception {
        List<String> args = new ArrayList<>(policy);
        args.add("--");
        args.addAll(List.of(cmd));
        return Syd.run(args, null, env, Duration.ofSeconds(60));
    }

    static List<String> plus(List<String> a, String... more) {
        List<String> out = new ArrayList<>(a);
        for (String m : more) out.addAll(List.of("-m", m));
        return out;
    }

    @Test
    void logLevelSelectsTheRecordsAndOverridesSydLog() throws Exception {
        var r = run(Map.of(), DENY_HOSTNAME, "cat", "/etc/hostname");
        assertThat(r.err()).as("default: warn").contains("\"cap\":\"read\"").doesNotContain("\"ctx\":\"run\"");
        r = run(Map.of(), plus(DENY_HOSTNAME, "log/level:info"), "cat", "/etc/hostname");
        assertThat(r.err()).as("info adds the lifecycle records").contains("\"ctx\":\"run\"", "\"ctx\":\"exit\"", "\"cap\":\"read\"");
        r = run(Map.of(), plus(DENY_HOSTNAME, "log/level:error"), "cat", "/etc/hostname");
        assertThat(r.err()).as("error: no denial records").doesNotContain("\"ctx\"").contains("Permission denied");
        r = run(Map.of("SYD_LOG", "info"), plus(DENY_HOSTNAME, "log/level:error"), "cat", "/etc/hostname");
        assertThat(r.err()).as("the command over SYD_LOG").doesNotContain("\"ctx\"");
        r = run(Map.of(), plus(DENY_HOSTNAME, "lock:off"), "sh", "-c",
                "cat /etc/hostname; test -c /dev/syd/log/level:error; cat /etc/hostname");
        assertThat(r.err().split("\"cap\":\"read\"", -1)).as("changed at run time: one record, not two").hasSize(2);
    }

    @Test
    void logVerboseAddsTheParentAndTheExecutable() throws Exception {
        var r = run(Map.of(), DENY_HOSTNAME, "cat", "/etc/hostname");
        assertThat(r.err()).contains("\"cap\":\"read\"").doesNotContain("\"exe\"");
        r = run(Map.of(), plus(DENY_HOSTNAME, "log/verbose:1"), "cat", "/etc/hostname");
        assertThat(r.err()).as(r.toString()).contains("\"exe\":\"/usr/bin/cat\"").containsPattern("\"ppid\":\\d+");
    }

    @Test
    void logSyslogSendsRecordsToDevLog() throws Exception {
        Path out = Files.createTempFile(Syd.HOME.resolve("target"), "syslog", ".txt");
        try {
            String script = Syd.HOME.resolve("src/test/resources/layers/with-syslog.sh").toString();
            List<String> cmd = new ArrayList<>(List.of("unshare", "-m", "--propagation", "private", "sh", script, out.toString(),
                    Syd.SYD.toString()));
            cmd.addAll(DENY_HOSTNAME);
            cmd.addAll(List.of("--", "cat", "/etc/hostname"));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String all = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor()).as(all).isZero();
            assertThat(Files.readString(out)).as("the default, log/syslog:true")
                    .containsPattern("<12>syd\\[\\d+\\]: \\{.*\"cap\":\"read\",\"act\":\"deny\".*\"path\":\"/etc/hostname\"");
            Files.writeString(out, "");
            cmd.add(cmd.indexOf("--"), "-m");
            cmd.add(cmd.indexOf("--"), "log/syslog:0");
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            all = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor()).as(all).isZero();
            assertThat(all).contains("\"cap\":\"read\"");
            assertThat(Files.readString(out)).as("log/syslog:0").isEmpty();
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(Path.of(out + ".ready"));
        }
    }
}
