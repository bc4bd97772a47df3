package dev.jsyd.kernel;

import dev.jsyd.abi.Errno;
import dev.jsyd.policy.Sandbox;
import dev.jsyd.sys.Files;
import java.util.function.Supplier;

/**
 * PID hiding: the sandbox sees its own processes in {@code /proc} and nothing else. A path that
 * walks into {@code /proc/N} of a task that is no member of this sandbox ({@link Members}) — a
 * process outside it, another sandbox's, the supervisor or one of its threads — resolves as if it
 * did not exist (ENOENT), and such entries vanish from {@code /proc} listings
 * ({@link DirentHandlers}). The supervisor opens files as itself, so without this an emulated open
 * of {@code /proc/<syd>/mem}, {@code environ} or {@code fd/N} would hand the program the
 * supervisor's memory, secrets and file descriptors.
 *
 * <p>{@code trace/allow_unsafe_proc_files:1} shows the processes outside the sandbox again (never
 * the supervisor's, nor the launcher waiting outside for a forked program). A guard without members
 * (the tracer's exec check) hides only the supervisor. With a private {@code /proc} (a pid namespace
 * of the sandbox's own, {@link ProgramView#privateProc}) the resolver does not ask: that proc shows
 * the sandbox's processes only.
 *
 * <p>Race-free: a member's pid is not freed before the tracer has consumed its exit, which it does
 * after taking it out of the registry. The resolver asks {@link #sameAs} again after opening
 * {@code /proc/N}: the same {@link Members.Proc} before and after means the directory opened is that
 * member's. A non-member is refused at once: no pid becomes a member without the tracer seeing it
 * first.
 */
final class ProcGuard {
    /** The supervisor's process id (this JVM). */
    static final int SELF = dev.jsyd.sys.Signals.getpid();

    /** Hides the supervisor only (no membership known). */
    static final ProcGuard SUPERVISOR_ONLY = new ProcGuard(null, null, ProgramView.HOST);

    private final Members members;
    private final Supplier<Sandbox> sandbox;
    private final ProgramView view;

    ProcGuard(Members members, Supplier<Sandbox> sandbox, ProgramView view) {
        this.members = members;
        this.sandbox = sandbox;
        this.view = view;
    }

    /**
     * Called by the resolver, resolving for thread {@code tid}, for each component {@code name}
     * met in directory {@code dir}; returns the member process it names (to be confirmed with
     * {@link #sameAs} once its directory is open), or null when nothing needs confirming.
     */
    Members.Proc check(Files files, int tid, CharSequence dir, String name) throws ResolveException {
        if (isNumber(name) && dir.length() == 5 && dir.toString().equals("/proc")) return checkPid(files, tid, name);
        return null;
    }

    /** Called by the resolver for a start directory (cwd or dirfd) given as an absolute path. */
    void checkStart(Files files, int tid, String path) throws ResolveException {
        if (!path.startsWith("/proc/")) return;
        int end = path.indexOf('/', 6);
        String n = end < 0 ? path.substring(6) : path.substring(6, end);
        if (isNumber(n)) checkPid(files, tid, n);
    }

    /** True when {@code pid} still belongs to {@code seen} (the process it named at the check). */
    boolean sameAs(String pid, Members.Proc seen) {
        return members == null || members.process(Integer.parseInt(pid)) == seen;
    }

    private Members.Proc checkPid(Files files, int tid, String n) throws ResolveException {
        if (n.length() > 10) throw new ResolveException(Errno.ENOENT);
        long pid = Long.parseLong(n);
        if (pid == tid) return null; // a thread may always see itself (/proc/self)
        if (members != null && pid <= Integer.MAX_VALUE) {
            Members.Proc p = members.process((int) pid);
            if (p != null) return p;
            if (!sandbox.get().flag("trace/allow_unsafe_proc_files")) throw new ResolveException(Errno.ENOENT);
        }
        int tgid = tgidOf(files, n);
        if (tgid < 0 || tgid == SELF || (view.launcherPid() > 0 && tgid == view.launcherPid())) {
            throw new ResolveException(Errno.ENOENT);
        }
        return null;
    }

    /** True when {@code name}, an entry of a {@code /proc} listing, must not be shown. */
    boolean hidesEntry(String name) {
        if (!isNumber(name) || name.length() > 10) return false;
        if (view.privateProc()) return false; // a private proc shows the sandbox's processes only
        long pid = Long.parseLong(name);
        if (pid == SELF || pid == view.launcherPid()) return true;
        if (members == null || sandbox.get().flag("trace/allow_unsafe_proc_files")) return false;
        return pid > Integer.MAX_VALUE || !members.isProcess((int) pid);
    }

    /** The thread group id of task {@code pid} as this process sees it, or -1 when there is no such task. */
    static int tgidOf(Files files, String pid) {
        return dev.jsyd.sys.ProcStatus.field(files.readSmallFile("/proc/" + pid + "/status"), "Tgid");
    }

    static boolean isNumber(String s) {
        if (s.isEmpty() || s.length() > 10) return false;
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
        return true;
    }

    /** True when {@code path} is the memory file of a task ({@code /proc/N/mem}, {@code /proc/N/task/T/mem}). */
    static boolean isMemFile(String path) {
        if (!path.startsWith("/proc/") || !path.endsWith("/mem")) return false;
        String[] p = path.substring(6, path.length() - 4).split("/", -1);
        return (p.length == 1 && isNumber(p[0])) || (p.length == 3 && isNumber(p[0]) && p[1].equals("task") && isNumber(p[2]));
    }

    /**
     * True when member thread {@code tid} opening {@code path} for writing would write the memory of
     * another process — refused: processes of the sandbox cannot write each other's memory (so
     * none can make the initial process act for it under {@code lock:exec}, or rewrite a process the
     * tracer is checking). Its own memory stays writable, as natively.
     */
    boolean writesOthersMemory(Files files, int tid, String path) {
        if (!isMemFile(path)) return false;
        String n = path.substring(6, path.indexOf('/', 6));
        if (n.length() > 10) return true;
        long pid = Long.parseLong(n);
        if (view.privateProc()) { // numbers of the program's pid namespace: its own process's are its tid and tgid
            int[] own = view.local(files, tid);
            return own == null || (pid != own[0] && pid != own[1]);
        }
        if (pid == tid) return false;
        if (members == null) return true;
        Members.Proc mine = members.process(tid);
        return mine == null || pid > Integer.MAX_VALUE || members.process((int) pid) != mine;
    }
}
