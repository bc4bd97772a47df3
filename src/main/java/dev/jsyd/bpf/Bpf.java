package dev.jsyd.bpf;

/** Classic BPF opcode fields ({@code <linux/filter.h>, <linux/bpf_common.h>}), facts only. */
public final class Bpf {
    private Bpf() {}

    // Instruction classes.
    public static final int BPF_LD = 0x00;
    public static final int BPF_LDX = 0x01;
    public static final int BPF_ST = 0x02;
    public static final int BPF_STX = 0x03;
    public static final int BPF_ALU = 0x04;
    public static final int BPF_JMP = 0x05;
    public static final int BPF_RET = 0x06;
    public static final int BPF_MISC = 0x07;

    // ld/ldx sizes.
    public static final int BPF_W = 0x00;
    public static final int BPF_H = 0x08;
    public static final int BPF_B = 0x10;

    // ld/ldx modes.
    public static final int BPF_IMM = 0x00;
    public static final int BPF_ABS = 0x20;
    public static final int BPF_IND = 0x40;
    public static final int BPF_MEM = 0x60;
    public static final int BPF_LEN = 0x80;
    public static final int BPF_MSH = 0xa0;

    // alu/jmp operations.
    public static final int BPF_ADD = 0x00;
    public static final int BPF_SUB = 0x10;
    public static final int BPF_MUL = 0x20;
    public static final int BPF_DIV = 0x30;
    public static final int BPF_OR = 0x40;
    public static final int BPF_AND = 0x50;
    public static final int BPF_LSH = 0x60;
    public static final int BPF_RSH = 0x70;
    public static final int BPF_NEG = 0x80;
    public static final int BPF_MOD = 0x90;
    public static final int BPF_XOR = 0xa0;

    public static final int BPF_JA = 0x00;
    public static final int BPF_JEQ = 0x10;
    public static final int BPF_JGT = 0x20;
    public static final int BPF_JGE = 0x30;
    public static final int BPF_JSET = 0x40;

    // Operand source.
    public static final int BPF_K = 0x00;
    public static final int BPF_X = 0x08;

    // ret value source.
    public static final int BPF_A = 0x10;

    // misc.
    public static final int BPF_TAX = 0x00;
    public static final int BPF_TXA = 0x80;

    /** Scratch memory slots M[0..15]. */
    public static final int BPF_MEMWORDS = 16;
    /** Longest program. */
    public static final int BPF_MAXINSNS = 4096;
    /** Farthest a conditional jump reaches (8-bit offsets). */
    public static final int MAX_COND_JUMP = 255;

    // Field extractors.
    public static int bpfClass(int code) { return code & 0x07; }
    public static int bpfSize(int code) { return code & 0x18; }
    public static int bpfMode(int code) { return code & 0xe0; }
    public static int bpfOp(int code) { return code & 0xf0; }
    public static int bpfSrc(int code) { return code & 0x08; }
    public static int bpfRval(int code) { return code & 0x18; }
    public static int bpfMiscOp(int code) { return code & 0xf8; }

    // The combined opcodes a seccomp filter may use (seccomp_check_filter).
    public static final int LD_W_ABS = BPF_LD | BPF_W | BPF_ABS;     // 0x20
    public static final int LD_W_LEN = BPF_LD | BPF_W | BPF_LEN;     // 0x80
    public static final int LDX_W_LEN = BPF_LDX | BPF_W | BPF_LEN;   // 0x81
    public static final int LD_IMM = BPF_LD | BPF_IMM;               // 0x00
    public static final int LDX_IMM = BPF_LDX | BPF_IMM;             // 0x01
    public static final int LD_MEM = BPF_LD | BPF_MEM;               // 0x60
    public static final int LDX_MEM = BPF_LDX | BPF_MEM;             // 0x61
    public static final int ST = BPF_ST;                             // 0x02
    public static final int STX = BPF_STX;                           // 0x03
    public static final int RET_K = BPF_RET | BPF_K;                 // 0x06
    public static final int RET_A = BPF_RET | BPF_A;                 // 0x16
    public static final int MISC_TAX = BPF_MISC | BPF_TAX;           // 0x07
    public static final int MISC_TXA = BPF_MISC | BPF_TXA;           // 0x87
    public static final int JMP_JA = BPF_JMP | BPF_JA;               // 0x05
    public static final int JMP_JEQ_K = BPF_JMP | BPF_JEQ | BPF_K;   // 0x15
    public static final int JMP_JEQ_X = BPF_JMP | BPF_JEQ | BPF_X;   // 0x1d
    public static final int JMP_JGT_K = BPF_JMP | BPF_JGT | BPF_K;   // 0x25
    public static final int JMP_JGT_X = BPF_JMP | BPF_JGT | BPF_X;   // 0x2d
    public static final int JMP_JGE_K = BPF_JMP | BPF_JGE | BPF_K;   // 0x35
    public static final int JMP_JGE_X = BPF_JMP | BPF_JGE | BPF_X;   // 0x3d
    public static final int JMP_JSET_K = BPF_JMP | BPF_JSET | BPF_K; // 0x45
    public static final int JMP_JSET_X = BPF_JMP | BPF_JSET | BPF_X; // 0x4d
    public static final int ALU_NEG = BPF_ALU | BPF_NEG;             // 0x84

    /** {@code BPF_ALU | op | BPF_K}. */
    public static int aluK(int op) { return BPF_ALU | op | BPF_K; }

    /** {@code BPF_ALU | op | BPF_X}. */
    public static int aluX(int op) { return BPF_ALU | op | BPF_X; }

    /**
     * Whether a seccomp filter may contain this opcode (the kernel's seccomp_check_filter list:
     * no packet loads other than 32-bit aligned absolute loads of seccomp_data, no MOD, no RET X).
     */
    public static boolean seccompAllowed(int code) {
        switch (code) {
            case LD_W_ABS, LD_W_LEN, LDX_W_LEN, LD_IMM, LDX_IMM, LD_MEM, LDX_MEM, ST, STX,
                 RET_K, RET_A, MISC_TAX, MISC_TXA, ALU_NEG,
                 JMP_JA, JMP_JEQ_K, JMP_JEQ_X, JMP_JGT_K, JMP_JGT_X, JMP_JGE_K, JMP_JGE_X,
                 JMP_JSET_K, JMP_JSET_X -> {
                return true;
            }
            default -> {
                if (bpfClass(code) == BPF_ALU && (code & ~0xf8) == BPF_ALU) {
                    int op = bpfOp(code);
                    return op == BPF_ADD || op == BPF_SUB || op == BPF_MUL || op == BPF_DIV
                            || op == BPF_AND || op == BPF_OR || op == BPF_XOR
                            || op == BPF_LSH || op == BPF_RSH;
                }
                return false;
            }
        }
    }

    /** Whether the opcode is a conditional jump (uses jt/jf). */
    public static boolean isConditionalJump(int code) {
        return bpfClass(code) == BPF_JMP && bpfOp(code) != BPF_JA;
    }
}
