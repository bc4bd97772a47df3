package dev.jsyd.supervisor.pool;

import static dev.jsyd.supervisor.pool.FakeHub.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class WorkerPoolTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final List<FakeHub> hubs = new ArrayList<>();
    private final List<WorkerPool<Integer>> pools = new ArrayList<>();

    /** Concurrency seen inside handle(). */
    private final AtomicInteger inHandle = new AtomicInteger();
    private final AtomicInteger maxInHandle = new AtomicInteger();

    private FakeHub hub(Consumer<Integer> handler) {
        FakeHub hub = new FakeHub(request -> {
            maxInHandle.accumulateAndGet(inHandle.incrementAndGet(), Math::max);
            try {
                handler.accept(request);
            } finally {
                inHandle.decrementAndGet();
            }
        });
        hubs.add(hub);
        return hub;
    }

    private WorkerPool<Integer> pool(PoolConfig cfg, Supplier<WorkSource<Integer>> supplier) {
        var pool = new WorkerPool<>(cfg, supplier, errors::add);
        pools.add(pool);
        return pool;
    }

    private static PoolConfig cfg(int core, int max, long keepAliveMillis, long cycleMillis) {
        return new PoolConfig(core, max, Duration.ofMillis(keepAliveMillis), Duration.ofMillis(cycleMillis));
    }

    /** Every test: close the hub, the pool terminates, and no worker thread or source leaks. */
    @AfterEach
    void closeAndCheckNoLeak() throws InterruptedException {
        hubs.forEach(FakeHub::close);
        for (var pool : pools) {
            assertThat(pool.awaitTermination(WAIT)).as("terminated: %s", pool).isTrue();
            assertThat(pool.totalWorkers()).isZero();
            assertThat(pool.busyWorkers()).isZero();
        }
        for (FakeHub hub : hubs) {
            assertThat(hub.closedSources.get()).as("every per-worker source closed").isEqualTo(hub.created.get());
            assertThat(hub.workerThreads).allSatisfy(t -> assertThat(t.isAlive()).as(t.getName()).isFalse());
        }
    }

    @Test
    void growsWhenAllBusyUpToMaxAndShrinksAfterKeepAlive() throws Exception {
        var started = new CountDownLatch(4);
        var release = new CountDownLatch(1);
        var handled = new AtomicInteger();
        FakeHub hub = hub(request -> {
            started.countDown();
            awaitUninterruptibly(release);
            handled.incrementAndGet();
        });
        // a monitor cycle of one minute: growth can only come from the busy == total wake-up
        var pool = pool(cfg(1, 4, 200, 60_000), hub.supplier());
        pool.start();
        for (int i = 0; i < 4; i++) {
            hub.submit(i);
        }
        assertThat(started.await(5, TimeUnit.SECONDS)).as("4 handlers running at once").isTrue();
        assertThat(pool.totalWorkers()).isEqualTo(4);
        assertThat(pool.busyWorkers()).isEqualTo(4);

        hub.submit(4); // all busy at max: it must wait, no fifth worker
        assertThat(eventually(Duration.ofMillis(300), () -> pool.totalWorkers() > 4)).isFalse();
        assertThat(hub.queued()).isEqualTo(1);

        release.countDown();
        assertThat(eventually(WAIT, () -> handled.get() == 5)).isTrue();
        assertThat(eventually(WAIT, () -> pool.totalWorkers() == 1)).as("extras retired: %s", pool).isTrue();
        assertThat(pool.peakWorkers()).isEqualTo(4);
        assertThat(maxInHandle.get()).isEqualTo(4);
        assertThat(hub.created.get()).isEqualTo(4);
        assertThat(errors).isEmpty();
    }

    @Test
    void workersAreNamedDaemonPlatformThreadsOwningTheirSource() throws Exception {
        FakeHub hub = hub(request -> { });
        var pool = pool(cfg(3, 5, 1000, 50), hub.supplier());
        pool.start();
        assertThat(eventually(WAIT, () -> hub.created.get() == 3)).isTrue();
        assertThat(hub.workerThreads).hasSize(3).allSatisfy(t -> {
            assertThat(t.getName()).matches("syd_emu_\\d+");
            assertThat(t.isDaemon()).isTrue();
            assertThat(t.isVirtual()).isFalse();
        });
        assertThatThrownBy(pool::start).isInstanceOf(IllegalStateException.class);
        hub.close();
        assertThat(pool.awaitTermination(WAIT)).isTrue();
        assertThat(hub.closedSeen.get()).as("every worker saw the close").isEqualTo(3);
        assertThat(errors).isEmpty();
    }

    @Test
    void noRequestLostOrHandledTwiceUnderStress() throws Exception {
        int producers = 4;
        int perProducer = 2_500;
        int n = producers * perProducer;
        var counts = new AtomicIntegerArray(n);
        var handled = new AtomicInteger();
        Set<Thread> handlers = ConcurrentHashMap.newKeySet();
        FakeHub hub = hub(request -> {
            handlers.add(Thread.currentThread());
            if (request % 97 == 0) {
                sleepMillis(2); // some slow requests make every worker busy now and then
            }
            counts.incrementAndGet(request);
            handled.incrementAndGet();
        });
        hub.vanishChance = 0.02;
        var pool = pool(cfg(2, 8, 50, 5), hub.supplier());
        pool.start();
        var go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int base = p * perProducer;
            threads.add(Thread.ofPlatform().start(() -> {
                awaitUninterruptibly(go);
                for (int i = 0; i < perProducer; i++) {
                    hub.submit(base + i);
                }
            }));
        }
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }
        assertThat(eventually(Duration.ofSeconds(10), () -> handled.get() == n)).as("handled %s", handled).isTrue();
        hub.close();
        assertThat(pool.awaitTermination(WAIT)).isTrue();
        for (int i = 0; i < n; i++) {
            assertThat(counts.get(i)).as("request %d", i).isEqualTo(1);
        }
        assertThat(pool.peakWorkers()).isBetween(2, 8);
        assertThat(maxInHandle.get()).isLessThanOrEqualTo(8);
        assertThat(handlers.size()).isLessThanOrEqualTo(hub.created.get());
        assertThat(errors).isEmpty();
    }

    @Test
    void errorsFromHandleAreReportedAndTheWorkerGoesOn() throws Exception {
        var handled = new AtomicInteger();
        Set<Thread> handlers = ConcurrentHashMap.newKeySet();
        FakeHub hub = hub(request -> {
            handlers.add(Thread.currentThread());
            handled.incrementAndGet();
            switch (request % 3) {
                case 1 -> throw new IllegalStateException("bad request " + request);
                case 2 -> throw new StackOverflowError("deep request " + request);
                default -> { }
            }
        });
        var pool = pool(cfg(1, 1, 1000, 20), hub.supplier()); // one worker must survive it all
        pool.start();
        for (int i = 0; i < 9; i++) {
            hub.submit(i);
        }
        assertThat(eventually(WAIT, () -> handled.get() == 9 && errors.size() == 6)).isTrue();
        assertThat(handlers).hasSize(1);
        assertThat(pool.totalWorkers()).isEqualTo(1);
        assertThat(errors).hasOnlyElementsOfTypes(IllegalStateException.class, StackOverflowError.class);
        errors.clear();
    }

    @Test
    void brokenReceiveIsReportedAndRetried() throws Exception {
        var handled = new AtomicInteger();
        FakeHub hub = hub(request -> handled.incrementAndGet());
        hub.failingReceives.set(3);
        var pool = pool(cfg(1, 2, 1000, 20), hub.supplier());
        pool.start();
        hub.submit(1);
        assertThat(eventually(WAIT, () -> handled.get() == 1)).isTrue();
        assertThat(errors).hasSize(3).allSatisfy(e -> assertThat(e).hasMessage("broken receive"));
        errors.clear();
    }

    @Test
    void failingSupplierIsReportedAndTheMonitorRegrows() throws Exception {
        var handled = new AtomicInteger();
        FakeHub hub = hub(request -> handled.incrementAndGet());
        var calls = new AtomicInteger();
        Supplier<WorkSource<Integer>> flaky = () -> {
            if (calls.getAndIncrement() == 0) {
                throw new IllegalStateException("no arena for you");
            }
            return hub.supplier().get();
        };
        var pool = pool(cfg(1, 2, 1000, 10), flaky);
        pool.start();
        hub.submit(7);
        assertThat(eventually(WAIT, () -> handled.get() == 1)).isTrue();
        assertThat(errors).singleElement().satisfies(e -> assertThat(e).hasMessage("no arena for you"));
        errors.clear();
    }

    @Test
    void alwaysFailingSupplierCostsOneThreadPerCycleNotASpin() throws Exception {
        var calls = new AtomicInteger();
        var pool = pool(cfg(1, 4, 1000, 50), () -> {
            calls.incrementAndGet();
            throw new IllegalStateException("cannot set up worker");
        });
        pool.start();
        sleepMillis(400); // checking that something does not happen needs a fixed window
        pool.shutdown();
        assertThat(pool.awaitTermination(WAIT)).isTrue();
        assertThat(calls.get()).isBetween(2, 12);
        assertThat(errors).hasSize(calls.get());
        errors.clear();
    }

    @Test
    void shutdownStopsGrowthAndSaturationIsSignalled() throws Exception {
        var release = new CountDownLatch(1);
        var started = new CountDownLatch(1);
        FakeHub hub = hub(request -> {
            started.countDown();
            awaitUninterruptibly(release);
        });
        var saturated = new AtomicInteger();
        var pool = new WorkerPool<>(cfg(1, 1, 1000, 10), hub.supplier(), errors::add, saturated::incrementAndGet);
        pools.add(pool);
        pool.start();
        hub.submit(1);
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(eventually(WAIT, () -> saturated.get() > 0)).as("all busy at max").isTrue();

        pool.shutdown();
        pool.shutdown(); // idempotent
        release.countDown();
        var other = new CountDownLatch(1);
        var release2 = new CountDownLatch(1);
        FakeHub hub2 = hub(request -> {
            other.countDown();
            awaitUninterruptibly(release2);
        });
        var pool2 = pool(cfg(1, 4, 1000, 10), hub2.supplier());
        pool2.start();
        pool2.shutdown();
        hub2.submit(1);
        hub2.submit(2);
        assertThat(other.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(eventually(Duration.ofMillis(200), () -> pool2.totalWorkers() > 1)).as("no growth after shutdown").isFalse();
        release2.countDown();
        assertThat(eventually(WAIT, () -> hub2.queued() == 0)).isTrue();
        assertThat(errors).isEmpty();
    }

    @Test
    void awaitTerminationNeedsStart() {
        var pool = new WorkerPool<>(cfg(1, 1, 1000, 10), new FakeHub(r -> { }).supplier(), errors::add);
        assertThatThrownBy(() -> pool.awaitTermination(Duration.ofMillis(1)))
                .isInstanceOf(IllegalStateException.class).hasMessage("pool not started");
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                if (latch.await(10, TimeUnit.SECONDS)) {
                    break;
                }
                throw new AssertionError("latch never released");
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleepMillis(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
