package dev.jsyd.bpf;

/**
 * One classic BPF instruction, exactly {@code struct sock_filter}: {@code u16 code, u8 jt, u8 jf,
 * u32 k}. The Java fields are signed; use {@link #op()}, {@link #jumpTrue()}, {@link #jumpFalse()}
 * and {@link #kUnsigned()} for the unsigned values.
 */
public record Insn(short code, byte jt, byte jf, int k) {

    /** A non-jump instruction. */
    public static Insn stmt(int code, int k) {
        checkCode(code);
        return new Insn((short) code, (byte) 0, (byte) 0, k);
    }

    /** A jump instruction; jt and jf are offsets 0..255 relative to the next instruction. */
    public static Insn jump(int code, int k, int jt, int jf) {
        checkCode(code);
        if (jt < 0 || jt > 255 || jf < 0 || jf > 255) {
            throw new BpfException("jump offsets out of range 0..255: jt=" + jt + " jf=" + jf);
        }
        return new Insn((short) code, (byte) jt, (byte) jf, k);
    }

    private static void checkCode(int code) {
        if (code < 0 || code > 0xffff) {
            throw new BpfException("opcode out of range: " + code);
        }
    }

    /** The opcode, 0..0xffff. */
    public int op() {
        return code & 0xffff;
    }

    /** The true-branch offset, 0..255. */
    public int jumpTrue() {
        return jt & 0xff;
    }

    /** The false-branch offset, 0..255. */
    public int jumpFalse() {
        return jf & 0xff;
    }

    /** k as an unsigned 32-bit value. */
    public long kUnsigned() {
        return k & 0xffffffffL;
    }

    /** Whether this is a return instruction. */
    public boolean isRet() {
        return Bpf.bpfClass(op()) == Bpf.BPF_RET;
    }

    @Override
    public String toString() {
        return String.format("{0x%02x, %d, %d, 0x%08x}", op(), jumpTrue(), jumpFalse(), k);
    }
}
