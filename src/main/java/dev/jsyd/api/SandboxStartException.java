package dev.jsyd.api;

import java.io.IOException;

/**
 * The sandbox could not be started (no seccomp user notification, the launcher or the working
 * directory or a redirect file could not be used, ...). {@link #status()} is what {@code syd}
 * exits with in that case (an errno, or 1).
 */
public final class SandboxStartException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int status;

    SandboxStartException(String message, int status) {
        super(message);
        this.status = status;
    }

    /** The exit status {@code syd} gives for this failure. */
    public int status() { return status; }

    /** The message as the command line prints it. */
    public String diagnostic() { return "syd: " + getMessage(); }
}
