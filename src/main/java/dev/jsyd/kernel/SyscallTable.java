package dev.jsyd.kernel;

import dev.jsyd.abi.Syscalls;
import dev.jsyd.policy.Category;
import dev.jsyd.policy.Sandbox;
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

    /** Every row: each syscall family contributes its own list (one family per file). */
    public static final List<Entry> ENTRIES = concat(
            OpenHandlers.ROWS,
            ExecHandlers.ROWS,
            SocketHandlers.ROWS,
            BindHandlers.ROWS,
            ConnectHandlers.ROWS,
            SendHandlers.ROWS);

    private static final Entry[] BY_NR = new Entry[1024];

    static {
        for (Entry e : ENTRIES) BY_NR[e.nr()] = e;
    }

    /** A row for {@code nr}, checked against {@code categories}. */
    static Entry row(int nr, Handler h, Category... categories) {
        return new Entry(nr, Syscalls.name(nr), h, Set.copyOf(java.util.Arrays.asList(categories)));
    }

    @SafeVarargs
    private static List<Entry> concat(List<Entry>... lists) {
        List<Entry> all = new java.util.ArrayList<>();
        for (List<Entry> l : lists) all.addAll(l);
        return List.copyOf(all);
    }

    /** The row for {@code nr}, or null when the syscall has no handler. */
    public static Entry byNumber(int nr) {
        return nr >= 0 && nr < BY_NR.length ? BY_NR[nr] : null;
    }
}
