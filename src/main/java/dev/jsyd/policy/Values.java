package dev.jsyd.policy;

import java.time.Duration;
import java.util.Locale;

/** Parsing and printing of the value types of the command language. */
public final class Values {
    private Values() {}

    /** A malformed value; {@link #index()} is the 0-based offset within the value. */
    public static final class ValueException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final int index;
        private final String expected;
        private final String suggestion;

        public ValueException(int index, String msg, String expected, String suggestion) {
            super(msg);
            this.index = index;
            this.expected = expected;
            this.suggestion = suggestion;
        }

        public ValueException(int index, String msg, String expected) { this(index, msg, expected, null); }

        public int index() { return index; }

        public String expected() { return expected; }

        public String suggestion() { return suggestion; }
    }

    /** The explicit "no value" of settings that may be unset ({@code timeout:none}, {@code root:none}). */
    public enum Unset {
        NONE;

        @Override public String toString() { return "none"; }
    }

    static final java.util.List<String> BOOLS = java.util.List.of("on", "off", "1", "0", "true", "false");

    public static boolean parseBool(String s) {
        return switch (s) {
            case "on", "1", "true" -> true;
            case "off", "0", "false" -> false;
            default -> throw new ValueException(0, "invalid boolean `" + s + "`", "on, off, 1, 0, true or false",
                    Suggest.nearest(s.toLowerCase(Locale.ROOT), BOOLS));
        };
    }

    /** Non-negative decimal integer (or 0x hex). */
    public static long parseUnsigned(String s) {
        try {
            long v;
            if (s.startsWith("0x") || s.startsWith("0X")) v = Long.parseUnsignedLong(s.substring(2), 16);
            else {
                if (s.isEmpty() || !s.chars().allMatch(c -> c >= '0' && c <= '9')) throw new NumberFormatException();
                v = Long.parseLong(s);
            }
            if (v < 0) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw new ValueException(0, "invalid number `" + s + "`", "a non-negative integer");
        }
    }

    public static long parseSigned(String s) {
        try {
            return Long.parseLong(s.startsWith("+") ? s.substring(1) : s);
        } catch (NumberFormatException e) {
            throw new ValueException(0, "invalid number `" + s + "`", "an integer");
        }
    }

    public static int parseOctal(String s) {
        if (s.isEmpty() || s.length() > 4 || !s.chars().allMatch(c -> c >= '0' && c <= '7')) {
            throw new ValueException(0, "invalid mode `" + s + "`", "an octal mode such as 077 or 0022");
        }
        return Integer.parseInt(s, 8);
    }

    public static String formatOctal(int mode) { return String.format("%04o", mode); }

    private static final String SIZE_EXPECTED = "a size such as 4096, 512K, 512M or 1G (binary units)";

    /** Human-readable size with binary units: {@code 4096}, {@code 64K}, {@code 512M}, {@code 1G}, {@code 1.5GiB}. */
    public static long parseSize(String s) {
        String t = s.trim();
        int i = 0;
        while (i < t.length() && (Character.isDigit(t.charAt(i)) || t.charAt(i) == '.')) i++;
        if (i == 0) throw new ValueException(0, "invalid size `" + s + "`", SIZE_EXPECTED);
        String num = t.substring(0, i);
        String unit = t.substring(i).trim().toLowerCase(Locale.ROOT);
        long mult = switch (unit) {
            case "", "b" -> 1L;
            case "k", "kb", "kib" -> 1L << 10;
            case "m", "mb", "mib" -> 1L << 20;
            case "g", "gb", "gib" -> 1L << 30;
            case "t", "tb", "tib" -> 1L << 40;
            case "p", "pb", "pib" -> 1L << 50;
            case "e", "eb", "eib" -> 1L << 60;
            default -> throw new ValueException(i, "unknown size unit `" + t.substring(i).trim() + "`", SIZE_EXPECTED);
        };
        try {
            if (num.indexOf('.') >= 0) {
                java.math.BigDecimal v = new java.math.BigDecimal(num).multiply(java.math.BigDecimal.valueOf(mult));
                return v.setScale(0, java.math.RoundingMode.DOWN).longValueExact();
            }
            return Math.multiplyExact(Long.parseLong(num), mult);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new ValueException(0, "invalid size `" + s + "`", SIZE_EXPECTED);
        }
    }

    /** Prints a size with the largest binary unit that divides it exactly. */
    public static String formatSize(long v) {
        String[] units = {"E", "P", "T", "G", "M", "K"};
        int[] shifts = {60, 50, 40, 30, 20, 10};
        if (v == 0) return "0";
        for (int k = 0; k < units.length; k++) {
            long m = 1L << shifts[k];
            if (v % m == 0) return (v / m) + units[k];
        }
        return Long.toString(v);
    }

    private static final String DURATION_EXPECTED =
            "a duration such as 30 (seconds), 2s, 1m30s, 500ms, 1h or 1d";

    /** Durations: plain seconds, or a sequence of number+unit (ns, us, ms, s, m, h, d, w). */
    public static Duration parseDuration(String s) {
        if (s.isEmpty()) throw new ValueException(0, "missing duration", DURATION_EXPECTED);
        if (s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            try {
                return Duration.ofSeconds(Long.parseLong(s));
            } catch (NumberFormatException e) {
                throw new ValueException(0, "duration `" + s + "` is too long", DURATION_EXPECTED);
            }
        }
        Duration total = Duration.ZERO;
        int i = 0;
        int n = s.length();
        while (i < n) {
            while (i < n && s.charAt(i) == ' ') i++;
            if (i >= n) break;
            int start = i;
            while (i < n && Character.isDigit(s.charAt(i))) i++;
            if (i == start) throw new ValueException(start, "invalid duration `" + s + "`", DURATION_EXPECTED);
            long v;
            try {
                v = Long.parseLong(s.substring(start, i));
            } catch (NumberFormatException e) {
                throw new ValueException(start, "duration `" + s + "` is too long", DURATION_EXPECTED);
            }
            int ustart = i;
            while (i < n && Character.isLetter(s.charAt(i))) i++;
            String unit = s.substring(ustart, i);
            Duration d;
            try {
                d = switch (unit) {
                    case "ns" -> Duration.ofNanos(v);
                    case "us", "\u00b5s" -> Duration.ofNanos(Math.multiplyExact(v, 1000L));
                    case "ms" -> Duration.ofMillis(v);
                    case "s", "sec", "secs" -> Duration.ofSeconds(v);
                    case "m", "min", "mins" -> Duration.ofMinutes(v);
                    case "h", "hr", "hrs" -> Duration.ofHours(v);
                    case "d", "day", "days" -> Duration.ofDays(v);
                    case "w", "week", "weeks" -> Duration.ofDays(Math.multiplyExact(v, 7L));
                    default -> throw new ValueException(ustart,
                            unit.isEmpty() ? "missing unit in duration `" + s + "`" : "unknown duration unit `" + unit + "`",
                            DURATION_EXPECTED);
                };
                total = total.plus(d);
            } catch (ArithmeticException e) {
                throw new ValueException(start, "duration `" + s + "` is too long", DURATION_EXPECTED);
            }
        }
        return total;
    }

    /** Prints a duration compactly: {@code 1m30s}, {@code 2h}, {@code 500ms}, {@code 0}. */
    public static String formatDuration(Duration d) {
        if (d.isZero()) return "0";
        StringBuilder sb = new StringBuilder();
        long secs = d.getSeconds();
        long nanos = d.getNano();
        long days = secs / 86400;
        secs %= 86400;
        long h = secs / 3600;
        secs %= 3600;
        long m = secs / 60;
        secs %= 60;
        if (days > 0) sb.append(days).append('d');
        if (h > 0) sb.append(h).append('h');
        if (m > 0) sb.append(m).append('m');
        if (secs > 0) sb.append(secs).append('s');
        long ms = nanos / 1_000_000, us = (nanos / 1000) % 1000, ns = nanos % 1000;
        if (ms > 0) sb.append(ms).append("ms");
        if (us > 0) sb.append(us).append("us");
        if (ns > 0) sb.append(ns).append("ns");
        return sb.toString();
    }
}
