package dev.jsyd.bpf;

import static dev.jsyd.bpf.Bpf.*;

import java.util.Arrays;
import java.util.List;

/**
 * Runs a seccomp filter on a {@code seccomp_data} in pure Java, with the semantics the kernel
 * gives classic BPF: 32-bit unsigned A and X, scratch M[0..15], loads only from seccomp_data,
 * forward jumps, division by X == 0 ends the program with return value 0, shifts by X use the
 * low 5 bits of X.
 */
public final class Interpreter {
    private Interpreter() {}

    /** The outcome of a run: the 32-bit return value and the instructions executed, in order. */
    public record Trace(int ret, int[] path) {
        public int steps() {
            return path.length;
        }

        @Override
        public String toString() {
            return "Trace[ret=" + Disassembler.action(ret) + ", path=" + Arrays.toString(path) + "]";
        }
    }

    /** The filter's 32-bit return value. */
    public static int run(Program p, SeccompData d) {
        return exec(p.insns(), d, null);
    }

    /** The return value and the path taken. */
    public static Trace trace(Program p, SeccompData d) {
        int[] path = new int[p.length() + 1];
        int ret = exec(p.insns(), d, path);
        return new Trace(ret, Arrays.copyOf(path, path[p.length()]));
    }

    private static int exec(List<Insn> prog, SeccompData d, int[] path) {
        int a = 0;
        int x = 0;
        int[] mem = new int[BPF_MEMWORDS];
        int pc = 0;
        int steps = 0;
        int len = prog.size();
        while (true) {
            if (pc < 0 || pc >= len) {
                throw new BpfException("pc " + pc + " outside the program (length " + len + ")");
            }
            if (path != null) {
                path[steps] = pc;
                path[len] = steps + 1;
            }
            steps++;
            Insn in = prog.get(pc);
            int code = in.op();
            int k = in.k();
            int next = pc + 1;
            switch (bpfClass(code)) {
                case BPF_LD -> {
                    switch (bpfMode(code)) {
                        case BPF_ABS -> {
                            requireSize(code, in, pc);
                            a = d.word(k);
                        }
                        case BPF_LEN -> a = SeccompData.SIZE;
                        case BPF_IMM -> a = k;
                        case BPF_MEM -> a = mem[k];
                        default -> throw unsupported(pc, in);
                    }
                }
                case BPF_LDX -> {
                    switch (bpfMode(code)) {
                        case BPF_LEN -> x = SeccompData.SIZE;
                        case BPF_IMM -> x = k;
                        case BPF_MEM -> x = mem[k];
                        default -> throw unsupported(pc, in);
                    }
                }
                case BPF_ST -> mem[k] = a;
                case BPF_STX -> mem[k] = x;
                case BPF_ALU -> {
                    int v = bpfSrc(code) == BPF_X ? x : k;
                    switch (bpfOp(code)) {
                        case BPF_ADD -> a += v;
                        case BPF_SUB -> a -= v;
                        case BPF_MUL -> a *= v;
                        case BPF_DIV -> {
                            if (v == 0) {
                                return 0;
                            }
                            a = Integer.divideUnsigned(a, v);
                        }
                        case BPF_MOD -> {
                            if (v == 0) {
                                return 0;
                            }
                            a = Integer.remainderUnsigned(a, v);
                        }
                        case BPF_OR -> a |= v;
                        case BPF_AND -> a &= v;
                        case BPF_XOR -> a ^= v;
                        case BPF_LSH -> a <<= (v & 31);
                        case BPF_RSH -> a >>>= (v & 31);
                        case BPF_NEG -> a = -a;
                        default -> throw unsupported(pc, in);
                    }
                }
                case BPF_JMP -> {
                    if (bpfOp(code) == BPF_JA) {
                        next = pc + 1 + k;
                        if (k < 0) {
                            throw new BpfException("ja offset out of range at " + pc);
                        }
                    } else {
                        int v = bpfSrc(code) == BPF_X ? x : k;
                        boolean taken = switch (bpfOp(code)) {
                            case BPF_JEQ -> a == v;
                            case BPF_JGT -> Integer.compareUnsigned(a, v) > 0;
                            case BPF_JGE -> Integer.compareUnsigned(a, v) >= 0;
                            case BPF_JSET -> (a & v) != 0;
                            default -> throw unsupported(pc, in);
                        };
                        next = pc + 1 + (taken ? in.jumpTrue() : in.jumpFalse());
                    }
                }
                case BPF_RET -> {
                    return switch (bpfRval(code)) {
                        case BPF_K -> k;
                        case BPF_A -> a;
                        case BPF_X -> x;
                        default -> throw unsupported(pc, in);
                    };
                }
                case BPF_MISC -> {
                    if (bpfMiscOp(code) == BPF_TXA) {
                        a = x;
                    } else if (bpfMiscOp(code) == BPF_TAX) {
                        x = a;
                    } else {
                        throw unsupported(pc, in);
                    }
                }
                default -> throw unsupported(pc, in);
            }
            pc = next;
        }
    }

    private static void requireSize(int code, Insn in, int pc) {
        if (bpfSize(code) != BPF_W) {
            throw unsupported(pc, in);
        }
    }

    private static BpfException unsupported(int pc, Insn in) {
        return new BpfException("unsupported instruction: " + Disassembler.line(pc, in));
    }
}
