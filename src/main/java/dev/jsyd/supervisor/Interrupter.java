package dev.jsyd.supervisor;

import dev.jsyd.kernel.Request;
import dev.jsyd.sys.NotifyFd;
import dev.jsyd.sys.Signals;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;

/**
 * The {@code syd_int} thread. A worker emulating a call that blocks (opening a FIFO nobody
 * writes, a blocking connect) would keep the program from ever seeing its signals, because
 * with WAIT_KILLABLE_RECV the program ignores non-fatal signals until the reply. So every few
 * milliseconds this thread looks at requests that have been busy for a while: if the program
 * has died (the notification id is no longer valid) or has a caught, unblocked signal pending
 * ({@code /proc/TID/status}), it kicks the worker with {@link Signals#INTERRUPT}, whose handler
 * is a no-op installed without SA_RESTART: the blocking call returns EINTR and the worker
 * answers ERESTARTSYS (restart under SA_RESTART, else EINTR). It keeps kicking each cycle until
 * the worker leaves, so a kick that lands just before the call blocks is not lost. When no
 * request has begun a blocking section for {@link #IDLE_NANOS}, it sleeps until one does (each
 * wake-up of an idle CPU is dear on a VM): the worker that begins one wakes it.
 */
final class Interrupter implements Runnable {
    private static final long CYCLE_NANOS = 5_000_000L;
    /** Cycles go on this long after the last blocking section began, then the thread sleeps. */
    static final long IDLE_NANOS = 50_000_000L;

    private final NotifyFd listener;
    private final CopyOnWriteArrayList<Request> requests = new CopyOnWriteArrayList<>();
    private volatile boolean stop;
    private volatile Thread thread;
    /** True while the thread sleeps until a blocking section begins ({@link #wake}). */
    private volatile boolean sleeping;

    Interrupter(NotifyFd listener) { this.listener = listener; }

    void start() throws dev.jsyd.sys.ErrnoException {
        Signals.installInterruptHandler();
        Thread t = Thread.ofPlatform().name("syd_int").daemon(true).unstarted(this);
        thread = t;
        t.start();
    }

    void stop() {
        stop = true;
        Thread t = thread;
        if (t != null) LockSupport.unpark(t);
    }

    void register(Request r) {
        r.onBlocking(this::wake);
        requests.add(r);
    }

    /** A blocking section began: the sleeping thread cycles again. */
    private void wake() {
        if (sleeping) {
            sleeping = false;
            LockSupport.unpark(thread);
        }
    }

    /** True when a request is busy, or began a blocking section less than {@link #IDLE_NANOS} ago. */
    private boolean active(long now) {
        for (Request r : requests) if (r.isBusy() || now - r.busySince() < IDLE_NANOS) return true;
        return false;
    }

    void unregister(Request r) { requests.remove(r); }

    @Override
    public void run() {
        ThreadRole.INTERRUPTER.confine(false);
        try (NotifyFd.Channel ch = listener.openChannel()) {
            while (!stop) {
                if (!active(System.nanoTime())) {
                    // Marked asleep before the last look: a worker that marks itself busy after it
                    // either is seen here or sees the mark and wakes this thread.
                    sleeping = true;
                    if (!active(System.nanoTime()) && !stop) LockSupport.park();
                    sleeping = false;
                    continue;
                }
                LockSupport.parkNanos(CYCLE_NANOS);
                long now = System.nanoTime();
                for (Request r : requests) {
                    if (!r.isBusy() || now - r.busySince() < CYCLE_NANOS) continue;
                    long id = r.notificationId();
                    // The status is read first and the notification checked after: if it is still
                    // pending, the thread was waiting in it all along, so the status was its own
                    // and not that of a later task with the same id.
                    boolean pending = signalPending(r.pid());
                    boolean gone = ch.idValid(id) != 0;
                    if (gone || pending) r.kickIfBlocking(id, () -> Signals.tgkill(r.workerTid(), Signals.INTERRUPT));
                }
            }
        }
    }

    /**
     * True when thread {@code tid} has a pending, unblocked signal that would do something: one it
     * catches, or one whose default action stops or kills it. Every sandbox process is ptraced,
     * and the kernel does not turn a fatal signal into an immediate kill for a traced process, so
     * even a plain SIGTERM must release the worker for the program to die as it would natively.
     * Ignored signals, and those whose default is to ignore (SIGCHLD, SIGCONT, SIGURG, SIGWINCH)
     * when not caught, leave the call alone.
     */
    static boolean signalPending(int tid) {
        String status;
        try {
            status = new String(Files.readAllBytes(Path.of("/proc/" + tid + "/status")), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return true; // gone: let the worker go
        }
        long pending = field(status, "SigPnd:") | field(status, "ShdPnd:");
        long blocked = field(status, "SigBlk:");
        long ignored = field(status, "SigIgn:");
        long caught = field(status, "SigCgt:");
        long quiet = (DEFAULT_IGNORED & ~caught) | ignored;
        return (pending & ~blocked & ~quiet) != 0;
    }

    /** SIGCHLD, SIGCONT, SIGURG, SIGWINCH: their default action is to do nothing. */
    private static final long DEFAULT_IGNORED = bit(17) | bit(18) | bit(23) | bit(28);

    private static long bit(int sig) { return 1L << (sig - 1); }

    private static long field(String status, String name) {
        int i = status.indexOf(name);
        if (i < 0) return 0;
        int j = i + name.length();
        while (j < status.length() && Character.isWhitespace(status.charAt(j))) j++;
        int k = j;
        while (k < status.length() && Character.digit(status.charAt(k), 16) >= 0) k++;
        return k > j ? Long.parseUnsignedLong(status.substring(j, k), 16) : 0;
    }
}
