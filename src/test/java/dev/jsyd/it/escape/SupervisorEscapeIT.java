package dev.jsyd.it.escape;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks on the supervisor itself (the program's parent): tracing it, signalling it, reading
 * its memory, environment and file descriptors through /proc. The supervisor opens files as
 * itself, so without ProcGuard an emulated open of /proc/<syd>/mem would succeed.
 */
class SupervisorEscapeIT {
    @TempDir Path tmp;

    @Test
    void ptraceOfTheSupervisor() throws Exception {
        String[] attack = {Escape.probe(), "ptrace-parent"};
        assertThat(Escape.nativeRun(attack).out()).isEqualTo("seize ok\nvm_readv ok\n");
        var r = Escape.syd(List.of("-poff"), attack);
        assertThat(r.out()).as(r.toString()).isEqualTo("seize EPERM\nvm_readv EPERM\n");
    }

    @Test
    void killOfTheSupervisor() throws Exception {
        // Natively with signal 0 (a probe that harms nothing): every route reaches the parent.
        var nat = Escape.nativeRun(Escape.probe(), "signal-parent", "0").out();
        assertThat(nat).doesNotContain("E").contains("pidfd_send_signal ok").contains("killall ok");
        // Under syd with SIGKILL: every route is refused and the supervisor lives on.
        var r = Escape.syd(List.of("-poff"), Escape.probe(), "signal-parent", "9");
        assertThat(r.status()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("""
                kill EACCES
                tkill EACCES
                tgkill EACCES
                sigqueue EACCES
                tgsigqueue EACCES
                pidfd_open EACCES
                open_procdir ok
                procdir_send_signal EACCES
                kill0 EACCES
                killpg EACCES
                killall EACCES
                parent alive yes
                """);
        // With opens checked, the supervisor's /proc directory does not even exist.
        r = Escape.syd(Escape.readPolicy(tmp.resolve("none")), Escape.probe(), "signal-parent", "9");
        assertThat(r.out()).as(r.toString()).contains("open_procdir ENOENT\n").endsWith("parent alive yes\n");
    }

    @Test
    void sigioOwnershipOfTheSupervisor() throws Exception {
        assertThat(Escape.nativeRun(Escape.probe(), "sigio-parent").out()).isEqualTo("setown ok\nsetown_pg ok\nsetown_ex ok\nfiosetown ok\n");
        var r = Escape.syd(List.of("-poff"), Escape.probe(), "sigio-parent");
        assertThat(r.out()).as(r.toString()).isEqualTo("setown EACCES\nsetown_pg EACCES\nsetown_ex EACCES\nfiosetown EACCES\n");
    }

    @Test
    void supervisorsProcFilesThroughTheEmulatedOpen() throws Exception {
        String[] attack = {Escape.probe(), "proc-parent", "mem", "environ", "maps", "fd/0", "status", "root/etc/hostname"};
        assertThat(Escape.nativeRun(attack).out()).isEqualTo(
                "mem LEAK\nenviron LEAK\nmaps LEAK\nfd/0 LEAK\nstatus LEAK\nroot/etc/hostname LEAK\n");
        var r = Escape.syd(Escape.readPolicy(tmp.resolve("none")), attack);
        assertThat(r.out()).as(r.toString()).isEqualTo(
                "mem err ENOENT\nenviron err ENOENT\nmaps err ENOENT\nfd/0 err ENOENT\nstatus err ENOENT\nroot/etc/hostname err ENOENT\n");
    }

    @Test
    void supervisorsProcFilesWhenOpensAreNotChecked() throws Exception {
        // -poff: open goes straight to the kernel, which refuses: the supervisor is not dumpable
        // and the program lost CAP_SYS_PTRACE.
        var r = Escape.syd(List.of("-poff"), Escape.probe(), "proc-parent", "mem", "environ", "maps", "fd/0");
        assertThat(r.out()).as(r.toString()).isEqualTo("mem err EACCES\nenviron err EACCES\nmaps err EACCES\nfd/0 err EACCES\n");
    }

    @Test
    void supervisorsThreadsAreHiddenToo() throws Exception {
        // Natively the parent (this test JVM) has threads with Tgid = parent, found through /proc/TID.
        assertThat(Escape.nativeRun(Escape.probe(), "proc-parent-threads", "3000").out()).startsWith("LEAK");
        var r = Escape.syd(Escape.readPolicy(tmp.resolve("none")), Escape.probe(), "proc-parent-threads", "3000");
        assertThat(r.out()).as(r.toString()).isEqualTo("safe 0\n");
    }
}
