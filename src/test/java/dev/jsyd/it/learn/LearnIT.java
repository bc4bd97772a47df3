package dev.jsyd.it.learn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.it.Syd;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Learning mode on real programs: {@code syd-learn} runs the program in trace mode and writes a
 * profile; the profile passes {@code syd-cat}; then the same program runs under the profile with
 * Syd's defaults (every category on, deny) and not one access is denied. Each replay runs in a
 * fresh copy of the working directory, so temporary names, pids and object names differ from the
 * learning run wherever the program makes them up.
 */
class LearnIT {
    @TempDir Path tmp;
    /** The last replay of {@link #learnAndReplay}. */
    private Syd.Result replayed;

    /** Learns {@code command} in {@code dir}, checks the profile, replays in {@code replayDir}: returns the profile. */
    private String learnAndReplay(Path dir, Path replayDir, Map<String, String> env, String... command) throws Exception {
        return learnAndReplay(dir, replayDir, env, List.of(), command);
    }

    /** {@code replayOptions}: syd options given at replay before the learned profile. */
    private String learnAndReplay(Path dir, Path replayDir, Map<String, String> env, List<String> replayOptions,
                                  String... command) throws Exception {
        Path profile = tmp.resolve("learned.syd-3");
        List<String> args = new ArrayList<>(List.of("-o", profile.toString(), "--"));
        args.addAll(List.of(command));
        Syd.Result learned = Tools.run(dir, env, "syd-learn", args.toArray(String[]::new));
        assertThat(learned.status()).as("learning run\n%s", learned).isZero();
        assertThat(learned.err()).contains("written to " + profile);
        assertThat(Tools.accessRecords(learned.err())).as("learning prints no log").isEmpty();
        String text = Files.readString(profile, StandardCharsets.ISO_8859_1);

        Syd.Result cat = Tools.run(dir, env, "syd-cat", profile.toString());
        assertThat(cat.status()).as("syd-cat\n%s", cat).isZero();

        List<String> replay = new ArrayList<>(replayOptions);
        replay.addAll(List.of("-P", profile.toString(), "--"));
        replay.addAll(List.of(command));
        Syd.Result r = Tools.run(replayDir, env, "syd", replay.toArray(String[]::new));
        List<String> denials = Tools.accessRecords(r.err());
        // The figures docs/LEARNING.md reports: profile size and denials on replay.
        System.out.printf("learn-measure %s: %s; profile %d lines, %d rules; replay denials %d%n", String.join(" ", command),
                learned.err().strip(), text.lines().count(), text.lines().filter(l -> l.startsWith("allow/")).count(),
                denials.size());
        assertThat(denials).as("denials on replay\n%s\n--- profile\n%s", r, text).isEmpty();
        assertThat(r.status()).as("replay\n%s", r).isZero();
        replayed = r;
        return text;
    }

    private Path dir(String name) throws Exception {
        return Files.createDirectories(tmp.resolve(name));
    }

    @Test
    void shellScriptWithTemporaryFilesPipesAndSubshells() throws Exception {
        String script = """
                #!/bin/sh
                set -e
                t=$(mktemp)
                grep -c root /etc/passwd > "$t"
                mkdir -p out/sub
                for i in 1 2 3 4 5 6 7; do echo "line $i" > "out/sub/f$i.txt"; done
                cat out/sub/*.txt | sort | uniq | wc -l > out/count
                ls -la out > /dev/null
                d=$(mktemp -d)
                echo x > "$d/inner"
                rm -r "$d" "$t"
                (cd out && test -s count)
                date +%s > /dev/null
                """;
        Path a = dir("a"), b = dir("b");
        Files.writeString(a.resolve("job.sh"), script);
        Files.writeString(b.resolve("job.sh"), script);
        String profile = learnAndReplay(a, b, Map.of(), "sh", "job.sh");
        assertThat(profile).contains("${SYD_PWD}/job.sh").containsPattern("allow/[a-z,]*exec[a-z,]*\\+/usr/bin/dash")
                .contains("+/tmp/*\n"); // mktemp's names became patterns
        assertThat(Files.readString(b.resolve("out/count")).strip()).isEqualTo("7");
    }

