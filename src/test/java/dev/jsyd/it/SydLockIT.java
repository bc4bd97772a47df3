package dev.jsyd.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code syd-lock}: a program under Landlock rules alone (catalogue §8). */
class SydLockIT {
    static final Path TOOL = Syd.HOME.resolve("bin/syd-lock");

    @TempDir Path tmp;

    record Run(int status, String out, String err) {}

    static Run lock(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(TOOL.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String out = new String(p.getInputStream().readAllBytes()), err = new String(p.getErrorStream().readAllBytes());
        return new Run(p.waitFor(), out, err);
    }

    static final String[] SYSTEM = {"-r", "/usr", "-r", "/lib", "-r", "/lib64", "-r", "/bin"};

    static String[] with(String... more) {
        List<String> a = new ArrayList<>(List.of(SYSTEM));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    @Test
    void printsTheAbi() throws Exception {
        Run v = lock("-V");
        assertThat(v.status()).isZero();
        int abi = Integer.parseInt(v.out().trim());
        assertThat(abi).isGreaterThanOrEqualTo(1);
        assertThat(lock("-A").status()).isEqualTo(abi);
    }

    @Test
    void readOnlyAndReadWritePathsAreEnforcedWithoutSeccomp() throws Exception {
        Path rw = Files.createDirectory(tmp.resolve("rw")), ro = Files.createDirectory(tmp.resolve("ro"));
        Files.writeString(ro.resolve("f"), "RO\n");
        String script = "cat " + ro + "/f; echo x > " + ro + "/g; echo rc=$?; echo y > " + rw + "/g && cat " + rw + "/g; "
                + "cat /etc/hostname; echo rc=$?; grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status";
        Run r = lock(with("-r", ro.toString(), "-w", rw.toString(), "-r", "/proc", "--", "sh", "-c", script));
        assertThat(r.out()).as(r.err()).isEqualTo("RO\nrc=2\ny\nrc=1\nNoNewPrivs:\t1\nSeccomp:\t0\n");
        assertThat(r.err()).contains("Permission denied");
    }

    @Test
    void ruleFormsAddAndRemove() throws Exception {
        Path d = Files.createDirectory(tmp.resolve("d"));
        // -l adds, the same rule with - removes it again: the write is refused.
        Run r = lock(with("-l", "write,create+" + d, "-l", "write,create-" + d, "--", "sh", "-c", "echo x > " + d + "/f"));
        assertThat(r.status()).isEqualTo(2);
        Run ok = lock(with("-l", "write,create+" + d, "--", "sh", "-c", "echo x > " + d + "/f"));
        assertThat(ok.status()).as(ok.err()).isZero();
        assertThat(d.resolve("f")).exists();
    }

    @Test
    void connectPortsAreEnforced() throws Exception {
        try (ServerSocket a = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
             ServerSocket b = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            String py = "import socket, sys\nfor p in sys.argv[1:]:\n try:\n  socket.create_connection(('127.0.0.1', int(p)), 5); print('ok')\n"
                    + " except OSError as e: print(e.errno)";
            Run r = lock(with("-r", "/etc", "-c", Integer.toString(a.getLocalPort()), "--", "python3", "-c", py,
                    Integer.toString(a.getLocalPort()), Integer.toString(b.getLocalPort())));
            assertThat(r.out()).as(r.err()).isEqualTo("ok\n13\n");
        }
    }

    @Test
    void statusAndErrorsAreThePrograms() throws Exception {
        assertThat(lock(with("--", "sh", "-c", "exit 7")).status()).isEqualTo(7);
        Run missing = lock(with("--", "/nonexistent/jsyd"));
        assertThat(missing.status()).isEqualTo(2);
        assertThat(missing.err()).contains("exec error");
        Run bad = lock("-l", "frob+/usr", "--", "true");
        assertThat(bad.status()).isEqualTo(22);
        assertThat(bad.err()).startsWith("syd-lock: unknown right `frob`").doesNotContain("Exception");
        Run usage = lock("-Q");
        assertThat(usage.status()).isEqualTo(1);
        assertThat(usage.err()).contains("unknown option -Q").contains("Usage: syd-lock");
    }
}
