package dev.jsyd.supervisor.pool;

/**
 * Where a worker gets its requests from, and how it answers them; implemented by the kernel side
 * (for jsyd: a seccomp user-notification listener fd, {@code poll} + {@code NOTIF_RECV} + handler
 * dispatch + {@code NOTIF_SEND}).
 *
 * <p><b>One instance per worker thread.</b> {@link WorkerPool} asks its {@code Supplier} for a
 * fresh instance on each worker thread, on that thread, so an instance may keep thread-confined
 * state (a confined {@code Arena}, preallocated request/response buffers, the thread's kernel
 * tid). If the instance is {@link AutoCloseable}, the worker closes it when it exits (on close of
 * the source, on retirement, or on a fatal error). Instances share whatever the supplier gives
 * them (the listener fd, the policy snapshot); only the per-thread parts must be their own.
 *
 * <p>Call pattern: core workers call {@link #receive()} in a loop. Extra workers call
 * {@link #await(long)} with the keep-alive first and {@link #receive()} only after
 * {@link Wait#READY}.
 *
 * @param <R> the decoded request (e.g. a {@code seccomp_notif} record)
 */
public interface WorkSource<R> {

    /** Result of {@link #await(long)}. */
    enum Wait {
        /** A request may be available (it may still be taken by another worker first). */
        READY,
        /** The timeout passed with nothing to do. */
        TIMEOUT,
        /** The source is finished for good; the worker exits. */
        CLOSED
    }

    /**
     * Waits until a request may be available or the source is closed. Must not consume the
     * request.
     *
     * @param timeoutMillis how long to wait; {@code < 0} waits forever, {@code 0} only checks
     * @return {@link Wait#READY}, {@link Wait#TIMEOUT} or {@link Wait#CLOSED}; never null
     * @throws InterruptedException if the thread was interrupted (the pool treats it as a timeout)
     */
    Wait await(long timeoutMillis) throws InterruptedException;

    /**
     * Takes one request, blocking until there is one.
     *
     * <p>After a {@link Wait#READY} the request may already have gone to another worker.
     * Implementations should then return {@code null} rather than block (a real listener fd cannot
     * always avoid blocking here: the worker then serves the next request, which only delays its
     * retirement). {@code null} is also the answer when the request vanished (the program died
     * or was interrupted: {@code ENOENT}).
     *
     * @return the request, or {@code null} when there is none to serve after all
     * @throws ClosedException when the source is finished for good
     */
    R receive() throws ClosedException;

    /**
     * Handles one request fully: decide, act, reply. Should not throw for a single bad request;
     * if it does, the pool reports the {@code Throwable} to its error sink and goes on.
     */
    void handle(R request);
}
