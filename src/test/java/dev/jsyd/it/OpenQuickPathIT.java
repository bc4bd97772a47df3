package dev.jsyd.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quick way of an open (no O_CREAT/O_TRUNC/O_TMPFILE/O_PATH, every check allows silently):
 * the supervisor skips the newfstatat and the readlinkat of the last component and lets its
 * RESOLVE_NO_SYMLINKS open decide. The answers must still be the kernel's for every kind of
 * object (file, directory, missing, symlinks to each, a symlink loop), and a policy that can
 * refuse or log the path must still see the right category (readdir for a directory).
 */
class OpenQuickPathIT {
    @TempDir Path tmp;
    Path dir, file;

    @BeforeEach
    void tree() throws Exception {
        dir = Files.createDirectories(tmp.resolve("d"));
        file = Files.writeString(dir.resolve("f"), "x");
        Files.createSymbolicLink(tmp.resolve("to-file"), file);
        Files.createSymbolicLink(tmp.resolve("to-dir"), Path.of("d"));
        Files.createSymbolicLink(tmp.resolve("dangling"), tmp.resolve("missing"));
        Files.createSymbolicLink(tmp.resolve("loop"), Path.of("loop"));
    }

    /** Each scenario: path, then open flags for the probe's "open" command. */
    private List<String[]> scenarios() {
        String t = tmp.toString();
        return List.of(
                new String[] {file.toString()},
                new String[] {file.toString(), "rdwr"},
                new String[] {dir.toString()},
                new String[] {dir.toString(), "wronly"},
                new String[] {dir.toString(), "directory"},
                new String[] {file.toString(), "directory"},
                new String[] {t + "/missing"},
                new String[] {t + "/missing/x"},
                new String[] {file + "/x"},
                new String[] {t + "/to-file"},
                new String[] {t + "/to-file", "wronly"},
                new String[] {t + "/to-dir", "directory"},
                new String[] {t + "/to-dir/f"},
                new String[] {t + "/to-file", "nofollow"},
                new String[] {t + "/dangling"},
                new String[] {t + "/loop"},
                new String[] {"d/f"},
                new String[] {"to-file"},
                new String[] {"loop"});
    }

    /** First word of each answer line ("ok" or "err ENAME") for all scenarios, run in {@code tmp}. */
    private List<String> answers(boolean sandboxed, String... policy) throws Exception {
        List<String> out = new ArrayList<>();
        for (String[] sc : scenarios()) {
            List<String> cmd = new ArrayList<>();
            if (sandboxed) {
                cmd.add(Syd.SYD.toString());
                cmd.addAll(List.of(policy));
                cmd.add("--");
            }
            cmd.addAll(List.of("sh", "-c", "cd \"$0\" && exec \"$@\"", tmp.toString(), Syd.probe().toString(), "open"));
            cmd.addAll(List.of(sc));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
            String text = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor();
            out.add(String.join(" ", sc) + " -> " + (text.startsWith("ok") ? "ok" : text));
        }
        return out;
    }

    @Test
    void silentlyAllowedOpensAnswerLikeTheKernel() throws Exception {
        List<String> nat = answers(false);
        assertThat(nat).as("the scenarios cover successes and errors")
                .anyMatch(s -> s.endsWith("ok")).anyMatch(s -> s.endsWith("ELOOP")).anyMatch(s -> s.endsWith("EISDIR"))
                .anyMatch(s -> s.endsWith("ENOTDIR")).anyMatch(s -> s.endsWith("ENOENT"));
        // Everything allowed silently (the quick way), but notified: the refusing rule is elsewhere.
        List<String> quick = answers(true, "-poff", "-m", "sandbox/read,stat,readdir,write:on",
                "-m", "allow/read,stat,readdir,write+/***", "-m", "deny/read+/nonexistent/x/***");
        assertThat(quick).isEqualTo(nat);
        // A warn rule on everything: no check is silent, so every open goes the long way; same answers.
        List<String> longWay = answers(true, "-poff", "-m", "sandbox/read,stat,readdir,write:on",
                "-m", "allow/read,stat,readdir,write+/***", "-m", "warn/read+/***", "-m", "log/level:error");
        assertThat(longWay).isEqualTo(nat);
    }

    @Test
    void aDirectoryIsCheckedAsReaddirAndAFileAsRead() throws Exception {
        Path probe = Syd.probe();
        String[] policy = {"-poff", "-m", "sandbox/read,readdir:on", "-m", "allow/read,readdir+/***",
            "-m", "deny/readdir+" + dir};
        var d = Syd.run(concat(policy, "--", probe.toString(), "open", dir.toString()));
        assertThat(d.out()).as(d.toString()).startsWith("err EACCES");
        assertThat(d.err()).as(d.toString()).contains("\"cap\":\"readdir\"").doesNotContain("\"cap\":\"read\"");
        var f = Syd.run(concat(policy, "--", probe.toString(), "open", file.toString()));
        assertThat(f.out()).as(f.toString()).startsWith("ok");
        // Read denied on the directory only: opening it still needs readdir, which allows it.
        String[] readDenied = {"-poff", "-m", "sandbox/read,readdir:on", "-m", "allow/read,readdir+/***",
            "-m", "deny/read+" + dir};
        var rd = Syd.run(concat(readDenied, "--", probe.toString(), "open", dir.toString()));
        assertThat(rd.out()).as(rd.toString()).startsWith("ok");
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
