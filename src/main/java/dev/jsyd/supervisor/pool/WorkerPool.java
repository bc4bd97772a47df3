package dev.jsyd.supervisor.pool;

import java.time.Duration;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The emulator pool: platform threads {@code syd_emu_N} that take requests from a
 * {@link WorkSource} and handle them, plus a monitor thread {@code syd_mon} that grows the pool.
 *
 * <ul>
 *   <li><b>Core workers</b> ({@link PoolConfig#core()}) start with {@link #start()}, call
 *       {@link WorkSource#receive()} directly (blocking) and exit only when the source closes.</li>
 *   <li><b>Extra workers</b> are spawned by the monitor when every worker is busy, up to
 *       {@link PoolConfig#max()}. They call {@link WorkSource#await(long)} with the keep-alive
 *       first and retire on {@link WorkSource.Wait#TIMEOUT} when
 *       {@link WorkerCounter#tryRetire(int)} allows it.</li>
 *   <li>Around each {@link WorkSource#handle} a worker marks itself busy, then idle. When busy
 *       reaches total right after marking busy, it wakes the monitor ({@link LockSupport#unpark}).
 *       The monitor also re-checks every {@link PoolConfig#monitorCycle()} and joins finished
 *       worker threads.</li>
 *   <li>A {@code Throwable} from {@code handle} goes to the error sink; the worker goes on. A
 *       {@code RuntimeException} from {@code await}/{@code receive} is reported too, and the
 *       worker retries after a 10 ms pause (so a broken source cannot spin a CPU).</li>
 * </ul>
 *
 * <p>All threads are daemon platform threads (a blocking FFM downcall would pin a virtual
 * thread's carrier, and the interrupter needs a stable kernel tid per worker). The pool never
 * interrupts its workers. One JVM may run many pools (one per sandbox); they share nothing.
 *
 * <p>Use:
 * <pre>{@code
 * var pool = new WorkerPool<>(PoolConfig.fromSystemEnvironment(),
 *         () -> new NotifySource(listener, handlers, sandbox),   // runs on each syd_emu thread
 *         log::poolError);
 * pool.start();
 * pool.awaitTermination();   // returns once the listener reported POLLHUP to every worker
 * }</pre>
 *
 * @param <R> the request type of the work source
 */
public final class WorkerPool<R> {
    private static final long BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final PoolConfig cfg;
    private final Supplier<? extends WorkSource<R>> perWorker;
    private final Consumer<Throwable> errorSink;
    private final Runnable onSaturated;

    private final WorkerCounter counter = new WorkerCounter();
    private final AtomicInteger peak = new AtomicInteger();
    private final AtomicInteger nextId = new AtomicInteger();
    /** Worker threads that have finished their run and wait to be joined. */
    private final Queue<Thread> finished = new ConcurrentLinkedQueue<>();
    private final Thread monitor;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition workerExited = lock.newCondition();
    private int live; // worker threads spawned and not yet finished; guarded by lock
    private boolean started; // guarded by lock

    private volatile boolean stopping;
    private volatile boolean closed;

    /**
     * A pool with no saturation hook.
     *
     * @see #WorkerPool(PoolConfig, Supplier, Consumer, Runnable)
     */
    public WorkerPool(PoolConfig cfg, Supplier<? extends WorkSource<R>> perWorker, Consumer<Throwable> errorSink) {
        this(cfg, perWorker, errorSink, () -> { });
    }

    /**
     * Creates a pool; nothing runs until {@link #start()}.
     *
     * @param cfg         sizes and timings
     * @param perWorker   called once on each worker thread, on that thread, for its own source
     * @param errorSink   receives every {@code Throwable} the pool catches (must be thread-safe;
     *                    an exception it throws is ignored)
     * @param onSaturated run by the monitor when every worker is busy and the pool is at its
     *                    maximum (or a spawn failed), at most once per monitor wake-up; the hook
     *                    where the interrupter can be asked to kick stuck workers (Syd's
     *                    {@code syd_mon} → {@code syd_int})
     */
    public WorkerPool(PoolConfig cfg, Supplier<? extends WorkSource<R>> perWorker,
                      Consumer<Throwable> errorSink, Runnable onSaturated) {
        this.cfg = Objects.requireNonNull(cfg, "cfg");
        this.perWorker = Objects.requireNonNull(perWorker, "perWorker");
        this.errorSink = Objects.requireNonNull(errorSink, "errorSink");
        this.onSaturated = Objects.requireNonNull(onSaturated, "onSaturated");
        this.monitor = Thread.ofPlatform().name("syd_mon").daemon(true).unstarted(this::monitorLoop);
    }

    /**
     * Starts the core workers and the monitor.
     *
     * @throws IllegalStateException if already started or shut down
     */
    public void start() {
        lock.lock();
        try {
            if (started || stopping) {
                throw new IllegalStateException(started ? "pool already started" : "pool was shut down");
            }
            started = true;
            for (int i = 0; i < cfg.core(); i++) {
                counter.addCoreWorker();
                spawn(true);
            }
            monitor.start();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops the monitor: no more extra workers are spawned. Running workers go on until the
     * source closes (extra ones may still retire). Idempotent.
     */
    public void shutdown() {
        stopping = true;
        LockSupport.unpark(monitor);
    }

    /**
     * Waits until the monitor has stopped (source closed or {@link #shutdown()}) and every worker
     * thread has ended (seen the source close, retired, or died) and been joined.
     *
     * @throws IllegalStateException if the pool was never started
     */
    public void awaitTermination() throws InterruptedException {
        awaitTerminationNanos(-1);
    }

    /**
     * {@link #awaitTermination()} with a timeout.
     *
     * @return whether the pool terminated within {@code timeout}
     */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return awaitTerminationNanos(Math.max(0, timeout.toNanos()));
    }

    /** Waits for termination; {@code nanos < 0} waits forever. */
    private boolean awaitTerminationNanos(long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        lock.lock(); // also waits for a start() running on another thread
        try {
            if (!started) {
                throw new IllegalStateException("pool not started");
            }
        } finally {
            lock.unlock();
        }
        if (nanos < 0) {
            monitor.join();
        } else if (!monitor.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))) {
            return false;
        }
        lock.lock();
        try {
            while (live > 0) {
                if (nanos < 0) {
                    workerExited.await();
                } else {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    workerExited.awaitNanos(left);
                }
            }
        } finally {
            lock.unlock();
        }
        joinFinished();
        return true;
    }

    /** Workers counted now (core + extra). */
    public int totalWorkers() {
        return WorkerCounter.total(counter.get());
    }

    /** Workers inside {@link WorkSource#handle} now. */
    public int busyWorkers() {
        return WorkerCounter.busy(counter.get());
    }

    /** The largest number of workers counted at once so far. */
    public int peakWorkers() {
        return peak.get();
    }

    /** This pool's configuration. */
    public PoolConfig config() {
        return cfg;
    }

    @Override
    public String toString() {
        return "WorkerPool[" + counter + ", peak=" + peak.get() + ", " + cfg + "]";
    }

    // ---- workers -------------------------------------------------------------------------

    /** Starts a worker thread that has already been counted; undoes the count if it cannot. */
    private void spawn(boolean core) {
        peak.accumulateAndGet(WorkerCounter.total(counter.get()), Math::max);
        Thread t = Thread.ofPlatform()
                .name("syd_emu_" + nextId.getAndIncrement())
                .daemon(true)
                .unstarted(() -> runWorker(core));
        lock.lock();
        try {
            live++;
        } finally {
            lock.unlock();
        }
        try {
            t.start();
        } catch (Throwable e) { // OutOfMemoryError: unable to create native thread
            counter.removeWorker();
            workerGone();
            report(e);
            onSaturatedSafely();
        }
    }

    private void runWorker(boolean core) {
        boolean retired = false;
        WorkSource<R> src = null;
        try {
            src = Objects.requireNonNull(perWorker.get(), "work source supplier returned null");
            retired = serve(src, core);
        } catch (Throwable e) {
            report(e);
        } finally {
            if (src instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Throwable e) {
                    report(e);
                }
            }
            if (!retired) {
                counter.removeWorker();
            }
            finished.add(Thread.currentThread());
            workerGone();
            // no monitor wake-up here: its cycle joins this thread and replaces a worker that
            // died, so a supplier that always fails costs one thread per cycle, not a spin
        }
    }

    /** The worker loop; returns {@code true} if the worker retired, {@code false} on close. */
    private boolean serve(WorkSource<R> src, boolean core) {
        long keepAliveMillis = cfg.keepAlive().toMillis();
        for (;;) {
            if (!core) {
                WorkSource.Wait w;
                try {
                    w = src.await(keepAliveMillis);
                } catch (InterruptedException e) {
                    w = WorkSource.Wait.TIMEOUT;
                } catch (RuntimeException e) {
                    report(e);
                    LockSupport.parkNanos(BACKOFF_NANOS);
                    continue;
                }
                switch (w) {
                    case CLOSED -> {
                        sourceClosed();
                        return false;
                    }
                    case TIMEOUT -> {
                        if (counter.tryRetire(cfg.core())) {
                            return true;
                        }
                        continue;
                    }
                    case READY -> { }
                }
            }
            R request;
            try {
                request = src.receive();
            } catch (ClosedException e) {
                sourceClosed();
                return false;
            } catch (RuntimeException e) {
                report(e);
                LockSupport.parkNanos(BACKOFF_NANOS);
                continue;
            }
            if (request != null) {
                handleOne(src, request);
            }
        }
    }

    private void handleOne(WorkSource<R> src, R request) {
        // Wake the monitor once per look it takes, not on every saturated instant: each unpark is a
        // futex call and a thread switch on the notification hot path.
        if (WorkerCounter.allBusy(counter.markBusy()) && !monitorNudged.get() && monitorNudged.compareAndSet(false, true)) {
            LockSupport.unpark(monitor);
        }
        try {
            src.handle(request);
        } catch (Throwable e) {
            report(e);
        } finally {
            counter.markIdle();
            Thread.interrupted(); // a handler must not leave its interrupt behind for the next wait
        }
    }

    private void sourceClosed() {
        closed = true;
        LockSupport.unpark(monitor);
    }

    private void workerGone() {
        lock.lock();
        try {
            live--;
            workerExited.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // ---- monitor -------------------------------------------------------------------------

    private void monitorLoop() {
        long cycle = cfg.monitorCycle().toNanos();
        while (!stopping && !closed) {
            try {
                monitorNudged.set(false);
                joinFinished();
                if (WorkerCounter.allBusy(counter.get()) && stillAllBusyAfterGrace()) {
                    if (counter.tryAddWorker(cfg.max())) {
                        spawn(false);
                    } else {
                        onSaturatedSafely();
                    }
                }
            } catch (Throwable e) {
                report(e);
            }
            LockSupport.parkNanos(this, cycle);
        }
        joinFinished();
    }

    /**
     * Every worker being busy for an instant is normal (one finishes its bookkeeping while the
     * program's next call arrives); an extra worker is only worth its cost — one more thread
     * woken by every notification — when they stay busy, i.e. some are blocked. So the monitor
     * looks again after {@link #SPAWN_GRACE_NANOS}.
     */
    private boolean stillAllBusyAfterGrace() {
        long deadline = System.nanoTime() + SPAWN_GRACE_NANOS;
        while (System.nanoTime() < deadline) {
            LockSupport.parkNanos(this, SPAWN_GRACE_NANOS / 4);
            if (!WorkerCounter.allBusy(counter.get())) return false;
        }
        return true;
    }

    /** Set by the worker that woke the monitor, cleared when the monitor looks. */
    private final java.util.concurrent.atomic.AtomicBoolean monitorNudged = new java.util.concurrent.atomic.AtomicBoolean();

    /** How long every worker must stay busy before the monitor adds one. */
    static final long SPAWN_GRACE_NANOS = 2_000_000L;

    private void joinFinished() {
        for (Thread t; (t = finished.poll()) != null; ) {
            boolean interrupted = false;
            while (true) {
                try {
                    t.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void onSaturatedSafely() {
        try {
            onSaturated.run();
        } catch (Throwable e) {
            report(e);
        }
    }

    private void report(Throwable e) {
        try {
            errorSink.accept(e);
        } catch (Throwable ignored) {
            // the sink is the last resort; nothing sensible is left to do
        }
    }
}
