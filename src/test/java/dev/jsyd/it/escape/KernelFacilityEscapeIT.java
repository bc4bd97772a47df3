package dev.jsyd.it.escape;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kernel facilities that reach files or privileges without passing a checked path syscall, and
 * the process hardening of the launcher. All denied in the filter (Hardening) or before exec
 * (syd-launch), with every category off too.
 */
class KernelFacilityEscapeIT {
    @TempDir Path tmp;

    @Test
    void ioUringReadOfADeniedFile() throws Exception {
        Path d = Escape.files(tmp);
        String[] attack = {Escape.probe(), "iouring-read", d.resolve("secretx").toString()};
        assertThat(Escape.nativeRun(attack).out()).isEqualTo("LEAK SECRET\n");
        var r = Escape.syd(Escape.readPolicy(d.resolve("secretx")), attack);
        assertThat(r.out()).as(r.toString()).isEqualTo("err EPERM\n");
    }

    @Test
    void openByHandleSkipsPaths() throws Exception {
        Path d = Escape.files(tmp);
        String[] attack = {Escape.probe(), "handle-read", d.resolve("secretx").toString()};
        assertThat(Escape.nativeRun(attack).out()).isEqualTo("LEAK SECRET\n");
        var r = Escape.syd(Escape.readPolicy(d.resolve("secretx")), attack);
        assertThat(r.out()).as(r.toString()).isEqualTo("err name_to_handle_at EPERM\n");
    }

    @Test
    void newUserAndMountNamespaceThenBindMount() throws Exception {
        Path d = Escape.files(tmp);
        String[] attack = {Escape.probe(), "userns-mount", d.resolve("allowed").toString(), d.resolve("secretx").toString()};
        assertThat(Escape.nativeRun(attack).out()).isEqualTo("clone ok\nunshare ok\nmount LEAK\n");
        var r = Escape.syd(List.of("-poff"), attack);
        assertThat(r.out()).as(r.toString()).isEqualTo("clone err EPERM\nunshare err EPERM\nmount err EPERM\n");
    }

    @Test
    void terminalInputInjection() throws Exception {
        String[] attack = {Escape.probe(), "tiocsti"};
        assertThat(Escape.nativeRun(attack).out()).startsWith("tiocsti LEAK\n");
        var r = Escape.syd(List.of("-poff"), attack);
        assertThat(r.out()).as(r.toString()).isEqualTo("tiocsti err EACCES\ntioclinux err EACCES\n");
    }

    @Test
    void writableExecutableMemoryIsRefused() throws Exception {
        String[] attack = {Escape.probe(), "wx"};
        assertThat(Escape.nativeRun(attack).out()).isEqualTo("mmap_wx ok\nmprotect_x ok\n");
        var r = Escape.syd(List.of("-poff"), attack);
        assertThat(r.out()).as(r.toString()).isEqualTo("mmap_wx EACCES\nmprotect_x EACCES\n");
        r = Escape.syd(List.of("-poff", "-m", "trace/allow_unsafe_memory:1"), attack);
        assertThat(r.out()).as(r.toString()).isEqualTo("mmap_wx ok\nmprotect_x ok\n");
    }

    @Test
    void ordinaryProgramsStillWorkUnderWxMemory() throws Exception {
        // ctypes callbacks need W^X relaxed: under MDWE libffi maps a memfd shared, writable and
        // executable at once, the alias WxAliasEscapeIT shows refused.
        var r = Escape.syd(List.of("-poff", "-p", "nopie", "-m", "trace/allow_unsafe_memory:1"), "python3", "-c", // python3.11: not PIE
                "import ctypes; print(ctypes.CFUNCTYPE(ctypes.c_int)(lambda: 42)())");
        assertThat(r.out()).as(r.toString()).isEqualTo("42\n");
        r = Escape.syd(List.of("-poff"), "sh", "-c", "echo $((6*7)) | cat");
        assertThat(r.out()).as(r.toString()).isEqualTo("42\n");
    }

