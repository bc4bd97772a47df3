package dev.jsyd.it.escape;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Syscalls of another ABI have other numbers; a filter that only knows x86_64 numbers would let
 * them through. Every i386 (int 0x80) and x32 syscall kills the process (SIGSYS, status 159).
 */
class ForeignAbiEscapeIT {
    @TempDir Path tmp;

    @Test
    void i386OpenThroughInt80() throws Exception {
        Path d = Escape.files(tmp);
        String[] attack = {Escape.probe(), "int80-read", d.resolve("secretx").toString()};
        var nat = Escape.nativeRun(attack);
        // The filter kills it (SIGSYS) before the kernel runs it. A kernel without i386 emulation
        // (ia32_emulation=off, e.g. this CI's VM) has no such ABI: int 0x80 faults (SIGSEGV) before
        // seccomp sees it, natively and under syd alike, and nothing leaks either way.
        int expected = nat.status() == 128 + 11 && nat.out().isEmpty() ? 128 + 11 : 128 + 31;
        if (expected == 128 + 31) assertThat(nat.out()).as(nat.toString()).isEqualTo("LEAK SECRET\n");
        var r = Escape.syd(Escape.readPolicy(d.resolve("secretx")), attack);
        assertThat(r.status()).as(r.toString()).isEqualTo(expected);
        assertThat(r.out()).doesNotContain("LEAK");
        // Even with no category enabled the foreign ABI is killed.
        r = Escape.syd(java.util.List.of("-poff"), attack);
        assertThat(r.status()).as(r.toString()).isEqualTo(expected);
    }

    @Test
    void x32OpenAt() throws Exception {
        Path d = Escape.files(tmp);
        String[] attack = {Escape.probe(), "x32-read", d.resolve("secretx").toString()};
        // This kernel is built without x32 (ENOSYS natively); the filter kills it regardless.
        assertThat(Escape.nativeRun(attack).out()).isIn("LEAK SECRET\n", "err ENOSYS\n");
        var r = Escape.syd(Escape.readPolicy(d.resolve("secretx")), attack);
        assertThat(r.status()).as(r.toString()).isEqualTo(128 + 31);
        assertThat(r.out()).isEmpty();
    }
}
