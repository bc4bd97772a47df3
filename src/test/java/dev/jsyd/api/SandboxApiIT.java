package dev.jsyd.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jsyd.it.Syd;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The library API in-process (this JVM runs with --enable-native-access): exit codes, PIPE I/O,
 * cwd, environment, a denied read, policy errors, several sandboxes at once, and ProcessBuilder
 * children of the same JVM that the sandbox's tracer must leave alone.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SandboxApiIT {
    @TempDir Path tmp;

    /** Everything off but supervised; a deny rule that refuses nothing real so calls reach the supervisor. */
    static SandboxBuilder off() {
        return dev.jsyd.api.Syd.builder().profile("off");
    }

    static String read(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    static SandboxedProcess sh(SandboxBuilder b, String script) throws Exception {
        return b.start(List.of("sh", "-c", script));
    }

    @Test
    void exitStatusFollowsSyd() throws Exception {
        assertThat(sh(off(), "exit 7").waitFor()).isEqualTo(7);
        assertThat(sh(off(), "true").waitFor()).isZero();
        assertThat(sh(off(), "kill -TERM $$").waitFor()).isEqualTo(128 + 15);
        // defaults: everything denied, even exec → the errno of the failed exec
        SandboxedProcess denied = dev.jsyd.api.Syd.builder().redirectError(Redirect.DISCARD).start(List.of("true"));
        assertThat(denied.waitFor()).isEqualTo(13);
        assertThat(off().start(List.of("/nonexistent/prog")).waitFor()).isEqualTo(2);
        assertThat(off().command("panic").start(List.of("true")).waitFor()).isEqualTo(127);
    }

    @Test
    void pipesCarryStdinStdoutAndStderr() throws Exception {
        SandboxedProcess p = sh(off().command(Syd.NOTIFY_ALL), "cat; echo to-err >&2; exit 3");
        assertThat(p.pid()).isPositive();
        try (OutputStream in = p.getOutputStream()) {
            in.write("line one\nline two\n".getBytes(StandardCharsets.UTF_8));
        }
        assertThat(read(p.getInputStream())).isEqualTo("line one\nline two\n");
        assertThat(read(p.getErrorStream())).isEqualTo("to-err\n");
        assertThat(p.waitFor()).isEqualTo(3);
        assertThat(p.isAlive()).isFalse();
        assertThat(p.exitValue()).isEqualTo(3);
        assertThat(p.failure()).isEmpty();
    }

    @Test
    void filesAndDiscardAsRedirects() throws Exception {
        Path in = tmp.resolve("in.txt");
        Path out = tmp.resolve("out.txt");
        Files.writeString(in, "from a file\n");
        Files.writeString(out, "old content that must go\n");
        SandboxedProcess p = sh(off().redirectInput(Redirect.from(in.toFile())).redirectOutput(Redirect.to(out.toFile()))
                .redirectError(Redirect.DISCARD), "cat; echo noise >&2");
        assertThat(p.waitFor()).isZero();
        assertThat(Files.readString(out)).isEqualTo("from a file\n");
        assertThat(read(p.getInputStream())).isEmpty(); // not a pipe
        p = sh(off().redirectOutput(Redirect.appendTo(out.toFile())), "echo appended");
        assertThat(p.waitFor()).isZero();
        assertThat(Files.readString(out)).isEqualTo("from a file\nappended\n");
    }

    @Test
    void workingDirectoryIsTheOneAsked() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("work dir"));
        Files.writeString(dir.resolve("here.txt"), "found\n");
        SandboxedProcess p = sh(off().command(Syd.NOTIFY_ALL).directory(dir), "pwd; cat here.txt");
        assertThat(read(p.getInputStream())).isEqualTo(dir.toRealPath() + "\nfound\n");
        assertThat(p.waitFor()).isZero();
    }

    @Test
    void missingWorkingDirectoryFailsTheStart() {
        assertThatThrownBy(() -> off().directory(tmp.resolve("missing")).start(List.of("true")))
                .isInstanceOfSatisfying(SandboxStartException.class, e -> {
                    assertThat(e.status()).isEqualTo(2);
                    assertThat(e.getMessage()).contains("No such file or directory");
                });
    }

    @Test
    void environmentIsExactlyTheOneGiven() throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("JSYD_A", "one two");
        env.put("LD_PRELOAD", "/nonexistent.so"); // explicit: passed as given
        env.put("PATH", "/usr/bin:/bin");
        SandboxedProcess p = off().environment(env).start(List.of("/usr/bin/env"));
        assertThat(read(p.getInputStream())).isEqualTo("JSYD_A=one two\nLD_PRELOAD=/nonexistent.so\nPATH=/usr/bin:/bin\n");
        assertThat(p.waitFor()).isZero();
        // inherited: the JVM's variables (PATH here), minus the unsafe ones
        p = sh(off().inheritEnvironment(), "echo \"$PATH\"");
        assertThat(read(p.getInputStream())).isEqualTo(System.getenv("PATH") + "\n");
        assertThat(p.waitFor()).isZero();
    }

    @Test
    void argv0CanBeChanged() throws Exception {
        SandboxedProcess p = off().argv0("renamed").start(List.of("sh", "-c", "echo $0"));
        // sh -c puts the next word in $0; with none, $0 is argv[0]
        assertThat(read(p.getInputStream())).isEqualTo("renamed\n");
        assertThat(p.waitFor()).isZero();
    }

    @Test
    void aDeniedReadIsRefusedAndAnAllowedOneWorks() throws Exception {
        Path secret = Files.writeString(tmp.resolve("secret"), "s3cret\n");
        Path open = Files.writeString(tmp.resolve("open"), "public\n");
        SandboxBuilder b = off().command("sandbox/read:on").command("allow/read+/***").command("deny/read+" + secret);
        SandboxedProcess p = b.start(List.of("cat", secret.toString()));
        assertThat(read(p.getInputStream())).isEmpty();
        assertThat(read(p.getErrorStream())).contains("Permission denied");
        assertThat(p.waitFor()).isEqualTo(1);
        p = b.start(List.of("cat", open.toString())); // the builder starts a second sandbox, same policy
        assertThat(read(p.getInputStream())).isEqualTo("public\n");
        assertThat(p.waitFor()).isZero();
        // natively the secret is readable: the refusal was the sandbox's
        assertThat(Files.readString(secret)).isEqualTo("s3cret\n");
    }

    @Test
    void traceModeAllowsWhatWouldBeDenied() throws Exception {
        Path secret = Files.writeString(tmp.resolve("secret"), "s3cret\n");
        SandboxBuilder b = off().command("sandbox/read:on").command("allow/read+/***").command("deny/read+" + secret)
                .trace(true).redirectError(Redirect.DISCARD);
        SandboxedProcess p = b.start(List.of("cat", secret.toString()));
        assertThat(read(p.getInputStream())).isEqualTo("s3cret\n");
        assertThat(p.waitFor()).isZero();
    }

    @Test
    void policyErrorsCarryTheCliDiagnostic() throws Exception {
        SandboxBuilder b = off().command("sandbox/read:on").command("sandbox/reed:on");
        assertThatThrownBy(b::validate).isInstanceOf(SandboxConfigException.class);
        SandboxConfigException e = org.junit.jupiter.api.Assertions.assertThrows(SandboxConfigException.class,
                () -> b.start(List.of("true")));
        assertThat(e.getMessage()).contains("unknown category `reed`").contains("did you mean `read`?");
        var cli = Syd.run("-poff", "-m", "sandbox/read:on", "-m", "sandbox/reed:on", "--", "true");
        assertThat(cli.status()).isEqualTo(SandboxConfigException.STATUS);
        assertThat(cli.err()).isEqualTo(e.diagnostic() + "\n");

        Path bad = Files.writeString(tmp.resolve("bad.syd-3"), "sandbox/read:on\nallow/read+/usr/***\nfrobnicate\n");
        SandboxConfigException f = org.junit.jupiter.api.Assertions.assertThrows(SandboxConfigException.class,
                () -> off().configFile(bad).start(List.of("true")));
        var cli2 = Syd.run("-poff", "-P", bad.toString(), "--", "true");
        assertThat(cli2.err()).isEqualTo(f.diagnostic() + "\n");
        assertThat(f.getMessage()).contains("bad.syd-3:3");
        assertThatThrownBy(() -> off().profile("nosuchprofile").start(List.of("true")))
                .isInstanceOf(SandboxConfigException.class).hasMessageContaining("unknown profile `nosuchprofile`");
    }

    @Test
    void killEndsTheSandboxWith137() throws Exception {
        SandboxedProcess p = sh(off().command(Syd.NOTIFY_ALL), "sleep 60 & sleep 60");
        assertThat(p.waitFor(Duration.ofMillis(300))).isFalse();
        assertThat(p.isAlive()).isTrue();
        long t0 = System.nanoTime();
        p.kill();
        assertThat(p.waitFor(Duration.ofSeconds(10))).isTrue();
        assertThat(p.exitValue()).isEqualTo(137);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void twoSandboxesRunAtOnceWithTheirOwnPolicies() throws Exception {
        Path secret = Files.writeString(tmp.resolve("secret"), "s3cret\n");
        // both wait on their stdin, so both are alive together
        String script = "read x; echo \"got $x\"; cat " + secret + " 2>/dev/null || echo refused; exit $1";
        SandboxedProcess strict = off().command("sandbox/read:on").command("allow/read+/***")
                .command("deny/read+" + secret).start(List.of("sh", "-c", script, "sh", "5"));
        SandboxedProcess lax = off().command(Syd.NOTIFY_ALL).start(List.of("sh", "-c", script, "sh", "6"));
        assertThat(strict.isAlive()).isTrue();
        assertThat(lax.isAlive()).isTrue();
        assertThat(strict.pid()).isNotEqualTo(lax.pid());
        try (OutputStream o = lax.getOutputStream()) { o.write("B\n".getBytes()); }
        try (OutputStream o = strict.getOutputStream()) { o.write("A\n".getBytes()); }
        assertThat(read(strict.getInputStream())).isEqualTo("got A\nrefused\n");
        assertThat(read(lax.getInputStream())).isEqualTo("got B\ns3cret\n");
        assertThat(strict.waitFor()).isEqualTo(5);
        assertThat(lax.waitFor()).isEqualTo(6);
    }

    @Test
    void manySandboxesInParallelThreads() throws Exception {
        int n = 6;
        var pool = java.util.concurrent.Executors.newFixedThreadPool(n);
        try {
            List<java.util.concurrent.Future<String>> results = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                int k = i;
                results.add(pool.submit(() -> {
                    SandboxedProcess p = sh(off().command(Syd.NOTIFY_ALL),
                            "for i in 1 2 3; do sh -c 'exit 0'; done; echo " + k + "; exit " + (10 + k));
                    return read(p.getInputStream()) + p.waitFor();
                }));
            }
            for (int i = 0; i < n; i++) assertThat(results.get(i).get(60, TimeUnit.SECONDS)).isEqualTo(i + "\n" + (10 + i));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void processBuilderChildrenKeepTheirExitStatus() throws Exception {
        // a child of this JVM that ends while a sandbox (which forks a lot) is running
        Process early = new ProcessBuilder("sh", "-c", "sleep 0.3; exit 42").start();
        SandboxedProcess p = sh(off().command(Syd.NOTIFY_ALL),
                "i=0; while [ $i -lt 30 ]; do /bin/true; i=$((i+1)); sleep 0.03; done; exit 3");
        Process during = new ProcessBuilder("sh", "-c", "exit 43").start();
        Process killed = new ProcessBuilder("sleep", "30").start();
        killed.destroyForcibly();
        assertThat(early.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(early.exitValue()).isEqualTo(42);
        assertThat(during.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(during.exitValue()).isEqualTo(43);
        assertThat(killed.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(killed.exitValue()).isEqualTo(137);
        assertThat(p.waitFor()).isEqualTo(3);
        // and after the sandbox ended
        assertThat(new ProcessBuilder("sh", "-c", "exit 44").start().waitFor()).isEqualTo(44);
    }
}
