package dev.jsyd.supervisor.pool;

/**
 * Thrown by {@link WorkSource#receive()} when the source is finished for good (for a seccomp
 * listener: no program is left that could send a notification, {@code POLLHUP}). A worker that
 * sees it exits. It is a control-flow signal, so it carries no stack trace.
 */
public final class ClosedException extends Exception {
    /** Creates the exception with a short reason for logs. */
    public ClosedException(String message) {
        super(message, null, false, false);
    }

    /** Creates the exception with a reason and the low-level cause (e.g. an errno exception). */
    public ClosedException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
