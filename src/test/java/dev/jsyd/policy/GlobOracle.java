package dev.jsyd.policy;

import java.util.regex.Pattern;

/** A regex translation of Syd's glob semantics, written independently of {@link Glob}, for tests. */
final class GlobOracle {
    private GlobOracle() {}

    static boolean matches(String glob, String text) {
        return Pattern.compile(toRegex(glob), Pattern.DOTALL).matcher(text).matches();
    }

    static String toRegex(String g) {
        String suffix = "";
        if (g.endsWith("/***") && !escaped(g, g.length() - 4)) {
            g = g.substring(0, g.length() - 4);
            suffix = "(?:/.*)?";
        }
        StringBuilder re = new StringBuilder();
        int n = g.length();
        for (int i = 0; i < n; i++) {
            char c = g.charAt(i);
            if (c == '\\') {
                if (i + 1 < n) c = g.charAt(++i);
                re.append(lit(c));
            } else if (c == '*') {
                if (i + 1 < n && g.charAt(i + 1) == '*') {
                    while (i + 1 < n && g.charAt(i + 1) == '*') i++;
                    re.append(".*");
                } else re.append("[^/]*");
            } else if (c == '?') {
                re.append("[^/]");
            } else if (c == '[') {
                int j = i + 1;
                boolean neg = j < n && (g.charAt(j) == '!' || g.charAt(j) == '^');
                if (neg) j++;
                StringBuilder alt = new StringBuilder();
                boolean first = true;
                while (true) {
                    char d = g.charAt(j);
                    if (d == ']' && !first) break;
                    first = false;
                    if (d == '[' && j + 1 < n && g.charAt(j + 1) == ':') {
                        int end = g.indexOf(":]", j + 2);
                        String name = g.substring(j + 2, end);
                        String cls = Character.toUpperCase(name.charAt(0)) + name.substring(1);
                        if (name.equals("xdigit")) cls = "XDigit";
                        alt.append("|\\p{").append(cls).append('}');
                        j = end + 2;
                        continue;
                    }
                    char lo = d;
                    if (d == '\\') lo = g.charAt(++j);
                    if (j + 2 < n && g.charAt(j + 1) == '-' && g.charAt(j + 2) != ']') {
                        char hi = g.charAt(j + 2);
                        j += 2;
                        if (hi == '\\') hi = g.charAt(++j);
                        // wildmatch tests the range start as a literal first, so a reversed range still matches it
                        alt.append(lo <= hi ? "|[" + hex(lo) + "-" + hex(hi) + "]" : "|" + lit(lo));
                    } else {
                        alt.append('|').append(lit(lo));
                    }
                    j++;
                }
                String any = "(?:" + alt.substring(1) + ")";
                re.append(neg ? "(?!/)(?!" + any + ")." : "(?!/)" + any);
                i = j;
            } else {
                re.append(lit(c));
            }
        }
        return re + suffix;
    }

    private static boolean escaped(String p, int idx) {
        int k = 0;
        for (int i = idx - 1; i >= 0 && p.charAt(i) == '\\'; i--) k++;
        return (k & 1) == 1;
    }

    private static String lit(char c) { return "[" + hex(c) + "]"; }

    private static String hex(char c) { return "\\x{" + Integer.toHexString(c) + "}"; }
}
