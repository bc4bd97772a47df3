package dev.jsyd.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stat family, readlink, getdents and xattr calls under stat sandboxing: every result equal
 * to a native run of the same probe, hidden paths absent everywhere, walk checks on the way.
 */
class StatIT {
    @TempDir Path tmp;
    Path d;
    String probe;

    static final List<String> STAT_ON = List.of("-poff", "-m", "sandbox/stat:on", "-m", "allow/stat+/***", "-m", Syd.NOTIFY_ALL);

    @BeforeEach
    void fixture() throws Exception {
        d = tmp.toRealPath().resolve("d");
        Files.createDirectories(d.resolve("sub"));
        Files.writeString(d.resolve("f"), "ab");
        Files.writeString(d.resolve("secret"), "abc");
        Files.writeString(d.resolve("sub/file"), "x");
        Files.createSymbolicLink(d.resolve("lf"), Path.of("f"));
        Files.createSymbolicLink(d.resolve("lsecret"), Path.of("secret"));
        Files.createSymbolicLink(d.resolve("dangling"), Path.of("nowhere"));
        Files.createSymbolicLink(d.resolve("loop1"), Path.of("loop2"));
        Files.createSymbolicLink(d.resolve("loop2"), Path.of("loop1"));
        Files.createSymbolicLink(d.resolve("lsub"), Path.of("sub"));
        Files.createSymbolicLink(d.resolve("abs"), d);
        probe = Syd.probe("probe-stat").toString();
    }

