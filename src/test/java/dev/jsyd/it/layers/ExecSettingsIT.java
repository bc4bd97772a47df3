package dev.jsyd.it.layers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.it.ExecFixture;
import dev.jsyd.it.Syd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Exec settings TpeIT and SegvGuardIT do not show: {@code tpe/root_mount} and {@code default/segvguard}. */
class ExecSettingsIT {
    @Test
    void tpeRootMountRefusesProgramsOnAnotherFileSystem() throws Exception {
        Path d = Files.createTempDirectory(Path.of("/dev/shm"), "jsyd-tpe"); // a tmpfs: not the root's mount
        try {
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path t = d.resolve("t");
            Files.copy(Path.of("/usr/bin/true"), t);
            Files.setPosixFilePermissions(t, PosixFilePermissions.fromString("rwxr-xr-x"));
            assertThat(new ProcessBuilder(t.toString()).start().waitFor()).as("natively").isZero();
            assertThat(Syd.run("-poff", "-m", "sandbox/tpe:on", "--", t.toString()).status()).as("a safe directory").isZero();
            var r = Syd.run("-poff", "-m", "sandbox/tpe:on", "-m", "tpe/root_mount:1", "--", t.toString());
            assertThat(r.status()).as(r.toString()).isEqualTo(13);
            assertThat(r.err()).contains("\"cap\":\"tpe\"");
            assertThat(Syd.run("-poff", "-m", "sandbox/tpe:on", "-m", "tpe/root_mount:1", "--", "/usr/bin/true").status())
                    .as("on the root's mount").isZero();
        } finally {
            try (var s = Files.walk(d)) {
                s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    @Test
    void defaultSegvguardActionAppliesToASuspendedProgram() throws Exception {
        String probe = ExecFixture.probe();
        String sh = (probe + " crash; echo $?; ").repeat(3);
        List<String> policy = new ArrayList<>(List.of("-poff", "-m", "sandbox/exec:on", "-m", "allow/exec+/***",
                "-m", "deny/exec+/nonexistent/jsyd/***", "-m", "segvguard/maxcrashes:2"));
        var r = Syd.run(concat(policy, "--", "sh", "-c", sh));
        assertThat(r.out()).as("default/segvguard:deny: refused\n" + r).isEqualTo("139\n139\n126\n");
        r = Syd.run(concat(policy, "-m", "default/segvguard:kill", "--", "sh", "-c", sh));
        assertThat(r.out()).as("default/segvguard:kill: killed\n" + r).isEqualTo("139\n139\n137\n");
        r = Syd.run(concat(policy, "-m", "default/segvguard:warn", "--", "sh", "-c", sh));
        assertThat(r.out()).as("default/segvguard:warn: runs\n" + r).isEqualTo("139\n139\n139\n");
    }

    static String[] concat(List<String> a, String... more) {
        List<String> out = new ArrayList<>(a);
        out.addAll(List.of(more));
        return out.toArray(String[]::new);
    }
}
