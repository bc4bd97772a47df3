package dev.jsyd.kernel;

import static dev.jsyd.abi.OpenFlags.AT_FDCWD;

import dev.jsyd.abi.Errno;
import dev.jsyd.sys.ErrnoException;
import dev.jsyd.sys.Files;
import dev.jsyd.sys.SelfProtect;
import java.util.concurrent.locks.Lock;

/**
 * Calls that name another task — by pid, thread id, process group or pidfd: signals, pidfds,
 * resource limits, scheduling, priorities, process groups, SIGIO owners, kcmp, robust lists. The
 * sandbox reaches only its own processes ({@link Members}): any other target — a process outside
 * the sandbox, another sandbox's, a supervisor thread, a free number — fails as a pid that does not
 * exist (ESRCH), so they cannot be told apart. The supervisor's own process, whose pid the program
 * knows anyway (it is the initial process's parent), answers EACCES, as before: "is my parent
 * alive" checks keep working. Targets the filter decides alone never come here: the calling process
 * itself (pid 0), the supervisor's pid for the signal calls, its process group and kill(-1)
 * ({@link Hardening}).
 *
 * <p>An allowed call is answered CONTINUE. The decision depends only on scalar arguments
 * (registers, which no other thread can change) or, for pidfds and the SIGIO owner structs, on what
 * an fd or memory named at the check (see below); no pointer argument is interpreted otherwise.
 * A member's pid cannot change owner between the check and the answer: the check and the answer
 * are made under {@link Members#pinned()}, and the tracer consumes a member's exit (which lets
 * the pid be freed) only under the exclusive side. After the answer the kernel runs the call at
 * once in the caller's context; a reuse of the pid in that instant would need the whole pid space
 * to wrap around (docs/EMULATION.md).
 *
 * <p>When the sandbox has a pid namespace of its own ({@link ProgramView#pidNamespace}), every pid
 * it can name is one of its own processes (the kernel's boundary): calls that name a pid are
 * continued unchecked; pidfds are still checked (a pidfd can name any process).
 *
 * <p>Where the target is named by an fd (pidfd_send_signal, pidfd_getfd, process_madvise,
 * process_mrelease) or by memory (F_SETOWN_EX, FIOSETOWN, SIOCSPGRP), another thread can swap it
 * after the check. That cannot reach outside the sandbox: the launcher puts the sandbox in a
 * Landlock domain with signal scoping ({@link Hardening#SIGNAL_SCOPE}), so the kernel itself
 * refuses signals (also SIGIO) and ptrace-mode access (pidfd_getfd) to any process outside it.
 * Without Landlock scoping, the memory-named owners are refused outright (EACCES) as before.
 */
public final class ProcessTargetHandlers {
    private ProcessTargetHandlers() {}

    private static final Hardening.Self SELF = Hardening.Self.current();

    /** kill(pid, sig): a member, the caller's own group, or a group with a member in it. */
    public static void kill(Request r) {
        int pid = (int) r.arg(0);
        if (pid > 0) {
            task(r, pid);
        } else if (pid == 0) {
            callersGroup(r);
        } else if (pid == -1 || pid == -SELF.pgid()) {
            r.fail(Errno.EACCES);
        } else {
            group(r, -pid, Errno.ESRCH);
        }
    }

    /** Calls whose first argument names a task (0 = the caller, decided in the filter; &lt; 0: the kernel's error). */
    public static void firstIsTask(Request r) {
        int pid = (int) r.arg(0);
        if (pid > 0) task(r, pid);
        else r.continueSyscall(); // no task named: the kernel answers EINVAL / ESRCH / the caller
    }

    /** tgkill(tgid, tid, sig), rt_tgsigqueueinfo(tgid, tid, sig, info): a member thread of that member process. */
    public static void threadOfGroup(Request r) {
        int tgid = (int) r.arg(0), tid = (int) r.arg(1);
        if (tgid <= 0 || tid <= 0 || ownNamespace(r)) { r.continueSyscall(); return; } // EINVAL from the kernel
        Members m = r.context().members();
        int host = m.hostPid(r.pid(), tid), hostGroup = m.hostPid(r.pid(), tgid);
        answer(r, () -> m.tgid(host) == hostGroup && hostGroup > 0, tgid);
    }

    /** kcmp(pid1, pid2, type, idx1, idx2): both processes must be members. */
    public static void kcmp(Request r) {
        if (ownNamespace(r)) { r.continueSyscall(); return; }
        Members m = r.context().members();
        int a = m.hostPid(r.pid(), (int) r.arg(0)), b = m.hostPid(r.pid(), (int) r.arg(1));
        answer(r, () -> m.isMember(a) && m.isMember(b), a == SELF.pid() ? a : b);
    }

