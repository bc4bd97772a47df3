package dev.jsyd.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kinds of program Syd refuses by default or on request, one {@code trace/*} switch each: with
 * the default the program is refused, with the switch it runs as it does natively. A refusal is
 * made at the exec syscall when exec is checked there (EACCES; a shell reports 126) and always at
 * the ptrace exec stop (the process is killed before its first instruction; for the program syd
 * starts, syd exits 13 as for a refused exec).
 */
class ExecKindIT {
    @TempDir Path tmp;

    /** Exec checked at the syscall: every path allowed, one nonexistent path denied. */
    static final List<String> AT_SYSCALL = List.of("-poff", "-m", "sandbox/exec:on", "-m", "allow/exec+/***",
            "-m", "deny/exec+/nonexistent/jsyd/***");

    static Syd.Result syd(List<String> policy, List<String> switches, String... cmd) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(policy);
        for (String s : switches) args.addAll(List.of("-m", s));
        args.add("--");
        args.addAll(List.of(cmd));
        return Syd.run(args.toArray(String[]::new));
    }

    /** False when the kernel refuses to execute {@code prog} at all (ENOEXEC: no such ABI here). */
    static boolean runsNatively(Path prog) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("sh", "-c", "exec \"$0\"", prog.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        return !(p.waitFor() == 126 && out.contains("Exec format error"));
    }

    static int nativeStatus(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor();
    }

    /**
     * The program refused without {@code relax} (also when run by a shell, both where exec is
     * checked at the syscall and only at the exec stop), and run as natively with it.
     */
    static void refusedUnless(Path prog, List<String> base, String relax, String tip) throws Exception {
        int nat = nativeStatus(prog.toString());
        for (List<String> policy : List.of(List.of("-poff"), AT_SYSCALL)) {
            var r = syd(policy, base, prog.toString());
            assertThat(r.status()).as(r.toString()).isEqualTo(13);
            assertThat(r.err()).contains("\"cap\":\"exec\"").contains(tip);
            var ok = syd(policy, plus(base, relax), prog.toString());
            assertThat(ok.status()).as(ok.toString()).isEqualTo(nat);
        }
        // Twice: the second time its kind is known (kept by stat) and the file is not opened again.
        var shell = syd(AT_SYSCALL, base, "sh", "-c", prog + "; echo $?; " + prog + "; echo $?");
        assertThat(shell.out()).as(shell.toString()).isEqualTo("126\n126\n");
        var stop = syd(List.of("-poff"), base, "sh", "-c", prog + "; echo $?; " + prog + "; echo $?");
        assertThat(stop.out()).as("killed at the exec stop: " + stop).isEqualTo("137\n137\n");
    }

    static List<String> plus(List<String> l, String s) {
        List<String> out = new ArrayList<>(l);
        out.add(s);
        return out;
    }

    @Test
    void nonPieProgramsNeedAllowUnsafeExecNopie() throws Exception {
        Path p = ExecFixture.cc(tmp, "nopie", 3, "-no-pie");
        refusedUnless(p, List.of(), "trace/allow_unsafe_exec_nopie:1", "trace/allow_unsafe_exec_nopie:1");
        assertThat(syd(List.of("-poff"), List.of(), ExecFixture.cc(tmp, "pie", 3, "-pie").toString()).status()).isEqualTo(3);
    }

    @Test
    void executableStackNeedsAllowUnsafeExecStack() throws Exception {
        Path p = ExecFixture.cc(tmp, "xstack", 3, "-z", "execstack");
        refusedUnless(p, List.of(), "trace/allow_unsafe_exec_stack:1", "trace/allow_unsafe_exec_stack:1");
    }

    @Test
    void theLoaderAsTheProgramNeedsAllowUnsafeExecLdso() throws Exception {
        String ld = ExecFixture.real("/lib64/ld-linux-x86-64.so.2");
        var r = syd(List.of("-poff"), List.of(), ld, "/bin/true");
        assertThat(r.status()).as(r.toString()).isEqualTo(13);
        assertThat(r.err()).contains("trace/allow_unsafe_exec_ldso:1");
        assertThat(syd(List.of("-poff"), List.of("trace/allow_unsafe_exec_ldso:1"), ld, "/bin/true").status()).isZero();
        assertThat(syd(AT_SYSCALL, List.of(), "sh", "-c", ld + " /bin/true; echo $?").out()).isEqualTo("126\n");
        assertThat(syd(List.of("-poff"), List.of(), ExecFixture.cc(tmp, "spie", 4, "-static-pie").toString()).status())
                .as("a static-PIE program is not the loader").isEqualTo(4);
    }

    @Test
    void denyElf32() throws Exception {
        Path p = ExecFixture.elf32(tmp, 7);
        List<String> nopie = List.of("trace/allow_unsafe_exec_nopie:1");
        if (!runsNatively(p)) {
            // A kernel without i386 emulation (ia32_emulation=off, e.g. this CI's VM) refuses the
            // program itself (ENOEXEC) before any exec stop: what is left to show is that the check
            // at the exec syscall refuses it first, by its ELF class, and only with the switch.
            var r = syd(AT_SYSCALL, plus(nopie, "trace/deny_elf32:1"), "sh", "-c", p + "; echo $?");
            assertThat(r.out()).as(r.toString()).isEqualTo("126\n");
            assertThat(r.err()).contains("\"cap\":\"exec\"").contains("trace/deny_elf32:0").contains("Permission denied");
            var kernel = syd(AT_SYSCALL, nopie, "sh", "-c", p + "; echo $?");
            assertThat(kernel.err()).as("the kernel's own ENOEXEC").contains("Exec format error")
                    .doesNotContain("trace/deny_elf32:0").doesNotContain("Permission denied");
            return;
        }
        assertThat(nativeStatus(p.toString())).as("i386 emulation runs it natively").isEqualTo(7);
        var r = syd(List.of("-poff"), plus(nopie, "trace/deny_elf32:1"), p.toString());
        assertThat(r.status()).as(r.toString()).isEqualTo(13);
        assertThat(r.err()).contains("trace/deny_elf32:0");
        // Without the switch it is executed, and its first i386 system call kills it (foreign ABI).
        assertThat(syd(List.of("-poff"), nopie, p.toString()).status()).isEqualTo(128 + 31);
        assertThat(syd(AT_SYSCALL, plus(nopie, "trace/deny_elf32:1"), "sh", "-c", p + "; echo $?").out()).isEqualTo("126\n");
    }

    @Test
    void denyElfDynamicAndStatic() throws Exception {
        Path dyn = ExecFixture.cc(tmp, "dyn", 5), stat = ExecFixture.cc(tmp, "static", 6, "-static-pie");
        var r = syd(List.of("-poff"), List.of("trace/deny_elf_dynamic:1"), dyn.toString());
        assertThat(r.status()).as(r.toString()).isEqualTo(13);
        assertThat(r.err()).contains("trace/deny_elf_dynamic:0");
        assertThat(syd(List.of("-poff"), List.of("trace/deny_elf_dynamic:1"), stat.toString()).status()).isEqualTo(6);
        r = syd(List.of("-poff"), List.of("trace/deny_elf_static:1"), stat.toString());
        assertThat(r.status()).as(r.toString()).isEqualTo(13);
        assertThat(r.err()).contains("trace/deny_elf_static:0");
        assertThat(syd(List.of("-poff"), List.of("trace/deny_elf_static:1"), dyn.toString()).status()).isEqualTo(5);
        assertThat(syd(List.of("-poff"), List.of(), dyn.toString()).status()).isEqualTo(5);
        assertThat(syd(List.of("-poff"), List.of(), stat.toString()).status()).isEqualTo(6);
    }

    @Test
    void denyScript() throws Exception {
        Path s = ExecFixture.script(tmp, "s.sh", "#!/bin/sh\nexit 8\n");
        for (List<String> policy : List.of(List.of("-poff"), AT_SYSCALL)) {
            var r = syd(policy, List.of("trace/deny_script:1"), s.toString());
            assertThat(r.status()).as(r.toString()).isEqualTo(13);
            assertThat(r.err()).contains("trace/deny_script:0");
            assertThat(syd(policy, List.of(), s.toString()).status()).isEqualTo(8);
        }
        assertThat(syd(AT_SYSCALL, List.of("trace/deny_script:1"), "sh", "-c", s + "; echo $?").out()).isEqualTo("126\n");
    }

    @Test
    void aScriptExecutedByFdIsCheckedAsTheFileBehindTheFd() throws Exception {
        Path s = ExecFixture.script(tmp, "fd.sh", "#!/bin/sh\necho ran\n");
        String cmd = "exec 5<" + s + "; exec /dev/fd/5";
        assertThat(syd(List.of("-poff"), List.of(), "sh", "-c", cmd).out()).isEqualTo("ran\n");
        for (List<String> policy : List.of(List.of("-poff", "-m", "sandbox/exec:on", "-m", "allow/exec+/***"), AT_SYSCALL)) {
            var r = syd(policy, List.of("deny/exec+" + ExecFixture.real(s)), "sh", "-c", cmd);
            assertThat(r.out()).as(r.toString()).doesNotContain("ran");
            assertThat(r.err()).contains("\"path\":\"" + ExecFixture.real(s) + "\"");
        }
    }

    @Test
    void aProgramJustWrittenRunsAtOnce() throws Exception {
        // Write opens are emulated (W^X checks /proc/PID/mem): the supervisor's own reference to a
        // written file must be gone when the program's open returns, or the exec that follows the
        // writer's exit fails with ETXTBSY (it did, about 1 in 10, before replyWithFd closed first).
        Path x = tmp.resolve("x");
        var r = syd(List.of("-poff"), List.of(), "sh", "-c",
                "for i in $(seq 200); do rm -f " + x + "; cp /bin/true " + x + "; " + x + " || echo FAIL; done; echo done");
        assertThat(r.out()).as(r.toString()).isEqualTo("done\n");
    }
}
