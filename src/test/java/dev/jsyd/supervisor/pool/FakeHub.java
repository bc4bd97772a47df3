package dev.jsyd.supervisor.pool;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A queue-backed stand-in for the listener fd: requests are submitted by the test, each worker
 * gets its own {@link Source} view. {@code receive()} blocks for core workers; after a
 * {@code READY} it returns null if another worker took the request first.
 */
final class FakeHub {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Integer> queue = new ArrayDeque<>();
    private boolean closed;

    private final Consumer<Integer> handler;
    /** Chance that a receive() pretends the request vanished (ENOENT) without taking it. */
    volatile double vanishChance;

    /** Number of receive() calls left that throw an IllegalStateException (a broken source). */
    final AtomicInteger failingReceives = new AtomicInteger();

    final AtomicInteger created = new AtomicInteger();
    /** Times a worker was told the hub is closed (CLOSED or ClosedException). */
    final AtomicInteger closedSeen = new AtomicInteger();
    final AtomicInteger closedSources = new AtomicInteger();
    final Set<Thread> workerThreads = ConcurrentHashMap.newKeySet();

    FakeHub(Consumer<Integer> handler) {
        this.handler = handler;
    }

    void submit(int request) {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("closed");
            }
            queue.add(request);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** No more requests; workers see CLOSED/ClosedException once the queue is drained. */
    void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    int queued() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    Supplier<WorkSource<Integer>> supplier() {
        return () -> {
            created.incrementAndGet();
            workerThreads.add(Thread.currentThread());
            return new Source();
        };
    }

    final class Source implements WorkSource<Integer>, AutoCloseable {
        private final Thread owner = Thread.currentThread();
        private boolean armed; // the last await() said READY: do not block in receive()
        private boolean sourceClosed;

        @Override
        public Wait await(long timeoutMillis) throws InterruptedException {
            checkOwner();
            lock.lock();
            try {
                long left = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
                while (queue.isEmpty() && !closed) {
                    if (timeoutMillis < 0) {
                        changed.await();
                    } else {
                        if (left <= 0) {
                            return Wait.TIMEOUT;
                        }
                        left = changed.awaitNanos(left);
                    }
                }
                armed = !queue.isEmpty();
                if (!armed) {
                    closedSeen.incrementAndGet();
                    return Wait.CLOSED;
                }
                return Wait.READY;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public Integer receive() throws ClosedException {
            checkOwner();
            boolean nonBlocking = armed;
            armed = false;
            if (failingReceives.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new IllegalStateException("broken receive");
            }
            if (vanishChance > 0 && ThreadLocalRandom.current().nextDouble() < vanishChance) {
                return null;
            }
            lock.lock();
            try {
                while (queue.isEmpty()) {
                    if (closed) {
                        closedSeen.incrementAndGet();
                        throw new ClosedException("fake hub closed");
                    }
                    if (nonBlocking) {
                        return null;
                    }
                    changed.awaitUninterruptibly();
                }
                return queue.poll();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void handle(Integer request) {
            checkOwner();
            handler.accept(request);
        }

        @Override
        public void close() {
            checkOwner();
            if (sourceClosed) {
                throw new AssertionError("closed twice");
            }
            sourceClosed = true;
            closedSources.incrementAndGet();
        }

        private void checkOwner() {
            if (Thread.currentThread() != owner) {
                throw new AssertionError("source used by " + Thread.currentThread() + ", owned by " + owner);
            }
        }
    }

    /** Polls {@code condition} every few ms until it holds or {@code timeout} passes. */
    static boolean eventually(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