    /**
     * setpgid(pid, pgid): the moved task must be a member; the group must be a new one (pgid 0 or
     * pgid = pid) or one a member is in. Otherwise the kernel's answers for a task that is not
     * there (ESRCH) and for a group that is not in the session (EPERM).
     */
    public static void setpgid(Request r) {
        int pid = (int) r.arg(0), pgid = (int) r.arg(1);
        if (pid < 0 || pgid < 0 || ownNamespace(r)) { r.continueSyscall(); return; } // EINVAL from the kernel
        if (pgid == SELF.pgid()) { ProcessGroupHandlers.setpgid(r); return; } // a member stays, nobody joins
        Members m = r.context().members();
        int target = pid == 0 ? r.pid() : m.hostPid(r.pid(), pid);
        int group = m.hostPid(r.pid(), pgid);
        answer(r, () -> {
            if (!m.isMember(target)) return false;
            if (pgid == 0 || group == m.tgid(target) || groupHasMember(m, group)) return true; // a new group, or one of ours
            throw new Refusal(Errno.EPERM);
        }, target);
    }

    public static void setpriority(Request r) { priority(r, 0, true); }

    public static void getpriority(Request r) { priority(r, 0, false); }

    public static void ioprioSet(Request r) { priority(r, 1, true); }

    public static void ioprioGet(Request r) { priority(r, 1, false); }

    /**
     * setpriority/getpriority ({@code io} 0: which = PRIO_PROCESS 0, PRIO_PGRP 1, PRIO_USER 2) and
     * ioprio_set/ioprio_get ({@code io} 1: IOPRIO_WHO_PROCESS 1, PGRP 2, USER 3). A process must be
     * a member; a group must have a member and not hold the supervisor; a user's every process
     * (the supervisor's and others outside the sandbox among them) may be read but not changed.
     */
    private static void priority(Request r, int io, boolean set) {
        int which = (int) r.arg(0) - io, who = (int) r.arg(1);
        switch (which) {
            case 0 -> { if (who > 0) task(r, who); else r.continueSyscall(); } // 0: the caller
            case 1 -> {
                if (who == 0) callersGroup(r);
                else if (who < 0) r.continueSyscall(); // EINVAL / ESRCH from the kernel
                else group(r, who, Errno.ESRCH);
            }
            case 2 -> { if (set) r.fail(Errno.EACCES); else r.continueSyscall(); }
            default -> r.continueSyscall(); // EINVAL from the kernel
        }
    }

