package dev.jsyd.supervisor;

import dev.jsyd.abi.Errno;
import dev.jsyd.kernel.AccessEvent;
import dev.jsyd.kernel.FilterPlan;
import dev.jsyd.kernel.Request;
import dev.jsyd.kernel.SandboxContext;
import dev.jsyd.policy.Sandbox;
import dev.jsyd.supervisor.pool.PoolConfig;
import dev.jsyd.supervisor.pool.WorkerPool;
import dev.jsyd.sys.ErrnoException;
import dev.jsyd.sys.Launcher;
import dev.jsyd.sys.NotifyFd;
import dev.jsyd.sys.PidFd;
import dev.jsyd.sys.Signals;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs one sandbox: builds the filter from the policy, launches the program under it, serves
 * its notifications from a worker pool, and returns the exit status (spec §2). One instance per
 * sandbox; nothing global, so one JVM can run many.
 */
public final class Supervisor implements SandboxContext {
    /** Exit status when {@code timeout:} expires (as timeout(1) does). */
    public static final int TIMEOUT_STATUS = 124;

    /** What to run and how. */
    public record Options(Sandbox sandbox, String file, List<String> argv, List<String> env, boolean trace,
                          Map<String, String> sydEnv) {}

    private final AtomicReference<Sandbox> sandbox;
    private final Options options;
    private final AuditLog log;
    private volatile int forcedStatus = -1;
    private volatile PidFd child;

    public Supervisor(Options options) {
        this.options = options;
        this.sandbox = new AtomicReference<>(options.sandbox());
        String id = Long.toHexString(Double.doubleToLongBits(Math.random()) ^ System.nanoTime());
        this.log = new AuditLog(options.sydEnv(), id, SandboxNames.random());
    }

    @Override public Sandbox sandbox() { return sandbox.get(); }
    @Override public void audit(AccessEvent event) { log.access(event); }
    @Override public boolean traceMode() { return options.trace(); }

    @Override
    public void exit(int status) {
        if (forcedStatus < 0) forcedStatus = status;
        PidFd c = child;
        if (c != null) c.signal(Signals.SIGKILL);
    }

    /**
     * Runs the program to completion on the calling thread (which must live until this returns:
     * the program's PDEATHSIG is tied to it). Returns the exit status.
     */
    public int run() throws SupervisorException {
        try {
            NotifyFd.checkKernelSizes();
        } catch (ErrnoException e) {
            throw new SupervisorException("seccomp user notification is not available: " + e.getMessage(), 1);
        } catch (IllegalStateException e) {
            throw new SupervisorException(e.getMessage(), 1);
        }
        dev.jsyd.sys.SelfProtect.apply(); // not dumpable, no core: before the program exists
        byte[] filter = FilterPlan.program(sandbox.get()).toBytes();
        String launcher;
        try {
            launcher = LauncherBinary.path();
        } catch (IOException e) {
            throw new SupervisorException("cannot prepare the launcher: " + e.getMessage(), 1);
        }
        Launcher.Launched launched;
        try {
            launched = Launcher.start(launcher, filter, dev.jsyd.kernel.Hardening.launchFlags(sandbox.get()),
                    options.file(), options.argv(), options.env());
        } catch (ErrnoException e) {
            throw new SupervisorException("cannot start the sandbox: " + e.getMessage(), e.errno());
        }
        child = launched.pidfd();
        NotifyFd listener = launched.listener();
        listener.setSyncWakeUp();
        Interrupter interrupter = new Interrupter(listener);
        WorkerPool<Request> pool = new WorkerPool<>(PoolConfig.fromSystemEnvironment(),
                () -> new NotificationSource(listener, this, interrupter),
                t -> log.message("panic", String.valueOf(t)));
        Thread timeouter = null;
        try {
            interrupter.start();
            pool.start();
            Duration timeout = sandbox.get().timeout().orElse(null);
            if (timeout != null) timeouter = startTimeouter(timeout);
            launched.release();
            int execErr = launched.awaitExec();
            if (execErr != 0) {
                System.err.println("syd: exec error: " + Errno.message(execErr));
                launched.pidfd().waitExit();
                return forcedStatus >= 0 ? forcedStatus : execErr;
            }
            PidFd.Exit exit = launched.pidfd().waitExit();
            if (forcedStatus >= 0) return forcedStatus;
            return exit.shellStatus();
        } catch (ErrnoException e) {
            launched.pidfd().signal(Signals.SIGKILL);
            throw new SupervisorException("sandbox failed: " + e.getMessage(), e.errno());
        } finally {
            if (timeouter != null) timeouter.interrupt();
            interrupter.stop();
            pool.shutdown();
            launched.close();
        }
    }

    private Thread startTimeouter(Duration timeout) {
        Thread t = Thread.ofPlatform().name("syd_out").daemon(true).start(() -> {
            try {
                Thread.sleep(timeout);
            } catch (InterruptedException e) {
                return;
            }
            log.message("timeout", "sandbox timed out after " + timeout.toMillis() + "ms");
            exit(TIMEOUT_STATUS);
        });
        return t;
    }
}
