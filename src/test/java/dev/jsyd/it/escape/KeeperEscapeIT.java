package dev.jsyd.it.escape;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.it.Syd;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The supervisor process as a target: its JVM's attach mechanism, the rights of its threads, the
 * fds and variables it would hand to the program, the environment its rules expand.
 */
class KeeperEscapeIT {
    @TempDir Path tmp;

    static String probe() throws Exception { return Syd.probe("keeper-probe").toString(); }

    /** The JVM TI agent (src/test/c/keeper-agent.c) as a shared library. */
    static synchronized Path agent() throws Exception {
        Path so = Syd.HOME.resolve("target/probes/keeper-agent.so");
        Files.createDirectories(so.getParent());
        Process p = new ProcessBuilder("gcc", "-O2", "-Wall", "-shared", "-fPIC", "-o", so.toString(),
                Syd.HOME.resolve("src/test/c/keeper-agent.c").toString()).inheritIO().start();
        assertThat(p.waitFor()).as("gcc keeper-agent").isZero();
        return so;
    }

    /** The JVM flags of main before this work: no attach or signal hardening (and the check off). */
    static final Map<String, String> UNHARDENED = Map.of("JSYD_JVM_OPTS",
            "-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData -Djsyd.allowAttachMechanism=true");

    @Test
    void codeInjectionThroughTheAttachMechanismFromInside() throws Exception {
        // The program signals the supervisor with SIGQUIT through F_SETOWN + F_SETSIG on a pipe
        // owned by one of its threads, after creating /tmp/.attach_pid<syd>; the JVM opens its
        // attach socket and loads the program's native agent into the supervisor.
        // (The mechanism itself works against an unhardened JVM: theAttachMechanismFromOutsideFindsNoSocket.)
        // From inside, not even an unhardened supervisor is reached any more: its threads are not in
        // /proc, no signal or SIGIO owner reaches a process outside the sandbox (ESRCH, and the
        // Landlock signal scope in the kernel: ReachEscapeIT).
        Path marker = tmp.resolve("marker");
        String[] attack = {probe(), "attach", "0", agent().toString(), marker.toString()};
        var r = Syd.run(withPolicy(List.of("-poff"), attack), null, UNHARDENED, Duration.ofSeconds(90));
        assertThat(r.out()).as(r.toString()).doesNotContain("attach answered");
        assertThat(marker).doesNotExist();
        // bin/syd: -XX:+DisableAttachMechanism, -Xrs. The socket never opens; a SIGQUIT that
        // reaches the supervisor ends it (and the sandbox), like any process, and runs nothing.
        r = Syd.run(withPolicy(List.of("-poff"), attack), null, Map.of(), Duration.ofSeconds(90));
        assertThat(r.out()).as(r.toString()).doesNotContain("attach answered");
        assertThat(marker).doesNotExist();
    }

    @Test
    void theAttachMechanismFromOutsideFindsNoSocket() throws Exception {
        Path marker = tmp.resolve("marker");
        for (boolean hardened : List.of(false, true)) {
            Process syd = background(hardened ? Map.of() : UNHARDENED, "sleep", "30");
            try {
                var r = Escape.nativeRun(probe(), "attach", String.valueOf(syd.pid()), agent().toString(), marker.toString());
                if (hardened) {
                    assertThat(r.out()).as(r.toString()).doesNotContain("attach answered");
                    assertThat(marker).doesNotExist();
                } else {
                    assertThat(r.out()).as(r.toString()).contains("attach answered 0");
                    assertThat(Files.readString(marker)).isEqualTo("INJECTED " + syd.pid() + "\n");
                    Files.delete(marker);
                }
            } finally {
                syd.destroyForcibly().waitFor();
            }
            Files.deleteIfExists(Path.of("/tmp/.java_pid" + syd.pid()));
        }
    }

