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

    /** True when the caller may use the magic link {@code procPath} (/proc/N/...). */
    static boolean ownProcess(Request r, String procPath) {
        int end = procPath.indexOf('/', 6);
        String n = end < 0 ? procPath.substring(6) : procPath.substring(6, end);
        if (!ProcGuard.isNumber(n)) return false;
        long pid = Long.parseLong(n);
        if (pid == r.pid()) return true;
        if (pid > Integer.MAX_VALUE) return false;
        Members m = r.context().members();
        Members.Proc target = m.process((int) pid);
        if (target == null) return false;
        return target == m.process(r.pid()) || r.sandbox().flag("trace/allow_unsafe_magiclinks");
    }

    /** The process (thread group) id of the calling thread, -1 when unknown. */
    static int tgid(Request r) {
        int tgid = r.context().members().tgid(r.pid());
        return tgid > 0 ? tgid : ProcGuard.tgidOf(r.files(), Integer.toString(r.pid()));
    }
}
