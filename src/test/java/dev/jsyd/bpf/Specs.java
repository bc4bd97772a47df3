package dev.jsyd.bpf;

import dev.jsyd.abi.Seccomp;
import dev.jsyd.abi.Syscalls;
import dev.jsyd.bpf.ArgRule.Cond;
import dev.jsyd.bpf.ArgRule.Op;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Spec and data generators shared by the compiler tests. */
final class Specs {
    private Specs() {}

    static final int[] ACTIONS = {
        Seccomp.RET_ALLOW, Seccomp.RET_USER_NOTIF, Seccomp.errno(1), Seccomp.errno(13), Seccomp.errno(38),
        Seccomp.RET_KILL_PROCESS, Seccomp.trace(0), Seccomp.RET_LOG, Seccomp.RET_KILL_THREAD, Seccomp.trap(7),
    };

    static final long[] EDGES = {
        0, 1, 2, 0x7fffffffL, 0x80000000L, 0xfffffffeL, 0xffffffffL, 0x100000000L, 0x100000001L,
        0x1ffffffffL, 0xffffffff00000000L, 0xffffffff80000000L, -100L /* AT_FDCWD */, -2L, -1L,
        Long.MIN_VALUE, Long.MAX_VALUE, 0x0000000100000000L | 0x9c,
    };

    static int action(Random r) {
        return ACTIONS[r.nextInt(ACTIONS.length)];
    }

    static long value(Random r) {
        return switch (r.nextInt(4)) {
            case 0 -> EDGES[r.nextInt(EDGES.length)];
            case 1 -> r.nextInt(64);
            case 2 -> r.nextLong();
            default -> r.nextInt();
        };
    }

    static long mask(Random r) {
        return switch (r.nextInt(6)) {
            case 0, 1 -> -1L;
            case 2 -> 0xffffffffL;
            case 3 -> 0xffffffff00000000L;
            case 4 -> 1L << r.nextInt(64) | 1L << r.nextInt(64);
            default -> r.nextLong();
        };
    }

    static Cond cond(Random r) {
        Op op = Op.values()[r.nextInt(Op.values().length)];
        return new Cond(r.nextInt(6), op, value(r), mask(r));
    }

    static List<ArgRule> rules(Random r, int maxRules, int maxConds) {
        List<ArgRule> rules = new ArrayList<>();
        int n = 1 + r.nextInt(maxRules);
        for (int i = 0; i < n; i++) {
            int c = r.nextInt(maxConds + 1);
            Cond[] conds = new Cond[c];
            for (int j = 0; j < c; j++) {
                conds[j] = cond(r);
            }
            rules.add(ArgRule.all(action(r), conds));
        }
        return rules;
    }

    /** A random spec over numbers 0..maxNr. */
    static FilterSpec random(Random r, int listed, int withRules, int maxNr) {
        FilterSpec.Builder b = FilterSpec.builder().defaultAction(action(r))
                .foreignArchAction(action(r)).x32Action(action(r));
        java.util.TreeSet<Integer> nrs = new java.util.TreeSet<>();
        while (nrs.size() < listed) {
            nrs.add(r.nextInt(maxNr + 1));
        }
        List<Integer> order = new ArrayList<>(nrs);
        java.util.Collections.shuffle(order, r);
        for (int i = 0; i < order.size(); i++) {
            if (i < withRules) {
                b.syscall(order.get(i), rules(r, 4, 3), action(r));
            } else {
                b.syscall(order.get(i), action(r));
            }
        }
        return b.build();
    }

    /** Data points aimed at a spec: its numbers, its rule values and their neighbours. */
    static SeccompData data(Random r, FilterSpec spec) {
        int arch = switch (r.nextInt(20)) {
            case 0 -> Seccomp.AUDIT_ARCH_I386;
            case 1 -> Seccomp.AUDIT_ARCH_AARCH64;
            case 2 -> r.nextInt();
            default -> Seccomp.AUDIT_ARCH_X86_64;
        };
        List<Integer> listed = new ArrayList<>(spec.syscalls().keySet());
        int nr = switch (r.nextInt(10)) {
            case 0 -> r.nextInt(520);
            case 1 -> r.nextInt() | (r.nextBoolean() ? Seccomp.X32_SYSCALL_BIT : 0);
            case 2 -> listed.isEmpty() ? 0 : listed.get(r.nextInt(listed.size())) + r.nextInt(3) - 1;
            default -> listed.isEmpty() ? r.nextInt(470) : listed.get(r.nextInt(listed.size()));
        };
        List<Long> interesting = new ArrayList<>();
        if (spec.syscalls().get(nr) instanceof FilterSpec.Rules rules) {
            for (ArgRule rule : rules.rules()) {
                for (Cond c : rule.conds()) {
                    long v = c.value();
                    long m = c.mask();
                    interesting.add(v);
                    interesting.add(v + 1);
                    interesting.add(v - 1);
                    interesting.add(v ^ (1L << 32));
                    interesting.add(v | ~m);
                    interesting.add(v & m);
                    interesting.add(m);
                    interesting.add(~m);
                }
            }
        }
        long[] args = new long[6];
        for (int i = 0; i < 6; i++) {
            if (!interesting.isEmpty() && r.nextInt(3) != 0) {
                args[i] = interesting.get(r.nextInt(interesting.size()));
            } else {
                args[i] = value(r);
            }
        }
        return new SeccompData(nr, arch, r.nextLong(), args);
    }

    /** A policy shaped like Syd's: every x86_64 syscall listed, some with argument rules. */
    static FilterSpec realistic(int listed, int withRules, long seed) {
        Random r = new Random(seed);
        int[] all = Syscalls.all();
        FilterSpec.Builder b = FilterSpec.builder().defaultAction(Seccomp.errno(38));
        int step = Math.max(1, all.length / listed);
        int n = 0;
        int ruled = 0;
        for (int i = 0; i < all.length && n < listed; i += step, n++) {
            int nr = all[i];
            if (ruled < withRules && i % 3 == 0) {
                b.syscall(nr, rules(r, 4, 2), Seccomp.RET_ALLOW);
                ruled++;
            } else {
                int[] typical = {Seccomp.RET_ALLOW, Seccomp.RET_ALLOW, Seccomp.RET_ALLOW, Seccomp.RET_USER_NOTIF, Seccomp.errno(1)};
                b.syscall(nr, typical[r.nextInt(typical.length)]);
            }
        }
        return b.build();
    }
}
