package dev.jsyd.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Force sandboxing (verified execution): every file whose code runs — the program, its ELF
 * interpreter, each library mapped executable — must have the checksum its {@code force+} rule
 * names; files without a rule get {@code default/force}. Rules come from {@code bin/syd-path}.
 */
class ForceIT {
    @TempDir Path tmp;

    static final String TRUE = "/usr/bin/true";

    /** {@code bin/syd-path ARGS} (the rules, one per line). */
    static List<String> sydPath(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Syd.HOME.resolve("bin/syd-path").toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as("syd-path " + cmd).isZero();
        return out.lines().toList();
    }

    static List<String> policy(List<String> rules, String... more) {
        List<String> p = new ArrayList<>(List.of("-poff", "-m", "sandbox/force:on"));
        for (String r : rules) p.addAll(List.of("-m", r));
        for (String m : more) p.addAll(List.of("-m", m));
        return p;
    }

    static Syd.Result run(List<String> policy, String... cmd) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(policy);
        args.add("--");
        args.addAll(List.of(cmd));
        return Syd.run(args, null, java.util.Map.of("SYD_LOG", "notice"), java.time.Duration.ofSeconds(60)); // warn records too
    }

    static String ld() throws IOException { return ExecFixture.real("/lib64/ld-linux-x86-64.so.2"); }

    static String libc() throws IOException { return ExecFixture.real("/lib/x86_64-linux-gnu/libc.so.6"); }

    @Test
    void theProgramItsInterpreterAndItsLibrariesAreVerified() throws Exception {
        List<String> rules = sydPath(TRUE, ld(), libc());
        assertThat(rules).hasSize(3).allMatch(r -> r.matches("force\\+/\\S+:sha256:[0-9a-f]{64}:kill"));
        var ok = run(policy(rules), TRUE);
        assertThat(ok.status()).as(ok.toString()).isZero();
        // Without the rule for libc, its mapping gets default/force (deny): the loader cannot map it.
        var noLibc = run(policy(rules.subList(0, 2)), TRUE);
        assertThat(noLibc.status()).as(noLibc.toString()).isEqualTo(127);
        assertThat(noLibc.err()).contains("\"cap\":\"force\"").contains("\"sys\":\"mmap\"").contains("\"path\":\"" + libc() + "\"")
                .contains("configure `force+" + libc() + ":sha256:");
        var noLd = run(policy(List.of(rules.get(0), rules.get(2))), TRUE);
        assertThat(noLd.status()).as("the interpreter is checked: " + noLd).isEqualTo(13);
        assertThat(noLd.err()).contains("\"path\":\"" + ld() + "\"");
    }

    @Test
    void aChangedProgramIsRefusedWithItsRulesAction() throws Exception {
        Path t = tmp.resolve("t");
        Files.copy(Path.of(TRUE), t);
        List<String> kill = sydPath(t.toString()), warn = sydPath("-w", t.toString());
        Files.write(t, new byte[] {0}, java.nio.file.StandardOpenOption.APPEND);
        List<String> others = List.of("default/force:allow");
        var r = run(policy(kill, others.toArray(String[]::new)), t.toString());
        assertThat(r.status()).as(r.toString()).isEqualTo(13);
        assertThat(r.err()).contains("\"cap\":\"force\"").contains("\"act\":\"kill\"").contains("\"path\":\"" + ExecFixture.real(t) + "\"");
        var w = run(policy(warn, others.toArray(String[]::new)), t.toString());
        assertThat(w.status()).as(w.toString()).isZero();
        assertThat(w.err()).contains("\"act\":\"warn\"");
        var crc = run(policy(sydPath("-a", "crc32c", t.toString()), "default/force:allow"), t.toString());
        assertThat(crc.status()).as(crc.toString()).isZero();
    }

    @Test
    void contentChangedWithTheOldMtimeIsSeenInTheSameSandbox() throws Exception {
        Path t = tmp.resolve("t"), ref = tmp.resolve("ref");
        Files.copy(Path.of(TRUE), t);
        Files.copy(t, ref, StandardCopyOption.COPY_ATTRIBUTES);
        List<String> rules = sydPath(t.toString());
        // The first run caches the checksum; the file is then changed in place, same size, and its
        // mtime put back: the cache key has the ctime, which user space cannot put back.
        String script = t + "; echo first=$?; printf X | dd of=" + t + " bs=1 seek=600 conv=notrunc 2>/dev/null; touch -r "
                + ref + " " + t + "; " + t + "; echo second=$?";
        var r = run(policy(rules, "default/force:allow"), "sh", "-c", script);
        assertThat(r.out()).as(r.toString()).isEqualTo("first=0\nsecond=137\n");
    }

    @Test
    void forceIsOffByDefault() throws Exception {
        Path t = tmp.resolve("t");
        Files.copy(Path.of(TRUE), t);
        List<String> rules = sydPath(t.toString());
        Files.write(t, new byte[] {0}, java.nio.file.StandardOpenOption.APPEND);
        List<String> off = new ArrayList<>(List.of("-poff", "-m", rules.get(0), "--", t.toString()));
        assertThat(Syd.run(off.toArray(String[]::new)).status()).isZero();
    }
}
