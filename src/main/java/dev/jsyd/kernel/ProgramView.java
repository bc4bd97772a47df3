package dev.jsyd.kernel;

import dev.jsyd.sys.Files;

/**
 * How the program sees the system, where that differs from the supervisor's view: the one place
 * that translates between the two (docs/CONFINE.md).
 * <ul>
 *   <li>{@code rootFd}: an O_PATH fd of the program's root directory in its own mount namespace
 *       ({@code /proc/PID/root}, opened once the launcher made its mounts), or -1 when the program
 *       shares the supervisor's mounts and root. Absolute paths the program names are resolved
 *       from it, so bind mounts, a new root and a private {@code /proc} are seen as the program
 *       sees them.</li>
 *   <li>{@code pidNamespace}: the program has a pid namespace of its own. Notifications and
 *       ptrace carry pids in the supervisor's namespace; the supervisor's pid cannot be named
 *       from inside.</li>
 *   <li>{@code privateProc}: {@code /proc} in the program's view is the proc of that pid
 *       namespace, so numbers in {@code /proc/N} paths are pids of the program's namespace.</li>
 *   <li>{@code launcherPid}: the launcher that forked the program and waits outside for it (0:
 *       none); hidden in {@code /proc} like the supervisor.</li>
 *   <li>{@code landlock}: the program's Landlock domain, which emulated calls respect.</li>
 * </ul>
 */
public record ProgramView(int rootFd, boolean pidNamespace, boolean privateProc, int launcherPid, LandlockMirror landlock) {
    /** The program sees what the supervisor sees. */
    public static final ProgramView HOST = new ProgramView(-1, false, false, 0, LandlockMirror.NONE);

    /** The same view with the program's Landlock domain. */
    public ProgramView withLandlock(LandlockMirror mirror) {
        return new ProgramView(rootFd, pidNamespace, privateProc, launcherPid, mirror);
    }

    /**
     * The program-side ids of thread {@code tid} (a supervisor-side tid): {tid, tgid} as the
     * program's {@code /proc} names them; null when the thread is gone.
     */
    public int[] local(Files files, int tid) {
        String status = files.readSmallFile("/proc/" + tid + "/status");
        if (status == null) return null;
        int tgid = lastField(status, privateProc ? "\nNStgid:" : "\nTgid:");
        int pid = privateProc ? lastField(status, "\nNSpid:") : tid;
        return tgid < 0 || pid < 0 ? null : new int[] {pid, tgid};
    }

    /** The last number on the line starting with {@code key} (the innermost namespace's), or -1. */
    private static int lastField(String status, String key) {
        int i = status.indexOf(key);
        if (i < 0) return -1;
        int end = status.indexOf('\n', i + 1);
        if (end < 0) end = status.length();
        int j = end - 1;
        while (j > i && !Character.isDigit(status.charAt(j))) j--;
        int v = 0, mul = 1;
        boolean any = false;
        while (j > i && Character.isDigit(status.charAt(j))) {
            v += (status.charAt(j--) - '0') * mul;
            mul *= 10;
            any = true;
        }
        return any ? v : -1;
    }
}
