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
}
