package dev.jsyd.supervisor;

/** The sandbox could not be run; {@code status} is the exit status syd gives for it. */
public final class SupervisorException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int status;

    public SupervisorException(String message, int status) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() { return status; }
}
