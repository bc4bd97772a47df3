package dev.jsyd.kernel;

import dev.jsyd.abi.Errno;
import dev.jsyd.policy.Action;
import dev.jsyd.policy.Sandbox;
import dev.jsyd.sys.ErrnoException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * The calls that change a thread's credentials: the set*id family, setgroups and capset. All of
 * them reach the supervisor (setgroups through the tracer), for two reasons:
 * <ul>
 *   <li><b>Identity tracking.</b> Each forgets the caller's entry in {@link Identities} before it
 *       is let through, so the next emulated call of that thread is made with its new
 *       credentials.</li>
 *   <li><b>SafeSetID</b> (syd.7, catalogue §3.7). With {@code setuid+FROM:TO} rules (names or
 *       numbers) a uid change is allowed only to one of the thread's own real, effective or saved
 *       uids, or along a rule from its real uid; likewise for gids with {@code setgid+} rules,
 *       setgroups included (every listed group). A refused transition is answered EACCES and
 *       logged ({@code "ctx":"safesetid"}, with the rule that would allow it as the tip); in trace
 *       mode it is logged and let through. Transitions to uid ≤ 11 and gid ≤ 14 are refused
 *       whatever the rules: in the filter ({@link Hardening}), except the ids the program started
 *       with, which reach this handler and are refused here unless they are the caller's own.
 *       Without rules for a kind of id the kernel decides alone, and the program has no
 *       CAP_SETUID/CAP_SETGID to change it with (the launcher keeps them only when there are
 *       rules).</li>
 * </ul>
 * An allowed call is answered CONTINUE: the set*id arguments are registers, which no other thread
 * can change. setgroups is not notified but handed to the tracer ({@link GroupsCheck}): its list
 * is in memory another thread can rewrite after the check, so the groups the kernel really set are
 * verified at the call's exit, before the thread returns to user space, and a process whose list
 * was rewritten is killed there. capset is continued without a decision: the supervisor
 * only forgets what it knew. (A new user namespace also changes a thread's capabilities; when the
 * policy allows them, {@link Identities} reads the credentials afresh at every call.)
 */
public final class SetIdHandlers {
    private SetIdHandlers() {}

    /** Kernel-side floors (syd.7): no transition to these uids and gids or below. */
    public static final int UID_MIN = 11, GID_MIN = 14;
    private static final int NGROUPS_MAX = 65536;

    public static void setuid(Request r) { ids(r, "setuid", true, false, r.arg(0)); }
    public static void setgid(Request r) { ids(r, "setgid", false, false, r.arg(0)); }
    public static void setreuid(Request r) { ids(r, "setreuid", true, false, r.arg(0), r.arg(1)); }
    public static void setregid(Request r) { ids(r, "setregid", false, false, r.arg(0), r.arg(1)); }
    public static void setresuid(Request r) { ids(r, "setresuid", true, false, r.arg(0), r.arg(1), r.arg(2)); }
    public static void setresgid(Request r) { ids(r, "setresgid", false, false, r.arg(0), r.arg(1), r.arg(2)); }
    public static void setfsuid(Request r) { ids(r, "setfsuid", true, true, r.arg(0)); }
    public static void setfsgid(Request r) { ids(r, "setfsgid", false, true, r.arg(0)); }

    /**
     * A set*id call with these id arguments (-1 = unchanged); {@code fs}: setfsuid/setfsgid, for
     * which the current fs id is one of the thread's own too.
     */
    private static void ids(Request r, String sys, boolean uid, boolean fs, long... args) {
        Identities.Task t = r.task();
        r.context().identities().forget(r.pid());
        List<Sandbox.IdTransition> rules = uid ? r.sandbox().setuid() : r.sandbox().setgid();
        int from = uid ? t.ruid() : t.rgid();
        for (long a : args) {
            int id = (int) a;
            if (id == -1 || own(t, uid, id) || (fs && id == (uid ? t.uids()[3] : t.gids()[3]))) continue;
            // The floor (the filter let through only the ids the program started with).
            if (Integer.compareUnsigned(id, uid ? UID_MIN : GID_MIN) <= 0) {
                if (refusedOutright(r, sys, uid, from, id)) return;
                continue;
            }
            if (!rules.isEmpty() && refused(r, sys, uid, rules, from, id)) return;
        }
        r.continueSyscall(); // scalar arguments (registers): see the class comment
    }

