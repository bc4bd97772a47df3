package dev.jsyd.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the built {@code bin/syd} on real programs, and builds the C probes the tests use. */
public final class Syd {
    private Syd() {}

    /**
     * A rule that refuses nothing real but lets every path category refuse something, so the
     * filter sends the calls under test to the supervisor (an allow-all policy alone is decided in
     * the kernel, which would make a native-vs-sandbox comparison compare native with native).
     */
    public static final String NOTIFY_ALL = "deny/all+/nonexistent/jsyd-notify/***";


    public static final Path HOME = Path.of(System.getProperty("jsyd.home", ".")).toAbsolutePath().normalize();
    public static final Path SYD = HOME.resolve("bin/syd");

    /** The result of one run. */
    public record Result(int status, String out, String err) {
        @Override
        public String toString() {
            return "status " + status + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    public static Result run(String... args) throws IOException, InterruptedException {
        return run(List.of(args), null, Map.of(), Duration.ofSeconds(60));
    }

    public static Result run(List<String> args, String stdin, Map<String, String> env, Duration timeout)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(SYD.toString());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        Path outFile = Files.createTempFile("syd-out", ".txt");
        Path errFile = Files.createTempFile("syd-err", ".txt");
        pb.redirectOutput(outFile.toFile());
        pb.redirectError(errFile.toFile());
        if (stdin == null) pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        if (stdin != null) {
            try (var os = p.getOutputStream()) {
                os.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            p.waitFor();
            throw new AssertionError("syd did not finish within " + timeout + ": " + cmd
                    + "\n" + Files.readString(errFile));
        }
        Result r = new Result(p.exitValue(), Files.readString(outFile), Files.readString(errFile));
        Files.deleteIfExists(outFile);
        Files.deleteIfExists(errFile);
        return r;
    }

    /** Runs {@code sh -c script} under syd with {@code policy} (the arguments before {@code --}). */
    public static Result sh(List<String> policy, String script) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(policy);
        args.addAll(List.of("--", "sh", "-c", script));
        return run(args, null, Map.of(), Duration.ofSeconds(60));
    }

    /** Runs {@code sh -c script} natively: the baseline; stdout and stderr together. */
    public static String nativeSh(String script) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("sh", "-c", script).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    private static final java.util.Map<String, Path> PROBES = new java.util.HashMap<>();

    /** The probe program (src/test/c/probe.c), compiled once per test run. */
    public static Path probe() throws IOException, InterruptedException { return probe("probe"); }

    /** The probe {@code src/test/c/NAME.c}, compiled once per test run (a small C program, one scenario per sub-command). */
    public static synchronized Path probe(String name) throws IOException, InterruptedException {
        Path cached = PROBES.get(name);
        if (cached != null) return cached;
        Path out = HOME.resolve("target/probes/" + name);
        Files.createDirectories(out.getParent());
        Process p = new ProcessBuilder("gcc", "-O2", "-Wall", "-pthread", "-o", out.toString(),
                HOME.resolve("src/test/c/" + name + ".c").toString()).inheritIO().start();
        if (p.waitFor() != 0) throw new AssertionError("cannot build probe " + name + " with gcc");
        PROBES.put(name, out);
        return out;
    }
}
