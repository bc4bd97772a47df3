package dev.jsyd.supervisor.pool;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The pool's two counters in one {@link AtomicLong}: <b>total</b> workers in the upper 32 bits,
 * <b>busy</b> workers in the lower 32 bits (Syd's {@code WorkerData}, after rusty_pool). One read
 * gives a consistent (total, busy) pair, so "is every worker busy?" is race-free, and each change
 * is one atomic operation.
 *
 * <p>Invariant kept by the callers: {@code 0 <= busy <= total <= Integer.MAX_VALUE}. A worker
 * calls {@link #markIdle()} only after its own {@link #markBusy()}, so busy never borrows from
 * total, and busy cannot carry into total because it never exceeds total.
 *
 * <p><b>Retirement rule.</b> {@link #tryRetire(int)} lets an idle extra worker leave only if
 * {@code total > core} <em>and</em> at least one <em>other</em> worker stays idle
 * ({@code busy < total - 1}). The caller is idle by construction (it is outside
 * {@code markBusy}/{@code markIdle}); the second condition means a worker never leaves a pool in
 * which every remaining worker is busy: such a pool would have nobody receiving the next request
 * and the monitor would have to spawn a replacement at once. So when long-blocking requests hold
 * all other workers, one spare stays, however long its keep-alive has expired.
 */
public final class WorkerCounter {
    /** Adding this changes total by one. */
    public static final long ONE_TOTAL = 1L << 32;
    /** Adding this changes busy by one. */
    public static final long ONE_BUSY = 1L;
    /** Mask of the busy half. */
    public static final long BUSY_MASK = ONE_TOTAL - 1;

    private final AtomicLong value;

    /** A counter with no workers. */
    public WorkerCounter() {
        this(0L);
    }

    /** A counter starting at a packed value (tests). */
    WorkerCounter(long initial) {
        this.value = new AtomicLong(initial);
    }

    /** Total workers in a packed value. */
    public static int total(long v) {
        return (int) (v >>> 32);
    }

    /** Busy workers in a packed value. */
    public static int busy(long v) {
        return (int) (v & BUSY_MASK);
    }

    /** Packs {@code total} and {@code busy} (both non-negative) into one value. */
    public static long pack(int total, int busy) {
        if (total < 0 || busy < 0) {
            throw new IllegalArgumentException("negative count: total=" + total + " busy=" + busy);
        }
        return ((long) total << 32) | busy;
    }

    /** Whether every worker in a packed value is busy (also true for an empty pool). */
    public static boolean allBusy(long v) {
        return busy(v) >= total(v);
    }

    /** The current packed value. */
    public long get() {
        return value.get();
    }

    /** One more busy worker; returns the new packed value. */
    public long markBusy() {
        return value.getAndAdd(ONE_BUSY) + ONE_BUSY;
    }

    /** One less busy worker; returns the new packed value. */
    public long markIdle() {
        return value.getAndAdd(-ONE_BUSY) - ONE_BUSY;
    }

    /** Counts a core worker unconditionally. */
    public void addCoreWorker() {
        value.getAndAdd(ONE_TOTAL);
    }

    /** Counts one more (idle) worker if {@code total < max}; returns whether it did. */
    public boolean tryAddWorker(int max) {
        for (;;) {
            long v = value.get();
            if (total(v) >= max) {
                return false;
            }
            if (value.compareAndSet(v, v + ONE_TOTAL)) {
                return true;
            }
        }
    }

    /**
     * Uncounts the calling idle worker if {@code total > core} and at least one other worker stays
     * idle (see the class comment); returns whether it did. A {@code true} means the caller must
     * exit.
     */
    public boolean tryRetire(int core) {
        for (;;) {
            long v = value.get();
            int total = total(v);
            if (total <= core || busy(v) >= total - 1) {
                return false;
            }
            if (value.compareAndSet(v, v - ONE_TOTAL)) {
                return true;
            }
        }
    }

    /** Uncounts an idle worker unconditionally (a worker leaving because the source closed). */
    public void removeWorker() {
        value.getAndAdd(-ONE_TOTAL);
    }

    @Override
    public String toString() {
        long v = value.get();
        return "WorkerCounter[total=" + total(v) + ", busy=" + busy(v) + "]";
    }
}
