package dev.jsyd.it.escape;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.it.Syd;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * PID sandboxing (issue 12.2): {@code sandbox/pid:on} + {@code pid/max:N} bounds the tasks the
 * program creates (processes and threads; the first process does not count). The decision is
 * made before the task exists, at the seccomp stop of fork/vfork/clone, by the one tracer
 * thread: the task that asks for one too many gets {@code default/pid} itself — kill (the default:
 * its process dies), deny (its fork fails with EAGAIN). Before, the child was killed after the
 * fork had succeeded, so a program forking 64 times under {@code pid/max:16} saw 64 successes.
 */
class PidLimitEscapeIT {
    static final String FORKS = """
            import os, time
            for i in range(64):
                try:
                    p = os.fork()
                except OSError as e:
                    print("fork", i + 1, "failed", os.strerror(e.errno), flush=True)
                    break
                if p == 0:
                    time.sleep(3)
                    os._exit(0)
            else:
                print("64 forks", flush=True)
            """;

    static List<String> pid(String... more) {
        // -p nopie: Debian 12's python3.11 (the forking program) is not PIE.
        List<String> p = new java.util.ArrayList<>(List.of("-poff", "-p", "nopie", "-m", "sandbox/pid:on", "-m", "pid/max:16"));
        for (String m : more) p.addAll(List.of("-m", m));
        return p;
    }

    @Test
    void theSeventeenthForkFailsUnderDeny() throws Exception {
        assertThat(Escape.nativeRun("python3", "-c", FORKS).out()).isEqualTo("64 forks\n");
        var r = Escape.syd(pid("default/pid:deny"), "python3", "-c", FORKS);
        assertThat(r.out()).as(r.toString()).isEqualTo("fork 17 failed Resource temporarily unavailable\n");
        assertThat(r.status()).isZero();
        assertThat(r.err()).contains("\"cap\":\"pid\"").contains("\"act\":\"deny\"").contains("pid/max:17");
    }

    @Test
    void theTaskAskingForTheSeventeenthIsKilledByDefault() throws Exception {
        var r = Escape.syd(pid(), "python3", "-c", FORKS);
        assertThat(r.status()).as(r.toString()).isEqualTo(137);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("\"cap\":\"pid\"").contains("\"act\":\"kill\"");
    }

    @Test
    void concurrentForksFromManyThreadsNeverExceedTheLimit() throws Exception {
        String probe = Syd.probe("table-probe").toString();
        assertThat(Escape.nativeRun(probe, "forks", "8", "8").out()).isEqualTo("forked 64 none\n");
        // 8 threads (8 tasks) and 8 forks each, all at once: exactly 16 - 8 forks fit.
        for (int i = 0; i < 3; i++) {
            var r = Escape.syd(pid("default/pid:deny"), probe, "forks", "8", "8");
            assertThat(r.out()).as(r.toString()).isEqualTo("forked 8 EAGAIN\n");
        }
    }

    @Test
    void withoutPidSandboxingNothingIsCounted() throws Exception {
        var r = Escape.syd(List.of("-poff", "-p", "nopie", "-m", "pid/max:10"), "python3", "-c", FORKS);
        assertThat(r.out()).as(r.toString()).isEqualTo("64 forks\n");
    }
}