    @Test
    void pythonInAVenv() throws Exception {
        Path python = Tools.require("python3");
        Path a = dir("a"), b = dir("b");
        String program = """
                import json, sqlite3, tempfile, os, subprocess
                with tempfile.NamedTemporaryFile('w', delete=False, suffix='.json') as f:
                    json.dump({'a': 1}, f)
                db = sqlite3.connect('data.db')
                db.execute('create table if not exists t (x)')
                db.execute('insert into t values (42)')
                db.commit()
                print(json.load(open(f.name))['a'], db.execute('select count(*) from t').fetchone()[0])
                os.unlink(f.name)
                print(subprocess.run(['uname', '-s'], capture_output=True, text=True).stdout.strip())
                """;
        for (Path d : List.of(a, b)) {
            Files.writeString(d.resolve("app.py"), program);
            Syd.Result venv = Tools.exec(d, Map.of(), List.of(python.toString(), "-m", "venv", "venv"), Duration.ofSeconds(120));
            assertThat(venv.status()).as("python3 -m venv\n%s", venv).isZero();
        }
        // Debian 12's python3.11 is not PIE: the replay gives the switch, as for make below.
        String profile = learnAndReplay(a, b, Map.of(), List.of("-m", "trace/allow_unsafe_exec_nopie:1"), "venv/bin/python", "app.py");
        assertThat(profile).contains("${SYD_PWD}/venv").containsPattern("allow/[a-z,]*exec[a-z,]*\\+/usr/bin/uname");
    }

    /** A repository with fixed dates and contents, so that its objects are the same wherever it is made. */
    private static final Map<String, String> GIT_ENV = Map.of("GIT_AUTHOR_DATE", "2024-01-01T00:00:00Z",
            "GIT_COMMITTER_DATE", "2024-01-01T00:00:00Z", "GIT_AUTHOR_NAME", "t", "GIT_AUTHOR_EMAIL", "t@example.org",
            "GIT_COMMITTER_NAME", "t", "GIT_COMMITTER_EMAIL", "t@example.org", "GIT_CONFIG_NOSYSTEM", "1");

