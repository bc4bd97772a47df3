package dev.jsyd.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.abi.Audit;
import dev.jsyd.abi.Errno;
import dev.jsyd.abi.Seccomp;
import dev.jsyd.abi.Syscalls;
import dev.jsyd.bpf.FilterSpec;
import dev.jsyd.bpf.Interpreter;
import dev.jsyd.bpf.Program;
import dev.jsyd.bpf.SeccompData;
import org.junit.jupiter.api.Test;

/** The supervisor threads' own filter, through the compiled program and its reference. */
class SupervisorFilterTest {
    static final int EPERM = Seccomp.RET_ERRNO | Errno.EPERM, ALLOW = Seccomp.RET_ALLOW;

    static int run(boolean tracer, int nr, long... args) {
        FilterSpec spec = SupervisorFilter.spec(tracer);
        Program prog = SupervisorFilter.program(tracer);
        SeccompData d = SeccompData.of(nr, args);
        int r = Interpreter.run(prog, d);
        assertThat(r).as("spec and program agree").isEqualTo(spec.evaluate(d));
        return r;
    }

    @Test
    void whatAWorkerNeverDoesIsRefused() {
        for (int nr : new int[] {Syscalls.EXECVE, Syscalls.EXECVEAT, Syscalls.PTRACE, Syscalls.MOUNT, Syscalls.SETNS,
            Syscalls.INIT_MODULE, Syscalls.BPF, Syscalls.IO_URING_SETUP, Syscalls.KEYCTL, Syscalls.OPEN_BY_HANDLE_AT}) {
            assertThat(run(false, nr)).as(Syscalls.name(nr)).isEqualTo(EPERM);
        }
        assertThat(run(false, Syscalls.UNSHARE, 0x10000000L /* CLONE_NEWUSER */)).isEqualTo(EPERM);
        assertThat(run(false, Syscalls.CLONE, 0x20000000L /* CLONE_NEWPID */ | 0x11)).isEqualTo(EPERM);
        assertThat(run(false, Syscalls.PRCTL, 4 /* PR_SET_DUMPABLE */, 1)).isEqualTo(EPERM);
        assertThat(run(false, Syscalls.PRCTL, 0x59616d61 /* PR_SET_PTRACER */, -1)).isEqualTo(EPERM);
    }

    @Test
    void whatTheSupervisorDoesIsAllowed() {
        assertThat(run(false, Syscalls.UNSHARE, 0x200 /* CLONE_FS: a worker's private cwd */)).isEqualTo(ALLOW);
        assertThat(run(false, Syscalls.CLONE, 0x3d0f00 /* a thread */)).isEqualTo(ALLOW);
        assertThat(run(false, Syscalls.CLONE, 0x11 /* fork */ | 0x80 /* a signal number, not CLONE_NEWTIME */)).isEqualTo(ALLOW);
        assertThat(run(false, Syscalls.CLONE3)).isEqualTo(ALLOW);
        assertThat(run(false, Syscalls.PRCTL, 4, 0)).isEqualTo(ALLOW);
        assertThat(run(false, Syscalls.PROCESS_VM_WRITEV)).isEqualTo(ALLOW);
        assertThat(run(false, Syscalls.PIDFD_GETFD)).isEqualTo(ALLOW);
        assertThat(run(false, Syscalls.CAPSET)).isEqualTo(ALLOW);
        assertThat(run(true, Syscalls.PTRACE)).as("the tracer").isEqualTo(ALLOW);
        assertThat(run(true, Syscalls.EXECVE)).isEqualTo(EPERM);
    }

    @Test
    void foreignAbisAreRefusedNotKilled() {
        SeccompData i386 = new SeccompData(11, Audit.AUDIT_ARCH_I386, 0, new long[6]);
        assertThat(Interpreter.run(SupervisorFilter.program(false), i386)).isEqualTo(EPERM);
        assertThat(run(false, Syscalls.READ | Audit.X32_SYSCALL_BIT)).isEqualTo(EPERM);
    }
}
