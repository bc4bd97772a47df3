package dev.jsyd.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Who belongs to this sandbox: every live task (thread id) of the traced tree and the process
 * (thread group) it is part of. The tracer keeps it: a task is added when the tracer first sees it
 * (the fork/clone event of its parent or its own first stop, before it has run an instruction) and
 * removed when the tracer consumes its exit (or, for a thread that execs, when the exec reports
 * its former id). Nothing here trusts a number across time: a {@link Proc} object is the identity
 * of one process, and a new process that happens to get a dead member's pid gets a new object.
 *
 * <p><b>Pinning.</b> A member's pid cannot be reused before the tracer has consumed its exit: the
 * kernel keeps the task (a zombie) until its tracer has waited for it, and only then can its real
 * parent reap it. The tracer consumes exits only while holding {@link #reaping()}, and a handler
 * that checks a member and then lets the kernel act on the same pid holds {@link #pinned()} (the
 * shared side) from the check to the answer: so the pid it checked still names that member, or its
 * zombie, when the kernel runs the call.
 *
 * <p>Pids here are as the supervisor sees them. Pids that the program writes in arguments are in
 * the program's pid namespace; {@link #hostPid} is the one place that would translate them.
 */
public final class Members {
    /** One process of the sandbox; compared by identity, never by its number. */
    public static final class Proc {
        private final int tgid;
        private final boolean initial;
        /**
         * No other task can change this process's fd table: it executed a program (exec unshares
         * the table and leaves one thread) and has created no task since. Set and cleared by the
         * tracer while the process is stopped at the event that decides it (the exec, the fork or
         * clone that may share the table), so a call the process makes afterwards sees it right.
         */
        private volatile boolean ownFdTable;

        private Proc(int tgid, boolean initial) {
            this.tgid = tgid;
            this.initial = initial;
        }

        public int tgid() { return tgid; }

        /** See {@link #ownFdTable}: true when fd N of this process names the same file until it calls again. */
        public boolean ownsFdTable() { return ownFdTable; }

        /** True for the process syd started (the one {@code lock:exec} trusts), across its own execs. */
        public boolean initial() { return initial; }

        @Override public String toString() { return (initial ? "initial " : "") + "process " + tgid; }
    }

    private final ConcurrentHashMap<Integer, Proc> byTid = new ConcurrentHashMap<>();
    private final AtomicInteger processes = new AtomicInteger();
    private final ReentrantReadWriteLock pin = new ReentrantReadWriteLock();

    // ---- the tracer's side -------------------------------------------------------------------

    /** Registers the process syd started (pid {@code pid}), before it runs. */
    public Proc addInitial(int pid) {
        Proc p = new Proc(pid, true);
        byTid.put(pid, p);
        processes.incrementAndGet();
        return p;
    }

    /**
     * Registers task {@code tid} of thread group {@code tgid} (a new process when they are equal,
     * else a new thread of the member process {@code tgid}); returns its process, or null when
     * {@code tgid} is no member (a thread of a process that is not ours: not registered). Seeing
     * the same task twice (the parent's event and the child's first stop) changes nothing.
     */
    public Proc add(int tid, int tgid) {
        Proc known = byTid.get(tid);
        if (known != null && known.tgid == tgid) return known;
        Proc p;
        if (tid == tgid) {
            p = new Proc(tgid, false);
            processes.incrementAndGet();
        } else {
            p = byTid.get(tgid);
            if (p == null) return null;
        }
        Proc old = byTid.put(tid, p);
        if (old != null && old.tgid == tid) processes.decrementAndGet(); // a stale leader entry: should not happen
        return p;
    }

    /** Task {@code tid} is gone (its exit was consumed); returns its process, or null if unknown. */
    public Proc remove(int tid) {
        Proc p = byTid.remove(tid);
        if (p != null && p.tgid == tid) processes.decrementAndGet();
        return p;
    }

    /**
     * A thread of process {@code tgid} executed a program: the kernel gave it the leader's id
     * {@code tgid}, so its former id {@code former} no longer exists (and no exit is reported for it).
     */
    public void execed(int tgid, int former) {
        if (former != tgid && former > 0) {
            Proc p = byTid.get(former);
            if (p != null && p.tgid == tgid) byTid.remove(former);
        }
        Proc p = byTid.get(tgid);
        if (p != null) p.ownFdTable = true;
    }

    /** Task {@code tid} created a task (fork, vfork, clone): it may share its process's fd table now. */
    public void created(int tid) {
        Proc p = byTid.get(tid);
        if (p != null) p.ownFdTable = false;
    }

    /** True when task {@code tid} is the one task of a process whose fd table no other task can change ({@link Proc#ownsFdTable}). */
    public boolean ownsFdTable(int tid) {
        Proc p = process(tid);
        return p != null && p.tgid == tid && p.ownFdTable;
    }

    /** Held by the tracer while it consumes an exit (and so lets the pid be freed). */
    public Lock reaping() { return pin.writeLock(); }

    // ---- the handlers' side ------------------------------------------------------------------

    /**
     * Held (shared) from checking that a pid is a member to answering, so that the pid cannot be
     * freed and reused in between (see the class comment).
     */
    public Lock pinned() { return pin.readLock(); }

    /** The process task {@code tid} belongs to, or null when it is no member of this sandbox. */
    public Proc process(int tid) { return tid > 0 ? byTid.get(tid) : null; }

    public boolean isMember(int tid) { return process(tid) != null; }

    /** The thread group of member task {@code tid}; -1 when it is no member. */
    public int tgid(int tid) {
        Proc p = process(tid);
        return p == null ? -1 : p.tgid;
    }

    /** True when {@code pid} is the id of a member process (a thread-group leader), not only of a thread. */
    public boolean isProcess(int pid) {
        Proc p = process(pid);
        return p != null && p.tgid == pid;
    }

    /** True when task {@code tid} belongs to the process syd started, and that process still lives. */
    public boolean isInitial(int tid) {
        Proc p = process(tid);
        return p != null && p.initial;
    }

    /** How many member processes live (threads not counted). */
    public int processCount() { return processes.get(); }

    /** Every member task id now (threads included). */
    public List<Integer> tids() { return new ArrayList<>(byTid.keySet()); }

    /** True when no member task is left. */
    public boolean isEmpty() { return byTid.isEmpty(); }

    /** The thread-group ids of the member processes now. */
    public List<Integer> processIds() {
        List<Integer> out = new ArrayList<>();
        byTid.forEach((tid, p) -> { if (p.tgid == tid) out.add(tid); });
        return out;
    }

    /**
     * The supervisor's id for the pid {@code pid} that member {@code caller} wrote in an argument.
     * Today the program shares the supervisor's pid namespace, so they are the same number; a
     * sandbox in its own pid namespace translates here (NSpid of /proc/PID/status).
     */
    public int hostPid(int caller, int pid) { return pid; }
}
