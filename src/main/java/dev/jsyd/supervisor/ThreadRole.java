package dev.jsyd.supervisor;

import dev.jsyd.kernel.SupervisorFilter;
import dev.jsyd.policy.Sandbox;
import dev.jsyd.sys.ThreadConfinement;

/**
 * What each of the supervisor's own threads may do, applied by the thread itself when it starts
 * (capabilities and seccomp filters are per-thread in Linux): the capabilities it keeps in its
 * permitted, effective and bounding sets, and the {@link SupervisorFilter} (the tracer's variant
 * alone allows ptrace).
 *
 * <p>Threads left as they are, on purpose: the JVM's own (they never act for the program), the
 * thread that runs the sandbox (it spawns the launcher, which must get the supervisor's
 * capabilities to drop them itself and must not inherit a filter), the pool's monitor (workers
 * start from it and confine themselves), and the thread that runs {@code cmd/exec!} commands.
 */
enum ThreadRole {
    /** {@code syd_emu_N}: emulate calls for the program, with the program's rights. */
    WORKER(true, false),
    /** {@code syd_main_tracer}: ptrace, exec checks, pid/max kills. */
    TRACER(true, true),
    /** {@code syd_int}: reads /proc status, signals the supervisor's own workers. */
    INTERRUPTER(false, false),
    /** {@code syd_out}: kills the program at the timeout. */
    TIMEOUTER(false, false),
    /** {@code syd_log}: writes the log fd. */
    LOG(false, false);

    static final int CAP_KILL = 5, CAP_SYS_PTRACE = 19;

    /**
     * A worker's and the tracer's: what the program may hold ({@code PlanBuilder.KEEP_CAPS}: calls
     * are emulated with the program's rights, borrowed with capset, so the program's capabilities
     * must be in the permitted set), plus what a worker needs to borrow them and to reach the
     * program itself ({@code Credentials.WORKER_CAPS}: CAP_SETUID and CAP_SETGID for
     * setfsuid/setfsgid/setgroups, CAP_SYS_PTRACE for pidfd_getfd, process_vm_readv/writev, the
     * /proc of a program that changed its uid, and ptrace, CAP_KILL for signals to such a program). Everything else — CAP_SYS_ADMIN,
     * CAP_NET_ADMIN, CAP_SYS_MODULE, CAP_SETPCAP, CAP_MKNOD, ... — is gone from these threads.
     */
    static final long ACTING_CAPABILITIES = dev.jsyd.confine.PlanBuilder.KEEP_CAPS | dev.jsyd.sys.Credentials.WORKER_CAPS;

    private final boolean actsForProgram;
    private final boolean ptrace;

    ThreadRole(boolean actsForProgram, boolean ptrace) {
        this.actsForProgram = actsForProgram;
        this.ptrace = ptrace;
    }

    /**
     * {@code SYD_SKIP_SCMP} set in syd's environment: no filter on these threads (Syd's debugging
     * switch; also how the filter's cost is measured). Capabilities are limited all the same.
     */
    static final boolean SKIP_FILTER = System.getenv("SYD_SKIP_SCMP") != null;

    private static final class Filters {
        static final byte[] PLAIN = SupervisorFilter.program(false).toBytes();
        static final byte[] TRACER = SupervisorFilter.program(true).toBytes();

        /** Nothing: calling it initialises the class, which builds both filters. */
        static void build() { }
    }

    /** Builds the threads' filters now (start-up: {@link EarlyStart}), not when the first thread starts. */
    static void prepareFilters() {
        if (!SKIP_FILTER) Filters.build();
    }

    /**
     * The capabilities this role keeps; {@code programKeepsAll}: the program keeps every
     * capability ({@code trace/allow_unsafe_caps}), and so do the threads acting for it.
     */
    long capabilities(boolean programKeepsAll) {
        if (this == TIMEOUTER) return bits(CAP_KILL);
        if (!actsForProgram) return 0;
        return programKeepsAll ? -1L : ACTING_CAPABILITIES;
    }

    /** {@code trace/allow_unsafe_caps} of {@code sandbox}. */
    static boolean programKeepsAll(Sandbox sandbox) { return sandbox.flag("trace/allow_unsafe_caps"); }

    /**
     * Confines the calling thread to this role: 0, or the first -errno (the thread goes on
     * either way: a supervisor that cannot confine itself still supervises).
     */
    int confine(boolean programKeepsAll) {
        int caps = ThreadConfinement.limitCapabilities(capabilities(programKeepsAll));
        int filter = SKIP_FILTER ? 0 : ThreadConfinement.installFilter(ptrace ? Filters.TRACER : Filters.PLAIN);
        return caps < 0 ? caps : filter;
    }

    private static long bits(int... caps) {
        long m = 0;
        for (int c : caps) m |= 1L << c;
        return m;
    }
}
