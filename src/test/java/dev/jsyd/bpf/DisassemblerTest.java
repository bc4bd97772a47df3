package dev.jsyd.bpf;

import static dev.jsyd.bpf.Bpf.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.abi.Seccomp;
import java.util.List;
import org.junit.jupiter.api.Test;

class DisassemblerTest {

    @Test
    void everyInstructionForm() {
        List<Insn> l = List.of(
                Insn.stmt(LD_W_ABS, 24),
                Insn.stmt(LD_W_ABS, 12),
                Insn.stmt(LD_W_LEN, 0),
                Insn.stmt(LDX_W_LEN, 0),
                Insn.stmt(LD_IMM, 0x10),
                Insn.stmt(LDX_IMM, 3),
                Insn.stmt(ST, 1),
                Insn.stmt(STX, 2),
                Insn.stmt(LD_MEM, 1),
                Insn.stmt(LDX_MEM, 2),
                Insn.stmt(aluK(BPF_AND), 0xff),
                Insn.stmt(aluX(BPF_ADD), 0),
                Insn.stmt(aluK(BPF_RSH), 4),
                Insn.stmt(ALU_NEG, 0),
                Insn.stmt(MISC_TAX, 0),
                Insn.stmt(MISC_TXA, 0),
                Insn.jump(JMP_JSET_X, 0, 0, 1),
                Insn.jump(JMP_JGT_K, 7, 1, 0),
                Insn.stmt(JMP_JA, 0),
                Insn.stmt(RET_A, 0),
                Insn.stmt(RET_K, Seccomp.RET_ALLOW));
        assertThat(Disassembler.disassemble(l)).isEqualTo("""
                0000: ld [24] ; args[1].lo
                0001: ld [12] ; ip.hi
                0002: ld len
                0003: ldx len
                0004: ld #0x10
                0005: ldx #0x3
                0006: st M[1]
                0007: stx M[2]
                0008: ld M[1]
                0009: ldx M[2]
                0010: and #0xff
                0011: add x
                0012: rsh #0x4
                0013: neg
                0014: tax
                0015: txa
                0016: jset x jt 0017 jf 0018
                0017: jgt #0x7 jt 0019 jf 0018
                0018: ja 0019
                0019: ret a
                0020: ret ALLOW
                """);
        assertThat(Program.of(l).disassemble()).isEqualTo(Disassembler.disassemble(l));
    }

    @Test
    void actions() {
        assertThat(Disassembler.action(Seccomp.RET_ALLOW)).isEqualTo("ALLOW");
        assertThat(Disassembler.action(Seccomp.errno(13))).isEqualTo("ERRNO(13)");
        assertThat(Disassembler.action(Seccomp.RET_USER_NOTIF)).isEqualTo("USER_NOTIF");
        assertThat(Disassembler.action(Seccomp.RET_KILL_PROCESS)).isEqualTo("KILL_PROCESS");
        assertThat(Disassembler.action(Seccomp.RET_KILL_THREAD)).isEqualTo("KILL_THREAD");
        assertThat(Disassembler.action(Seccomp.trace(2))).isEqualTo("TRACE(2)");
        assertThat(Disassembler.action(Seccomp.trap(1))).isEqualTo("TRAP(1)");
        assertThat(Disassembler.action(Seccomp.RET_LOG)).isEqualTo("LOG");
        assertThat(Disassembler.action(Seccomp.RET_ALLOW | 5)).isEqualTo("#0x7fff0005");
        assertThat(Disassembler.action(0x12340000)).isEqualTo("#0x12340000");
    }

    @Test
    void namesOnlyWhenAHoldsNrOnEveryPath() {
        ProgramBuilder b = new ProgramBuilder();
        ProgramBuilder.Label join = b.label("join");
        ProgramBuilder.Label other = b.label("other");
        b.ldNr().jeq(257, null, other);      // annotated: openat
        b.ldNr().ja(join);
        b.bind(other).ldArgLow(0);           // a different load reaches join
        b.bind(join).jeq(59, null, null);    // not annotated
        b.ret(Seccomp.RET_ALLOW);
        String text = b.build().disassemble();
        assertThat(text).contains("jeq #0x101 jt 0002 jf 0004 ; openat\n");
        assertThat(text).contains("0005: jeq #0x3b jt 0006 jf 0006\n");
    }

    @Test
    void unknownOpcodeIsShownRaw() {
        assertThat(Disassembler.line(3, new Insn((short) 0x1234, (byte) 1, (byte) 2, 5)))
                .isEqualTo("0003: .insn code=0x1234 jt=1 jf=2 k=0x00000005");
    }
}