    /** The probe run in {@code cwd} with {@code commands} ("--" separated), natively. */
    static String nativeRun(Path cwd, List<String> commands) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(commands);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new String(out, StandardCharsets.ISO_8859_1);
    }

    /** The same under syd with {@code options}; stdout only (the log goes to stderr). */
    static Syd.Result sydRun(Path cwd, List<String> options, List<String> commands) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(options);
        args.add("--");
        args.addAll(List.of("sh", "-c", "cd \"$0\" && exec \"$@\"", cwd.toString()));
        args.addAll(commands);
        return Syd.run(args, null, Map.of(), Duration.ofSeconds(60));
    }

    /** Runs the probe commands natively and under {@code -poff sandbox/stat:on allow/stat+/***}; outputs must be equal. */
    void assertSameAsNative(String... commands) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(probe);
        cmd.addAll(List.of(commands));
        String expected = nativeRun(d, cmd);
        assertThat(expected).doesNotContain("unknown command");
        var r = sydRun(d, STAT_ON, cmd);
        assertThat(r.status()).as(r.toString()).isZero();
        // Line by line, with the command beside each, so a difference names its scenario.
        String[] exp = expected.split("\n", -1), got = r.out().split("\n", -1);
        List<String> names = scenarioNames(commands);
        for (int i = 0; i < Math.max(exp.length, got.length); i++) {
            String name = i < names.size() ? names.get(i) : "(end)";
            assertThat(i < got.length ? got[i] : "<missing>").as(name + "\n" + r).isEqualTo(i < exp.length ? exp[i] : "<missing>");
        }
    }

    static List<String> scenarioNames(String... commands) {
        List<String> names = new ArrayList<>();
        StringBuilder b = new StringBuilder();
        for (String c : commands) {
            if (c.equals("--")) { names.add(b.toString().trim()); b.setLength(0); } else b.append(c).append(' ');
        }
        names.add(b.toString().trim());
        return names;
    }

    @Test
    void statAndLstatMatchNative() throws Exception {
        String longPath = d + "/" + "x".repeat(300);
        String tooLong = "/" + "a/".repeat(2100);
        assertSameAsNative(
                "stat", "f", "--", "stat", d + "/lf", "--", "lstat", "lf", "--", "stat", "dangling", "--",
                "lstat", "dangling", "--", "stat", "missing", "--", "stat", "f/x", "--", "stat", "f/", "--",
                "stat", "lsub/", "--", "lstat", "lsub/", "--", "lstat", "lsub", "--", "stat", "loop1", "--", "lstat", "loop1", "--",
                "stat", "loop1/x", "--", "stat", longPath, "--", "stat", tooLong, "--", "stat", "EMPTY", "--", "stat", "NULL", "--",
                "raw-stat", "f", "--", "raw-lstat", "lf", "--", "raw-stat", "EMPTY", "--", "stat-efault", "f", "--",
                "stat-efault", "missing", "--", "stat", "/", "--", "stat", "/..", "--", "stat", ".", "--", "stat", "sub/..", "--",
                "stat", "abs/sub/../f", "--", "stat", "/proc/self/exe", "--", "lstat", "/proc/self", "--",
                "lstat", "/proc/thread-self", "--", "stat", "/proc/self/fd/0", "--", "stat", "/proc/self/cwd/f", "--",
                "stat", "/dev/null");
    }

    @Test
    void fstatatAndFstatMatchNative() throws Exception {
        assertSameAsNative(
                "fstatat", d.toString(), "f", "0", "--", "fstatat", d.toString(), "lf", "nofollow", "--",
                "fstatat", d.toString(), "lf", "0", "--", "fstatat", "bad", "f", "0", "--",
                "fstatat", "bad", d + "/f", "0", "--", "fstatat", "file:" + d + "/f", "x", "0", "--",
                "fstatat", "file:" + d + "/f", "EMPTY", "empty", "--", "fstatat", d.toString(), "EMPTY", "0", "--",
                "fstatat", "cwd", "EMPTY", "empty", "--", "fstatat", d.toString(), "f", "bogus", "--",
                "fstatat", d.toString(), "NULL", "empty", "--", "fstatat", "sub", "../f", "0", "--",
                "fstatat", "sub", "file", "0", "--", "fstat-empty", "file:f", "--", "fstat-empty", "path:f", "--",
                "fstat-empty", "path:sub", "--", "fstat-empty", "file:/dev/null", "--", "fstatat", "path:sub", "file", "0");
    }

    /**
     * Relative names the fast path takes (a base named from /proc and walked from "/", a dirfd
     * taken by pidfd_getfd): a file as the base answers ENOTDIR as natively, also when the file's
     * path with the name below it is denied (no denial is made or logged for a path that cannot be).
     */
    @Test
    void aNameBelowAFileIsNotADirectoryEvenWhereDenied() throws Exception {
        List<String> cmd = List.of(probe, "fstatat", "file:" + d + "/f", "x", "0", "--", "fstatat", "file:" + d + "/f", "x/y", "0",
                "--", "stat", "f/x", "--", "readlinkat", "file:" + d + "/f", "x", "10", "--", "fstatat", d.toString(), "sub/file", "0",
                "--", "fstatat", "path:" + d + "/lsub", "file", "0");
        String expected = nativeRun(d, cmd);
        assertThat(expected.split("\n")).as(expected).hasSize(6).startsWith("err ENOTDIR", "err ENOTDIR", "err ENOTDIR", "err ENOTDIR");
        var r = sydRun(d, List.of("-poff", "-m", "sandbox/stat:on", "-m", "allow/stat+/***", "-m", "deny/stat+" + d + "/f/**",
                "-m", "deny/stat+" + d + "/lsub/**"), cmd);
        assertThat(r.out()).as(r.toString()).isEqualTo(expected);
        assertThat(r.err()).as(r.toString()).doesNotContain("\"path\":\"" + d + "/f/").doesNotContain("\"path\":\"" + d + "/lsub/");
    }

    @Test
    void statxAndStatfsMatchNative() throws Exception {
        assertSameAsNative(
                "statx", "cwd", "f", "0", "0x7ff", "--", "statx", "cwd", "lf", "nofollow", "0x7ff", "--",
                "statx", "cwd", "lf", "0", "0x1", "--", "statx", "cwd", "EMPTY", "empty", "0x7ff", "--",
                "statx", "file:f", "EMPTY", "empty", "0xfff", "--", "statx", "file:f", "NULL", "empty", "0x7ff", "--",
                "statx", "cwd", "f", "0x6000", "0x7ff", "--", "statx", "cwd", "f", "0x2000", "0x7ff", "--",
                "statx", "cwd", "f", "0", "0x80000000", "--", "statx", "cwd", "missing", "0", "0x7ff", "--",
                "statx", "bad", "f", "0", "0x7ff", "--", "statx", "cwd", "f/", "0", "0x7ff", "--", "statx", "cwd", "f", "bogus", "0x7ff", "--",
                "statx", "path:sub", "file", "0", "0x7ff", "--",
                "statfs", "f", "--", "statfs", "/", "--", "statfs", "/proc/self", "--", "statfs", "missing", "--",
                "statfs", "f/", "--", "statfs", "dangling", "--", "statfs", "EMPTY", "--", "statfs", "/dev/null");
    }

    @Test
    void accessFamilyMatchesNative() throws Exception {
        Files.writeString(d.resolve("x"), "#!/bin/sh\n");
        assertThat(d.resolve("x").toFile().setExecutable(true)).isTrue();
        assertSameAsNative(
                "access", "f", "0", "--", "access", "f", "1", "--", "access", "x", "1", "--", "access", "f", "6", "--",
                "access", "missing", "0", "--", "access", "f", "8", "--", "access", "dangling", "0", "--",
                "access", "f/", "0", "--", "access", "sub/", "1", "--", "access", "EMPTY", "0", "--", "access", "NULL", "0", "--",
                "faccessat", d.toString(), "f", "4", "--", "faccessat", "bad", "f", "0", "--",
                "faccessat2", d.toString(), "lf", "0", "nofollow", "--", "faccessat2", d.toString(), "dangling", "0", "nofollow", "--",
                "faccessat2", d.toString(), "dangling", "0", "0", "--", "faccessat2", "file:f", "EMPTY", "4", "empty", "--",
                "faccessat2", "file:f", "EMPTY", "1", "empty", "--", "faccessat2", d.toString(), "f", "0", "bogus", "--",
                "faccessat2", d.toString(), "f", "0", "eaccess", "--", "faccessat2", "file:f", "x", "0", "0");
    }

    @Test
    void readlinkMatchesNative() throws Exception {
        assertSameAsNative(
                "readlink", "lf", "100", "--", "readlink", "lf", "1", "--", "readlink", "lf", "0", "--",
                "readlink", "lf", "-1", "--", "readlink", "f", "100", "--", "readlink", "missing", "100", "--",
                "readlink", "lsub/", "100", "--", "readlink", "lf/", "100", "--", "readlink", "dangling", "100", "--",
                "readlink", "loop1", "100", "--", "readlink", "EMPTY", "100", "--", "readlink", "NULL", "100", "--",
                "readlink", "/", "100", "--", "readlink", "abs/lsub", "100", "--",
                "readlinkat", d.toString(), "lf", "100", "--", "readlinkat", "sub", "../lf", "100", "--",
                "readlinkat", "file:f", "EMPTY", "100", "--", "readlinkat", "cwd", "EMPTY", "100", "--",
                "readlinkat", "bad", "lf", "100", "--", "readlinkat", "cwd", "abs", "4", "--",
                "readlink-efault", "lf", "--", "readlink-efault", "f");
    }

    @Test
    void procSelfMeansTheProgram() throws Exception {
        var r = sydRun(d, STAT_ON, List.of(probe, "selfcheck", probe));
        assertThat(r.out()).as(r.toString()).isEqualTo("self=1 thread-self=1 exe=1\n");
    }

    @Test
    void getdentsMatchesNative() throws Exception {
        Path many = d.resolve("many");
        Files.createDirectories(many);
        for (int i = 0; i < 400; i++) Files.writeString(many.resolve("entry-" + i + "-" + "n".repeat(i % 40)), "");
        assertSameAsNative(
                "ls", "many", "32768", "--", "ls", "many", "100", "--", "ls-old", "many", "4096", "--", "ls", ".", "1024", "--",
                "ls", "/proc/self", "4096", "--", "getdents-small", "many", "--", "getdents-file", "f", "rd", "--",
                "getdents-efault", "many");
    }

    @Test
    void xattrFamilyMatchesNative() throws Exception {
        // Two identical trees: the calls change them.
        String[] cmds = {
            "setxattr", "X/f", "user.a", "one", "0", "--", "setxattr", "X/f", "user.a", "two", "1", "--",
            "setxattr", "X/f", "user.b", "two", "2", "--", "setxattr", "X/f", "user.b", "two", "4", "--",
            "getxattr", "X/f", "user.a", "100", "--", "getxattr", "X/lf", "user.a", "100", "--",
            "getxattr", "X/f", "user.a", "0", "--", "getxattr", "X/f", "user.a", "1", "--", "getxattr", "X/f", "user.none", "100", "--",
            "lgetxattr", "X/lf", "user.a", "100", "--", "getxattr", "X/missing", "user.a", "100", "--",
            "getxattr", "X/f/", "user.a", "100", "--", "getxattr", "X/f", "", "100", "--", "xattr-longname", "X/f", "--",
            "setxattr", "X/sub", "user.d", "dir", "0", "--", "listxattr", "X/sub", "100", "--", "listxattr", "X/f", "0", "--",
            "listxattr", "X/f", "1", "--", "listxattr", "X/lf", "100", "--", "llistxattr", "X/lf", "100", "--",
            "lsetxattr", "X/lf", "user.l", "v", "0", "--", "setxattr-big", "X/f", "--",
            "fgetxattr", "file:X/f", "user.a", "--", "fgetxattr", "bad", "user.a", "--",
            "flistxattr", "file:X/f", "100", "--", "fsetxattr", "file:X/f", "user.c", "three", "0", "--",
            "getxattr", "X/f", "user.c", "100", "--", "removexattr", "X/f", "user.c", "--", "removexattr", "X/f", "user.c", "--",
            "lremovexattr", "X/lf", "user.a", "--", "fremovexattr", "file:X/f", "user.b", "--",
            "listxattr", "X/f", "100", "--", "getxattr", "/proc/self/fd/0", "user.a", "10"};
        Path a = tmp.toRealPath().resolve("a"), b = tmp.toRealPath().resolve("b");
        for (Path t : List.of(a, b)) {
            Files.createDirectories(t.resolve("sub"));
            Files.writeString(t.resolve("f"), "ab");
            Files.createSymbolicLink(t.resolve("lf"), Path.of("f"));
        }
        List<String> nat = new ArrayList<>(List.of(probe));
        List<String> syd = new ArrayList<>(List.of(probe));
        for (String c : cmds) {
            nat.add(c.replace("X/", a + "/"));
            syd.add(c.replace("X/", b + "/"));
        }
        String expected = nativeRun(d, nat);
        var r = sydRun(d, List.of("-poff", "-m", "sandbox/stat,chattr:on", "-m", "allow/stat,chattr+/***", "-m", Syd.NOTIFY_ALL), syd);
        List<String> names = scenarioNames(cmds);
        String[] exp = expected.split("\n", -1), got = r.out().split("\n", -1);
        for (int i = 0; i < Math.max(exp.length, got.length); i++) {
            assertThat(i < got.length ? got[i] : "<missing>").as((i < names.size() ? names.get(i) : "") + "\n" + r)
                    .isEqualTo(i < exp.length ? exp[i] : "<missing>");
        }
    }

    @Test
    void lsHidesADeniedFileAndItLooksAbsent() throws Exception {
        List<String> hide = List.of("-poff", "-m", "sandbox/stat:on", "-m", "allow/stat+/***", "-m", "deny/stat+" + d + "/secret");
        var r = sydRun(d, hide, List.of("ls", "-la", d.toString()));
        assertThat(r.status()).as(r.toString()).isZero();
        assertThat(r.out()).contains(" f\n").contains(" sub\n").contains("lsecret -> secret").doesNotContainPattern("\\d secret\n");
        // Natively the same listing shows it: the difference is the sandbox.
        assertThat(nativeRun(d, List.of("ls", "-la", d.toString()))).containsPattern("\\d secret\n");

        r = sydRun(d, hide, List.of("stat", d + "/secret"));
        assertThat(r.status()).isNotZero();
        assertThat(r.err()).contains("No such file or directory").contains("\"cap\":\"stat\"");
        r = sydRun(d, hide, List.of("ls", d + "/secret"));
        assertThat(r.err()).contains("cannot access").contains("No such file or directory");
        r = sydRun(d, hide, List.of(probe, "stat", "lsecret", "--", "lstat", "lsecret", "--", "access", "secret", "0", "--",
                "readlink", "secret", "10", "--", "getxattr", "secret", "user.a", "10", "--", "listxattr", "secret", "10", "--",
                "statx", "cwd", "secret", "0", "0x7ff", "--", "statfs", "secret", "--", "stat", d.toString()));
        List<String> lines = r.out().lines().toList();
        assertThat(lines).as(r.toString()).hasSize(9);
        assertThat(lines.get(0)).isEqualTo("err ENOENT"); // stat follows lsecret to the hidden file
        assertThat(lines.get(1)).startsWith("ok mode=120777 size=6 "); // the link itself is not hidden
        assertThat(lines.subList(2, 8)).containsOnly("err ENOENT");
        assertThat(lines.get(8)).startsWith("ok mode=40755"); // the parent stays visible
    }

    /**
     * fstatat(dirfd, name) as find and du make it (a name looked up in a directory fd): a hidden
     * name is absent, followed through a link too, the link itself stays; in the single-threaded
     * probe (the name looked up through /proc/TID/fd/N) and after it created a thread (the
     * directory opened), the same answers.
     */
    @Test
    void fstatatOfAHiddenNameInADirectoryFdIsAbsent() throws Exception {
        List<String> hide = List.of("-poff", "-m", "sandbox/stat:on", "-m", "allow/stat+/***", "-m", "deny/stat+" + d + "/secret");
        String[] once = {"fstatat", d.toString(), "secret", "0", "--", "fstatat", d.toString(), "lsecret", "0", "--",
                "fstatat", d.toString(), "lsecret", "nofollow", "--", "fstatat", d.toString(), "f", "nofollow", "--",
                "fstatat", d.toString(), "lf", "0", "--", "fstatat", d.toString(), "dangling", "0", "--",
                "fstatat", d.toString(), "missing", "0", "--", "fstatat", "file:" + d + "/f", "x", "0"};
        List<String> cmd = new ArrayList<>(List.of(probe));
        cmd.addAll(List.of(once));
        cmd.addAll(List.of("--", "spawn-thread", "--"));
        cmd.addAll(List.of(once));
        var r = sydRun(d, hide, cmd);
        List<String> lines = r.out().lines().toList();
        assertThat(lines).as(r.toString()).hasSize(17);
        List<String> first = lines.subList(0, 8), second = lines.subList(9, 17);
        assertThat(first.get(0)).isEqualTo("err ENOENT");
        assertThat(first.get(1)).isEqualTo("err ENOENT");
        assertThat(first.get(2)).startsWith("ok mode=120777 size=6 ");
        // The others as natively.
        List<String> nat = nativeRun(d, cmd).lines().toList();
        assertThat(nat.get(0)).startsWith("ok mode=100644 size=3 ");
        assertThat(first.subList(3, 8)).isEqualTo(nat.subList(3, 8));
        assertThat(second).isEqualTo(first);
    }

    @Test
    void hiddenFileCannotBeReadOpenedCreatedOrExecuted() throws Exception {
        Files.copy(Path.of("/bin/true"), d.resolve("prog"));
        assertThat(d.resolve("prog").toFile().setExecutable(true)).isTrue();
        List<String> opts = List.of("-poff", "-m", "sandbox/stat,read,write,create:on", "-m", "allow/stat,read,write,create+/***",
                "-m", "deny/stat+" + d + "/secret", "-m", "deny/stat+" + d + "/prog", "-m", "deny/stat+" + d + "/new");
        var r = sydRun(d, opts, List.of("cat", d + "/secret"));
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).contains("cat: " + d + "/secret: No such file or directory");
        r = sydRun(d, opts, List.of("sh", "-c", "cat lsecret; echo data > new; echo rc=$?; ./prog; echo rc=$?"));
        assertThat(r.out()).as(r.toString()).isEqualTo("rc=2\nrc=127\n");
        assertThat(r.err()).contains("lsecret: No such file or directory");
        assertThat(d.resolve("new")).doesNotExist();
        assertThat(Files.readString(d.resolve("secret"))).isEqualTo("abc");
        // Parent directory and other files stay usable.
        r = sydRun(d, opts, List.of("sh", "-c", "cat f; ls " + d + " | wc -l"));
        assertThat(r.out()).as(r.toString()).isEqualTo("ab" + nativeRun(d, List.of("sh", "-c", "ls | grep -v -x -e secret -e prog | wc -l")));
    }

    @Test
    void execOfAHiddenFileIsAbsentUnlessExecItselfIsDenied() throws Exception {
        Files.copy(Path.of("/bin/true"), d.resolve("prog"));
        assertThat(d.resolve("prog").toFile().setExecutable(true)).isTrue();
        List<String> base = List.of("-poff", "-m", "sandbox/stat,exec:on", "-m", "allow/stat,exec+/***",
                "-m", "deny/stat+" + d + "/prog");
        var r = sydRun(d, base, List.of("sh", "-c", "./prog; echo rc=$?"));
        assertThat(r.out()).as(r.toString()).isEqualTo("rc=127\n");
        List<String> denied = new ArrayList<>(base);
        denied.addAll(List.of("-m", "deny/exec+" + d + "/prog"));
        r = sydRun(d, denied, List.of("sh", "-c", "./prog; echo rc=$?"));
        assertThat(r.out()).as(r.toString()).isEqualTo("rc=126\n");
        assertThat(r.err()).contains("Permission denied").contains("\"cap\":\"exec\"");
    }

    @Test
    void hiddenEntriesVanishEvenWhenWholeBuffersAreHidden() throws Exception {
        Path many = d.resolve("many");
        Files.createDirectories(many);
        for (int i = 0; i < 300; i++) Files.writeString(many.resolve("h" + i), "");
        Files.writeString(many.resolve("visible"), "");
        List<String> opts = List.of("-poff", "-m", "sandbox/stat:on", "-m", "allow/stat+/***", "-m", "deny/stat+" + many + "/h*");
        var r = sydRun(d, opts, List.of(probe, "ls", many.toString(), "64", "--", "ls-old", many.toString(), "4096", "--",
                "ls", many.toString(), "65536"));
        assertThat(r.out()).as(r.toString()).isEqualTo("ok . .. visible\n".repeat(3));
        r = sydRun(d, opts, List.of("sh", "-c", "ls -a " + many + " | wc -l; find " + many + " | wc -l"));
        assertThat(r.out()).as(r.toString()).isEqualTo("3\n2\n");
        // Listing the log: dropped entries are not logged, denied stats are.
        assertThat(r.err()).doesNotContain("\"path\":\"" + many + "/h");
    }

    @Test
    void walkDeniedMakesTheSubtreeAbsent() throws Exception {
        List<String> opts = List.of("-poff", "-m", "sandbox/walk,stat,read:on", "-m", "allow/walk,stat,read+/***",
                "-m", "deny/walk+" + d + "/sub");
        var r = sydRun(d, opts, List.of(probe, "stat", d + "/sub/file", "--", "stat", "sub/file", "--", "stat", "lsub/file", "--",
                "stat", "sub/../f", "--", "fstatat", d.toString(), "sub/file", "0", "--", "readlink", "sub/x", "10", "--",
                "stat", "sub", "--", "stat", "f"));
        String[] lines = r.out().split("\n");
        assertThat(lines).as(r.toString()).hasSize(8);
        for (int i = 0; i < 6; i++) assertThat(lines[i]).as(lines[i] + "\n" + r).isEqualTo("err ENOENT");
        assertThat(lines[6]).startsWith("ok mode=40755");
        assertThat(lines[7]).startsWith("ok mode=100644");
        assertThat(r.err()).contains("\"cap\":\"walk\"").contains("\"path\":\"" + d + "/sub\"");
        r = sydRun(d, opts, List.of("cat", d + "/sub/file"));
        assertThat(r.err()).contains("No such file or directory");
        // walk alone (stat off) is enough: every path call resolves through the walk check.
        r = sydRun(d, List.of("-poff", "-m", "sandbox/walk:on", "-m", "allow/walk+/***", "-m", "deny/walk+" + d + "/sub"),
                List.of("cat", d + "/sub/file"));
        assertThat(r.err()).as(r.toString()).contains("No such file or directory");
        assertThat(nativeRun(d, List.of("cat", d + "/sub/file"))).isEqualTo("x");
    }

    @Test
    void pipesAndSocketsAreNotCheckedOnFstat() throws Exception {
        List<String> opts = List.of("-poff", "-m", "sandbox/stat:on", "-m", "allow/stat+/***", "-m", Syd.NOTIFY_ALL);
        var r = sydRun(d, opts, List.of("sh", "-c", "echo hi | cat | cat"));
        assertThat(r.out()).as(r.toString()).isEqualTo("hi\n");
        assertThat(r.err()).doesNotContain("\"cap\":\"stat\"");
    }

    @Test
    void chattrDeniedLeavesAttributesUnchanged() throws Exception {
        List<String> opts = List.of("-poff", "-m", "sandbox/stat,chattr:on", "-m", "allow/stat,chattr+/***",
                "-m", "deny/chattr+" + d + "/f", "-m", "deny/stat+" + d + "/secret");
        var r = sydRun(d, opts, List.of(probe, "setxattr", "f", "user.x", "v", "0", "--", "fsetxattr", "file:f", "user.x", "v", "0", "--",
                "removexattr", "f", "user.x", "--", "setxattr", "secret", "user.x", "v", "0", "--", "setxattr", "sub", "user.x", "v", "0", "--",
                "getxattr", "sub", "user.x", "10", "--", "getxattr", "f", "user.x", "10"));
        assertThat(r.out()).as(r.toString()).isEqualTo("err EACCES\nerr EACCES\nerr EACCES\nerr ENOENT\nok\nok n=1 [v]\nerr ENODATA\n");
        assertThat(r.err()).contains("\"cap\":\"chattr\"");
        assertThat(nativeRun(d, List.of(probe, "listxattr", "f", "100", "--", "listxattr", "secret", "100")))
                .isEqualTo("ok n=0\nok n=0\n");
    }

    @Test
    void racingThePathBufferNeverRevealsAHiddenFile() throws Exception {
        List<String> opts = List.of("-poff", "-m", "sandbox/stat:on", "-m", "allow/stat+/***", "-m", "deny/stat+" + d + "/secret");
        var r = sydRun(d, opts, List.of(probe, "race-path", d + "/f", d + "/secret", "3000"));
        assertThat(r.out()).as(r.toString()).isEqualTo("hidden-visible=0 ok>0=1 leaked=0\n");
        // Natively the flip does reach the secret: the probe can tell.
        assertThat(nativeRun(d, List.of(probe, "race-path", d + "/f", d + "/secret", "3000"))).startsWith("hidden-visible=1 ok>0=1 leaked=");
    }

    /**
     * fstat of an fd of a hidden file is ENOENT: in a process that executed and has one thread
     * (the fd is named through /proc/TID/fd/N), while a task sharing its fd table (clone
     * CLONE_FILES) flips the fd between the hidden file and an allowed one (the fd is duplicated
     * then), and in a process with a second thread. The probe opens both files (fds 3 and 4)
     * before it hides one through /dev/syd.
     */
    @Test
    void fstatOfAHiddenFilesFdIsAbsentAlsoWhileAnotherTaskFlipsIt() throws Exception {
        List<String> opts = new ArrayList<>(STAT_ON);
        opts.addAll(List.of("-m", "lock:off"));
        List<String> cmd = List.of(probe, "fstat-empty", "file:" + d + "/secret", "--", "fstat-empty", "file:" + d + "/f", "--",
                "stat", "/dev/syd/deny/stat+" + d + "/secret", "--", "fstat-fd", "3", "--", "fstat-fd", "4", "--",
                "race-fd-clone", "3", "4", "3000", "--", "spawn-thread", "--", "fstat-fd", "3", "--", "fstat-fd", "4");
        var r = sydRun(d, opts, cmd);
        List<String> got = r.out().lines().toList();
        assertThat(got).as(r.toString()).hasSize(9);
        assertThat(got.get(0)).startsWith("ok mode=100644 size=3 ");
        assertThat(got.get(1)).startsWith("ok mode=100644 size=2 ");
        assertThat(got.get(3)).as(r.toString()).isEqualTo("err ENOENT");
        assertThat(got.get(4)).isEqualTo(got.get(1));
        assertThat(got.get(5)).isEqualTo("ok>0=1 leaked=0");
        assertThat(got.get(6)).isEqualTo("ok");
        assertThat(got.get(7)).isEqualTo("err ENOENT");
        assertThat(got.get(8)).isEqualTo(got.get(1));
        // Natively the file is there and the flip reaches it.
        List<String> nat = nativeRun(d, cmd).lines().toList();
        assertThat(nat.get(3)).isEqualTo(got.get(0));
        assertThat(nat.get(5)).startsWith("ok>0=1 leaked=").isNotEqualTo("ok>0=1 leaked=0");
    }

    @Test
    void swappingASymlinkInNeverRevealsAHiddenFile() throws Exception {
        Files.writeString(d.resolve("victim"), "ab");
        Files.getFileAttributeView(d.resolve("secret"), java.nio.file.attribute.UserDefinedFileAttributeView.class)
                .write("secret", java.nio.ByteBuffer.wrap(new byte[] {1}));
        var r = Syd.run(List.of("-poff", "-m", "sandbox/stat:on", "-m", "allow/stat+/***", "-m", "deny/stat+" + d + "/secret",
                "--", probe, "race-link", d + "/victim", d + "/secret", "3000"), null, Map.of(), Duration.ofSeconds(120));
        assertThat(r.out()).as(r.toString()).isEqualTo("leaked=0\n");
    }
}
