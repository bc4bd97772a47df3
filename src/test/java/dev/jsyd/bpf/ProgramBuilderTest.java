package dev.jsyd.bpf;

import static dev.jsyd.bpf.Bpf.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jsyd.abi.Seccomp;
import dev.jsyd.bpf.ProgramBuilder.Label;
import org.junit.jupiter.api.Test;

class ProgramBuilderTest {
    static final int ALLOW = Seccomp.RET_ALLOW;
    static final int EPERM = Seccomp.errno(1);

    @Test
    void forwardLabelsResolve() {
        ProgramBuilder b = new ProgramBuilder();
        Label deny = b.label("deny");
        Label allow = b.label("allow");
        b.ldNr().jeq(1, allow, null).jeq(2, allow, deny);
        b.bind(deny).ret(EPERM);
        b.bind(allow).ret(ALLOW);
        Program p = b.build();
        assertThat(p.length()).isEqualTo(5);
        assertThat(p.insns().get(1)).isEqualTo(Insn.jump(JMP_JEQ_K, 1, 2, 0));
        assertThat(p.insns().get(2)).isEqualTo(Insn.jump(JMP_JEQ_K, 2, 1, 0));
        assertThat(Interpreter.run(p, SeccompData.of(1))).isEqualTo(ALLOW);
        assertThat(Interpreter.run(p, SeccompData.of(2))).isEqualTo(ALLOW);
        assertThat(Interpreter.run(p, SeccompData.of(3))).isEqualTo(EPERM);
    }

    @Test
    void severalLabelsAtOnePlaceAndJa() {
        ProgramBuilder b = new ProgramBuilder();
        Label a = b.label("a");
        Label c = b.label("c");
        Label tail = b.label("tail");
        b.ldNr().jeq(7, a, c);
        b.bind(a).bind(c).ja(tail);
        b.ret(EPERM); // skipped by the ja
        b.bind(tail).ret(ALLOW);
        Program p = b.build();
        assertThat(p.insns().get(1)).isEqualTo(Insn.jump(JMP_JEQ_K, 7, 0, 0));
        assertThat(p.insns().get(2)).isEqualTo(Insn.stmt(JMP_JA, 1));
        assertThat(Interpreter.run(p, SeccompData.of(7))).isEqualTo(ALLOW);
        assertThat(Interpreter.run(p, SeccompData.of(8))).isEqualTo(ALLOW);
    }

    /** A program whose conditional jump must cross n filler instructions. */
    static ProgramBuilder farJump(int n, boolean trampolines) {
        ProgramBuilder b = new ProgramBuilder().trampolines(trampolines);
        Label far = b.label("far");
        Label end = b.label("end");
        b.ldNr().jeq(42, far, null);
        for (int i = 0; i < n; i++) {
            b.ldImm(i);
        }
        b.ja(end);
        b.bind(far).ret(ALLOW);
        b.bind(end).ret(EPERM);
        return b;
    }

    @Test
    void nearJumpNeedsNoTrampoline() {
        ProgramBuilder b = farJump(254, true);
        Program p = b.build();
        assertThat(b.trampolineCount()).isZero();
        assertThat(p.insns().get(1).jumpTrue()).isEqualTo(255);
        assertThat(Interpreter.run(p, SeccompData.of(42))).isEqualTo(ALLOW);
        assertThat(Interpreter.run(p, SeccompData.of(41))).isEqualTo(EPERM);
    }

    @Test
    void farJumpGetsTrampoline() {
        for (int n : new int[] {255, 256, 300, 1000, 4000}) {
            ProgramBuilder b = farJump(n, true);
            Program p = b.build();
            assertThat(b.trampolineCount()).as("n=" + n).isEqualTo(1);
            assertThat(p.length()).isEqualTo(n + 6);
            assertThat(p.insns().get(2).op()).isEqualTo(JMP_JA);
            assertThat(Interpreter.run(p, SeccompData.of(42))).isEqualTo(ALLOW);
            assertThat(Interpreter.run(p, SeccompData.of(41))).isEqualTo(EPERM);
            assertThat(b.build()).as("build twice").isEqualTo(p);
        }
    }

