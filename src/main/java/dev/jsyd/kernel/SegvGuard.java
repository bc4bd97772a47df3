package dev.jsyd.kernel;

import dev.jsyd.policy.Sandbox;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * SegvGuard (as HardenedBSD's, and Syd's): when a program crashes {@code segvguard/maxcrashes}
 * times within {@code segvguard/expiry}, executing it is refused for {@code segvguard/suspension}
 * (action {@code default/segvguard}). A crash is a process of the sandbox ended by a signal whose
 * default action dumps core (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS, SIGQUIT,
 * SIGXCPU, SIGXFSZ) — core dumps themselves are off in the sandbox, so the signal decides. Keyed
 * by the path of the executable the process last executed. {@code segvguard/expiry:0} turns it
 * off. One instance per sandbox; the tracer records crashes, exec checks read.
 */
public final class SegvGuard {
    private static final Map<SandboxContext, SegvGuard> STATES = Collections.synchronizedMap(new WeakHashMap<>());

    /** The sandbox's SegvGuard. */
    public static SegvGuard of(SandboxContext context) {
        return STATES.computeIfAbsent(context, c -> new SegvGuard());
    }

    private static final int CORE_SIGNALS = 1 << 3 | 1 << 4 | 1 << 5 | 1 << 6 | 1 << 7 | 1 << 8 | 1 << 11 | 1 << 24
            | 1 << 25 | 1 << 31;

    /** True when a termination by {@code signal} counts as a crash. */
    public static boolean isCrash(int signal) {
        return signal > 0 && signal < 32 && (CORE_SIGNALS & (1 << signal)) != 0;
    }

    private static final class Record {
        final ArrayDeque<Long> crashes = new ArrayDeque<>();
        boolean suspended;
        long suspendedUntil;
    }

    private final Map<String, Record> records = new HashMap<>();

    /** Records a crash of {@code path} at {@code now} (System.nanoTime); true when it is now suspended. */
    public synchronized boolean crashed(Sandbox sb, String path, long now) {
        long expiry = sb.segvguardExpiry().toNanos();
        long max = sb.segvguardMaxCrashes();
        if (expiry <= 0 || max <= 0 || path == null) return false;
        Record r = records.computeIfAbsent(path, p -> new Record());
        while (!r.crashes.isEmpty() && now - r.crashes.peekFirst() > expiry) r.crashes.pollFirst();
        r.crashes.addLast(now);
        if (r.crashes.size() < max) return false;
        r.crashes.clear();
        Duration suspension = sb.segvguardSuspension();
        r.suspended = true;
        r.suspendedUntil = now + suspension.toNanos();
        return true;
    }

    /** True when executing {@code path} is suspended at {@code now}. */
    public synchronized boolean suspended(Sandbox sb, String path, long now) {
        if (sb.segvguardExpiry().isZero() || records.isEmpty()) return false;
        Record r = records.get(path);
        return r != null && r.suspended && now - r.suspendedUntil < 0;
    }
}
