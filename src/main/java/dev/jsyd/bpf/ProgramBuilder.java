package dev.jsyd.bpf;

import static dev.jsyd.bpf.Bpf.*;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds a classic BPF program with symbolic labels. Jumps go forward only (classic BPF cannot
 * jump back). A target of {@code null} means "the next instruction". A conditional jump whose
 * target is more than 255 instructions ahead gets a {@code ja} trampoline placed right after it
 * (or, with {@link #trampolines(boolean) trampolines(false)}, a {@link BpfException}).
 * {@link #build()} resolves the labels and verifies the program as the kernel would (length
 * &le; 4096, every path ends in a ret, seccomp-only opcodes and loads).
 */
public final class ProgramBuilder {

    /** A position in the program, bound once with {@link #bind(Label)}. */
    public static final class Label {
        private final ProgramBuilder owner;
        private final String name;
        private boolean bound;

        private Label(ProgramBuilder owner, String name) {
            this.owner = owner;
            this.name = name;
        }

        public String name() {
            return name;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private sealed interface Item permits Op, Bind {}

    private static final class Op implements Item {
        final int code;
        final int k;
        Label jt; // JA target, or conditional true target
        Label jf; // conditional false target

        Op(int code, int k, Label jt, Label jf) {
            this.code = code;
            this.k = k;
            this.jt = jt;
            this.jf = jf;
        }
    }

    private record Bind(Label label) implements Item {}

    private final List<Item> items = new ArrayList<>();
    private boolean trampolines = true;
    private int anon;
    private int emitted;
    private int trampolineCount;

    /** Whether far conditional jumps get {@code ja} trampolines (default) or fail the build. */
    public ProgramBuilder trampolines(boolean enabled) {
        this.trampolines = enabled;
        return this;
    }

    /** A new, unbound label; the name is only for messages. */
    public Label label(String name) {
        return new Label(this, name);
    }

    public Label label() {
        return label("L" + (anon++));
    }

    /** Binds a label to the position of the next instruction. */
    public ProgramBuilder bind(Label l) {
        own(l);
        if (l.bound) {
            throw new BpfException("label '" + l.name + "' bound twice");
        }
        l.bound = true;
        items.add(new Bind(l));
        return this;
    }

    /** Instructions emitted so far (trampolines not counted until build). */
    public int size() {
        return emitted;
    }

    /** Trampolines inserted by the last {@link #build()}. */
    public int trampolineCount() {
        return trampolineCount;
    }

    // ---------------------------------------------------------------- raw emitters

    /** A non-jump instruction. */
    public ProgramBuilder stmt(int code, int k) {
        if (bpfClass(code) == BPF_JMP) {
            throw new BpfException("use jump()/ja() for jumps: code 0x" + Integer.toHexString(code));
        }
        items.add(new Op(code, k, null, null));
        emitted++;
        return this;
    }

    /** A conditional jump; a null target means the next instruction. */
    public ProgramBuilder jump(int code, int k, Label jt, Label jf) {
        if (!isConditionalJump(code)) {
            throw new BpfException("not a conditional jump: code 0x" + Integer.toHexString(code));
        }
        Op op = new Op(code, k, jt, jf);
        if (jt != null) {
            own(jt);
        }
        if (jf != null) {
            own(jf);
        }
        items.add(op);
        emitted++;
        if (jt == null || jf == null) {
            Label next = label("next" + (anon++));
            if (jt == null) {
                op.jt = next;
            }
            if (jf == null) {
                op.jf = next;
            }
            bind(next);
        }
        return this;
    }

    /** An unconditional jump. */
    public ProgramBuilder ja(Label target) {
        own(target);
        items.add(new Op(JMP_JA, 0, target, null));
        emitted++;
        return this;
    }

    // ---------------------------------------------------------------- loads and stores

    public ProgramBuilder ldAbs(int offset) { return stmt(LD_W_ABS, offset); }
    public ProgramBuilder ldNr() { return ldAbs(SeccompData.OFFSET_NR); }
    public ProgramBuilder ldArch() { return ldAbs(SeccompData.OFFSET_ARCH); }
    public ProgramBuilder ldArgLow(int i) { return ldAbs(SeccompData.argLow(i)); }
    public ProgramBuilder ldArgHigh(int i) { return ldAbs(SeccompData.argHigh(i)); }
    public ProgramBuilder ldLen() { return stmt(LD_W_LEN, 0); }
    public ProgramBuilder ldxLen() { return stmt(LDX_W_LEN, 0); }
    public ProgramBuilder ldImm(int k) { return stmt(LD_IMM, k); }
    public ProgramBuilder ldxImm(int k) { return stmt(LDX_IMM, k); }
    public ProgramBuilder ldMem(int slot) { return stmt(LD_MEM, slot); }
    public ProgramBuilder ldxMem(int slot) { return stmt(LDX_MEM, slot); }
    public ProgramBuilder st(int slot) { return stmt(ST, slot); }
    public ProgramBuilder stx(int slot) { return stmt(STX, slot); }
    public ProgramBuilder tax() { return stmt(MISC_TAX, 0); }
    public ProgramBuilder txa() { return stmt(MISC_TXA, 0); }

    // ---------------------------------------------------------------- alu

    /** {@code A = A op k}, op one of BPF_ADD … BPF_XOR. */
    public ProgramBuilder aluK(int op, int k) { return stmt(Bpf.aluK(op), k); }
    /** {@code A = A op X}. */
    public ProgramBuilder aluX(int op) { return stmt(Bpf.aluX(op), 0); }
    public ProgramBuilder and(int k) { return aluK(BPF_AND, k); }
    public ProgramBuilder or(int k) { return aluK(BPF_OR, k); }
    public ProgramBuilder neg() { return stmt(ALU_NEG, 0); }

    // ---------------------------------------------------------------- jumps

    public ProgramBuilder jeq(int k, Label jt, Label jf) { return jump(JMP_JEQ_K, k, jt, jf); }
    public ProgramBuilder jgt(int k, Label jt, Label jf) { return jump(JMP_JGT_K, k, jt, jf); }
    public ProgramBuilder jge(int k, Label jt, Label jf) { return jump(JMP_JGE_K, k, jt, jf); }
    public ProgramBuilder jset(int k, Label jt, Label jf) { return jump(JMP_JSET_K, k, jt, jf); }

    // ---------------------------------------------------------------- returns

    public ProgramBuilder ret(int k) { return stmt(RET_K, k); }
    public ProgramBuilder retA() { return stmt(RET_A, 0); }

    // ---------------------------------------------------------------- build

    private void own(Label l) {
        if (l.owner != this) {
            throw new BpfException("label '" + l.name + "' belongs to another builder");
        }
    }

    /** Resolves labels (inserting trampolines where needed) and verifies the program. */
    public Program build() {
        trampolineCount = 0;
        // Work on copies: trampolines retarget jumps, and build() may be called again.
        List<Item> work = new ArrayList<>(items.size());
        for (Item it : items) {
            work.add(it instanceof Op op ? new Op(op.code, op.k, op.jt, op.jf) : it);
        }
        while (true) {
            java.util.IdentityHashMap<Label, Integer> pos = layout(work);
            boolean changed = false;
            // Walk backwards so that insertions do not shift the indexes still to visit.
            int pc = countOps(work);
            for (int i = work.size() - 1; i >= 0; i--) {
                if (!(work.get(i) instanceof Op op)) {
                    continue;
                }
                pc--;
                if (op.code == JMP_JA) {
                    offset(pos, op.jt, pc, Integer.MAX_VALUE);
                    continue;
                }
                if (op.jf == null) {
                    continue;
                }
                boolean farT = offset(pos, op.jt, pc, MAX_COND_JUMP) > MAX_COND_JUMP;
                boolean farF = offset(pos, op.jf, pc, MAX_COND_JUMP) > MAX_COND_JUMP;
                if (!farT && !farF) {
                    continue;
                }
                List<Item> tramp = new ArrayList<>(4);
                Label origT = op.jt;
                Label origF = op.jf;
                if (farT) {
                    Label t = new Label(this, "tramp->" + origT.name);
                    t.bound = true;
                    tramp.add(new Bind(t));
                    tramp.add(new Op(JMP_JA, 0, origT, null));
                    op.jt = t;
                    trampolineCount++;
                }
                if (farF) {
                    if (farT && origF == origT) {
                        op.jf = op.jt;
                    } else {
                        Label f = new Label(this, "tramp->" + origF.name);
                        f.bound = true;
                        tramp.add(new Bind(f));
                        tramp.add(new Op(JMP_JA, 0, origF, null));
                        op.jf = f;
                        trampolineCount++;
                    }
                }
                work.addAll(i + 1, tramp);
                changed = true;
            }
            if (!changed) {
                return Program.of(emit(work, pos));
            }
        }
    }

    private static int countOps(List<Item> work) {
        int n = 0;
        for (Item it : work) {
            if (it instanceof Op) {
                n++;
            }
        }
        return n;
    }

    private java.util.IdentityHashMap<Label, Integer> layout(List<Item> work) {
        java.util.IdentityHashMap<Label, Integer> pos = new java.util.IdentityHashMap<>();
        int pc = 0;
        for (Item it : work) {
            if (it instanceof Bind b) {
                pos.put(b.label, pc);
            } else {
                pc++;
            }
        }
        return pos;
    }

    /** Offset from the instruction after pc to the label; checks bound, forward, in the program. */
    private int offset(java.util.IdentityHashMap<Label, Integer> pos, Label l, int pc, int limit) {
        Integer p = pos.get(l);
        if (p == null) {
            throw new BpfException("label '" + l.name + "' is used at " + String.format("%04d", pc) + " but never bound");
        }
        int off = p - (pc + 1);
        if (off < 0) {
            throw new BpfException(String.format("backward jump at %04d to label '%s' at %04d", pc, l.name, p));
        }
        if (off > limit && !trampolines) {
            throw new BpfException(String.format(
                    "conditional jump at %04d to label '%s' is %d instructions ahead; the limit is %d",
                    pc, l.name, off, limit));
        }
        return off;
    }

    private List<Insn> emit(List<Item> work, java.util.IdentityHashMap<Label, Integer> pos) {
        int total = countOps(work);
        List<Insn> out = new ArrayList<>(total);
        int pc = 0;
        for (Item it : work) {
            if (!(it instanceof Op op)) {
                continue;
            }
            if (op.code == JMP_JA) {
                out.add(Insn.stmt(JMP_JA, pos.get(op.jt) - (pc + 1)));
            } else if (op.jt != null) {
                out.add(Insn.jump(op.code, op.k, pos.get(op.jt) - (pc + 1), pos.get(op.jf) - (pc + 1)));
            } else {
                out.add(Insn.stmt(op.code, op.k));
            }
            pc++;
        }
        if (out.isEmpty()) {
            throw new BpfException("empty program");
        }
        if (!out.get(out.size() - 1).isRet()) {
            throw new BpfException(String.format(
                    "a path falls off the end: the last instruction (%s) is not a ret",
                    Disassembler.line(out.size() - 1, out.get(out.size() - 1))));
        }
        for (var e : pos.entrySet()) {
            if (e.getValue() >= total && isTarget(work, e.getKey())) {
                throw new BpfException("label '" + e.getKey().name + "' is bound after the last instruction");
            }
        }
        return out;
    }

    private static boolean isTarget(List<Item> work, Label l) {
        for (Item it : work) {
            if (it instanceof Op op && (op.jt == l || op.jf == l)) {
                return true;
            }
        }
        return false;
    }
}
