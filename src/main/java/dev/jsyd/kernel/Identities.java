package dev.jsyd.kernel;

import dev.jsyd.abi.Errno;
import dev.jsyd.sys.Credentials;
import dev.jsyd.sys.ErrnoException;
import dev.jsyd.sys.Files;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The credentials of every thread of one sandbox, read from {@code /proc/TID/status} the first
 * time a thread makes a notified call and kept until they can have changed. A thread's
 * credentials change only through its own calls, each of which is seen first:
 * <ul>
 *   <li>the set*id family and capset are always notified ({@link SetIdHandlers}), setgroups always
 *       stops in the tracer ({@link GroupsCheck}), and each forgets the caller's entry before it is
 *       let through;</li>
 *   <li>an exec (which recomputes the capabilities) is seen by the tracer at its exec stop, before
 *       the new image runs;</li>
 *   <li>a new thread or process is seen by the tracer before it runs, so an entry left by a dead
 *       thread whose id was reused is forgotten; so is the entry of a thread that exited.</li>
 * </ul>
 * A thread is blocked in its call while a worker serves it, so no entry can be refilled with old
 * credentials between the forgetting and the change. Equal identities are shared (one object),
 * so a worker sees with one comparison that it already holds the identity of the next call.
 */
public final class Identities {
    /**
     * One thread's credentials: thread-group id, real/effective/saved/fs uids and gids, what an
     * emulated call of it borrows ({@link Credentials.Identity}), and what access(2) and
     * faccessat(2) without AT_EACCESS are checked with: the real uid and gid, with the permitted
     * capabilities when the real uid is 0 and none otherwise (as the kernel overrides them).
     */
    public record Task(int tid, int tgid, int[] uids, int[] gids, Credentials.Identity identity,
                       Credentials.Identity accessIdentity) {
        public int ruid() { return uids[0]; }
        public int rgid() { return gids[0]; }

        /** True when {@code id} is one of the real, effective or saved ids (a no-op for set*id). */
        public boolean ownUid(int id) { return id == uids[0] || id == uids[1] || id == uids[2]; }
        public boolean ownGid(int id) { return id == gids[0] || id == gids[1] || id == gids[2]; }
    }

    private final boolean userNamespaces;
    private final boolean keep;
    private final Map<Integer, Task> tasks = new ConcurrentHashMap<>();
    private final Map<Credentials.Identity, Credentials.Identity> shared = new ConcurrentHashMap<>();

    /**
     * {@code userNamespaces}: the program may live in a user namespace of its own (the launcher
     * makes one, or the policy lets the program make one). Its capabilities then may be those of
     * that namespace, which mean nothing outside it: the calls of a thread in another user namespace
     * than the supervisor's are made with no capabilities at all. {@code unseenChanges}: the program
     * may move threads into new user namespaces with unshare/setns, which are not notified; then
     * nothing is kept and the credentials are read at every call.
     */
    public Identities(boolean userNamespaces, boolean unseenChanges) {
        this.userNamespaces = userNamespaces;
        this.keep = !unseenChanges;
    }

    /** The credentials of thread {@code tid}, read when not known (ESRCH when the thread is gone). */
    public Task of(Files files, int tid) throws ErrnoException {
        Task t = tasks.get(tid);
        if (t != null) return t;
        String status = files.readSmallFile("/proc/" + tid + "/status");
        if (status == null) throw new ErrnoException("read /proc/" + tid + "/status", Errno.ESRCH);
        t = parse(tid, status);
        if (t == null) throw new ErrnoException("parse /proc/" + tid + "/status", Errno.EACCES);
        if (userNamespaces && !sameUserNamespace(files, tid)) t = withoutCapabilities(t);
        t = new Task(tid, t.tgid(), t.uids(), t.gids(), share(t.identity()), share(t.accessIdentity()));
        if (keep) tasks.put(tid, t);
        return t;
    }

    private Credentials.Identity share(Credentials.Identity id) {
        Credentials.Identity known = shared.putIfAbsent(id, id);
        return known != null ? known : id;
    }

    private static Task withoutCapabilities(Task t) {
        Credentials.Identity i = t.identity(), a = t.accessIdentity();
        return new Task(t.tid(), t.tgid(), t.uids(), t.gids(), new Credentials.Identity(i.fsuid(), i.fsgid(), i.groups(), 0),
                new Credentials.Identity(a.fsuid(), a.fsgid(), a.groups(), 0));
    }

    /** True when thread {@code tid} is in the supervisor's user namespace (false when that cannot be told). */
    private static boolean sameUserNamespace(Files files, int tid) {
        String own = files.readlinkat(dev.jsyd.abi.OpenFlags.AT_FDCWD, "/proc/self/ns/user");
        String its = Credentials.ofThread().withCaps(Credentials.bit(Credentials.CAP_SYS_PTRACE),
                () -> files.readlinkat(dev.jsyd.abi.OpenFlags.AT_FDCWD, "/proc/" + tid + "/ns/user"));
        return own != null && own.equals(its);
    }

    /** Forgets what is known of {@code tid}: it is about to change its credentials, exec, or is new or gone. */
    public void forget(int tid) { tasks.remove(tid); }

    /** Parses {@code /proc/TID/status}; null when a field is missing. */
    static Task parse(int tid, String status) {
        long[] tgid = numbers(status, "Tgid:", 10);
        long[] uid = numbers(status, "Uid:", 10);
        long[] gid = numbers(status, "Gid:", 10);
        long[] groups = numbers(status, "Groups:", 10);
        long[] capPrm = numbers(status, "CapPrm:", 16);
        long[] capEff = numbers(status, "CapEff:", 16);
        if (tgid == null || tgid.length != 1 || uid == null || uid.length != 4 || gid == null || gid.length != 4
                || groups == null || capPrm == null || capPrm.length != 1 || capEff == null || capEff.length != 1) {
            return null;
        }
        int[] uids = toInts(uid), gids = toInts(gid), gs = toInts(groups);
        return new Task(tid, (int) tgid[0], uids, gids, new Credentials.Identity(uids[3], gids[3], gs, capEff[0]),
                new Credentials.Identity(uids[0], gids[0], gs, uids[0] == 0 ? capPrm[0] : 0));
    }

    /** The numbers after {@code key} at the start of a line, up to the end of that line; null without the line. */
    private static long[] numbers(String status, String key, int radix) {
        int i;
        if (status.startsWith(key)) {
            i = key.length();
        } else {
            int line = status.indexOf("\n" + key);
            if (line < 0) return null;
            i = line + 1 + key.length();
        }
        int end = status.indexOf('\n', i);
        String words = status.substring(i, end < 0 ? status.length() : end).trim();
        if (words.isEmpty()) return new long[0];
        String[] w = words.split("[ \t]+");
        long[] out = new long[w.length];
        try {
            for (int k = 0; k < w.length; k++) out[k] = Long.parseUnsignedLong(w[k], radix);
        } catch (NumberFormatException e) {
            return null;
        }
        return out;
    }

    private static int[] toInts(long[] v) {
        int[] out = new int[v.length];
        for (int k = 0; k < v.length; k++) out[k] = (int) v[k];
        return out;
    }
}
