package dev.jsyd.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exec checks: at the syscall (EACCES) and at the ptrace exec stop (the race-free check). */
class ExecIT {
    @TempDir Path tmp;

    private Path script(String name, String body) throws Exception {
        Path p = tmp.resolve(name);
        Files.writeString(p, body);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    private Path elf(String name, int status) throws Exception {
        Path c = tmp.resolve(name + ".c");
        Files.writeString(c, "int main(void){return " + status + ";}\n");
        Path out = tmp.resolve(name);
        assertThat(new ProcessBuilder("gcc", "-o", out.toString(), c.toString()).inheritIO().start().waitFor()).isZero();
        return out;
    }

    @Test
    void deniedExecLaterInTheRunFailsWithEACCES() throws Exception {
        var r = Syd.run("-poff", "-m", "sandbox/exec:on", "-m", "allow/exec+/***", "-m", "deny/exec+/usr/bin/ls",
                "--", "sh", "-c", "ls /; echo status=$?");
        assertThat(r.out()).as(r.toString()).isEqualTo("status=126\n");
        assertThat(r.err()).contains("Permission denied").contains("\"cap\":\"exec\"").contains("/usr/bin/ls");
    }

    @Test
    void scriptAndItsInterpreterAreBothChecked() throws Exception {
        Path s = script("hello.sh", "#!/bin/sh\necho from-script\n");
        var r = Syd.run("-poff", "-m", "sandbox/exec:on", "-m", "allow/exec+/***", "-m", "deny/exec+" + s, "--", s.toString());
        assertThat(r.status()).as(r.toString()).isEqualTo(13);
        r = Syd.run("-poff", "-m", "sandbox/exec:on", "-m", "allow/exec+/***", "-m", "deny/exec+/usr/bin/dash", "--", s.toString());
        assertThat(r.status()).as(r.toString()).isEqualTo(13);
        r = Syd.run("-poff", "-m", "sandbox/exec:on", "-m", "allow/exec+/***", "--", s.toString());
        assertThat(r.out()).as(r.toString()).isEqualTo("from-script\n");
    }

    private static long count(String out, String key) {
        Matcher m = Pattern.compile(key + "=(\\d+)").matcher(out);
        assertThat(m.find()).as(out).isTrue();
        return Long.parseLong(m.group(1));
    }

    @Test
    void pathRewriteRaceNeverRunsADeniedBinary() throws Exception {
        Path allowed = elf("allowed", 0), denied = elf("denied", 42);
        Path sallowed = script("allowed.sh", "#!/bin/sh\nexit 0\n"), sdenied = script("denied.sh", "#!/bin/sh\nexit 42\n");
        String probe = Syd.probe().toString();
        // Natively the race is real: the flipping thread makes some children run the other binary.
        long nativeDenied = 0;
        for (int round = 0; round < 5 && nativeDenied == 0; round++) {
            Process p = new ProcessBuilder(probe, "exec-race", "200", allowed.toString(), denied.toString()).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor();
            nativeDenied += count(out, "ran-denied");
        }
        assertThat(nativeDenied).as("the race can be won natively").isPositive();
        for (Path[] pair : new Path[][] {{allowed, denied}, {sallowed, sdenied}}) {
            var r = Syd.run(List.of("-poff", "-m", "sandbox/exec:on", "-m", "allow/exec+/***", "-m", "deny/exec+" + pair[1],
                    "--", probe, "exec-race", "300", pair[0].toString(), pair[1].toString()),
                    null, Map.of("SYD_LOG", "off"), Duration.ofSeconds(120));
            assertThat(r.status()).as(r.toString()).isZero();
            assertThat(count(r.out(), "ran-denied")).as(r.out()).isZero();
            assertThat(count(r.out(), "ran-allowed")).as(r.out()).isPositive();
        }
    }

    @Test
    void everyDescendantDiesWithTheSupervisor() throws Exception {
        Path pids = tmp.resolve("pids");
        Process syd = new ProcessBuilder(Syd.SYD.toString(), "-poff", "--", "sh", "-c",
                "(sleep 100 & echo $! >> " + pids + "; wait) & sleep 100 & echo $! >> " + pids + "; wait").start();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while ((!Files.exists(pids) || Files.readAllLines(pids).size() < 2) && System.nanoTime() < deadline) Thread.sleep(20);
        List<Long> list = Files.readAllLines(pids).stream().map(String::trim).map(Long::parseLong).toList();
        assertThat(list).hasSize(2).allMatch(SupervisorIT::running);
        new ProcessBuilder("kill", "-9", Long.toString(syd.pid())).start().waitFor();
        long gone = System.nanoTime() + 1_000_000_000L;
        while (list.stream().anyMatch(SupervisorIT::running) && System.nanoTime() < gone) Thread.sleep(10);
        assertThat(list).as("grandchildren still running 1 s after the supervisor died").noneMatch(SupervisorIT::running);
    }

    @Test
    void sydExitsWithTheFirstProcessAndTheRestAreKilled() throws Exception {
        Path pid = tmp.resolve("pid");
        var r = Syd.run("-poff", "--", "sh", "-c", "sleep 100 & echo $! > " + pid + "; exit 5");
        assertThat(r.status()).isEqualTo(5);
        long p = Long.parseLong(Files.readString(pid).trim());
        long gone = System.nanoTime() + 2_000_000_000L;
        while (SupervisorIT.running(p) && System.nanoTime() < gone) Thread.sleep(10);
        assertThat(SupervisorIT.running(p)).isFalse();
    }

    @Test
    void executingAMemfdIsRefusedEvenUnderABroadExecPolicy() throws Exception {
        String probe = Syd.probe("escape-probe").toString();
        var nat = new ProcessBuilder(probe, "memfd-exec", "/usr/bin/echo", "ran").start();
        assertThat(new String(nat.getInputStream().readAllBytes())).as("works natively").endsWith("ran\n");
        for (List<String> policy : List.of(List.of("-poff", "-m", "sandbox/exec:on", "-m", "allow/exec+/***"), List.of("-poff"))) {
            List<String> args = new java.util.ArrayList<>(policy);
            args.addAll(List.of("--", probe, "memfd-exec", "/usr/bin/echo", "ran"));
            var r = Syd.run(args, null, Map.of(), Duration.ofSeconds(30));
            assertThat(r.out()).as(r.toString()).doesNotContain("ran\n");
            // The kernel refuses it before the exec stop: memfds are created MFD_NOEXEC_SEAL (no x
            // bits). A memfd from elsewhere is refused by its /memfd: path (KernelFacilityEscapeIT).
            assertThat(r.out()).contains("fexecve err EACCES");
        }
        var r = Syd.run("-poff", "-m", "trace/allow_unsafe_memfd:1", "--", probe, "memfd-exec", "/usr/bin/echo", "ran");
        assertThat(r.out()).as(r.toString()).endsWith("ran\n");
    }
}