    /**
     * pidfd_send_signal, pidfd_getfd, process_madvise, process_mrelease: the process the pidfd (or
     * /proc/PID directory fd) names must be a member. The fd is looked at through a duplicate (the
     * same open file); if another thread puts another fd at that number before the call runs, the
     * kernel's Landlock scoping still refuses any process outside the sandbox (see the class
     * comment).
     */
    public static void byPidfd(Request r) throws ErrnoException {
        int dup;
        try {
            dup = r.programFd((int) r.arg(0));
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
        if (target <= 0) { r.continueSyscall(); return; } // not a pidfd, or its process is gone: the kernel's EBADF / EINVAL / ESRCH
        Members m = r.context().members();
        answer(r, () -> m.isMember(target), target); // a pid of the supervisor's namespace (our own fdinfo)
    }

    private static final int F_OWNER_TID = 0, F_OWNER_PID = 1, F_OWNER_PGRP = 2;

    /**
     * fcntl F_SETOWN (owner: pid, or -pgid) and F_SETOWN_EX (struct f_owner_ex in memory): the
     * owner is who gets SIGIO/SIGURG, so it must be a member or a group with one. The filter sends
     * only these two commands here ({@link Hardening#fcntl}), and F_SETOWN only with a non-zero owner.
     */
    public static void fcntl(Request r) throws ErrnoException {
        int cmd = (int) r.arg(1);
        if (cmd == Hardening.F_SETOWN) {
            owner(r, (int) r.arg(2), false);
        } else if (cmd == Hardening.F_SETOWN_EX) {
            if (!Hardening.SIGNAL_SCOPE) { r.fail(Errno.EACCES); return; }
            byte[] ex = readStruct(r, r.arg(2), 8);
            if (ex == null) return;
            int type = le32(ex, 0), pid = le32(ex, 4);
            if (pid <= 0 || (type != F_OWNER_TID && type != F_OWNER_PID && type != F_OWNER_PGRP)) r.continueSyscall();
            else if (type == F_OWNER_PGRP) group(r, pid, Errno.ESRCH);
            else task(r, pid);
        } else {
            r.continueSyscall(); // no other command is sent here (a row notified only by its rules); nothing is checked
        }
    }

    /** ioctl FIOSETOWN and SIOCSPGRP (an int owner in memory: pid, or -pgid), as F_SETOWN. */
    public static void ioctl(Request r) throws ErrnoException {
        int req = (int) r.arg(1);
        if (req != Hardening.FIOSETOWN && req != Hardening.SIOCSPGRP) { r.continueSyscall(); return; } // never sent here (a row notified only by its rules)
        if (!Hardening.SIGNAL_SCOPE) { r.fail(Errno.EACCES); return; }
        byte[] v = readStruct(r, r.arg(2), 4);
        if (v == null) return;
        owner(r, le32(v, 0), true);
    }

    /** A SIGIO owner: 0 none, &gt; 0 a process, &lt; 0 a process group. */
    private static void owner(Request r, int owner, boolean inMemory) {
        if (owner == 0) r.continueSyscall();
        else if (owner > 0) task(r, owner);
        else if (owner == Integer.MIN_VALUE) r.continueSyscall(); // the kernel's EINVAL
        else if (-owner == SELF.pgid() && !inMemory) r.fail(Errno.EACCES);
        else group(r, -owner, Errno.ESRCH);
    }

    // ---- the checks ----------------------------------------------------------------------------

    /** Answers CONTINUE when {@code pid} (as the caller wrote it) is a member, else refuses. */
    private static void task(Request r, int pid) {
        if (ownNamespace(r)) { r.continueSyscall(); return; }
        Members m = r.context().members();
        int host = m.hostPid(r.pid(), pid);
        answer(r, () -> m.isMember(host), host);
    }

    /** True when the sandbox has a pid namespace of its own: no pid it can name is outside it. */
    private static boolean ownNamespace(Request r) {
        return r.context().view().pidNamespace();
    }

    /** kill(0) and its kind: the caller's own group, unless the supervisor is in it. */
    private static void callersGroup(Request r) {
        if (ownNamespace(r)) { r.continueSyscall(); return; } // the supervisor's group is not in it
        long pgid = SelfProtect.pgid(r.pid());
        if (pgid < 0) r.fail(Errno.ESRCH);
        else if (pgid == SELF.pgid()) r.fail(Errno.EACCES);
        else r.continueSyscall(); // a group the caller is in; joining the supervisor's is refused (setpgid)
    }

    /** A process group named by the caller: the supervisor's is refused, others need a member in them. */
    private static void group(Request r, int pgid, int absent) {
        if (ownNamespace(r)) { r.continueSyscall(); return; }
        Members m = r.context().members();
        int host = m.hostPid(r.pid(), pgid);
        if (host == SELF.pgid()) { r.fail(Errno.EACCES); return; }
        answer(r, () -> {
            if (groupHasMember(m, host)) return true;
            throw new Refusal(absent);
        }, host);
    }

    /** True when some member process is in process group {@code pgid}. */
    static boolean groupHasMember(Members m, int pgid) {
        if (pgid <= 0) return false;
        if (m.isProcess(pgid) && SelfProtect.pgid(pgid) == pgid) return true; // the usual case: its leader
        for (int pid : m.processIds()) if (SelfProtect.pgid(pid) == pgid) return true;
        return false;
    }

    /** A check that answers with this errno instead of the default refusal. */
    private static final class Refusal extends RuntimeException {
        final int errno;

        Refusal(int errno) {
            super(null, null, false, false);
            this.errno = errno;
        }
    }

    @FunctionalInterface
    private interface Check {
        boolean allowed();
    }

    /**
     * Checks and answers under the pin (the checked members cannot be reaped in between): CONTINUE
     * when allowed; else EACCES for the supervisor's own pid ({@code named}) and ESRCH for anything
     * else, or the errno the check gave.
     */
    private static void answer(Request r, Check check, int named) {
        Lock pin = r.context().members().pinned();
        pin.lock();
        try {
            boolean ok;
            try {
                ok = check.allowed();
            } catch (Refusal e) {
                r.fail(e.errno);
                return;
            }
            if (ok) r.continueSyscall();
            else r.fail(named == SELF.pid() ? Errno.EACCES : Errno.ESRCH);
        } finally {
            pin.unlock();
        }
    }

    /** Reads {@code len} bytes the call points at; null (answered EFAULT) when they cannot be read. */
    private static byte[] readStruct(Request r, long addr, int len) {
        try {
            byte[] b = r.memory().read(r.pid(), addr, len);
            if (!r.stillValid()) return null;
            return b;
        } catch (ErrnoException e) {
            r.fail(Errno.EFAULT);
            return null;
        }
    }

    private static int le32(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
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
