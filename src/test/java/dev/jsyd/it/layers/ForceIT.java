package dev.jsyd.it.layers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.it.Syd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The {@code trace/force_*} switches (syd(2)), each shown natively first, then under syd with and without it. */
class ForceIT {
    Path dir;
    String p;

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createTempDirectory(Syd.HOME.resolve("target"), "force");
        Files.writeString(dir.resolve("file"), "DATA\n");
        Files.createSymbolicLink(dir.resolve("link"), dir.resolve("file"));
        Files.copy(Path.of("/bin/true"), dir.resolve("exe"));
        p = Syd.probe("layers-probe").toString();
    }

    @AfterEach
    void clean() throws Exception {
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    static Syd.Result sh(String flag, String script) throws Exception {
        return Syd.sh(flag == null ? List.of("-poff") : List.of("-poff", "-m", flag), script);
    }

    @Test
    void forceCloexec() throws Exception {
        String open = p + " fdflags " + dir + "/file r";
        assertThat(Syd.nativeSh(open)).isEqualTo("fd 3 cloexec 0 append 0\n");
        assertThat(sh(null, open).out()).isEqualTo("fd 3 cloexec 0 append 0\n");
        var r = sh("trace/force_cloexec:1", open);
        assertThat(r.out()).as(r.toString()).isEqualTo("fd 3 cloexec 1 append 0\n");
    }

    @Test
    void forceRandFd() throws Exception {
        String three = p + " fdflags " + dir + "/file r; " + p + " fdflags " + dir + "/file r; " + p + " fdflags " + dir + "/file r";
        assertThat(Syd.nativeSh(three)).isEqualTo("fd 3 cloexec 0 append 0\n".repeat(3));
        var r = sh("trace/force_rand_fd:1", three);
        assertThat(r.out().lines()).as(r.toString()).hasSize(3).allMatch(l -> l.startsWith("fd "))
                .anyMatch(l -> !l.startsWith("fd 3 ")); // all three at 3 by chance: about 1 in 10^9
        r = sh("trace/force_rand_fd:1", "exec 3<" + dir + "/file; cat <&3; " + p + " fdflags " + dir + "/file r");
        assertThat(r.out()).as("an fd the program holds is never replaced\n" + r).startsWith("DATA\nfd ")
                .doesNotContain("fd 3 ");
    }

    @Test
    void forceRoOpen() throws Exception {
        String script = "cat " + dir + "/file; echo more >> " + dir + "/file; echo rc=$?; touch " + dir + "/new; echo rc=$?";
        assertThat(Syd.nativeSh(script)).isEqualTo("DATA\nrc=0\nrc=0\n");
        Files.delete(dir.resolve("new"));
        Files.writeString(dir.resolve("file"), "DATA\n");
        var r = sh("trace/force_ro_open:1", script);
        assertThat(r.out()).as(r.toString()).isEqualTo("DATA\nrc=2\nrc=1\n");
        assertThat(r.err()).contains("Read-only file system");
        assertThat(dir.resolve("new")).doesNotExist();
    }

    @Test
    void forceWxOpen() throws Exception {
        String py = "import os\n"
                + "for path, flags, mode in (('" + dir + "/exe', os.O_WRONLY, 0), ('" + dir + "/new', os.O_WRONLY | os.O_CREAT, 0o755),"
                + " ('" + dir + "/plain', os.O_WRONLY | os.O_CREAT, 0o644)):\n"
                + "  try: os.close(os.open(path, flags, mode)); print('ok')\n"
                + "  except OSError as e: print(e.strerror)\n";
        var r = Syd.run("-poff", "-p", "nopie", "--", "python3", "-c", py);
        assertThat(r.out()).as("without the switch\n" + r).isEqualTo("ok\nok\nok\n");
        Files.delete(dir.resolve("new"));
        Files.delete(dir.resolve("plain"));
        r = Syd.run("-poff", "-m", "trace/force_wx_open:1", "-p", "nopie", "--", "python3", "-c", py);
        assertThat(r.out()).as(r.toString()).isEqualTo("Permission denied\nPermission denied\nok\n");
        assertThat(dir.resolve("new")).doesNotExist();
    }

    @Test
    void forceNoSymlinksAndNoMagiclinks() throws Exception {
        String script = "cat " + dir + "/link; echo rc=$?; exec 3<" + dir + "/file; cat /proc/self/fd/3; echo rc=$?; cat " + dir + "/file";
        assertThat(Syd.nativeSh(script)).isEqualTo("DATA\nrc=0\nDATA\nrc=0\nDATA\n");
        var r = sh("trace/force_no_symlinks:1", script);
        assertThat(r.out()).as(r.toString()).isEqualTo("rc=1\nrc=1\nDATA\n");
        assertThat(r.err()).contains("Too many levels of symbolic links");
        r = sh("trace/force_no_magiclinks:1", script);
        assertThat(r.out()).as("plain symlinks still work\n" + r).isEqualTo("DATA\nrc=0\nrc=1\nDATA\n");
    }

    @Test
    void forceNoXdev() throws Exception {
        String script = "cat /etc/hostname >/dev/null 2>&1; echo rc=$?; ls /proc/self >&2; echo rc=$?; cat " + dir + "/file";
        assertThat(Syd.nativeSh(script.replace(">/dev/null 2>&1", "")).lines().filter(l -> l.startsWith("rc=")))
                .containsExactly("rc=0", "rc=0");
        var r = sh("trace/force_no_xdev:1", "cat /etc/hostname; echo rc=$?; ls /proc/self; echo rc=$?; cat " + dir + "/file");
        // /proc is a mount point of its own: entering it crosses a mount
        assertThat(r.out()).as(r.toString()).matches("(?s).+\nrc=0\nrc=2\nDATA\n");
        assertThat(r.err()).contains("Invalid cross-device link");
    }

    @Test
    void forceUmask() throws Exception {
        String script = "umask 0; touch " + dir + "/u; mkdir " + dir + "/d; chmod 777 " + dir + "/file; stat -c %a "
                + dir + "/u " + dir + "/d " + dir + "/file";
        assertThat(Syd.nativeSh(script)).isEqualTo("666\n777\n777\n");
        for (String f : List.of("u", "d")) Files.delete(dir.resolve(f));
        var r = sh("trace/force_umask:077", script);
        assertThat(r.out()).as(r.toString()).isEqualTo("600\n700\n700\n");
    }

    @Test
    void forceLocalNet() throws Exception {
        String py = "import socket\n"
                + "s = socket.socket(); s.bind(('0.0.0.0', 0)); print(s.getsockname()[0])\n"
                + "s = socket.socket(socket.AF_INET6); s.bind(('::', 0)); print(s.getsockname()[0])\n"
                + "s = socket.socket(); s.listen(); print(s.getsockname()[0])\n";
        var r = Syd.run("-poff", "-p", "nopie", "--", "python3", "-c", py);
        assertThat(r.out()).as("without the switch\n" + r).isEqualTo("0.0.0.0\n::\n0.0.0.0\n");
        r = Syd.run("-poff", "-m", "trace/force_local_net:1", "-p", "nopie", "--", "python3", "-c", py);
        assertThat(r.out()).as(r.toString()).isEqualTo("127.0.0.1\n::1\n127.0.0.1\n");
    }
}
