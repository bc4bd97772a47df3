package dev.jsyd.supervisor;

import dev.jsyd.abi.Errno;
import dev.jsyd.abi.Syscalls;
import dev.jsyd.kernel.AccessEvent;
import dev.jsyd.kernel.Enforcement;
import dev.jsyd.kernel.ExecCheck;
import dev.jsyd.kernel.GroupsCheck;
import dev.jsyd.kernel.MapCheck;
import dev.jsyd.kernel.Members;
import dev.jsyd.kernel.SandboxContext;
import dev.jsyd.policy.Action;
import dev.jsyd.policy.Category;
import dev.jsyd.sys.ErrnoException;
import dev.jsyd.sys.Files;
import dev.jsyd.sys.PidFd;
import dev.jsyd.sys.Ptrace;
import dev.jsyd.sys.Signals;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.Lock;

/**
 * The tracer thread: the one thread that ptraces every process of the sandbox and waits for all
 * of them. It seizes the first process (EXITKILL: if the supervisor dies, every traced process
 * dies with it), follows forks, vforks and clones automatically, and at each PTRACE_EVENT_EXEC
 * stop checks the file the kernel really executed ({@link ExecCheck}); a denied
 * one is killed before it runs an instruction. No task escapes it: CLONE_UNTRACED is refused in the
 * filter and clone3 is ENOSYS, so every task is traced from birth. With PID sandboxing the filter
 * hands fork, vfork and clone to it (RET_TRACE) and it decides before the task exists
 * ({@link #onTaskRequest}). Signals pass through unchanged, group-stops are
 * kept (PTRACE_LISTEN) so job control works. The first process's exit status is its result.
 *
 * <p>It keeps the sandbox's membership ({@link Members}): every task is registered before it
 * runs and removed when its exit is consumed, which happens only under {@link Members#reaping()}
 * (events are peeked first, then consumed), so no pid a handler is checking can be freed
 * meanwhile. The initial process is an identity there, not a pid number.
 *
 * <p>It waits only for its own tracees ({@code __WNOTHREAD}): the first process is a child of the
 * supervisor thread but seized by this one, so its exit is reported here; children that other
 * threads of the JVM started (ProcessBuilder) and the tracees of other sandboxes in the same JVM
 * are never reaped by it.
 */
final class Tracer implements Runnable {
    private static final int OPTIONS = Ptrace.O_TRACEFORK | Ptrace.O_TRACEVFORK | Ptrace.O_TRACECLONE
            | Ptrace.O_TRACEEXEC | Ptrace.O_TRACESECCOMP | Ptrace.O_TRACESYSGOOD | Ptrace.O_EXITKILL;

    private final int mainPid;
    private final SandboxContext context;
    private final boolean waitAll;
    private final CountDownLatch seized = new CountDownLatch(1);
    private volatile int seizeError;
    private final CompletableFuture<PidFd.Exit> mainExit = new CompletableFuture<>();
    private final CompletableFuture<Void> allGone = new CompletableFuture<>();

    private final Runnable onFirstExec;
    private boolean executed;
    private final AuditLog log;
    private Files files; // the tracer thread's, for /proc reads
    private GroupsCheck groups; // the tracer thread's: setgroups stops
    /**
     * Tasks whose end was consumed before their creator's fork/clone event was seen (true: it led
     * a process): the kernel reports the newest tracee first, so a child that ends at once is
     * often gone before its parent's event. That event must not register it again: its pid is
     * free, and whatever gets it next would pass for a member. Bounded (an event that never comes,
     * its creator killed first, leaves an entry).
     */
    private final java.util.Map<Integer, Boolean> endedUnannounced = new java.util.LinkedHashMap<>() {
        @Override protected boolean removeEldestEntry(java.util.Map.Entry<Integer, Boolean> e) { return size() > 4096; }
    };
    /** Live tasks whose creator's fork/clone event was seen. */
    private final java.util.Set<Integer> announced = new java.util.HashSet<>();

    Tracer(int mainPid, SandboxContext context, boolean waitAll, Runnable onFirstExec, AuditLog log) {
        this.onFirstExec = onFirstExec;
        this.log = log;
        this.mainPid = mainPid;
        this.context = context;
        this.waitAll = waitAll;
    }

    /** Starts the thread and returns once the first process is seized (0) or the seize failed (-errno). */
    int start() throws InterruptedException {
        Thread.ofPlatform().name("syd_main_tracer").daemon(true).start(this);
        seized.await();
        return seizeError;
    }

