package dev.jsyd.it.learn;

import dev.jsyd.it.Syd;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Runs jsyd's tools (bin/syd, bin/syd-learn, ...) in a working directory, with pipes for output. */
final class Tools {
    private Tools() {}

    static final boolean STRICT = Boolean.getBoolean("jsyd.strict");

    static Syd.Result run(Path dir, Map<String, String> env, String tool, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Syd.HOME.resolve("bin/" + tool).toString());
        cmd.addAll(List.of(args));
        return exec(dir, env, cmd, Duration.ofSeconds(120));
    }

    /** Runs {@code cmd} in {@code dir}; stdin is /dev/null, stdout and stderr are pipes (no file names leak into a profile). */
    static Syd.Result exec(Path dir, Map<String, String> env, List<String> cmd, Duration timeout)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        // As a shell starting the tool in dir would (syd passes its environment as it is, so a
        // stale PWD inherited from this JVM would reach the program and be stat'ed by sh).
        pb.environment().put("PWD", dir.toString());
        pb.environment().putAll(env);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        CompletableFuture<String> out = drain(p.getInputStream()), err = drain(p.getErrorStream());
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            p.waitFor();
            throw new AssertionError("did not finish within " + timeout + ": " + cmd + "\n" + err.join());
        }
        return new Syd.Result(p.exitValue(), out.join(), err.join());
    }

    private static CompletableFuture<String> drain(InputStream in) {
        CompletableFuture<String> f = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (in) {
                f.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                f.complete("");
            }
        });
        return f;
    }

    /** The path of {@code program} in PATH; skips the test (fails it on CI) when it is missing. */
    static Path require(String program) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(d, program);
            if (Files.isExecutable(p)) return p;
        }
        if (STRICT) throw new AssertionError(program + " is needed by this test (.ci/run installs it)");
        Assumptions.abort(program + " not installed");
        return null;
    }

    /** The access records (would-be or real denials) in a log text. */
    static List<String> accessRecords(String log) {
        return log.lines().filter(l -> l.startsWith("{") && l.contains("\"ctx\":\"access\"")).toList();
    }
}
