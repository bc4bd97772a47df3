package dev.jsyd.policy;

import java.nio.charset.StandardCharsets;

/**
 * Byte strings: Linux paths are bytes, not text. jsyd represents a path as a {@link String} whose
 * every char is one byte (ISO-8859-1 decoding of the raw bytes). Text read from configuration
 * (UTF-8) is converted to that representation with {@link #fromUtf8(String)}.
 */
public final class Bytes {
    private Bytes() {}

    /** UTF-8 text to a byte string (each char one byte). */
    public static String fromUtf8(String text) {
        if (isAscii(text)) return text;
        return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    /** A byte string back to UTF-8 text (invalid sequences become U+FFFD). */
    public static String toUtf8(String bytes) {
        if (isAscii(bytes)) return bytes;
        return new String(bytes.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }

    /** Raw bytes to a byte string. */
    public static String of(byte[] raw) {
        return new String(raw, StandardCharsets.ISO_8859_1);
    }

    /** A byte string to its raw bytes. */
    public static byte[] raw(String bytes) {
        return bytes.getBytes(StandardCharsets.ISO_8859_1);
    }

    static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) >= 0x80) return false;
        return true;
    }
}
