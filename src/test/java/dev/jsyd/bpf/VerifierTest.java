package dev.jsyd.bpf;

import static dev.jsyd.bpf.Bpf.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jsyd.abi.Seccomp;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class VerifierTest {
    static final Insn RET = Insn.stmt(RET_K, Seccomp.RET_ALLOW);

    static void rejects(String msg, Insn... insns) {
        assertThatThrownBy(() -> Program.of(insns)).isInstanceOf(BpfException.class).hasMessageContaining(msg);
    }

    @Test
    void rejectsWhatTheKernelRejects() {
        rejects("unaligned", Insn.stmt(LD_W_ABS, 2), RET);
        rejects("outside seccomp_data", Insn.stmt(LD_W_ABS, 64), RET);
        rejects("outside seccomp_data", Insn.stmt(LD_W_ABS, -4), RET);
        rejects("not allowed", Insn.stmt(BPF_LD | BPF_H | BPF_ABS, 0), RET);
        rejects("not allowed", Insn.stmt(BPF_LD | BPF_B | BPF_ABS, 0), RET);
        rejects("not allowed", Insn.stmt(BPF_LD | BPF_W | BPF_IND, 0), RET);
        rejects("not allowed", Insn.stmt(BPF_LDX | BPF_B | BPF_MSH, 0), RET);
        rejects("not allowed", Insn.stmt(aluK(BPF_MOD), 3), RET);
        rejects("not allowed", Insn.stmt(BPF_RET | BPF_X, 0));
        rejects("not allowed", Insn.stmt(0xffff, 0), RET);
        rejects("scratch memory", Insn.stmt(ST, 16), RET);
        rejects("scratch memory", Insn.stmt(LD_IMM, 0), Insn.stmt(ST, 1), Insn.stmt(LD_MEM, 16), RET);
        rejects("division by constant zero", Insn.stmt(aluK(BPF_DIV), 0), RET);
        rejects("shift by 32", Insn.stmt(aluK(BPF_LSH), 32), RET);
        rejects("shift by 40", Insn.stmt(aluK(BPF_RSH), 40), RET);
        rejects("past the end", Insn.jump(JMP_JEQ_K, 0, 1, 0), RET);
        rejects("past the end", Insn.stmt(JMP_JA, 1), RET);
        rejects("must be a ret", RET, Insn.stmt(LD_IMM, 0));
        rejects("read before it is written", Insn.stmt(LD_MEM, 0), RET);
        rejects("empty", new Insn[0]);
        // stored on one branch only
        rejects("M[2] read before", Insn.stmt(LD_W_ABS, 0), Insn.jump(JMP_JEQ_K, 1, 0, 1),
                Insn.stmt(ST, 2), Insn.stmt(LDX_MEM, 2), RET);
    }

    @Test
    void acceptsStoreOnBothBranches() {
        Program p = Program.of(Insn.stmt(LD_W_ABS, 0), Insn.jump(JMP_JEQ_K, 1, 0, 2),
                Insn.stmt(ST, 2), Insn.stmt(JMP_JA, 1), Insn.stmt(ST, 2), Insn.stmt(LD_MEM, 2), Insn.stmt(RET_A, 0));
        assertThat(Interpreter.run(p, SeccompData.of(1))).isEqualTo(1);
        assertThat(Interpreter.run(p, SeccompData.of(5))).isEqualTo(5);
    }

    @Test
    void sockFilterBytes() {
        Program p = Program.of(Insn.jump(JMP_JEQ_K, 0x101, 2, 3), RET, RET, RET, RET);
        byte[] b = p.toBytes();
        assertThat(b).hasSize(40);
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(bb.getShort(0)).isEqualTo((short) 0x15);
        assertThat(b[2]).isEqualTo((byte) 2);
        assertThat(b[3]).isEqualTo((byte) 3);
        assertThat(bb.getInt(4)).isEqualTo(0x101);
        assertThat(bb.getShort(8)).isEqualTo((short) 0x06);
        assertThat(bb.getInt(12)).isEqualTo(0x7fff0000);
        assertThat(Program.fromBytes(b)).isEqualTo(p);
        assertThatThrownBy(() -> Program.fromBytes(new byte[7])).isInstanceOf(BpfException.class);
    }

    @Test
    void insnUnsignedViews() {
        Insn i = Insn.jump(JMP_JGE_K, -1, 255, 200);
        assertThat(i.jumpTrue()).isEqualTo(255);
        assertThat(i.jumpFalse()).isEqualTo(200);
        assertThat(i.kUnsigned()).isEqualTo(0xffffffffL);
        assertThat(i.op()).isEqualTo(0x35);
        assertThatThrownBy(() -> Insn.jump(JMP_JEQ_K, 0, 256, 0)).isInstanceOf(BpfException.class);
        assertThatThrownBy(() -> Insn.jump(JMP_JEQ_K, 0, -1, 0)).isInstanceOf(BpfException.class);
    }
}
