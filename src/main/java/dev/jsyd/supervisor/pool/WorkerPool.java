package dev.jsyd.supervisor.pool;

import java.time.Duration;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedDeque;
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
 *   <li><b>One receiver at a time.</b> Only the worker holding the receive turn calls
 *       {@link WorkSource#receive()}; the others park (the kernel would wake every worker waiting
 *       on the listener for each notification). The receiver gives the turn up while it handles
 *       and takes it again after; see "the receive turn" below.</li>
 *   <li><b>Core workers</b> ({@link PoolConfig#core()}) start with {@link #start()} and exit
 *       only when the source closes.</li>
 *   <li><b>Extra workers</b> are spawned by the monitor when every worker is busy and nobody
 *       has received for {@link #STALL_NANOS}, up to {@link PoolConfig#max()}. Holding the turn
 *       they call {@link WorkSource#await(long)} with the keep-alive first; parked or timed out
 *       for the keep-alive they retire when {@link WorkerCounter#tryRetire(int)} allows it.</li>
 *   <li>Around each {@link WorkSource#handle} a worker marks itself busy, then idle, and puts
 *       the monitor in its watch mode (a look every {@link #STALL_NANOS} while requests are
 *       handled, one per {@link PoolConfig#monitorCycle()} when idle).</li>
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
            switch (takeTurn(core)) {
                case RETIRED -> { return true; }
                case CLOSED -> { // the source is finished: receive() says so without blocking
                    drainClosed(src);
                    return false;
                }
                case TURN -> { }
            }
            if (!core) {
                WorkSource.Wait w;
                try {
                    w = src.await(keepAliveMillis);
                } catch (InterruptedException e) {
                    w = WorkSource.Wait.TIMEOUT;
                } catch (RuntimeException e) {
                    releaseTurn(true);
                    report(e);
                    LockSupport.parkNanos(BACKOFF_NANOS);
                    continue;
                } catch (Error e) {
                    releaseTurn(true); // a dying worker must not keep the turn from the others
                    throw e;
                }
                switch (w) {
                    case CLOSED -> {
                        releaseTurn(true);
                        sourceClosed();
                        return false;
                    }
                    case TIMEOUT -> {
                        releaseTurn(true);
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
                releaseTurn(true);
                sourceClosed();
                return false;
            } catch (RuntimeException e) {
                releaseTurn(true);
                report(e);
                LockSupport.parkNanos(BACKOFF_NANOS);
                continue;
            } catch (Error e) {
                releaseTurn(true); // a dying worker must not keep the turn from the others
                throw e;
            }
            releaseTurn(false); // a vanished request (null): this worker takes the turn again at once
            if (request != null) {
                handleOne(src, request);
            }
        }
    }

    /** After the close: takes what the source still gives (nothing, for a listener) until it says closed. */
    private void drainClosed(WorkSource<R> src) {
        for (int empty = 0; empty < 1000; ) { // bounded: a source that only answers null cannot spin
            R request;
            try {
                request = src.receive();
            } catch (ClosedException | RuntimeException e) {
                break;
            }
            if (request != null) handleOne(src, request);
            else empty++;
        }
        sourceClosed();
    }

    // ---- the receive turn ----------------------------------------------------------------
    //
    // The kernel wakes every thread waiting in NOTIF_RECV on a listener for each notification
    // (a non-exclusive wait queue): with N workers waiting, N - 1 wake up for nothing, go back to
    // sleep, and each of those context switches costs about what the handler itself does. So only
    // one worker at a time holds the receive turn; the others park here as followers. The worker
    // that received gives the turn up, handles, and takes it again: with one program thread
    // calling, one worker does everything and nobody else wakes. A follower takes the turn when
    // the holder handles for long (a FIFO open that blocks, a slow connect, a preempted worker):
    // while requests are handled the monitor looks every STALL_NANOS, and when nobody has
    // received for that long it kicks a follower (or adds a worker when every one is busy).

    private enum Turn { TURN, RETIRED, CLOSED }

    /** Workers holding the receive turn: 0 or 1 (taken by a compare-and-set from 0). */
    private final AtomicInteger receiving = new AtomicInteger();
    /** When the last holder gave up the turn ({@link System#nanoTime()}). */
    private volatile long turnFreeSince = System.nanoTime();
    /** Parked followers, the most recently parked first (its stack and caches are the warmest). */
    private final ConcurrentLinkedDeque<Thread> followers = new ConcurrentLinkedDeque<>();

    /** How long nobody may receive, while a handler runs, before a follower takes the turn. */
    static final long STALL_NANOS = 1_000_000L;

    /** Takes the receive turn, parking as a follower while another worker holds it. */
    private Turn takeTurn(boolean core) {
        long keepAlive = cfg.keepAlive().toNanos();
        Thread me = Thread.currentThread();
        for (;;) {
            if (closed) return Turn.CLOSED;
            if (receiving.get() == 0 && receiving.compareAndSet(0, 1)) return Turn.TURN;
            followers.push(me);
            if (receiving.get() == 0 || closed) { // given up meanwhile: no one would kick us
                followers.remove(me);
                continue;
            }
            long t0 = System.nanoTime();
            LockSupport.parkNanos(this, core ? cfg.monitorCycle().toNanos() : keepAlive);
            boolean kicked = !followers.remove(me); // a kicker took us off the stack
            if (!core && !kicked && System.nanoTime() - t0 >= keepAlive && counter.tryRetire(cfg.core())) {
                return Turn.RETIRED;
            }
        }
    }

    /** Gives the turn up; {@code idle}: not to handle a request, so a follower gets it at once. */
    private void releaseTurn(boolean idle) {
        turnFreeSince = System.nanoTime();
        receiving.decrementAndGet();
        if (idle) kickFollower();
    }

    /** Wakes one follower to take the turn if nobody holds it; false when none is parked. */
    private boolean kickFollower() {
        if (receiving.get() != 0) return true;
        Thread t = followers.poll();
        if (t == null) return false;
        LockSupport.unpark(t);
        return true;
    }

    /** True when nobody has held the turn for {@link #STALL_NANOS}: the handlers are slow or blocked. */
    private boolean stalled() {
        return receiving.get() == 0 && System.nanoTime() - turnFreeSince > STALL_NANOS;
    }

    private void handleOne(WorkSource<R> src, R request) {
        counter.markBusy();
        // The monitor watches for a stalled turn while requests are handled; woken at most once
        // per look it takes (each unpark is a futex call and a thread switch on the hot path).
        nudgeMonitor();
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
        for (Thread t; (t = followers.poll()) != null; ) LockSupport.unpark(t);
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
                joinFinished();
                if (stalled() && !kickFollower() && WorkerCounter.allBusy(counter.get())) {
                    if (counter.tryAddWorker(cfg.max())) {
                        spawn(false);
                    } else {
                        onSaturatedSafely();
                    }
                }
            } catch (Throwable e) {
                report(e);
            }
            // Requests being handled (a nudge), or a handler running while nobody receives: look
            // again after the stall time. The flag stays set meanwhile, so that no worker pays for
            // another wake-up; an idle sandbox costs one look per cycle.
            if (monitorWatching.get()) {
                LockSupport.parkNanos(this, STALL_NANOS);
                boolean quiet = !handledSinceLook;
                handledSinceLook = false;
                if (quiet) { // nothing handled for a stall time: sleep a cycle, unless a handler still runs
                    monitorWatching.set(false);
                    if (receiving.get() == 0 && WorkerCounter.busy(counter.get()) > 0) monitorWatching.set(true);
                }
            } else {
                LockSupport.parkNanos(this, cycle); // a worker's nudge ends it
            }
        }
        joinFinished();
    }

    /**
     * Puts the monitor in its watch mode (a look every {@link #STALL_NANOS}) if it is not in it:
     * only the first request after a quiet stall time pays for the wake-up.
     */
    private void nudgeMonitor() {
        if (!handledSinceLook) handledSinceLook = true;
        if (!monitorWatching.get() && monitorWatching.compareAndSet(false, true)) LockSupport.unpark(monitor);
    }

    /** The monitor looks every {@link #STALL_NANOS} (requests are being handled), not every cycle. */
    private final java.util.concurrent.atomic.AtomicBoolean monitorWatching = new java.util.concurrent.atomic.AtomicBoolean();
    /** A request was handled since the monitor's last look (written only when false: no cache-line ping-pong). */
    private volatile boolean handledSinceLook;

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
