package dev.jsyd.kernel;

import static dev.jsyd.abi.OpenFlags.AT_FDCWD;
import static dev.jsyd.abi.OpenFlags.O_RDONLY;
import static dev.jsyd.abi.OpenFlags.O_RDWR;
import static dev.jsyd.abi.OpenFlags.O_WRONLY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.abi.Errno;
import dev.jsyd.abi.Seccomp;
import dev.jsyd.abi.Syscalls;
import dev.jsyd.bpf.Interpreter;
import dev.jsyd.bpf.Program;
import dev.jsyd.bpf.SeccompData;
import org.junit.jupiter.api.Test;

/** The memory family's in-kernel rules (W^X aliases) and when executable mappings reach the tracer. */
class MemoryRulesTest {
    static final int PROT_RX = 5, PROT_RWX = 7, PRIVATE = 0x02, SHARED = 0x01, SHARED_VALIDATE = 0x03, ANON = 0x20;
    static final int EACCES = Seccomp.RET_ERRNO | Errno.EACCES, TRACE = Seccomp.RET_TRACE, ALLOW = Seccomp.RET_ALLOW,
            NOTIFY = Seccomp.RET_USER_NOTIF;

    static Program filter(String... commands) throws Exception { return FilterPlanTest.filter(commands); }

    static int mmap(Program f, int prot, int flags, int fd) {
        return Interpreter.run(f, SeccompData.of(Syscalls.MMAP, 0, 4096, prot, flags, fd, 0));
    }

    static int call(Program f, int nr, long... args) {
        return Interpreter.run(f, SeccompData.of(nr, args));
    }

    @Test
    void sharedExecutableMappingsAreRefused() throws Exception {
        Program f = filter();
        assertThat(mmap(f, PROT_RX, SHARED | ANON, -1)).isEqualTo(EACCES);
        assertThat(mmap(f, PROT_RX, SHARED, 3)).isEqualTo(EACCES);
        assertThat(mmap(f, PROT_RX, SHARED_VALIDATE, 3)).isEqualTo(EACCES);
        assertThat(call(f, Syscalls.MMAP, 0, 4096, PROT_RX | (1L << 40), SHARED | (1L << 35), 3, 0))
                .as("upper bits do not hide PROT_EXEC").isEqualTo(EACCES);
        assertThat(mmap(f, 3, SHARED, 3)).as("shared read-write").isEqualTo(ALLOW);
        assertThat(mmap(f, PROT_RX, PRIVATE | ANON, -1)).as("private anonymous R|X").isEqualTo(ALLOW);
        assertThat(call(f, Syscalls.SHMAT, 1, 0, 0100000 /* SHM_EXEC */)).isEqualTo(EACCES);
        assertThat(call(f, Syscalls.SHMAT, 1, 0, 0)).isEqualTo(ALLOW);
        Program relaxed = filter("trace/allow_unsafe_memory:1");
        assertThat(mmap(relaxed, PROT_RX, SHARED | ANON, -1)).isEqualTo(ALLOW);
        assertThat(call(relaxed, Syscalls.SHMAT, 1, 0, 0100000)).isEqualTo(ALLOW);
    }

    @Test
    void writeOpensAreAlwaysCheckedForProcMem() throws Exception {
        Program f = filter();
        assertThat(call(f, Syscalls.OPENAT, AT_FDCWD, 0x1000, O_RDWR)).isEqualTo(NOTIFY);
        assertThat(call(f, Syscalls.OPENAT, AT_FDCWD, 0x1000, O_WRONLY)).isEqualTo(NOTIFY);
        assertThat(call(f, Syscalls.OPEN, 0x1000, O_RDWR)).isEqualTo(NOTIFY);
        assertThat(call(f, Syscalls.OPENAT, AT_FDCWD, 0x1000, O_RDONLY)).isEqualTo(ALLOW);
        assertThat(call(f, Syscalls.OPENAT2, AT_FDCWD, 0x1000, 0x2000, 24)).isEqualTo(NOTIFY);
        assertThat(call(f, Syscalls.CREAT, 0x1000, 0600)).isEqualTo(NOTIFY);
        // Relaxing W^X lets a process write its own memory; another's never (ReachEscapeIT), so still checked.
        Program relaxed = filter("trace/allow_unsafe_memory:1");
        assertThat(call(relaxed, Syscalls.OPENAT, AT_FDCWD, 0x1000, O_RDWR)).isEqualTo(NOTIFY);
        assertThat(call(relaxed, Syscalls.CREAT, 0x1000, 0600)).isEqualTo(NOTIFY);
    }

