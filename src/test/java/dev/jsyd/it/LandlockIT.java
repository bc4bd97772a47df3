package dev.jsyd.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lock sandboxing: {@code sandbox/lock:on} and {@code allow/lock/RIGHT+PATH|PORTS} enforced by
 * Landlock in the launcher. Each right of ABI 7 is shown on a real operation: natively it works
 * on two targets; under syd only the target the right was granted on works, the other is refused
 * by the kernel.
 */
class LandlockIT {
    /** The python3 these tests run may be Debian's /usr/bin/python3.11, which is not PIE (refused by default). */
    static final String NOPIE = "trace/allow_unsafe_exec_nopie:1";

    @TempDir Path tmp;

    /** Runs one operation on each target and prints ok or the errno name, one line per target. */
    static final String OP = """
            import errno, fcntl, os, socket, stat, subprocess, sys
            def run(op, t):
                try:
                    if op == 'read': open(t).read()
                    elif op == 'write': os.close(os.open(t, os.O_WRONLY))
                    elif op == 'exec':
                        r = subprocess.run([t])
                        if r.returncode: return 'rc%d' % r.returncode
                    elif op == 'ioctl': fcntl.ioctl(os.open(t, os.O_RDONLY), 0x5401, bytes(64))
                    elif op == 'create': os.mknod(t, 0o600 | stat.S_IFREG)
                    elif op == 'delete': os.unlink(t)
                    elif op == 'rename': os.rename(t + '/a/f', t + '/b/f')
                    elif op == 'symlink': os.symlink('x', t)
                    elif op == 'truncate': os.truncate(t, 0)
                    elif op == 'readdir': os.listdir(t)
                    elif op == 'mkdir': os.mkdir(t)
                    elif op == 'rmdir': os.rmdir(t)
                    elif op == 'mkbdev': os.mknod(t, 0o600 | stat.S_IFBLK, os.makedev(7, 0))
                    elif op == 'mkcdev': os.mknod(t, 0o600 | stat.S_IFCHR, os.makedev(1, 3))
                    elif op == 'mkfifo': os.mkfifo(t)
                    elif op == 'bind' and t.isdigit():
                        s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', int(t)))
                    elif op == 'bind': socket.socket(socket.AF_UNIX).bind(t)
                    elif op == 'connect': socket.create_connection(('127.0.0.1', int(t)), timeout=5).close()
                    return 'ok'
                except OSError as e:
                    return errno.errorcode[e.errno]
            for t in sys.argv[2:]: print(run(sys.argv[1], t))
            """;

    /** What Python and the shell need to run at all under Landlock. */
    static List<String> system(Path script) {
        List<String> m = new ArrayList<>();
        for (String d : List.of("/usr", "/lib", "/lib64", "/bin", "/etc")) {
            m.addAll(List.of("-m", "allow/lock/read,exec,readdir+" + d));
        }
        m.addAll(List.of("-m", "allow/lock/read+" + script, "-m", "allow/lock/read,write+/dev/null"));
        return m;
    }

    Path script() throws IOException {
        Path s = tmp.resolve("op.py");
        Files.writeString(s, OP);
        return s;
    }

    /** A host process (outside any sandbox) listening on the abstract UNIX socket {@code name}. */
    static Process abstractListener(String name) throws Exception {
        Process p = new ProcessBuilder("python3", "-c", "import socket\n"
                + "s = socket.socket(socket.AF_UNIX); s.bind('\\0" + name + "'); s.listen(5); print('up', flush=True)\n"
                + "while True: s.accept()[0].close()").start();
        assertThat(new String(p.getInputStream().readNBytes(3))).isEqualTo("up\n");
        return p;
    }

    static String nativeRun(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out;
    }

