package dev.jsyd.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The /dev/syd runtime API from inside the sandbox: commands, queries, lock states, JSON state, esyd. */
class RuntimeApiIT {
    @TempDir Path tmp;

    static Syd.Result sh(String script, String... sydArgs) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of(sydArgs));
        args.addAll(List.of("--", "sh", "-c", script));
        return Syd.run(args, null, Map.of(), Duration.ofSeconds(60));
    }

    @Test
    void commandsAndQueriesThroughStat() throws Exception {
        var r = sh("""
                test -c /dev/syd/sandbox/read? && echo on1 || echo off1
                test -c /dev/syd/sandbox/read:on && echo enabled
                test -c /dev/syd/sandbox/read? && echo on2
                test -c '/dev/syd/allow/read+/***'
                test -c /dev/syd/deny/read+/etc/hostname
                cat /etc/hostname 2>/dev/null || echo denied
                test -c /dev/syd/deny/read-/etc/hostname
                cat /etc/hostname >/dev/null && echo allowed-again
                test -c /dev/syd/sandbox/reed:on; echo bad=$?
                """, "-poff", "-m", "lock:off");
        assertThat(r.out()).as(r.toString()).isEqualTo("off1\nenabled\non2\ndenied\nallowed-again\nbad=1\n");
    }

    @Test
    void statOfACommandAnswersLikeDevNull() throws Exception {
        var r = sh("stat -c '%F %t:%T' /dev/syd/sandbox/read:on; stat -c '%F %t:%T' /dev/null", "-poff", "-m", "lock:off",
                "-m", "allow/read+/***");
        String[] lines = r.out().split("\n");
        assertThat(lines).as(r.toString()).hasSize(2);
        assertThat(lines[0]).isEqualTo(lines[1]).startsWith("character special file");
    }

    @Test
    void stateIsReadableAsJson() throws Exception {
        var r = sh("test -c /dev/syd/sandbox/read:on; test -c '/dev/syd/allow/read+/usr/***'; cat /dev/syd",
                "-poff", "-m", "lock:off");
        assertThat(r.status()).as(r.toString()).isZero();
        Path json = tmp.resolve("state.json");
        Files.writeString(json, r.out());
        Process py = new ProcessBuilder("python3", "-c", """
                import json,sys
                s=json.load(open(sys.argv[1]))
                assert s['lock']=='off', s['lock']
                assert s['sandbox']['read'] is True and s['sandbox']['write'] is False
                assert {'act':'allow','cap':'read','pat':'/usr/***'} in s['rules'], s['rules']
                print('ok')
                """, json.toString()).redirectErrorStream(true).start();
        assertThat(new String(py.getInputStream().readAllBytes())).isEqualTo("ok\n");
    }

    @Test
    void defaultLockIsOnOnceTheProgramRuns() throws Exception {
        var r = sh("test -e /dev/syd && echo visible; test -c /dev/syd/sandbox/read:on; echo status=$?", "-poff");
        assertThat(r.out()).as(r.toString()).isEqualTo("status=1\n");
    }

    @Test
    void lockExecLetsOnlyTheInitialProcessChangeTheSandbox() throws Exception {
        var r = sh("test -c /dev/syd/sandbox/read:on && echo initial-ok; sh -c 'test -c /dev/syd/sandbox/write:on && echo child-ok || echo child-refused'",
                "-poff", "-m", "lock:exec", "-m", "allow/read,write+/***");
        assertThat(r.out()).as(r.toString()).isEqualTo("initial-ok\nchild-refused\n");
    }

    @Test
    void lockCanOnlyBeTightenedFromInside() throws Exception {
        var r = sh("test -c /dev/syd/lock:on && echo locked; test -c /dev/syd/lock:off && echo unlocked || echo still-locked",
                "-poff", "-m", "lock:off");
        assertThat(r.out()).as(r.toString()).isEqualTo("locked\nstill-locked\n");
    }

    @Test
    void lockDropAcceptsOnlyChangesThatRemovePrivileges() throws Exception {
        var r = sh("test -c /dev/syd/deny/read+/etc/hostname && echo deny-ok; test -c '/dev/syd/allow/read+/***' && echo allow-ok || echo allow-refused",
                "-poff", "-m", "lock:drop");
        assertThat(r.out()).as(r.toString()).isEqualTo("deny-ok\nallow-refused\n");
    }

    @Test
    void lockReadShowsStateButRefusesChanges() throws Exception {
        var r = sh("grep -c '\"lock\" : \"read\"' /dev/syd; test -c /dev/syd/sandbox/read:on && echo changed || echo refused",
                "-poff", "-m", "lock:read");
        assertThat(r.out()).as(r.toString()).isEqualTo("1\nrefused\n");
    }

    @Test
    void esydFunctionsDriveTheSandbox() throws Exception {
        var r = sh("""
                eval "$(cat /dev/syd.sh)"
                esyd check && echo check-ok
                esyd enabled_read || echo read-off
                esyd enable_read && esyd enabled_read && echo read-on
                esyd allow_read '/***'
                esyd deny_read /etc/hostname
                cat /etc/hostname 2>/dev/null || echo denied
                esyd nodeny_read /etc/hostname
                cat /etc/hostname >/dev/null && echo allowed
                esyd disable_read && (esyd enabled_read || echo read-off-again)
                esyd lock && echo locked
                esyd check || echo gone
                """, "-poff", "-m", "lock:off");
        assertThat(r.out()).as(r.toString()).isEqualTo(
                "check-ok\nread-off\nread-on\ndenied\nallowed\nread-off-again\nlocked\ngone\n");
    }

    @Test
    void sydShPrintsTheSameFunctions() throws Exception {
        var r = Syd.run("--sh");
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("esyd()").contains("enable_*)");
    }

    @Test
    void panicThroughDevSydExits127() throws Exception {
        var r = sh("test -c /dev/syd/panic; sleep 5; echo survived", "-poff", "-m", "lock:off");
        assertThat(r.status()).as(r.toString()).isEqualTo(127);
        assertThat(r.out()).doesNotContain("survived");
    }

    @Test
    void checkSaysWhetherWeAreInsideASandbox() throws Exception {
        assertThat(Syd.run("--check").status()).as("outside").isEqualTo(1);
        // A JVM needs W|X memory for its JIT, which the sandbox refuses unless allowed.
        var r = Syd.run("-poff", "-m", "trace/allow_unsafe_memory:1", "--", Syd.SYD.toString(), "--check");
        assertThat(r.status()).as(r.toString()).isZero();
    }

    @Test
    void versionNamesSydsVersionAndTheKernelFeatures() throws Exception {
        var r = Syd.run("-V");
        assertThat(r.status()).isZero();
        assertThat(r.out()).startsWith("syd 3.52.0 (jsyd ").contains("seccomp-unotify=yes").contains("landlock=")
                .contains("pidfd=yes").contains("namespaces=");
    }
}
