package dev.jsyd.it.escape;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.it.Syd;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hidden means absent, for every path syscall of the table (issue 12): a name whose stat is
 * denied must give the same answer, and leave the same things on disk, whether it exists (a file
 * or a directory) or not. Natively the two are told apart by almost every call (EEXIST,
 * ENOTDIR, EADDRINUSE, success on the existing one, ...); under syd each call is run on a hidden
 * existing name and on an absent name under the same rules, and the answers are compared.
 */
class HiddenPathEscapeIT {
    @TempDir Path tmp;

    /** Every path syscall the probe knows (src/test/c/table-probe.c, "path"). */
    static final List<String> OPS = List.of("stat", "lstat", "statx", "access", "faccessat2", "readlink", "statfs",
            "open-read", "open-write", "open-creat", "open-excl", "open-dir", "open-path", "creat", "mkdir", "mknod-fifo",
            "mknod-reg", "rmdir", "unlink", "unlinkat-dir", "rename-from", "rename-to", "renameat2-noreplace",
            "renameat2-exchange", "link-to", "link-from", "symlink-to", "chmod", "fchmodat2", "chown", "lchown", "truncate",
            "utime", "utimensat", "chdir", "chroot", "getxattr", "listxattr", "setxattr", "removexattr", "inotify", "execve",
            "bind", "connect");

    record Case(String kind, String op, Path dir, String name) {
        Path path() { return dir.resolve(name); }
    }

    /** One directory per (kind, op, name) with a visible file and, for the hidden name, the existing entry. */
    List<Case> lay() throws IOException {
        List<Case> cases = new ArrayList<>();
        for (String kind : List.of("file", "dir")) {
            for (String op : OPS) {
                for (String name : List.of("xhidden", "xabsent")) {
                    Path d = Files.createDirectories(tmp.resolve(kind + "-" + op + "-" + name));
                    Files.writeString(d.resolve("visible"), "v");
                    if (name.equals("xhidden")) {
                        if (kind.equals("file")) Files.writeString(d.resolve(name), "h");
                        else Files.createDirectory(d.resolve(name));
                    }
                    cases.add(new Case(kind, op, d, name));
                }
            }
        }
        return cases;
    }

    static List<String> args(List<Case> cases) {
        List<String> a = new ArrayList<>(List.of(probe(), "paths"));
        for (Case c : cases) a.addAll(List.of(c.op(), c.path().toString(), c.dir().resolve("visible").toString()));
        return a;
    }

    static String probe() {
        try {
            return Syd.probe("table-probe").toString();
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** What is in a case's directory: names, types, modes and sizes (the entry under test included). */
    static TreeMap<String, String> onDisk(Path dir) throws IOException {
        TreeMap<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                var a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                m.put(p.getFileName().toString(), (a.isDirectory() ? "d" : a.isSymbolicLink() ? "l" : a.isOther() ? "o" : "f")
                        + a.permissions() + a.size());
            }
        }
        return m;
    }

    @Test
    void nativelyAnExistingNameIsToldApartFromAnAbsentOne() throws Exception {
        List<Case> cases = lay();
        var r = Escape.nativeRun(args(cases).toArray(String[]::new));
        String[] lines = r.out().split("\n");
        assertThat(lines).hasSize(cases.size());
        int differ = 0;
        for (int i = 0; i < cases.size(); i += 2) if (!answer(lines[i]).equals(answer(lines[i + 1]))) differ++;
        assertThat(differ).as("calls that tell an existing name from an absent one natively").isGreaterThan(OPS.size());
    }

    /**
     * The property: for each call, kind of hidden entry and rule set, the hidden existing name
     * and the absent name give the same answer and the disk is left the same (the hidden entry
     * untouched, the absent name still absent).
     */
    @ParameterizedTest
    @ValueSource(strings = {
        "deny/stat+%s/*/x*", // hidden; every other category allows
        "deny/all+%s/*/x*", // hidden and every category of the call denied too
        "deny/stat,exec,read,write,create,delete,rename,mkdir,rmdir,symlink,truncate,chmod,chown,chgrp,utime,chdir,chroot,notify,chattr+%s/*/x*"})
    void aHiddenNameLooksAbsentToEveryPathCall(String hideRule) throws Exception {
        List<Case> cases = lay();
        java.util.Map<Path, String> before = new java.util.HashMap<>();
        for (Case c : cases) if (c.name().equals("xhidden")) before.put(c.dir(), onDisk(c.dir()).get("xhidden"));
        List<String> policy = List.of("-poff", "-m", "sandbox/all:on", "-m", "allow/all+/***",
                "-m", "sandbox/net/bind,net/connect:on", "-m", "allow/net/bind,net/connect+/***",
                "-m", hideRule.formatted(tmp));
        var r = Escape.syd(policy, args(cases).toArray(String[]::new));
        String[] lines = r.out().split("\n");
        assertThat(lines).as(r.toString()).hasSize(cases.size());
        List<String> differences = new ArrayList<>();
        for (int i = 0; i < cases.size(); i += 2) {
            Case hidden = cases.get(i), absent = cases.get(i + 1);
            assertThat(lines[i]).startsWith(hidden.op() + " ");
            TreeMap<String, String> h = onDisk(hidden.dir()), a = onDisk(absent.dir());
            boolean hiddenUntouched = before.get(hidden.dir()).equals(h.get("xhidden"));
            h.remove("xhidden");
            if (!answer(lines[i]).equals(answer(lines[i + 1])) || !h.equals(a) || !hiddenUntouched) {
                differences.add(hidden.kind() + " " + hidden.op() + ": hidden " + answer(lines[i]) + " " + h
                        + (hiddenUntouched ? "" : " (hidden entry changed)") + ", absent " + answer(lines[i + 1]) + " " + a);
            }
        }
        assertThat(differences).as("calls that tell a hidden name from an absent one under " + hideRule).isEmpty();
    }

    private static String answer(String line) {
        return line.substring(line.indexOf(' ') + 1);
    }
}
