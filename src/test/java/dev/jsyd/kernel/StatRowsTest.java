package dev.jsyd.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.abi.Syscalls;
import dev.jsyd.policy.Sandbox;
import org.junit.jupiter.api.Test;

/** Which calls the stat, walk and chattr categories make the filter send to the supervisor. */
class StatRowsTest {
    static boolean notified(int nr, Sandbox sb) { return SyscallTable.handled(nr).neededBy(sb); }

    @Test
    void statNotifiesTheStatFamilyListingsAndEveryPathCall() throws Exception {
        Sandbox sb = DirentHandlersTest.sandbox("sandbox/stat:on");
        for (int nr : new int[] {Syscalls.STAT, Syscalls.LSTAT, Syscalls.NEWFSTATAT, Syscalls.STATX, Syscalls.STATFS,
                Syscalls.ACCESS, Syscalls.FACCESSAT, Syscalls.FACCESSAT2, Syscalls.READLINK, Syscalls.READLINKAT,
                Syscalls.GETDENTS64, Syscalls.GETDENTS, Syscalls.GETXATTR, Syscalls.LGETXATTR, Syscalls.FGETXATTR,
                Syscalls.LISTXATTR, Syscalls.LLISTXATTR, Syscalls.FLISTXATTR, Syscalls.GETXATTRAT, Syscalls.LISTXATTRAT,
                // hiding: other path calls answer ENOENT for a hidden path
                Syscalls.OPEN, Syscalls.OPENAT, Syscalls.OPENAT2, Syscalls.CREAT, Syscalls.EXECVE, Syscalls.EXECVEAT,
                Syscalls.SETXATTR, Syscalls.REMOVEXATTR}) {
            assertThat(notified(nr, sb)).as(Syscalls.name(nr)).isTrue();
        }
        // fstat and fstatfs stay in the kernel.
        assertThat(SyscallTable.handled(Syscalls.FSTAT)).isNull();
        assertThat(SyscallTable.handled(Syscalls.FSTATFS)).isNull();
    }

    @Test
    void walkAloneNotifiesPathLookupsButNotListings() throws Exception {
        Sandbox sb = DirentHandlersTest.sandbox("sandbox/walk:on");
        assertThat(notified(Syscalls.OPENAT, sb)).isTrue();
        assertThat(notified(Syscalls.NEWFSTATAT, sb)).isTrue();
        assertThat(notified(Syscalls.READLINK, sb)).isTrue();
        assertThat(notified(Syscalls.GETDENTS64, sb)).isFalse();
    }

    @Test
    void chattrNotifiesOnlyTheChangingXattrCalls() throws Exception {
        Sandbox sb = DirentHandlersTest.sandbox("sandbox/chattr:on");
        for (int nr : new int[] {Syscalls.SETXATTR, Syscalls.LSETXATTR, Syscalls.FSETXATTR, Syscalls.REMOVEXATTR,
                Syscalls.LREMOVEXATTR, Syscalls.FREMOVEXATTR, Syscalls.SETXATTRAT, Syscalls.REMOVEXATTRAT}) {
            assertThat(notified(nr, sb)).as(Syscalls.name(nr)).isTrue();
        }
        assertThat(notified(Syscalls.GETXATTR, sb)).isFalse();
        assertThat(notified(Syscalls.NEWFSTATAT, sb)).isFalse();
    }

    @Test
    void nothingIsNotifiedWhenTheCategoriesAreOff() throws Exception {
        Sandbox sb = DirentHandlersTest.sandbox();
        for (SyscallTable.Row r : SyscallTable.handledRows()) {
            SyscallTable.Handled h = (SyscallTable.Handled) r.treatment();
            if (!h.categories().isEmpty()) assertThat(h.neededBy(sb)).as(r.name()).isFalse();
        }
    }
}