    CompletableFuture<PidFd.Exit> mainExit() { return mainExit; }

    CompletableFuture<Void> allGone() { return allGone; }

    @Override
    public void run() {
        ThreadRole.TRACER.confine(ThreadRole.programKeepsAll(context.sandbox()));
        TaskCount tasks = new TaskCount(mainPid);
        Members members = context.members();
        try (Ptrace pt = new Ptrace(); ExecCheck exec = new ExecCheck(); MapCheck maps = new MapCheck(); Files f = new Files();
                GroupsCheck g = new GroupsCheck()) {
            files = f;
            groups = g;
            int r = pt.seize(mainPid, OPTIONS);
            if (r == 0) members.addInitial(mainPid); // before it may run (the caller releases it)
            seizeError = r;
            seized.countDown();
            if (r < 0) return;
            while (true) { // the loop of a method called once is never compiled: its body is a method
                Ptrace.Event peek = pt.peekAny();
                if (peek == null) break;
                onEvent(pt, exec, maps, tasks, members, peek);
            }
        } catch (ErrnoException | RuntimeException e) {
            seized.countDown();
            mainExit.completeExceptionally(e);
        } finally {
            mainExit.complete(new PidFd.Exit(PidFd.CLD_KILLED, Signals.SIGKILL));
            allGone.complete(null);
        }
    }

    /** The initial process has ended (its result is known). */
    private boolean mainDone;

    /** One event peeked by the wait loop: a ptrace stop handled, or an exit consumed. */
    private void onEvent(Ptrace pt, ExecCheck exec, MapCheck maps, TaskCount tasks, Members members, Ptrace.Event peek)
            throws ErrnoException {
        if (peek.code() == Ptrace.CLD_TRAPPED && peek.event() != Ptrace.EVENT_EXEC) {
            // A ptrace stop needs no consuming wait: resuming the tracee ends the stop,
            // and a resumed tracee is no longer reported (one waitid per stop, not two).
            onStop(pt, exec, maps, tasks, members, peek.pid(), peek);
            return;
        }
        // Exits, and exec stops: the exec stop of a thread that took its leader's pid must be
        // consumed (until then the kernel refuses every request on the pid: ESRCH, "looks like a
        // spurious pid", and it would be peeked again forever). Consumed like an exit, under the
        // reaping lock: a task killed since the peek reports its exit instead, which is then
        // handled as one (membership removed before its pid can be freed).
        Ptrace.Event ev;
        Members.Proc gone = null;
        Lock reaping = members.reaping(); // no handler is between a check of this pid and its answer
        reaping.lock();
        try {
            ev = pt.take(peek.pid());
            if (ev != null && Ptrace.ended(ev)) gone = members.remove(ev.pid());
        } finally {
            reaping.unlock();
        }
        if (ev == null) return;
        int pid = ev.pid();
        if (Ptrace.ended(ev)) {
            tasks.gone(pid);
            // A task held at its first stop waits for its creator's event, which a creator killed
            // before reporting it never sends: any exit lets every held task go.
            if (tasks.anyHeld()) for (int held : tasks.releaseHeld()) pt.cont(held, 0);
            boolean process = gone != null && gone.tgid() == pid;
            exec.exited(context, pid, process, ev.code(), ev.status());
            // The initial task has no creation event: never wait for one.
            if (gone != null && !announced.remove(pid) && pid != mainPid) endedUnannounced.put(pid, process);
            maps.exited(pid);
            groups.exited(pid);
            context.identities().forget(pid);
            context.chdirWatch().forget(pid);
            if (gone != null && gone.tgid() == pid && (gone.initial() || log.lifecycle())) {
                boolean exited = ev.code() == Ptrace.CLD_EXITED;
                log.exit(pid, exited ? ev.status() : -1, exited ? -1 : ev.status());
            }
            if (gone != null && gone.initial() && gone.tgid() == pid) {
                mainDone = true;
                mainExit.complete(new PidFd.Exit(ev.code(), ev.status()));
                if (!waitAll) for (int other : tasks.live()) Signals.kill(other, Signals.SIGKILL);
            }
            if (mainDone && tasks.isEmpty()) allGone.complete(null);
        } else if (ev.code() == Ptrace.CLD_TRAPPED) { // peeked as something else, trapped since
            onStop(pt, exec, maps, tasks, members, pid, ev);
        }
    }

