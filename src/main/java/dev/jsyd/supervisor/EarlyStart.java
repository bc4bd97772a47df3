package dev.jsyd.supervisor;

import dev.jsyd.kernel.Hardening;
import dev.jsyd.kernel.SyscallTable;
import dev.jsyd.sys.NotifyFd;
import dev.jsyd.sys.OwnProcess;
import dev.jsyd.sys.SelfProtect;
import dev.jsyd.sys.Signals;

/**
 * What every sandbox start needs whatever the policy says, begun by {@code syd} on a thread of its
 * own as soon as it starts, while the main thread parses the command line and the profiles
 * (docs/PERFORMANCE.md "start"): the first native call (linking libc spins FFM's downcall stub
 * and its method handles, which the AOT cache cannot keep: ~40 ms of CPU), the supervisor's
 * own hardening, what the filter build reads first (the supervisor's own ids, the syscall table),
 * the kernel's notification sizes, the launcher's path, the seccomp filters of the supervisor's
 * threads, the interrupt signal's handler, and the attach check (a thread of its own). Each step is idempotent and is done again, at no cost, where the sandbox needs it: this
 * only moves the first, expensive time off the critical path, and a failure here is left for
 * that second time to report.
 */
public final class EarlyStart {
    private EarlyStart() {}

    /** Starts the work on a daemon thread and returns at once. */
    public static void begin() {
        Thread.ofPlatform().name("syd_early").daemon(true).start(EarlyStart::run);
    }

    private static void run() {
        try {
            HostJvm.problem(); // a thread of its own, no native call
            OwnProcess.closeEnvironmentFd(); // the first native call: links libc
            SelfProtect.apply();
            // In the order the sandbox's start needs them: the filter build reads these two first.
            Hardening.Self.current();
            SyscallTable.rows();
            NotifyFd.checkKernelSizes();
            LauncherBinary.path();
            ThreadRole.prepareFilters();
            Signals.installInterruptHandler();
        } catch (Exception | LinkageError e) {
            // reported where the sandbox does this again
        }
        StartupTimes.mark("early start (own thread)");
    }
}
