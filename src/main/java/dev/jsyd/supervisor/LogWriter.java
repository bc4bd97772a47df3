package dev.jsyd.supervisor;

import dev.jsyd.abi.Errno;
import dev.jsyd.sys.FdIo;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/**
 * The only thread that writes to the log fd ({@code syd_log}). A terminal the program stopped
 * (TCOOFF, ^S), a pipe nobody reads, or a full disk blocks a write(2) for as long as it likes; here
 * it blocks this thread alone. Workers, the tracer and the timeouter {@link #offer} a formatted
 * record to a bounded queue ({@link #CAPACITY} records): when the queue is full the record is
 * dropped and counted, and the next write that gets through is preceded by one record saying how
 * many were lost ({@code "ctx":"log"}). The thread starts with the first record (most runs log
 * nothing).
 *
 * <p>Order: the log usually shares stderr with the program, and a record should be out before the
 * call it is about is answered (else it lands in the middle of the program's own error message).
 * So {@link #offer} waits for its record to be written — at most {@link #ORDER_WAIT_MILLIS}, and not
 * at all while a write has been stuck for that long: a blocked fd costs one such wait, then none.
 */
final class LogWriter {
    /** Records held while the fd does not take them; beyond this they are dropped and counted. */
    static final int CAPACITY = 4096;
    /** {@link #drain} gives up when the writer has made no progress for this long. */
    static final long STALL_MILLIS = 500;
    /** How long {@link #offer} waits for its own record; also when a write counts as stuck. */
    static final long ORDER_WAIT_MILLIS = 50;

    private final int fd;
    private final LongFunction<byte[]> dropNotice;
    private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private long queued; // guarded by this: records accepted so far (a record's sequence number)
    private volatile boolean busy;
    private volatile long writingSince; // System.nanoTime() when the current write began, 0 when idle
    private Thread thread; // guarded by this
    private boolean closed; // guarded by this

    /** {@code dropNotice} formats the record that reports {@code n} dropped records. */
    LogWriter(int fd, LongFunction<byte[]> dropNotice) {
        this.fd = fd;
        this.dropNotice = dropNotice;
    }

    /**
     * Queues one record (a whole line) and waits, briefly, until it is written (see the class
     * comment); never longer than {@link #ORDER_WAIT_MILLIS}. False when it was dropped.
     */
    boolean offer(byte[] record) {
        long seq;
        synchronized (this) {
            if (closed) return false;
            start();
            if (!queue.offer(record)) {
                dropped.incrementAndGet();
                return false;
            }
            seq = ++queued;
        }
        awaitWritten(seq);
        return true;
    }

    private void awaitWritten(long seq) {
        long limit = TimeUnit.MILLISECONDS.toNanos(ORDER_WAIT_MILLIS);
        long deadline = System.nanoTime() + limit;
        synchronized (written) {
            while (written.get() < seq) {
                long now = System.nanoTime(), since = writingSince;
                if (now >= deadline || since != 0 && now - since > limit) return;
                try {
                    written.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - now)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Records dropped and not reported yet. */
    long droppedSoFar() { return dropped.get(); }

    private void start() { // under this lock
        if (thread != null) return;
        thread = Thread.ofPlatform().name("syd_log").daemon(true).start(this::run);
    }

    private void run() {
        ThreadRole.LOG.confine(false);
        List<byte[]> batch = new ArrayList<>();
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        while (true) {
            try {
                // a drop not reported yet is written as soon as the fd takes writes again
                byte[] first = dropped.get() > 0 ? queue.poll(10, TimeUnit.MILLISECONDS) : queue.take();
                if (first != null) batch.add(first);
            } catch (InterruptedException e) {
                return;
            }
            busy = true;
            queue.drainTo(batch, 256);
            long lost = dropped.getAndSet(0);
            if (lost > 0) out.writeBytes(dropNotice.apply(lost));
            for (byte[] b : batch) out.writeBytes(b);
            writingSince = System.nanoTime();
            write(out.toByteArray());
            writingSince = 0;
            synchronized (written) {
                written.addAndGet(batch.size());
                written.notifyAll();
            }
            batch.clear();
            out.reset();
            busy = false;
        }
    }

    /** Writes everything; a non-blocking fd that is full is retried, other errors lose the batch. */
    private void write(byte[] data) {
        int off = 0;
        while (off < data.length) {
            byte[] rest = off == 0 ? data : java.util.Arrays.copyOfRange(data, off, data.length);
            long r = FdIo.write(fd, rest);
            if (r == -Errno.EAGAIN) {
                try {
                    TimeUnit.MILLISECONDS.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
                continue;
            }
            if (r <= 0) return;
            off += (int) r;
        }
    }

    /**
     * Stops the thread once it is idle (a thread stuck in a write stays until the write returns);
     * records offered afterwards are dropped.
     */
    synchronized void close() {
        closed = true;
        if (thread != null) thread.interrupt();
    }

    /**
     * Waits until every queued record is written, as long as the writer keeps making progress:
     * returns after {@link #STALL_MILLIS} without progress (a stopped terminal), so the end of a
     * sandbox is never held by its log.
     */
    void drain() {
        long last = written.get();
        long since = System.nanoTime();
        while (!queue.isEmpty() || busy) {
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            long now = written.get();
            if (now != last) {
                last = now;
                since = System.nanoTime();
            } else if (System.nanoTime() - since > TimeUnit.MILLISECONDS.toNanos(STALL_MILLIS)) {
                return;
            }
        }
    }
}
