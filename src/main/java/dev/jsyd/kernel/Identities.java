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
    /** The supervisor's own user namespace ({@code user:[inode]}), read once: it never enters another. */
    private volatile String ownUserNamespace;

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

    /**
     * Task {@code child} of thread group {@code tgid} was just created by thread {@code parent}, and
     * neither has run since: the parent is stopped in its fork/vfork/clone event and the child has
     * not been let go from its first stop. The kernel gave the child a copy of the parent thread's
     * credentials, so the parent's entry, when one is kept, is the child's too; the child's first
     * notified call then reads no {@code /proc/TID/status}. The parent's entry is exact: it is
     * forgotten before every credential change the parent can make (set*id, setgroups, capset, exec),
     * and a thread stopped in an event makes none. Nothing is copied when nothing is kept (the
     * program may enter new user namespaces unseen: a CLONE_NEWUSER child has other capabilities).
     */
    public void inherit(int parent, int child, int tgid) {
        if (!keep) return;
        Task p = tasks.get(parent);
        if (p != null) tasks.put(child, new Task(child, tgid, p.uids(), p.gids(), p.identity(), p.accessIdentity()));
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
    private boolean sameUserNamespace(Files files, int tid) {
        String own = ownUserNamespace;
        if (own == null) ownUserNamespace = own = files.readlinkat(dev.jsyd.abi.OpenFlags.AT_FDCWD, "/proc/self/ns/user");
        String its = Credentials.ofThread().withCaps(Credentials.bit(Credentials.CAP_SYS_PTRACE),
                () -> files.readlinkat(dev.jsyd.abi.OpenFlags.AT_FDCWD, "/proc/" + tid + "/ns/user"));
        return own != null && own.equals(its);
    }

    /** True when entries are kept between calls (else every call reads the credentials). */
    public boolean keeps() { return keep; }

    /** Forgets what is known of {@code tid}: it is about to change its credentials, exec, or is new or gone. */
    public void forget(int tid) { tasks.remove(tid); }

    /**
     * Parses {@code /proc/TID/status}; null when a field is missing or malformed. One pass forward
     * over the record (its lines come in the kernel's fixed order), no regex, no substrings.
     */
    static Task parse(int tid, String status) {
        StatusScanner in = new StatusScanner(status);
        long[] tgid = in.numbers("Tgid:", 10), uid = in.numbers("Uid:", 10), gid = in.numbers("Gid:", 10),
                groups = in.numbers("Groups:", 10), capPrm = in.numbers("CapPrm:", 16), capEff = in.numbers("CapEff:", 16);
        if (tgid == null || tgid.length != 1 || uid == null || uid.length != 4 || gid == null || gid.length != 4
                || groups == null || capPrm == null || capPrm.length != 1 || capEff == null || capEff.length != 1) {
            return null;
        }
        int[] uids = toInts(uid), gids = toInts(gid), gs = toInts(groups);
        return new Task(tid, (int) tgid[0], uids, gids, new Credentials.Identity(uids[3], gids[3], gs, capEff[0]),
                new Credentials.Identity(uids[0], gids[0], gs, uids[0] == 0 ? capPrm[0] : 0));
    }

    /** Reads the numbers of named lines of a status record, in the order they appear. */
    private static final class StatusScanner {
        private final String s;
        private int at;

        StatusScanner(String s) { this.s = s; }

        /**
         * The unsigned numbers after {@code key} at the start of a line at or after the cursor, up
         * to the end of that line; null without such a line, or with a word that is no number (or
         * does not fit 64 bits). The cursor moves to the end of the line.
         */
        long[] numbers(String key, int radix) {
            int i;
            if (at == 0 && s.startsWith(key)) {
                i = key.length();
            } else {
                int line = s.indexOf("\n" + key, at);
                if (line < 0) return null;
                i = line + 1 + key.length();
            }
            int end = s.indexOf('\n', i);
            if (end < 0) end = s.length();
            at = end;
            long[] out = new long[8];
            int n = 0;
            while (true) {
                while (i < end && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) i++;
                if (i == end) break;
                long v = 0;
                int start = i;
                for (; i < end && s.charAt(i) != ' ' && s.charAt(i) != '\t'; i++) {
                    int d = Character.digit(s.charAt(i), radix);
                    if (d < 0 || i - start >= (radix == 16 ? 16 : 18)) return null;
                    v = v * radix + d;
                }
                if (n == out.length) out = java.util.Arrays.copyOf(out, n * 2);
                out[n++] = v;
            }
            return n == out.length ? out : java.util.Arrays.copyOf(out, n);
        }
    }

    private static int[] toInts(long[] v) {
        int[] out = new int[v.length];
        for (int k = 0; k < v.length; k++) out[k] = (int) v[k];
        return out;
    }
}
