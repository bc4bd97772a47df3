package dev.jsyd.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The start-up debug switch (docs/PERFORMANCE.md "start"): {@code SYD_STARTUP_TIMES} makes syd print
 * its phases on stderr, is not passed to the program (a control variable), and changes nothing else:
 * the program's output and exit status are those of a run without it.
 */
class StartupTimesIT {
    static final List<String> SHOW_SWITCH = List.of("-poff", "--", "sh", "-c", "echo ${SYD_STARTUP_TIMES-unset}; exit 7");

    @Test
    void phasesArePrintedWhenAskedAndTheProgramDoesNotSeeTheSwitch() throws Exception {
        Syd.Result r = Syd.run(SHOW_SWITCH, null, Map.of("SYD_STARTUP_TIMES", "1"), Duration.ofSeconds(60));
        assertThat(r.status()).as(r.toString()).isEqualTo(7);
        assertThat(r.out()).isEqualTo("unset\n");
        assertThat(r.err()).contains("syd: startup: script (bash wrapper)", "syd: startup: jvm boot (to main)",
                "syd: startup: options, policy parse", "syd: startup: early start (own thread)",
                "syd: startup: filter build", "syd: startup: program exited", "syd: startup: exit",
                "syd: startup: at exit, thread");
    }

    /** {@code JSYD_JIT=c2} (docs/PERFORMANCE.md "jit"): C2 compiles too; the default runs C1 alone; anything else is refused. */
    @Test
    void theJitSwitchAddsC2AndRefusesWhatItDoesNotKnow() throws Exception {
        Syd.Result c2 = Syd.run(SHOW_SWITCH, null, Map.of("SYD_STARTUP_TIMES", "1", "JSYD_JIT", "c2"), Duration.ofSeconds(60));
        assertThat(c2.status()).as(c2.toString()).isEqualTo(7);
        assertThat(c2.err()).contains("at exit, thread C2 CompilerThre");
        Syd.Result c1 = Syd.run(SHOW_SWITCH, null, Map.of("SYD_STARTUP_TIMES", "1"), Duration.ofSeconds(60));
        assertThat(c1.status()).as(c1.toString()).isEqualTo(7);
        assertThat(c1.err()).contains("at exit, thread C1 CompilerThre").doesNotContain("C2 CompilerThre");
        Syd.Result bad = Syd.run(SHOW_SWITCH, null, Map.of("JSYD_JIT", "c3"), Duration.ofSeconds(60));
        assertThat(bad.status()).isEqualTo(2);
        assertThat(bad.out()).isEmpty();
        assertThat(bad.err()).isEqualTo("syd: JSYD_JIT must be c1 (the default) or c2, not 'c3'\n");
    }

    @Test
    void nothingIsPrintedWithoutTheSwitch() throws Exception {
        Syd.Result r = Syd.run(SHOW_SWITCH, null, Map.of(), Duration.ofSeconds(60));
        assertThat(r.status()).as(r.toString()).isEqualTo(7);
        assertThat(r.out()).isEqualTo("unset\n");
        assertThat(r.err()).doesNotContain("syd: startup:");
    }

    @Test
    void theSwitchIsSeenNativelyByAChild() throws Exception {
        // Without syd the variable reaches the child: what the first test shows removed is really there.
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", "echo ${SYD_STARTUP_TIMES-unset}");
        pb.environment().put("SYD_STARTUP_TIMES", "1");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).isZero();
        assertThat(out).isEqualTo("1\n");
    }
}
