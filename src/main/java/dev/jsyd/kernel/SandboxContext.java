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

    /** Whether thread {@code tid} may see the /dev/syd API under the current lock. */
    boolean runtimeVisible(int tid);

    /**
     * Runs a /dev/syd command (a byte string) for thread {@code tid}: 0 on success (or a true
     * query), else the errno to answer (ENOENT: hidden by the lock or a false query; EINVAL: not a
     * valid command; EPERM: the lock refuses this change). {@code stillWaiting} tells whether the
     * asking task still waits for its answer (so {@code tid} still names it).
     */
    int runtimeCommand(int tid, String command, java.util.function.BooleanSupplier stillWaiting);

    /** The sandbox state as JSON (what reading /dev/syd gives). */
    String stateJson();

    /** The sandbox's record of continued chdirs still to be verified. */
    ChdirWatch chdirWatch();

    /** The tasks of this sandbox, by identity (kept by the tracer). */
    Members members();
    /** The credentials of the sandbox's threads, as the emulated calls borrow them. */
    Identities identities();

    /** Writes the record of a refused set*id transition (SafeSetID). */
    void auditSetId(SetIdEvent event);

    /**
     * Learning mode: process {@code pid}'s call {@code sys} ran only because the learning filter let
     * it; {@code command} is the switch that allows it, {@code why} what it relaxes ({@link Relaxations}).
     */
    default void learned(int pid, String sys, String command, String why) {}

    /** Learning mode ({@code syd-learn}): kernel-side refusals a switch lifts are recorded, not made ({@link Relaxations}). */
    default boolean learning() { return false; }

    /** The esyd shell functions (what reading /dev/syd.sh gives, and {@code syd --sh} prints). */
    String esydScript();

    /** How the program sees paths and pids (its namespaces); the supervisor's own view by default. */
    default ProgramView view() { return ProgramView.HOST; }
}
