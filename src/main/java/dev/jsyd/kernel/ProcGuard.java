package dev.jsyd.kernel;

import dev.jsyd.abi.Errno;
import dev.jsyd.sys.Files;

/**
 * Hides the supervisor's {@code /proc/PID} (and every {@code /proc/TID} of its threads) from the
 * sandbox: a path that walks into one resolves as if it did not exist (ENOENT). The supervisor
 * opens files as itself, so without this an emulated open of {@code /proc/<syd>/mem},
 * {@code environ}, {@code maps} or {@code fd/N} would hand the program the supervisor's memory,
 * secrets and file descriptors (its seccomp listener among them).
 *
 * <p>Race-free without holding the directory: a pid is checked when it is entered. If it does not
 * exist the answer is ENOENT, as the kernel would give at that moment. If it exists and is not
 * the supervisor's, it can only ever name a supervisor thread after that process has died and
 * the pid counter has wrapped around the whole pid space, which cannot happen within one walk.
 */
final class ProcGuard {
    private ProcGuard() {}

    /** The supervisor's process id (this JVM). */
    static final int SELF = dev.jsyd.sys.Signals.getpid();

    /**
     * Called by the resolver, resolving for thread {@code tid}, for each component {@code name}
     * met in directory {@code dir}.
     */
    static void check(Files files, int tid, CharSequence dir, String name, int launcherPid) throws ResolveException {
        if (isNumber(name) && dir.length() == 5 && dir.toString().equals("/proc")) checkPid(files, tid, name, launcherPid);
    }

    /** Called by the resolver for a start directory (cwd or dirfd) given as an absolute path. */
    static void checkStart(Files files, int tid, String path, int launcherPid) throws ResolveException {
        if (!path.startsWith("/proc/")) return;
        int end = path.indexOf('/', 6);
        String n = end < 0 ? path.substring(6) : path.substring(6, end);
        if (isNumber(n)) checkPid(files, tid, n, launcherPid);
    }

    /** Also hides {@code launcherPid}, the launcher waiting outside for a forked program (0: none). */
    private static void checkPid(Files files, int tid, String n, int launcherPid) throws ResolveException {
        if (n.equals(Integer.toString(tid))) return; // a thread may always see itself (/proc/self)
        int tgid = tgidOf(files, n);
        if (tgid < 0 || tgid == SELF || (launcherPid > 0 && tgid == launcherPid)) throw new ResolveException(Errno.ENOENT);
    }

    /** The thread group id of task {@code pid} as this process sees it, or -1 when there is no such task. */
    static int tgidOf(Files files, String pid) {
        String status = files.readSmallFile("/proc/" + pid + "/status");
        if (status == null) return -1;
        int i = status.indexOf("\nTgid:");
        if (i < 0) return -1;
        int j = i + 6, v = 0;
        while (j < status.length() && (status.charAt(j) == ' ' || status.charAt(j) == '\t')) j++;
        boolean any = false;
        while (j < status.length() && Character.isDigit(status.charAt(j))) {
            v = v * 10 + (status.charAt(j++) - '0');
            any = true;
        }
        return any ? v : -1;
    }

    static boolean isNumber(String s) {
        if (s.isEmpty() || s.length() > 10) return false;
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
        return true;
    }
}
