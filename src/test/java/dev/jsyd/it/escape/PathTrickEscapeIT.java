package dev.jsyd.it.escape;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Paths that spell the denied file differently: the rule is matched on the canonical path. */
class PathTrickEscapeIT {
    @TempDir Path tmp;

    private void blocked(Path secret, String path) throws Exception {
        String probe = Escape.probe();
        assertThat(Escape.nativeRun(probe, "read", path).out()).as("natively " + path).isEqualTo("ok SECRET\n");
        var r = Escape.syd(Escape.readPolicy(secret), probe, "read", path);
        assertThat(r.out()).as(r.toString()).isEqualTo("err EACCES\n");
        assertThat(r.err()).contains("\"path\":\"" + secret + "\"");
    }

    @Test
    void dotDotTraversal() throws Exception {
        Path d = Escape.files(tmp);
        Files.createDirectories(d.resolve("pub/sub"));
        blocked(d.resolve("secretx"), d + "/pub/sub/../../secretx");
    }

    @Test
    void procSelfRootTraversal() throws Exception {
        Path d = Escape.files(tmp);
        blocked(d.resolve("secretx"), "/proc/self/root" + d + "/secretx");
        blocked(d.resolve("secretx"), "/proc/thread-self/root/../../.." + d + "/secretx");
    }

    @Test
    void procSelfCwdTraversal() throws Exception {
        Path d = Escape.files(tmp);
        Files.createDirectories(d.resolve("pub"));
        String probe = Escape.probe();
        String script = "cd " + d.resolve("pub") + " && exec " + probe + " read /proc/self/cwd/../secretx";
        assertThat(Escape.nativeRun("sh", "-c", script).out()).isEqualTo("ok SECRET\n");
        var r = Escape.syd(Escape.readPolicy(d.resolve("secretx")), "sh", "-c", script);
        assertThat(r.out()).as(r.toString()).isEqualTo("err EACCES\n");
    }

    @Test
    void magicLinksOfAnotherProcess() throws Exception {
        Path d = Escape.files(tmp);
        Files.writeString(d.resolve("gone"), "SECRET\n");
        // A process outside the sandbox holding the secret (fd 3) and a deleted file (fd 4) open.
        Process holder = new ProcessBuilder("sh", "-c",
                "exec 3<" + d.resolve("secretx") + " 4<" + d.resolve("gone") + "; rm " + d.resolve("gone")
                        + "; echo ready; exec sleep 60").start();
        try {
            assertThat(new String(holder.getInputStream().readNBytes(6))).isEqualTo("ready\n");
            long h = holder.pid();
            // A process outside the sandbox is not there at all (pid hiding): ENOENT, whatever the
            // link leads to — the secret (fd 3, root/...) or a deleted file with no path (fd 4).
            String probe = Escape.probe();
            for (String link : new String[] {"/fd/3", "/root" + d + "/secretx", "/fd/4"}) {
                assertThat(Escape.nativeRun(probe, "read", "/proc/" + h + link).out()).as(link).isEqualTo("ok SECRET\n");
                var r = Escape.syd(Escape.readPolicy(d.resolve("secretx")), probe, "read", "/proc/" + h + link);
                assertThat(r.out()).as(r.toString()).isEqualTo("err ENOENT\n");
            }
            // With pid hiding relaxed the process is visible, and its links are still refused: the
            // holder runs as root with every capability and the program has no CAP_SYS_PTRACE, so
            // the kernel refuses the walk made with the program's rights (RightsEscapeIT); a link
            // it could follow would be checked as a path; a non-path fd is refused outright.
            List<String> relaxed = new java.util.ArrayList<>(Escape.readPolicy(d.resolve("secretx")));
            relaxed.addAll(List.of("-m", "trace/allow_unsafe_proc_files:1"));
            var r = Escape.syd(relaxed, probe, "read", "/proc/" + h + "/fd/3");
            assertThat(r.out()).as(r.toString()).isEqualTo("err EACCES\n");
            r = Escape.syd(relaxed, probe, "read", "/proc/" + h + "/fd/4");
            assertThat(r.out()).as(r.toString()).isEqualTo("err EACCES\n");
        } finally {
            holder.destroyForcibly();
            holder.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
