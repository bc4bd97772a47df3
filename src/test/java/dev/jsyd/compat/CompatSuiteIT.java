package dev.jsyd.compat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.it.Syd;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The compatibility suite (issue 14, item 4): real programs run natively and under syd with
 * (a) {@code -p user} plus the job's directory, (b) a strict policy, (c) every category on with
 * deny rules so that every call is notified. Each workload is a script in
 * {@code src/test/resources/compat/} run in a job directory at the same path every time; its exit
 * status, stdout, stderr and the files it leaves (type, mode, owner, size, content hash, link
 * target; lines {@code # compat-ignore: REGEX} in a script exempt nondeterministic contents and
 * names such as git's index and packs or Python's bytecode) must be the same byte for byte. {@code bench/compat.sh}
 * times the same scripts for docs/COMPAT.md.
 */
class CompatSuiteIT {
    @TempDir Path tmp;

    /** Workload scripts and the tools each needs on the machine. */
    static Stream<String> workloads() {
        return Stream.of("bash", "coreutils", "git", "python", "build", "java", "curl", "threads", "xargs");
    }

    static final List<String> TOOLS = List.of("bash", "git", "python3", "gcc", "make", "java", "javac", "curl", "xargs", "tar");

    @ParameterizedTest(name = "{0}")
    @MethodSource("workloads")
    void runsUnderEveryPolicyAsNatively(String workload) throws Exception {
        for (String tool : TOOLS) Assumptions.assumeTrue(onPath(tool), tool + " is not installed");
        Path script = Syd.HOME.resolve("src/test/resources/compat/" + workload + ".sh");
        List<Pattern> ignore = ignores(script);
        Job job = new Job(tmp.toRealPath().resolve("job"));
        List<String> cmd = List.of("bash", "run.sh");

        prepare(job, workload);
        Exact.Run nat = job.runNative(cmd, Duration.ofMinutes(3));
        assertThat(nat.status()).as("natively\n" + nat).isZero();
        String expected = manifest(job.dir, ignore);

        for (Job.Policy policy : Job.Policy.values()) {
            job.reset();
            prepare(job, workload);
            Exact.Run syd = job.runSyd(policy, cmd, Duration.ofMinutes(5));
            String what = workload + " under " + policy + "\n";
            assertThat(syd.status()).as(what + syd).isEqualTo(nat.status());
            assertThat(syd.outText()).as(what + syd).isEqualTo(nat.outText());
            assertThat(syd.errText()).as(what + "stderr").isEqualTo(nat.errText());
            assertThat(manifest(job.dir, ignore)).as(what + "files left").isEqualTo(expected);
        }
    }

    /** The job directory before a run: the script as run.sh, and the 16-thread probe for "threads". */
    static void prepare(Job job, String workload) throws Exception {
        Files.copy(Syd.HOME.resolve("src/test/resources/compat/" + workload + ".sh"), job.dir.resolve("run.sh"));
        if (workload.equals("threads")) {
            Files.copy(Syd.probe("threads-fd"), job.dir.resolve("threads-fd"), StandardCopyOption.COPY_ATTRIBUTES);
        }
    }

    static boolean onPath(String tool) throws Exception {
        Process p = new ProcessBuilder("sh", "-c", "command -v " + tool).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor() == 0;
    }

    static List<Pattern> ignores(Path script) throws IOException {
        List<Pattern> out = new ArrayList<>();
        for (String line : Files.readAllLines(script)) {
            if (line.startsWith("# compat-ignore: ")) out.add(Pattern.compile(line.substring("# compat-ignore: ".length())));
        }
        return out;
    }

    /**
     * Every file under {@code dir}, one line each: relative path, type, mode, owner, then for a
     * regular file its size and SHA-256 (unless an ignore pattern matches its path), for a link
     * its target. Times are left out (they differ run to run).
     */
    static String manifest(Path dir, List<Pattern> ignore) throws Exception {
        List<String> lines = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String rel = dir.relativize(p).toString();
                if (rel.isEmpty()) continue;
                boolean ignored = ignore.stream().anyMatch(x -> x.matcher(rel).find());
                PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
                // An ignored file's name may depend on its content (git's pack-<hash>): only its directory counts.
                String name = ignored && !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)
                        ? (p.getParent().equals(dir) ? "" : dir.relativize(p.getParent()) + "/") + "*" : rel;
                StringBuilder b = new StringBuilder(name).append(' ')
                        .append(a.isDirectory() ? "d" : a.isSymbolicLink() ? "l" : a.isRegularFile() ? "f" : "o")
                        .append(' ').append(Integer.toOctalString(mode)).append(' ')
                        .append(Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS)).append(':')
                        .append(Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS));
                if (a.isSymbolicLink()) b.append(" -> ").append(Files.readSymbolicLink(p));
                else if (a.isRegularFile() && !ignored) b.append(' ').append(a.size()).append(' ').append(sha256(p));
                lines.add(b.toString());
            }
        }
        lines.sort(null);
        return String.join("\n", lines) + "\n";
    }

    static String sha256(Path p) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    }

    static String text(byte[] b) { return new String(b, StandardCharsets.UTF_8); }
}
