package dev.jsyd.compat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.it.Syd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first run builds jsyd, and a build that fails offline and then succeeds online printed
 * Maven's [ERROR] lines before the program's output (issue 14): a new user reads that as failure.
 * A copy of the project is built by its first {@code bin/syd} run with an {@code mvn} that fails
 * offline as a machine without the plugins does (then builds for real, offline, so the test
 * needs no network): the program's output is all there is.
 */
class QuietBuildIT {
    @TempDir Path tmp;

    @Test
    void aFirstBuildPrintsNothingButTheProgramsOutput() throws Exception {
        Path copy = tmp.resolve("jsyd");
        Files.createDirectories(copy);
        copyTree(Syd.HOME.resolve("src/main"), copy.resolve("src/main"));
        copyTree(Syd.HOME.resolve("bin"), copy.resolve("bin"));
        Files.copy(Syd.HOME.resolve("pom.xml"), copy.resolve("pom.xml"));
        String realMvn = which("mvn");
        Path fake = tmp.resolve("fakebin/mvn");
        Files.createDirectories(fake.getParent());
        Files.writeString(fake, """
                #!/bin/sh
                for a in "$@"; do
                  if [ "$a" = -o ]; then
                    echo "[ERROR] Failed to execute goal on project jsyd: Cannot access central in offline mode"
                    echo "[ERROR] -> [Help 1]"
                    exit 1
                  fi
                done
                exec %s -o "$@"
                """.formatted(realMvn));
        fake.toFile().setExecutable(true);
        ProcessBuilder pb = new ProcessBuilder(copy.resolve("bin/syd").toString(), "-poff", "--", "echo", "hello")
                .directory(tmp.toFile());
        pb.environment().put("PATH", fake.getParent() + ":" + pb.environment().get("PATH"));
        pb.environment().remove("MAVEN_OPTS");
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Path out = tmp.resolve("out"), err = tmp.resolve("err");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        assertThat(p.waitFor(600, java.util.concurrent.TimeUnit.SECONDS)).as("build within 10 minutes").isTrue();
        assertThat(Files.exists(copy.resolve("target/jsyd.jar"))).as(Files.readString(err)).isTrue();
        assertThat(Files.readString(err)).isEmpty();
        assertThat(Files.readString(out)).isEqualTo("hello\n");
        assertThat(p.exitValue()).isZero();
    }

    static void copyTree(Path from, Path to) throws Exception {
        try (var s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) Files.createDirectories(t);
                else Files.copy(p, t, StandardCopyOption.COPY_ATTRIBUTES, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            }
        }
    }

    static String which(String tool) throws Exception {
        Process p = new ProcessBuilder("sh", "-c", "command -v " + tool).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        assertThat(p.waitFor()).as(tool + " on PATH").isZero();
        return out;
    }
}
