package dev.jsyd.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * A worker's blocking section and the interrupter's kick of it (a signal that turns the blocking
 * host call into EINTR), made atomic with each other: a kick is sent only while the section is
 * open, and {@link #close} returns only when no kick can reach the worker any more — one being
 * sent is waited for, one sent is taken by {@code takePending} (a system call, on whose return the
 * kernel runs the signal's no-op handler). Each side marks itself before it looks at the other.
 *
 * <p>Why: a kick that arrived after the section, in the ADDFD with SEND that answers an open, would
 * break the answer. The kernel marks the reply sent before the program takes the fd and does not
 * undo that when the ioctl is interrupted: the program's open returns 0 and no fd is installed.
 */
final class KickGate {
    private static final int NO_KICK = 0, KICKING = 1, KICKED = 2;

    private volatile boolean open;
    private final AtomicInteger kick = new AtomicInteger();
    private final Runnable takePending;

    KickGate(Runnable takePending) { this.takePending = takePending; }

    void open() { open = true; }

    boolean isOpen() { return open; }

    /** Ends the section; see the class comment for when it returns. */
    void close() {
        open = false;
        for (;;) {
            int k = kick.get();
            if (k == NO_KICK) return;
            if (k == KICKING) {
                Thread.onSpinWait();
                continue;
            }
            takePending.run();
            if (kick.compareAndSet(KICKED, NO_KICK)) return;
        }
    }

    /** Runs {@code send} if the section is open and {@code still} holds; true when it ran. */
    boolean kickIf(BooleanSupplier still, Runnable send) {
        int k = kick.get();
        if (k == KICKING || !kick.compareAndSet(k, KICKING)) return false;
        boolean sent = false;
        try {
            if (open && still.getAsBoolean()) {
                send.run();
                sent = true;
            }
        } finally {
            kick.set(sent || k == KICKED ? KICKED : NO_KICK);
        }
        return sent;
    }
}
