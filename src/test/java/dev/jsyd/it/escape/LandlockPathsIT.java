package dev.jsyd.it.escape;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.it.Syd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code trace/allow_unsafe_landlock_paths}: the read-side rules of a policy like the bench's
 * POLICY_REAL compiled into a Landlock layer, so read-only opens are decided by the kernel (no
 * notification: no log record, EACCES where Syd answers ENOENT for a hidden path), while
 * everything the layer cannot decide stays with the supervisor.
 */
class LandlockPathsIT {
    static final String SWITCH = "trace/allow_unsafe_landlock_paths";
    static final Map<String, String> ENV = Map.of("PATH", "/usr/bin:/bin", "LC_ALL", "C");

    @TempDir Path tmp;

    /** POLICY_REAL with its secrets in {@code t}: a file hidden from read and stat, a tree from read, stat and readdir, an exec deny. */
    static List<String> real(Path t, boolean on) {
        List<String> p = new ArrayList<>();
        for (String m : List.of("allow/read,stat,exec,readdir,chdir,walk+/***", "deny/read,stat+" + t + "/secret",
                "deny/read,stat,readdir+" + t + "/hidden/***", "deny/exec+" + t + "/bin/tool",
                "allow/write,create,delete,truncate,rename,mkdir,rmdir,symlink,chmod,utime+" + t + "/w/***",
                // t is on the way to the secrets: its entries, t/w itself among them, stay as they are
                "deny/create,delete,rename,mkdir,rmdir,symlink+" + t + "/w",
                "allow/write,create,truncate+/dev/null", "trace/allow_unsafe_landlock_paths:" + (on ? 1 : 0))) {
            p.addAll(List.of("-m", m));
        }
        return p;
    }