    /** Creates the targets of {@code right} under {@code dir}: what the operation acts on. */
    static Path target(String right, Path dir) throws IOException {
        Files.createDirectories(dir);
        Path f = dir.resolve("f");
        switch (right) {
            case "read", "write", "delete", "truncate" -> Files.writeString(f, "data\n");
            case "exec" -> {
                Files.copy(Path.of("/usr/bin/true"), f);
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            case "rename" -> {
                Files.createDirectories(dir.resolve("a"));
                Files.createDirectories(dir.resolve("b"));
                Files.writeString(dir.resolve("a/f"), "data\n");
                return dir;
            }
            case "readdir" -> { return dir; }
            case "rmdir" -> Files.createDirectory(f);
            default -> { }
        }
        return f;
    }

    static final List<String> PATH_RIGHTS = List.of("read", "write", "exec", "ioctl", "create", "delete", "rename",
            "symlink", "truncate", "readdir", "mkdir", "rmdir", "mkbdev", "mkcdev", "mkfifo", "bind");

    /**
     * Every right, decided by the kernel alone, and again with every call notified (the supervisor
     * emulates it). ioctl is the kernel's only: ioctl is never notified, and a device the supervisor
     * opened carries no Landlock ioctl check (docs/ESCAPES.md, open).
     */
    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> rights() {
        return java.util.stream.Stream.of(false, true).flatMap(n -> PATH_RIGHTS.stream()
                .filter(r -> !n || !r.equals("ioctl")).map(r -> org.junit.jupiter.params.provider.Arguments.of(r, n)));
    }

    @ParameterizedTest(name = "{0}, notified={1}")
    @org.junit.jupiter.params.provider.MethodSource("rights")
    void eachPathRightAllowsOnlyWhereGranted(String right, boolean notified) throws Exception {
        Path script = script();
        String yes, no;
        if (right.equals("ioctl")) {
            yes = "/dev/null";
            no = "/dev/zero";
        } else {
            yes = target(right, tmp.resolve("yes")).toString();
            no = target(right, tmp.resolve("no")).toString();
        }
        String expectYes = right.equals("ioctl") ? "ENOTTY" : "ok";
        // Natively (a copy of the targets) the operation works on both.
        if (!right.equals("ioctl")) {
            String a = target(right, tmp.resolve("native1")).toString(), b = target(right, tmp.resolve("native2")).toString();
            assertThat(nativeRun(List.of("python3", script.toString(), right, a, b))).isEqualTo(expectYes + "\n" + expectYes + "\n");
        } else {
            assertThat(nativeRun(List.of("python3", script.toString(), right, yes, no))).isEqualTo("ENOTTY\nENOTTY\n");
        }
        String grantOn = switch (right) {
            case "read", "write", "exec", "truncate", "ioctl", "readdir", "rename" -> yes;
            default -> Path.of(yes).getParent().toString(); // creating or removing an entry: the directory's right
        };
        List<String> args = new ArrayList<>(List.of("-poff", "-m", NOPIE, "-m", "trace/allow_unsafe_caps:1", "-m", "sandbox/lock:on"));
        // Notified: the seccomp rules allow everything but make the supervisor carry out each call,
        // which must not do what Landlock refuses the program (the supervisor is not under Landlock).
        if (notified) args.addAll(List.of("-m", "sandbox/all:on", "-m", "allow/all+/***", "-m", Syd.NOTIFY_ALL));
        args.addAll(system(script));
        if (right.equals("ioctl")) args.addAll(List.of("-m", "allow/lock/read+/dev/zero"));
        if (right.equals("exec")) { // execve opens the file for reading too
            args.addAll(List.of("-m", "allow/lock/read+" + yes, "-m", "allow/lock/read+" + no));
        }
        if (right.equals("rename")) { // moving out of a/ and into b/ also needs delete and create
            args.addAll(List.of("-m", "allow/lock/delete,create+" + yes, "-m", "allow/lock/delete,create+" + no));
        }
        args.addAll(List.of("-m", "allow/lock/" + right + "+" + grantOn, "--", "python3", script.toString(), right, yes, no));
        var r = Syd.run(args, null, Map.of(), Duration.ofSeconds(60));
        String refused = right.equals("rename") ? "EXDEV" : "EACCES"; // Landlock's answer for a denied reparenting
        assertThat(r.out()).as(r.toString()).isEqualTo(expectYes + "\n" + refused + "\n");
    }

    @Test
    void tcpBindAndConnectAreAllowedOnlyOnTheirPorts() throws Exception {
        Path script = script();
        try (ServerSocket a = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
             ServerSocket b = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            String pa = Integer.toString(a.getLocalPort()), pb = Integer.toString(b.getLocalPort());
            assertThat(nativeRun(List.of("python3", script.toString(), "connect", pa, pb))).isEqualTo("ok\nok\n");
            List<String> args = new ArrayList<>(List.of("-poff", "-m", NOPIE, "-m", "sandbox/lock:on"));
            args.addAll(system(script));
            args.addAll(List.of("-m", "allow/lock/connect+" + pa, "--", "python3", script.toString(), "connect", pa, pb));
            var r = Syd.run(args, null, Map.of(), Duration.ofSeconds(60));
            assertThat(r.out()).as(r.toString()).isEqualTo("ok\nEACCES\n");
        }
        int free1, free2;
        try (ServerSocket x = new ServerSocket(0); ServerSocket y = new ServerSocket(0)) {
            free1 = x.getLocalPort();
            free2 = y.getLocalPort();
        }
        String p1 = Integer.toString(free1), p2 = Integer.toString(free2);
        assertThat(nativeRun(List.of("python3", script.toString(), "bind", p1, p2))).isEqualTo("ok\nok\n");
        List<String> args = new ArrayList<>(List.of("-poff", "-m", NOPIE, "-m", "sandbox/lock:on"));
        args.addAll(system(script));
        args.addAll(List.of("-m", "allow/lock/bind+" + p1 + "-" + p1, "--", "python3", script.toString(), "bind", p1, p2));
        var r = Syd.run(args, null, Map.of(), Duration.ofSeconds(60));
        assertThat(r.out()).as(r.toString()).isEqualTo("ok\nEACCES\n");
    }

    @Test
    void portsAndScopesHoldWhenTheSupervisorBindsAndConnects() throws Exception {
        // With the network rules notified, the supervisor binds and connects the program's socket
        // itself, outside Landlock: it must refuse what Landlock refuses the program.
        String name = "jsyd-ll-host-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        Process host = abstractListener(name);
        try (ServerSocket listener = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            int free;
            try (ServerSocket x = new ServerSocket(0)) { free = x.getLocalPort(); }
            String py = "import socket, errno\n"
                    + "def t(f):\n try: f(); print('ok')\n except OSError as e: print(errno.errorcode[e.errno])\n"
                    + "t(lambda: socket.socket().connect(('127.0.0.1', " + listener.getLocalPort() + ")))\n"
                    + "t(lambda: socket.socket().bind(('127.0.0.1', 0)))\n"
                    + "t(lambda: socket.socket().bind(('127.0.0.1', " + free + ")))\n"
                    + "t(lambda: socket.socket(socket.AF_UNIX).connect('\\0" + name + "'))\n"
                    + "s = socket.socket(socket.AF_UNIX); s.bind('\\0" + name + "-own'); s.listen(1)\n"
                    + "t(lambda: socket.socket(socket.AF_UNIX).connect('\\0" + name + "-own'))\n";
            assertThat(nativeRun(List.of("python3", "-c", py))).isEqualTo("ok\nok\nok\nok\nok\n");
            List<String> args = new ArrayList<>(List.of("-poff", "-m", NOPIE, "-m", "sandbox/net/connect,net/bind:on",
                    "-m", "allow/net/connect,net/bind+any!0-65535", "-m", "allow/net/connect,net/bind+@**",
                    "-m", "deny/net/connect,net/bind+192.0.2.1!9", "-m", "sandbox/lock:on", "-m", "allow/lock/bind+0",
                    "-m", "allow/lock/connect+1"));
            for (String d : List.of("/usr", "/lib", "/lib64", "/bin", "/etc")) args.addAll(List.of("-m", "allow/lock/read,exec,readdir+" + d));
            args.addAll(List.of("--", "python3", "-c", py));
            var r = Syd.run(args, null, Map.of(), Duration.ofSeconds(60));
            // connect: only port 1; bind 0 allowed, another port not; the host's abstract socket out of scope.
            assertThat(r.out()).as(r.toString()).isEqualTo("EACCES\nok\nEACCES\nEPERM\nok\n");
        } finally {
            host.destroyForcibly();
        }
    }

    @Test
    void landlockRefusesEvenWhenTheNotifiedRulesAllow() throws Exception {
        Path file = Files.writeString(tmp.resolve("file"), "DATA\n");
        assertThat(nativeRun(List.of("cat", file.toString()))).isEqualTo("DATA\n");
        // The open is notified and allowed: the supervisor would open it, Landlock's rules still hold.
        List<String> args = new ArrayList<>(List.of("-poff", "-m", NOPIE, "-m", "sandbox/read,stat:on", "-m", "allow/read,stat+/***",
                "-m", Syd.NOTIFY_ALL, "-m", "sandbox/lock:on"));
        for (String d : List.of("/usr", "/lib", "/lib64", "/bin")) args.addAll(List.of("-m", "allow/lock/read,exec,readdir+" + d));
        args.addAll(List.of("--", "cat", file.toString()));
        var r = Syd.run(args, null, Map.of(), Duration.ofSeconds(60));
        assertThat(r.status()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).contains("Permission denied").doesNotContain("\"act\":\"deny\""); // the kernel refused, not syd
        // And the other way round: Landlock allows, the notified rule denies (and logs).
        args = new ArrayList<>(List.of("-poff", "-m", NOPIE, "-m", "sandbox/read:on", "-m", "allow/read+/***", "-m", "deny/read+" + file,
                "-m", "sandbox/lock:on", "-m", "allow/lock/read+" + tmp));
        for (String d : List.of("/usr", "/lib", "/lib64", "/bin")) args.addAll(List.of("-m", "allow/lock/read,exec,readdir+" + d));
        args.addAll(List.of("--", "cat", file.toString()));
        r = Syd.run(args, null, Map.of(), Duration.ofSeconds(60));
        assertThat(r.status()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).contains("\"act\":\"deny\"").contains("\"path\":\"" + file + "\"");
    }

    @Test
    void ftruncateOfAFileTheSupervisorOpenedNeedsTheTruncateRight() throws Exception {
        // The supervisor opens files for the program when calls are notified; such a file carries
        // no Landlock truncate check of its own, so ftruncate is checked by the supervisor.
        Path file = Files.writeString(tmp.resolve("file"), "DATA\n");
        String py = "import os\nfd = os.open('" + file + "', os.O_WRONLY)\nos.write(fd, b'X')\n"
                + "try:\n os.ftruncate(fd, 0); print('truncated')\nexcept OSError as e: print(e.errno)";
        assertThat(nativeRun(List.of("python3", "-c", py))).isEqualTo("truncated\n");
        Files.writeString(file, "DATA\n");
        for (boolean notified : new boolean[] {false, true}) {
            List<String> args = new ArrayList<>(List.of("-poff", "-m", NOPIE, "-m", "sandbox/lock:on", "-m", "allow/lock/write+" + file));
            if (notified) args.addAll(List.of("-m", "sandbox/all:on", "-m", "allow/all+/***", "-m", Syd.NOTIFY_ALL));
            for (String d : List.of("/usr", "/lib", "/lib64", "/bin", "/etc")) args.addAll(List.of("-m", "allow/lock/read,exec,readdir+" + d));
            args.addAll(List.of("--", "python3", "-c", py));
            var r = Syd.run(args, null, Map.of(), Duration.ofSeconds(60));
            assertThat(r.out()).as(notified + " " + r).isEqualTo("13\n");
        }
        assertThat(Files.readString(file)).isEqualTo("XATA\n");
    }

    @Test
    void signalsToProcessesOutsideTheDomainAreScoped() throws Exception {
        Process victim = new ProcessBuilder("sleep", "60").start();
        try {
            String kill = "kill -0 " + victim.pid() + " && echo sent";
            assertThat(nativeRun(List.of("sh", "-c", kill))).isEqualTo("sent\n");
            // Without sandbox/lock too: a process outside the sandbox is out of its reach (the
            // supervisor answers as for a pid that does not exist; docs/DECISIONS.md).
            var plain = Syd.run(List.of("-poff", "-m", NOPIE, "--", "sh", "-c", kill), null, Map.of(), Duration.ofSeconds(60));
            assertThat(plain.out()).as(plain.toString()).isEmpty();
            assertThat(plain.err()).contains("No such process");
            var r = Syd.run(List.of("-poff", "-m", NOPIE, "-m", "sandbox/lock:on", "-m", "allow/lock/read,exec,readdir+/usr",
                    "-m", "allow/lock/read,exec,readdir+/lib", "-m", "allow/lock/read,exec,readdir+/lib64",
                    "-m", "allow/lock/read,exec,readdir+/bin", "--", "sh", "-c", kill), null, Map.of(), Duration.ofSeconds(60));
            assertThat(r.out()).as(r.toString()).isEmpty();
            assertThat(r.err()).containsAnyOf("Operation not permitted", "No such process");
            assertThat(victim.isAlive()).isTrue();
        } finally {
            victim.destroyForcibly();
        }
    }

    @Test
    void abstractUnixSocketsOutsideTheDomainAreScoped() throws Exception {
        String name = "jsyd-ll-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        Process server = abstractListener(name);
        try {
            String connect = "import socket, errno\ns = socket.socket(socket.AF_UNIX)\n"
                    + "try:\n s.connect('\\0" + name + "'); print('connected')\n"
                    + "except OSError as e: print(errno.errorcode[e.errno])";
            assertThat(nativeRun(List.of("python3", "-c", connect))).isEqualTo("connected\n");
            List<String> args = new ArrayList<>(List.of("-poff", "-m", NOPIE, "-m", "sandbox/lock:on"));
            for (String d : List.of("/usr", "/lib", "/lib64", "/bin", "/etc")) args.addAll(List.of("-m", "allow/lock/read,exec,readdir+" + d));
            args.addAll(List.of("--", "python3", "-c", connect));
            var r = Syd.run(args, null, Map.of(), Duration.ofSeconds(60));
            assertThat(r.out()).as(r.toString()).isEqualTo("EPERM\n");
        } finally {
            server.destroyForcibly();
        }
    }
}
