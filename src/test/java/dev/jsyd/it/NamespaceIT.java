package dev.jsyd.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Namespaces, mounts, root, names and clocks (syd(2) {@code unshare/*}, {@code bind},
 * {@code root}, {@code root/map}, {@code root/fake}, {@code name/host}, {@code name/domain},
 * {@code time}), checked against what the kernel shows the program, each compared with the same
 * command run natively.
 */
class NamespaceIT {
    /** The python3 these tests run may be Debian's /usr/bin/python3.11, which is not PIE (refused by default). */
    static final String NOPIE = "trace/allow_unsafe_exec_nopie:1";

    @TempDir Path tmp;

    static final List<String> NS = List.of("mnt", "uts", "ipc", "pid", "net", "cgroup", "time");

    static Syd.Result syd(String... args) throws Exception {
        return Syd.run(List.of(args), null, Map.of(), Duration.ofSeconds(60));
    }



    static String readlinks() {
        StringBuilder s = new StringBuilder();
        for (String n : NS) s.append("readlink /proc/self/ns/").append(n).append("; ");
        return s.toString();
    }

    @Test
    void everyNamespaceIsNewAndTheInodesDiffer() throws Exception {
        List<String> host = List.of(Syd.nativeSh(readlinks()).split("\n"));
        assertThat(host).hasSize(NS.size());
        var same = Syd.sh(List.of("-poff"), readlinks());
        assertThat(List.of(same.out().split("\n"))).as("without unshare the program shares the host's").isEqualTo(host);
        var r = Syd.sh(List.of("-poff", "-m", NOPIE, "-m", "unshare/mount,uts,ipc,pid,net,cgroup,time:on"), readlinks());
        assertThat(r.status()).as(r.toString()).isZero();
        List<String> inside = List.of(r.out().split("\n"));
        assertThat(inside).hasSize(NS.size());
        for (int i = 0; i < NS.size(); i++) {
            assertThat(inside.get(i)).as(NS.get(i)).startsWith(NS.get(i) + ":[").isNotEqualTo(host.get(i));
        }
        // The user namespace too, with the caller mapped to root by root/map.
        var u = Syd.sh(List.of("-poff", "-m", NOPIE, "-m", "unshare/user:on", "-m", "root/map:on"),
                "readlink /proc/self/ns/user; id -u; cat /proc/self/uid_map");
        assertThat(u.status()).as(u.toString()).isZero();
        String[] lines = u.out().split("\n");
        assertThat(lines[0]).isNotEqualTo(Syd.nativeSh("readlink /proc/self/ns/user").trim());
        assertThat(lines[1]).isEqualTo("0");
        assertThat(lines[2].trim().split("\\s+")).containsExactly("0", Syd.nativeSh("id -u").trim(), "1");
    }

    @Test
    void aTmpfsIsMountedInsideOnly() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("mnt"));
        String script = "grep ' " + dir + " ' /proc/self/mountinfo; echo inside > " + dir + "/file && cat " + dir + "/file";
        assertThat(Syd.nativeSh("grep ' " + dir + " ' /proc/self/mountinfo")).as("natively nothing is mounted there").isEmpty();
        var r = Syd.sh(List.of("-poff", "-m", NOPIE, "-m", "bind+tmpfs:" + dir + ":nodev,nosuid,size=1M"), script);
        assertThat(r.status()).as(r.toString()).isZero();
        assertThat(r.out()).matches("(?s)\\d+ \\d+ \\S+ / " + dir + " rw,nosuid,nodev\\S* - tmpfs tmpfs rw,size=1024k.*\ninside\n");
        assertThat(dir.resolve("file")).as("the host never saw the file").doesNotExist();
        // bind- removes the mount again, bind^ every one.
        for (String undo : List.of("bind-tmpfs:" + dir + ":nodev,nosuid,size=1M", "bind^")) {
            var none = Syd.sh(List.of("-poff", "-m", NOPIE, "-m", "bind+tmpfs:" + dir + ":nodev,nosuid,size=1M", "-m", undo),
                    "grep -c ' " + dir + " ' /proc/self/mountinfo");
            assertThat(none.out()).as(undo).isEqualTo("0\n");
        }
    }

    @Test
    void aReadOnlyBindRefusesWritesTheHostAllows() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("data"));
        assertThat(Syd.nativeSh("echo native > " + dir + "/a && cat " + dir + "/a")).isEqualTo("native\n");
        var r = Syd.sh(List.of("-poff", "-m", NOPIE, "-m", "bind+" + dir + ":" + dir + ":ro,noexec"),
                "cat " + dir + "/a; echo x > " + dir + "/b; echo rc=$?");
        assertThat(r.out()).isEqualTo("native\nrc=2\n");
        assertThat(r.err()).contains("Read-only file system");
        assertThat(dir.resolve("b")).doesNotExist();
        // A bind whose source does not exist is skipped.
        var skipped = Syd.sh(List.of("-poff", "-m", NOPIE, "-m", "bind+/nonexistent/jsyd:" + dir + ":ro"), "echo y > " + dir + "/c && echo ok");
        assertThat(skipped.out()).as(skipped.toString()).isEqualTo("ok\n");
    }

    @Test
    void hostAndDomainNamesAreSetInTheirOwnNamespace() throws Exception {
        String hostName = Syd.nativeSh("hostname").trim();
        var r = Syd.sh(List.of("-poff", "-m", NOPIE, "-m", "name/host:jsyd-box", "-m", "name/domain:jsyd-lan"),
                "hostname; cat /proc/sys/kernel/domainname");
        assertThat(r.out()).as(r.toString()).isEqualTo("jsyd-box\njsyd-lan\n");
        assertThat(Syd.nativeSh("hostname").trim()).as("the host keeps its name").isEqualTo(hostName).isNotEqualTo("jsyd-box");
    }

    @Test
    void aNetworkNamespaceHasOnlyLoopbackAndCannotReachTheHost() throws Exception {
        String ifaces = "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '";
        assertThat(Syd.nativeSh(ifaces)).as("the host has more than lo").isNotEqualTo("lo\n");
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            int port = server.getLocalPort();
            Thread accepter = Thread.ofPlatform().daemon().start(() -> {
                while (true) {
                    try {
                        server.accept().close();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            String connect = "python3 -c 'import socket; s=socket.socket(); s.settimeout(5)\n"
                    + "try:\n s.connect((\"127.0.0.1\", " + port + ")); print(\"connected\")\n"
                    + "except OSError as e: print(e.errno)'";
            assertThat(Syd.nativeSh(connect)).as("natively the host's listener is reachable").isEqualTo("connected\n");
            var r = Syd.sh(List.of("-poff", "-m", NOPIE, "-m", "unshare/net:on"), ifaces + "; cat /sys/class/net/lo/flags >/dev/null; " + connect);
            assertThat(r.out()).as(r.toString()).isEqualTo("lo\n111\n"); // ECONNREFUSED: lo is up, nobody listens there
            server.close();
            accepter.join(5000);
        }
    }

    @Test
    void aPidNamespaceShowsOnlyTheSandbox() throws Exception {
        // A host process with a secret in its environment: natively root reads it through /proc.
        Process victim = new ProcessBuilder("sleep", "60").start();
        try {
            long pid = victim.pid();
            String peek = "cat /proc/" + pid + "/cmdline | tr '\\0' ' '; echo";
            assertThat(Syd.nativeSh(peek)).isEqualTo("sleep 60 \n");
            // Every path call notified: the supervisor resolves /proc as the program sees it.
            var r = Syd.sh(List.of("-poff", "-m", NOPIE, "-m", "sandbox/read,stat,readdir:on", "-m", "allow/read,stat,readdir+/***",
                    "-m", Syd.NOTIFY_ALL, "-m", "unshare/mount,pid:on"),
                    "echo $$; readlink /proc/self; grep NSpid /proc/self/status; ls /proc | grep -c '^[0-9]'; " + peek
                    + "; echo x | cat /proc/self/fd/0");
            assertThat(r.out()).as(r.toString()).matches("1\n\\d+\nNSpid:\t\\d+\n[1-4]\n\nx\n");
            assertThat(r.err()).contains("/proc/" + pid + "/cmdline: No such file or directory");
        } finally {
            victim.destroyForcibly();
        }
    }

    @Test
    void execChecksAndTheRuntimeApiWorkInsideAPidNamespace() throws Exception {
        var r = Syd.sh(List.of("-poff", "-m", NOPIE, "-m", "lock:exec", "-m", "sandbox/exec:on", "-m", "allow/exec+/***",
                "-m", "deny/exec+/usr/bin/id", "-m", "unshare/mount,pid:on"),
                "test -c /dev/syd/sandbox/read:on && test -c '/dev/syd/sandbox/read?' && echo api; /usr/bin/id; echo rc=$?");
        assertThat(r.out()).as(r.toString()).isEqualTo("api\nrc=126\n");
        assertThat(r.err()).contains("\"cap\":\"exec\"").contains("\"path\":\"/usr/bin/id\"");
    }

    @Test
    void rootChangesTheProgramsRootAndRulesSeeItsPaths() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("root"));
        for (String d : List.of("usr", "bin", "lib", "lib64", "proc", "etc", "tmp")) Files.createDirectory(root.resolve(d));
        Files.writeString(root.resolve("marker"), "NEWROOT\n");
        Files.writeString(root.resolve("secret"), "SECRET\n");
        List<String> policy = new ArrayList<>(List.of("-poff", "-m", NOPIE, "-m", "sandbox/read:on", "-m", "allow/read+/***",
                "-m", "deny/read+/secret", "-m", "root:" + root, "-m", "unshare/pid:on"));
        for (String d : List.of("usr", "bin", "lib", "lib64")) policy.addAll(List.of("-m", "bind+/" + d + ":/" + d + ":ro"));
        policy.addAll(List.of("--", "/usr/bin/sh", "-c", "pwd; cat /marker; ls /proc | grep -c '^[0-9]'; cat /secret; echo rc=$?"));
        var r = Syd.run(policy, null, Map.of(), Duration.ofSeconds(60));
        assertThat(r.out()).as(r.toString()).matches("/\nNEWROOT\n[1-4]\nrc=1\n");
        assertThat(r.err()).contains("\"path\":\"/secret\"");
        assertThat(Files.readString(root.resolve("secret"))).isEqualTo("SECRET\n"); // natively readable
    }

    @Test
    void aTimeNamespaceShiftsTheBootClock() throws Exception {
        double nativeUptime = Double.parseDouble(Syd.nativeSh("cut -d' ' -f1 /proc/uptime").trim());
        assertThat(nativeUptime).isLessThan(86_400_000);
        var r = Syd.sh(List.of("-poff", "-m", NOPIE, "-m", "time:86400000"), "cut -d' ' -f1 /proc/uptime");
        assertThat(Double.parseDouble(r.out().trim())).as(r.toString()).isBetween(86_400_000 + nativeUptime - 60, 86_400_000 + nativeUptime + 600);
    }

    @Test
    void rootFakeReportsUidZeroToANonRootProgram() throws Exception {
        String asNobody = "setpriv --reuid=65534 --regid=65534 --clear-groups sh -c 'id -u; id -g'";
        // SafeSetID: root may become nobody only along setuid+/setgid+ rules.
        List<String> off = List.of("-poff", "-m", NOPIE, "-m", "setuid+0:65534", "-m", "setgid+0:65534");
        assertThat(Syd.sh(off, asNobody).out()).isEqualTo("65534\n65534\n");
        var r = Syd.sh(List.of("-poff", "-m", NOPIE, "-m", "setuid+0:65534", "-m", "setgid+0:65534", "-m", "root/fake:on"), asNobody);
        assertThat(r.out()).as(r.toString()).isEqualTo("0\n0\n");
    }

    @Test
    void containerProfileRunsARealShellScript() throws Exception {
        Path script = tmp.resolve("job.sh");
        Files.writeString(script, """
                #!/bin/sh
                set -e
                [ "$(hostname)" = localhost ]
                [ "$$" = 1 ]
                out=$(mktemp)
                seq 1 100 | sort -rn | head -3 > "$out"
                sh -c 'echo child $$'
                cat "$out"
                rm "$out"
                echo done
                """);
        var r = Syd.run(List.of("-poff", "-m", NOPIE, "-pcontainer", "--", "sh", script.toString()), null, Map.of(), Duration.ofSeconds(60));
        assertThat(r.status()).as(r.toString()).isZero();
        assertThat(r.out()).matches("child \\d+\n100\n99\n98\ndone\n");
    }

    @Test
    void withoutRootTheContainerProfileWorksThroughAUserNamespace() throws Exception {
        // The whole syd runs as nobody: the launcher creates a user namespace for the others.
        Path out = tmp.resolve("out");
        Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        List<String> cmd = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--",
                Syd.SYD.toString(), "-poff", "-pcontainer", "--", "sh", "-c",
                "echo $$ $(hostname) $(id -u) > " + out);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(log).isZero();
        assertThat(Files.readString(out)).isEqualTo("1 localhost 65534\n");
    }

    @Test
    void launchTimeSettingsAreRefusedAtRuntime() throws Exception {
        String py = "import os, sys\nfor c in sys.argv[1:]:\n try:\n  os.stat('/dev/syd/' + c); print('ok')\n"
                + " except OSError as e: print(e.errno)";
        var r = Syd.run(List.of("-poff", "-m", NOPIE, "-m", "lock:off", "-m", "sandbox/lock:on", "-m", "allow/lock/read,exec,readdir+/",
                "--", "python3", "-c", py, "unshare/net:on", "bind+tmpfs:/tmp", "rlimit/nofile:5", "name/host:x",
                "sandbox/lock:off", "allow/lock/write+/tmp", "default/lock:warn", "root/fake:on", "sandbox/read:on"),
                null, Map.of(), Duration.ofSeconds(60));
        // EBUSY for each launch-time setting; an ordinary runtime command still works.
        assertThat(r.out()).as(r.toString()).isEqualTo("16\n".repeat(8) + "ok\n");
    }

    @Test
    void theLauncherWaitingOutsideIsHidden() throws Exception {
        // A time namespace makes the launcher fork; the program's parent is the launcher, which is
        // not confined (no filter, no Landlock): natively a child reads its parent's /proc entries.
        String peek = "grep -c Name /proc/$PPID/status; head -c1 /proc/$PPID/mem >/dev/null; echo rc=$?";
        assertThat(Syd.nativeSh(peek)).startsWith("1\n");
        var r = Syd.sh(List.of("-poff", "-m", NOPIE, "-m", "sandbox/read,stat:on", "-m", "allow/read,stat+/***", "-m", Syd.NOTIFY_ALL,
                "-m", "time:10"), "[ \"$PPID\" -gt 1 ] && echo has-parent; " + peek);
        assertThat(r.out()).as(r.toString()).isEqualTo("has-parent\nrc=1\n");
        assertThat(r.err()).contains("No such file or directory");
    }
}
