package dev.jsyd.compat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.it.Syd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Paths as the kernel sees them (issue 14, F4 and item 3): no limit the kernel does not have (a
 * walk relative to directory fds far past PATH_MAX), the kernel's errno where it has one (40
 * symlinks, 255-byte names, 4096-byte path strings), rules and hiding still applied down there,
 * and {@code trace/deny_dotdot}.
 */
class LongPathIT {
    @TempDir Path tmp;

    Job job() throws Exception {
        Job job = new Job(tmp.toRealPath().resolve("job"));
        return job;
    }

    static void probes(Job job) throws Exception {
        for (String p : List.of("deep", "paths")) {
            Files.copy(Syd.probe(p), job.dir.resolve(p), StandardCopyOption.COPY_ATTRIBUTES, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.createDirectories(job.dir.resolve("work"));
    }

    /** F4 as reported: 30 levels of 200-byte names with mkdirat/openat (6 043 bytes) got ENAMETOOLONG at ~4 040. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Job.Policy.class)
    void aWalkPastPathMaxRelativeToDirectoryFdsWorksAsNatively(Job.Policy policy) throws Exception {
        Job job = job();
        probes(job);
        List<String> cmd = List.of("./deep", job.dir.resolve("work").toString(), "30");
        Exact.Run nat = job.runNative(cmd, Duration.ofSeconds(60));
        assertThat(nat.outText()).startsWith("walked 30 levels").contains("removed 30 levels").doesNotContain("E");
        job.reset();
        probes(job);
        Exact.Run syd = job.runSyd(policy, cmd, Duration.ofSeconds(120));
        assertThat(syd.outText()).as(syd.toString()).isEqualTo(nat.outText());
        assertThat(syd.errText()).isEmpty();
    }

    /** Beyond PATH_MAX the policy still holds: a denied read, a hidden file (absent, and gone from the listing). */
    @Test
    void rulesAndHidingApplyBeyondPathMax() throws Exception {
        Job job = job();
        probes(job);
        List<String> options = new ArrayList<>(job.options(Job.Policy.NOTIFY_ALL));
        options.addAll(List.of("-m", "deny/read+" + job.dir + "/work/**/secret", "-m", "deny/stat+" + job.dir + "/work/**/file"));
        Exact.Run syd = job.runSyd(options, List.of("./deep", job.dir.resolve("work").toString(), "30"), Duration.ofSeconds(120));
        job.reset(); // the probe could not remove what it was denied; JUnit cannot delete past PATH_MAX
        assertThat(syd.outText()).as(syd.toString()).contains("walked 30 levels", "create ENOENT\n", "fstatat ENOENT\n",
                "open secret EACCES\n", "listed 1\n");
        List<java.util.Map<String, String>> log = BytesIT.records(syd.errText());
        assertThat(log).extracting(m -> m.get("cap")).contains("read", "stat");
        assertThat(log).allSatisfy(m -> assertThat(m.get("path")).startsWith(job.dir + "/work/a").hasSizeGreaterThan(4096));
    }

    /** The kernel's limits and errnos: symlinks (40 followed, the 41st ELOOP), names, path strings, a 40×800 `d/..` walk. */
    @Test
    void limitsAndErrnosAreTheKernels() throws Exception {
        Job job = job();
        probes(job);
        String w = job.dir.resolve("work").toString();
        List<List<String>> cases = List.of(List.of("chain", w, "40"), List.of("chain", w, "41"), List.of("namelen", w, "255"),
                List.of("namelen", w, "256"), List.of("pathlen", w, "4094"), List.of("pathlen", w, "4096"),
                List.of("amplify", w, "40", "800", "3"));
        StringBuilder nat = new StringBuilder(), syd = new StringBuilder();
        for (List<String> c : cases) {
            List<String> cmd = new ArrayList<>(List.of("./paths"));
            cmd.addAll(c);
            nat.append(job.runNative(cmd, Duration.ofSeconds(60)).outText());
        }
        assertThat(nat.toString()).contains("chain 40: open ok", "chain 41: open ELOOP", "name of 256 bytes: create ENAMETOOLONG",
                "path of 4096 bytes: open ENAMETOOLONG", "opened 3/3");
        job.reset();
        probes(job);
        for (List<String> c : cases) {
            List<String> cmd = new ArrayList<>(List.of("./paths"));
            cmd.addAll(c);
            Exact.Run r = job.runSyd(Job.Policy.NOTIFY_ALL, cmd, Duration.ofSeconds(120));
            assertThat(r.errText()).isEmpty();
            syd.append(r.outText());
        }
        assertThat(syd.toString()).isEqualTo(nat.toString());
    }

    /** trace/deny_dotdot: `..` in an open or chdir path is EACCES (Syd's errno); other calls and the default are unaffected. */
    @Test
    void denyDotdotRefusesParentComponentsInOpenAndChdir() throws Exception {
        Job job = job();
        Files.createDirectories(job.dir.resolve("a"));
        Files.writeString(job.dir.resolve("f"), "content\n");
        Files.createSymbolicLink(job.dir.resolve("up"), Path.of("a/.."));
        String script = """
                cat a/../f 2>/dev/null && echo open-ok || echo open-refused
                cat up/f 2>/dev/null && echo link-ok || echo link-refused
                python3 -c 'import os; os.chdir("a/..")' 2>/dev/null && echo cd-ok || echo cd-refused
                stat -c %s a/../f
                """;
        Exact.Run nat = job.runNative(List.of("sh", "-c", script), Duration.ofSeconds(30));
        assertThat(nat.outText()).isEqualTo("content\nopen-ok\ncontent\nlink-ok\ncd-ok\n8\n");
        Exact.Run off = job.runSyd(List.of("-poff", "-p", "nopie"), List.of("sh", "-c", script), Duration.ofSeconds(60));
        assertThat(off.outText()).isEqualTo(nat.outText());
        Exact.Run on = job.runSyd(List.of("-poff", "-p", "nopie", "-m", "trace/deny_dotdot:1"), List.of("sh", "-c", script), Duration.ofSeconds(60));
        assertThat(on.outText()).as(on.toString()).isEqualTo("open-refused\nlink-refused\ncd-refused\n8\n");
        Exact.Run errno = job.runSyd(List.of("-poff", "-p", "nopie", "-m", "trace/deny_dotdot:1"),
                List.of("/usr/bin/python3", "-c", "import os\ntry:\n os.open('a/../f', 0)\nexcept OSError as e:\n print(e.errno)"),
                Duration.ofSeconds(60));
        assertThat(errno.outText()).isEqualTo("13\n");
    }
}
