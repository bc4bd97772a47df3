package dev.jsyd.bpf;

import dev.jsyd.abi.Audit;
import dev.jsyd.abi.Seccomp;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a seccomp filter decides, as data: an action for foreign arches, for x32 calls, for each
 * listed syscall (unconditional, or ordered argument rules with a fallback) and for every other
 * syscall. {@link FilterCompiler} turns it into BPF; {@link #evaluate(SeccompData)} is the
 * straightforward reference the compiled program must agree with.
 */
public final class FilterSpec {

    /** What a listed syscall gets. */
    public sealed interface Entry permits Fixed, Rules {}

    /** The same action whatever the arguments. */
    public record Fixed(int ret) implements Entry {}

    /** First matching rule wins, else the fallback. */
    public record Rules(List<ArgRule> rules, int fallback) implements Entry {
        public Rules {
            rules = List.copyOf(rules);
        }
    }

    private final int defaultAction;
    private final int foreignArchAction;
    private final int x32Action;
    private final SortedMap<Integer, Entry> syscalls;

    private FilterSpec(Builder b) {
        this.defaultAction = b.defaultAction;
        this.foreignArchAction = b.foreignArchAction;
        this.x32Action = b.x32Action;
        this.syscalls = Collections.unmodifiableSortedMap(new TreeMap<>(b.syscalls));
    }

    public static Builder builder() {
        return new Builder();
    }

    public int defaultAction() {
        return defaultAction;
    }

    public int foreignArchAction() {
        return foreignArchAction;
    }

    public int x32Action() {
        return x32Action;
    }

    /** The listed syscalls, by number. */
    public SortedMap<Integer, Entry> syscalls() {
        return syscalls;
    }

    /** The reference decision for one call. */
    public int evaluate(SeccompData d) {
        if (d.arch() != Audit.AUDIT_ARCH_X86_64) {
            return foreignArchAction;
        }
        if ((d.nr() & Audit.X32_SYSCALL_BIT) != 0) {
            return x32Action;
        }
        Entry e = syscalls.get(d.nr());
        if (e == null) {
            return defaultAction;
        }
        if (e instanceof Fixed f) {
            return f.ret();
        }
        Rules r = (Rules) e;
        for (ArgRule rule : r.rules()) {
            if (rule.matches(d)) {
                return rule.ret();
            }
        }
        return r.fallback();
    }

    @Override
    public String toString() {
        return "FilterSpec[default=" + dflt(defaultAction) + ", foreign=" + dflt(foreignArchAction)
                + ", x32=" + dflt(x32Action) + ", syscalls=" + syscalls + "]";
    }

    private static String dflt(int ret) {
        return Disassembler.action(ret);
    }

    public static final class Builder {
        private int defaultAction = Seccomp.RET_KILL_PROCESS;
        private int foreignArchAction = Seccomp.RET_KILL_PROCESS;
        private int x32Action = Seccomp.RET_KILL_PROCESS;
        private final TreeMap<Integer, Entry> syscalls = new TreeMap<>();

        private Builder() {}

        /** The action for every syscall not listed (default KILL_PROCESS). */
        public Builder defaultAction(int ret) {
            this.defaultAction = ret;
            return this;
        }

        /** The action for any arch other than x86_64 (default KILL_PROCESS). */
        public Builder foreignArchAction(int ret) {
            this.foreignArchAction = ret;
            return this;
        }

        /** The action for numbers carrying the x32 bit 0x40000000 (default KILL_PROCESS). */
        public Builder x32Action(int ret) {
            this.x32Action = ret;
            return this;
        }

        /** An unconditional action for one syscall. */
        public Builder syscall(int nr, int ret) {
            return put(nr, new Fixed(ret));
        }

        /** Ordered argument rules for one syscall: the first match wins, else the fallback. */
        public Builder syscall(int nr, List<ArgRule> rules, int fallbackRet) {
            return put(nr, rules.isEmpty() ? new Fixed(fallbackRet) : new Rules(rules, fallbackRet));
        }

        private Builder put(int nr, Entry e) {
            if (nr < 0 || (nr & Audit.X32_SYSCALL_BIT) != 0) {
                throw new IllegalArgumentException("syscall number out of range 0..0x3fffffff: " + nr);
            }
            if (syscalls.putIfAbsent(nr, e) != null) {
                throw new IllegalArgumentException("syscall " + nr + " listed twice");
            }
            return this;
        }

        public FilterSpec build() {
            return new FilterSpec(this);
        }
    }
}
