package dev.jsyd.compat;

import dev.jsyd.it.Syd;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One compatibility job: a directory (the same path for every run, so that paths a program
 * writes into its files compare equal), a fixed environment, and runs of the same command
 * natively and under syd with the three policies of the suite.
 */
final class Job {
    /** The policies every compatibility run is repeated under (issue 14, item 4). */
    enum Policy {
        /** (a) {@code -p user} plus the job's directory. */
        USER,
        /** (b) a strict policy ({@code src/test/resources/compat/strict.syd-3}). */
        STRICT,
        /** (c) every category on and allowing, with deny rules so that every call is notified. */
        NOTIFY_ALL
    }

    final Path dir;
    final Map<String, String> env = new LinkedHashMap<>();

    Job(Path dir) throws IOException {
        this.dir = dir;
        // The JDK running the tests first: the java workload uses it wherever the machine's own java is.
        env.put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
        env.put("HOME", dir.resolve("home").toString());
        env.put("LANG", "C.UTF-8");
        env.put("JSYD_JOB", dir.toString());
        reset();
    }

    /** Empties the job directory (and its home). */
    void reset() throws IOException {
        if (Files.exists(dir)) {
            try {
                new ProcessBuilder("rm", "-rf", dir.toString()).inheritIO().start().waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
        Files.createDirectories(dir.resolve("home"));
    }

    /** syd's options for {@code policy} (each also lets a JIT map W+X memory, for java). */
    List<String> options(Policy policy) {
        List<String> o = new ArrayList<>();
        switch (policy) {
            case USER -> o.addAll(List.of("-p", "user", "-m", "allow/all+" + dir + "/***"));
            case STRICT -> o.addAll(List.of("-P", Syd.HOME.resolve("src/test/resources/compat/strict.syd-3").toString()));
            case NOTIFY_ALL -> o.addAll(List.of("-m", "allow/all+/***", "-m", "allow/net/bind,net/connect+any!0-65535",
                    "-m", "allow/net/bind,net/connect,net/sendfd+@**", "-m", Syd.NOTIFY_ALL));
        }
        o.addAll(List.of("-m", "trace/allow_unsafe_memory:1"));
        // Debian 12's python3.11, gcc (cc1) and node are not PIE, which Syd refuses by default
        // (exec integrity): Syd's own answer is the nopie profile (docs/COMPAT.md).
        o.addAll(List.of("-p", "nopie"));
        return o;
    }

    Exact.Run runNative(List<String> cmd, Duration timeout) throws IOException, InterruptedException {
        return exec(cmd, timeout);
    }

    Exact.Run runSyd(Policy policy, List<String> cmd, Duration timeout) throws IOException, InterruptedException {
        return runSyd(options(policy), cmd, timeout);
    }

    /** {@code cmd} under syd with exactly {@code options}. */
    Exact.Run runSyd(List<String> options, List<String> cmd, Duration timeout) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        full.add(Syd.SYD.toString());
        full.addAll(options);
        full.add("--");
        full.addAll(cmd);
        return exec(full, timeout);
    }

    private Exact.Run exec(List<String> cmd, Duration timeout) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        return Exact.run(pb, timeout);
    }
}
