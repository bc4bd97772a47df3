package dev.jsyd.confine;

/** The policy asks for something the launch plan cannot do: what, and a hint. */
public final class PlanException extends Exception {
    private final String hint;

    public PlanException(String message, String hint) {
        super(message);
        this.hint = hint;
    }

    /** How to fix it, or null. */
    public String hint() { return hint; }

    /** The message and the hint, as syd prints them. */
    public String describe() { return hint == null ? getMessage() : getMessage() + " (hint: " + hint + ")"; }
}
