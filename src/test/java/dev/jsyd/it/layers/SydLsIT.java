package dev.jsyd.it.layers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.abi.Errno;
import dev.jsyd.abi.Syscalls;
import dev.jsyd.it.Syd;
import dev.jsyd.kernel.SyscallTable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code bin/syd-ls}: what it lists is what a sandboxed program meets. */
class SydLsIT {
    static List<String> ls(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Syd.HOME.resolve("bin/syd-ls").toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertThat(p.waitFor()).isZero();
        return out.lines().toList();
    }

    @Test
    void theListedEnvironmentVariablesNeverReachTheProgram() throws Exception {
        List<String> vars = ls("env");
        Map<String, String> env = new HashMap<>();
        // empty values: what the variables would do to syd's own JVM stays off; LD_SHOW_AUXV acts whatever its value
        Map<String, String> valid = Map.of("SYD_LOG_FD", "2", "SYD_LOG", "warn", "SYD_NPROC", "2", "SYD_NPROC_MAX", "4",
                "SYD_SHELL", "/bin/sh", "SYD_ID", "0123456789abcdef", "SYD_LOG_BUF_LEN", "4096");
        for (String v : vars) {
            if (!v.equals("LD_SHOW_AUXV") && !v.equals("SYD_DUMP_SCMP")) env.put(v, valid.getOrDefault(v, ""));
        }
        env.put("JSYD_KEPT", "1");
        List<String> args = List.of("-poff", "--", "env");
        var r = Syd.run(args, null, env, java.time.Duration.ofSeconds(60));
        List<String> seen = r.out().lines().filter(l -> l.indexOf('=') > 0).map(l -> l.substring(0, l.indexOf('='))).toList();
        assertThat(seen).as(r.toString()).contains("JSYD_KEPT").doesNotContainAnyElementsOf(vars);
    }

    @Test
    void theDroppedCapabilitiesAreNotInTheProgramsBoundingSet() throws Exception {
        List<String> names = dev.jsyd.cli.SydLsTool.CAPABILITIES;
        long nativeBnd = Long.parseLong(Syd.nativeSh("grep CapBnd /proc/self/status").trim().split("\\s+")[1], 16);
        var r = Syd.sh(List.of("-poff"), "grep CapBnd /proc/self/status");
        long bnd = Long.parseLong(r.out().trim().split("\\s+")[1], 16);
        int shown = 0;
        for (String cap : ls("drop")) {
            long bit = 1L << names.indexOf(cap);
            assertThat(bnd & bit).as("in the sandbox " + cap).isZero();
            if ((nativeBnd & bit) != 0) shown++; // this host's bounding set may lack some already
        }
        assertThat(shown).as("capabilities syd had natively and the program lacks").isGreaterThan(10);
    }

    @Test
    void theDenySetIsRefusedWithEachRowsErrnoAndTheDeadSetIsEnosys() throws Exception {
        List<String> calls = new ArrayList<>();
        Map<String, String> expected = new HashMap<>();
        for (String set : List.of("deny", "dead")) {
            for (String name : ls(set)) {
                int nr = Syscalls.number(name);
                if (nr == Syscalls.VHANGUP || nr == Syscalls.REBOOT) continue; // never call these natively by mistake
                String call = nr + ",0,0,0,0,0,0";
                calls.add(call);
                var t = (SyscallTable.Refused) SyscallTable.row(nr).treatment();
                expected.put(call, Errno.name(t.errno()));
            }
        }
        List<String> args = new ArrayList<>(List.of("-poff", "--", Syd.probe("table-probe").toString(), "calls"));
        args.addAll(calls);
        var r = Syd.run(args, null, Map.of(), java.time.Duration.ofSeconds(120));
        Map<String, String> got = new HashMap<>();
        for (String line : r.out().lines().toList()) got.put(line.substring(0, line.indexOf(' ')), line.substring(line.indexOf(' ') + 1));
        assertThat(got).as(r.toString()).isEqualTo(expected);
    }

    @Test
    void withNoSetTheWorkingDirectoryIsListedAsRawBytes() throws Exception {
        Path dir = Files.createTempDirectory(Syd.HOME.resolve("target"), "ls");
        try {
            // a name that is not UTF-8: a, 0xff, b
            assertThat(new ProcessBuilder("sh", "-c", "touch \"$(printf 'a\\377b')\"").directory(dir.toFile()).start().waitFor()).isZero();
            Process p = new ProcessBuilder(Syd.HOME.resolve("bin/syd-ls").toString()).directory(dir.toFile()).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(p.waitFor()).isZero();
            assertThat(out.lines().sorted().toList()).containsExactly("2e", "2e2e", "61ff62");
        } finally {
            try (var s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
