package dev.jsyd.it.escape;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.it.Syd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every task is traced from birth (issue 12.2). A child made with {@code clone(CLONE_UNTRACED)}
 * was never seen by the tracer: its exec was not checked at the exec stop, pid/max did not count
 * it, and it outlived syd. CLONE_UNTRACED is refused in the filter and clone3 (flags in memory)
 * is ENOSYS, so libc falls back to clone(2), whose flags the filter reads.
 */
class UntracedTaskEscapeIT {
    @TempDir Path tmp;

    static String probe() throws Exception { return Syd.probe("table-probe").toString(); }

    @Test
    void anUntracedChildCannotBeMade() throws Exception {
        String[] attack = {probe(), "untraced-exec", "/usr/bin/echo", "ran"};
        assertThat(Escape.nativeRun(attack).out()).isEqualTo("ran\nclone ok status 0\n");
        var r = Escape.syd(List.of("-poff", "-m", "sandbox/exec:on", "-m", "allow/exec+/***", "-m", "deny/exec+/usr/bin/echo"), attack);
        assertThat(r.out()).as(r.toString()).isEqualTo("clone err EPERM\n");
        r = Escape.syd(List.of("-poff"), attack);
        assertThat(r.out()).as("refused whatever the policy").isEqualTo("clone err EPERM\n");
    }

    @Test
    void clone3IsEnosysSoItsFlagsNeedNoReading() throws Exception {
        String[] attack = {probe(), "clone3"};
        assertThat(Escape.nativeRun(attack).out()).isEqualTo("clone3 ok\n");
        var r = Escape.syd(List.of("-poff", "-m", "trace/allow_unsafe_namespace:all"), attack);
        assertThat(r.out()).as(r.toString()).isEqualTo("clone3 err ENOSYS\n");
        // and libc's fallback still makes threads and processes
        r = Escape.syd(List.of("-poff", "-p", "nopie"), "python3", "-c", // python3.11: not PIE
                "import threading,subprocess;t=threading.Thread(target=print,args=('t',));t.start();t.join();subprocess.run(['echo','p'])");
        assertThat(r.out()).as(r.toString()).isEqualTo("t\np\n");
    }

    /** A detached grandchild (own session, parent gone) of the program: its pid, once written. */
    private long daemonPid(Path file) throws Exception {
        for (int i = 0; i < 300 && (!Files.exists(file) || Files.readString(file).isBlank()); i++) Thread.sleep(100);
        return Long.parseLong(Files.readString(file).trim());
    }

    /** True when {@code pid} is gone or a zombie within 10 s. */
    private static boolean dies(long pid) throws Exception {
        for (int i = 0; i < 100; i++) {
            Path status = Path.of("/proc/" + pid + "/status");
            if (!Files.exists(status)) return true;
            try {
                if (Files.readString(status).contains("State:\tZ")) return true;
            } catch (java.io.IOException e) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    @Test
    void noTaskOutlivesTheTimeout() throws Exception {
        Path pidFile = tmp.resolve("native.pid");
        // Natively the detached grandchild outlives the program that started it.
        Process nat = new ProcessBuilder(probe(), "daemon", pidFile.toString()).start();
        long nativePid = daemonPid(pidFile);
        nat.destroyForcibly().waitFor();
        try {
            Thread.sleep(500);
            assertThat(Files.readString(Path.of("/proc/" + nativePid + "/status"))).contains("State:\tS");
        } finally {
            new ProcessBuilder("kill", "-9", Long.toString(nativePid)).start().waitFor();
        }
        pidFile = tmp.resolve("syd.pid");
        var r = Syd.run(List.of("-poff", "-t", "2s", "--", probe(), "daemon", pidFile.toString()), null, Map.of(), Duration.ofSeconds(60));
        assertThat(r.status()).as(r.toString()).isEqualTo(124);
        assertThat(dies(daemonPid(pidFile))).as("the detached grandchild dies with syd").isTrue();
    }

    @Test
    void noTaskOutlivesSydKilled() throws Exception {
        Path pidFile = tmp.resolve("syd.pid");
        List<String> cmd = new ArrayList<>(List.of(Syd.SYD.toString(), "-poff", "--", probe(), "daemon", pidFile.toString()));
        Process syd = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("out").toFile()).start();
        try {
            long pid = daemonPid(pidFile);
            syd.destroyForcibly(); // SIGKILL to syd (the JVM): the tracer dies, PTRACE_O_EXITKILL kills every tracee
            assertThat(syd.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(dies(pid)).as("the detached grandchild dies with syd").isTrue();
        } finally {
            syd.destroyForcibly();
        }
    }
}
