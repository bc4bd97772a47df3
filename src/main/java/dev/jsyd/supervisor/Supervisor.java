package dev.jsyd.supervisor;

import dev.jsyd.abi.Errno;
import dev.jsyd.confine.LaunchPlan;
import dev.jsyd.confine.PlanBuilder;
import dev.jsyd.confine.PlanException;
import dev.jsyd.kernel.AccessEvent;
import dev.jsyd.kernel.FilterPlan;
import dev.jsyd.kernel.Hardening;
import dev.jsyd.kernel.LandlockMirror;
import dev.jsyd.kernel.ProgramView;
import dev.jsyd.kernel.Relaxations;
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
                          Map<String, String> sydEnv, Launcher.Setup setup, boolean learning) {
        /** With the JVM's working directory and standard streams (the CLI). */
        public Options(Policy policy, String file, List<String> argv, List<String> env, boolean trace,
                       Map<String, String> sydEnv) {
            this(policy, file, argv, env, trace, sydEnv, Launcher.Setup.NONE, false);
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
        this.runtime = new RuntimeApi(options.policy(), members);
        this.runtime.onPanic(() -> exit(127));
        String id = Long.toHexString(Double.doubleToLongBits(Math.random()) ^ System.nanoTime());
        this.log = new AuditLog(options.sydEnv(), id, SandboxNames.random());
        this.log.follow(runtime::sandbox);
        // The program may live in a user namespace of its own: one the launcher makes for it (any
        // namespace without root, or unshare/user, root/map), or one it makes itself when allowed.
        boolean makesUserNs = dev.jsyd.kernel.Hardening.namespaceAllowed(runtime.sandbox(), "user");
        boolean launchedInUserNs = !PlanBuilder.namespaces(runtime.sandbox()).isEmpty();
        this.identities = new dev.jsyd.kernel.Identities(makesUserNs || launchedInUserNs, makesUserNs);
    }

    private final dev.jsyd.kernel.ChdirWatch chdirWatch = new dev.jsyd.kernel.ChdirWatch();
    private final dev.jsyd.kernel.Members members = new dev.jsyd.kernel.Members();
    private final dev.jsyd.kernel.Identities identities;

    @Override public Sandbox sandbox() { return runtime.sandbox(); }
    @Override public ProgramView view() { return view; }

    private volatile ProgramView view = ProgramView.HOST;

    /** The supervisor's ids and the kernel's Landlock ABI, for the launch plan. */
    private static PlanBuilder.Host host() {
        var u = new com.sun.security.auth.module.UnixSystem();
        return new PlanBuilder.Host((int) u.getUid(), (int) u.getGid(), dev.jsyd.sys.KernelFeatures.landlockAbi());
    }

    /**
     * The program's Landlock domain for emulated calls: the rules' objects looked up in its view
     * while it waits for the supervisor (it has not run a single instruction of its own yet).
     */
    private static LandlockMirror landlockMirror(LaunchPlan plan, int rootFd) {
        LaunchPlan.LandlockCreate create = null;
        List<LandlockMirror.PathRule> rules = new java.util.ArrayList<>();
        List<LandlockMirror.PortRule> ports = new java.util.ArrayList<>();
        for (LaunchPlan.Step s : plan.steps()) {
            // the translated layer (trace/allow_unsafe_landlock_paths) is Syd's own rules: not mirrored
            if (s instanceof LaunchPlan.LandlockCreate c && !dev.jsyd.confine.LandlockTranslation.isLayer(c)) create = c;
            if (s instanceof LaunchPlan.LandlockPath p) rules.add(new LandlockMirror.PathRule(p.path(), p.access(), p.fileAccess()));
            if (s instanceof LaunchPlan.LandlockPort p) ports.add(new LandlockMirror.PortRule(p.access(), p.lo(), p.hi()));
        }
        if (create == null) return LandlockMirror.NONE;
        dev.jsyd.sys.Files f = new dev.jsyd.sys.Files();
        try {
            return LandlockMirror.of(f, rootFd, create.handledFs(), rules).withNet(create.handledNet(), ports, create.scoped());
        } finally {
            f.close();
        }
    }

    /**
     * How the launched program sees paths and pids: with a mount namespace of its own, its root
     * ({@code /proc/PID/root}, final once the launcher reached its filter) is where its absolute
     * paths start.
     */
    private ProgramView programView(int pid, int launcherPid) throws ErrnoException {
        var ns = PlanBuilder.namespaces(runtime.sandbox());
        if (!ns.contains("mount") && !ns.contains("pid") && launcherPid == 0) return ProgramView.HOST;
        int root = -1;
        if (ns.contains("mount")) {
            dev.jsyd.sys.Files f = new dev.jsyd.sys.Files();
            try {
                root = f.openat(dev.jsyd.abi.OpenFlags.AT_FDCWD, "/proc/" + pid + "/root", dev.jsyd.abi.OpenFlags.O_PATH
                        | dev.jsyd.abi.OpenFlags.O_DIRECTORY | dev.jsyd.abi.OpenFlags.O_CLOEXEC, 0);
            } finally {
                f.close();
            }
            if (root < 0) throw new ErrnoException("open /proc/" + pid + "/root", -root);
        }
        return new ProgramView(root, ns.contains("pid"), ns.contains("pid") && ns.contains("mount"), launcherPid,
                LandlockMirror.NONE);
    }
    @Override public dev.jsyd.kernel.ChdirWatch chdirWatch() { return chdirWatch; }
    @Override public dev.jsyd.kernel.Members members() { return members; }
    @Override public dev.jsyd.kernel.Identities identities() { return identities; }
    @Override public void auditSetId(dev.jsyd.kernel.SetIdEvent event) { log.setId(event); }
    @Override public boolean runtimeVisible(int tid) { return runtime.visible(tid); }
    @Override public int runtimeCommand(int tid, String command, java.util.function.BooleanSupplier stillWaiting) {
        return runtime.command(tid, command, stillWaiting);
    }
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
    @Override public boolean traceMode() { return options.trace() || options.learning(); }
    @Override public void learned(int pid, String sys, String command, String why) { log.learned(pid, sys, command, why); }
    @Override public boolean learning() { return options.learning(); }

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
            StartupTimes.mark("teardown (threads, fds)");
            return status;
        } catch (SupervisorException e) {
            started.completeExceptionally(e);
            throw e;
        } catch (RuntimeException | Error e) {
            started.completeExceptionally(e);
            throw e;
        } finally {
            log.close(); // the last records out, as long as the log fd takes them
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
        StartupTimes.mark("supervisor thread, sizes");
        String refused = dev.jsyd.confine.LandlockTranslation.refusal(runtime.sandbox(), traceMode());
        if (refused != null) throw new SupervisorException(refused, dev.jsyd.abi.Errno.EINVAL);
        java.util.concurrent.CompletableFuture<String> hostProblem = HostJvm.problem(); // joined before the program runs
        dev.jsyd.sys.SelfProtect.apply(); // not dumpable, no core: before the program exists
        // Learning: kernel-side refusals a switch lifts are sent here and recorded instead (Relaxations).
        Relaxations relaxations = options.learning() ? new Relaxations(runtime.sandbox(), Hardening.Self.current()) : null;
        byte[] filter = (relaxations != null ? Relaxations.program(runtime.sandbox(), Hardening.Self.current())
                : FilterPlan.program(runtime.sandbox())).toBytes();
        StartupTimes.mark("filter build");
        String launcher;
        try {
            launcher = LauncherBinary.path();
        } catch (IOException e) {
            throw new SupervisorException("cannot prepare the launcher: " + e.getMessage(), 1);
        }
        var translation = dev.jsyd.confine.LandlockTranslation.of(runtime.sandbox());
        if (runtime.sandbox().flag(dev.jsyd.confine.LandlockTranslation.SWITCH) && !translation.reads()) {
            log.message("landlock", "read rules stay with the supervisor: " + translation.why());
        }
        LaunchPlan plan;
        try {
            plan = PlanBuilder.build(runtime.sandbox(), filter, host());
            if (relaxations != null) plan = plan.without(LaunchPlan.Mdwe.class); // W^X breaks are notified and recorded
        } catch (PlanException e) {
            throw new SupervisorException(e.describe(), dev.jsyd.abi.Errno.EINVAL);
        }
        StartupTimes.mark("launch plan");
        Launcher.Launched launched;
        try {
            launched = Launcher.start(launcher, plan, options.file(), options.argv(), options.env(), options.setup());
        } catch (ErrnoException e) {
            throw new SupervisorException("cannot start the sandbox: " + e.getMessage(), e.errno());
        }
        try {
            view = programView(launched.pidfd().pid(), launched.launcherPid());
            view = view.withLandlock(landlockMirror(plan, view.rootFd()));
        } catch (ErrnoException e) {
            launched.pidfd().signal(Signals.SIGKILL);
            launched.close();
            throw new SupervisorException("cannot open the program's root: " + e.getMessage(), e.errno());
        }
        StartupTimes.mark("launcher started, listener");
        synchronized (childLock) {
            child = launched.pidfd();
        }
        if (killRequested) kill();
        started.complete(launched.pidfd().pid());
        NotifyFd listener = launched.listener();
        listener.setSyncWakeUp();
        Interrupter interrupter = new Interrupter(listener);
        boolean keepsAll = ThreadRole.programKeepsAll(runtime.sandbox());
        WorkerPool<Request> pool = new WorkerPool<>(PoolConfig.fromSystemEnvironment(), () -> {
                    ThreadRole.WORKER.confine(keepsAll); // on the new worker thread itself
                    return new NotificationSource(listener, this, interrupter, relaxations);
                },
                t -> log.message("panic", String.valueOf(t)));
        Thread timeouter = null;
        try {
            runtime.startOutsideRunner();
            interrupter.start();
            pool.start();
            Duration timeout = runtime.sandbox().timeout().orElse(null);
            if (timeout != null) timeouter = startTimeouter(timeout);
            Tracer tracer = new Tracer(launched.pidfd().pid(), this, runtime.sandbox().flag("trace/exit_wait_all"),
                    runtime::programExecuted, log);
            log.run(launched.pidfd().pid(), options.argv(), options.setup().directory() != null
                    ? options.setup().directory() : System.getProperty("user.dir"), options.trace());
            StartupTimes.mark("workers, tracer threads");
            int seize = tracer.start();
            if (seize < 0) throw new ErrnoException("ptrace(PTRACE_SEIZE)", -seize);
            String problem = hostProblem.join();
            if (problem != null) {
                launched.pidfd().signal(Signals.SIGKILL);
                throw new SupervisorException(problem, 1);
            }
            StartupTimes.mark("seized, attach check joined");
            launched.release();
            int execErr = launched.awaitExec();
            StartupTimes.mark("program exec'd");
            PidFd.Exit exit = tracer.mainExit().join();
            StartupTimes.mark("program exited");
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
            runtime.close();
            synchronized (childLock) {
                child = null; // the pidfd number may be reused once closed
                launched.close();
            }
            if (view.rootFd() >= 0) dev.jsyd.sys.Files.close(view.rootFd());
        }
    }

    private Thread startTimeouter(Duration timeout) {
        Thread t = Thread.ofPlatform().name("syd_out").daemon(true).start(() -> {
            ThreadRole.TIMEOUTER.confine(false);
            try {
                Thread.sleep(timeout);
            } catch (InterruptedException e) {
                return;
            }
            exit(TIMEOUT_STATUS); // first: nothing (not even the log) may delay the kill
            log.message("timeout", "sandbox timed out after " + timeout.toMillis() + "ms");
        });
        return t;
    }
}
