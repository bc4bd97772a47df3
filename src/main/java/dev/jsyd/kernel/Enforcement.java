package dev.jsyd.kernel;

import dev.jsyd.abi.Errno;
import dev.jsyd.policy.Action;
import dev.jsyd.policy.Category;
import dev.jsyd.sys.Signals;

/**
 * What an action does once decided (spec §3): log it when the action logs, signal the offender
 * for stop/abort/kill, stop the sandbox for exit; in trace mode ({@code -x}) log and allow.
 * Shared by the notification handlers and the exec check at the ptrace exec stop.
 */
public final class Enforcement {
    private Enforcement() {}

    /** Applies {@code action} to process {@code pid}; true when the operation must be denied. */
    public static boolean apply(SandboxContext context, int pid, Category cat, Action action, String syscall,
                                String path, String address, long flags) {
        if (action == Action.ALLOW) return false;
        return apply(context, pid, action, new AccessEvent(cat, action, syscall, pid, path, address, flags));
    }

    /** Applies {@code action}, logging {@code event} when the action logs; true when denied. */
    public static boolean apply(SandboxContext context, int pid, Action action, AccessEvent event) {
        if (action == Action.ALLOW) return false;
        // The log reads the program's /proc entries and the actions signal it: with the supervisor's
        // own rights, whatever identity the worker holds for the call (nothing here acts for the program).
        return dev.jsyd.sys.Credentials.privilegedCall(() -> applyPrivileged(context, pid, action, event));
    }

    private static boolean applyPrivileged(SandboxContext context, int pid, Action action, AccessEvent event) {
        if (context.traceMode()) {
            context.audit(event);
            return false;
        }
        if (action.logs()) context.audit(event);
        switch (action) {
            case STOP -> Signals.kill(pid, Signals.SIGSTOP);
            case ABORT -> Signals.kill(pid, Signals.SIGABRT);
            case KILL -> Signals.kill(pid, Signals.SIGKILL);
            case EXIT -> context.exit(Errno.EACCES);
            default -> { }
        }
        return action.denies();
    }
}