    /** t/secret, t/pub, t/sub/x, t/hidden/f, t/bin/tool (a copy of true), t/w (writable). */
    Path tree() throws Exception {
        Path t = tmp.toRealPath();
        Files.writeString(t.resolve("secret"), "SECRET\n");
        Files.writeString(t.resolve("pub"), "PUBLIC\n");
        Files.createDirectories(t.resolve("sub"));
        Files.writeString(t.resolve("sub/x"), "SUBX\n");
        Files.createDirectories(t.resolve("hidden"));
        Files.writeString(t.resolve("hidden/f"), "HIDDEN\n");
        Files.createDirectories(t.resolve("bin"));
        Files.copy(Path.of("/bin/true"), t.resolve("bin/tool"));
        Files.setPosixFilePermissions(t.resolve("bin/tool"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(t.resolve("w"));
        return t;
    }

    static Syd.Result sh(List<String> policy, String script) throws Exception {
        List<String> args = new ArrayList<>(policy);
        args.addAll(List.of("--", "sh", "-c", script));
        return Syd.run(args, null, ENV, java.time.Duration.ofSeconds(90));
    }

    static final String SCRIPT = """
            cd %1$s
            cat secret; echo "secret=$?"
            cat hidden/f; echo "hiddenf=$?"
            cat pub sub/x /etc/passwd >/dev/null && echo siblings-read
            cat pub sub/x
            ls | tr '\\n' ' '; echo
            ls sub; ls hidden; echo "lshidden=$?"
            echo made > w/new && cat w/new
            ./bin/tool; echo "tool=$?"
            """;

    @Test
    void readsOfARealPolicyAreDecidedByTheKernel() throws Exception {
        Path t = tree();
        String script = SCRIPT.formatted(t);
        assertThat(Syd.nativeSh("cat " + t + "/secret " + t + "/hidden/f")).isEqualTo("SECRET\nHIDDEN\n");

        // Without the switch: the supervisor answers every open, hidden paths look absent, each denial logged.
        var before = sh(real(t, false), script);
        assertThat(before.status()).as(before.toString()).isZero();
        assertThat(before.out()).contains("secret=1", "hiddenf=1", "siblings-read", "PUBLIC\nSUBX\n", "bin pub sub w \n",
                "x\n", "lshidden=2", "made\n", "tool=126").doesNotContain("SECRET\n", "HIDDEN\n");
        assertThat(before.err()).contains("cat: secret: No such file or directory", "cat: hidden/f: No such file or directory");
        assertThat(before.err()).contains("\"path\":\"" + t + "/secret\"", "\"path\":\"" + t + "/hidden/f\"");

        // With it: the same decisions; the kernel refuses the reads (EACCES, nothing logged).
        var after = sh(real(t, true), script);
        assertThat(after.status()).as(after.toString()).isZero();
        assertThat(after.out()).contains("secret=1", "hiddenf=1", "siblings-read", "PUBLIC\nSUBX\n", "bin pub sub w \n",
                "x\n", "lshidden=2", "made\n", "tool=126").doesNotContain("SECRET\n", "HIDDEN\n");
        assertThat(after.err()).contains("cat: secret: Permission denied", "cat: hidden/f: Permission denied",
                "ls: cannot access 'hidden': No such file or directory");
        assertThat(after.err()).as("the kernel's denials are not logged")
                .doesNotContain("\"path\":\"" + t + "/secret\"", "\"path\":\"" + t + "/hidden/f\"");
        // the exec deny is still the supervisor's: refused and logged
        assertThat(after.err()).contains("\"cap\":\"exec\"", "\"path\":\"" + t + "/bin/tool\"");
    }

    @Test
    void anEntryCreatedAfterStartNextToACarveOutIsRefused() throws Exception {
        // The documented difference: the layer's rules are laid on the entries a directory on the
        // way to a carve-out has at start; one made later by a process outside the sandbox (here
        // t/late, t being the secret's parent) is covered by none. New files beneath an allowed
        // subtree (t/w) are covered.
        Path t = tree();
        for (boolean on : new boolean[] {false, true}) {
            Path late = t.resolve("late" + on), ready = t.resolve("w/ready" + on);
            Thread outside = new Thread(() -> {
                try {
                    for (int i = 0; i < 600 && !Files.exists(ready); i++) Thread.sleep(50);
                    Files.writeString(late, "late\n");
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            outside.start();
            String script = "echo new > " + ready + " && cat " + ready + "; i=0; while [ ! -s " + late + " ] && [ $i -lt 300 ];"
                    + " do sleep 0.1; i=$((i+1)); done; cat " + late + "; echo late=$?";
            var r = sh(real(t, on), script);
            outside.join();
            assertThat(r.out()).as(r.toString()).contains("new\n").contains(on ? "late=1" : "late\nlate=0");
            if (on) assertThat(r.err()).contains("cat: " + late + ": Permission denied");
        }
    }

    @Test
    void aPolicyThatLetsTheProgramChangeTheListedEntriesKeepsTheReadsWithTheSupervisor() throws Exception {
        // With create allowed in t (on the way to the secret), a file the program renamed into
        // place would be read with the rule of its old name: nothing is translated.
        Path t = tree();
        List<String> p = new ArrayList<>(real(t, true));
        p.addAll(List.of("-m", "allow/create,rename,delete+" + t + "/***", "-m", "deny/read+" + t + "/moved"));
        var r = sh(p, "mv " + t + "/pub " + t + "/moved; cat " + t + "/moved; echo moved=$?; cat " + t + "/secret");
        assertThat(r.out()).as(r.toString()).contains("moved=1").doesNotContain("PUBLIC", "SECRET");
        assertThat(r.err()).contains("read rules stay with the supervisor: create may change the entries of " + t.getParent(), // t itself is one
                "\"path\":\"" + t + "/moved\"", "cat: " + t + "/secret: No such file or directory");
    }

    @Test
    void rulesOnPathsThatCannotBeOpenedAreSkipped() throws Exception {
        Path t = tree();
        List<String> p = new ArrayList<>(real(t, true));
        // beneath a file (ENOTDIR), through a symbolic link (ELOOP), missing (ENOENT)
        Files.createSymbolicLink(t.resolve("link"), t.resolve("sub"));
        p.addAll(List.of("-m", "deny/read+" + t + "/pub/x", "-m", "deny/read+" + t + "/link/x", "-m", "deny/read+" + t + "/none/x",
                "-m", "deny/read+" + t + "/sub/x/***", "-m", "allow/read+" + t + "/sub/x/y/***"));
        var r = sh(p, "cat " + t + "/pub; cat " + t + "/sub/x; echo x=$?; cat " + t + "/secret; echo secret=$?");
        assertThat(r.out()).as(r.toString()).contains("PUBLIC\n", "x=1", "secret=1").doesNotContain("SECRET", "SUBX");
    }

    @Test
    void withSandboxLockBothLayersHold() throws Exception {
        Path t = tree();
        Files.writeString(t.resolve("unlocked"), "UNLOCKED\n");
        List<String> p = new ArrayList<>(real(t, true));
        for (String d : List.of("/usr", "/lib", "/lib64", "/bin", "/etc", t + "/pub", t + "/secret")) {
            p.addAll(List.of("-m", "allow/lock/read,exec,readdir+" + d));
        }
        p.addAll(List.of("-m", "sandbox/lock:on", "-m", "allow/lock/read,write+/dev/null"));
        var r = sh(p, "cat " + t + "/pub; cat " + t + "/unlocked; echo unlocked=$?; cat " + t + "/secret; echo secret=$?");
        assertThat(r.out()).as(r.toString()).contains("PUBLIC", "unlocked=1", "secret=1").doesNotContain("UNLOCKED", "SECRET");
        // sandbox/lock refuses what it does not grant; the translation refuses what the policy denies
        assertThat(r.err()).contains("cat: " + t + "/unlocked: Permission denied", "cat: " + t + "/secret: Permission denied");
    }

    @Test
    void aGlobRuleKeepsTheReadsWithTheSupervisor() throws Exception {
        Path t = tree();
        Files.writeString(t.resolve("a.key"), "KEY\n");
        List<String> p = new ArrayList<>(real(t, true));
        p.addAll(List.of("-m", "deny/read+" + t + "/*.key"));
        var r = sh(p, "cat " + t + "/a.key; echo key=$?; cat " + t + "/secret; cat " + t + "/pub");
        assertThat(r.out()).as(r.toString()).contains("key=1", "PUBLIC").doesNotContain("KEY\n", "SECRET");
        assertThat(r.err()).contains("read rules stay with the supervisor", "\"path\":\"" + t + "/a.key\"",
                "cat: " + t + "/secret: No such file or directory");
    }

    @Test
    void traceModeAndAnUnlockedSandboxRefuseTheSwitch() throws Exception {
        Path t = tree();
        List<String> x = new ArrayList<>(List.of("-x"));
        x.addAll(real(t, true));
        var r = sh(x, "cat " + t + "/pub");
        assertThat(r.status()).as(r.toString()).isEqualTo(22);
        assertThat(r.err()).contains(SWITCH + " cannot be used in trace or learning mode").doesNotContain("PUBLIC");
        List<String> off = new ArrayList<>(real(t, true));
        off.addAll(List.of("-m", "lock:exec"));
        r = sh(off, "cat " + t + "/pub");
        assertThat(r.status()).as(r.toString()).isEqualTo(22);
        assertThat(r.err()).contains(SWITCH + " needs lock:on");
    }

    /**
     * {@link Escape#readPolicy} with the switch: read decided by the kernel. The categories that
     * add, remove or rename entries are on and allow only beneath {@code work} (not {@code work}
     * itself): the secret's directory keeps the entries the layer's rules are laid on.
     */
    static List<String> readPolicy(Path secret, Path work) {
        List<String> p = new ArrayList<>(Escape.readPolicy(secret));
        String changers = "create,delete,rename,symlink,mkdir,rmdir,mkbdev,mkcdev,mkfifo,mktemp";
        p.addAll(List.of("-m", "sandbox/" + changers + ":on", "-m", "allow/" + changers + "+" + work + "/***",
                "-m", "deny/" + changers + "+" + work, "-m", "trace/allow_unsafe_landlock_paths:1"));
        return p;
    }

    @Test
    void symlinkAndPathBufferRacesNeverReadTheDeniedFile() throws Exception {
        Path d = Escape.files(tmp), w = Files.createDirectories(d.resolve("w"));
        String[] link = {Escape.probe(), "symlink-race", d.resolve("allowed").toString(), d.resolve("secretx").toString(),
            w.resolve("link").toString(), "3"};
        String[] buffer = {Escape.probe(), "path-race", d.resolve("allowed").toString(), d.resolve("secretx").toString(), "3"};
        for (String[] attack : List.of(link, buffer)) {
            assertThat(Escape.raceCounts(Escape.nativeRun(attack).out())[0]).as("natively the race reaches the secret").isPositive();
            var r = Escape.syd(readPolicy(d.resolve("secretx"), w), attack);
            assertThat(r.status()).as(r.toString()).isZero();
            long[] c = Escape.raceCounts(r.out());
            assertThat(c[0]).as("secret reads under syd: " + r.out()).isZero();
            assertThat(c[1]).as("allowed opens went through").isPositive();
            assertThat(c[2]).as("denied opens were refused").isPositive();
            assertThat(r.err()).as("refused by the kernel, not logged").doesNotContain("\"path\":\"" + d.resolve("secretx"))
                    .doesNotContain("read rules stay with the supervisor");
        }
    }

    @Test
    void anotherProcessesFilesStayOutOfReach() throws Exception {
        Path d = Escape.files(tmp);
        Files.writeString(d.resolve("gone"), "SECRET\n");
        Process holder = new ProcessBuilder("sh", "-c", "exec 3<" + d.resolve("secretx") + " 4<" + d.resolve("gone")
                + "; rm " + d.resolve("gone") + "; echo ready; exec sleep 60").start();
        try {
            assertThat(new String(holder.getInputStream().readNBytes(6))).isEqualTo("ready\n");
            long h = holder.pid();
            String probe = Escape.probe();
            for (String f : new String[] {"/fd/3", "/fd/4", "/root" + d + "/secretx", "/environ", "/mem"}) {
                String nat = Escape.nativeRun(probe, "read", "/proc/" + h + f).out();
                // natively every one opens (mem too: its read fails at offset 0, which is not mapped)
                if (f.equals("/mem")) assertThat(nat).as(f).isEqualTo("err EIO\n");
                else if (f.equals("/environ")) assertThat(nat).as(f).startsWith("ok ");
                else assertThat(nat).as(f).isEqualTo("ok SECRET\n");
                var r = Escape.syd(readPolicy(d.resolve("secretx"), d.resolve("w")), probe, "read", "/proc/" + h + f);
                assertThat(r.err()).as(r.toString()).doesNotContain("read rules stay with the supervisor");
                assertThat(r.out()).as(r.toString()).isIn("err EACCES\n", "err ENOENT\n");
            }
        } finally {
            holder.destroyForcibly();
            holder.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
