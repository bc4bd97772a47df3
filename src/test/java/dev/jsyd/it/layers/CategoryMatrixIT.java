package dev.jsyd.it.layers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.it.Syd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every path and UNIX-address category of {@code syd --api} shown on its own real call
 * (src/test/resources/layers/category-op.py): natively the call works; under syd with only that
 * category on, a {@code deny/CAT+} rule refuses it (and the record names the category), its
 * {@code default/CAT} decides a path no rule names, and with the category off the same rules do
 * nothing. Every action shown on a rule. ApiCoverageTest maps these commands to these tests.
 */
public class CategoryMatrixIT {
    /** The categories shown here, each with one call of its own. */
    public static final List<String> CATEGORIES = List.of("walk", "stat", "read", "write", "exec", "create", "delete",
            "rename", "symlink", "truncate", "chdir", "readdir", "mkdir", "rmdir", "chown", "chgrp", "chmod", "chattr",
            "chroot", "notify", "utime", "mkbdev", "mkcdev", "mkfifo", "mktemp", "net/bind", "net/connect");

    /** The actions shown on a rule. */
    public static final List<String> ACTIONS = List.of("allow", "warn", "filter", "deny", "panic", "stop", "abort", "kill", "exit");

    static final String OP = Syd.HOME.resolve("src/test/resources/layers/category-op.py").toString();

    Path tmp;

    @BeforeEach
    void scratch() throws Exception {
        tmp = Files.createTempDirectory(Path.of("/tmp"), "jsyd-matrix");
    }

