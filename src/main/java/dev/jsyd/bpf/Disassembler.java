package dev.jsyd.bpf;

import static dev.jsyd.bpf.Bpf.*;

import dev.jsyd.abi.Seccomp;
import java.util.List;

/**
 * A compact, one-line-per-instruction listing: {@code 0004: jeq #0x101 jt 0006 jf 0005},
 * {@code 0009: ret ERRNO(13)}. Jump targets are absolute instruction indexes; loads from
 * seccomp_data carry a comment naming the field.
 */
public final class Disassembler {
    private Disassembler() {}

    public static String disassemble(Program p) {
        return disassemble(p.insns());
    }

    /**
     * The listing. A comparison of A with a constant while A holds {@code nr} or {@code arch}
     * (found by a forward data-flow pass) is annotated with the syscall or arch name.
     */
    public static String disassemble(List<Insn> insns) {
        int[] src = aSources(insns);
        StringBuilder sb = new StringBuilder();
        for (int pc = 0; pc < insns.size(); pc++) {
            Insn in = insns.get(pc);
            sb.append(line(pc, in));
            String note = annotate(in, src[pc]);
            if (note != null) {
                sb.append(" ; ").append(note);
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static final int UNSET = -2;
    private static final int UNKNOWN = -1;

    /** For each instruction, the seccomp_data offset A was loaded from on every path, or UNKNOWN. */
    private static int[] aSources(List<Insn> insns) {
        int n = insns.size();
        int[] st = new int[n];
        java.util.Arrays.fill(st, UNSET);
        if (n == 0) {
            return st;
        }
        st[0] = UNKNOWN;
        for (int pc = 0; pc < n; pc++) {
            if (st[pc] == UNSET) {
                continue;
            }
            Insn in = insns.get(pc);
            int code = in.op();
            int cls = bpfClass(code);
            int out;
            if (code == LD_W_ABS) {
                out = in.k();
            } else if (cls == BPF_LD || cls == BPF_ALU || code == MISC_TXA) {
                out = UNKNOWN;
            } else {
                out = st[pc];
            }
            if (cls == BPF_RET) {
                continue;
            }
            if (code == JMP_JA) {
                merge(st, pc + 1 + in.kUnsigned(), out);
            } else if (isConditionalJump(code)) {
                merge(st, pc + 1 + in.jumpTrue(), out);
                merge(st, pc + 1 + in.jumpFalse(), out);
            } else {
                merge(st, pc + 1, out);
            }
        }
        return st;
    }

    private static void merge(int[] st, long to, int v) {
        if (to >= 0 && to < st.length) {
            int t = (int) to;
            st[t] = st[t] == UNSET || st[t] == v ? v : UNKNOWN;
        }
    }

    private static String annotate(Insn in, int aSource) {
        int code = in.op();
        if (code != JMP_JEQ_K && code != JMP_JGT_K && code != JMP_JGE_K) {
            return null;
        }
        if (aSource == SeccompData.OFFSET_NR) {
            return dev.jsyd.abi.Syscalls.name(in.k());
        }
        if (aSource == SeccompData.OFFSET_ARCH) {
            return switch (in.k()) {
                case dev.jsyd.abi.Audit.AUDIT_ARCH_X86_64 -> "x86_64";
                case dev.jsyd.abi.Audit.AUDIT_ARCH_I386 -> "i386";
                case dev.jsyd.abi.Audit.AUDIT_ARCH_AARCH64 -> "aarch64";
                default -> null;
            };
        }
        return null;
    }

    /** One instruction, with its index. */
    public static String line(int pc, Insn in) {
        return String.format("%04d: %s", pc, text(pc, in));
    }

    /** A seccomp return value by name: ALLOW, ERRNO(13), USER_NOTIF, TRACE(1), KILL_PROCESS, … */
    public static String action(int ret) {
        int data = ret & Seccomp.RET_DATA;
        String name = switch (ret & Seccomp.RET_ACTION_FULL) {
            case Seccomp.RET_KILL_PROCESS -> "KILL_PROCESS";
            case Seccomp.RET_KILL_THREAD -> "KILL_THREAD";
            case Seccomp.RET_TRAP -> "TRAP(" + data + ")";
            case Seccomp.RET_ERRNO -> "ERRNO(" + data + ")";
            case Seccomp.RET_TRACE -> "TRACE(" + data + ")";
            case Seccomp.RET_USER_NOTIF -> "USER_NOTIF";
            case Seccomp.RET_LOG -> "LOG";
            case Seccomp.RET_ALLOW -> "ALLOW";
            default -> null;
        };
        boolean dataShown = name != null && name.endsWith(")");
        if (name == null || (!dataShown && data != 0)) {
            return String.format("#0x%08x", ret);
        }
        return name;
    }

    private static String field(int k) {
        if (k == SeccompData.OFFSET_NR) {
            return "nr";
        } else if (k == SeccompData.OFFSET_ARCH) {
            return "arch";
        } else if (k == SeccompData.OFFSET_IP) {
            return "ip.lo";
        } else if (k == SeccompData.OFFSET_IP + 4) {
            return "ip.hi";
        } else if (k >= SeccompData.OFFSET_ARGS && k < SeccompData.SIZE && (k & 3) == 0) {
            return "args[" + (k - SeccompData.OFFSET_ARGS) / 8 + "]" + ((k & 4) == 0 ? ".lo" : ".hi");
        }
        return null;
    }

    private static String target(int pc, int off) {
        return String.format("%04d", pc + 1 + off);
    }

    private static String text(int pc, Insn in) {
        int code = in.op();
        int k = in.k();
        String hexK = "#0x" + Integer.toHexString(k);
        switch (code) {
            case LD_W_ABS -> {
                String f = field(k);
                return "ld [" + in.kUnsigned() + "]" + (f == null ? "" : " ; " + f);
            }
            case LD_W_LEN -> { return "ld len"; }
            case LDX_W_LEN -> { return "ldx len"; }
            case LD_IMM -> { return "ld " + hexK; }
            case LDX_IMM -> { return "ldx " + hexK; }
            case LD_MEM -> { return "ld M[" + in.kUnsigned() + "]"; }
            case LDX_MEM -> { return "ldx M[" + in.kUnsigned() + "]"; }
            case ST -> { return "st M[" + in.kUnsigned() + "]"; }
            case STX -> { return "stx M[" + in.kUnsigned() + "]"; }
            case RET_K -> { return "ret " + action(k); }
            case RET_A -> { return "ret a"; }
            case MISC_TAX -> { return "tax"; }
            case MISC_TXA -> { return "txa"; }
            case ALU_NEG -> { return "neg"; }
            case JMP_JA -> { return "ja " + String.format("%04d", pc + 1 + in.kUnsigned()); }
            default -> { }
        }
        int cls = bpfClass(code);
        String src = bpfSrc(code) == BPF_X ? "x" : hexK;
        boolean canonical = code == (cls | bpfOp(code) | bpfSrc(code));
        if (!canonical) {
            cls = -1;
        }
        if (cls == BPF_ALU) {
            String op = switch (bpfOp(code)) {
                case BPF_ADD -> "add";
                case BPF_SUB -> "sub";
                case BPF_MUL -> "mul";
                case BPF_DIV -> "div";
                case BPF_OR -> "or";
                case BPF_AND -> "and";
                case BPF_LSH -> "lsh";
                case BPF_RSH -> "rsh";
                case BPF_MOD -> "mod";
                case BPF_XOR -> "xor";
                default -> null;
            };
            if (op != null) {
                return op + " " + src;
            }
        } else if (cls == BPF_JMP) {
            String op = switch (bpfOp(code)) {
                case BPF_JEQ -> "jeq";
                case BPF_JGT -> "jgt";
                case BPF_JGE -> "jge";
                case BPF_JSET -> "jset";
                default -> null;
            };
            if (op != null) {
                return op + " " + src + " jt " + target(pc, in.jumpTrue()) + " jf " + target(pc, in.jumpFalse());
            }
        }
        return String.format(".insn code=0x%04x jt=%d jf=%d k=0x%08x", code, in.jumpTrue(), in.jumpFalse(), k);
    }
}
