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
                new String[] {"loop"},
                // More than one component: the quick open walks them all in one RESOLVE_NO_SYMLINKS open.
                new String[] {t + "//d//f"},
                new String[] {"//" + t.substring(1) + "/d/f"},
                new String[] {"to-dir/f"},
                new String[] {"to-file/x"},
                new String[] {"loop/x"},
                new String[] {"d/f/x"},
                new String[] {"missing/x/y"},
                new String[] {"d/missing", "wronly"},
                new String[] {t + "/dangling/x"});
    }

    /** The stat scenarios: the probe-stat command, then its path (relative ones run in {@code tmp}). */
    private List<String[]> statScenarios() {
        List<String[]> out = new ArrayList<>();
        for (String[] sc : scenarios()) {
            out.add(new String[] {"stat", sc[0]});
            out.add(new String[] {"lstat", sc[0]});
        }
        return out;
    }

    /** probe-stat's answer lines for all stat scenarios (one run, in {@code tmp}). */
    private List<String> statAnswers(boolean sandboxed, String... policy) throws Exception {
        List<String> cmd = new ArrayList<>();
        if (sandboxed) {
            cmd.add(Syd.SYD.toString());
            cmd.addAll(List.of(policy));
            cmd.add("--");
        }
        cmd.addAll(List.of("sh", "-c", "cd \"$0\" && exec \"$@\"", tmp.toString(), Syd.probe("probe-stat").toString()));
        List<String[]> scenarios = statScenarios();
        for (int i = 0; i < scenarios.size(); i++) {
            if (i > 0) cmd.add("--");
            cmd.addAll(List.of(scenarios.get(i)));
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        List<String> lines = new String(p.getInputStream().readAllBytes()).lines().toList();
        p.waitFor();
        assertThat(lines).as("one answer per scenario").hasSize(scenarios.size());
        List<String> out = new ArrayList<>();
        for (int i = 0; i < scenarios.size(); i++) out.add(String.join(" ", scenarios.get(i)) + " -> " + lines.get(i));
        return out;
    }

    @Test
    void statsFollowingTheLastComponentAnswerLikeTheKernel() throws Exception {
        List<String> nat = statAnswers(false);
        assertThat(nat).as("the scenarios cover successes, symlinks followed and errors")
                .anyMatch(s -> s.startsWith("stat " + tmp + "/to-file -> ") && !s.contains("err"))
                .anyMatch(s -> s.endsWith("ELOOP")).anyMatch(s -> s.endsWith("ENOTDIR")).anyMatch(s -> s.endsWith("ENOENT"));
        // Every stat notified and allowed silently: the last component is not read as a link first.
        List<String> quick = statAnswers(true, "-poff", "-m", "sandbox/read,stat,readdir,write:on",
                "-m", "allow/read,stat,readdir,write+/***", "-m", "deny/stat+/nonexistent/x/***");
        assertThat(quick).isEqualTo(nat);
    }

    @Test
    void aStatOfALinkToAHiddenFileIsHiddenAndLoggedOnTheTarget() throws Exception {
        Path probe = Syd.probe("probe-stat");
        String[] policy = {"-poff", "-m", "sandbox/stat:on", "-m", "allow/stat+/***", "-m", "deny/stat+" + file};
        var native_ = new ProcessBuilder(probe.toString(), "stat", tmp + "/to-file").start();
        assertThat(new String(native_.getInputStream().readAllBytes())).as("natively the link's target is found").doesNotContain("err");
        var linked = Syd.run(concat(policy, "--", probe.toString(), "stat", tmp + "/to-file"));
        assertThat(linked.out()).as(linked.toString()).startsWith("err ENOENT");
        assertThat(linked.err()).as(linked.toString()).contains("\"path\":\"" + file + "\"").doesNotContain("\"path\":\"" + tmp + "/to-file\"");
        var link = Syd.run(concat(policy, "--", probe.toString(), "lstat", tmp + "/to-file"));
        assertThat(link.out()).as("the link itself is not hidden: " + link).doesNotContain("err");
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
