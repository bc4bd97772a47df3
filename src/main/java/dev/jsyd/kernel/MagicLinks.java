package dev.jsyd.kernel;

/** Rules for /proc magic links: a program may reopen its own fds, never another process's. */
final class MagicLinks {
    private MagicLinks() {}

    /** True when {@code procPath} (/proc/N/...) belongs to the calling thread's process. */
    static boolean ownProcess(Request r, String procPath) {
        int end = procPath.indexOf('/', 6);
        String n = end < 0 ? procPath.substring(6) : procPath.substring(6, end);
        if (n.equals(Integer.toString(r.pid()))) return true;
        return n.equals(Integer.toString(tgid(r)));
    }

    static int tgid(Request r) { return r.task().tgid(); }

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
