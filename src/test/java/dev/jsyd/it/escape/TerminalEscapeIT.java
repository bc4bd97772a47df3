package dev.jsyd.it.escape;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.it.Syd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The terminal syd shares with the program. Each attack runs on a fresh pseudo-terminal (the
 * probe's {@code pty-run}: a session leader running the command as a foreground job, like a
 * shell): natively the terminal stalls its writers or stops a background job; under syd the
 * ioctls are refused, and whatever the terminal does, the supervisor's log cannot stall it nor
 * its timeout.
 */
class TerminalEscapeIT {
    @TempDir Path tmp;

    static String probe() throws Exception { return Syd.probe("keeper-probe").toString(); }

    /** {@code pty-run [-stop] LIMIT cmd...}; the output without the terminal's carriage returns. */
    static String onPty(boolean stop, int limitSeconds, List<String> cmd) throws Exception {
        List<String> run = new ArrayList<>(List.of(probe(), "pty-run"));
        if (stop) run.add("-stop");
        run.add(String.valueOf(limitSeconds));
        run.addAll(cmd);
        return Escape.nativeRun(run.toArray(String[]::new)).out().replace("\r", "");
    }

    /** {@code bin/syd POLICY -- cmd...} as a command line. */
    static List<String> syd(List<String> policy, String... cmd) {
        List<String> c = new ArrayList<>();
        c.add(Syd.SYD.toString());
        c.addAll(policy);
        c.add("--");
        c.addAll(List.of(cmd));
        return c;
    }

    static final Pattern END = Pattern.compile("status (\\d+) after (\\d+)ms\\n$");

    /** {status, milliseconds} from pty-run's last line. */
    static long[] ended(String out) {
        Matcher m = END.matcher(out);
        assertThat(m.find()).as(out).isTrue();
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
    }

    List<String> denySecretWithTimeout() throws Exception {
        Path secret = Files.writeString(tmp.resolve("secret"), "SECRET\n");
        return List.of("-poff", "-t", "3s", "-m", "sandbox/read:on", "-m", "allow/read+/***", "-m", "deny/read+" + secret);
    }

    @Test
    void flowControlAndLineDisciplineOfTheTerminalAreRefused() throws Exception {
        assertThat(onPty(false, 20, List.of(probe(), "tty-ioctls"))).startsWith("tcooff ok\ntiocsetd ok\n");
        String out = onPty(false, 60, syd(List.of("-poff"), probe(), "tty-ioctls"));
        assertThat(out).startsWith("tcooff EACCES\ntiocsetd EACCES\n");
        assertThat(ended(out)[0]).isZero();
    }

    @Test
    void tcooffUnderATimeoutEndsAtTheTimeoutWith124() throws Exception {
        // Natively a TCOOFF stops every writer of the terminal: this one never gets past its write.
        assertThat(onPty(false, 3, List.of(probe(), "tcooff-then-write"))).startsWith("timeout after");
        // Under syd: the ioctl is refused, the denial is logged, -t 3s ends the sandbox (on main
        // the worker writing the log record and the timeouter behind it waited: 12 s, exit 0).
        Path report = tmp.resolve("report");
        List<String> cmd = new ArrayList<>(List.of("env", "KEEPER_OUT=" + report));
        cmd.addAll(syd(denySecretWithTimeout(), probe(), "tcooff-then-deny", tmp.resolve("secret").toString()));
        long[] end = ended(onPty(false, 60, cmd));
        assertThat(end[0]).isEqualTo(124);
        assertThat(end[1]).isBetween(2900L, 20_000L);
        assertThat(Files.readString(report)).isEqualTo("tcooff EACCES\n");
    }

    @Test
    void aTerminalStoppedFromOutsideHoldsNeitherTheWorkersNorTheTimeout() throws Exception {
        // The terminal's output is stopped before syd starts (as by ^S, or by another program):
        // every log write blocks; the program's denied open is still answered and -t still fires.
        String out = onPty(true, 60, syd(denySecretWithTimeout(), "sh", "-c",
                "cat " + tmp.resolve("secret") + " 2>/dev/null; echo answered >" + tmp.resolve("answered") + "; sleep 60"));
        long[] end = ended(out);
        assertThat(end[0]).as(out).isEqualTo(124);
        assertThat(end[1]).isBetween(2900L, 20_000L);
        assertThat(Files.readString(tmp.resolve("answered"))).isEqualTo("answered\n");
    }

    @Test
    void takingTheForegroundWithTostopDoesNotStopTheSupervisor() throws Exception {
        // Natively: a child takes the terminal's foreground and sets TOSTOP; its parent's next
        // write stops it with SIGTTOU (pty-run reports a job stopped by signal 22 as 222).
        assertThat(ended(onPty(false, 20, List.of(probe(), "sigttou-native")))[0]).isEqualTo(222);
        // Under syd the program does the same to the supervisor, then makes it log: the supervisor
        // ignores SIGTTOU (on main it stopped, and -t never fired).
        String out = onPty(false, 60, syd(denySecretWithTimeout(), probe(), "sigttou-then-deny",
                tmp.resolve("secret").toString()));
        assertThat(out).startsWith("foreground ok\n");
        assertThat(ended(out)[0]).as(out).isEqualTo(124);
    }

    @Test
    void theProgramGetsTheDefaultJobControlSignalsTheSupervisorIgnores() throws Exception {
        // SIGTTOU and SIGTTIN are ignored in the supervisor: the program must not inherit that.
        var r = Escape.syd(List.of("-poff"), "grep", "SigIgn", "/proc/self/status");
        long ignored = Long.parseLong(r.out().trim().split("\\s+")[1], 16);
        assertThat(ignored & (1L << 20 | 1L << 21)).as(r.toString()).isZero();
    }
}
