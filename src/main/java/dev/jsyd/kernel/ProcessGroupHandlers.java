package dev.jsyd.kernel;

import dev.jsyd.abi.Errno;

/**
 * setpgid(pid, pgid) into the supervisor's process group. The program stays in that group (job
 * control treats {@code syd prog} as one job, docs/ESCAPES.md "Process group"), so a process
 * outside it must never join it: that keeps the kill(0) check of {@link ProcessTargetHandlers}
 * valid. {@link ProcessTargetHandlers#setpgid} sends the calls whose {@code pgid} is the
 * supervisor's group here.
 *
 * <p>A target that is already in the group gains nothing: natively the call is a no-op that
 * succeeds (bash with {@code set -m} makes it for every command substitution and pipeline
 * child). It is answered here, after the kernel's own checks in the kernel's order, without
 * running it; nothing changes, so there is nothing to race. A target in any other group is
 * refused with EPERM, as before.
 */
public final class ProcessGroupHandlers {
    private ProcessGroupHandlers() {}

    private static final int PF_FORKNOEXEC = 0x40;

    /** setpgid(pid, pgid) with pgid = the supervisor's process group. */
    public static void setpgid(Request r) {
        int pid = (int) r.arg(0);
        if (pid < 0) { r.fail(Errno.EINVAL); return; }
        long[] caller = stat(r, r.pid());
        if (caller == null) { r.fail(Errno.ESRCH); return; }
        int callerTgid = MagicLinks.tgid(r);
        int target = pid == 0 ? callerTgid : pid;
        long[] t = target == callerTgid ? caller : stat(r, target);
        // Only the caller itself or one of its children (else ESRCH), in the caller's session
        // (else EPERM), a child that has not exec'd yet (else EACCES): the kernel's checks.
        if (t == null || (target != callerTgid && t[PPID] != callerTgid)) { r.fail(Errno.ESRCH); return; }
        if (t[SESSION] != caller[SESSION]) { r.fail(Errno.EPERM); return; }
        if (target != callerTgid && (t[FLAGS] & PF_FORKNOEXEC) == 0) { r.fail(Errno.EACCES); return; }
        if (t[PGRP] == (int) r.arg(1)) r.reply(0); // already there: the native no-op
        else r.fail(Errno.EPERM);           // joining the supervisor's group from outside
    }

    private static final int PPID = 0, PGRP = 1, SESSION = 2, FLAGS = 3;

    /** ppid, pgrp, session and flags of task {@code pid} from {@code /proc/PID/stat}, or null. */
    private static long[] stat(Request r, int pid) {
        String s = r.files().readSmallFile("/proc/" + pid + "/stat");
        if (s == null) return null;
        int i = s.lastIndexOf(')'); // the command name may hold spaces and parentheses
        if (i < 0) return null;
        String[] f = s.substring(i + 2).split(" ");
        // after the name: state ppid pgrp session tty_nr tpgid flags
        if (f.length < 7) return null;
        try {
            return new long[] {Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[6])};
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
