package dev.jsyd.it.layers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.it.Syd;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code trace/*} switches shown on real programs, each with and without it. */
class SwitchesIT {
    static String[] concat(List<String> a, String... more) {
        List<String> out = new java.util.ArrayList<>(a);
        out.addAll(List.of(more));
        return out.toArray(String[]::new);
    }

    static Syd.Result run(Map<String, String> env, String... args) throws Exception {
        return Syd.run(List.of(args), null, env, Duration.ofSeconds(60));
    }

    @Test
    void allowUnsafeEnvKeepsTheUnsafeVariables() throws Exception {
        Map<String, String> env = Map.of("LD_LIBRARY_PATH", "/jsyd-unsafe", "TMPDIR", "/jsyd-tmp");
        String show = "echo ${LD_LIBRARY_PATH:-none} ${TMPDIR:-none}";
        assertThat(run(env, "-poff", "--", "sh", "-c", show).out()).as("stripped by default").isEqualTo("none none\n");
        assertThat(run(env, "-poff", "-m", "trace/allow_unsafe_env:1", "--", "sh", "-c", show).out())
                .isEqualTo("/jsyd-unsafe /jsyd-tmp\n");
    }

    @Test
    void allowSafeKcapiOpensTheKernelCryptoSockets() throws Exception {
        String py = "import socket\ntry:\n  socket.socket(38, socket.SOCK_SEQPACKET, 0); print('ok')\nexcept OSError as e: print(e.errno)\n";
        // this kernel may not have AF_ALG (97, EAFNOSUPPORT, natively too): what changes is who refuses it
        String nativeOut = Syd.nativeSh("python3 -c \"" + py.replace("\"", "\\\"") + "\"");
        var r = run(Map.of(), "-poff", "-m", "sandbox/net/connect:on", "-p", "nopie", "--", "python3", "-c", py);
        assertThat(r.out()).as("AF_ALG refused while sockets are checked\n" + r).isEqualTo("97\n");
        assertThat(r.err()).contains("configure `trace/allow_safe_kcapi:1'");
        r = run(Map.of(), "-poff", "-m", "sandbox/net/connect:on", "-m", "trace/allow_safe_kcapi:1", "-p", "nopie", "--", "python3", "-c", py);
        assertThat(r.out()).as("the kernel's own answer\n" + r).isEqualTo(nativeOut);
        assertThat(r.err()).doesNotContain("allow_safe_kcapi");
    }

    @Test
    void allowUnsafeMagiclinksLetsAProcessFollowAnotherMembersLinks() throws Exception {
        // another process's fd of a deleted file: an object with no path, reachable only through the magic link
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory(Syd.HOME.resolve("target"), "magic");
        String script = "cd " + dir + " && echo followed > f && { sleep 5 3<f & p=$!; sleep 0.5; rm f;"
                + " cat /proc/$p/fd/3 2>/dev/null || echo refused; kill $p; }";
        assertThat(Syd.nativeSh(script)).isEqualTo("followed\n");
        // opens notified (a read rule that could refuse): the supervisor resolves the link
        List<String> seen = List.of("-poff", "-m", "sandbox/read:on", "-m", "allow/read+/***", "-m", Syd.NOTIFY_ALL);
        var r = run(Map.of(), concat(seen, "--", "sh", "-c", script));
        assertThat(r.out()).as("another process's magic link\n" + r).isEqualTo("refused\n");
        r = run(Map.of(), concat(seen, "-m", "trace/allow_unsafe_magiclinks:1", "--", "sh", "-c", script));
        assertThat(r.out()).as(r.toString()).isEqualTo("followed\n");
    }

    @Test
    void allowUnsafeExecMemoryLetsAProgramMapWritableExecutableMemory() throws Exception {
        String py = "import mmap\ntry:\n  mmap.mmap(-1, 4096, prot=7); print('wx ok')\nexcept OSError as e: print(e.errno)\n";
        assertThat(Syd.nativeSh("python3 -c \"" + py.replace("\"", "\\\"") + "\"")).isEqualTo("wx ok\n");
        assertThat(run(Map.of(), "-poff", "-p", "nopie", "--", "python3", "-c", py).out()).as("W^X by default").isEqualTo("13\n");
        assertThat(run(Map.of(), "-poff", "-m", "trace/allow_unsafe_exec_memory:1", "-p", "nopie", "--", "python3", "-c", py).out())
                .isEqualTo("wx ok\n");
    }
}
