package dev.jsyd.supervisor;

import dev.jsyd.kernel.ExecCheck;
import dev.jsyd.kernel.MapCheck;
import dev.jsyd.kernel.SandboxContext;
import dev.jsyd.sys.ErrnoException;
import dev.jsyd.sys.PidFd;
import dev.jsyd.sys.Ptrace;
import dev.jsyd.sys.Signals;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

/**
 * The tracer thread: the one thread that ptraces every process of the sandbox and waits for all
 * of them. It seizes the first process (EXITKILL: if the supervisor dies, every traced process
 * dies with it), follows forks, vforks and clones automatically, and at each PTRACE_EVENT_EXEC
 * stop checks the file the kernel really executed ({@link ExecCheck}); a denied
 * one is killed before it runs an instruction. Signals pass through unchanged, group-stops are
 * kept (PTRACE_LISTEN) so job control works. The first process's exit status is its result.
 *
 * <p>It waits only for its own tracees ({@code __WNOTHREAD}): the first process is a child of the
 * supervisor thread but seized by this one, so its exit is reported here; children that other
 * threads of the JVM started (ProcessBuilder) and the tracees of other sandboxes in the same JVM
 * are never reaped by it.
 */
final class Tracer implements Runnable {
    private static final int OPTIONS = Ptrace.O_TRACEFORK | Ptrace.O_TRACEVFORK | Ptrace.O_TRACECLONE
            | Ptrace.O_TRACEEXEC | Ptrace.O_EXITKILL | Ptrace.O_TRACESECCOMP | Ptrace.O_TRACESYSGOOD;

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
    /** Processes (not threads) whose exit is logged as a lifecycle record. */
    private final Set<Integer> logged = new HashSet<>();

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
        Set<Integer> known = new HashSet<>();
        try (Ptrace pt = new Ptrace(); ExecCheck exec = new ExecCheck(); MapCheck maps = new MapCheck()) {
            int r = pt.seize(mainPid, OPTIONS);
            seizeError = r;
            seized.countDown();
            if (r < 0) return;
            known.add(mainPid);
            processes.add(mainPid);
            logged.add(mainPid);
            boolean mainDone = false;
            while (true) {
                Ptrace.Event ev = pt.waitAny();
                if (ev == null) break;
                int pid = ev.pid();
                switch (ev.code()) {
                    case Ptrace.CLD_EXITED, Ptrace.CLD_KILLED, Ptrace.CLD_DUMPED -> {
                        known.remove(pid);
                        exec.exited(context, pid, ev.code(), ev.status());
                        maps.exited(pid);
                        processes.remove(pid);
                        if (logged.remove(pid)) {
                            boolean exited = ev.code() == Ptrace.CLD_EXITED;
                            log.exit(pid, exited ? ev.status() : -1, exited ? -1 : ev.status());
                        }
                        if (pid == mainPid) {
                            mainDone = true;
                            mainExit.complete(new PidFd.Exit(ev.code(), ev.status()));
                            if (!waitAll) for (int other : known) Signals.kill(other, Signals.SIGKILL);
                        }
                        if (mainDone && known.isEmpty()) allGone.complete(null);
                    }
                    case Ptrace.CLD_TRAPPED -> onStop(pt, exec, maps, known, pid, ev);
                    default -> { }
                }
            }
        } catch (ErrnoException | RuntimeException e) {
            seized.countDown();
            mainExit.completeExceptionally(e);
        } finally {
            mainExit.complete(new PidFd.Exit(PidFd.CLD_KILLED, Signals.SIGKILL));
            allGone.complete(null);
        }
    }

    /** Live processes (thread-group leaders) of the sandbox, for {@code pid/max}. */
    private final Set<Integer> processes = new HashSet<>();

    /**
     * PID sandboxing ({@code sandbox/pid:on} with {@code pid/max:N}): a new process beyond N live
     * processes is killed before it runs, and the parent's fork still returns (the child is
     * simply gone), as Syd's pid limit does. Threads do not count.
     */
    private void limitProcesses(int parent, int child) {
        dev.jsyd.policy.Sandbox sb = context.sandbox();
        long max = sb.enabled(dev.jsyd.policy.Category.PID) ? sb.pidMax().orElse(0) : 0;
        if (max <= 0) return;
        if (processes.size() < max) {
            processes.add(child);
            return;
        }
        Signals.kill(child, Signals.SIGKILL);
        context.audit(new dev.jsyd.kernel.AccessEvent(dev.jsyd.policy.Category.PID, dev.jsyd.policy.Action.KILL, "fork",
                parent, null, null, -1, 0, "configure `pid/max:" + (max + 1) + "'"));
    }

    /** True when {@code tid} leads its thread group (a process, not a thread). */
    private static boolean isProcess(int tid) {
        return tgid(tid) == tid;
    }

    /** The thread group (process) of thread {@code tid}, or -1. */
    private static int tgid(int tid) {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/" + tid + "/status"))) {
                if (line.startsWith("Tgid:")) return Integer.parseInt(line.substring(5).trim());
            }
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private void onStop(Ptrace pt, ExecCheck exec, MapCheck maps, Set<Integer> known, int pid, Ptrace.Event ev) {
        known.add(pid);
        switch (ev.event()) {
            case Ptrace.EVENT_EXEC -> {
                boolean firstExec = pid == mainPid && !executed;
                if (firstExec) {
                    executed = true; // the program itself, before its first instruction
                    onFirstExec.run();
                }
                maps.executed(pid);
                if (!exec.verify(context, pid)) {
                    // The program itself refused: syd exits as for a refused exec (spec §2).
                    if (pid == mainPid && firstExec) context.exit(dev.jsyd.abi.Errno.EACCES);
                    Signals.kill(pid, Signals.SIGKILL);
                } else if (log.lifecycle()) {
                    log.exec(pid);
                }
                pt.cont(pid, 0);
            }
            case Ptrace.EVENT_SECCOMP -> maps.onSeccomp(pt, context, pid);
            case Ptrace.EVENT_FORK, Ptrace.EVENT_VFORK, Ptrace.EVENT_CLONE -> {
                long child = pt.eventMessage(pid);
                if (child > 0) {
                    known.add((int) child);
                    maps.created(pid, (int) child);
                    if (ev.event() != Ptrace.EVENT_CLONE) exec.forked(pid, (int) child);
                    if (ev.event() != Ptrace.EVENT_CLONE || isProcess((int) child)) {
                        limitProcesses(pid, (int) child);
                        if (log.lifecycle()) {
                            logged.add((int) child);
                            log.fork(tgid(pid), (int) child);
                        }
                    }
                }
                pt.cont(pid, 0);
            }
            case Ptrace.EVENT_STOP -> {
                // A group-stop carries its stop signal; other trap stops (a new child's first stop,
                // the end of a group-stop) carry SIGTRAP.
                int sig = ev.signal();
                boolean groupStop = sig == Signals.SIGSTOP || sig == 20 || sig == 21 || sig == 22;
                if (groupStop) pt.listen(pid);
                else pt.cont(pid, 0);
            }
            case 0 -> {
                if (ev.signal() == Ptrace.SYSCALL_STOP) maps.onSyscallExit(pt, context, pid); // asked for by MapCheck
                else pt.cont(pid, ev.signal()); // signal-delivery stop: deliver it
            }
            default -> pt.cont(pid, 0);
        }
    }
}
