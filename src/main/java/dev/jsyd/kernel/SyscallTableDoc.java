package dev.jsyd.kernel;

import dev.jsyd.abi.Syscalls;
import dev.jsyd.policy.Category;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The {@link SyscallTable} as text for people: the table in docs/EMULATION.md (between its
 * {@link #BEGIN} and {@link #END} markers; a test checks it is what {@link #markdown} gives) and
 * the one-line descriptions {@code syd --api} lists.
 */
public final class SyscallTableDoc {
    private SyscallTableDoc() {}

    public static final String BEGIN = "<!-- syscall-table: generated from kernel/SyscallTable.java by SyscallTableDoc; do not edit -->";
    public static final String END = "<!-- syscall-table: end -->";

    /** "handled", "kernel" or "refused". */
    public static String kind(SyscallTable.Treatment t) {
        return switch (t) {
            case SyscallTable.Handled h -> "handled";
            case SyscallTable.Kernel k -> "kernel";
            case SyscallTable.Refused r -> "refused";
        };
    }

    /** The categories of a handled row, in their configuration names. */
    public static List<String> categories(SyscallTable.Handled h) {
        return h.categories().stream().sorted().map(Category::sydName).toList();
    }

    /** What the treatment does, in one line (without the argument rules). */
    public static String describe(SyscallTable.Treatment t) {
        return switch (t) {
            case SyscallTable.Handled h -> "`" + SyscallTable.handlerName(h.handler()) + "`"
                    + (h.ruleOnly() ? ", notified only where its argument rules say"
                            : h.categories().isEmpty() ? ", always notified" : ", notified for " + String.join(", ", categories(h)))
                    + (h.flagsArg() >= 0 ? " (open flags: arg " + h.flagsArg() + ")" : "");
            case SyscallTable.Kernel k -> k.why();
            case SyscallTable.Refused r -> (r.errno() == 0 ? "answered 0 without running" : SyscallTable.errnoName(r.errno()))
                    + ": " + r.why()
                    + (r.relaxedBy().isEmpty() ? "" : "; relaxed by " + r.relaxedBy().stream().map(s -> "`" + s + "`")
                            .collect(Collectors.joining(", ")));
        };
    }

    /** The markdown table of every row, with the rule for everything else, between the markers. */
    public static String markdown() {
        StringBuilder s = new StringBuilder();
        s.append(BEGIN).append('\n');
        s.append("Table of Linux ").append(Syscalls.KERNEL).append(" (x86_64, ").append(SyscallTable.rows().size())
                .append(" syscalls). Any other number — unknown, or newer than this table — is refused with ENOSYS.\n\n");
        s.append("| nr | syscall | treatment | how / why | argument rules first |\n|---|---|---|---|---|\n");
        for (SyscallTable.Row r : SyscallTable.rows()) {
            s.append("| ").append(r.nr()).append(" | `").append(r.name()).append("` | ").append(kind(r.treatment()))
                    .append(" | ").append(describe(r.treatment()).replace("|", "\\|")).append(" | ")
                    .append(r.rules() == null ? "" : r.rules().what().replace("|", "\\|")).append(" |\n");
        }
        s.append(END).append('\n');
        return s.toString();
    }
}
