package dev.jsyd.bpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** A verified classic BPF program (the kernel would accept it as a seccomp filter). */
public final class Program {
    private final List<Insn> insns;

    private Program(List<Insn> insns) {
        this.insns = List.copyOf(insns);
    }

    /** Verifies and wraps; throws {@link BpfException} naming the first problem. */
    public static Program of(List<Insn> insns) {
        Verifier.verify(insns);
        return new Program(insns);
    }

    public static Program of(Insn... insns) {
        return of(List.of(insns));
    }

    /** Parses {@code struct sock_filter[]} bytes (8 per instruction, little endian). */
    public static Program fromBytes(byte[] bytes) {
        if (bytes.length % 8 != 0) {
            throw new BpfException("not a whole number of sock_filter entries: " + bytes.length + " bytes");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        List<Insn> list = new ArrayList<>(bytes.length / 8);
        while (b.hasRemaining()) {
            list.add(new Insn(b.getShort(), b.get(), b.get(), b.getInt()));
        }
        return of(list);
    }

    public List<Insn> insns() {
        return insns;
    }

    public int length() {
        return insns.size();
    }

    /** {@code struct sock_filter[length()]}: u16 code, u8 jt, u8 jf, u32 k, little endian. */
    public byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(insns.size() * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (Insn in : insns) {
            b.putShort(in.code()).put(in.jt()).put(in.jf()).putInt(in.k());
        }
        return b.array();
    }

    public String disassemble() {
        return Disassembler.disassemble(this);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Program p && p.insns.equals(insns);
    }

    @Override
    public int hashCode() {
        return insns.hashCode();
    }

    @Override
    public String toString() {
        return "Program[" + insns.size() + " insns]";
    }
}
