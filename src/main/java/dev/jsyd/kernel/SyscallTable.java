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

    /**
     * One row: number, name, handler, categories (none: always notified, e.g. the signal guards);
     * {@code flagsArg} is the index of an open-flags argument the filter may look at (-1: none).
     */
    public record Entry(int nr, String name, Handler handler, Set<Category> categories, int flagsArg) {
        /** True when some call of this syscall could be refused or logged under {@code sandbox}. */
        public boolean neededBy(Sandbox sandbox) {
            if (categories.isEmpty()) return true;
            for (Category c : categories) if (sandbox.mayRefuse(c)) return true;
            return false;
        }

        /** True when every category is a path category (walk and stat hiding then apply too). */
        public boolean isPathCall() {
            if (categories.isEmpty()) return false;
            for (Category c : categories) if (!c.isPath()) return false;
            return true;
        }
    }

    /** Every row: each syscall family contributes its own list (one family per file). */
    public static List<Entry> entries() { return Rows.ALL; }

    /**
     * Built on first use, in a holder class: a handler class's ROWS initialiser calls {@link #row},
     * so building the table in SyscallTable's own initialiser would be a class-initialisation
     * cycle that leaves a family's rows null when that handler class happens to load first.
     */
    private static final class Rows {
        static final List<Entry> ALL = concat(
                OpenHandlers.ROWS,
                ExecHandlers.ROWS,
                SignalHandlers.ROWS,
                StatHandlers.ROWS,
                ReadlinkHandlers.ROWS,
                DirentHandlers.ROWS,
                XattrHandlers.ROWS,
                MknodHandlers.ROWS,
                UnlinkHandlers.ROWS,
                RenameHandlers.ROWS,
                LinkHandlers.ROWS,
                TruncateHandlers.ROWS,
                ChmodHandlers.ROWS,
                ChownHandlers.ROWS,
                UtimeHandlers.ROWS,
                ChdirHandlers.ROWS,
                NotifyHandlers.ROWS,
                SocketHandlers.ROWS,
                BindHandlers.ROWS,
                ConnectHandlers.ROWS,
                AcceptHandlers.ROWS,
                SendHandlers.ROWS,
                MemoryHandlers.ROWS);

        static final Entry[] BY_NR = new Entry[1024];

        static {
            for (Entry e : ALL) BY_NR[e.nr()] = e;
        }
    }

    /**
     * A row for {@code nr}, checked against {@code categories}. A row with a path category is
     * also notified when walk or stat is on: every path lookup makes walk checks (spec §6) and
     * every path call answers ENOENT for a hidden path (spec §1), whatever its own category.
     */
    static Entry row(int nr, Handler h, Category... categories) {
        return new Entry(nr, Syscalls.name(nr), h, withWalkAndStat(categories), -1);
    }

    /** A row for an open-family call whose open flags are argument {@code flagsArg}. */
    static Entry openRow(int nr, Handler h, int flagsArg, Category... categories) {
        return new Entry(nr, Syscalls.name(nr), h, withWalkAndStat(categories), flagsArg);
    }

    private static Set<Category> withWalkAndStat(Category... categories) {
        var set = java.util.EnumSet.noneOf(Category.class);
        set.addAll(java.util.Arrays.asList(categories));
        if (set.stream().anyMatch(Category::isPath)) {
            set.add(Category.WALK);
            set.add(Category.STAT);
        }
        return Set.copyOf(set);
    }

    @SafeVarargs
    private static List<Entry> concat(List<Entry>... lists) {
        List<Entry> all = new java.util.ArrayList<>();
        for (List<Entry> l : lists) all.addAll(l);
        return List.copyOf(all);
    }

    /** The row for {@code nr}, or null when the syscall has no handler. */
    public static Entry byNumber(int nr) {
        return nr >= 0 && nr < Rows.BY_NR.length ? Rows.BY_NR[nr] : null;
    }
}
