package dev.jsyd.it.escape;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.it.Syd;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lock:exec} belongs to the initial process — the process syd started, by identity, never
 * by its pid number (docs/DECISIONS.md, "lock:exec"): one test per sentence there, and the two
 * attacks that made another process act as the initial one (pid reuse, writing its memory).
 */
class LockEscapeIT {
    @TempDir Path tmp;

    private static String probe() throws IOException, InterruptedException {
        return Syd.probe("reach-probe").toString();
    }

    /** lock:exec plus a policy that denies reading {@code secret}. */
    private static List<String> lockExec(Path secret, String... more) {
        List<String> p = new ArrayList<>(Escape.readPolicy(secret));
        p.addAll(List.of("-m", "lock:exec"));
        for (String m : more) p.addAll(List.of("-m", m));
        return p;
    }

    /**
     * Runs {@code cmd} natively and returns its output once it holds {@code last}: the attack's
     * child goes on writing after the initial process exits (a pipe would be drained and closed by
     * the JVM at that exit, so the output goes to a file).
     */
    private String nativeUntil(String last, String... cmd) throws Exception {
        Path out = tmp.resolve("native-out.txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        p.waitFor();
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(150);
        String s = java.nio.file.Files.readString(out);
        while (!s.contains(last) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            s = java.nio.file.Files.readString(out);
        }
        return s;
    }

    private static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    @Test
    void aProcessThatGetsTheInitialPidGetsNoRights() throws Exception {
        // Deterministic: /proc/sys/kernel/ns_last_pid makes the next fork take the dead initial
        // process's pid (needs CAP_SYS_ADMIN: root, and syd keeping the capabilities).
        // Without root it is skipped, except under JSYD_STRICT where it runs (and fails).
        Assumptions.assumeTrue(root() || Boolean.getBoolean("jsyd.strict"), "writing ns_last_pid needs root");
        Path secret = Escape.files(tmp).resolve("secretx");
        String nat = nativeUntil("reuser read", probe(), "lock-reuse", secret.toString(), "fast");
        assertThat(nat).contains("reused pid ").contains("reuser read LEAK SECRET");
        var r = Escape.syd(lockExec(secret, "trace/exit_wait_all:1", "trace/allow_unsafe_caps:1"),
                probe(), "lock-reuse", secret.toString(), "fast");
        assertThat(r.out()).as(r.toString()).startsWith("initial api ok\nreused pid ")
                .endsWith("reuser api ENOENT\nreuser read EACCES\n");
    }

    @Test
    void aProcessThatGetsTheInitialPidByForkingAloneGetsNoRights() throws Exception {
        // The same without any privilege: fork until the pid counter wraps around to the dead
        // initial process's pid (~32 000 forks, 10-60 s). On main before this fix the new process
        // turned the lock off and read the secret.
        Path secret = Escape.files(tmp).resolve("secretx");
        var r = Escape.syd(lockExec(secret, "trace/exit_wait_all:1"), probe(), "lock-reuse", secret.toString());
        assertThat(r.out()).as(r.toString()).startsWith("initial api ok\nreused pid ")
                .endsWith("reuser api ENOENT\nreuser read EACCES\n");
    }

    @Test
    void noProcessCanWriteTheInitialProcessMemory() throws Exception {
        // A child writes "/dev/syd/lock:off" into the buffer its parent (the initial process) runs.
        Path secret = Escape.files(tmp).resolve("secretx");
        var nat = Escape.nativeRun(probe(), "lock-mem", secret.toString());
        assertThat(nat.out()).contains("child mem write ok\nparent ran /dev/syd/lock:off");
        var r = Escape.syd(lockExec(secret), probe(), "lock-mem", secret.toString());
        assertThat(r.out()).as(r.toString()).isEqualTo(
                "initial api ok\nchild mem EACCES\nparent ran /dev/null ok\nchild api ENOENT\nchild read EACCES\n");
        assertThat(r.err()).contains("each other's memory");
        // Also when nothing else is checked (-p off, lock on): opens for writing always are.
        r = Escape.syd(List.of("-poff"), probe(), "lock-mem", secret.toString());
        assertThat(r.out()).as(r.toString()).contains("child mem EACCES\nparent ran /dev/null ok\n");
    }

    private static Syd.Result sh(String script, String... policy) throws Exception {
        List<String> p = new ArrayList<>(List.of("-poff", "-m", "lock:exec"));
        for (String m : policy) p.addAll(List.of("-m", m));
        return Escape.syd(p, "sh", "-c", script);
    }

    @Test
    void onlyTheInitialProcessSeesTheApi() throws Exception {
        var r = sh("test -e /dev/syd && echo initial-yes; sh -c 'test -e /dev/syd && echo child-yes || echo child-no'");
        assertThat(r.out()).as(r.toString()).isEqualTo("initial-yes\nchild-no\n");
    }

    @Test
    void theInitialProcessKeepsItAcrossItsOwnExecsAndThreads() throws Exception {
        var r = sh("exec sh -c 'test -c /dev/syd/sandbox/read:on && echo exec-yes'");
        assertThat(r.out()).as(r.toString()).isEqualTo("exec-yes\n");
        // Debian 12's /usr/bin/python3 (3.11) is not PIE: -p nopie lets it run (whatever python3 PATH finds).
        r = Escape.syd(List.of("-poff", "-p", "nopie", "-m", "lock:exec"), "sh", "-c",
                "exec /usr/bin/python3 -c 'import os, threading\n"
                + "t = threading.Thread(target=lambda: print(\"thread\", os.path.exists(\"/dev/syd\"), flush=True))\n"
                + "t.start(); t.join()'");
        assertThat(r.out()).as(r.toString()).isEqualTo("thread True\n");
    }

    @Test
    void lockOnFromTheInitialProcessEndsItForEveryone() throws Exception {
        var r = sh("test -c /dev/syd/lock:on && echo locked; test -e /dev/syd && echo still-visible || echo gone");
        assertThat(r.out()).as(r.toString()).isEqualTo("locked\ngone\n");
    }
}
