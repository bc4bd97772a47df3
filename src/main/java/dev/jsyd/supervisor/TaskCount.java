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
     * Ids of tasks reaped before any stop of theirs was met (killed before their first stop): a
     * creation event naming such an id may come after the id went to another task.
     */
    private final Set<Integer> reapedUnseen = new HashSet<>();

    /** A stop of task {@code tid}: true the first time it is seen. */
    boolean seen(int tid) {
        if (!live.add(tid)) return false;
        reapedUnseen.remove(tid);
        return true;
    }

    /** A creation event's new task {@code tid}: true the first time it is seen. */
    boolean created(int tid) { return live.add(tid); }

    /**
     * True when task {@code tid}, named by a creation event just now ({@link #created} true), is
     * surely the new task of that event and has not run: no stop of it was met, and no task with
     * its id died unseen, whose id a later task could have taken before this event was met.
     */
    boolean createdUnrun(int tid) { return !reapedUnseen.contains(tid); }

    /** A task that is gone (reaped, or a thread id replaced by its leader's at exec). */
    void gone(int tid) {
        if (!live.remove(tid)) reapedUnseen.add(tid);
        reserved.remove(tid);
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