    /**
     * setgroups of thread {@code t} with the list {@code groups} (as read from its memory at its
     * seccomp stop, {@link GroupsCheck}): 0 when it may go on, else the errno to answer (refusals
     * logged). Every listed group must be one of the thread's own gids, or reached by a
     * {@code setgid+} rule from its real gid; a gid ≤ 14 only when it is its own.
     */
    static int setgroups(SandboxContext ctx, Identities.Task t, int[] groups) {
        List<Sandbox.IdTransition> rules = ctx.sandbox().setgid();
        for (int g : groups) {
            if (own(t, false, g)) continue;
            boolean floor = Integer.compareUnsigned(g, GID_MIN) <= 0;
            if ((floor || (!rules.isEmpty() && !ruleLeads(rules, false, t.rgid(), g)))
                    && refusal(ctx, t.tid(), "setgroups", false, t.rgid(), g)) {
                return Errno.EACCES;
            }
        }
        return 0;
    }

    /**
     * True when setgroups of thread {@code t} with {@code size} groups must have its list read and
     * checked: the thread could change its groups (setgid+ rules, or it holds CAP_SETGID) and the size
     * is one the kernel accepts (0 drops every group; the kernel refuses the rest itself).
     */
    static boolean groupsToCheck(SandboxContext ctx, Identities.Task t, long size) {
        boolean mayChange = !ctx.sandbox().setgid().isEmpty() || t.identity().hasCap(dev.jsyd.sys.Credentials.CAP_SETGID);
        return mayChange && size > 0 && size <= NGROUPS_MAX;
    }

    /** capset: nothing to decide; the caller's capabilities may change. */
    public static void capset(Request r) {
        r.context().identities().forget(r.pid());
        r.continueSyscall(); // no decision is made on the arguments (see the class comment)
    }

    /** The {@code size} gids at {@code addr} in thread {@code tid}'s memory. */
    static int[] readGroups(dev.jsyd.sys.RemoteMemory memory, int tid, long addr, int size) throws ErrnoException {
        int[] out = new int[size];
        int chunk = 16 * 1024; // RemoteMemory reads at most 64 KiB at once
        for (int from = 0; from < size; from += chunk) {
            int n = Math.min(chunk, size - from);
            byte[] b = memory.read(tid, addr + 4L * from, 4 * n);
            for (int k = 0; k < n; k++) {
                out[from + k] = (b[4 * k] & 0xff) | (b[4 * k + 1] & 0xff) << 8 | (b[4 * k + 2] & 0xff) << 16
                        | (b[4 * k + 3] & 0xff) << 24;
            }
        }
        return out;
    }

    private static boolean own(Identities.Task t, boolean uid, int id) {
        return uid ? t.ownUid(id) : t.ownGid(id);
    }

    /** Checks {@code from → to} against the rules; false when allowed, else answered (true, EACCES) or only logged (trace mode). */
    private static boolean refused(Request r, String sys, boolean uid, List<Sandbox.IdTransition> rules, int from, int to) {
        return !ruleLeads(rules, uid, from, to) && refusedOutright(r, sys, uid, from, to);
    }

    /** True when a rule leads from {@code from} to {@code to}. */
    private static boolean ruleLeads(List<Sandbox.IdTransition> rules, boolean uid, int from, int to) {
        for (Sandbox.IdTransition rule : rules) {
            if (id(rule.from(), uid) == Integer.toUnsignedLong(from) && id(rule.to(), uid) == Integer.toUnsignedLong(to)) {
                return true;
            }
        }
        return false;
    }

    private static boolean refusedOutright(Request r, String sys, boolean uid, int from, int to) {
        if (!r.credentials().privileged(() -> refusal(r.context(), r.pid(), sys, uid, from, to))) return false;
        r.fail(Errno.EACCES);
        return true;
    }

    /** Logs the transition {@code from → to} SafeSetID refuses; true when it is refused, false in trace mode (only logged). */
    private static boolean refusal(SandboxContext ctx, int pid, String sys, boolean uid, int from, int to) {
        boolean trace = ctx.traceMode();
        ctx.auditSetId(new SetIdEvent(sys, pid, uid, Integer.toUnsignedLong(from), Integer.toUnsignedLong(to),
                trace ? Action.WARN : Action.DENY));
        return !trace;
    }

    /**
     * A rule's id: a number, or a user (group) name looked up in {@code /etc/passwd}
     * ({@code /etc/group}) of the host; -1 when there is no such name.
     */
    static long id(String nameOrNumber, boolean uid) {
        long n = number(nameOrNumber);
        if (n >= 0) return n;
        try {
            for (String line : java.nio.file.Files.readAllLines(Path.of(uid ? "/etc/passwd" : "/etc/group"),
                    StandardCharsets.ISO_8859_1)) {
                String[] f = line.split(":", -1);
                if (f.length > 2 && f[0].equals(nameOrNumber)) return number(f[2]);
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }

    /** A decimal id (0 .. 2^32-1), or -1. */
    private static long number(String s) {
        if (s.isEmpty() || !s.chars().allMatch(c -> c >= '0' && c <= '9')) return -1;
        try {
            return Integer.toUnsignedLong(Integer.parseUnsignedInt(s));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