    @Test
    void aJvmWithItsAttachMechanismOnDoesNotRunASandbox() throws Exception {
        var r = Syd.run(List.of("-poff", "--", "true"), null,
                Map.of("JSYD_JVM_OPTS", "-XX:+UseSerialGC -XX:-UsePerfData"), Duration.ofSeconds(60));
        assertThat(r.status()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).contains("syd: the JVM's attach mechanism is on", "-XX:+DisableAttachMechanism");
    }

    @Test
    void theSupervisorsThreadsHoldOnlyWhatTheyNeedUnderAFilter() throws Exception {
        Process syd = background(Map.of(), "sleep", "30");
        try {
            Map<String, String[]> threads = threads(syd.pid(), List.of("syd_emu_0", "syd_main_tracer", "syd_int", "syd_out"));
            long all = Long.parseLong(threads.get("VM Thread")[1], 16);
            assertThat(all & (1L << 21)).as("the JVM's own threads keep CAP_SYS_ADMIN (what there is to lose)").isNotZero();
            long acting = 0x804ffL; // the program's caps (CHOWN..SETUID, NET_BIND_SERVICE) + SYS_PTRACE
            for (String t : List.of("syd_emu_0", "syd_main_tracer")) {
                String[] s = threads.get(t);
                assertThat(s[0]).as(t + " Seccomp").isEqualTo("2");
                assertThat(Long.parseLong(s[1], 16)).as(t + " CapPrm").isEqualTo(all & acting);
                assertThat(Long.parseLong(s[2], 16)).as(t + " CapBnd").isEqualTo(all & acting);
            }
            assertThat(threads.get("syd_int")).containsExactly("2", "0000000000000000", "0000000000000000");
            assertThat(threads.get("syd_out")).containsExactly("2", "0000000000000020", "0000000000000020"); // CAP_KILL
        } finally {
            syd.destroyForcibly().waitFor();
        }
    }

    @Test
    void theProgramInheritsOnlyStdio() throws Exception {
        Path secret = Files.writeString(tmp.resolve("secret"), "SECRET\n");
        // Natively an fd open on a file is readable by whoever inherits it.
        assertThat(Escape.nativeRun("sh", "-c", "exec 7<" + secret + "; exec " + probe() + " read-fd 7").out())
                .isEqualTo("read 7 ok SECRET\n");
        // syd started with fd 7 on the secret, and the secret denied: the program has 0, 1, 2
        // (on main: also 3 = the JDK's modules file, 4 = jsyd.jar, and 7 = the secret).
        var r = Escape.nativeRun("sh", "-c", "exec 7<" + secret + "; exec " + Syd.SYD + " -poff -m sandbox/read:on"
                + " -m 'allow/read+/***' -m 'deny/read+" + secret + "' -- sh -c '" + probe() + " read-fd 7; " + probe() + " fds'");
        assertThat(r.out()).as(r.toString()).isEqualTo("read 7 err EBADF\n0 1 2\n");
    }

    @Test
    void sydsControlVariablesAreNotInTheProgramsEnvironment() throws Exception {
        Map<String, String> env = Map.of("SYD_LOG_FD", "2", "SYD_LOG", "warn", "SYD_NPROC", "2", "SYD_UID", "1000");
        assertThat(Escape.nativeRun(env, "sh", "-c", "env | grep ^SYD_ | sort").out())
                .isEqualTo("SYD_LOG=warn\nSYD_LOG_FD=2\nSYD_NPROC=2\nSYD_UID=1000\n");
        var r = Syd.run(List.of("-poff", "--", "sh", "-c", "env | grep ^SYD_ | sort"), null, env, Duration.ofSeconds(60));
        assertThat(r.out()).as(r.toString()).isEqualTo("SYD_UID=1000\n"); // a profile substitution variable stays
    }

