package dev.jsyd.bpf;

import static dev.jsyd.bpf.Bpf.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.abi.Seccomp;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InterpreterTest {
    static final SeccompData D = new SeccompData(257, 0xC000003E, 0x1122334455667788L,
            new long[] {0xffffffffffffff9cL, 0x0000000100000002L, 3, 4, 5, 0x8000000000000000L});

    static Insn s(int code, int k) {
        return Insn.stmt(code, k);
    }

    static Insn j(int code, int k, int jt, int jf) {
        return Insn.jump(code, k, jt, jf);
    }

    static int run(Insn... insns) {
        return Interpreter.run(Program.of(insns), D);
    }

    /** Runs the instructions, then returns A. */
    static int a(Insn... insns) {
        List<Insn> l = new ArrayList<>(List.of(insns));
        l.add(s(RET_A, 0));
        return Interpreter.run(Program.of(l), D);
    }

    @Test
    void retK() {
        assertThat(run(s(RET_K, Seccomp.RET_ALLOW))).isEqualTo(Seccomp.RET_ALLOW);
    }

    @Test
    void loadsEveryWordOfSeccompData() {
        assertThat(a(s(LD_W_ABS, 0))).isEqualTo(257);
        assertThat(a(s(LD_W_ABS, 4))).isEqualTo(0xC000003E);
        assertThat(a(s(LD_W_ABS, 8))).isEqualTo(0x55667788);
        assertThat(a(s(LD_W_ABS, 12))).isEqualTo(0x11223344);
        assertThat(a(s(LD_W_ABS, 16))).isEqualTo(0xffffff9c);
        assertThat(a(s(LD_W_ABS, 20))).isEqualTo(0xffffffff);
        assertThat(a(s(LD_W_ABS, 24))).isEqualTo(2);
        assertThat(a(s(LD_W_ABS, 28))).isEqualTo(1);
        assertThat(a(s(LD_W_ABS, 56))).isEqualTo(0);
        assertThat(a(s(LD_W_ABS, 60))).isEqualTo(0x80000000);
        for (int off = 0; off < 64; off += 4) {
            byte[] b = D.toBytes();
            int le = (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
            assertThat(a(s(LD_W_ABS, off))).as("offset " + off).isEqualTo(le);
        }
    }

    @Test
    void immediatesLenAndMisc() {
        assertThat(a(s(LD_IMM, 42))).isEqualTo(42);
        assertThat(a(s(LD_W_LEN, 0))).isEqualTo(64);
        assertThat(a(s(LDX_W_LEN, 0), s(MISC_TXA, 0))).isEqualTo(64);
        assertThat(a(s(LDX_IMM, 7), s(MISC_TXA, 0))).isEqualTo(7);
        assertThat(a(s(LD_IMM, 9), s(MISC_TAX, 0), s(LD_IMM, 1), s(MISC_TXA, 0))).isEqualTo(9);
    }

    @Test
    void scratchMemory() {
        assertThat(a(s(LD_IMM, 5), s(ST, 3), s(LD_IMM, 0), s(LD_MEM, 3))).isEqualTo(5);
        assertThat(a(s(LDX_IMM, 6), s(STX, 15), s(LDX_MEM, 15), s(MISC_TXA, 0))).isEqualTo(6);
        assertThat(a(s(LD_IMM, 1), s(ST, 0), s(LD_IMM, 2), s(ST, 1), s(LD_MEM, 0))).isEqualTo(1);
    }

    @Test
    void aluWithK() {
        assertThat(a(s(LD_IMM, 5), s(aluK(BPF_ADD), 3))).isEqualTo(8);
        assertThat(a(s(LD_IMM, 0xffffffff), s(aluK(BPF_ADD), 2))).isEqualTo(1);
        assertThat(a(s(LD_IMM, 5), s(aluK(BPF_SUB), 7))).isEqualTo(-2);
        assertThat(a(s(LD_IMM, 0x10000), s(aluK(BPF_MUL), 0x10001))).isEqualTo(0x10000);
        assertThat(a(s(LD_IMM, -2), s(aluK(BPF_DIV), 2))).isEqualTo(0x7fffffff); // unsigned
        assertThat(a(s(LD_IMM, 0xf0), s(aluK(BPF_OR), 0x0f))).isEqualTo(0xff);
        assertThat(a(s(LD_IMM, 0xf0), s(aluK(BPF_AND), 0x3c))).isEqualTo(0x30);
        assertThat(a(s(LD_IMM, 0xff), s(aluK(BPF_XOR), 0x0f))).isEqualTo(0xf0);
        assertThat(a(s(LD_IMM, 1), s(aluK(BPF_LSH), 31))).isEqualTo(0x80000000);
        assertThat(a(s(LD_IMM, 0x80000000), s(aluK(BPF_RSH), 31))).isEqualTo(1); // logical
        assertThat(a(s(LD_IMM, 5), s(ALU_NEG, 0))).isEqualTo(-5);
    }

    @Test
    void aluWithX() {
        assertThat(a(s(LDX_IMM, 3), s(LD_IMM, 5), s(aluX(BPF_ADD), 0))).isEqualTo(8);
        assertThat(a(s(LDX_IMM, 3), s(LD_IMM, 5), s(aluX(BPF_SUB), 0))).isEqualTo(2);
        assertThat(a(s(LDX_IMM, 3), s(LD_IMM, 5), s(aluX(BPF_MUL), 0))).isEqualTo(15);
        assertThat(a(s(LDX_IMM, 2), s(LD_IMM, 9), s(aluX(BPF_DIV), 0))).isEqualTo(4);
        assertThat(a(s(LDX_IMM, 1), s(LD_IMM, 2), s(aluX(BPF_OR), 0))).isEqualTo(3);
        assertThat(a(s(LDX_IMM, 6), s(LD_IMM, 3), s(aluX(BPF_AND), 0))).isEqualTo(2);
        assertThat(a(s(LDX_IMM, 6), s(LD_IMM, 3), s(aluX(BPF_XOR), 0))).isEqualTo(5);
        assertThat(a(s(LDX_IMM, 4), s(LD_IMM, 1), s(aluX(BPF_LSH), 0))).isEqualTo(16);
        assertThat(a(s(LDX_IMM, 4), s(LD_IMM, 16), s(aluX(BPF_RSH), 0))).isEqualTo(1);
        assertThat(a(s(LDX_IMM, 33), s(LD_IMM, 1), s(aluX(BPF_LSH), 0))).isEqualTo(2); // low 5 bits
    }

    @Test
    void divisionByZeroXReturnsZero() {
        assertThat(run(s(LDX_IMM, 0), s(LD_IMM, 9), s(aluX(BPF_DIV), 0), s(RET_K, Seccomp.RET_ALLOW))).isZero();
    }

    @Test
    void jumps() {
        Insn allow = s(RET_K, Seccomp.RET_ALLOW);
        Insn deny = s(RET_K, Seccomp.errno(1));
        // A = 257
        Insn ld = s(LD_W_ABS, 0);
        assertThat(run(ld, j(JMP_JEQ_K, 257, 0, 1), allow, deny)).isEqualTo(Seccomp.RET_ALLOW);
        assertThat(run(ld, j(JMP_JEQ_K, 258, 0, 1), allow, deny)).isEqualTo(Seccomp.errno(1));
        assertThat(run(ld, j(JMP_JGT_K, 256, 0, 1), allow, deny)).isEqualTo(Seccomp.RET_ALLOW);
        assertThat(run(ld, j(JMP_JGT_K, 257, 0, 1), allow, deny)).isEqualTo(Seccomp.errno(1));
        assertThat(run(ld, j(JMP_JGE_K, 257, 0, 1), allow, deny)).isEqualTo(Seccomp.RET_ALLOW);
        assertThat(run(ld, j(JMP_JGE_K, 258, 0, 1), allow, deny)).isEqualTo(Seccomp.errno(1));
        assertThat(run(ld, j(JMP_JSET_K, 0x100, 0, 1), allow, deny)).isEqualTo(Seccomp.RET_ALLOW);
        assertThat(run(ld, j(JMP_JSET_K, 0x2, 0, 1), allow, deny)).isEqualTo(Seccomp.errno(1));
        assertThat(run(ld, s(JMP_JA, 1), allow, deny)).isEqualTo(Seccomp.errno(1));
        // unsigned: 0xffffff9c > 5
        Insn ld0 = s(LD_W_ABS, 16);
        assertThat(run(ld0, j(JMP_JGT_K, 5, 0, 1), allow, deny)).isEqualTo(Seccomp.RET_ALLOW);
        // X forms
        Insn x257 = s(LDX_IMM, 257);
        Insn x300 = s(LDX_IMM, 300);
        assertThat(run(x257, ld, j(JMP_JEQ_X, 0, 0, 1), allow, deny)).isEqualTo(Seccomp.RET_ALLOW);
        assertThat(run(x300, ld, j(JMP_JGT_X, 0, 0, 1), allow, deny)).isEqualTo(Seccomp.errno(1));
        assertThat(run(x257, ld, j(JMP_JGE_X, 0, 0, 1), allow, deny)).isEqualTo(Seccomp.RET_ALLOW);
        assertThat(run(x300, ld, j(JMP_JSET_X, 0, 0, 1), allow, deny)).isEqualTo(Seccomp.RET_ALLOW); // 257 & 300 = 256
    }

    @Test
    void retA() {
        assertThat(run(s(LD_IMM, Seccomp.errno(13)), s(RET_A, 0))).isEqualTo(Seccomp.errno(13));
    }

    @Test
    void traceRecordsPath() {
        Program p = Program.of(s(LD_W_ABS, 0), j(JMP_JEQ_K, 257, 1, 0), s(RET_K, 0), s(RET_K, Seccomp.RET_ALLOW));
        Interpreter.Trace t = Interpreter.trace(p, D);
        assertThat(t.ret()).isEqualTo(Seccomp.RET_ALLOW);
        assertThat(t.path()).containsExactly(0, 1, 3);
        assertThat(t.steps()).isEqualTo(3);
    }

    @Test
    void seccompDataBytes() {
        byte[] b = D.toBytes();
        assertThat(b).hasSize(64);
        assertThat(b[0]).isEqualTo((byte) 0x01);
        assertThat(b[1]).isEqualTo((byte) 0x01);
        assertThat(b[4]).isEqualTo((byte) 0x3e);
        assertThat(b[7]).isEqualTo((byte) 0xc0);
        assertThat(b[16]).isEqualTo((byte) 0x9c);
        assertThat(b[23]).isEqualTo((byte) 0xff);
        assertThat(SeccompData.fromBytes(b)).isEqualTo(D);
        assertThat(SeccompData.of(1, 2).args()).containsExactly(2, 0, 0, 0, 0, 0);
    }
}
