package dev.jsyd.supervisor;

import dev.jsyd.abi.Errno;
import dev.jsyd.kernel.AccessEvent;
import dev.jsyd.kernel.FilterPlan;
import dev.jsyd.kernel.Request;
import dev.jsyd.kernel.SandboxContext;
import dev.jsyd.policy.Policy;
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

/**
 * Runs one sandbox: builds the filter from the policy, launches the program under it, serves
 * its notifications from a worker pool, and returns the exit status (spec §2). One instance per
 * sandbox; nothing global, so one JVM can run many.
 */
public final class Supervisor implements SandboxContext {
    /** Exit status when {@code timeout:} expires (as timeout(1) does). */
    public static final int TIMEOUT_STATUS = 124;

    /**
     * What to run and how: the policy (owned by the supervisor from here on), the program, its
     * environment, and the launcher's working directory and standard streams.
     */
    public record Options(Policy policy, String file, List<String> argv, List<String> env, boolean trace,
                          Map<String, String> sydEnv, Launcher.Setup setup) {
        /** With the JVM's working directory and standard streams (the CLI). */
        public Options(Policy policy, String file, List<String> argv, List<String> env, boolean trace,
                       Map<String, String> sydEnv) {
            this(policy, file, argv, env, trace, sydEnv, Launcher.Setup.NONE);
        }
    }

    private final RuntimeApi runtime;
    private final Options options;
    private final AuditLog log;
    private volatile int forcedStatus = -1;
    private volatile PidFd child;
    private volatile boolean killRequested;
    private final Object childLock = new Object();
    private final java.util.concurrent.CompletableFuture<Integer> started = new java.util.concurrent.CompletableFuture<>();

    public Supervisor(Options options) {
        this.options = options;
        this.runtime = new RuntimeApi(options.policy());
        this.runtime.onPanic(() -> exit(127));
        String id = Long.toHexString(Double.doubleToLongBits(Math.random()) ^ System.nanoTime());
        this.log = new AuditLog(options.sydEnv(), id, SandboxNames.random());
    }

    private final dev.jsyd.kernel.ChdirWatch chdirWatch = new dev.jsyd.kernel.ChdirWatch();

    @Override public Sandbox sandbox() { return runtime.sandbox(); }
    @Override public dev.jsyd.kernel.ChdirWatch chdirWatch() { return chdirWatch; }
    @Override public boolean runtimeVisible(int tid) { return runtime.visible(tid); }
    @Override public int runtimeCommand(int tid, String command) { return runtime.command(tid, command); }
    @Override public String stateJson() { return runtime.stateJson(); }
    @Override public String esydScript() { return RuntimeApi.esydScript(); }

    /**
     * Hands a copy of every log record at {@code info} or above (lifecycle records included) to
     * {@code sink}, one JSON line at a time, from worker and tracer threads; it must not block.
     * Call before {@link #run}.
     */
    public void copyLog(java.util.function.Consumer<byte[]> sink) { log.copyTo(sink); }

    /** The esyd shell functions ({@code syd --sh}). */
    public static String shellFunctions() { return RuntimeApi.esydScript(); }
    @Override public void audit(AccessEvent event) { log.access(event); }
    @Override public boolean traceMode() { return options.trace(); }

    @Override
    public void exit(int status) {
        if (forcedStatus < 0) forcedStatus = status;
        synchronized (childLock) {
            PidFd c = child;
            if (c != null) c.signal(Signals.SIGKILL);
        }
    }

    /**
     * Completes with the program's pid once it is launched (before it is executed), or
     * exceptionally with the {@link SupervisorException} that kept it from starting.
     */
    public java.util.concurrent.CompletableFuture<Integer> started() { return started; }

    /**
     * Kills the program with SIGKILL (its status becomes 137, the rest of the sandbox follows);
     * before the launch it is killed as soon as it exists, after the end this does nothing.
     */
    public void kill() {
        killRequested = true;
        synchronized (childLock) {
            PidFd c = child;
            if (c != null) c.signal(Signals.SIGKILL);
        }
    }

    /**
     * Runs the program to completion on the calling thread (which must live until this returns:
     * the program's PDEATHSIG is tied to it). Returns the exit status.
     */
    public int run() throws SupervisorException {
        try {
            int status = runSandbox();
            log.end(status);
            return status;
        } catch (SupervisorException e) {
            started.completeExceptionally(e);
            throw e;
        } catch (RuntimeException | Error e) {
            started.completeExceptionally(e);
            throw e;
        }
    }

    private int runSandbox() throws SupervisorException {
        try {
            NotifyFd.checkKernelSizes();
        } catch (ErrnoException e) {
            throw new SupervisorException("seccomp user notification is not available: " + e.getMessage(), 1);
        } catch (IllegalStateException e) {
            throw new SupervisorException(e.getMessage(), 1);
        }
        dev.jsyd.sys.SelfProtect.apply(); // not dumpable, no core: before the program exists
        byte[] filter = FilterPlan.program(runtime.sandbox()).toBytes();
        String launcher;
        try {
            launcher = LauncherBinary.path();
        } catch (IOException e) {
            throw new SupervisorException("cannot prepare the launcher: " + e.getMessage(), 1);
        }
        Launcher.Launched launched;
        try {
            launched = Launcher.start(launcher, filter, dev.jsyd.kernel.Hardening.launchFlags(runtime.sandbox()),
                    options.file(), options.argv(), options.env(), options.setup());
        } catch (ErrnoException e) {
            throw new SupervisorException("cannot start the sandbox: " + e.getMessage(), e.errno());
        }
        synchronized (childLock) {
            child = launched.pidfd();
        }
        if (killRequested) kill();
        started.complete(launched.pidfd().pid());
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
            Duration timeout = runtime.sandbox().timeout().orElse(null);
            if (timeout != null) timeouter = startTimeouter(timeout);
            runtime.initialPid(launched.pidfd().pid());
            Tracer tracer = new Tracer(launched.pidfd().pid(), this, runtime.sandbox().flag("trace/exit_wait_all"),
                    runtime::programExecuted, log);
            log.run(launched.pidfd().pid(), options.argv(), options.setup().directory() != null
                    ? options.setup().directory() : System.getProperty("user.dir"), options.trace());
            int seize = tracer.start();
            if (seize < 0) throw new ErrnoException("ptrace(PTRACE_SEIZE)", -seize);
            launched.release();
            int execErr = launched.awaitExec();
            PidFd.Exit exit = tracer.mainExit().join();
            if (execErr != 0) {
                System.err.println("syd: exec error: " + Errno.message(execErr));
                return forcedStatus >= 0 ? forcedStatus : execErr;
            }
            if (runtime.sandbox().flag("trace/exit_wait_all")) tracer.allGone().join();
            if (forcedStatus >= 0) return forcedStatus;
            return exit.shellStatus();
        } catch (InterruptedException e) {
            launched.pidfd().signal(Signals.SIGKILL);
            Thread.currentThread().interrupt();
            throw new SupervisorException("interrupted", 1);
        } catch (java.util.concurrent.CompletionException e) {
            launched.pidfd().signal(Signals.SIGKILL);
            throw new SupervisorException("tracer failed: " + e.getCause(), 1);
        } catch (ErrnoException e) {
            launched.pidfd().signal(Signals.SIGKILL);
            throw new SupervisorException("sandbox failed: " + e.getMessage(), e.errno());
        } finally {
            if (timeouter != null) timeouter.interrupt();
            interrupter.stop();
            pool.shutdown();
            synchronized (childLock) {
                child = null; // the pidfd number may be reused once closed
                launched.close();
            }
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
