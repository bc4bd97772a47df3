package dev.jsyd.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * SegvGuard: a program that crashed {@code segvguard/maxcrashes} times within
 * {@code segvguard/expiry} may not be executed for {@code segvguard/suspension}. On by default
 * (5 crashes in 120 s suspend it for 600 s); {@code segvguard/expiry:0} turns it off.
 */
class SegvGuardIT {
    static final List<String> AT_SYSCALL = List.of("-poff", "-m", "sandbox/exec:on", "-m", "allow/exec+/***",
            "-m", "deny/exec+/nonexistent/jsyd/***");

    static Syd.Result crashes(List<String> policy, int times, String between, String... settings) throws Exception {
        String probe = ExecFixture.probe();
        StringBuilder sh = new StringBuilder();
        for (int i = 0; i < times; i++) sh.append(probe).append(" crash; echo $?; ").append(between);
        List<String> args = new ArrayList<>(policy);
        for (String s : settings) args.addAll(List.of("-m", s));
        args.addAll(List.of("--", "sh", "-c", sh.toString()));
        return Syd.run(args.toArray(String[]::new));
    }

    @Test
    void aProgramThatKeepsCrashingIsSuspended() throws Exception {
        var r = crashes(AT_SYSCALL, 3, "", "segvguard/maxcrashes:2");
        assertThat(r.out()).as(r.toString()).isEqualTo("139\n139\n126\n");
        assertThat(r.err()).contains("\"cap\":\"segvguard\"").contains("segvguard/expiry:0");
        var stop = crashes(List.of("-poff"), 3, "", "segvguard/maxcrashes:2");
        assertThat(stop.out()).as("refused at the exec stop: " + stop).isEqualTo("139\n139\n137\n");
    }

    @Test
    void crashesOfChildrenForkedByAThreadCount() throws Exception {
        // Children forked by a thread other than the leader run the process's program: their
        // crashes are its crashes. On main they were not counted (the program was looked up by
        // the forking thread's id), so a brute force forking from a thread was never suspended.
        String probe = Syd.probe("reach-probe").toString();
        String sh = probe + " thread-fork-crash 3; " + probe + " thread-fork-crash 1; echo $?";
        Process nat = new ProcessBuilder("sh", "-c", sh).redirectErrorStream(true).start();
        assertThat(new String(nat.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1))
                .as("natively nothing stops it").isEqualTo("crashed 3\ncrashed 1\n0\n");
        nat.waitFor();
        var r = Syd.run("-poff", "-m", "segvguard/maxcrashes:2", "--", "sh", "-c", sh);
        assertThat(r.out()).as(r.toString()).isEqualTo("crashed 3\n137\n");
        assertThat(r.err()).contains("\"cap\":\"segvguard\"");
    }

    @Test
    void onByDefaultWithFiveCrashes() throws Exception {
        var r = crashes(AT_SYSCALL, 6, "");
        assertThat(r.out()).as(r.toString()).isEqualTo("139\n".repeat(5) + "126\n");
        assertThat(crashes(AT_SYSCALL, 6, "", "segvguard/expiry:0").out()).isEqualTo("139\n".repeat(6));
    }

    @Test
    void theSuspensionEnds() throws Exception {
        var r = crashes(AT_SYSCALL, 3, "sleep 1.5; ", "segvguard/maxcrashes:1", "segvguard/suspension:1s");
        assertThat(r.out()).as(r.toString()).isEqualTo("139\n139\n139\n");
        var quick = crashes(AT_SYSCALL, 2, "", "segvguard/maxcrashes:1", "segvguard/suspension:1m");
        assertThat(quick.out()).isEqualTo("139\n126\n");
    }
}