    @Test
    void executableFileMappingsReachTheTracerOnlyWhenSomethingCanRefuseThem() throws Exception {
        assertThat(mmap(filter(), PROT_RX, PRIVATE, 3)).as("exec off").isEqualTo(ALLOW);
        assertThat(mmap(filter("sandbox/exec:on", "allow/exec+/***"), PROT_RX, PRIVATE, 3)).as("allow-all").isEqualTo(ALLOW);
        Program refusing = filter("sandbox/exec:on", "allow/exec+/***", "deny/exec+/usr/bin/su");
        assertThat(mmap(refusing, PROT_RX, PRIVATE, 3)).isEqualTo(TRACE);
        assertThat(mmap(refusing, 1, PRIVATE, 3)).as("not executable").isEqualTo(ALLOW);
        assertThat(mmap(refusing, PROT_RX, PRIVATE | ANON, -1)).as("anonymous").isEqualTo(ALLOW);
        assertThat(mmap(filter("sandbox/force:on"), PROT_RX, PRIVATE, 3)).as("Force").isEqualTo(TRACE);
        assertThat(mmap(filter("sandbox/tpe:on"), PROT_RX, PRIVATE, 3)).as("TPE").isEqualTo(TRACE);
        assertThat(mmap(filter("lock:off"), PROT_RX, PRIVATE, 3)).as("rules may come later").isEqualTo(TRACE);
        assertThat(call(refusing, Syscalls.MPROTECT, 0x1000, 4096, PROT_RX)).as("MDWE refuses it in the kernel").isEqualTo(ALLOW);
        Program nomem = filter("sandbox/exec:on", "allow/exec+/***", "deny/exec+/usr/bin/su", "trace/allow_unsafe_memory:1");
        assertThat(call(nomem, Syscalls.MPROTECT, 0x1000, 4096, PROT_RX)).isEqualTo(TRACE);
        assertThat(call(nomem, Syscalls.PKEY_MPROTECT, 0x1000, 4096, PROT_RWX, 0)).as("refused: trace/allow_unsafe_pkey")
                .isEqualTo(Seccomp.RET_ERRNO | Errno.EPERM);
        Program pkeys = filter("sandbox/exec:on", "allow/exec+/***", "deny/exec+/usr/bin/su", "trace/allow_unsafe_memory:1",
                "trace/allow_unsafe_pkey:1");
        assertThat(call(pkeys, Syscalls.PKEY_MPROTECT, 0x1000, 4096, PROT_RWX, 0)).isEqualTo(TRACE);
        assertThat(call(nomem, Syscalls.MPROTECT, 0x1000, 4096, 3)).isEqualTo(ALLOW);
        assertThat(mmap(nomem, PROT_RX, SHARED, 3)).as("W^X relaxed: shared exec mapping checked").isEqualTo(TRACE);
    }

    @Test
    void memfdCreateIsEmulatedAndExecutableMemfdsRefused() throws Exception {
        Program f = filter();
        assertThat(call(f, Syscalls.MEMFD_CREATE, 0x1000, 0)).isEqualTo(NOTIFY);
        assertThat(call(f, Syscalls.MEMFD_CREATE, 0x1000, 0x10 /* MFD_EXEC */)).isEqualTo(EACCES);
    }
}
