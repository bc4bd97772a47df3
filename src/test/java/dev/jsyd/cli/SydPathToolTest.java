package dev.jsyd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.policy.Origin;
import dev.jsyd.policy.Policy;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SydPathToolTest {
    @TempDir Path dir;

    record Result(int status, String out, String err) {}

    static Result run(String... args) {
        var o = new ByteArrayOutputStream();
        var e = new ByteArrayOutputStream();
        int st = SydPathTool.run(args, new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8));
        return new Result(st, o.toString(StandardCharsets.ISO_8859_1), e.toString(StandardCharsets.UTF_8));
    }

    @Test
    void writesRulesTheParserAccepts() throws Exception {
        Path f = dir.resolve("a:b");
        Files.writeString(f, "abc");
        Path link = dir.resolve("link");
        Files.createSymbolicLink(link, f);
        Result r = run("-w", link.toString());
        assertThat(r.status()).as(r.err()).isZero();
        String real = f.toRealPath().toString().replace(":", "\\:");
        assertThat(r.out()).isEqualTo("force+" + real + ":sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad:warn\n");
        Policy p = Policy.defaults();
        p.apply(r.out().strip(), Origin.argument(1));
        assertThat(p.snapshot().force(f.toRealPath().toString())).isPresent();
        assertThat(run("-a", "crc32", "-s", f.toString()).out()).isEqualTo("/dev/syd/force+" + real + ":crc32:352441c2:kill\n");
    }

    @Test
    void listsExecutablesByKindAndRefusesBadOptions() throws Exception {
        Path s = dir.resolve("s.sh");
        Files.writeString(s, "#!/bin/sh\n");
        s.toFile().setExecutable(true);
        Files.copy(Path.of("/bin/true").toRealPath(), dir.resolve("t"));
        dir.resolve("t").toFile().setExecutable(true);
        assertThat(run("-e", "x", "-p", dir.toString()).out()).isEqualTo(s.toRealPath() + "\n");
        assertThat(run("-e", "d", "-p", dir.toString()).out()).isEqualTo(dir.resolve("t").toRealPath() + "\n");
        assertThat(run("-e", "q").status()).isEqualTo(1);
        Result bad = run("-a", "sha265", "x");
        assertThat(bad.status()).isEqualTo(1);
        assertThat(bad.err()).contains("did you mean `sha256`?");
        assertThat(run(dir.resolve("missing").toString()).status()).isEqualTo(2);
    }
}