    /**
     * A task-creating call (fork, vfork, clone) at its seccomp stop, handed over by the filter when
     * PID sandboxing counts tasks ({@code sandbox/pid:on}, {@code pid/max:N}): decided before the task
     * exists. Within the limit, the creation is reserved and the caller resumed to the syscall's
     * exit (where a refused creation gives its reservation back); beyond it, {@code default/pid}
     * applies to the asking task: kill (its process dies), deny (the call fails with EAGAIN), warn
     * (logged, let through), …
     */
    private void onTaskRequest(Ptrace pt, TaskCount tasks, int pid, long nr) {
        dev.jsyd.policy.Sandbox sb = context.sandbox();
        long max = sb.enabled(Category.PID) ? sb.pidMax().orElse(0) : 0;
        boolean creates = nr == Syscalls.CLONE || nr == Syscalls.FORK || nr == Syscalls.VFORK;
        if (creates && max > 0 && !tasks.mayCreate(max)) tasks.prune(Tracer::dead); // exits still queued
        if (!creates || max <= 0 || tasks.mayCreate(max)) {
            if (creates && max > 0) {
                tasks.reserve(pid);
                pt.resumeToSyscall(pid, 0);
            } else {
                pt.cont(pid, 0);
            }
            return;
        }
        Action action = sb.defaultAction(Category.PID);
        AccessEvent event = new AccessEvent(Category.PID, action, Syscalls.name((int) nr), pid, null, null, -1, 0,
                "configure `pid/max:" + (max + 1) + "'");
        if (Enforcement.apply(context, pid, action, event)) {
            pt.skipSyscall(pid, Errno.EAGAIN);
            pt.cont(pid, 0);
        } else {
            tasks.reserve(pid);
            pt.resumeToSyscall(pid, 0);
        }
    }

    /** True when task {@code tid} has exited (gone, or a zombie whose exit is not reaped yet). */
    private static boolean dead(int tid) {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/" + tid + "/status"))) {
                if (line.startsWith("State:")) {
                    String state = line.substring(6).trim();
                    return state.startsWith("Z") || state.startsWith("X");
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            return true;
        }
        return true;
    }

    /**
     * Registers task {@code tid} (seen before it has run) as a member of the thread group it really
     * is in; returns its process (null when its group is none of ours). Never from the event kind:
     * the kernel reports a clone by its exit signal (SIGCHLD: a fork event), which the program
     * chooses, so a thread made with SIGCHLD comes as a "fork" and a process made without it as a
     * "clone". The new task's thread group is fixed until it executes a program, which it has not.
     */
    private Members.Proc register(Members members, int tid) {
        Members.Proc p = members.process(tid);
        if (p != null) return p;
        return members.add(tid, tgidOf(tid));
    }

    /** The thread group of task {@code tid}: itself when it leads one, else from /proc/TID/status; or -1. */
    private int tgidOf(int tid) {
        if (PidFd.leadsThreadGroup(tid)) return tid;
        String status = files.readProcRecord("/proc/" + tid + "/status"); // Tgid is on its 4th line
        int i = status == null ? -1 : status.indexOf("\nTgid:");
        if (i < 0) return -1;
        int j = i + 6, v = 0;
        while (j < status.length() && (status.charAt(j) == ' ' || status.charAt(j) == '\t')) j++;
        int start = j;
        while (j < status.length() && Character.isDigit(status.charAt(j)) && v < 100_000_000) v = v * 10 + (status.charAt(j++) - '0');
        return j > start ? v : -1;
    }

    /**
     * New task {@code pid} at its first stop, met before its creator's fork/clone event: held there
     * (its stop consumed, so the wait loop does not report it again) until that event, which then
     * gives it its creator's kept credentials before it runs ({@code Identities.inherit}), so its
     * first notified call reads no {@code /proc/TID/status}. Not held when nothing is kept, or when
     * an event naming its id may still come for an earlier task ({@link TaskCount#holdForCreator}).
     */
    private boolean holdForCreator(Ptrace pt, TaskCount tasks, int pid) {
        if (!context.identities().keeps() || !tasks.holdForCreator(pid)) return false;
        try {
            if (pt.takeStop(pid)) return true;
        } catch (ErrnoException e) {
            // not held: resumed by the caller
        }
        tasks.unhold(pid);
        return false;
    }

