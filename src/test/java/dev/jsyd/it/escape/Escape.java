package dev.jsyd.it.escape;

import dev.jsyd.it.Syd;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Shared pieces of the escape suite: the attack probe (src/test/c/escape-probe.c), a native run
 * of the same attack for comparison, and a policy that lets the program read everything except
 * one secret file.
 */
final class Escape {
    private Escape() {}

    static final String SECRET = "SECRET", PUBLIC = "PUBLIC";

    static String probe() throws IOException, InterruptedException {
        return Syd.probe("escape-probe").toString();
    }

    /** A directory with {@code allowed} (PUBLIC) and {@code secretx} (SECRET, same name length). */
    static Path files(Path dir) throws IOException {
        Files.writeString(dir.resolve("allowed"), PUBLIC + "\n");
        Files.writeString(dir.resolve("secretx"), SECRET + "\n");
        return dir;
    }

    /** Read and readdir checked; everything readable but {@code secret}; nothing else checked. */
    static List<String> readPolicy(Path secret) {
        return List.of("-poff", "-m", "sandbox/read,readdir:on", "-m", "allow/read,readdir+/***",
                "-m", "deny/read+" + secret);
    }

    /** Runs {@code policy -- cmd} under syd. */
    static Syd.Result syd(List<String> policy, String... cmd) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(policy);
        args.add("--");
        args.addAll(List.of(cmd));
        return Syd.run(args, null, Map.of(), Duration.ofSeconds(90));
    }

    /** Runs {@code cmd} natively (no syd): the attack's baseline. */
    static Syd.Result nativeRun(Map<String, String> env, String... cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Path out = Files.createTempFile("native-out", ".txt"), err = Files.createTempFile("native-err", ".txt");
        pb.redirectOutput(out.toFile());
        pb.redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor();
            throw new AssertionError("native run did not finish: " + List.of(cmd));
        }
        var r = new Syd.Result(p.exitValue(), Files.readString(out, StandardCharsets.ISO_8859_1),
                Files.readString(err, StandardCharsets.ISO_8859_1));
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
        return r;
    }

    static Syd.Result nativeRun(String... cmd) throws IOException, InterruptedException {
        return nativeRun(Map.of(), cmd);
    }

    /** Reads {@code LEAK n opens m denied k} from a race probe: {leaks, opens, denied}. */
    static long[] raceCounts(String out) {
        String[] w = out.trim().split("\\s+");
        if (w.length != 6) throw new AssertionError("unexpected race output: " + out);
        return new long[] {Long.parseLong(w[1]), Long.parseLong(w[3]), Long.parseLong(w[5])};
    }
}
