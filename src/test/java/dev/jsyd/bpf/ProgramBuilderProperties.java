package dev.jsyd.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.bpf.ProgramBuilder.Label;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Random programs with forward jumps of any length, written with labels: the built program
 * (with its trampolines) computes what the same program computes with absolute targets.
 */
class ProgramBuilderProperties {
    // kinds
    static final int LD_NR = 0, LD_ARG = 1, LD_IMM = 2, JEQ = 3, JGT = 4, JSET = 5, JA = 6, RET = 7, RET_A = 8;

    record Op(int kind, int k, int t, int f) {}

    static Op[] generate(Random r) {
        int n = 2 + r.nextInt(r.nextBoolean() ? 40 : 1500);
        Op[] ops = new Op[n];
        for (int pc = 0; pc < n - 1; pc++) {
            int left = n - 1 - pc; // targets pc+1 .. n-1
            int kind = r.nextInt(10);
            int t = pc + 1 + r.nextInt(left);
            int f = r.nextInt(3) == 0 ? pc + 1 : pc + 1 + r.nextInt(left);
            ops[pc] = switch (kind) {
                case 0 -> new Op(LD_NR, 0, 0, 0);
                case 1 -> new Op(LD_ARG, r.nextInt(6), 0, 0);
                case 2, 9 -> new Op(LD_IMM, r.nextInt(8), 0, 0);
                case 3 -> new Op(JEQ, r.nextInt(8), t, f);
                case 4 -> new Op(JGT, r.nextInt(8), t, f);
                case 5 -> new Op(JSET, r.nextInt(8), t, f);
                case 6 -> new Op(JA, 0, t, 0);
                case 7 -> new Op(RET, r.nextInt(1000), 0, 0);
                default -> new Op(RET_A, 0, 0, 0);
            };
        }
        ops[n - 1] = new Op(RET, 4242, 0, 0);
        return ops;
    }

    static Program build(Op[] ops) {
        ProgramBuilder b = new ProgramBuilder();
        Label[] labels = new Label[ops.length];
        for (int pc = 0; pc < ops.length; pc++) {
            Op op = ops[pc];
            if (op.kind == JEQ || op.kind == JGT || op.kind == JSET || op.kind == JA) {
                if (labels[op.t] == null) {
                    labels[op.t] = b.label("at" + op.t);
                }
                if (op.kind != JA && op.f != pc + 1 && labels[op.f] == null) {
                    labels[op.f] = b.label("at" + op.f);
                }
            }
        }
        for (int pc = 0; pc < ops.length; pc++) {
            if (labels[pc] != null) {
                b.bind(labels[pc]);
            }
            Op op = ops[pc];
            Label f = op.f == pc + 1 ? null : labels[op.f];
            switch (op.kind) {
                case LD_NR -> b.ldNr();
                case LD_ARG -> b.ldArgLow(op.k);
                case LD_IMM -> b.ldImm(op.k);
                case JEQ -> b.jeq(op.k, labels[op.t], f);
                case JGT -> b.jgt(op.k, labels[op.t], f);
                case JSET -> b.jset(op.k, labels[op.t], f);
                case JA -> b.ja(labels[op.t]);
                case RET -> b.ret(op.k);
                default -> b.retA();
            }
        }
        return b.build();
    }

    static int reference(Op[] ops, SeccompData d) {
        int a = 0;
        int pc = 0;
        while (true) {
            Op op = ops[pc];
            switch (op.kind) {
                case LD_NR -> a = d.nr();
                case LD_ARG -> a = (int) d.arg(op.k);
                case LD_IMM -> a = op.k;
                case JEQ -> { pc = a == op.k ? op.t : op.f; continue; }
                case JGT -> { pc = Integer.compareUnsigned(a, op.k) > 0 ? op.t : op.f; continue; }
                case JSET -> { pc = (a & op.k) != 0 ? op.t : op.f; continue; }
                case JA -> { pc = op.t; continue; }
                case RET -> { return op.k; }
                default -> { return a; }
            }
            pc++;
        }
    }

    @Property(tries = 300)
    void labelsAndTrampolinesPreserveMeaning(@ForAll long seed) {
        Random r = new Random(seed);
        Op[] ops = generate(r);
        Program p;
        try {
            p = build(ops);
        } catch (BpfException e) {
            // only the length limit may stop a valid program (trampolines can push it past 4096)
            assertThat(e.getMessage()).contains("program too long");
            return;
        }
        assertThat(p.length()).isGreaterThanOrEqualTo(ops.length);
        for (int i = 0; i < 50; i++) {
            long[] args = new long[6];
            for (int j = 0; j < 6; j++) {
                args[j] = r.nextInt(9);
            }
            SeccompData d = SeccompData.of(r.nextInt(9), args);
            assertThat(Interpreter.run(p, d)).as("seed %d, %s", seed, d).isEqualTo(reference(ops, d));
        }
    }
}
