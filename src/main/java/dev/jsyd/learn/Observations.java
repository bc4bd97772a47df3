package dev.jsyd.learn;

import dev.jsyd.policy.Bytes;
import dev.jsyd.policy.Category;
import dev.jsyd.report.LogRecord;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a learning run needed, read from its log: every checked path per path category, every
 * network address per network category, and the settings the log's tips name (e.g.
 * {@code trace/allow_unsafe_memory:1}). Paths and addresses are byte strings (spec rule 4).
 */
public final class Observations {
    /** Path categories: the canonical paths checked. */
    final Map<Category, Set<String>> paths = new EnumMap<>(Category.class);
    /** Network categories: the addresses checked ({@code ip!port}, a UNIX path, {@code @abstract}). */
    final Map<Category, Set<String>> addresses = new EnumMap<>(Category.class);
    /** Settings the tips asked for, with what needed them (the syscall and its target). */
    final Map<String, String> settings = new LinkedHashMap<>();
    /**
     * Kernel-side switches the run needed ({@code learn} records of a learning run), each with the
     * calls that needed it ("sys (why)") and how often.
     */
    final Map<String, Map<String, Integer>> switches = new LinkedHashMap<>();
    /** The process ids of the run's processes ({@code run} and {@code fork} records), as decimal text. */
    final Set<String> pids = new java.util.HashSet<>();
    /** ioctl requests refused or logged (their names, or {@code 0x…}). */
    final Set<String> ioctls = new TreeSet<>();
    /** Checks on objects that have no path (pipes, sockets): they cannot be written as rules. */
    final Set<String> unnamed = new TreeSet<>();
    /** The command the run started and its working directory, when the log has a {@code run} record. */
    List<String> argv = List.of();
    String cwd;
    /** syd's exit status (an {@code end} record), or -1. */
    long status = -1;
    int checks;

    private Observations() {}

    public static Observations of(List<LogRecord> records) {
        Observations o = new Observations();
        for (LogRecord r : records) o.add(r);
        return o;
    }

    private void add(LogRecord r) {
        String ctx = r.ctx();
        if (("run".equals(ctx) || "fork".equals(ctx)) && r.pid() >= 100) pids.add(String.valueOf(r.pid())); // 2 digits: too many names
        if ("run".equals(ctx)) {
            if (argv.isEmpty()) {
                argv = r.list("argv");
                cwd = r.text("cwd");
            }
            return;
        }
        if ("end".equals(ctx)) {
            status = r.number("status", -1);
            return;
        }
        if ("learn".equals(ctx)) {
            String cmd = r.text("setting");
            if (cmd != null) {
                String call = r.text("sys") + (r.has("msg") ? " (" + r.text("msg") + ")" : "");
                switches.computeIfAbsent(cmd, k -> new LinkedHashMap<>()).merge(call, 1, Integer::sum);
            }
            return;
        }
        if (!r.isAccess()) return;
        checks++;
        String setting = setting(r.text("tip"));
        if (setting != null) {
            String what = r.text("sys") + " " + (r.has("path") ? r.text("path") : r.has("addr") ? r.text("addr") : "");
            settings.putIfAbsent(setting, what.strip());
            return;
        }
        for (String cap : r.list("cap")) {
            Category c = Category.byName(cap).orElse(null);
            if (c == null) continue;
            if (c.isPath() && r.has("path")) {
                String p = Bytes.fromUtf8(r.text("path"));
                if (p.startsWith("/")) paths.computeIfAbsent(c, k -> new TreeSet<>()).add(p);
                else unnamed.add(c.sydName() + " " + p);
            } else if (c == Category.IOCTL && r.has("ioctl")) {
                ioctls.add(r.text("ioctl"));
            } else if (c.isNet() && r.has("addr")) {
                addresses.computeIfAbsent(c, k -> new TreeSet<>()).add(Bytes.fromUtf8(r.text("addr")));
            }
        }
    }

    /** The command a tip names when it is not an {@code allow/} rule, e.g. {@code trace/allow_unsafe_memory:1}. */
    static String setting(String tip) {
        if (tip == null || !tip.startsWith("configure `") || !tip.endsWith("'")) return null;
        String cmd = tip.substring("configure `".length(), tip.length() - 1);
        return cmd.startsWith("allow/") ? null : cmd;
    }

    /** Every (category, path) pair, for checks and merging. */
    List<Map.Entry<Category, String>> pathItems() {
        List<Map.Entry<Category, String>> out = new ArrayList<>();
        paths.forEach((c, s) -> s.forEach(p -> out.add(Map.entry(c, p))));
        return out;
    }

    /** Every (category, address) pair. */
    List<Map.Entry<Category, String>> addressItems() {
        List<Map.Entry<Category, String>> out = new ArrayList<>();
        addresses.forEach((c, s) -> s.forEach(a -> out.add(Map.entry(c, a))));
        return out;
    }

    /** The number of access records read. */
    public int checks() { return checks; }
}