    @Test
    void bothBranchesFar() {
        ProgramBuilder b = new ProgramBuilder();
        Label t = b.label("t");
        Label f = b.label("f");
        b.ldNr().jeq(1, t, f);
        for (int i = 0; i < 300; i++) {
            b.ldImm(i);
        }
        b.ret(0);
        b.bind(f).ret(EPERM);
        for (int i = 0; i < 300; i++) {
            b.ldImm(i);
        }
        b.bind(t).ret(ALLOW);
        Program p = b.build();
        assertThat(b.trampolineCount()).isEqualTo(2);
        assertThat(Interpreter.run(p, SeccompData.of(1))).isEqualTo(ALLOW);
        assertThat(Interpreter.run(p, SeccompData.of(2))).isEqualTo(EPERM);
    }

    @Test
    void cascadingTrampolines() {
        // many far jumps close together: inserting trampolines pushes others out of range
        ProgramBuilder b = new ProgramBuilder();
        Label far = b.label("far");
        b.ldNr();
        for (int i = 0; i < 300; i++) {
            b.jeq(i, far, null);
        }
        b.ret(EPERM);
        for (int i = 0; i < 250; i++) {
            b.ldImm(i);
        }
        b.bind(far).ret(ALLOW);
        Program p = b.build();
        assertThat(Interpreter.run(p, SeccompData.of(0))).isEqualTo(ALLOW);
        assertThat(Interpreter.run(p, SeccompData.of(299))).isEqualTo(ALLOW);
        assertThat(Interpreter.run(p, SeccompData.of(300))).isEqualTo(EPERM);
        for (Insn in : p.insns()) {
            assertThat(in.jumpTrue()).isLessThanOrEqualTo(255);
        }
    }

    @Test
    void farJumpWithoutTrampolinesFails() {
        assertThatThrownBy(() -> farJump(255, false).build())
                .isInstanceOf(BpfException.class)
                .hasMessageContaining("label 'far' is 256 instructions ahead; the limit is 255");
        assertThat(farJump(254, false).build().length()).isEqualTo(259);
    }

    @Test
    void noRetAtEnd() {
        ProgramBuilder b = new ProgramBuilder().ldNr();
        assertThatThrownBy(b::build).isInstanceOf(BpfException.class).hasMessageContaining("falls off the end");
        ProgramBuilder c = new ProgramBuilder();
        c.ldNr().jeq(1, null, null);
        assertThatThrownBy(c::build).isInstanceOf(BpfException.class).hasMessageContaining("falls off the end");
    }

    @Test
    void labelErrors() {
        ProgramBuilder b = new ProgramBuilder();
        Label never = b.label("never");
        b.ldNr().jeq(1, never, null).ret(ALLOW);
        assertThatThrownBy(b::build).hasMessageContaining("'never'").hasMessageContaining("never bound");

        ProgramBuilder c = new ProgramBuilder();
        Label back = c.label("back");
        c.bind(back).ldNr().jeq(1, back, null).ret(ALLOW);
        assertThatThrownBy(c::build).hasMessageContaining("backward jump");

        ProgramBuilder d = new ProgramBuilder();
        Label twice = d.label("twice");
        d.bind(twice);
        assertThatThrownBy(() -> d.bind(twice)).hasMessageContaining("bound twice");

        ProgramBuilder e = new ProgramBuilder();
        Label end = e.label("end");
        e.ldNr().jeq(1, end, null).ret(ALLOW).bind(end);
        assertThatThrownBy(e::build).hasMessageContaining("after the last instruction");

        ProgramBuilder other = new ProgramBuilder();
        assertThatThrownBy(() -> e.ja(other.label("x"))).hasMessageContaining("another builder");

        assertThatThrownBy(() -> new ProgramBuilder().build()).hasMessageContaining("empty");
    }

    @Test
    void tooLong() {
        ProgramBuilder b = new ProgramBuilder();
        for (int i = 0; i < 4096; i++) {
            b.ldImm(i);
        }
        b.ret(ALLOW);
        assertThatThrownBy(b::build).isInstanceOf(BpfException.class)
                .hasMessageContaining("4097 instructions, the limit is 4096");
        ProgramBuilder c = new ProgramBuilder();
        for (int i = 0; i < 4095; i++) {
            c.ldImm(i);
        }
        c.ret(ALLOW);
        assertThat(c.build().length()).isEqualTo(4096);
    }

    @Test
    void misuse() {
        assertThatThrownBy(() -> new ProgramBuilder().stmt(JMP_JA, 0)).isInstanceOf(BpfException.class);
        assertThatThrownBy(() -> new ProgramBuilder().jump(LD_IMM, 0, null, null)).isInstanceOf(BpfException.class);
    }
}
