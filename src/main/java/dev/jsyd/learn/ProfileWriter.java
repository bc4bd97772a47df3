package dev.jsyd.learn;

import dev.jsyd.policy.Category;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * Writes the rules of a learned profile as {@code .syd-3} text: path rules in blocks by top-level
 * area, each with a comment saying what the area is for, then network rules, then settings.
 * Every line a log value reaches is a rule built from escaped globs or a comment with control
 * characters shown as {@code \xNN}.
 */
final class ProfileWriter {
    private ProfileWriter() {}

    private static final Map<String, String> AREAS = new LinkedHashMap<>();

    static {
        AREAS.put(PathGeneralizer.PWD, "the working directory of the run (${SYD_PWD}: syd's working directory at replay)");
        AREAS.put(PathGeneralizer.HOME, "your home directory (${HOME})");
        AREAS.put("/usr", "the system: programs, shared libraries (versions as libfoo.so*), data");
        AREAS.put("/lib", "shared libraries");
        AREAS.put("/lib64", "the dynamic loader");
        AREAS.put("/bin", "programs");
        AREAS.put("/sbin", "system programs");
        AREAS.put("/etc", "system configuration");
        AREAS.put("/proc", "process information ([0-9]* is any process: pids change between runs)");
        AREAS.put("/sys", "kernel and device information");
        AREAS.put("/dev", "devices and terminals");
        AREAS.put("/tmp", "temporary files (names the run made up are patterns)");
        AREAS.put("/var", "variable data: caches, spools, temporary files");
        AREAS.put("/run", "runtime state: sockets, pid files (${SYD_UID} is your user id)");
        AREAS.put("/opt", "add-on software");
        AREAS.put("/", "the root directory itself");
    }

    /** The area (top-level directory or variable) a pattern belongs to. */
    static String area(String pattern) {
        if (pattern.startsWith("${")) return pattern.substring(0, pattern.indexOf('}') + 1);
        int slash = pattern.indexOf('/', 1);
        return slash < 0 ? pattern.equals("/") ? "/" : topOf(pattern) : pattern.substring(0, slash);
    }

    private static String topOf(String pattern) {
        // "/**" style folds of a top-level directory keep the directory as the area
        return pattern.endsWith("/**") || pattern.endsWith("/***") ? pattern.substring(0, pattern.indexOf("/*")) : pattern;
    }

    /** The path rules, in blocks. */
    static void pathRules(StringBuilder out, Map<String, EnumSet<Category>> rules) {
        Map<String, Map<String, EnumSet<Category>>> byArea = new TreeMap<>((a, b) -> Integer.compare(rank(a), rank(b)) != 0
                ? Integer.compare(rank(a), rank(b)) : a.compareTo(b));
        rules.forEach((p, cats) -> byArea.computeIfAbsent(area(p), k -> new TreeMap<>()).put(p, cats));
        byArea.forEach((area, rs) -> {
            String what = AREAS.getOrDefault(area, "files under " + area);
            out.append("\n# ").append(comment(area)).append(": ").append(what).append('\n');
            rs.forEach((p, cats) -> out.append(rule(cats, p)).append('\n'));
        });
    }

    private static int rank(String area) {
        int i = 0;
        for (String a : AREAS.keySet()) {
            if (a.equals(area)) return i;
            i++;
        }
        return i;
    }

    /** The network rules: {@code allow/net/...+address}. */
    static void netRules(StringBuilder out, Map<String, EnumSet<Category>> rules) {
        if (rules.isEmpty()) return;
        out.append("\n# Network: addresses the run bound, connected or sent to, and fds it passed\n");
        rules.forEach((a, cats) -> out.append(rule(cats, a)).append('\n'));
    }

    static String rule(EnumSet<Category> cats, String pattern) {
        StringJoiner j = new StringJoiner(",");
        for (Category c : cats) j.add(c.sydName());
        return "allow/" + j + "+" + pattern;
    }

    /** Settings the run needed: {@code active} ones as commands, the others commented out with why. */
    static void settings(StringBuilder out, Map<String, String> kernel, Map<String, String> supervisor) {
        if (!kernel.isEmpty()) {
            out.append("\n# Kernel-side settings the run needed (each weakens a default protection):\n");
            kernel.forEach((cmd, why) -> out.append("# ").append(comment(why)).append('\n').append(cmd).append('\n'));
        }
        if (!supervisor.isEmpty()) {
            out.append("\n# Settings the run needed beyond the defaults (the supervisor would have refused these calls;\n")
                    .append("# each may weaken a default protection: remove what the program can do without):\n");
            supervisor.forEach((cmd, why) -> out.append("# ").append(comment(why)).append('\n').append(cmd).append('\n'));
        }
    }

    /** Text for a comment line: control characters (which would end the comment) as \\xNN. */
    static String comment(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) b.append(String.format("\\x%02x", (int) c));
            else b.append(c);
        }
        return b.toString();
    }

    /** A command line as one comment-safe text: arguments with spaces or quotes are single-quoted. */
    static String commandLine(List<String> argv) {
        StringJoiner j = new StringJoiner(" ");
        for (String a : argv) {
            boolean plain = !a.isEmpty() && a.chars().allMatch(ch -> ch > 0x20 && ch != '\'' && ch != '"' && ch != '\\' && ch != 0x7f);
            j.add(plain ? a : "'" + a.replace("'", "'\\''") + "'");
        }
        return comment(j.toString());
    }
}