    @AfterEach
    void clean() throws Exception {
        try (var s = Files.walk(tmp)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    /** A fresh fixture directory for {@code cat}, set up natively. */
    Path fixture(String cat) throws Exception {
        Path d = tmp.resolve(cat.replace('/', '-'));
        assertThat(Syd.nativeSh("python3 " + OP + " " + d + " setup")).isEmpty();
        return d;
    }

    /**
     * chroot and device nodes need capabilities the sandbox drops unless this keeps them; python3
     * may be a non-PIE build (Debian's), which exec integrity refuses unless relaxed.
     */
    static final List<String> CAPS = List.of("-m", "trace/allow_unsafe_caps:1", "-m", "trace/allow_unsafe_exec_nopie:1");

    static Syd.Result op(List<String> policy, Path d, String cat) throws Exception {
        return op(policy, d, cat, OP);
    }

    static Syd.Result op(List<String> policy, Path d, String cat, String script) throws Exception {
        List<String> args = new ArrayList<>(CAPS);
        args.addAll(policy);
        args.addAll(List.of("-p", "nopie", "--", "python3", script, d.toString(), cat));
        return Syd.run(args, null, Map.of(), Duration.ofSeconds(60));
    }

    @Test
    void everyCategoryRuleRefusesItsCallAndDoesNothingWithTheCategoryOff() throws Exception {
        List<String> allDenied = new ArrayList<>(List.of("-poff"));
        StringBuilder offScript = new StringBuilder();
        StringBuilder expectedOff = new StringBuilder();
        for (String cat : CATEGORIES) {
            Path d = fixture(cat);
            assertThat(Syd.nativeSh("python3 " + OP + " " + d + " " + cat)).as("natively").isEqualTo(cat + " ok\n");
            Path again = fixture(cat + "-syd");
            var r = op(List.of("-poff", "-m", "sandbox/" + cat + ":on", "-m", "allow/" + cat + "+/***",
                    "-m", "deny/" + cat + "+" + again + "/***"), again, cat);
            assertThat(r.out()).as(cat + "\n" + r).startsWith(cat + " ").isNotEqualTo(cat + " ok\n");
            assertThat(r.err()).as(cat + "\n" + r).contains("\"cap\":\"" + cat + "\"");
            Path off = fixture(cat + "-off");
            allDenied.addAll(List.of("-m", "deny/" + cat + "+" + off + "/***"));
            offScript.append("python3 ").append(OP).append(' ').append(off).append(' ').append(cat).append('\n');
            expectedOff.append(cat).append(" ok\n");
        }
        allDenied.addAll(CAPS);
        var r = Syd.sh(allDenied, offScript.toString());
        assertThat(r.out()).as("every category off: deny rules have no effect\n" + r).isEqualTo(expectedOff.toString());
    }

    @Test
    void everyCategoryDefaultDecidesWhatNoRuleNames() throws Exception {
        for (String cat : CATEGORIES) {
            // rules for everything but /tmp (below which the fixture is): the fixture gets default/CAT
            List<String> policy = List.of("-poff", "-m", "sandbox/" + cat + ":on", "-m", "allow/" + cat + "+/",
                    "-m", "allow/" + cat + "+/[!t]*/***", "-m", "allow/" + cat + "+/tmp");
            Path d = fixture(cat);
            var r = op(concat(policy, "-m", "default/" + cat + ":kill"), d, cat);
            // the offender is killed: python itself, or for exec the child it started
            assertThat(r.status() == 128 + 9 || r.out().equals(cat + " exit -9\n")).as(cat + "\n" + r).isTrue();
            Path d2 = fixture(cat + "-allow");
            r = op(concat(policy, "-m", "default/" + cat + ":allow"), d2, cat);
            assertThat(r.out()).as(cat + "\n" + r).isEqualTo(cat + " ok\n");
        }
    }

    @Test
    void everyActionOnARule() throws Exception {
        for (String action : ACTIONS) {
            Path d = fixture("read-" + action);
            List<String> policy = List.of("-poff", "-m", "sandbox/read:on", "-m", "allow/read+/***",
                    "-m", action + "/read+" + d + "/f", "-m", "log/level:notice"); // warn is logged at notice
            String record = "\"act\":\"" + action + "\"";
            switch (action) {
                case "allow" -> {
                    // the last rule that matches decides: allow after a deny of the directory
                    var r = op(List.of("-poff", "-m", "sandbox/read:on", "-m", "allow/read+/***", "-m", "deny/read+" + d + "/***",
                            "-m", "allow/read+" + d + "/f"), d, "read");
                    assertThat(r.out()).as(r.toString()).isEqualTo("read ok\n");
                }
                case "warn" -> {
                    var r = op(policy, d, "read");
                    assertThat(r.out()).as(r.toString()).isEqualTo("read ok\n");
                    assertThat(r.err()).contains(record);
                }
                case "filter" -> {
                    var r = op(policy, d, "read");
                    assertThat(r.out()).as(r.toString()).isEqualTo("read EACCES\n");
                    assertThat(r.err()).doesNotContain("\"cap\":\"read\"");
                }
                case "deny", "panic" -> {
                    var r = op(policy, d, "read");
                    assertThat(r.out()).as(r.toString()).isEqualTo("read EACCES\n");
                    assertThat(r.err()).contains(record);
                }
                case "stop" -> {
                    List<String> args = new ArrayList<>(policy);
                    args.addAll(List.of("-p", "nopie", "--", "sh", "-c", "python3 " + OP + " " + d + " read & p=$!; sleep 2;"
                            + " grep '^State' /proc/$p/status; kill -9 $p"));
                    var r = Syd.run(args, null, Map.of(), Duration.ofSeconds(60));
                    // stopped: as a traced task, the stop is reported as a tracing stop
                    assertThat(r.out()).as(r.toString()).containsPattern("State:\t(T \\(stopped\\)|t \\(tracing stop\\))")
                            .doesNotContain("read ok");
                    assertThat(r.err()).contains(record);
                }
                case "abort" -> {
                    var r = op(policy, d, "read");
                    assertThat(r.status()).as(r.toString()).isEqualTo(128 + 6);
                    assertThat(r.err()).contains(record);
                }
                case "kill" -> {
                    var r = op(policy, d, "read");
                    assertThat(r.status()).as(r.toString()).isEqualTo(128 + 9);
                    assertThat(r.err()).contains(record);
                }
                case "exit" -> {
                    List<String> args = new ArrayList<>(policy);
                    args.addAll(List.of("-p", "nopie", "--", "sh", "-c", "python3 " + OP + " " + d + " read; sleep 5; echo after"));
                    var r = Syd.run(args, null, Map.of(), Duration.ofSeconds(60));
                    assertThat(r.status()).as(r.toString()).isEqualTo(13);
                    assertThat(r.out()).doesNotContain("after");
                }
                default -> throw new AssertionError(action);
            }
        }
    }

    /** The Landlock rights shown here, each with the call of the category of the same name (or "all": every one). */
    public static final List<String> LOCK_RIGHTS = List.of("read", "write", "exec", "create", "delete", "rename", "symlink",
            "truncate", "readdir", "mkdir", "rmdir", "mkbdev", "mkcdev", "mkfifo", "all");

    @Test
    void everyLandlockRightDecidesItsCall() throws Exception {
        List<String> everywhereButTmp = new ArrayList<>(List.of("-poff", "-m", "sandbox/lock:on"));
        try (var top = Files.list(Path.of("/"))) {
            for (Path p : top.filter(p -> !p.toString().equals("/tmp")).toList()) {
                everywhereButTmp.addAll(List.of("-m", "allow/lock/all+" + p));
            }
        }
        // The script must stay readable when /tmp lacks the right under test: a copy outside /tmp
        // (the project itself may be checked out under /tmp).
        Path outside = Files.createTempDirectory(Path.of("/var/tmp"), "jsyd-matrix-op");
        Path script = Files.copy(Path.of(OP), outside.resolve("category-op.py"));
        try {
            everyLandlockRight(everywhereButTmp, script.toString());
        } finally {
            Files.deleteIfExists(script);
            Files.deleteIfExists(outside);
        }
    }

    private void everyLandlockRight(List<String> everywhereButTmp, String script) throws Exception {
        for (String right : LOCK_RIGHTS) {
            String cat = right.equals("all") ? "read" : right;
            List<String> others = dev.jsyd.policy.Parser.LOCK_RIGHTS.stream()
                    .filter(r -> !r.equals(right) && !r.equals("all") && !r.equals("bind") && !r.equals("connect")).toList();
            List<String> policy = new ArrayList<>(everywhereButTmp);
            if (!right.equals("all")) policy.addAll(List.of("-m", "allow/lock/" + String.join(",", others) + "+/tmp"));
            Path d = fixture("lock-" + right);
            var r = op(policy, d, cat, script);
            assertThat(r.out()).as(right + " missing\n" + r).startsWith(cat + " ").isNotEqualTo(cat + " ok\n");
            Path d2 = fixture("lock-" + right + "-granted");
            r = op(concat(policy, "-m", "allow/lock/" + right + "+" + d2), d2, cat, script);
            assertThat(r.out()).as(right + " granted\n" + r).isEqualTo(cat + " ok\n");
        }
    }

    static List<String> concat(List<String> a, String... more) {
        List<String> out = new ArrayList<>(a);
        out.addAll(List.of(more));
        return out;
    }
}
