package dev.jsyd.policy;

import java.nio.charset.StandardCharsets;

/**
 * Byte strings: Linux paths are bytes, not text. jsyd represents a path as a {@link String} whose
 * every char is one byte (ISO-8859-1 decoding of the raw bytes). Text read from configuration
 * (UTF-8) is converted to that representation with {@link #fromUtf8(String)}; the command line
 * and the environment are read as bytes ({@code sys.OwnProcess}) and are byte strings already.
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

    /**
     * The JVM's charset for file names ({@code sun.jnu.encoding}, from the locale): the one
     * {@link java.nio.file.Path} encodes names with.
     */
    private static final java.nio.charset.Charset NAMES = names();

    private static java.nio.charset.Charset names() {
        try {
            return java.nio.charset.Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        } catch (RuntimeException e) {
            return StandardCharsets.UTF_8;
        }
    }

    /**
     * A byte string as a {@link java.nio.file.Path} that names exactly those bytes, or null when
     * the JVM cannot represent them in this locale (any non-ASCII byte under {@code LC_ALL=C},
     * invalid UTF-8 under a UTF-8 locale): opening such a path would open another file.
     */
    public static java.nio.file.Path toPath(String bytes) {
        if (isAscii(bytes)) return java.nio.file.Path.of(bytes);
        byte[] raw = raw(bytes);
        String decoded = new String(raw, NAMES);
        if (!java.util.Arrays.equals(decoded.getBytes(NAMES), raw)) return null;
        return java.nio.file.Path.of(decoded);
    }

    /**
     * How a byte string appears in a log record, as Syd writes it: the text itself when it is
     * valid UTF-8 without control characters, else the lowercase hex of all its bytes (a name with
     * a newline, an escape sequence or an invalid byte cannot forge or garble a record, and the
     * exact bytes can be recovered).
     */
    public static String forLog(String bytes) {
        if (bytes == null) return null;
        if (isPrintableUtf8(bytes)) return toUtf8(bytes);
        StringBuilder b = new StringBuilder(bytes.length() * 2);
        for (int i = 0; i < bytes.length(); i++) {
            int c = bytes.charAt(i) & 0xff;
            b.append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
        }
        return b.toString();
    }

    /** True when {@code bytes} is valid UTF-8 and has no control character (C0, DEL, C1). */
    public static boolean isPrintableUtf8(String bytes) {
        for (int i = 0; i < bytes.length(); ) {
            int n = utf8Length(bytes, i);
            if (n < 0 || isControl(bytes, i, n)) return false;
            i += n;
        }
        return true;
    }

    /** The length of the valid UTF-8 sequence (shortest form, no surrogate, ≤ U+10FFFF) at {@code i}, or -1. */
    public static int utf8Length(String bytes, int i) {
        int b0 = bytes.charAt(i) & 0xff;
        if (b0 < 0x80) return 1;
        int n = b0 >= 0xc2 && b0 <= 0xdf ? 2 : b0 >= 0xe0 && b0 <= 0xef ? 3 : b0 >= 0xf0 && b0 <= 0xf4 ? 4 : -1;
        if (n < 0 || i + n > bytes.length()) return -1;
        for (int k = 1; k < n; k++) if ((bytes.charAt(i + k) & 0xc0) != 0x80) return -1;
        int b1 = bytes.charAt(i + 1) & 0xff;
        if (b0 == 0xe0 && b1 < 0xa0) return -1; // overlong
        if (b0 == 0xed && b1 > 0x9f) return -1; // surrogate
        if (b0 == 0xf0 && b1 < 0x90) return -1; // overlong
        if (b0 == 0xf4 && b1 > 0x8f) return -1; // beyond U+10FFFF
        return n;
    }

    /** True when the valid sequence {@code bytes[i, i+n)} is a control character. */
    public static boolean isControl(String bytes, int i, int n) {
        int b0 = bytes.charAt(i) & 0xff;
        if (n == 1) return b0 < 0x20 || b0 == 0x7f;
        return n == 2 && b0 == 0xc2 && (bytes.charAt(i + 1) & 0xff) < 0xa0; // U+0080..U+009F
    }

    static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) >= 0x80) return false;
        return true;
    }
}
