package dev.jsyd.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What one sandbox run did, from its log: the command and exit status, the decisions by
 * category, every denial with its fix, the files and addresses checked, the process tree and a
 * timeline. Built from the records alone (access records, and the lifecycle records {@code run},
 * {@code fork}, {@code exec}, {@code exit}, {@code end} at level info). Calls a rule allowed
 * silently are not in a log, so they are not here either; a trace-mode run ({@code -x},
 * {@code syd-learn}) logs every check.
 */
public final class RunReport {
    /** Actions that let the call go on (the rest refuse it, unless the run was in trace mode). */
    static final Set<String> ALLOWING = Set.of("allow", "warn");

    /** One kind of denial: the same category, action, syscall and target, seen {@code count} times. */
    public record Denial(String cap, String act, String sys, String target, String tip, int count, String cmd,
                         Set<Integer> pids, String firstTime) {}

    /** Per category: decisions logged, refused (or would be, in trace mode), allowed with a log. */
    public record Counts(int checks, int denied, int allowed) {}

    /** A process of the sandbox: its parent, what it executed, how it ended. */
    public static final class Process {
        public final int pid;
        public int ppid = -1;
        public final List<String> execs = new ArrayList<>();
        public String cmd;
        public long code = -1, signal = -1;
        public final List<Integer> children = new ArrayList<>();

        Process(int pid) { this.pid = pid; }
    }

    /** One line of the timeline. */
    public record Event(String time, int pid, String kind, String detail) {}

    public List<String> argv = List.of();
    public String cwd;
    public long status = -1;
    public String sid;
    public String startTime, endTime;
    public int checks, denied, allowed;
    public int skippedLines;
    public final Map<String, Counts> byCategory = new TreeMap<>();
    public final List<Denial> denials = new ArrayList<>();
    /** Path to the categories it was checked in; a category with a trailing {@code !} was refused there. */
    public final Map<String, Set<String>> files = new TreeMap<>();
    /** Network category to the addresses checked in it. */
    public final Map<String, Set<String>> network = new TreeMap<>();
    public final Map<Integer, Process> processes = new LinkedHashMap<>();
    public int rootPid = -1;
    public final List<Event> timeline = new ArrayList<>();
    /** True when every decision was allowed and only logged (trace mode): denials are "would be denied". */
    public boolean traceMode;

    /** The timeline keeps at most this many events (a page must stay usable). */
    public static final int TIMELINE_LIMIT = 5000;
    public int timelineDropped;

    public static RunReport of(List<LogRecord> records, int skippedLines) {
        RunReport r = new RunReport();
        r.skippedLines = skippedLines;
        Map<String, Denial> denials = new LinkedHashMap<>();
        for (LogRecord rec : records) r.add(rec, denials);
        r.denials.addAll(denials.values());
        for (Process p : r.processes.values()) {
            Process parent = r.processes.get(p.ppid);
            if (parent != null && parent != p) parent.children.add(p.pid);
        }
        return r;
    }

    private Process process(int pid) { return processes.computeIfAbsent(pid, Process::new); }

    private void add(LogRecord rec, Map<String, Denial> seen) {
        String ctx = rec.ctx() == null ? "" : rec.ctx();
        String time = rec.text("time");
        if (time != null) {
            if (startTime == null) startTime = time;
            endTime = time;
        }
        if (sid == null) sid = rec.text("sid");
        int pid = rec.pid();
        switch (ctx) {
            case "run" -> {
                argv = rec.list("argv");
                cwd = rec.text("cwd");
                rootPid = pid;
                traceMode = "true".equals(rec.text("trace"));
                Process p = process(pid);
                p.cmd = String.join(" ", argv);
                event(time, pid, "run", String.join(" ", argv));
            }
            case "fork" -> {
                Process p = process(pid);
                p.ppid = (int) rec.number("ppid", -1);
                Process parent = processes.get(p.ppid);
                if (parent != null && p.cmd == null) p.cmd = parent.cmd;
                event(time, pid, "fork", "from " + p.ppid);
            }
            case "exec" -> {
                Process p = process(pid);
                String path = rec.text("path");
                p.cmd = rec.text("cmd");
                p.execs.add(path == null ? "?" : path);
                event(time, pid, "exec", (path == null ? "?" : path) + "  " + (p.cmd == null ? "" : p.cmd));
            }
            case "exit" -> {
                Process p = process(pid);
                p.code = rec.number("code", -1);
                p.signal = rec.number("signal", -1);
                event(time, pid, "exit", p.code >= 0 ? "code " + p.code : "signal " + p.signal);
            }
            case "end" -> {
                status = rec.number("status", -1);
                event(time, -1, "end", "syd exits with " + status);
            }
            case "access", "learn" -> access(rec, seen, time, pid); // learn: a kernel-side switch a learning run needed
            default -> {
                String msg = rec.text("msg");
                event(time, pid, ctx.isEmpty() ? "log" : ctx, msg == null ? "" : msg);
            }
        }
    }

    private void access(LogRecord rec, Map<String, Denial> seen, String time, int pid) {
        String cap = rec.text("cap");
        if (cap == null) cap = "?";
        String act = rec.text("act") == null ? "?" : rec.text("act");
        boolean refused = !ALLOWING.contains(act);
        checks++;
        if (refused) denied++;
        else allowed++;
        Counts c = byCategory.getOrDefault(cap, new Counts(0, 0, 0));
        byCategory.put(cap, new Counts(c.checks() + 1, c.denied() + (refused ? 1 : 0), c.allowed() + (refused ? 0 : 1)));
        String path = rec.text("path"), addr = rec.text("addr");
        String setting = rec.text("setting");
        String target = path != null ? path : addr != null ? addr : setting != null ? setting : "";
        if (path != null) files.computeIfAbsent(path, k -> new TreeSet<>()).add(cap + (refused ? "!" : ""));
        if (addr != null) network.computeIfAbsent(cap, k -> new TreeSet<>()).add(addr);
        if (refused) {
            String key = cap + "\0" + act + "\0" + rec.text("sys") + "\0" + target;
            Denial d = seen.get(key);
            Set<Integer> pids = d == null ? new TreeSet<>() : d.pids();
            pids.add(pid);
            seen.put(key, d == null
                    ? new Denial(cap, act, rec.text("sys"), target, rec.text("tip"), 1, rec.text("cmd"), pids, time)
                    : new Denial(d.cap(), d.act(), d.sys(), d.target(), d.tip(), d.count() + 1, d.cmd(), pids, d.firstTime()));
            if (d == null) event(time, pid, act, cap + " " + target);
        }
    }

    private void event(String time, int pid, String kind, String detail) {
        if (timeline.size() >= TIMELINE_LIMIT) {
            timelineDropped++;
            return;
        }
        timeline.add(new Event(time == null ? "" : time, pid, kind, detail));
    }
}
