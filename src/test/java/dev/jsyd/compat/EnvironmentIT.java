package dev.jsyd.compat;

import static dev.jsyd.compat.Exact.concat;
import static dev.jsyd.compat.Exact.raw;
import static dev.jsyd.compat.Exact.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The program's environment is syd's, as it is (issue 14, F7): every entry, byte for byte, in its
 * order, duplicates and names a shell would drop included; nothing of the launcher's own (its
 * JAVA_HOME) added; only the unsafe variables removed.
 */
class EnvironmentIT {
    @TempDir Path tmp;

    static final List<byte[]> ENV = List.of(
            utf8("PATH=/usr/bin:/bin"),
            utf8("Z_FIRST=order is kept"),
            utf8("BASH_FUNC_greet%%=() {  echo hello from an exported function\n}"),
            utf8("a-b=not an identifier"),
            utf8("EMPTY="),
            utf8("DUP=one"),
            utf8("DUP=two"),
            concat(utf8("BYTES="), raw("\u00ff\u00fe\n\u0080")),
            utf8("UTF8=é名"),
            utf8("LC_ALL=C"));

    /** `env -0` natively and under syd with the same environment: the same bytes. */
    @Test
    void theEnvironmentIsPassedAsItIs() throws Exception {
        List<byte[]> cmd = List.of(utf8("/usr/bin/env"), utf8("-0"));
        Exact.Run nat = Exact.run(cmd, ENV, tmp, Duration.ofSeconds(30));
        byte[] expected = new byte[0];
        for (byte[] e : ENV) expected = concat(expected, e, new byte[] {0});
        assertThat(nat.out()).isEqualTo(expected);

        List<byte[]> args = new ArrayList<>(List.of(utf8("-poff"), utf8("-m"), utf8(dev.jsyd.it.Syd.NOTIFY_ALL), utf8("--")));
        args.addAll(cmd);
        Exact.Run syd = Exact.run(Exact.syd(args), ENV, tmp, Duration.ofSeconds(60));
        assertThat(syd.status()).as(syd.toString()).isZero();
        assertThat(syd.outText()).isEqualTo(nat.outText());
        assertThat(syd.outText()).doesNotContain("JAVA_HOME", "JSYD_");
    }

    /** F7 as reported: `export -f f; syd -- bash -c f` failed (the function was dropped on the way). */
    @Test
    void exportedShellFunctionsReachTheProgram() throws Exception {
        List<byte[]> cmd = List.of(utf8("/bin/bash"), utf8("-c"), utf8("greet"));
        Exact.Run nat = Exact.run(cmd, ENV, tmp, Duration.ofSeconds(30));
        assertThat(nat.outText()).isEqualTo("hello from an exported function\n");
        List<byte[]> args = new ArrayList<>(List.of(utf8("-p"), utf8("user"), utf8("--")));
        args.addAll(cmd);
        List<byte[]> env = new ArrayList<>(ENV);
        env.add(utf8("HOME=" + tmp));
        Exact.Run syd = Exact.run(Exact.syd(args), env, tmp, Duration.ofSeconds(60));
        assertThat(syd.status()).as(syd.toString()).isZero();
        assertThat(syd.outText()).isEqualTo(nat.outText());
        assertThat(syd.errText()).isEmpty();
    }

    /** Unsafe variables are still removed, and `-e` still sets, removes and passes them. */
    @Test
    void unsafeVariablesAndDashEStillApply() throws Exception {
        List<byte[]> env = List.of(utf8("PATH=/usr/bin:/bin"), utf8("LD_PRELOAD=/nonexistent.so"), utf8("TMPDIR=/tmp"),
                utf8("KEEP=1"), utf8("DROP=2"));
        Exact.Run syd = Exact.run(Exact.syd(List.of(utf8("-poff"), utf8("-e"), utf8("TMPDIR="), utf8("-e"), utf8("DROP"),
                utf8("-e"), utf8("NEW=é"), utf8("--"), utf8("/usr/bin/env"))), env, tmp, Duration.ofSeconds(60));
        assertThat(syd.status()).as(syd.toString()).isZero();
        assertThat(syd.outText()).isEqualTo(new String(utf8("PATH=/usr/bin:/bin\nTMPDIR=/tmp\nKEEP=1\nNEW=é\n"),
                java.nio.charset.StandardCharsets.ISO_8859_1));
    }
}
