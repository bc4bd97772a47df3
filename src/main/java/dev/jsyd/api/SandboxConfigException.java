package dev.jsyd.api;

/**
 * A rejected profile, command or configuration file. {@link #getMessage()} is the diagnostic
 * (origin, the line with a caret, what was expected, the nearest valid spelling) and
 * {@link #diagnostic()} the exact line {@code syd} prints for it; {@code syd} exits with
 * {@link #STATUS} for it.
 */
public final class SandboxConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    /** The exit status of {@code syd} for a bad rule, profile or file: EINVAL. */
    public static final int STATUS = 22;

    SandboxConfigException(String message) {
        super(message, null, false, false);
    }

    /** The message as the command line prints it: {@code syd: } and the diagnostic. */
    public String diagnostic() { return "syd: " + getMessage(); }
}
