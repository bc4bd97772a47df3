package dev.jsyd.policy;

import java.util.Objects;

/**
 * A path pattern with Syd's (rsync wildmatch) semantics, pre-classified so that most checks are
 * plain string compares.
 * <ul>
 *   <li>{@code *} matches any run of characters except {@code /}; {@code ?} one character except
 *       {@code /}; {@code [...]} / {@code [!...]} / {@code [^...]} a class (ranges, {@code [:alpha:]}
 *       and the other POSIX classes; a class never matches {@code /}); {@code **} any run including
 *       {@code /}; {@code \} escapes the next character.</li>
 *   <li>A trailing {@code /***} matches the directory itself and everything below it.</li>
 *   <li>No wildcard: exact match.</li>
 * </ul>
 * Patterns and texts are byte strings (see {@link Bytes}).
 */
public final class Glob {
    /** How a pattern is matched. */
    public enum Kind {
        /** exact compare with {@link #base()} */
        LITERAL,
        /** {@code base/***}: equal to {@link #base()} or starting with {@code base + "/"} */
        PREFIX,
        /** general wildmatch */
        GLOB
    }

    private final String pattern;
    private final Kind kind;
    private final String base;
    private final String literalPrefix;
    private final boolean trailingTripleStar;
    private final String globBody; // the wildmatch pattern (without /*** when trailingTripleStar)

    private Glob(String pattern, Kind kind, String base, String literalPrefix, boolean tts, String globBody) {
        this.pattern = pattern;
        this.kind = kind;
        this.base = base;
        this.literalPrefix = literalPrefix;
        this.trailingTripleStar = tts;
        this.globBody = globBody;
    }

    /**
     * Compiles a pattern.
     *
     * @throws IllegalArgumentException with a message, when the pattern is malformed
     *         (unterminated class, unknown POSIX class name)
     */
    public static Glob compile(String pattern) {
        Objects.requireNonNull(pattern);
        int bad = checkSyntax(pattern);
        if (bad >= 0) throw new GlobSyntaxException(bad, syntaxMessage(pattern, bad));
        boolean tts = pattern.endsWith("/***") && !escapedAt(pattern, pattern.length() - 4);
        String body = tts ? pattern.substring(0, pattern.length() - 4) : pattern;
        if (!hasWildcard(body)) {
            String lit = unescape(body);
            return new Glob(pattern, tts ? Kind.PREFIX : Kind.LITERAL, lit, lit, tts, body);
        }
        return new Glob(pattern, Kind.GLOB, null, unescape(body.substring(0, firstWildcard(body))), tts, body);
    }

    /** Thrown by {@link #compile} for a malformed pattern; {@link #index()} is the 0-based offset. */
    public static final class GlobSyntaxException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final int index;

        GlobSyntaxException(int index, String msg) {
            super(msg);
            this.index = index;
        }

