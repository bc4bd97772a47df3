package dev.jsyd.compat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.it.Syd;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Job control in the supervisor's process group (issue 14, F6): setpgid into the group a process
 * is already in is the native no-op (bash with {@code set -m} makes it for every command
 * substitution), while joining it from another group stays refused, which keeps kill(0) from
 * reaching the supervisor (docs/ESCAPES.md "Process group").
 */
class JobControlIT {
    @TempDir Path tmp;

    static final String SCRIPT = """
            set -m
            x=$(echo substituted); echo "$x"
            ( echo subshell )
            echo piped | cat
            sleep 0.1 & wait $!; echo "background $?"
            """;

    static Syd.Result nativeRun(List<String> cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        String err = new String(p.getErrorStream().readAllBytes());
        return new Syd.Result(p.waitFor(), out, err);
    }

    static Syd.Result sydRun(List<String> options, List<String> cmd) throws Exception {
        List<String> args = new ArrayList<>(options);
        args.add("--");
        args.addAll(cmd);
        return Syd.run(args, null, Map.of(), Duration.ofSeconds(60));
    }

    /** F6 as reported: every command substitution of a `set -m` script printed a setpgid error. */
    @Test
    void aSetMinusMScriptRunsAsNatively() throws Exception {
        List<String> cmd = List.of("bash", "-c", SCRIPT);
        Syd.Result nat = nativeRun(cmd);
        assertThat(nat.err()).doesNotContain("setpgid");
        for (List<String> policy : List.of(List.of("-poff", "-p", "nopie"), List.of("-p", "user", "-p", "nopie", "-m", "allow/all+" + tmp + "/***"))) {
            Syd.Result r = sydRun(policy, cmd);
            assertThat(r.status()).as(r.toString()).isEqualTo(nat.status());
            assertThat(r.out()).isEqualTo(nat.out());
            assertThat(r.err()).as(r.toString()).isEqualTo(nat.err());
        }
    }

    /**
     * The attack the rule exists for: leave the group, come back, then kill(0). Natively the
     * process rejoins its old group (shown first); under syd the rejoin is EPERM, also for a child
     * moved back by its parent (kill(0) itself: SupervisorEscapeIT.killOfTheSupervisor).
     */
    @Test
    void joiningTheSupervisorsGroupFromOutsideIsRefused() throws Exception {
        String py = """
                import os, time
                g = os.getpgrp()
                pid = os.fork()
                if pid == 0:
                    os.setpgid(0, 0); time.sleep(1); os._exit(0)
                os.setpgid(0, 0)
                try:
                    os.setpgid(0, g); print("self rejoined")
                except PermissionError:
                    print("self refused")
                time.sleep(0.2)
                try:
                    os.setpgid(pid, g); print("child moved back")
                except PermissionError:
                    print("child refused")
                os.waitpid(pid, 0)
                """;
        List<String> cmd = List.of("/usr/bin/python3", "-c", py);
        Syd.Result nat = nativeRun(cmd);
        assertThat(nat.out()).isEqualTo("self rejoined\nchild moved back\n");
        Syd.Result r = sydRun(List.of("-poff", "-p", "nopie"), cmd);
        assertThat(r.out()).as(r.toString()).isEqualTo("self refused\nchild refused\n");
    }
}
