package dev.jsyd.bpf;

import dev.jsyd.abi.Audit;
import dev.jsyd.bpf.ArgRule.Cond;
import dev.jsyd.bpf.FilterSpec.Entry;
import dev.jsyd.bpf.FilterSpec.Fixed;
import dev.jsyd.bpf.FilterSpec.Rules;
import dev.jsyd.bpf.ProgramBuilder.Label;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Compiles a {@link FilterSpec} into a seccomp BPF program:
 * <pre>
 *   ld arch; jeq X86_64 else ret foreignArchAction
 *   ld nr;   jset 0x40000000 then ret x32Action
 *   binary search tree of jge over the intervals of nr (A keeps nr throughout)
 *     leaf: ret action            (a run of numbers with the same unconditional action)
 *     leaf: argument rules        (one number: rules in order, then ret fallback)
 * </pre>
 * The nr space 0..2^32-1 is cut into intervals: each listed syscall, the gaps between them
 * (the default action), and adjacent intervals with the same unconditional action are merged.
 * Any nr reaches its leaf after ceil(log2(intervals)) comparisons.
 */
public final class FilterCompiler {
    private FilterCompiler() {}

    /** A maximal run [lo, hi] of numbers (unsigned) with one leaf. */
    private record Interval(long lo, long hi, Entry entry) {}

    public static Program compile(FilterSpec spec) {
        ProgramBuilder b = new ProgramBuilder();
        Label foreign = b.label("foreign");
        Label x32 = b.label("x32");
        Label native_ = b.label("native");
        b.ldArch();
        b.jeq(Audit.AUDIT_ARCH_X86_64, null, foreign);
        b.ldNr();
        b.jset(Audit.X32_SYSCALL_BIT, x32, native_);
        b.bind(x32);
        b.ret(spec.x32Action());
        b.bind(foreign);
        b.ret(spec.foreignArchAction());
        b.bind(native_);
        List<Interval> iv = intervals(spec);
        tree(b, iv, 0, iv.size() - 1);
        return b.build();
    }

    /** The intervals covering 0..0xffffffff, merged. */
    static List<Interval> intervals(FilterSpec spec) {
        List<Interval> raw = new ArrayList<>();
        Fixed dflt = new Fixed(spec.defaultAction());
        long cur = 0;
        for (Map.Entry<Integer, Entry> e : spec.syscalls().entrySet()) {
            long nr = e.getKey() & 0xffffffffL;
            if (nr > cur) {
                raw.add(new Interval(cur, nr - 1, dflt));
            }
            raw.add(new Interval(nr, nr, e.getValue()));
            cur = nr + 1;
        }
        if (cur <= 0xffffffffL) {
            raw.add(new Interval(cur, 0xffffffffL, dflt));
        }
        List<Interval> merged = new ArrayList<>();
        for (Interval i : raw) {
            if (!merged.isEmpty()) {
                Interval last = merged.get(merged.size() - 1);
                if (last.entry instanceof Fixed f && i.entry instanceof Fixed g && f.ret() == g.ret()) {
                    merged.set(merged.size() - 1, new Interval(last.lo, i.hi, f));
                    continue;
                }
            }
            merged.add(i);
        }
        return merged;
    }

    private static void tree(ProgramBuilder b, List<Interval> iv, int from, int to) {
        if (from == to) {
            leaf(b, iv.get(from));
            return;
        }
        int mid = (from + to + 1) >>> 1;
        Label right = b.label("nr>=" + iv.get(mid).lo);
        b.jge((int) iv.get(mid).lo, right, null);
        tree(b, iv, from, mid - 1);
        b.bind(right);
        tree(b, iv, mid, to);
    }

    private static void leaf(ProgramBuilder b, Interval i) {
        if (i.entry instanceof Fixed f) {
            b.ret(f.ret());
            return;
        }
        Rules r = (Rules) i.entry;
        for (ArgRule rule : r.rules()) {
            Label nextRule = b.label("rule-fail");
            for (Cond c : rule.conds()) {
                Label pass = b.label("cond-pass");
                cond(b, c, pass, nextRule);
                b.bind(pass);
            }
            b.ret(rule.ret());
            b.bind(nextRule);
        }
        b.ret(r.fallback());
    }

    /** Emits code that jumps to pass if the condition holds, else to fail. */
    private static void cond(ProgramBuilder b, Cond c, Label pass, Label fail) {
        switch (c.op()) {
            case EQ, MASKED_EQ -> eq(b, c, pass, fail);
            case NE -> eq(b, c, fail, pass);
            case GT -> greater(b, c, false, pass, fail);
            case GE -> greater(b, c, true, pass, fail);
            case LT -> greater(b, c, true, fail, pass);
            case LE -> greater(b, c, false, fail, pass);
            case ANY_BITS -> anyBits(b, c, pass, fail);
            case NO_BITS -> anyBits(b, c, fail, pass);
        }
    }

    private static int hi(long v) {
        return (int) (v >>> 32);
    }

    private static int lo(long v) {
        return (int) v;
    }

    /** Loads args[i]'s high or low word into A and applies the mask half (if not all ones). */
    private static void load(ProgramBuilder b, int arg, boolean high, int mask) {
        b.ldAbs(high ? SeccompData.argHigh(arg) : SeccompData.argLow(arg));
        if (mask != -1) {
            b.and(mask);
        }
    }

    /** (arg & mask) == value. A mask half of 0 makes that half a known 0. */
    private static void eq(ProgramBuilder b, Cond c, Label pass, Label fail) {
        long m = c.mask();
        long v = c.value();
        if ((v & ~m) != 0) {
            b.ja(fail); // value has bits the mask clears: never equal
            return;
        }
        if (hi(m) != 0) {
            load(b, c.argIndex(), true, hi(m));
            b.jeq(hi(v), null, fail);
        }
        if (lo(m) != 0) {
            load(b, c.argIndex(), false, lo(m));
            b.jeq(lo(v), pass, fail);
        } else {
            b.ja(pass);
        }
    }

    /** (arg & mask) > value, or >= when orEqual. */
    private static void greater(ProgramBuilder b, Cond c, boolean orEqual, Label pass, Label fail) {
        long m = c.mask();
        long v = c.value();
        if (hi(m) != 0) {
            load(b, c.argIndex(), true, hi(m));
            b.jgt(hi(v), pass, null);
            b.jeq(hi(v), null, fail);
        } else if (hi(v) != 0) {
            b.ja(fail); // high word is 0 < hi(v)
            return;
        }
        if (lo(m) != 0) {
            load(b, c.argIndex(), false, lo(m));
            if (orEqual) {
                b.jge(lo(v), pass, fail);
            } else {
                b.jgt(lo(v), pass, fail);
            }
        } else {
            // low word is 0: 0 > lo(v) never; 0 >= lo(v) iff lo(v) == 0
            b.ja(orEqual && lo(v) == 0 ? pass : fail);
        }
    }

    /** (arg & mask) != 0. */
    private static void anyBits(ProgramBuilder b, Cond c, Label pass, Label fail) {
        long m = c.mask();
        if (hi(m) != 0) {
            b.ldAbs(SeccompData.argHigh(c.argIndex()));
            b.jset(hi(m), pass, lo(m) != 0 ? null : fail);
        }
        if (lo(m) != 0) {
            b.ldAbs(SeccompData.argLow(c.argIndex()));
            b.jset(lo(m), pass, fail);
        } else if (hi(m) == 0) {
            b.ja(fail);
        }
    }
}
