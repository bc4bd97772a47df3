package dev.jsyd.kernel;

/**
 * Rules for /proc magic links ({@code /proc/N/fd/M}, {@code cwd}, {@code root}, {@code exe}) to
 * objects that have no path: a program may reopen its own process's, never another process's
 * (Syd: the per-process directory must be the caller's); {@code trace/allow_unsafe_magiclinks:1}
 * also allows those of the other processes of the sandbox. Processes outside the sandbox are not
 * even visible ({@link ProcGuard}).
 */
final class MagicLinks {
    private MagicLinks() {}

    /**
     * True when the caller may use the magic link {@code procPath} (/proc/N/...): its own
     * process's, or with {@code trace/allow_unsafe_magiclinks:1} any member's of the sandbox.
     */
    static boolean mayFollow(Request r, String procPath) {
        if (ownProcess(r, procPath)) return true;
        if (!r.sandbox().flag("trace/allow_unsafe_magiclinks")) return false;
        int pid = pidOf(procPath);
        return pid > 0 && r.context().members().isMember(pid);
    }

    /** True when {@code procPath} (/proc/N/...) belongs to the calling thread's own process. */
    static boolean ownProcess(Request r, String procPath) {
        int pid = pidOf(procPath);
        if (pid <= 0) return false;
        if (pid == r.pid()) return true;
        Members m = r.context().members();
        Members.Proc target = m.process(pid);
        return target != null && target == m.process(r.pid());
    }

    /** N of {@code /proc/N/...}, or -1. */
    private static int pidOf(String procPath) {
        int end = procPath.indexOf('/', 6);
        String n = end < 0 ? procPath.substring(6) : procPath.substring(6, end);
        if (!ProcGuard.isNumber(n)) return -1;
        long pid = Long.parseLong(n);
        return pid > Integer.MAX_VALUE ? -1 : (int) pid;
    }

    static int tgid(Request r) { return r.task().tgid(); }

    /** The thread-group id of thread {@code tid}, or -1. */
    static int tgid(dev.jsyd.sys.Files files, int tid) {
        String status = files.readSmallFile("/proc/" + tid + "/status");
        if (status == null) return -1;
        int i = status.indexOf("\nTgid:");
        if (i < 0) return -1;
        int j = i + 6, v = 0;
        while (j < status.length() && !Character.isDigit(status.charAt(j))) j++;
        while (j < status.length() && Character.isDigit(status.charAt(j))) v = v * 10 + (status.charAt(j++) - '0');
        return v;
    }

    /** The fd number N when {@code procPath} is {@code /proc/P/fd/N} or {@code /proc/P/task/T/fd/N} of the caller's own process, else -1. */
    static int ownFd(Request r, String procPath) {
        if (!ownProcess(r, procPath)) return -1;
        int slash = procPath.lastIndexOf('/');
        if (slash < 3 || !procPath.startsWith("/fd/", slash - 3)) return -1;
        try {
            return Integer.parseInt(procPath.substring(slash + 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
