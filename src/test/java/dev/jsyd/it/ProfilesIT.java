package dev.jsyd.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The kernel-side profiles: {@code immutable}, {@code container}, {@code landlock} (syd(5)). */
class ProfilesIT {

    static int nativeStatus(String script) throws Exception {
        return new ProcessBuilder("sh", "-c", script).inheritIO().start().waitFor();
    }

    @Test
    void immutableMakesTheSystemReadOnlyAndTmpFresh() throws Exception {
        String x = "/usr/jsyd-immutable-" + ProcessHandle.current().pid();
        assertThat(nativeStatus("touch " + x + " && rm " + x)).as("natively root can write /usr").isZero();
        Path hostTmp = Files.createTempFile("jsyd-immutable", ".txt");
        try {
            var r = Syd.sh(List.of("-poff", "-pimmutable"), "touch " + x + "; echo rc=$?; touch /etc/jsyd-x; echo rc=$?; "
                    + "test -e " + hostTmp + " || echo fresh-tmp; echo ok > /tmp/t && cat /tmp/t; hostname");
            assertThat(r.out()).as(r.toString()).isEqualTo("rc=1\nrc=1\nfresh-tmp\nok\nlocalhost\n");
            assertThat(r.err()).contains("Read-only file system");
            assertThat(Path.of(x)).doesNotExist();
        } finally {
            Files.deleteIfExists(hostTmp);
        }
    }

    @Test
    void containerCreatesItsNamespaces() throws Exception {
        String show = "readlink /proc/self/ns/mnt /proc/self/ns/uts /proc/self/ns/ipc /proc/self/ns/pid /proc/self/ns/cgroup /proc/self/ns/time";
        Process p = new ProcessBuilder("sh", "-c", show).start();
        List<String> host = List.of(new String(p.getInputStream().readAllBytes()).split("\n"));
        var r = Syd.sh(List.of("-poff", "-pcontainer"), show + "; hostname; cat /proc/sys/kernel/domainname; echo $$");
        List<String> inside = List.of(r.out().split("\n"));
        assertThat(inside).as(r.toString()).hasSize(9);
        for (int i = 0; i < 6; i++) assertThat(inside.get(i)).isNotEqualTo(host.get(i));
        assertThat(inside.subList(6, 9)).containsExactly("localhost", "localdomain", "1");
    }

    @Test
    void landlockProfileKeepsTheSystemReadOnly() throws Exception {
        // Not under a path the profile lets be written (/tmp, /var/tmp, /dev/shm), wherever the
        // project is checked out: /var is read-only under it.
        Path outside = Files.createTempDirectory(Path.of("/var/lib"), "jsyd-ll-profile");
        try {
            assertThat(nativeStatus("echo n > " + outside + "/native")).isZero();
            var r = Syd.sh(List.of("-poff", "-plandlock"), "cat /etc/hostname >/dev/null && echo read-etc; echo t > /tmp/jsyd-ll-$$ && rm /tmp/jsyd-ll-$$ && echo tmp; "
                    + "echo w > " + outside + "/f; echo rc=$?; ls /usr >/dev/null && echo usr");
            assertThat(r.out()).as(r.toString()).isEqualTo("read-etc\ntmp\nrc=2\nusr\n");
            assertThat(r.err()).contains("Permission denied");
            assertThat(outside.resolve("f")).doesNotExist();
        } finally {
            try (var s = Files.walk(outside)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
