package dev.jsyd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.abi.Ioctls;
import dev.jsyd.abi.Seccomp;
import dev.jsyd.abi.Syscalls;
import dev.jsyd.bpf.Interpreter;
import dev.jsyd.bpf.Program;
import dev.jsyd.bpf.SeccompData;
import dev.jsyd.kernel.FilterPlan;
import dev.jsyd.kernel.SyscallTable;
import dev.jsyd.policy.Origin;
import dev.jsyd.policy.Policy;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** syd-ls: each set is what the table and the filter do. */
class SydLsToolTest {
    static String run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int rc = SydLsTool.run(args, new PrintStream(out, true), new PrintStream(err, true));
        return rc + "\n" + out + err;
    }

    @Test
    void everyGroupNamesRealSyscallsAndTheTableSetsPartitionTheTable() {
        for (var e : SydLsTool.GROUPS.entrySet()) {
            for (String n : e.getValue()) assertThat(Syscalls.number(n)).as(e.getKey() + ": " + n).isGreaterThanOrEqualTo(0);
        }
        Set<String> all = new HashSet<>();
        int total = 0;
        for (String set : List.of("hook", "safe", "deny", "dead", "noop")) {
            List<String> names = SydLsTool.set(set);
            assertThat(names).as(set).isNotEmpty();
            all.addAll(names);
            total += names.size();
        }
        assertThat(total).as("no syscall in two sets").isEqualTo(all.size()).isEqualTo(SyscallTable.rows().size());
        assertThat(SydLsTool.set("dead")).contains("uselib", "nfsservctl");
        assertThat(SydLsTool.set("noop")).contains("sync", "syncfs");
        assertThat(SydLsTool.set("hook")).contains("openat", "ioctl", "fcntl");
        assertThat(SydLsTool.set("deny")).contains("ptrace", "bpf", "io_uring_setup").doesNotContain("uselib");
    }

    @Test
    void ioctlListsTheRequestsTheFilterAllowsByDefault() throws Exception {
        Policy p = Policy.defaults();
        p.applyProfile("off", Origin.profile("off", 0));
        p.apply("sandbox/ioctl:on", Origin.argument(1));
        Program f = FilterPlan.program(p.snapshot());
        List<String> names = SydLsTool.set("ioctl");
        assertThat(names).contains("TCGETS", "TIOCGWINSZ", "FIONREAD").doesNotContain("TIOCSTI", "KVM_RUN");
        for (String n : names) {
            long request = Ioctls.number(n).orElseThrow();
            assertThat(Interpreter.run(f, SeccompData.of(Syscalls.IOCTL, 0, request))).as(n).isEqualTo(Seccomp.RET_ALLOW);
        }
        assertThat(Interpreter.run(f, SeccompData.of(Syscalls.IOCTL, 0, Ioctls.number("KVM_RUN").orElseThrow())))
                .isEqualTo(Seccomp.RET_USER_NOTIF);
    }

    @Test
    void envDropAndUsage() {
        assertThat(run("env")).startsWith("0\n").contains("\nLD_PRELOAD\n", "\nLD_LIBRARY_PATH\n", "\nSYD_LOG_FD\n");
        assertThat(run("drop")).contains("CAP_SYS_ADMIN", "CAP_NET_RAW").doesNotContain("CAP_CHOWN", "CAP_KILL");
        assertThat(run("personality")).isEqualTo("0\nPER_LINUX\nPER_LINUX32\nUNAME26\nPER_LINUX32|UNAME26\n0xffffffff (query)\n");
        assertThat(run("tiem")).startsWith("1\n").contains("unknown set `tiem`", "did you mean `time`?");
        assertThat(run("prctl")).startsWith("1\n").contains("does not restrict prctl");
    }
}
