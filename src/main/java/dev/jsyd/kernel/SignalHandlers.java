package dev.jsyd.kernel;

import static dev.jsyd.abi.OpenFlags.AT_FDCWD;

import dev.jsyd.abi.Errno;
import dev.jsyd.abi.Syscalls;
import dev.jsyd.sys.ErrnoException;
import dev.jsyd.sys.Files;
import java.util.List;

/**
 * Signal guards: the sandbox may not signal the supervisor or any of its threads, nor get a pidfd
 * for it. Always notified (rows without a category); the targets the filter can decide alone
 * (the supervisor's pid and process group, kill(-1), tgkill's tgid) never get here, see
 * {@link Hardening}. An allowed call is answered with CONTINUE: the decision depends only on
 * scalar arguments, and the checked target cannot turn into the supervisor afterwards
 * (docs/EMULATION.md, CONTINUE table):
 * <ul>
 *   <li>pid &gt; 0 (kill, tkill, rt_sigqueueinfo, pidfd_open): an absent pid is answered ESRCH
 *       here; a present pid that is not the supervisor's can only become a supervisor thread after
 *       it died and the pid space wrapped around.</li>
 *   <li>kill(0): the caller's process group is not the supervisor's, and joining that group is
 *       refused in the filter (setpgid), so it stays so.</li>
 * </ul>
 * The denial errno is EACCES.
 */
public final class SignalHandlers {
    private SignalHandlers() {}


    private static final Hardening.Self SELF = Hardening.Self.current();

    /** kill(pid, sig). */
    public static void kill(Request r) {
        int pid = (int) r.arg(0);
        if (pid > 0) {
            positive(r, pid);
        } else if (pid == 0) {
            long pgid = dev.jsyd.sys.SelfProtect.pgid(r.pid());
            if (pgid < 0) r.fail(Errno.ESRCH);
            else if (pgid == SELF.pgid()) r.fail(Errno.EACCES);
            else r.continueSyscall();
        } else if (pid == -1 || pid == -SELF.pgid()) {
            r.fail(Errno.EACCES);
        } else {
            r.continueSyscall();
        }
    }

    /** tkill(tid, sig), rt_sigqueueinfo(tgid, sig, info), pidfd_open(pid, flags): the target is arg 0. */
    public static void tkill(Request r) {
        int pid = (int) r.arg(0);
        if (pid > 0) positive(r, pid);
        else r.continueSyscall(); // the kernel answers EINVAL / ESRCH
    }

    private static void positive(Request r, int pid) {
        if (r.context().view().pidNamespace()) { // the pid is the program's; the supervisor is not in its namespace
            r.continueSyscall();
            return;
        }
        int tgid = ProcGuard.tgidOf(r.files(), Integer.toString(pid));
        if (tgid < 0) r.fail(Errno.ESRCH);
        else if (tgid == SELF.pid()) r.fail(Errno.EACCES);
        else r.continueSyscall();
    }

    /**
     * pidfd_send_signal(fd, sig, info, flags): the fd is a pidfd or a {@code /proc/PID} directory.
     * The program cannot obtain either for the supervisor (pidfd_open is guarded, /proc/PID of the
     * supervisor is hidden when opens are checked), so this is a second line; see docs/ESCAPES.md
     * for the case where opens are not checked at all.
     */
    public static void pidfdSendSignal(Request r) throws ErrnoException {
        int fd = (int) r.arg(0);
        int dup;
        try {
            dup = r.programFd(fd);
        } catch (ErrnoException e) {
            r.fail(e.errno() == Errno.ESRCH ? Errno.ESRCH : Errno.EBADF);
            return;
        }
        int target;
        try {
            target = targetOf(r.files(), dup);
        } finally {
            Files.close(dup);
        }
        if (target > 0) {
            int tgid = ProcGuard.tgidOf(r.files(), Integer.toString(target));
            if (tgid == SELF.pid()) { r.fail(Errno.EACCES); return; }
        }
        r.continueSyscall();
    }

    /** The pid a pidfd or /proc/PID directory fd (of this process) names; -1 if neither or gone. */
    static int targetOf(Files files, int fd) {
        String info = files.readSmallFile("/proc/self/fdinfo/" + fd);
        if (info != null) {
            int i = info.indexOf("\nPid:");
            if (i >= 0) return parseInt(info, i + 5);
        }
        String link = files.readlinkat(AT_FDCWD, "/proc/self/fd/" + fd);
        if (link != null && link.startsWith("/proc/")) {
            String n = link.substring(6);
            int slash = n.indexOf('/');
            if (slash >= 0) n = n.substring(0, slash);
            if (ProcGuard.isNumber(n)) return parseInt(n, 0);
        }
        return -1;
    }

    private static int parseInt(String s, int from) {
        int j = from;
        while (j < s.length() && (s.charAt(j) == ' ' || s.charAt(j) == '\t')) j++;
        boolean neg = j < s.length() && s.charAt(j) == '-';
        if (neg) j++;
        long v = 0;
        boolean any = false;
        while (j < s.length() && Character.isDigit(s.charAt(j)) && v <= Integer.MAX_VALUE) {
            v = v * 10 + (s.charAt(j++) - '0');
            any = true;
        }
        return !any || neg || v > Integer.MAX_VALUE ? -1 : (int) v;
    }
}
