package dev.jsyd.kernel;

import dev.jsyd.policy.Sandbox;

/** What handlers need from the supervisor that runs them. Implemented by the supervisor. */
public interface SandboxContext {
    /** The current policy snapshot (swapped atomically on change). */
    Sandbox sandbox();

    /** Writes one access-violation record (the supervisor decides the format and destination). */
    void audit(AccessEvent event);

    /** The {@code exit} action fired: stop the sandbox and make syd exit with {@code status}. */
    void exit(int status);

    /** {@code -x}: every would-be denial is logged and then allowed. */
    boolean traceMode();
}