        public int index() { return index; }
    }

    public String pattern() { return pattern; }

    public Kind kind() { return kind; }

    /** For LITERAL and PREFIX: the unescaped literal path. Null for GLOB. */
    public String base() { return base; }

    /** Unescaped text that every match must start with. */
    public String literalPrefix() { return literalPrefix; }

    public boolean matches(String text) {
        switch (kind) {
            case LITERAL:
                return base.equals(text);
            case PREFIX:
                return text.startsWith(base) && (text.length() == base.length() || text.charAt(base.length()) == '/');
            default:
                if (!text.startsWith(literalPrefix)) return false;
                if (wildmatch(globBody, text)) return true;
                return trailingTripleStar && wildmatch(globBody + "/**", text);
        }
    }

    /** True if the text matches the pattern, with no classification and no {@code /***} rule. */
    public static boolean wildmatch(String pattern, String text) {
        return dowild(pattern, 0, text, 0) == MATCH;
    }

    /** True if the pattern has an unescaped {@code *}, {@code ?} or {@code [}. */
    public static boolean hasWildcard(String p) {
        return firstWildcard(p) < p.length();
    }

    private static int firstWildcard(String p) {
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c == '\\') {
                i++;
                continue;
            }
            if (c == '*' || c == '?' || c == '[') return i;
        }
        return p.length();
    }

    /** Removes glob escapes: {@code \x} becomes {@code x}; a trailing lone backslash stays. */
    public static String unescape(String p) {
        if (p.indexOf('\\') < 0) return p;
        StringBuilder sb = new StringBuilder(p.length());
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c == '\\' && i + 1 < p.length()) c = p.charAt(++i);
            sb.append(c);
        }
        return sb.toString();
    }

    /** Escapes the glob metacharacters of a literal path so that it matches only itself. */
    public static String escape(String literal) {
        StringBuilder sb = new StringBuilder(literal.length() + 4);
        for (int i = 0; i < literal.length(); i++) {
            char c = literal.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') sb.append('\\');
            sb.append(c);
        }
        return sb.toString();
    }

    private static boolean escapedAt(String p, int idx) {
        int n = 0;
        for (int i = idx - 1; i >= 0 && p.charAt(i) == '\\'; i--) n++;
        return (n & 1) == 1;
    }

    /**
     * For an unescaped {@code [} at {@code start}, the index of the {@code ]} that closes the
     * class, or -1 if it is unterminated.
     */
    public static int classEnd(String p, int start) {
        int n = p.length();
        int j = start + 1;
        if (j < n && (p.charAt(j) == '!' || p.charAt(j) == '^')) j++;
        boolean first = true;
        while (j < n) {
            char d = p.charAt(j);
            if (d == ']' && !first) return j;
            first = false;
            if (d == '\\') {
                j += 2;
                continue;
            }
            if (d == '[' && j + 1 < n && p.charAt(j + 1) == ':') {
                int end = p.indexOf(":]", j + 2);
                if (end < 0) return -1;
                j = end + 2;
                continue;
            }
            j++;
        }
        return -1;
    }

    // ---- syntax check ----------------------------------------------------------------------

    private static final String[] POSIX = {
        "alnum", "alpha", "blank", "cntrl", "digit", "graph", "lower", "print", "punct", "space", "upper", "xdigit"
    };

    /** Returns -1 if fine, else the index of the offending character. */
    private static int checkSyntax(String p) {
        int n = p.length();
        for (int i = 0; i < n; i++) {
            char c = p.charAt(i);
            if (c == '\\') {
                i++;
                continue;
            }
            if (c != '[') continue;
            int start = i;
            int j = i + 1;
            if (j < n && (p.charAt(j) == '!' || p.charAt(j) == '^')) j++;
            boolean first = true;
            while (true) {
                if (j >= n) return start;
                char d = p.charAt(j);
                if (d == ']' && !first) break;
                first = false;
                if (d == '\\') {
                    j += 2;
                    continue;
                }
                if (d == '[' && j + 1 < n && p.charAt(j + 1) == ':') {
                    int end = p.indexOf(":]", j + 2);
                    if (end < 0) return j;
                    String name = p.substring(j + 2, end);
                    if (!isPosixClass(name)) return j;
                    j = end + 2;
                    continue;
                }
                j++;
            }
            i = j;
        }
        return -1;
    }

    private static String syntaxMessage(String p, int idx) {
        if (p.charAt(idx) == '[' && idx + 1 < p.length() && p.charAt(idx + 1) == ':'
                && p.indexOf(":]", idx + 2) >= 0) {
            return "unknown character class `" + p.substring(idx, p.indexOf(":]", idx + 2) + 2) + "`";
        }
        return "unterminated character class in pattern";
    }

    private static boolean isPosixClass(String name) {
        for (String s : POSIX) if (s.equals(name)) return true;
        return false;
    }

    private static boolean posix(String name, char c) {
        return switch (name) {
            case "alnum" -> isAlpha(c) || isDigit(c);
            case "alpha" -> isAlpha(c);
            case "blank" -> c == ' ' || c == '\t';
            case "cntrl" -> c < 0x20 || c == 0x7f;
            case "digit" -> isDigit(c);
            case "graph" -> c > 0x20 && c < 0x7f;
            case "lower" -> c >= 'a' && c <= 'z';
            case "print" -> c >= 0x20 && c < 0x7f;
            case "punct" -> c > 0x20 && c < 0x7f && !isAlpha(c) && !isDigit(c);
            case "space" -> c == ' ' || (c >= '\t' && c <= '\r');
            case "upper" -> c >= 'A' && c <= 'Z';
            case "xdigit" -> isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            default -> false;
        };
    }

    private static boolean isAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

    private static boolean isDigit(char c) { return c >= '0' && c <= '9'; }

    // ---- the matcher (rsync's wildmatch algorithm with its abort shortcuts) -------------------

    private static final int NOMATCH = 0, MATCH = 1, ABORT_ALL = -1, ABORT_TO_STARSTAR = -2;

    private static int dowild(String p, int pi, String t, int ti) {
        final int pn = p.length(), tn = t.length();
        for (; pi < pn; pi++, ti++) {
            char pc = p.charAt(pi);
            if (ti >= tn && pc != '*') return ABORT_ALL;
            char tc = ti < tn ? t.charAt(ti) : 0;
            switch (pc) {
                case '\\' -> {
                    if (pi + 1 < pn) pc = p.charAt(++pi);
                    if (tc != pc) return NOMATCH;
                }
                case '?' -> {
                    if (tc == '/') return NOMATCH;
                }
                case '*' -> {
                    boolean special = false;
                    if (pi + 1 < pn && p.charAt(pi + 1) == '*') {
                        special = true;
                        while (pi + 1 < pn && p.charAt(pi + 1) == '*') pi++;
                    }
                    pi++;
                    if (pi >= pn) {
                        // trailing star: a single star must not cross '/'
                        if (!special && t.indexOf('/', ti) >= 0) return NOMATCH;
                        return MATCH;
                    }
                    while (true) {
                        if (ti >= tn) break;
                        int m = dowild(p, pi, t, ti);
                        if (m != NOMATCH) {
                            if (!special || m != ABORT_TO_STARSTAR) return m;
                        } else if (!special && t.charAt(ti) == '/') {
                            return ABORT_TO_STARSTAR;
                        }
                        ti++;
                    }
                    return ABORT_ALL;
                }
                case '[' -> {
                    pi++;
                    boolean negated = false;
                    if (pi < pn && (p.charAt(pi) == '!' || p.charAt(pi) == '^')) {
                        negated = true;
                        pi++;
                    }
                    boolean matched = false;
                    int prev = -1;
                    boolean first = true;
                    while (true) {
                        if (pi >= pn) return ABORT_ALL;
                        char c = p.charAt(pi);
                        if (c == ']' && !first) break;
                        first = false;
                        if (c == '\\') {
                            if (pi + 1 < pn) c = p.charAt(++pi);
                            if (tc == c) matched = true;
                            prev = c;
                        } else if (c == '-' && prev >= 0 && pi + 1 < pn && p.charAt(pi + 1) != ']') {
                            char hi = p.charAt(++pi);
                            if (hi == '\\' && pi + 1 < pn) hi = p.charAt(++pi);
                            if (tc >= prev && tc <= hi) matched = true;
                            prev = -1;
                        } else if (c == '[' && pi + 1 < pn && p.charAt(pi + 1) == ':') {
                            int end = p.indexOf(":]", pi + 2);
                            if (end < 0) return ABORT_ALL;
                            if (posix(p.substring(pi + 2, end), tc)) matched = true;
                            pi = end + 1;
                            prev = -1;
                        } else {
                            if (tc == c) matched = true;
                            prev = c;
                        }
                        pi++;
                    }
                    if (matched == negated || tc == '/') return NOMATCH;
                }
                default -> {
                    if (tc != pc) return NOMATCH;
                }
            }
        }
        return ti >= tn ? MATCH : NOMATCH;
    }

    @Override public boolean equals(Object o) { return o instanceof Glob g && g.pattern.equals(pattern); }

    @Override public int hashCode() { return pattern.hashCode(); }

    @Override public String toString() { return pattern; }
}