    private void onStop(Ptrace pt, ExecCheck exec, MapCheck maps, TaskCount tasks, Members members, int pid, Ptrace.Event ev) {
        // A thread seen for the first time may reuse the id of a dead one: forget the credentials
        // kept for that id before it runs (Identities). An exec recomputes the credentials.
        boolean first = tasks.seen(pid);
        if (first) {
            context.identities().forget(pid);
            endedUnannounced.remove(pid); // a new task with that id
        }
        register(members, pid); // a new task's first stop may come before its parent's event
        switch (ev.event()) {
            case Ptrace.EVENT_EXEC -> {
                context.identities().forget(pid);
                long former = pt.eventMessage(pid);
                if (former > 0 && former != pid) { // a thread exec'd: it took the leader's id
                    tasks.gone((int) former);
                    announced.remove((int) former);
                    maps.exited((int) former);
                    context.identities().forget((int) former);
                }
                members.execed(pid, (int) former);
                boolean firstExec = members.isInitial(pid) && !executed;
                if (firstExec) {
                    executed = true; // the program itself, before its first instruction
                    onFirstExec.run();
                }
                if (!exec.verify(context, pid)) {
                    // The program itself refused: syd exits as for a refused exec (spec §2).
                    if (firstExec) context.exit(dev.jsyd.abi.Errno.EACCES);
                    Signals.kill(pid, Signals.SIGKILL);
                } else if (log.lifecycle()) {
                    log.exec(pid);
                }
                pt.cont(pid, 0);
            }
            case Ptrace.EVENT_FORK, Ptrace.EVENT_VFORK, Ptrace.EVENT_CLONE -> {
                members.created(pid); // before it runs again: the new task may share its fd table
                long child = pt.eventMessage(pid);
                Boolean ended = child > 0 ? endedUnannounced.remove((int) child) : null;
                if (ended != null) { // gone already
                    if (tasks.createdGone((int) child)) pt.cont((int) child, 0);
                    maps.created(pid, (int) child);
                    if (ended) exec.forked(context, members.tgid(pid), (int) child); // a crash to count
                } else if (child > 0) {
                    TaskCount.NewTask known = tasks.created((int) child);
                    if (known != TaskCount.NewTask.HELD) context.identities().forget((int) child);
                    maps.created(pid, (int) child);
                    Members.Proc p = register(members, (int) child);
                    if (p != null) announced.add((int) child);
                    boolean process = p != null && p.tgid() == child;
                    if (process) exec.forked(context, members.tgid(pid), (int) child); // its exe is its process's
                    // Not run yet: it has the forking thread's credentials (this thread is stopped here).
                    if (known != TaskCount.NewTask.UNSURE && p != null) context.identities().inherit(pid, (int) child, p.tgid());
                    if (known == TaskCount.NewTask.HELD) pt.cont((int) child, 0);
                    if (log.lifecycle() && process) log.fork(members.tgid(pid), (int) child);
                }
                tasks.settle(pid);
                pt.cont(pid, 0);
            }
            case Ptrace.EVENT_SECCOMP -> {
                Ptrace.SeccompCall call = pt.seccompCall(pid);
                if (call == null) { // not readable: gone, or not at this stop any more; never run unchecked
                    pt.skipSyscall(pid, Errno.ENOSYS);
                    pt.cont(pid, 0);
                } else if (!maps.onSeccomp(pt, context, pid, call) && !groups.onSeccomp(pt, context, pid, call)) {
                    onTaskRequest(pt, tasks, pid, call.nr());
                }
            }
            case Ptrace.EVENT_STOP -> {
                // A group-stop carries its stop signal; other trap stops (a new child's first stop,
                // the end of a group-stop) carry SIGTRAP.
                int sig = ev.signal();
                boolean groupStop = sig == Signals.SIGSTOP || sig == 20 || sig == 21 || sig == 22;
                boolean held = !groupStop && first && holdForCreator(pt, tasks, pid);
                if (!held && (!groupStop || pt.listen(pid) < 0)) pt.cont(pid, 0); // never left in a trap stop: it would be peeked again
            }
            case 0 -> {
                if (ev.signal() != Ptrace.SYSCALL_STOP) {
                    pt.cont(pid, ev.signal()); // signal-delivery stop: deliver it
                } else if (maps.awaitsExit(pid)) {
                    maps.onSyscallExit(pt, context, pid); // an executable mapping to compare
                } else if (groups.awaitsExit(pid)) {
                    groups.onSyscallExit(pt, context, pid); // the groups a setgroups really set
                } else { // the exit of a task-creating call let through
                    tasks.settle(pid);
                    pt.cont(pid, 0);
                }
            }
            default -> pt.cont(pid, 0);
        }
    }
}
