package dev.jsyd.kernel;

import static dev.jsyd.policy.Category.*;

import dev.jsyd.abi.Syscalls;
import dev.jsyd.policy.Category;
import dev.jsyd.policy.Sandbox;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The syscall table as data: for each notified syscall (x86_64 number), its handler and the
 * categories whose rules it is checked against. A syscall is notified only when one of its
 * categories is enabled; new families slot in as new rows.
 */
public final class SyscallTable {
    private SyscallTable() {}

    /** One row: number, name, handler, categories. */
    public record Entry(int nr, String name, Handler handler, Set<Category> categories) {
        public boolean neededBy(Sandbox sandbox) {
            for (Category c : categories) if (sandbox.enabled(c)) return true;
            return false;
        }
    }

    private static final Set<Category> OPEN_CATS = EnumSet.of(READ, WRITE, CREATE, TRUNCATE, READDIR, MKTEMP);

    public static final List<Entry> ENTRIES = List.of(
            row(Syscalls.OPEN, OpenHandlers::open, OPEN_CATS),
            row(Syscalls.OPENAT, OpenHandlers::openat, OPEN_CATS),
            row(Syscalls.OPENAT2, OpenHandlers::openat2, OPEN_CATS),
            row(Syscalls.CREAT, OpenHandlers::creat, EnumSet.of(WRITE, CREATE, TRUNCATE)),
            row(Syscalls.EXECVE, ExecHandlers::execve, EnumSet.of(EXEC)),
            row(Syscalls.EXECVEAT, ExecHandlers::execveat, EnumSet.of(EXEC)));

    private static final Entry[] BY_NR = new Entry[1024];

    static {
        for (Entry e : ENTRIES) BY_NR[e.nr()] = e;
    }

    private static Entry row(int nr, Handler h, Set<Category> cats) {
        return new Entry(nr, Syscalls.name(nr), h, cats);
    }

    /** The row for {@code nr}, or null when the syscall has no handler. */
    public static Entry byNumber(int nr) {
        return nr >= 0 && nr < BY_NR.length ? BY_NR[nr] : null;
    }
}
