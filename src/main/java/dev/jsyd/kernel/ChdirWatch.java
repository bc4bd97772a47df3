package dev.jsyd.kernel;

import dev.jsyd.abi.OpenFlags;
import dev.jsyd.policy.Action;
import dev.jsyd.policy.Category;
import dev.jsyd.sys.Files;
import dev.jsyd.sys.Signals;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Closes the chdir race. A chdir cannot be emulated, so an allowed one is answered CONTINUE and
 * the kernel resolves the path again — another thread may have swapped it. So the identity
 * (device, inode) of the directory that was checked is recorded, and at the sandbox's next
 * notified call the real cwd of that thread ({@code /proc/TID/cwd}) is compared with it; if the
 * chdir landed elsewhere, the directory it landed in is checked against the chdir rules and the
 * process is killed when it is denied, before any later call of it is served. One per sandbox.
 */
public final class ChdirWatch {
    private record Expected(long dev, long ino, long prevDev, long prevIno) {
        boolean is(byte[] st) { return le64(st, 0) == dev && le64(st, 8) == ino; }
        boolean was(byte[] st) { return le64(st, 0) == prevDev && le64(st, 8) == prevIno; }
    }

    private final Map<Integer, Expected> pending = new ConcurrentHashMap<>();

    /** Records the directory a continued chdir of {@code tid} must land in (and where it is now). */
    void expect(Request r, int tid, byte[] target) {
        byte[] now = cwdStat(r, tid);
        if (target == null || now == null) return;
        pending.put(tid, new Expected(le64(target, 0), le64(target, 8), le64(now, 0), le64(now, 8)));
    }

    /** Task {@code tid} is gone: a later task with the same id has nothing to verify. */
    public void forget(int tid) {
        if (!pending.isEmpty()) pending.remove(tid);
    }

    /** True when some chdir waits to be verified (one volatile read on the hot path). */
    public boolean hasPending() { return !pending.isEmpty(); }

    /**
     * Verifies the pending chdir of the thread making request {@code r}, if any: its next call
     * comes strictly after the continued chdir ran. (Another thread sharing the cwd is not
     * verified: its call may race with the chdir itself.) Returns true when the process was
     * killed: the request must then not be served.
     */
    public boolean verify(Request r) {
        int tid = r.pid();
        Expected e = pending.remove(tid);
        if (e == null) return false;
        byte[] now = cwdStat(r, tid);
        if (now == null || e.is(now) || e.was(now)) return false; // landed where checked, or failed
        String cwd = "/proc/" + tid + "/cwd";
        String real = r.ownProcLook(cwd, () -> r.files().readlinkat(OpenFlags.AT_FDCWD, cwd));
        if (real == null) { // deeper than /proc prints: named by the resolver
            real = r.ownProcLook(cwd, () -> {
                int fd = r.files().openat(OpenFlags.AT_FDCWD, cwd, OpenFlags.O_PATH | OpenFlags.O_DIRECTORY | OpenFlags.O_CLOEXEC, 0);
                if (fd < 0) return null;
                try {
                    return r.resolver().pathOf(fd);
                } finally {
                    Files.close(fd);
                }
            });
        }
        dev.jsyd.policy.Sandbox sb = r.sandbox();
        if (real == null || !sb.enabled(Category.CHDIR)) return false;
        Action a = sb.checkPath(Category.CHDIR, real);
        if (!a.denies() || !Enforcement.apply(r.context(), tid, Category.CHDIR, a, "chdir", real, null, -1)) return false;
        r.credentials().privileged(() -> Signals.kill(tid, Signals.SIGKILL)); // it is already in a directory it may not enter
        return true;
    }

    /** The raw stat of thread {@code tid}'s cwd (its own /proc entry, see {@link Request#ownProcLook}). */
    private static byte[] cwdStat(Request r, int tid) {
        String cwd = "/proc/" + tid + "/cwd";
        return r.ownProcLook(cwd, () -> r.files().fstatat(OpenFlags.AT_FDCWD, cwd, 0));
    }

    private static long le64(byte[] b, int off) {
        long v = 0;
        for (int i = 7; i >= 0; i--) v = (v << 8) | (b[off + i] & 0xffL);
        return v;
    }

    /** The raw stat of a checked chdir target, for {@link #expect}. */
    static byte[] statOf(Files files, PathArgs.Target t) {
        return files.fstatat(t.atDir(), t.atName(), t.atFlags());
    }
}
