package dev.jsyd.bpf;

import static dev.jsyd.bpf.Bpf.*;

import java.util.Arrays;
import java.util.List;

/**
 * The checks the kernel makes before it accepts a seccomp filter (bpf_check_classic,
 * seccomp_check_filter and check_load_and_stores), so that a program that passes here is not
 * refused with EINVAL at install time. Every failure names the instruction and the cause.
 */
public final class Verifier {
    private Verifier() {}

    public static void verify(List<Insn> insns) {
        int len = insns.size();
        if (len == 0) {
            throw new BpfException("empty program");
        }
        if (len > BPF_MAXINSNS) {
            throw new BpfException("program too long: " + len + " instructions, the limit is " + BPF_MAXINSNS);
        }
        for (int pc = 0; pc < len; pc++) {
            Insn in = insns.get(pc);
            int code = in.op();
            if (!seccompAllowed(code)) {
                throw fail(pc, in, "opcode not allowed in a seccomp filter");
            }
            long k = in.kUnsigned();
            switch (code) {
                case LD_W_ABS -> {
                    if (k >= SeccompData.SIZE || (k & 3) != 0) {
                        throw fail(pc, in, "load outside seccomp_data or unaligned (offset " + k + ")");
                    }
                }
                case LD_MEM, LDX_MEM, ST, STX -> {
                    if (k >= BPF_MEMWORDS) {
                        throw fail(pc, in, "scratch memory index " + k + " >= " + BPF_MEMWORDS);
                    }
                }
                case JMP_JA -> {
                    if (k >= len - pc - 1) {
                        throw fail(pc, in, "jump target " + (pc + 1 + k) + " past the end (length " + len + ")");
                    }
                }
                default -> {
                    if (isConditionalJump(code)) {
                        int t = pc + 1 + in.jumpTrue();
                        int f = pc + 1 + in.jumpFalse();
                        if (t >= len || f >= len) {
                            throw fail(pc, in, "jump target past the end (jt " + t + ", jf " + f + ", length " + len + ")");
                        }
                    } else if (code == aluK(BPF_DIV) && k == 0) {
                        throw fail(pc, in, "division by constant zero");
                    } else if ((code == aluK(BPF_LSH) || code == aluK(BPF_RSH)) && k >= 32) {
                        throw fail(pc, in, "shift by " + k + " >= 32");
                    }
                }
            }
        }
        Insn last = insns.get(len - 1);
        if (last.op() != RET_K && last.op() != RET_A) {
            throw fail(len - 1, last, "the last instruction must be a ret (a path falls off the end)");
        }
        checkLoadsAfterStores(insns);
    }

    /** Every M[k] load must be preceded, on every path, by a store to M[k]. */
    private static void checkLoadsAfterStores(List<Insn> insns) {
        int len = insns.size();
        int[] valid = new int[len];
        Arrays.fill(valid, 0xffff); // "unvisited": intersection identity
        boolean[] reached = new boolean[len];
        valid[0] = 0;
        reached[0] = true;
        for (int pc = 0; pc < len; pc++) {
            if (!reached[pc]) {
                continue; // unreachable code is accepted by the kernel
            }
            Insn in = insns.get(pc);
            int code = in.op();
            int m = valid[pc];
            if (code == ST || code == STX) {
                m |= 1 << in.k();
            } else if ((code == LD_MEM || code == LDX_MEM) && (m & (1 << in.k())) == 0) {
                throw fail(pc, in, "M[" + in.k() + "] read before it is written");
            }
            if (in.isRet()) {
                continue;
            }
            if (code == JMP_JA) {
                flow(valid, reached, pc + 1 + in.k(), m);
            } else if (isConditionalJump(code)) {
                flow(valid, reached, pc + 1 + in.jumpTrue(), m);
                flow(valid, reached, pc + 1 + in.jumpFalse(), m);
            } else {
                flow(valid, reached, pc + 1, m);
            }
        }
    }

    private static void flow(int[] valid, boolean[] reached, int to, int m) {
        valid[to] = reached[to] ? valid[to] & m : m;
        reached[to] = true;
    }

    private static BpfException fail(int pc, Insn in, String why) {
        return new BpfException(String.format("insn %04d %s: %s", pc, Disassembler.line(pc, in).strip(), why));
    }
}
