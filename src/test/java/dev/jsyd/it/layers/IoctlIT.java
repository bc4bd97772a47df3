package dev.jsyd.it.layers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.it.Syd;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Ioctl sandboxing (syd(2) {@code sandbox/ioctl}, {@code allow|deny|…/ioctl+REQUEST},
 * {@code default/ioctl}): requests named or numbered, Syd's default allow list, every action, and
 * what real programs see (stty on a terminal).
 */
class IoctlIT {
    /** FS_IOC_SETFLAGS: not on the default allow list; on /dev/null the kernel answers ENOTTY. */
    static final String SETFLAGS = "0x40086602";

    /** Runs {@code script} in a pseudo-terminal ({@code script(1)}): stdout and stderr of it together. */
    static String inTerminal(String shell) throws Exception {
        Process p = new ProcessBuilder("script", "-qec", shell, "/dev/null").redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).replace("\r", "");
        p.waitFor();
        return out;
    }

    static String probe() throws Exception { return Syd.probe("layers-probe").toString(); }

    static Syd.Result run(List<String> policy, String... cmd) throws Exception {
        List<String> args = new ArrayList<>(policy);
        args.add("--");
        args.addAll(List.of(cmd));
        return Syd.run(args, null, Map.of(), Duration.ofSeconds(60));
    }

    @Test
    void denyTcgetsMakesSttyFailWithPermissionDenied() throws Exception {
        assertThat(inTerminal("stty size >/dev/null; echo rc=$?")).as("natively").contains("rc=0");
        String syd = Syd.SYD + " -poff -m sandbox/ioctl:on ";
        assertThat(inTerminal(syd + "-- stty size >/dev/null; echo rc=$?")).as("the default allow list has TCGETS")
                .contains("rc=0");
        String out = inTerminal(syd + "-m deny/ioctl+TCGETS -- stty size; echo rc=$?");
        assertThat(out).contains("stty: 'standard input': Permission denied", "rc=1")
                .contains("\"cap\":\"ioctl\",\"act\":\"deny\",\"sys\":\"ioctl\",\"ioctl\":\"TCGETS\"")
                .contains("\"tip\":\"configure `allow/ioctl+TCGETS'\"");
        assertThat(inTerminal(Syd.SYD + " -m deny/ioctl+0x5401 -m sandbox/exec,read,stat,walk:off -- stty size; echo rc=$?"))
                .as("ioctl sandboxing is on by default; a number names the same request").contains("Permission denied", "rc=1");
    }

    @Test
    void requestsOffTheDefaultListAreRefusedUnlessARuleAllowsThem() throws Exception {
        String p = probe();
        assertThat(Syd.nativeSh(p + " ioctl /dev/null " + SETFLAGS)).isEqualTo("ENOTTY\n");
        var r = run(List.of("-poff", "-m", "sandbox/ioctl:on"), p, "ioctl", "/dev/null", SETFLAGS);
        assertThat(r.out()).as(r.toString()).isEqualTo("EACCES\n");
        assertThat(r.err()).contains("\"ioctl\":\"FS_IOC_SETFLAGS\"");
        for (String rule : List.of("allow/ioctl+FS_IOC_SETFLAGS", "allow/ioctl+fs_ioc_setflags", "allow/ioctl+" + SETFLAGS,
                "allow/ioctl+1074292226", "allow/ioctl+TCGETS,FS_IOC_SETFLAGS")) {
            r = run(List.of("-poff", "-m", "sandbox/ioctl:on", "-m", rule), p, "ioctl", "/dev/null", SETFLAGS);
            assertThat(r.out()).as(rule + "\n" + r).isEqualTo("ENOTTY\n");
        }
        r = run(List.of("-poff", "-m", "sandbox/ioctl:on", "-m", "default/ioctl:allow"), p, "ioctl", "/dev/null", SETFLAGS);
        assertThat(r.out()).as("default/ioctl:allow").isEqualTo("ENOTTY\n");
        r = run(List.of("-poff"), p, "ioctl", "/dev/null", SETFLAGS);
        assertThat(r.out()).as("ioctl sandboxing off").isEqualTo("ENOTTY\n");
        r = run(List.of("-poff", "-m", "sandbox/ioctl:on", "-m", "allow/ioctl+FS_IOC_SETFLAGS",
                "-m", "deny/ioctl+FS_IOC_SETFLAGS"), p, "ioctl", "/dev/null", SETFLAGS);
        assertThat(r.out()).as("the last matching rule wins").isEqualTo("EACCES\n");
    }

    @Test
    void everyActionApplies() throws Exception {
        String p = probe();
        List<String> on = List.of("-poff", "-m", "sandbox/ioctl:on");
        var r = run(plus(on, "kill/ioctl+FS_IOC_SETFLAGS"), p, "ioctl", "/dev/null", SETFLAGS);
        assertThat(r.status()).as(r.toString()).isEqualTo(137);
        List<String> warn = plus(on, "warn/ioctl+FS_IOC_SETFLAGS");
        warn.addAll(List.of("--", p, "ioctl", "/dev/null", SETFLAGS));
        r = Syd.run(warn, null, Map.of("SYD_LOG", "notice"), Duration.ofSeconds(60));
        assertThat(r.out()).as("warn lets it through").isEqualTo("ENOTTY\n");
        assertThat(r.err()).as("and logs (at notice)").contains("\"act\":\"warn\"");
        r = run(plus(on, "filter/ioctl+FS_IOC_SETFLAGS"), p, "ioctl", "/dev/null", SETFLAGS);
        assertThat(r.out()).isEqualTo("EACCES\n");
        assertThat(r.err()).as("filter: no log").doesNotContain("\"cap\":\"ioctl\"");
        r = run(List.of("-poff", "-x", "-m", "sandbox/ioctl:on"), p, "ioctl", "/dev/null", SETFLAGS);
        assertThat(r.out()).as("trace mode allows").isEqualTo("ENOTTY\n");
        assertThat(r.err()).contains("\"cap\":\"ioctl\"", "FS_IOC_SETFLAGS");
        r = run(List.of("-poff", "-m", "lock:off", "-m", "sandbox/ioctl:on"), "sh", "-c",
                p + " ioctl /dev/null " + SETFLAGS + "; test -c /dev/syd/allow/ioctl+FS_IOC_SETFLAGS; "
                        + p + " ioctl /dev/null " + SETFLAGS);
        assertThat(r.out()).as("a rule added at run time").isEqualTo("EACCES\nENOTTY\n");
    }

    @Test
    void unknownRequestNamesAreErrorsWithASuggestion() throws Exception {
        var r = run(List.of("-poff", "-m", "allow/ioctl+TCGETZ"), "true");
        assertThat(r.status()).isEqualTo(22);
        assertThat(r.err()).contains("unknown ioctl request `TCGETZ`", "TCGETS");
        r = run(List.of("-poff", "-m", "allow/ioctl+0x1ffffffff"), "true");
        assertThat(r.status()).isEqualTo(22);
        assertThat(r.err()).contains("wider than 32 bits");
    }

    static List<String> plus(List<String> base, String rule) {
        List<String> out = new ArrayList<>(base);
        out.addAll(List.of("-m", rule));
        return out;
    }
}
