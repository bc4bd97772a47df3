package dev.jsyd.sys;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Byte strings (one char per byte) into native memory with one bulk copy: a byte-by-byte
 * {@code MemorySegment.set} costs a bounds and alignment check per byte, which the supervisor's
 * C1-compiled hot path paid for every path it passed to a system call.
 */
final class CString {
    private CString() {}

    /**
     * Writes {@code s[from, to)} and a NUL at the start of {@code seg}, through {@code scratch};
     * false (nothing written) when it does not fit in both.
     */
    static boolean put(MemorySegment seg, byte[] scratch, String s, int from, int to) {
        int n = to - from;
        if (n + 1 > scratch.length || n + 1 > seg.byteSize()) return false;
        for (int i = 0; i < n; i++) scratch[i] = (byte) s.charAt(from + i);
        scratch[n] = 0;
        MemorySegment.copy(scratch, 0, seg, ValueLayout.JAVA_BYTE, 0, n + 1);
        return true;
    }

    /** Little-endian long at {@code off} of {@code b}. */
    static long le64(byte[] b, int off) {
        return (b[off] & 0xffL) | (b[off + 1] & 0xffL) << 8 | (b[off + 2] & 0xffL) << 16 | (b[off + 3] & 0xffL) << 24
                | (b[off + 4] & 0xffL) << 32 | (b[off + 5] & 0xffL) << 40 | (b[off + 6] & 0xffL) << 48 | (b[off + 7] & 0xffL) << 56;
    }

    /** Little-endian int at {@code off} of {@code b}. */
    static int le32(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }

    /** Stores {@code v} little-endian at {@code off} of {@code b}. */
    static void le64(byte[] b, int off, long v) {
        for (int i = 0; i < 8; i++) b[off + i] = (byte) (v >>> (8 * i));
    }

    /** Stores {@code v} little-endian at {@code off} of {@code b}. */
    static void le32(byte[] b, int off, int v) {
        for (int i = 0; i < 4; i++) b[off + i] = (byte) (v >>> (8 * i));
    }
}
