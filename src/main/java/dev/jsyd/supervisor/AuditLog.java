package dev.jsyd.supervisor;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.jsyd.kernel.AccessEvent;
import dev.jsyd.policy.Action;
import dev.jsyd.policy.Bytes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * The access-violation log: one JSON object per line (spec §8) written to {@code SYD_LOG_FD}
 * (default 2; negative disables), filtered by {@code SYD_LOG} (deny-class records are at
 * {@code warn}, warn-action records at {@code notice}; {@code filter} never logs). Process
 * lifecycle records ({@code run}, {@code fork}, {@code exec}, {@code exit}, {@code end}) are at
 * {@code info}, below the default level. A copy of every record at {@code info} or above may go
 * to an in-process sink ({@link #copyTo}) for the learner and the run report. Records are
 * formatted by the caller and written by {@link LogWriter}'s thread: logging never blocks a
 * worker, the tracer or the timeouter, whatever the fd does. Every value the program chose
 * (paths, addresses, its command line) is a JSON string escaped by the generator, so it cannot
 * end a record or start another.
 */
public final class AuditLog {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");
    private static final String[] LEVELS = {"emerg", "alert", "crit", "error", "warn", "notice", "info", "debug"};
    static final int WARN = 4, NOTICE = 5, INFO = 6;

    private final int fd;
    private final int level;
    private final boolean noSyslog;
    /** The policy whose {@code log/*} settings apply (level, verbose, syslog); null: only the environment. */
    private volatile java.util.function.Supplier<dev.jsyd.policy.Sandbox> policy;
    private volatile dev.jsyd.sys.Syslog syslog;
    private volatile boolean syslogTried;
    private final String id;
    private final String sid;
    private final int sydPid;
    private final LogWriter writer;
    private JsonFactory json; // created on the first record: most runs log nothing
    private volatile java.util.function.Consumer<byte[]> copy; // every record at info or above, or null

    public AuditLog(Map<String, String> env, String id, String sid) {
        this.fd = parseFd(env.get("SYD_LOG_FD"));
        this.level = parseLevel(env.get("SYD_LOG"));
        this.noSyslog = env.get("SYD_NO_SYSLOG") != null;
        this.id = id;
        this.sid = sid;
        this.sydPid = (int) ProcessHandle.current().pid();
        this.writer = new LogWriter(fd, this::dropNotice);
    }

    static int parseFd(String v) {
        if (v == null || v.isBlank()) return 2;
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            return 2;
        }
    }

    static int parseLevel(String v) {
        if (v == null || v.isBlank()) return WARN;
        String s = v.trim().toLowerCase(java.util.Locale.ROOT);
        for (int i = 0; i < LEVELS.length; i++) if (LEVELS[i].equals(s)) return i;
        if (s.equals("warning")) return WARN;
        if (s.equals("err")) return 3;
        if (s.equals("off") || s.equals("none")) return -1;
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return WARN;
        }
    }

    private synchronized JsonFactory factory() {
        if (json == null) json = new JsonFactory();
        return json;
    }

    public boolean enabled(int recordLevel) {
        int l = level();
        return (fd >= 0 || syslogOn()) && recordLevel <= l || copy != null && recordLevel <= INFO;
    }

    /**
     * Follows {@code policy}'s {@code log/level} (over {@code SYD_LOG} when given), {@code log/verbose}
     * and {@code log/syslog} (unless {@code SYD_NO_SYSLOG} is set), also as they change at run time.
     */
    public void follow(java.util.function.Supplier<dev.jsyd.policy.Sandbox> policy) { this.policy = policy; }

    /** The level records must pass: {@code log/level} when the policy sets it, else {@code SYD_LOG}. */
    private int level() {
        var p = policy;
        Object v = p == null ? null : p.get().explicitSettings().get("log/level");
        return v == null ? level : parseLevel(v.toString());
    }

    private boolean policyFlag(String key, boolean dflt) {
        var p = policy;
        return p == null ? dflt : p.get().flag(key);
    }

    /** True when records also go to the host's syslog ({@code /dev/log}; none: nothing is sent). */
    private boolean syslogOn() {
        if (noSyslog || policy == null || !policyFlag("log/syslog", false)) return false;
        if (!syslogTried) {
            synchronized (this) {
                if (!syslogTried) {
                    syslog = dev.jsyd.sys.Syslog.connect("/dev/log");
                    syslogTried = true;
                }
            }
        }
        return syslog != null;
    }

    /**
     * Also hands every record at {@code info} or above (one JSON line, newline included) to
     * {@code sink}, whatever {@code SYD_LOG} says. The sink is called on worker and tracer threads
     * and must not block.
     */
    public void copyTo(java.util.function.Consumer<byte[]> sink) { this.copy = sink; }

    /** Logs an access decision if its action and the level say so. */
    public void access(AccessEvent e) {
        int recordLevel = e.action() == Action.WARN ? NOTICE : e.action() == Action.ALLOW ? INFO : WARN;
        if (e.action() == Action.FILTER || !enabled(recordLevel)) return;
        // the address is the request's name for ioctl, the limit and the size asked for mem
        String addressKey = e.category() == dev.jsyd.policy.Category.IOCTL ? "ioctl" : e.category() == dev.jsyd.policy.Category.MEM ? "mem" : "addr";
        boolean verbose = policyFlag("log/verbose", false);
        write(recordLevel, g -> {
            g.writeStringField("ctx", "access");
            g.writeStringField("cap", e.category() == null ? "net" : e.category().sydName());
            g.writeStringField("act", e.action().sydName());
            g.writeStringField("sys", e.syscall());
            if (e.path() != null) g.writeStringField("path", Bytes.forLog(e.path()));
            if (e.address() != null) g.writeStringField(addressKey, Bytes.forLog(e.address()));
            if (e.ipv() != 0) g.writeNumberField("ipv", e.ipv());
            if (e.flags() >= 0) {
                g.writeArrayFieldStart("oflags");
                for (String f : OpenFlagNames.names((int) e.flags())) g.writeString(f);
                g.writeEndArray();
            }
            g.writeStringField("time", now());
            g.writeStringField("cmd", cmdline(e.pid()));
            g.writeStringField("cwd", cwd(e.pid()));
            g.writeNumberField("pid", e.pid());
            g.writeNumberField("uid", uid(e.pid()));
            if (verbose) {
                g.writeNumberField("ppid", ppid(e.pid()));
                g.writeStringField("exe", exe(e.pid()));
            }
            if (e.tip() != null) {
                g.writeStringField("tip", e.tip());
            } else {
                String target = e.path() != null ? e.path() : e.address();
                g.writeStringField("tip", "configure `allow/" + e.category().sydName() + "+" + pattern(target) + "'");
            }
        });
    }

    /** Logs a set*id transition SafeSetID refused (or let through in trace mode), at warn level. */
    public void setId(dev.jsyd.kernel.SetIdEvent e) {
        if (!enabled(WARN)) return;
        String kind = e.uid() ? "uid" : "gid";
        write(WARN, g -> {
            g.writeStringField("ctx", "safesetid");
            g.writeStringField("cap", e.uid() ? "setuid" : "setgid");
            g.writeStringField("act", e.action().sydName());
            g.writeStringField("sys", e.syscall());
            g.writeNumberField("err", dev.jsyd.abi.Errno.EACCES);
            g.writeStringField("msg", "unsafe " + kind + " transition from " + e.from() + " to " + e.to() + " blocked");
            g.writeNumberField("from", e.from());
            g.writeNumberField("to", e.to());
            g.writeStringField("time", now());
            g.writeStringField("cmd", cmdline(e.pid()));
            g.writeStringField("cwd", cwd(e.pid()));
            g.writeNumberField("pid", e.pid());
            g.writeNumberField("uid", uid(e.pid()));
            g.writeStringField("tip", e.tip());
        });
    }

    /**
     * Learning mode: a call of process {@code pid} that a kernel-side protection would have refused
     * ran because the learning filter let it; {@code command} is the switch it needs (a {@code learn}
     * record at warn level, read by the learner).
     */
    public void learned(int pid, String sys, String command, String why) {
        if (!enabled(WARN)) return;
        write(WARN, g -> {
            g.writeStringField("ctx", "learn");
            g.writeStringField("cap", "kernel");
            g.writeStringField("act", "deny"); // what the kernel-side protection does outside learning
            g.writeStringField("sys", sys);
            g.writeStringField("setting", command);
            g.writeStringField("msg", why);
            g.writeStringField("time", now());
            g.writeStringField("cmd", cmdline(pid));
            g.writeNumberField("pid", pid);
            g.writeStringField("tip", "configure `" + command + "'");
        });
    }

    /** Writes a plain line (lifecycle messages) at warn level. */
    public void message(String ctx, String msg) {
        if (!enabled(WARN)) return;
        write(WARN, g -> {
            g.writeStringField("ctx", ctx);
            g.writeStringField("msg", msg);
            g.writeStringField("time", now());
        });
    }

    /** The record that reports {@code n} records lost because the log fd did not take them. */
    private byte[] dropNotice(long n) {
        byte[] b = format(g -> {
            g.writeStringField("ctx", "log");
            g.writeStringField("msg", n + " log records dropped: the log fd did not accept writes");
            g.writeNumberField("dropped", n);
            g.writeStringField("time", now());
        });
        return b == null ? new byte[0] : b;
    }

    /**
     * Writes out what is queued, waiting only while the fd takes it (see {@link LogWriter#drain}),
     * and stops the writer: called when the sandbox ends.
     */
    public void close() {
        if (fd >= 0) writer.drain();
        writer.close();
    }

    private interface Fields {
        void write(JsonGenerator g) throws IOException;
    }

    /** True when lifecycle records are wanted (they are at info level). */
    public boolean lifecycle() { return enabled(INFO); }

    /** {@code run}: the sandbox started {@code argv} as process {@code pid} in {@code cwd}, in trace mode or not. */
    public void run(int pid, java.util.List<String> argv, String cwd, boolean trace) {
        if (!lifecycle()) return;
        write(INFO, g -> {
            g.writeStringField("ctx", "run");
            g.writeNumberField("pid", pid);
            if (trace) g.writeBooleanField("trace", true);
            g.writeArrayFieldStart("argv");
            for (String a : argv) g.writeString(a);
            g.writeEndArray();
            if (cwd != null) g.writeStringField("cwd", cwd);
            g.writeStringField("time", now());
        });
    }

    /** {@code fork}: process {@code parent} made the new process {@code child}. */
    public void fork(int parent, int child) {
        if (!lifecycle()) return;
        write(INFO, g -> {
            g.writeStringField("ctx", "fork");
            g.writeNumberField("pid", child);
            g.writeNumberField("ppid", parent);
            g.writeStringField("time", now());
        });
    }

    /** {@code exec}: process {@code pid}, stopped at its exec, now runs the file and command line /proc shows. */
    public void exec(int pid) {
        if (!lifecycle()) return;
        String cmd = cmdline(pid);
        String path;
        try {
            path = Files.readSymbolicLink(Path.of("/proc/" + pid + "/exe")).toString();
        } catch (IOException | RuntimeException e) {
            path = null;
        }
        String exe = path;
        write(INFO, g -> {
            g.writeStringField("ctx", "exec");
            g.writeNumberField("pid", pid);
            if (exe != null) g.writeStringField("path", exe);
            g.writeStringField("cmd", cmd);
            g.writeStringField("time", now());
        });
    }

    /** {@code exit}: process {@code pid} ended with exit {@code code} or was killed by {@code signal} (the other is -1). */
    public void exit(int pid, int code, int signal) {
        if (!lifecycle()) return;
        write(INFO, g -> {
            g.writeStringField("ctx", "exit");
            g.writeNumberField("pid", pid);
            if (code >= 0) g.writeNumberField("code", code);
            if (signal >= 0) g.writeNumberField("signal", signal);
            g.writeStringField("time", now());
        });
    }

    /** {@code end}: the sandbox is over and syd exits with {@code status}. */
    public void end(int status) {
        if (!lifecycle()) return;
        write(INFO, g -> {
            g.writeStringField("ctx", "end");
            g.writeNumberField("status", status);
            g.writeStringField("time", now());
        });
    }

    private static String now() { return ZonedDateTime.now(ZoneOffset.UTC).format(TIME); }

    /**
     * One record: the sandbox's id, sid and pid, then {@code fields}, as one line on the log fd
     * (when {@code recordLevel} passes {@code SYD_LOG}) and to the copy sink.
     */
    private void write(int recordLevel, Fields fields) {
        byte[] line = format(fields);
        if (line == null) return;
        int l = level();
        if (fd >= 0 && recordLevel <= l) writer.offer(line);
        if (recordLevel <= l && syslogOn()) syslog.send(Math.max(recordLevel, 0), "syd", sydPid, line);
        java.util.function.Consumer<byte[]> c = copy;
        if (c != null && recordLevel <= INFO) c.accept(line);
    }

    private byte[] format(Fields fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = factory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("id", id);
            g.writeStringField("sid", sid);
            g.writeNumberField("syd", sydPid);
            fields.write(g);
            g.writeEndObject();
        } catch (IOException ex) {
            return null;
        }
        out.write('\n');
        return out.toByteArray();
    }

    /**
     * A rule pattern for the byte string {@code s} that can be pasted: the characters Syd's rule
     * syntax treats specially are escaped, and each byte that cannot be written as text (invalid
     * UTF-8, control characters) becomes {@code ?}, which matches it.
     */
    static String pattern(String s) {
        if (s == null) return "";
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); ) {
            int n = Bytes.utf8Length(s, i);
            if (n < 0 || Bytes.isControl(s, i, n)) {
                b.append('?');
                i += n < 0 ? 1 : n;
                continue;
            }
            char c = s.charAt(i);
            if (n == 1 && "\\+:,*?[]".indexOf(c) >= 0) b.append('\\');
            b.append(Bytes.toUtf8(s.substring(i, i + n)));
            i += n;
        }
        return b.toString();
    }

    private static String cmdline(int pid) {
        try {
            byte[] b = Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"));
            int n = b.length;
            while (n > 0 && b[n - 1] == 0) n--;
            for (int i = 0; i < n; i++) if (b[i] == 0) b[i] = ' ';
            return Bytes.forLog(new String(b, 0, n, StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            return "?";
        }
    }

    private static String cwd(int pid) {
        String cwd = dev.jsyd.sys.Files.readlink("/proc/" + pid + "/cwd");
        return cwd == null ? "?" : Bytes.forLog(cwd);
    }

    private static int ppid(int pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"), StandardCharsets.ISO_8859_1)) {
                if (line.startsWith("PPid:")) return Integer.parseInt(line.substring(5).trim());
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private static String exe(int pid) {
        String exe = dev.jsyd.sys.Files.readlink("/proc/" + pid + "/exe");
        return exe == null ? "?" : Bytes.forLog(exe);
    }

    private static int uid(int pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"), StandardCharsets.ISO_8859_1)) {
                if (line.startsWith("Uid:")) return Integer.parseInt(line.substring(4).trim().split("\\s+")[0]);
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