    @Test
    void runtimeCommandsNeverExpandSydsEnvironment() throws Exception {
        // LD_LIBRARY_PATH is stripped from the program's environment; on main
        // `/dev/syd/allow/read+${LD_LIBRARY_PATH}` put syd's value into the state the program reads.
        Map<String, String> env = Map.of("LD_LIBRARY_PATH", "/opt/hidden-value");
        String script = "echo env=${LD_LIBRARY_PATH:-none}; "
                + "test -c '/dev/syd/allow/read+${LD_LIBRARY_PATH}' && echo expanded || echo refused; "
                + "test -c '/dev/syd/allow/read+/opt/literal' && echo literal ok; cat /dev/syd";
        var r = Syd.run(List.of("-poff", "-m", "lock:off", "--", "sh", "-c", script), null, env, Duration.ofSeconds(60));
        assertThat(r.out()).as(r.toString()).startsWith("env=none\nrefused\nliteral ok\n").contains("/opt/literal")
                .doesNotContain("hidden-value");
    }

    @Test
    void anEmptyRelativeOrRootHomeDoesNotWidenTheUserProfile() throws Exception {
        // Natively (root) /etc/shadow is readable; -p user allows ${HOME}/*** — with HOME="" that
        // was /*** on main: /etc/shadow read, /usr writable. Now HOME falls back to the password
        // database's home directory.
        assertThat(Escape.nativeRun("sh", "-c", "head -c 0 /etc/shadow && echo readable").out()).isEqualTo("readable\n");
        for (String home : List.of("", "/", "relative", "/tmp/*")) {
            var r = Syd.run(List.of("-puser", "--", "sh", "-c", "head -c 0 /etc/shadow && echo readable; "
                    + "touch /usr/jsyd-keeper-test && echo writable"), null, Map.of("HOME", home), Duration.ofSeconds(60));
            assertThat(r.out()).as("HOME=" + home + "\n" + r).doesNotContain("readable", "writable");
            assertThat(r.err()).contains("\"path\":\"/etc/shadow\"");
        }
        assertThat(Path.of("/usr/jsyd-keeper-test")).doesNotExist();
    }

    private static List<String> withPolicy(List<String> policy, String... cmd) {
        List<String> args = new java.util.ArrayList<>(policy);
        args.add("--");
        args.addAll(List.of(cmd));
        return args;
    }

    /** syd -poff (with {@code env}) running {@code cmd} in the background, once its program runs. */
    private static Process background(Map<String, String> env, String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(withPolicy(List.of(Syd.SYD.toString(), "-poff", "-t", "60s"), cmd));
        pb.environment().putAll(env);
        pb.redirectInput(new File("/dev/null")).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (p.children().noneMatch(c -> c.info().command().orElse("").endsWith(cmd[0]))) {
            assertThat(System.nanoTime()).as("the program runs").isLessThan(deadline);
            assertThat(p.isAlive()).as("syd runs").isTrue();
            Thread.sleep(50);
        }
        return p;
    }

    /** Thread name → {Seccomp, CapPrm, CapBnd} of process {@code pid}, once the {@code wanted} threads exist. */
    private static Map<String, String[]> threads(long pid, List<String> wanted) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            Map<String, String[]> out = new HashMap<>();
            try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
                for (Path t : tasks.toList()) {
                    try {
                        String name = Files.readString(t.resolve("comm")).strip();
                        String[] v = new String[3];
                        for (String line : Files.readAllLines(t.resolve("status"))) {
                            if (line.startsWith("Seccomp:")) v[0] = line.substring(8).strip();
                            if (line.startsWith("CapPrm:")) v[1] = line.substring(7).strip();
                            if (line.startsWith("CapBnd:")) v[2] = line.substring(7).strip();
                        }
                        out.putIfAbsent(name, v);
                    } catch (java.io.IOException gone) {
                        // a thread that ended meanwhile
                    }
                }
            }
            if (out.keySet().containsAll(wanted)) return out;
            assertThat(System.nanoTime()).as("threads " + wanted + " in " + out.keySet()).isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
