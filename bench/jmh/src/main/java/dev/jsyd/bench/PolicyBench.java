package dev.jsyd.bench;

import dev.jsyd.policy.Action;
import dev.jsyd.policy.Category;
import dev.jsyd.policy.Origin;
import dev.jsyd.policy.Policy;
import dev.jsyd.policy.Sandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;

/**
 * Policy decisions against 1 000 rules (a mix of literal, /*** prefix and glob rules): cached
 * (the per-snapshot decision cache) and cold (the full last-match-wins evaluation), and the parse
 * of a 1 000-line config file.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PolicyBench {
    Sandbox sandbox;
    String[] paths;
    int i;
    Path config;

    static String rule(int k) {
        return switch (k % 4) {
            case 0 -> "allow/read+/usr/share/doc/pkg" + k + "/***";
            case 1 -> "deny/read+/home/user" + k + "/.ssh/id_*";
            case 2 -> "allow/read+/var/lib/app" + k + "/data.db";
            default -> "allow/read+/opt/tool" + k + "/**/*.so";
        };
    }

    @Setup
    public void setUp() throws Exception {
        Policy p = Policy.defaults();
        p.applyProfile("off", Origin.profile("off", 0));
        p.apply("sandbox/read:on", Origin.argument(0));
        StringBuilder file = new StringBuilder();
        for (int k = 0; k < 1000; k++) {
            p.apply(rule(k), Origin.argument(k + 1));
            file.append(rule(k)).append('\n');
        }
        sandbox = p.snapshot();
        paths = new String[] {"/usr/share/doc/pkg400/README", "/home/user401/.ssh/id_rsa", "/var/lib/app402/data.db",
            "/opt/tool403/lib/x/libz.so", "/etc/passwd", "/usr/bin/ls"};
        config = Files.createTempFile("bench", ".syd-3");
        Files.writeString(config, file);
    }

    @Benchmark
    public Action decisionCached() {
        return sandbox.checkPath(Category.READ, paths[(i++ & 0x7fffffff) % paths.length]);
    }

    @Benchmark
    public Action decisionCold() {
        return sandbox.decidePath(Category.READ, paths[(i++ & 0x7fffffff) % paths.length]);
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public Sandbox parse1000LineFile() throws Exception {
        Policy p = Policy.defaults();
        p.applyFile(config);
        return p.snapshot();
    }
}
