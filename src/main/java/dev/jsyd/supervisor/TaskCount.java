package dev.jsyd.supervisor;

import java.util.HashSet;
import java.util.Set;

/**
 * The sandbox's tasks as the tracer sees them, for {@code pid/max}: every live task (process or
 * thread), and the task creations the tracer has let through at their seccomp stop but whose new
 * task it has not seen yet. Only the tracer thread uses it, one event at a time, so concurrent
 * forks from several threads are counted one after the other: each creation is reserved before it
 * runs, and the reservation turns into a live task at the fork event, or is dropped at the
 * syscall's exit when the kernel refused the creation.
 */
final class TaskCount {
    private final int initial;
    private final Set<Integer> live = new HashSet<>();
    private final Set<Integer> reserved = new HashSet<>();

    TaskCount(int initial) {
        this.initial = initial;
        live.add(initial);
    }

    /**
     * Ids for which a creation event is still to come although a task with that id was met: at its
     * first stop before its creator's event, or reaped before any of its stops. While an id is in
     * here, a creation event naming it may be that of an earlier task with the same id.
     */
    private final Set<Integer> unmatched = new HashSet<>();
    /** New tasks held at their first stop until their creation event ({@link #holdForCreator}). */
    private final Set<Integer> held = new HashSet<>();

    /** A stop of task {@code tid}: true the first time it is seen. */
    boolean seen(int tid) { return live.add(tid); }

    /** What a creation event knows of its new task ({@link #created}). */
    enum NewTask {
        /** Neither its first stop nor an earlier task's unmatched event: it has not run. */
        NOT_RUN,
        /** Held at its first stop since then ({@link #holdForCreator}): it has not run. */
        HELD,
        /** It may have run, or the event may be an earlier task's with the same id. */
        UNSURE
    }

    /** A creation event names task {@code tid}. */
    NewTask created(int tid) {
        boolean earlier = unmatched.remove(tid);
        if (live.add(tid)) return earlier ? NewTask.UNSURE : NewTask.NOT_RUN;
        return held.remove(tid) ? NewTask.HELD : NewTask.UNSURE;
    }

    /**
     * A creation event names task {@code tid}, taken for one that is gone already (its end was
     * consumed first). The id stays unmatched: should the event really be that of a new task with
     * the id (the gone one's own event never came: its creator was killed first), the new task is
     * never held for an event already consumed. Returns true when a task with that id was held: it
     * is released (the caller resumes it).
     */
    boolean createdGone(int tid) {
        unmatched.add(tid);
        return held.remove(tid);
    }

    /**
     * Task {@code tid} is at its first stop, seen before its creator's event. True when it may be
     * held there until that event ({@link #created} then answers HELD): no event of an earlier task
     * with its id is still to come, so the next event naming it is its own.
     */
    boolean holdForCreator(int tid) {
        if (!unmatched.add(tid)) return false;
        held.add(tid);
        return true;
    }

    /** The tasks held at their first stop, now released (to be resumed by the caller). */
    int[] releaseHeld() {
        int[] out = held.stream().mapToInt(Integer::intValue).toArray();
        held.clear();
        return out;
    }

    boolean anyHeld() { return !held.isEmpty(); }

    /** Task {@code tid} could not be held after all (its creation event is still to come). */
    void unhold(int tid) { held.remove(tid); }

    /** A task that is gone (reaped, or a thread id replaced by its leader's at exec). */
    void gone(int tid) {
        if (!live.remove(tid)) unmatched.add(tid); // reaped unseen: its creation event is still to come
        reserved.remove(tid);
        held.remove(tid);
    }

    /** Tasks the program created that are alive, plus creations under way: the initial task does not count. */
    int created() { return live.size() - (live.contains(initial) ? 1 : 0) + reserved.size(); }

    /** Whether one more task fits under {@code max}. */
    boolean mayCreate(long max) { return created() < max; }

    /** {@code tid} is creating a task (let through at its seccomp stop). */
    void reserve(int tid) { reserved.add(tid); }

    /** {@code tid}'s creation is over: its new task is live now, or the kernel refused it. */
    void settle(int tid) { reserved.remove(tid); }

    /**
     * Drops the tasks {@code dead} says are gone although their exit is not processed yet (their
     * death notification still queued behind the event being handled). Asked only at the limit.
     */
    void prune(java.util.function.IntPredicate dead) {
        live.removeIf(dead::test);
    }

    boolean isEmpty() { return live.isEmpty(); }

    Set<Integer> live() { return Set.copyOf(live); }
}
