package dev.jsyd.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trusted Path Execution: with {@code sandbox/tpe:on}, a program (or library) runs only from a
 * directory nobody but its owner can write, and is not writable by group or others itself;
 * {@code tpe/root_owned} and {@code tpe/user_owned} also ask who owns the directory, {@code tpe/gid}
 * (with {@code tpe/negate}) says whom it applies to, {@code default/tpe} what a refusal does.
 */
class TpeIT {
    @TempDir Path tmp;

    Path copyOfTrueIn(String dir, String mode) throws IOException, InterruptedException {
        Path d = tmp.resolve(dir);
        Files.createDirectories(d);
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString(mode));
        Path t = d.resolve("t");
        Files.copy(Path.of("/usr/bin/true"), t);
        Files.setPosixFilePermissions(t, PosixFilePermissions.fromString("rwxr-xr-x"));
        return t;
    }

    static Syd.Result run(List<String> commands, String... cmd) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("-poff", "-m", "sandbox/tpe:on"));
        for (String c : commands) args.addAll(List.of("-m", c));
        args.add("--");
        args.addAll(List.of(cmd));
        return Syd.run(args.toArray(String[]::new));
    }

    @Test
    void programsInWritableDirectoriesOrWritableThemselvesAreRefused() throws Exception {
        Path open = copyOfTrueIn("ww", "rwxrwxrwx"), safe = copyOfTrueIn("safe", "rwxr-xr-x");
        assertThat(new ProcessBuilder(open.toString()).start().waitFor()).as("natively").isZero();
        var r = run(List.of(), open.toString());
        assertThat(r.status()).as(r.toString()).isEqualTo(13);
        assertThat(r.err()).contains("\"cap\":\"tpe\"").contains("sandbox/tpe:off");
        assertThat(run(List.of(), safe.toString()).status()).isZero();
        Files.setPosixFilePermissions(safe, PosixFilePermissions.fromString("rwxrwxr-x"));
        assertThat(run(List.of(), safe.toString()).status()).as("group-writable program").isEqualTo(13);
        assertThat(run(List.of("default/tpe:warn"), open.toString()).status()).isZero();
        assertThat(run(List.of(), "sh", "-c", open + "; echo $?").out()).isEqualTo("137\n");
        Path off = copyOfTrueIn("off", "rwxrwxrwx");
        assertThat(Syd.run("-poff", "--", off.toString()).status()).as("TPE is off by default").isZero();
    }

    @Test
    void ownerOfTheDirectory() throws Exception {
        Path t = copyOfTrueIn("nobody", "rwxr-xr-x");
        Files.setOwner(t.getParent(), t.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        assertThat(run(List.of(), t.toString()).status()).isZero();
        assertThat(run(List.of("tpe/root_owned:1"), t.toString()).status()).isEqualTo(13);
        assertThat(run(List.of("tpe/user_owned:1"), t.toString()).status()).as("neither root nor the program's user").isEqualTo(13);
        Path mine = copyOfTrueIn("mine", "rwxr-xr-x");
        assertThat(run(List.of("tpe/root_owned:1"), mine.toString()).status()).isZero();
        assertThat(run(List.of("tpe/user_owned:1"), mine.toString()).status()).isZero();
    }

    @Test
    void tpeGidSaysWhomItAppliesTo() throws Exception {
        Path open = copyOfTrueIn("ww", "rwxrwxrwx");
        assertThat(run(List.of("tpe/gid:4242"), open.toString()).status()).as("not a member: not applied").isZero();
        assertThat(run(List.of("tpe/gid:4242", "tpe/negate:1"), open.toString()).status()).isEqualTo(13);
        assertThat(run(List.of("tpe/gid:0"), open.toString()).status()).as("root's group").isEqualTo(13);
        assertThat(run(List.of("tpe/gid:0", "tpe/negate:1"), open.toString()).status()).isZero();
    }

    @Test
    void librariesAreCheckedToo() throws Exception {
        Path d = tmp.resolve("libs");
        Files.createDirectories(d);
        Path lib = ExecFixture.ccSource(d, "libx.so", "int x(void){return 7;}\n", "-shared", "-fPIC");
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxrwxrwx"));
        String probe = ExecFixture.probe();
        var r = run(List.of(), probe, "dlopen", lib.toString());
        assertThat(r.out()).as(r.toString()).isEqualTo("dlopen failed\n");
        assertThat(r.err()).contains("\"cap\":\"tpe\"").contains("\"sys\":\"mmap\"");
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThat(run(List.of(), probe, "dlopen", lib.toString()).out()).isEqualTo("dlopen ok\n");
    }
}
