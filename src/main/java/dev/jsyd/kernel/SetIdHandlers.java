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
 * them are notified, for two reasons:
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
 * can change; for setgroups the list is in memory, so the groups the thread really has are
 * verified at its next notified call and a process whose list was rewritten after the check is
 * killed ({@link Identities#expectGroups}). capset is continued without a decision: the supervisor
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

    public static void setgroups(Request r) throws ErrnoException {
        Identities.Task t = r.task();
        Identities ids = r.context().identities();
        ids.forget(r.pid());
        List<Sandbox.IdTransition> rules = r.sandbox().setgid();
        int size = (int) r.arg(0);
        boolean mayChange = !rules.isEmpty() || t.identity().hasCap(dev.jsyd.sys.Credentials.CAP_SETGID);
        if (!mayChange || size <= 0 || size > NGROUPS_MAX) {
            r.continueSyscall(); // the kernel refuses it (no CAP_SETGID), no groups (dropping them all), or EINVAL
            return;
        }
        int[] groups = readGroups(r, r.arg(1), size);
        if (!r.stillValid()) return;
        for (int g : groups) {
            if (own(t, false, g)) continue;
            if (Integer.compareUnsigned(g, GID_MIN) <= 0) {
                if (refusedOutright(r, "setgroups", false, t.rgid(), g)) return;
                continue;
            }
            if (!rules.isEmpty() && refused(r, "setgroups", false, rules, t.rgid(), g)) return;
        }
        int[] before = t.identity().groups();
        int[] allowed = java.util.Arrays.copyOf(groups, groups.length + before.length);
        System.arraycopy(before, 0, allowed, groups.length, before.length); // as before if the call fails
        ids.expectGroups(r.pid(), allowed);
        r.continueSyscall(); // the list is verified at the thread's next call (see the class comment)
    }

    /** capset: nothing to decide; the caller's capabilities may change. */
    public static void capset(Request r) {
        r.context().identities().forget(r.pid());
        r.continueSyscall(); // no decision is made on the arguments (see the class comment)
    }

    private static int[] readGroups(Request r, long addr, int size) throws ErrnoException {
        int[] out = new int[size];
        int chunk = 16 * 1024; // RemoteMemory reads at most 64 KiB at once
        for (int from = 0; from < size; from += chunk) {
            int n = Math.min(chunk, size - from);
            byte[] b = r.memory().read(r.pid(), addr + 4L * from, 4 * n);
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
        for (Sandbox.IdTransition rule : rules) {
            if (id(rule.from(), uid) == Integer.toUnsignedLong(from) && id(rule.to(), uid) == Integer.toUnsignedLong(to)) {
                return false;
            }
        }
        return refusedOutright(r, sys, uid, from, to);
    }

    private static boolean refusedOutright(Request r, String sys, boolean uid, int from, int to) {
        boolean trace = r.context().traceMode();
        r.credentials().privileged(() -> {
            r.context().auditSetId(new SetIdEvent(sys, r.pid(), uid, Integer.toUnsignedLong(from),
                    Integer.toUnsignedLong(to), trace ? Action.WARN : Action.DENY));
            return null;
        });
        if (trace) return false;
        r.fail(Errno.EACCES);
        return true;
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
