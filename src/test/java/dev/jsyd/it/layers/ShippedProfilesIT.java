package dev.jsyd.it.layers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.it.Syd;
import dev.jsyd.policy.Policy;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Every shipped profile ({@code syd-cat -p list}) does what it says on a real program: each has a
 * test here named after it ({@code PROFILE_...}), or in {@code ProfilesIT} (container, immutable,
 * landlock); {@link #everyProfileHasATest} checks that none is missing.
 */
class ShippedProfilesIT {
    static final Set<String> TESTED_ELSEWHERE = Set.of("container", "immutable", "landlock");

    static Syd.Result sh(List<String> policy, String script) throws Exception {
        return Syd.sh(policy, script);
    }

    static Syd.Result run(List<String> policy, Map<String, String> env, String... cmd) throws Exception {
        List<String> args = new ArrayList<>(policy);
        if (cmd.length > 0 && cmd[0].equals("python3")) args.addAll(List.of("-p", "nopie")); // Debian 12's python3.11 is not PIE
        args.add("--");
        args.addAll(List.of(cmd));
        return Syd.run(args, null, env, Duration.ofSeconds(60));
    }

    @Test
    void everyProfileHasATest() {
        // a test PROFILE_[PROFILE_]...what covers each PROFILE its name starts with
        Set<String> tested = Arrays.stream(getClass().getDeclaredMethods()).filter(m -> m.isAnnotationPresent(Test.class))
                .map(Method::getName).filter(n -> n.contains("_"))
                .flatMap(n -> Arrays.stream(n.substring(0, n.lastIndexOf('_')).split("_"))).collect(Collectors.toSet());
        tested.addAll(TESTED_ELSEWHERE);
        assertThat(tested).containsAll(Policy.profileNames());
    }

    @Test
    void off_runsAnythingStillHardened() throws Exception {
        var r = sh(List.of(), "true");
        assertThat(r.status()).as("Syd's defaults: even exec is denied").isEqualTo(13);
        r = sh(List.of("-poff"), "cat /etc/hostname >/dev/null && echo ok; grep Seccomp: /proc/self/status");
        assertThat(r.out()).as(r.toString()).isEqualTo("ok\nSeccomp:\t2\n");
    }

    @Test
    void lib_isOffWithTheLockOpenForTheInitialProcessOnly() throws Exception {
        var r = sh(List.of("-plib"), "test -c /dev/syd/allow/read+/jsyd-lib && echo initial; "
                + "sh -c 'test -c /dev/syd/allow/read+/jsyd-lib2 || echo child-refused'");
        assertThat(r.out()).as(r.toString()).isEqualTo("initial\nchild-refused\n");
    }

    @Test
    void linux_readsTheSystemAndHidesItsSecrets() throws Exception {
        var r = sh(List.of("-plinux"), "cat /etc/hostname >/dev/null && echo etc; ls /usr/bin >/dev/null && echo usr; "
                + "cat /etc/shadow; test -e /etc/shadow || echo shadow-hidden; echo x > /tmp/jsyd-linux-$$; echo rc=$?");
        assertThat(Syd.nativeSh("test -e /etc/shadow && echo present")).isEqualTo("present\n");
        assertThat(r.out()).as(r.toString()).isEqualTo("etc\nusr\nshadow-hidden\nrc=2\n");
        assertThat(r.err()).contains("/etc/shadow: No such file or directory", "Permission denied");
    }

    @Test
    void user_addsHomeTemporaryFilesAndTheNetworkABrowserNeeds() throws Exception {
        Path home = Files.createTempDirectory(Syd.HOME.resolve("target"), "home");
        try {
            var r = run(List.of("-puser"), Map.of("HOME", home.toString()), "sh", "-c",
                    "echo h > $HOME/f && cat $HOME/f; echo t > /tmp/jsyd-user-$$ && rm /tmp/jsyd-user-$$ && echo tmp; "
                            + "test -e /etc/shadow || echo shadow-hidden; echo x > /etc/jsyd-user; echo rc=$?");
            assertThat(r.out()).as(r.toString()).isEqualTo("h\ntmp\nshadow-hidden\nrc=2\n");
        } finally {
            try (var s = Files.walk(home)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    @Test
    void tty_opensTheTerminalAndItsSettings() throws Exception {
        String syd = Syd.SYD + " -plinux ";
        String script = "-- /bin/sh -c 'echo to-tty > /dev/tty; echo rc=$?; /usr/bin/stty size >/dev/null; echo rc=$?'; echo";
        assertThat(IoctlIT.inTerminal("echo to-tty > /dev/tty; echo rc=$?")).contains("to-tty", "rc=0");
        assertThat(IoctlIT.inTerminal(syd + script)).as("linux alone: the terminal is not open to the program").contains("rc=2");
        String out = IoctlIT.inTerminal(syd + "-ptty " + script);
        assertThat(out).as(out).contains("to-tty\nrc=0\nrc=0");
    }

    @Test
    void paludis_buildsInTemporaryDirectoriesWithTheLockOpen() throws Exception {
        var r = sh(List.of("-ppaludis"), "mkdir -p /var/tmp/paludis/jsyd-$$ && echo b > /var/tmp/paludis/jsyd-$$/f && rm -r /var/tmp/paludis/jsyd-$$ && echo build; "
                + "cat /etc/hostname >/dev/null && echo read; echo x > /etc/jsyd-paludis; echo rc=$?; "
                + "sh -c 'test -c /dev/syd/allow/write+/etc/jsyd-paludis && echo esyd'");
        assertThat(r.out()).as(r.toString()).isEqualTo("build\nread\nrc=2\nesyd\n");
    }

    @Test
    void noipv4_noipv6_refuseOneFamily() throws Exception {
        String py = "import socket\n"
                + "for fam, addr in ((socket.AF_INET, '127.0.0.1'), (socket.AF_INET6, '::1')):\n"
                + "  s = socket.socket(fam, socket.SOCK_DGRAM)\n"
                + "  try: s.connect((addr, 9)); print('ok')\n"
                + "  except OSError as e: print(e.errno)\n";
        assertThat(run(List.of("-poff"), Map.of(), "python3", "-c", py).out()).isEqualTo("ok\nok\n");
        // applied after rules that allow every address, the profile still refuses its family (last match wins)
        List<String> open = List.of("-poff", "-m", "sandbox/net/connect:on", "-m", "allow/net/connect+any!0-65535");
        List<String> v4 = new ArrayList<>(open), v6 = new ArrayList<>(open);
        v4.add("-pnoipv4");
        v6.add("-pnoipv6");
        assertThat(run(open, Map.of(), "python3", "-c", py).out()).isEqualTo("ok\nok\n");
        assertThat(run(v4, Map.of(), "python3", "-c", py).out()).isEqualTo("13\nok\n");
        assertThat(run(v6, Map.of(), "python3", "-c", py).out()).isEqualTo("ok\n13\n");
    }

    @Test
    void nomem_allowsWritableExecutableMemory() throws Exception {
        String probe = Syd.probe("escape-probe").toString();
        assertThat(run(List.of("-poff"), Map.of(), probe, "wx").out()).isEqualTo("mmap_wx EACCES\nmprotect_x EACCES\n");
        assertThat(run(List.of("-poff", "-pnomem"), Map.of(), probe, "wx").out()).isEqualTo("mmap_wx ok\nmprotect_x ok\n");
    }

    @Test
    void nopie_runsExecutablesThatAreNotPie() throws Exception {
        Path exe = Syd.HOME.resolve("target/probes/nopie-true");
        Files.createDirectories(exe.getParent());
        Files.writeString(Syd.HOME.resolve("target/probes/nopie-true.c"), "int main(void) { return 0; }\n");
        assertThat(new ProcessBuilder("gcc", "-no-pie", "-o", exe.toString(), exe + ".c").inheritIO().start().waitFor()).isZero();
        assertThat(run(List.of("-poff", "-pnopie"), Map.of(), exe.toString()).status()).isZero();
        var r = run(List.of("-poff"), Map.of(), exe.toString());
        assertThat(r.status()).as("without it a non-PIE executable is refused: " + r).isNotZero();
    }

    @Test
    void core_allowsCoreDumps() throws Exception {
        var r = sh(List.of("-poff"), "ulimit -Hc; cat /proc/sys/kernel/core_pattern >/dev/null");
        assertThat(r.out()).as(r.toString()).startsWith("0\n");
        r = sh(List.of("-poff", "-pcore"), "ulimit -Hc");
        assertThat(r.out()).as(r.toString()).isNotEqualTo("0\n");
    }

    @Test
    void debug_allowsPtraceAndPerf() throws Exception {
        String probe = Syd.probe("table-probe").toString();
        String ptrace = "101,2,1,0,0"; // PTRACE_PEEKDATA of pid 1, which nobody here traces: ESRCH from the kernel
        String perf = "298,0,0,-1,-1,0"; // perf_event_open(NULL, ...): EFAULT from the kernel
        var r = run(List.of("-poff"), Map.of(), probe, "calls", ptrace, perf);
        assertThat(r.out()).as(r.toString()).isEqualTo(ptrace + " EPERM\n" + perf + " EPERM\n");
        r = run(List.of("-poff", "-pdebug"), Map.of(), probe, "calls", ptrace, perf);
        assertThat(r.out()).as(r.toString()).isEqualTo(ptrace + " ESRCH\n" + perf + " EFAULT\n");
    }

    @Test
    void privileged_keepsCapabilities() throws Exception {
        String caps = "grep CapEff /proc/self/status";
        long nat = Long.parseLong(Syd.nativeSh(caps).trim().split("\\s+")[1], 16);
        long dropped = Long.parseLong(sh(List.of("-poff"), caps).out().trim().split("\\s+")[1], 16);
        long kept = Long.parseLong(sh(List.of("-poff", "-pprivileged"), caps).out().trim().split("\\s+")[1], 16);
        assertThat(dropped).isNotEqualTo(nat);
        assertThat(kept).isEqualTo(nat);
    }

    @Test
    void silent_quiet_denyWithoutALogRecord() throws Exception {
        String write = "echo x > /tmp/jsyd-silent-$$; echo rc=$?";
        var r = sh(List.of("-poff", "-m", "sandbox/write:on"), write);
        assertThat(r.out()).isEqualTo("rc=2\n");
        assertThat(r.err()).contains("\"act\":\"deny\"");
        for (String p : List.of("silent", "quiet")) {
            r = sh(List.of("-poff", "-p" + p, "-m", "sandbox/write:on"), write);
            assertThat(r.out()).as(p + "\n" + r).isEqualTo("rc=2\n");
            assertThat(r.err()).as(p).contains("Permission denied").doesNotContain("\"ctx\"");
        }
    }

    @Test
    void trace_warnsInsteadOfDenying() throws Exception {
        var r = run(List.of("-ptrace"), Map.of("SYD_LOG", "notice"), "cat", "/etc/hostname");
        assertThat(r.status()).as(r.toString()).isZero();
        assertThat(r.err()).contains("\"act\":\"warn\"", "\"path\":\"/etc/hostname\"");
    }
}
