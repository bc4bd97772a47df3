package dev.jsyd.supervisor;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A debug switch for measuring start-up (docs/PERFORMANCE.md "start"): with {@code SYD_STARTUP_TIMES}
 * set, {@code bin/syd} passes the time its script started and the time it executed the JVM as
 * {@code -Djsyd.t0=SCRIPT,EXEC} (bash's {@code EPOCHREALTIME}, seconds with microseconds), and
 * {@code syd} prints, at the end, one line per phase to stderr: the wall time since the script
 * started, the process CPU time (user+sys of every live thread, from
 * {@code /proc/self/task/TID/schedstat}) at each mark, and the thread that marked it with the CPU
 * it spent since its previous mark. Off (one field test per mark) otherwise.
 */
public final class StartupTimes {
    private StartupTimes() {}

    private static final String T0 = System.getProperty("jsyd.t0");
    private static final boolean ON = T0 != null;
    private static final List<String> MARKS = ON ? new ArrayList<>() : null;

    /** Records that {@code phase} has just ended. */
    public static void mark(String phase) {
        if (!ON) return;
        java.time.Instant now = java.time.Instant.now();
        long wallMicros = now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
        long cpuNanos = cpuNanos();
        long threadNanos = schedstat(Path.of("/proc/thread-self/schedstat"));
        synchronized (MARKS) {
            MARKS.add(phase + "\t" + wallMicros + "\t" + cpuNanos + "\t" + Thread.currentThread().getName()
                    + "\t" + threadNanos);
        }
    }

    /** Prints the marks recorded so far (on {@code err}), wall relative to the script's start. */
    public static void print(PrintStream err) {
        if (!ON) return;
        String[] t = T0.split(",");
        long script = micros(t[0]);
        long exec = t.length > 1 ? micros(t[1]) : script;
        List<String> copy;
        synchronized (MARKS) {
            copy = List.copyOf(MARKS);
        }
        err.printf("syd: startup: %-28s wall %7.1f ms%n", "script (bash wrapper)", (exec - script) / 1000.0);
        java.util.Map<String, Long> threadBefore = new java.util.HashMap<>();
        for (String m : copy) {
            String[] f = m.split("\t");
            long thread = Long.parseLong(f[4]);
            Long before = threadBefore.put(f[3], thread);
            err.printf("syd: startup: %-28s wall %7.1f ms  cpu %7.1f ms  [%s +%.1f ms]%n", f[0],
                    (Long.parseLong(f[1]) - script) / 1000.0, Long.parseLong(f[2]) / 1e6, f[3],
                    (thread - (before == null ? 0 : before)) / 1e6);
        }
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                String comm = new String(Files.readAllBytes(task.resolve("comm")), StandardCharsets.ISO_8859_1).strip();
                err.printf("syd: startup: at exit, thread %-13s cpu %7.1f ms%n", comm, schedstat(task.resolve("schedstat")) / 1e6);
            }
        } catch (java.io.IOException e) {
            // no thread list
        }
    }

    private static long micros(String epochRealtime) {
        String s = epochRealtime.replace(',', '.');
        int dot = s.indexOf('.');
        if (dot < 0) return Long.parseLong(s) * 1_000_000;
        String frac = (s.substring(dot + 1) + "000000").substring(0, 6);
        return Long.parseLong(s.substring(0, dot)) * 1_000_000 + Long.parseLong(frac);
    }

    /** CPU time of every thread of this process so far, ns (exited threads are not counted). */
    private static long cpuNanos() {
        long sum = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) sum += Math.max(0, schedstat(task.resolve("schedstat")));
        } catch (java.io.IOException e) {
            return -1;
        }
        return sum;
    }

    /** The CPU time (ns) a schedstat file gives; -1 when it cannot be read (the thread has exited). */
    private static long schedstat(Path file) {
        try {
            String s = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
            return Long.parseLong(s.substring(0, s.indexOf(' ')));
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
    }
}