    @Test
    void executableMemfdIsRefused() throws Exception {
        var r = Escape.syd(List.of("-poff"), Escape.probe(), "memfd-exec", "/usr/bin/true");
        assertThat(r.out()).as(r.toString()).startsWith("memfd_exec_flag EACCES\n");
        assertThat(Escape.nativeRun(Escape.probe(), "memfd-exec", "/usr/bin/true").out()).startsWith("memfd_exec_flag ok\n");
    }

    @Test
    void memfdExecOfADeniedBinaryIsCheckedAsItsMemfdPath() throws Exception {
        String probe = Escape.probe();
        String[] attack = {probe, "memfd-exec", "/usr/bin/echo", "ran"};
        assertThat(Escape.nativeRun(attack).out()).endsWith("ran\n");
        var r = Escape.syd(List.of("-poff", "-m", "sandbox/exec:on", "-m", "allow/exec+/usr/***",
                "-m", "allow/exec+" + probe, "-m", "deny/exec+/usr/bin/echo"), attack);
        assertThat(r.out()).as(r.toString()).isEqualTo("memfd_exec_flag EACCES\nfexecve err EACCES\n");
        assertThat(r.err()).contains("\"path\":\"/memfd:x (deleted)\"");
    }

    @Test
    void unsafePersonalityIsRefused() throws Exception {
        assertThat(Escape.nativeRun("setarch", "x86_64", "-R", "true").status()).isZero();
        var r = Escape.syd(List.of("-poff"), "setarch", "x86_64", "-R", "true");
        assertThat(r.status()).as(r.toString()).isNotZero();
        assertThat(Escape.syd(List.of("-poff"), "setarch", "x86_64", "true").status()).isZero();
    }

    @Test
    void capabilitiesDroppedNoNewPrivsNoCore() throws Exception {
        String cmd = "grep -E '^(CapBnd|CapEff|CapAmb|CapInh|NoNewPrivs)' /proc/self/status; ulimit -Hc";
        var nat = Escape.nativeRun("sh", "-c", cmd).out();
        assertThat(caps(nat, "CapBnd") & (1L << 21)).as("root here has CAP_SYS_ADMIN: " + nat).isNotZero();
        var r = Escape.syd(List.of("-poff"), "sh", "-c", cmd);
        long bnd = caps(r.out(), "CapBnd"), eff = caps(r.out(), "CapEff");
        for (int cap : new int[] {12 /* NET_ADMIN */, 13 /* NET_RAW */, 16 /* SYS_MODULE */, 17 /* SYS_RAWIO */,
            19 /* SYS_PTRACE */, 21 /* SYS_ADMIN */, 27 /* MKNOD */, 8 /* SETPCAP */, 38 /* PERFMON */, 39 /* BPF */}) {
            assertThat(bnd & (1L << cap)).as("bounding set keeps cap " + cap + ": " + r.out()).isZero();
            assertThat(eff & (1L << cap)).as("effective set keeps cap " + cap).isZero();
        }
        assertThat(caps(r.out(), "CapAmb")).isZero();
        assertThat(caps(r.out(), "CapInh")).isZero();
        assertThat(r.out()).contains("NoNewPrivs:\t1\n").endsWith("\n0\n");
    }

    private static long caps(String status, String key) {
        for (String line : status.split("\n")) {
            if (line.startsWith(key + ":")) return Long.parseUnsignedLong(line.substring(key.length() + 1).trim(), 16);
        }
        throw new AssertionError(key + " missing in " + status);
    }

    @Test
    void relaxSwitchesLiftTheirDenial() throws Exception {
        Path d = Escape.files(tmp);
        Files.writeString(d.resolve("x"), "x");
        var r = Escape.syd(List.of("-poff", "-m", "trace/allow_unsafe_iouring:1"), Escape.probe(), "iouring-read",
                d.resolve("secretx").toString());
        assertThat(r.out()).as(r.toString()).isEqualTo("LEAK SECRET\n");
    }
}
