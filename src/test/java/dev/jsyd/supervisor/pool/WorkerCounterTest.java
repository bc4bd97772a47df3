package dev.jsyd.supervisor.pool;

import static dev.jsyd.supervisor.pool.WorkerCounter.busy;
import static dev.jsyd.supervisor.pool.WorkerCounter.pack;
import static dev.jsyd.supervisor.pool.WorkerCounter.total;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class WorkerCounterTest {

    @Test
    void packsTotalHighAndBusyLow() {
        assertThat(pack(3, 2)).isEqualTo((3L << 32) | 2);
        assertThat(total(pack(3, 2))).isEqualTo(3);
        assertThat(busy(pack(3, 2))).isEqualTo(2);
        assertThat(total(pack(Integer.MAX_VALUE, Integer.MAX_VALUE))).isEqualTo(Integer.MAX_VALUE);
        assertThat(busy(pack(Integer.MAX_VALUE, Integer.MAX_VALUE))).isEqualTo(Integer.MAX_VALUE);
        assertThatThrownBy(() -> pack(-1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void busyNeverSpillsIntoTotal() {
        var c = new WorkerCounter(pack(Integer.MAX_VALUE, Integer.MAX_VALUE - 1));
        long v = c.markBusy();
        assertThat(total(v)).isEqualTo(Integer.MAX_VALUE);
        assertThat(busy(v)).isEqualTo(Integer.MAX_VALUE);
        v = c.markIdle();
        assertThat(total(v)).isEqualTo(Integer.MAX_VALUE);
        assertThat(busy(v)).isEqualTo(Integer.MAX_VALUE - 1);

        var d = new WorkerCounter(pack(5, 1));
        v = d.markIdle();
        assertThat(total(v)).isEqualTo(5); // busy 1 -> 0 does not borrow from total
        assertThat(busy(v)).isZero();
        d.addCoreWorker();
        assertThat(busy(d.get())).isZero();
        assertThat(total(d.get())).isEqualTo(6);
    }

    @Test
    void markBusyReportsAllBusy() {
        var c = new WorkerCounter();
        c.addCoreWorker();
        c.addCoreWorker();
        assertThat(WorkerCounter.allBusy(c.markBusy())).isFalse();
        assertThat(WorkerCounter.allBusy(c.markBusy())).isTrue();
        assertThat(WorkerCounter.allBusy(c.markIdle())).isFalse();
        assertThat(WorkerCounter.allBusy(new WorkerCounter().get())).isTrue(); // empty pool
    }

    @Test
    void tryAddStopsAtMax() {
        var c = new WorkerCounter();
        assertThat(c.tryAddWorker(2)).isTrue();
        assertThat(c.tryAddWorker(2)).isTrue();
        assertThat(c.tryAddWorker(2)).isFalse();
        assertThat(total(c.get())).isEqualTo(2);
    }

    @Test
    void retireKeepsCoreAndOneSpareIdleWorker() {
        var c = new WorkerCounter(pack(3, 0));
        assertThat(c.tryRetire(3)).as("never below core").isFalse();
        assertThat(c.tryRetire(1)).isTrue();
        assertThat(total(c.get())).isEqualTo(2);
        c.markBusy(); // total 2, busy 1: the caller is the only idle worker left
        assertThat(c.tryRetire(1)).as("would leave only busy workers").isFalse();
        c.markIdle();
        assertThat(c.tryRetire(1)).isTrue();
        assertThat(c.get()).isEqualTo(pack(1, 0));
    }

    enum Op { ADD_CORE, TRY_ADD, BUSY, IDLE, RETIRE, REMOVE }

    /** Every sequence of legal operations matches a model with two plain ints. */
    @Property(tries = 500)
    void matchesTwoIntModel(@ForAll @Size(max = 300) List<Op> ops,
                            @ForAll @IntRange(min = 1, max = 8) int core,
                            @ForAll @IntRange(min = 0, max = 40) int extra) {
        int max = core + extra;
        var c = new WorkerCounter();
        int total = 0;
        int busy = 0;
        for (Op op : ops) {
            switch (op) {
                case ADD_CORE -> {
                    c.addCoreWorker();
                    total++;
                }
                case TRY_ADD -> {
                    boolean expected = total < max;
                    assertThat(c.tryAddWorker(max)).isEqualTo(expected);
                    if (expected) {
                        total++;
                    }
                }
                case BUSY -> {
                    if (busy < total) {
                        busy++;
                        assertThat(c.markBusy()).isEqualTo(pack(total, busy));
                    }
                }
                case IDLE -> {
                    if (busy > 0) {
                        busy--;
                        assertThat(c.markIdle()).isEqualTo(pack(total, busy));
                    }
                }
                case RETIRE -> {
                    if (busy < total) { // only an idle worker may ask
                        boolean expected = total > core && busy < total - 1;
                        assertThat(c.tryRetire(core)).isEqualTo(expected);
                        if (expected) {
                            total--;
                        }
                    }
                }
                case REMOVE -> {
                    if (busy < total) {
                        c.removeWorker();
                        total--;
                    }
                }
            }
            assertThat(c.get()).isEqualTo(pack(total, busy));
        }
    }

    /**
     * Many threads mark busy/idle while others add and retire workers; an observer checks every
     * value it sees, and both halves are exact at the end.
     */
    @Test
    void concurrentUpdatesKeepHalvesExact() throws Exception {
        int busyThreads = 8;
        int churnThreads = 4;
        int rounds = 50_000;
        int max = busyThreads + 6;
        var c = new WorkerCounter();
        for (int i = 0; i < busyThreads; i++) {
            c.addCoreWorker();
        }
        var start = new CountDownLatch(1);
        var done = new CountDownLatch(busyThreads + churnThreads);
        var failure = new AtomicReference<String>();
        var added = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < busyThreads; i++) {
            threads.add(Thread.ofPlatform().start(() -> {
                await(start);
                for (int r = 0; r < rounds; r++) {
                    long v = c.markBusy();
                    if (busy(v) < 1 || busy(v) > total(v)) {
                        failure.compareAndSet(null, "after markBusy: " + total(v) + "/" + busy(v));
                    }
                    c.markIdle();
                }
                done.countDown();
            }));
        }
        for (int i = 0; i < churnThreads; i++) {
            threads.add(Thread.ofPlatform().start(() -> {
                await(start);
                int owned = 0;
                for (int r = 0; r < rounds / 10; r++) {
                    if (owned < 2 && c.tryAddWorker(max)) {
                        owned++;
                        added.incrementAndGet();
                    } else if (owned > 0 && c.tryRetire(busyThreads)) {
                        owned--;
                        added.decrementAndGet();
                    }
                }
                done.countDown();
            }));
        }
        var observer = Thread.ofPlatform().start(() -> {
            while (done.getCount() > 0) {
                long v = c.get();
                int t = total(v);
                int b = busy(v);
                if (t < busyThreads || t > max || b < 0 || b > busyThreads) {
                    failure.compareAndSet(null, "observed total=" + t + " busy=" + b);
                }
            }
        });
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        observer.join();
        assertThat(failure.get()).isNull();
        assertThat(c.get()).isEqualTo(pack(busyThreads + added.get(), 0));
        // everything idle now: the extras may all leave, the core stays
        while (c.tryRetire(busyThreads)) {
            added.decrementAndGet();
        }
        assertThat(added.get()).isZero();
        assertThat(c.get()).isEqualTo(pack(busyThreads, 0));
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
