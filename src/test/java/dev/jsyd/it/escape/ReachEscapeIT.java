package dev.jsyd.it.escape;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.it.Syd;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Other processes are out of reach (src/test/c/reach-probe.c): a process outside the sandbox, a
 * process of another sandbox, the supervisor and its threads cannot be signalled, limited,
 * rescheduled, compared, made SIGIO owners, robbed of their fds or even seen in /proc — every such
 * call answers as for a pid that does not exist. Each attack is first shown to work natively.
 */
class ReachEscapeIT {
    @TempDir Path tmp;

    private static String probe() throws IOException, InterruptedException {
        return Syd.probe("reach-probe").toString();
    }

    /** "name count" lines of the scan, in order. */
    private static Map<String, Integer> counts(String out) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (String line : out.strip().split("\n")) {
            String[] w = line.split(" ");
            m.put(w[0], Integer.parseInt(w[1]));
        }
        return m;
    }

    @Test
    void supervisorThreadsAndOtherProcessesAnswerLikeFreeNumbers() throws Exception {
        // Natively the parent (this test JVM, with its threads) is told apart from a free number by
        // every call: kill(tid, 0), prlimit64, sched_getaffinity, getpgid, kcmp, /proc/TID, ...
        Map<String, Integer> nat = counts(Escape.nativeRun(probe(), "scan", "3000").out());
        assertThat(nat).hasSize(19);
        assertThat(nat.values()).as(nat.toString()).allMatch(n -> n > 0);
        // Under syd the parent is the supervisor: none of its threads (nor anything else outside
        // the sandbox) answers differently from a number above pid_max. -p off: /proc is the
        // kernel's (opens are not checked), every call that names a task is checked.
        var r = Escape.syd(List.of("-poff"), probe(), "scan", "3000");
        Map<String, Integer> off = counts(r.out());
        assertThat(off).as(r.toString()).hasSize(19);
        off.remove("proc");
        assertThat(off.values()).as(r.toString()).allMatch(n -> n == 0);
        // Where opens and stats are checked, /proc/TID of anything outside is absent too.
        r = Escape.syd(List.of("-poff", "-m", "sandbox/read,stat:on", "-m", "allow/read,stat+/***", "-m", Syd.NOTIFY_ALL),
                probe(), "scan", "3000");
        assertThat(counts(r.out()).values()).as(r.toString()).hasSize(19).allMatch(n -> n == 0);
    }

    @Test
    void aThreadMadeWithSigchldIsAThreadOfItsProcess() throws Exception {
        // clone(CLONE_THREAD|CLONE_SIGHAND|CLONE_VM|..., exit signal SIGCHLD) makes a thread, which
        // ptrace reports as a fork (the event follows the exit signal). Natively tgkill(our pid, its
        // tid, 0) reaches it. On main the sandbox took it for a process of its own: tgkill ESRCH,
        // and a fork and an exit of a "process" TID were logged.
        String nat = Escape.nativeRun(probe(), "sigchld-thread", "fork").out();
        assertThat(nat).contains("tgkill ok\n", "fork ok\n");
        String pidfd = nat.lines().filter(l -> l.startsWith("pidfd_open ")).findFirst().orElseThrow();
        var r = Escape.syd(List.of("-poff", "-m", "log/level:info"), probe(), "sigchld-thread", "fork");
        assertThat(r.out()).as(r.toString()).contains("tgkill ok\n", pidfd + "\n", "fork ok\n");
        String tid = r.out().lines().filter(l -> l.startsWith("thread ")).findFirst().orElseThrow().substring(7);
        assertThat(r.err()).as("a fork record of a process: the forked child only").contains("\"ctx\":\"fork\"")
                .doesNotContain("\"ctx\":\"fork\",\"pid\":" + tid + ",").doesNotContain("\"ctx\":\"exit\",\"pid\":" + tid + ",");
        // pid/max counts it as a task: with room for one, the fork made while it lives is refused.
        r = Escape.syd(List.of("-poff", "-m", "sandbox/pid:on", "-m", "pid/max:1", "-m", "default/pid:deny"),
                probe(), "sigchld-thread", "fork");
        assertThat(r.out()).as(r.toString()).contains("tgkill ok\n", "fork EAGAIN\n");
    }

    @Test
    void aThreadThatExecutesAProgramTakesItsProcessPidAndRunsIt() throws Exception {
        // A thread other than the leader executes a program (Go programs do): the kernel gives it
        // the process's pid, and its own id is gone. On main the tracer peeked that exec stop
        // forever (every request on the pid is ESRCH until the stop is consumed): syd hung.
        for (String how : new String[] {"pthread", "sigchld"}) {
            assertThat(Escape.nativeRun(probe(), "thread-exec", how).out()).isEqualTo("pid same\nformer ESRCH\n");
            var r = Syd.run(List.of("-poff", "-t", "20s", "--", probe(), "thread-exec", how), null, Map.of(), Duration.ofSeconds(60));
            assertThat(r.out()).as(how + ": " + r).isEqualTo("pid same\nformer ESRCH\n");
            assertThat(r.status()).as(r.toString()).isZero();
        }
    }

    @Test
    void limitsOfTheSupervisorCannotBeChanged() throws Exception {
        // Natively a child sets its parent's (a shell's) RLIMIT_NOFILE to 0 and RLIMIT_CPU to 1 s.
        assertThat(Escape.nativeRun("sh", "-c", probe() + " prlimit-parent").out())
                .isEqualTo("set ok\nparent nofile 0\ncpu ok\nopen ok\n");
        // Under syd the parent is the supervisor: refused (EACCES: the pid the program knows), and
        // the supervisor still opens files for the program afterwards (reads are checked).
        var r = Escape.syd(Escape.readPolicy(tmp.resolve("none")), probe(), "prlimit-parent");
        assertThat(r.out()).as(r.toString()).isEqualTo("set EACCES\nget EACCES\ncpu EACCES\nopen ok\n");
        assertThat(r.status()).isZero();
    }

    /**
     * A process outside the sandbox holding the secret (fd 3) and a TCP connection (fd 4), listening
     * on {@code sock}. Outside syd it runs (as root) with only the capabilities a sandboxed program
     * keeps (setpriv), so the kernel's capability check for ptrace access does not stand between
     * it and the attacker: only jsyd does (with its full capabilities pidfd_getfd would be EPERM).
     */
    private Process holder(List<String> prefix, Path secret, int port, Path sock) throws IOException {
        String py = """
                import os, socket, sys, time
                f = os.open(sys.argv[1], os.O_RDONLY); os.dup2(f, 3)
                c = socket.create_connection(('127.0.0.1', int(sys.argv[2]))); os.dup2(c.fileno(), 4)
                s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[3]); s.listen(8)
                print(os.getpid(), flush=True)
                s.settimeout(60)
                try:
                    while True:
                        a, _ = s.accept(); time.sleep(0.2); a.close()
                except Exception:
                    pass
                """;
        List<String> cmd = new ArrayList<>(prefix);
        if (prefix.isEmpty() && "root".equals(System.getProperty("user.name"))) {
            cmd.addAll(List.of("setpriv", "--inh-caps=-all", "--bounding-set=-all,+chown,+dac_override,+dac_read_search,"
                    + "+fowner,+fsetid,+kill,+setgid,+setuid,+net_bind_service"));
        }
        cmd.addAll(List.of("python3", "-c", py, secret.toString(), Integer.toString(port), sock.toString()));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    @Test
    void fdsOfProcessesOutsideTheSandboxCannotBeTaken() throws Exception {
        Path secret = Escape.files(tmp).resolve("secretx");
        try (ServerSocket server = new ServerSocket(0)) {
            int port = server.getLocalPort();
            Process h = holder(List.of(), secret, port, tmp.resolve("l.sock"));
            // -p nopie: Debian 12's python3.11 is not PIE (refused, it would never connect: accept waits).
            Process h2 = holder(List.of(Syd.SYD.toString(), "-poff", "-p", "nopie", "--"), secret, port, tmp.resolve("l2.sock"));
            try (Socket conn = server.accept(); Socket conn2 = server.accept()) {
                String pid = line(h), pid2 = line(h2);
                conn.setSoTimeout(3000);
                // Natively: the secret through pidfd_getfd and /proc/PID/fd/3, and the TCP socket used.
                assertThat(Escape.nativeRun(probe(), "steal", pid, "3").out())
                        .isEqualTo("pidfd_getfd LEAK SECRET\nproc_fd LEAK SECRET\n");
                assertThat(Escape.nativeRun(probe(), "steal", pid, "4").out())
                        .isEqualTo("pidfd_getfd LEAK wrote\nproc_fd ENXIO\n"); // a socket cannot be opened through /proc
                assertThat(new BufferedReader(new InputStreamReader(conn.getInputStream(), StandardCharsets.UTF_8)).readLine())
                        .isEqualTo("STOLEN");
                assertThat(Escape.nativeRun(probe(), "steal-peer", tmp.resolve("l.sock").toString(), "3").out())
                        .isEqualTo("peerpidfd ok\npidfd_getfd LEAK SECRET\npidfd_send_signal ok\n");
                // Under syd, with the secret and the address denied: the process is not there.
                List<String> policy = new ArrayList<>(Escape.readPolicy(secret));
                policy.addAll(List.of("-m", "sandbox/net/connect:on", "-m", "allow/net/connect+" + tmp + "/***",
                        "-m", "deny/net/connect+127.0.0.1!" + port));
                for (String target : List.of(pid, pid2)) {
                    for (String fd : List.of("3", "4")) {
                        var r = Escape.syd(policy, probe(), "steal", target, fd);
                        assertThat(r.out()).as(r.toString()).isEqualTo("pidfd_open ESRCH\nproc_fd ENOENT\n");
                    }
                }
                // -p off: read-only opens go to the kernel, which refuses /proc/PID/fd of a process
                // outside the sandbox's Landlock domain (EACCES); pidfd_open is checked (ESRCH).
                var r = Escape.syd(List.of("-poff"), probe(), "steal", pid, "3");
                assertThat(r.out()).as(r.toString()).isEqualTo("pidfd_open ESRCH\nproc_fd EACCES\n");
                // A pidfd got without pidfd_open (SO_PEERPIDFD of a connection to the process, here
                // also in another sandbox): pidfd_getfd and pidfd_send_signal answer ESRCH.
                for (Path sock : List.of(tmp.resolve("l.sock"), tmp.resolve("l2.sock"))) {
                    r = Escape.syd(policy, probe(), "steal-peer", sock.toString(), "3");
                    assertThat(r.out()).as(r.toString()).isEqualTo("peerpidfd ok\npidfd_getfd ESRCH\npidfd_send_signal ESRCH\n");
                }
                conn.setSoTimeout(300);
                assertThat(readQuietly(conn)).as("nothing was written through a stolen socket").isNull();
            } finally {
                h.destroyForcibly();
                h2.destroyForcibly();
                h.waitFor(10, TimeUnit.SECONDS);
                h2.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static String line(Process p) throws IOException {
        return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine().strip();
    }

    private static String readQuietly(Socket s) {
        try {
            return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
        } catch (IOException e) {
            return null; // timed out: nothing came
        }
    }

    @Test
    void pidfdSignalSwapCannotReachTheSupervisor() throws Exception {
        // docs/ESCAPES.md, formerly open escape 3: a thread swaps fd N between a pidfd of a child and
        // a /proc/<parent> directory fd while the main thread sends SIGKILL through N. Natively the
        // parent (a shell) dies.
        var nat = Escape.nativeRun("sh", "-c", probe() + " pidfd-race 9 1; echo survived");
        assertThat(nat.status()).isEqualTo(137);
        assertThat(nat.out()).doesNotContain("survived");
        // Under -p off the /proc/<syd> directory is opened by the kernel; the handler answers ESRCH
        // for it and the kernel (Landlock signal scope) refuses it when the swap wins the race.
        var r = Escape.syd(List.of("-poff"), probe(), "pidfd-race", "9", "3");
        assertThat(r.status()).as(r.toString()).isZero();
        assertThat(r.out()).as(r.toString()).endsWith("parent alive yes\n");
    }

    @Test
    void sigioOwnersOutsideTheSandboxAreRefused() throws Exception {
        Process outside = new ProcessBuilder("sleep", "60").start();
        try {
            String pid = Long.toString(outside.pid());
            assertThat(Escape.nativeRun(probe(), "sigio", pid).out())
                    .isEqualTo("setown ok\nsetown_ex ok\nsetown_ex_tid ok\nfiosetown ok\nsiocspgrp ok\n");
            var r = Escape.syd(List.of("-poff"), probe(), "sigio", pid);
            assertThat(r.out()).as(r.toString())
                    .isEqualTo("setown ESRCH\nsetown_ex ESRCH\nsetown_ex_tid ESRCH\nfiosetown ESRCH\nsiocspgrp ESRCH\n");
        } finally {
            outside.destroyForcibly();
            outside.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void processesOfTheSandboxStayWithinReach() throws Exception {
        // Every call of the scan, limits, priorities, SIGIO owners and a pidfd SIGKILL on a child of
        // ours and its process group: all work, as natively.
        assertThat(Escape.nativeRun(probe(), "own").out()).isEqualTo("own all-ok 9\n");
        var r = Escape.syd(List.of("-poff", "-m", "sandbox/read,stat:on", "-m", "allow/read,stat+/***"), probe(), "own");
        assertThat(r.out()).as(r.toString()).isEqualTo("own all-ok 9\n");
    }

    @Test
    void procListsOnlyTheSandboxsProcesses() throws Exception {
        String script = "echo $$; ls /proc | grep -cE '^[0-9]+$'; ls /proc | grep -E '^[0-9]+$' | grep -cx $$";
        String[] nat = Escape.nativeRun("sh", "-c", script).out().split("\n");
        assertThat(Integer.parseInt(nat[1])).as("natively every process is listed").isGreaterThan(10);
        var r = Escape.syd(List.of("-poff", "-m", "sandbox/stat:on", "-m", "allow/stat+/***", "-m", Syd.NOTIFY_ALL),
                "sh", "-c", script);
        String[] out = r.out().split("\n");
        assertThat(out).as(r.toString()).hasSize(3);
        // The shell, ls and grep of each pipeline (at most two pipelines' worth alive at once).
        assertThat(Integer.parseInt(out[1])).as(r.toString()).isBetween(1, 5);
        assertThat(out[2]).as("the shell itself is listed").isEqualTo("1");
        // trace/allow_unsafe_proc_files:1 shows the others again.
        r = Escape.syd(List.of("-poff", "-m", "sandbox/stat:on", "-m", "allow/stat+/***", "-m", Syd.NOTIFY_ALL,
                "-m", "trace/allow_unsafe_proc_files:1"), "sh", "-c", script);
        assertThat(Integer.parseInt(r.out().split("\n")[1])).as(r.toString()).isGreaterThan(10);
    }

    @Test
    void connectionsTheSupervisorMadeShowTheProgramNotTheSupervisor() throws Exception {
        // A child connects to its parent's stream socket and sends it a datagram; the parent asks
        // who is at the other end (SO_PEERCRED, SO_PEERPIDFD) and reads the sender's credentials
        // (SCM_CREDENTIALS, SCM_PIDFD). Natively: the child, every time.
        String all = "peercred child\npeerpidfd child\nscm_credentials child\nscm_pidfd child\n";
        Path a = Files.createDirectories(tmp.resolve("a")), b = Files.createDirectories(tmp.resolve("b"));
        assertThat(Escape.nativeRun(probe(), "peer", a.toString()).out()).isEqualTo(all);
        // With net sandboxing the supervisor connects and sends for the child: the kernel records
        // the supervisor as the peer and sender. SO_PEERCRED and SO_PEERPIDFD are emulated and show
        // the child (on main before this fix: "other", and a pidfd of the supervisor).
        var r = Escape.syd(List.of("-poff", "-m", "sandbox/net:on", "-m", "allow/net/bind,net/connect+/***"),
                probe(), "peer", b.toString());
        assertThat(r.out()).as(r.toString()).startsWith("peercred child\npeerpidfd child\n");
        // SCM_CREDENTIALS/SCM_PIDFD of an emulated send name the child only when the supervisor's
        // workers may state another pid (CAP_SYS_ADMIN: root with trace/allow_unsafe_caps; by
        // default their capabilities are limited, docs/DECISIONS.md "credentials of supervisor-made
        // connections").
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")) || Boolean.getBoolean("jsyd.strict"),
                "stating another pid needs root");
        Path c = Files.createDirectories(tmp.resolve("c"));
        r = Escape.syd(List.of("-poff", "-m", "sandbox/net:on", "-m", "allow/net/bind,net/connect+/***",
                "-m", "trace/allow_unsafe_caps:1"), probe(), "peer", c.toString());
        assertThat(r.out()).as(r.toString()).isEqualTo(all);
    }
}
