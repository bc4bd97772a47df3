package dev.jsyd.it.layers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.it.Syd;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code trace/*} switches shown on real programs, each with and without it. */
class SwitchesIT {
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
        var r = run(Map.of(), "-poff", "-m", "sandbox/net/connect:on", "--", "python3", "-c", py);
        assertThat(r.out()).as("AF_ALG refused while sockets are checked\n" + r).isEqualTo("97\n");
        assertThat(r.err()).contains("configure `trace/allow_safe_kcapi:1'");
        r = run(Map.of(), "-poff", "-m", "sandbox/net/connect:on", "-m", "trace/allow_safe_kcapi:1", "--", "python3", "-c", py);
        assertThat(r.out()).as("the kernel's own answer\n" + r).isEqualTo(nativeOut);
        assertThat(r.err()).doesNotContain("allow_safe_kcapi");
    }
}
