package dev.jsyd.kernel;

import dev.jsyd.abi.Seccomp;
import dev.jsyd.abi.Syscalls;
import dev.jsyd.bpf.ArgRule;
import dev.jsyd.policy.Action;
import dev.jsyd.policy.Sandbox;
import dev.jsyd.sys.ErrnoException;
import dev.jsyd.sys.Files;
import dev.jsyd.sys.Ptrace;
import dev.jsyd.sys.RemoteMemory;
import dev.jsyd.sys.Signals;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * setgroups, checked by the tracer (the filter hands every setgroups to it as a
 * PTRACE_EVENT_SECCOMP stop, {@link #rules}). The list is in the program's memory: another thread
 * can rewrite it between the supervisor's read and the kernel's copy, and no notified answer can
 * close that gap. So the call is checked twice:
 * <ul>
 *   <li>at its seccomp stop, the list as read now ({@link SetIdHandlers#setgroups}): refused →
 *       skipped with EACCES;</li>
 *   <li>at its syscall-exit stop, before the thread runs another instruction: the groups the kernel
 *       really gave it ({@code /proc/TID/status}) must each be a checked one or one it had before;
 *       else the list was rewritten, and the process is killed there. Credentials are per thread
 *       and only the thread itself can change them, so no other task holds the raced group.</li>
 * </ul>
 * The supervisor cannot make the call for the thread with the list it checked: setgroups changes
 * the caller's own credentials, and no call sets another task's (docs/DECISIONS.md). Owned by the
 * tracer thread.
 */
public final class GroupsCheck implements AutoCloseable {
    private final Files files = new Files();
    private final RemoteMemory memory = new RemoteMemory();
    /** Threads stopped in a setgroups let through: their process, and the groups they may have at its exit. */
    private final Map<Integer, Pending> pending = new HashMap<>();

    private record Pending(int tgid, int[] allowed) {}

    /** The filter's rule of the setgroups row: every call to the tracer. */
    static List<ArgRule> rules(Sandbox sb, Hardening.Self self) {
        return List.of(ArgRule.all(Seccomp.RET_TRACE));
    }

    /**
     * At a PTRACE_EVENT_SECCOMP stop of thread {@code tid}: when the call is setgroups, checks it,
     * resumes the thread (to the call's exit when let through) and returns true; false otherwise.
     */
    public boolean onSeccomp(Ptrace pt, SandboxContext ctx, int tid, Ptrace.SeccompCall call) {
        if (call.nr() != Syscalls.SETGROUPS) return false;
        Identities ids = ctx.identities();
        ids.forget(tid); // its credentials are about to change
        int errno;
        Pending p = null;
        try {
            Identities.Task t = ids.of(files, tid);
            long size = call.arg(0);
            if (SetIdHandlers.groupsToCheck(ctx, t, size)) {
                int[] list = SetIdHandlers.readGroups(memory, tid, call.arg(1), (int) size);
                errno = SetIdHandlers.setgroups(ctx, t, list);
                int[] before = t.identity().groups();
                int[] allowed = Arrays.copyOf(list, list.length + before.length); // as before if the call fails
                System.arraycopy(before, 0, allowed, list.length, before.length);
                p = new Pending(t.tgid(), allowed);
            } else {
                errno = 0; // no groups (size 0), the kernel's EINVAL, or no right to change them: nothing to verify
            }
        } catch (ErrnoException e) {
            errno = e.errno(); // EFAULT for an unreadable list, as the kernel; ESRCH: gone
        } finally {
            ids.forget(tid);
        }
        boolean verify = errno == 0 && p != null;
        if (verify) pending.put(tid, p);
        pt.decide(tid, errno, verify); // a list to verify: stop again at the exit of this call
        return true;
    }

    /** True when thread {@code tid}'s next syscall-exit stop is one {@link #onSeccomp} asked for. */
    public boolean awaitsExit(int tid) { return pending.containsKey(tid); }

    /** At the syscall-exit stop of a setgroups let through: verifies the groups the thread got; resumes it. */
    public void onSyscallExit(Ptrace pt, SandboxContext ctx, int tid) {
        Pending p = pending.remove(tid);
        ctx.identities().forget(tid);
        String status = files.readSmallFile("/proc/" + tid + "/status");
        Identities.Task now = status == null ? null : Identities.parse(tid, status);
        long bad = now == null ? -1 : unchecked(now.identity().groups(), p.allowed());
        if (now == null || bad >= 0) {
            // A rewritten list (or credentials that cannot be read): killed whatever the action, also
            // in trace mode. The thread is stopped: it never returns to user space.
            ctx.auditSetId(new SetIdEvent("setgroups", tid, false, now == null ? -1 : Integer.toUnsignedLong(now.rgid()),
                    bad, Action.KILL));
            Signals.kill(p.tgid(), Signals.SIGKILL);
        }
        pt.cont(tid, 0);
    }

    /** A group of {@code groups} (unsigned) that is not in {@code allowed}, or -1 when there is none. */
    private static long unchecked(int[] groups, int[] allowed) {
        for (int g : groups) {
            boolean ok = false;
            for (int a : allowed) ok |= a == g;
            if (!ok) return Integer.toUnsignedLong(g);
        }
        return -1;
    }

    /** Thread {@code tid} is gone. */
    public void exited(int tid) { pending.remove(tid); }

    @Override
    public void close() {
        files.close();
        memory.close();
    }
}
