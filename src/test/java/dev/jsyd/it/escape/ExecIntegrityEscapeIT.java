package dev.jsyd.it.escape;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.it.ExecFixture;
import dev.jsyd.it.Syd;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ways to run a program the exec rules deny without executing it directly: the dynamic loader as
 * the program, a library mapping, an exec by fd whose fd another thread swaps, an executable
 * mapping whose fd another thread swaps. Each works natively and is refused under syd.
 */
class ExecIntegrityEscapeIT {
    @TempDir Path tmp;

    static final String LD = "/lib64/ld-linux-x86-64.so.2";

    static List<String> execPolicy(String... denied) {
        List<String> p = new java.util.ArrayList<>(List.of("-poff", "-m", "sandbox/exec:on", "-m", "allow/exec+/***"));
        for (String d : denied) p.addAll(List.of("-m", "deny/exec+" + d));
        return p;
    }

    static List<String> with(List<String> policy, String... more) {
        List<String> p = new java.util.ArrayList<>(policy);
        for (String m : more) p.addAll(List.of("-m", m));
        return p;
    }

    @Test
    void theLoaderAsTheProgramRunsNothingDenied() throws Exception {
        assertThat(Escape.nativeRun(LD, "/usr/bin/id").out()).as("natively the loader runs it").startsWith("uid=");
        String id = ExecFixture.real("/usr/bin/id");
        var direct = Escape.syd(execPolicy(id), "/usr/bin/id");
        assertThat(direct.status()).as(direct.toString()).isEqualTo(13);
        var loader = Escape.syd(execPolicy(id), LD, "/usr/bin/id");
        assertThat(loader.status()).as(loader.toString()).isEqualTo(13);
        assertThat(loader.out()).doesNotContain("uid=");
        assertThat(loader.err()).contains("trace/allow_unsafe_exec_ldso:1");
        // With the loader allowed, what it maps is checked like an exec.
        var mapped = Escape.syd(with(execPolicy(id), "trace/allow_unsafe_exec_ldso:1"), LD, "/usr/bin/id");
        assertThat(mapped.out()).as(mapped.toString()).doesNotContain("uid=");
        assertThat(mapped.err()).contains("\"sys\":\"mmap\"").contains("\"path\":\"" + id + "\"");
        var allowed = Escape.syd(with(execPolicy(), "trace/allow_unsafe_exec_ldso:1"), LD, "/usr/bin/id");
        assertThat(allowed.out()).as(allowed.toString()).startsWith("uid=");
    }

    @Test
    void aDeniedLibraryIsNotLoaded() throws Exception {
        Path lib = ExecFixture.ccSource(tmp, "libx.so", "int x(void){return 7;}\n", "-shared", "-fPIC");
        String probe = ExecFixture.probe();
        assertThat(Escape.nativeRun(probe, "dlopen", lib.toString()).out()).isEqualTo("dlopen ok\n");
        var r = Escape.syd(execPolicy(ExecFixture.real(lib)), probe, "dlopen", lib.toString());
        assertThat(r.out()).as(r.toString()).isEqualTo("dlopen failed\n");
        assertThat(r.err()).contains("\"cap\":\"exec\"").contains("\"sys\":\"mmap\"");
        assertThat(Escape.syd(execPolicy(), probe, "dlopen", lib.toString()).out()).isEqualTo("dlopen ok\n");
    }

    private static long count(String out, String key) {
        Matcher m = Pattern.compile(key + "=(\\d+)").matcher(out);
        assertThat(m.find()).as(out).isTrue();
        return Long.parseLong(m.group(1));
    }

    /** Runs a race probe natively until the denied side wins once (at most 5 rounds). */
    private static void raceWinsNatively(String... cmd) throws Exception {
        long won = 0;
        for (int round = 0; round < 5 && won == 0; round++) won += count(Escape.nativeRun(cmd).out(), "ran-denied");
        assertThat(won).as("the race can be won natively").isPositive();
    }

    @Test
    void anExecByFdRunsTheFileTheSupervisorCheckedNotTheOneANameShows() throws Exception {
        Path ok = ExecFixture.script(tmp, "ok.sh", "#!/bin/sh\nexit 0\n"), bad = ExecFixture.script(tmp, "bad.sh", "#!/bin/sh\nexit 42\n");
        String probe = ExecFixture.probe();
        raceWinsNatively(probe, "fexec-race", "100", ok.toString(), bad.toString());
        List<String> args = new java.util.ArrayList<>(execPolicy(ExecFixture.real(bad)));
        args.addAll(List.of("--", probe, "fexec-race", "200", ok.toString(), bad.toString()));
        var r = Syd.run(args, null, Map.of("SYD_LOG", "off"), Duration.ofSeconds(180));
        assertThat(r.status()).as(r.toString()).isZero();
        assertThat(count(r.out(), "ran-denied")).as(r.out()).isZero();
        assertThat(count(r.out(), "ran-allowed")).as(r.out()).isPositive();
    }

    @Test
    void anExecutableMappingWhoseFdIsSwappedNeverRunsTheDeniedCode() throws Exception {
        Path ok = ExecFixture.code(tmp, "ok.bin", 0), bad = ExecFixture.code(tmp, "bad.bin", 42);
        String probe = ExecFixture.probe();
        // The swapper is a thread, or a process sharing the fd table (clone(CLONE_FILES|SIGCHLD),
        // which a tracer sees as a fork).
        for (String race : List.of("mmap-race", "mmap-race-files")) {
            raceWinsNatively(probe, race, "20", ok.toString(), bad.toString());
            List<String> args = new java.util.ArrayList<>(execPolicy(ExecFixture.real(bad)));
            args.addAll(List.of("--", probe, race, "40", ok.toString(), bad.toString()));
            var r = Syd.run(args, null, Map.of("SYD_LOG", "off"), Duration.ofSeconds(180));
            assertThat(r.status()).as(r.toString()).isZero();
            assertThat(count(r.out(), "ran-denied")).as(race + ": " + r.out()).isZero();
            // Children that lost the race to the swapper were killed at the exit of their mmap.
            assertThat(count(r.out(), "killed") + count(r.out(), "ran-allowed")).as(r.out()).isEqualTo(40);
        }
        var single = Escape.syd(execPolicy(ExecFixture.real(bad)), probe, "mmap-exec", bad.toString());
        assertThat(single.out()).as(single.toString()).isEqualTo("mmap-exec EACCES\n");
    }
}