    @Test
    void gitOnALocalRepository() throws Exception {
        Path git = Tools.require("git");
        Path a = dir("a"), b = dir("b");
        for (Path d : List.of(a, b)) {
            Files.writeString(d.resolve("a.txt"), "one\n");
            // Older than the index git writes next: no "racily clean" entry, whose refresh by `git status`
            // (index written, or the lock only unlinked) would depend on the clock tick of each setup.
            Files.setLastModifiedTime(d.resolve("a.txt"), java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 10_000));
            for (List<String> c : List.of(List.of("init", "-q", "-b", "main"), List.of("add", "a.txt"),
                    List.of("commit", "-qm", "first"))) {
                List<String> cmd = new ArrayList<>(List.of(git.toString()));
                cmd.addAll(c);
                assertThat(Tools.exec(d, GIT_ENV, cmd, Duration.ofSeconds(60)).status()).isZero();
            }
        }
        String profile = learnAndReplay(a, b, GIT_ENV, "sh", "-c",
                "git status --short && echo two >> a.txt && git add a.txt && git commit -qm second && git log --oneline | wc -l");
        assertThat(profile).contains("${SYD_PWD}/.git");
        assertThat(Files.readString(b.resolve("a.txt"))).isEqualTo("one\ntwo\n");
    }

    @Test
    void makeOfASmallCProject() throws Exception {
        Tools.require("make");
        Tools.require("gcc");
        Path a = dir("a"), b = dir("b");
        for (Path d : List.of(a, b)) {
            Files.writeString(d.resolve("Makefile"), """
                    OBJS = main.o util.o extra.o
                    app: $(OBJS)
                    \t$(CC) -o $@ $(OBJS)
                    %.o: %.c util.h
                    \t$(CC) -O1 -c -o $@ $<
                    """);
            Files.writeString(d.resolve("util.h"), "int twice(int);\nint thrice(int);\n");
            Files.writeString(d.resolve("util.c"), "#include \"util.h\"\nint twice(int x) { return 2 * x; }\n");
            Files.writeString(d.resolve("extra.c"), "#include \"util.h\"\nint thrice(int x) { return 3 * x; }\n");
            Files.writeString(d.resolve("main.c"), "#include <stdio.h>\n#include \"util.h\"\n"
                    + "int main(void) { printf(\"%d\\n\", twice(thrice(7))); return 0; }\n");
        }
        // Debian's gcc and cc1 are not PIE: the learning run saw the refusal the replay would make,
        // so the profile carries the switch, after the calls that needed it.
        String profile = learnAndReplay(a, b, Map.of(), "sh", "-c", "make -s && ./app");
        assertThat(profile).containsPattern("# needed by [^\n]*\ntrace/allow_unsafe_exec_nopie:1\n");
        assertThat(profile).containsPattern("allow/[a-z,]*exec[a-z,]*\\+/usr/bin/make").contains("${SYD_PWD}/app");
        assertThat(Files.exists(b.resolve("app"))).isTrue();
    }

    @Test
    void curlFetchFromALocalHttpServer() throws Exception {
        Path python = Tools.require("python3");
        Tools.require("curl");
        Path site = dir("site"), a = dir("a"), b = dir("b");
        Files.writeString(site.resolve("hello.txt"), "hello from the server\n");
        Process server = new ProcessBuilder(python.toString(), "-u", "-m", "http.server", "0", "--bind", "127.0.0.1")
                .directory(site.toFile()).redirectErrorStream(true).start();
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            Matcher m = null;
            for (String line; (line = lines.readLine()) != null; ) {
                m = Pattern.compile("port (\\d+)").matcher(line);
                if (m.find()) break;
            }
            assertThat(m).as("http.server announced its port").isNotNull();
            String port = m.group(1);
            Thread.ofVirtual().start(() -> lines.lines().forEach(l -> { })); // keep its output flowing
            String url = "http://127.0.0.1:" + port + "/hello.txt";
            String profile = learnAndReplay(a, b, Map.of(), "curl", "-sS", "-o", "got.txt", url);
            assertThat(profile).contains("allow/net/connect+127.0.0.1!" + port);
            assertThat(Files.readString(b.resolve("got.txt"))).isEqualTo("hello from the server\n");
        } finally {
            server.destroyForcibly();
            server.waitFor();
        }
    }

    /** {@code profile} without the line {@code command}, written next to it. */
    private Path without(String profile, String command) throws Exception {
        assertThat(profile).contains("\n" + command + "\n");
        Path p = tmp.resolve("without.syd-3");
        Files.writeString(p, profile.replace("\n" + command + "\n", "\n"), StandardCharsets.ISO_8859_1);
        return p;
    }

    /**
     * A JIT: the JVM makes memory executable after writing code into it, which W^X (MDWE, set by
     * the launcher) refuses. Natively it runs; under Syd's protections it cannot start; learning
     * records the W^X breaks and writes {@code trace/allow_unsafe_memory:1} with the calls that
     * needed it; the replay gives the same output with no denial, and without that line it fails again.
     */
    @Test
    void aJitLearnsTheWxSwitchItNeeds() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path a = dir("a"), b = dir("b");
        Syd.Result nat = Tools.exec(a, Map.of(), List.of(java, "-version"), Duration.ofSeconds(60));
        assertThat(nat.status()).as("natively\n%s", nat).isZero();
        String version = nat.err().lines().findFirst().orElseThrow();
        Syd.Result guarded = Tools.run(a, Map.of(), "syd", "-poff", "--", java, "-version");
        assertThat(guarded.status()).as("under W^X\n%s", guarded).isNotZero();
        // HotSpot reports errors during its initialisation on stdout.
        assertThat(guarded.out()).contains("Failed to mark memory page as executable");
        assertThat(guarded.err()).doesNotContain(version);

        String profile = learnAndReplay(a, b, Map.of(), java, "-version");
        assertThat(profile).containsPattern("# kernel-side, needed by (mmap|mprotect) \\(W\\^X: [^\n]*(once|times)[^\n]*\ntrace/allow_unsafe_memory:1\n");
        assertThat(replayed.err()).contains(version);

        Syd.Result without = Tools.run(b, Map.of(), "syd", "-P", without(profile, "trace/allow_unsafe_memory:1").toString(),
                "--", java, "-version");
        assertThat(without.status()).as("without the switch\n%s", without).isNotZero();
        assertThat(without.out()).contains("Failed to mark memory page as executable");
    }

    /**
     * Refused rows (io_uring, keyring) and refusing argument rules (personality, namespaces) of the
     * filter, and both kinds of W^X break: each works natively, is refused under Syd, is learned
     * as its switch, and runs under the learned profile.
     */
    @Test
    void refusedRowsAndRulesAreLearnedAsTheirSwitches() throws Exception {
        Tools.require("unshare");
        String probe = Syd.probe("kernel-switches").toString();
        String script = probe + " wx-mmap wx-gain personality uring keyring && unshare -U -m true";
        Path a = dir("a"), b = dir("b");
        Syd.Result nat = Tools.exec(a, Map.of(), List.of("sh", "-c", script), Duration.ofSeconds(60));
        assertThat(nat.status()).as("natively\n%s", nat).isZero();
        Syd.Result guarded = Tools.run(a, Map.of(), "syd", "-poff", "--", probe, "wx-mmap", "wx-gain", "personality",
                "uring", "keyring");
        assertThat(guarded.out()).contains("wx-mmap: EACCES", "wx-gain: EACCES", "personality: EPERM", "uring: EPERM",
                "keyring: EPERM");
        assertThat(Tools.run(a, Map.of(), "syd", "-poff", "--", "unshare", "-U", "-m", "true").status()).isNotZero();
        // Trace mode (-x) is not learning: the kernel-side protections stay.
        Syd.Result traced = Tools.run(a, Map.of(), "syd", "-x", "--", probe, "wx-gain", "uring");
        assertThat(traced.out()).contains("wx-gain: EACCES", "uring: EPERM");

        String profile = learnAndReplay(a, b, Map.of(), "sh", "-c", script);
        assertThat(replayed.out()).contains("wx-mmap ok", "wx-gain ok", "personality ok", "uring ok", "keyring ok");
        assertThat(profile).contains("mmap (W^X: memory both writable and executable), once; mprotect (W^X: memory made"
                + " executable after it was mapped), once\ntrace/allow_unsafe_memory:1\n")
                .contains("needed by personality (").contains("\ntrace/allow_unsafe_personality:1\n")
                .contains("needed by io_uring_setup (").contains("\ntrace/allow_unsafe_iouring:1\n")
                .contains("needed by keyctl (").contains("\ntrace/allow_unsafe_keyring:1\n")
                .contains("\ntrace/allow_unsafe_namespace:mount,user\n");
        Syd.Result without = Tools.run(b, Map.of(), "syd", "-P", without(profile, "trace/allow_unsafe_iouring:1").toString(),
                "--", "sh", "-c", script);
        assertThat(without.out()).contains("uring: EPERM");
    }

    @Test
    void mergingAddsOnlyWhatIsNewAndPandorasSpellingWorks() throws Exception {
        Path d = dir("m");
        Files.writeString(d.resolve("one.txt"), "1\n");
        Files.writeString(d.resolve("two.txt"), "2\n");
        Path profile = tmp.resolve("merged.syd-3");
        Syd.Result first = Tools.run(d, Map.of(), "pandora", "profile", "-o", profile.toString(), "--", "cat", "one.txt");
        assertThat(first.status()).as("%s", first).isZero();
        String before = Files.readString(profile, StandardCharsets.ISO_8859_1);
        assertThat(before).contains("allow/stat,read+${SYD_PWD}/one.txt").doesNotContain("two.txt");

        Syd.Result second = Tools.run(d, Map.of(), "syd-learn", "-i", profile.toString(), "-o", profile.toString(),
                "--", "cat", "two.txt");
        assertThat(second.status()).as("%s", second).isZero();
        String after = Files.readString(profile, StandardCharsets.ISO_8859_1);
        assertThat(after).startsWith(before);
        String added = after.substring(before.length());
        assertThat(added).contains("# ---- added by syd-learn").contains("${SYD_PWD}/two.txt")
                .doesNotContain("/usr/bin/cat").doesNotContain("libc.so");
        for (String f : List.of("one.txt", "two.txt")) {
            Syd.Result r = Tools.run(d, Map.of(), "syd", "-P", profile.toString(), "--", "cat", f);
            assertThat(Tools.accessRecords(r.err())).as("%s", r).isEmpty();
            assertThat(r.status()).isZero();
        }
        // A third run that needs nothing new adds nothing but its header line.
        Syd.Result third = Tools.run(d, Map.of(), "syd-learn", "-i", profile.toString(), "-o", profile.toString(),
                "--", "cat", "one.txt");
        assertThat(third.status()).isZero();
        String again = Files.readString(profile, StandardCharsets.ISO_8859_1);
        assertThat(again.substring(after.length()).lines().filter(l -> l.startsWith("allow/")).toList()).isEmpty();
        Map<String, String> none = new HashMap<>();
        assertThat(Tools.run(d, none, "syd-cat", profile.toString()).status()).isZero();
    }
}
