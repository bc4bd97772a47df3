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
 * it blocks this thread alone. Workers, the timeouter and the interrupter only {@link #offer} a
 * formatted record to a bounded queue ({@link #CAPACITY} records) and never wait: when the queue
 * is full the record is dropped and counted, and the next write that gets through is preceded by
 * one record saying how many were lost ({@code "ctx":"log"}). The thread starts with the first
 * record (most runs log nothing).
 */
final class LogWriter {
    /** Records held while the fd does not take them; beyond this they are dropped and counted. */
    static final int CAPACITY = 4096;
    /** {@link #drain} gives up when the writer has made no progress for this long. */
    static final long STALL_MILLIS = 500;

    private final int fd;
    private final LongFunction<byte[]> dropNotice;
    private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private volatile boolean busy;
    private Thread thread; // guarded by this

    /** {@code dropNotice} formats the record that reports {@code n} dropped records. */
    LogWriter(int fd, LongFunction<byte[]> dropNotice) {
        this.fd = fd;
        this.dropNotice = dropNotice;
    }

    /** Queues one record (a whole line); never blocks. False when it was dropped. */
    boolean offer(byte[] record) {
        start();
        if (queue.offer(record)) return true;
        dropped.incrementAndGet();
        return false;
    }

    /** Records dropped and not reported yet. */
    long droppedSoFar() { return dropped.get(); }

    private synchronized void start() {
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
            write(out.toByteArray());
            written.addAndGet(batch.size());
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
