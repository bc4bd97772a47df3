package dev.jsyd.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** PID sandboxing: {@code sandbox/pid:on} + {@code pid/max:N} bounds the live processes (a fork bomb as root too). */
class PidLimitIT {
    static final String FORKS = """
            import os, time
            kids = []
            for i in range(30):
                p = os.fork()
                if p == 0:
                    time.sleep(1)
                    os._exit(0)
                kids.append(p)
            ok = killed = 0
            for p in kids:
                _, st = os.waitpid(p, 0)
                if os.WIFEXITED(st): ok += 1
                elif os.WIFSIGNALED(st) and os.WTERMSIG(st) == 9: killed += 1
            print(ok, killed)
            """;

    @Test
    void processesBeyondTheLimitAreKilled() throws Exception {
        Process nat = new ProcessBuilder("python3", "-c", FORKS).start();
        assertThat(new String(nat.getInputStream().readAllBytes())).as("natively all 30 run").isEqualTo("30 0\n");
        var r = Syd.run(List.of("-poff", "-m", "sandbox/pid:on", "-m", "pid/max:10", "--", "python3", "-c", FORKS),
                null, Map.of(), Duration.ofSeconds(60));
        assertThat(r.status()).as(r.toString()).isZero();
        String[] counts = r.out().trim().split(" ");
        int ok = Integer.parseInt(counts[0]), killed = Integer.parseInt(counts[1]);
        assertThat(ok).as(r.out()).isLessThanOrEqualTo(9).isPositive();
        assertThat(ok + killed).isEqualTo(30);
        assertThat(r.err()).contains("\"cap\":\"pid\"").contains("pid/max:11");
    }

    @Test
    void withoutPidSandboxingNothingIsCounted() throws Exception {
        var r = Syd.run(List.of("-poff", "-m", "pid/max:10", "--", "python3", "-c", FORKS), null, Map.of(), Duration.ofSeconds(60));
        assertThat(r.out()).as(r.toString()).isEqualTo("30 0\n");
    }
}
