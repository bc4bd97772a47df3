package dev.jsyd.kernel;

import static dev.jsyd.bpf.ArgRule.Cond.anyBits;
import static dev.jsyd.bpf.ArgRule.Cond.of32;

import dev.jsyd.abi.Errno;
import dev.jsyd.abi.Seccomp;
import dev.jsyd.bpf.ArgRule;
import dev.jsyd.bpf.ArgRule.Op;
import dev.jsyd.policy.Category;
import dev.jsyd.policy.Sandbox;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Secure by default: the argument-level rules the rows of {@link SyscallTable} point to (clone
 * and unshare flags, personality values, ioctl requests, signal targets, …), decided by the BPF
 * filter alone (the pre-exec hardening steps of the launcher are in {@code confine.PlanBuilder}). Each rule list is checked in
 * order before the row's own treatment (first match wins). Which syscalls are refused outright is
 * table data ({@link SyscallTable}); the reasons are in docs/ESCAPES.md.
 *
 * <p>Errno choices: EPERM for a refused facility (what the kernel itself answers for a missing
 * privilege), EACCES for signals aimed at the supervisor and for the always-denied terminal
 * ioctls (as a denied access).
 */
public final class Hardening {
    private Hardening() {}

    /**
     * The supervisor as the sandbox sees it: its process id and process group id, and its real uid
     * and gid, which are the ids the program starts with (-1: not known).
     */
    public record Self(int pid, int pgid, int uid, int gid) {
        /** A supervisor whose ids are not known (no SafeSetID floor exemption). */
        public Self(int pid, int pgid) { this(pid, pgid, -1, -1); }

        /** The current process (the supervisor that builds the filter). */
        public static Self current() {
            int pid = dev.jsyd.sys.Signals.getpid();
            long pgid = dev.jsyd.sys.SelfProtect.pgid(0);
            return new Self(pid, pgid > 0 ? (int) pgid : pid, dev.jsyd.sys.Credentials.realUid(),
                    dev.jsyd.sys.Credentials.realGid());
        }
    }

    /** CLONE_NEW* flags by namespace name (as {@code trace/allow_unsafe_namespace} spells them). */
    static final Map<String, Integer> NS_FLAGS = namespaceFlags();

    private static Map<String, Integer> namespaceFlags() {
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put("mount", 0x00020000);
        m.put("cgroup", 0x02000000);
        m.put("uts", 0x04000000);
        m.put("ipc", 0x08000000);
        m.put("user", 0x10000000);
        m.put("pid", 0x20000000);
        m.put("net", 0x40000000);
        m.put("time", 0x00000080); // not a clone(2) flag: there the low byte is the exit signal
        return m;
    }

    /** clone(2): a child the tracer would never see (so never exec-checked, never counted, not killed with syd). */
    static final int CLONE_UNTRACED = 0x00800000;

    /** personality(2) values a program may set (and 0xffffffff, the query). */
    public static final Set<Integer> SAFE_PERSONALITIES = Set.of(0x0000000 /* PER_LINUX */, 0x0000008 /* PER_LINUX32 */,
            0x0020000 /* UNAME26 */, 0x0020008, 0xffffffff /* query */);

    static final int TIOCSTI = 0x5412, TIOCLINUX = 0x541C, TCXONC = 0x540A, TIOCSCTTY = 0x540E,
            TIOCCONS = 0x541D, TIOCSETD = 0x5423, TIOCVHANGUP = 0x5437;

    /**
     * Terminal ioctls refused whatever the fd (the filter cannot tell the shared terminal from a
     * pty of the program's own; these are rare in programs): input injection (TIOCSTI, TIOCLINUX
     * with its selection paste), flow control (TCXONC: TCOOFF stops output for every writer of the
     * terminal — the user's shell and the supervisor's log included — until someone resumes it),
     * console redirection (TIOCCONS), line discipline changes (TIOCSETD), hang-up (TIOCVHANGUP).
     * docs/DECISIONS.md says why a filter and not a pty of the sandbox's own.
     */
    static final List<Integer> TERMINAL_IOCTLS = List.of(TIOCSTI, TIOCLINUX, TCXONC, TIOCCONS, TIOCSETD, TIOCVHANGUP);
    /** {@code _IO(0xAA, 0x00)}: makes a userfaultfd from an fd of {@code /dev/userfaultfd}. */
    static final int USERFAULTFD_IOC_NEW = 0xAA00;
    static final int MFD_EXEC = 0x10;
    static final int F_SETOWN = 8, F_SETOWN_EX = 15, FIOSETOWN = 0x8901, SIOCSPGRP = 0x8902;
    /** SECCOMP_RET_DATA of the RET_TRACE that hands a task-creating call to the tracer (pid/max). */
    public static final int TRACE_PID = 0x5059;

    /**
     * True when the launcher puts the sandbox in a Landlock domain with signal scoping (Landlock
     * ABI 6, Linux 6.12; confine.PlanBuilder): the kernel then refuses signals, SIGIO included, and
     * ptrace-mode access (pidfd_getfd, /proc/PID/fd, mem, process_vm_*) from the sandbox to any
     * process outside it.
     */
    public static final boolean SIGNAL_SCOPE = dev.jsyd.sys.KernelFeatures.landlockAbi() >= 6;

    /** Where a row's argument rules come from: computed from the policy and the supervisor's identity. */
    @FunctionalInterface
    public interface RuleSource {
        List<ArgRule> rules(Sandbox sb, Self self);
    }

    /** The namespaces {@code trace/allow_unsafe_namespace} lets the program create. */
    static List<String> allowedNamespaces(Sandbox sb) {
        String allowed = sb.setting("trace/allow_unsafe_namespace").map(Object::toString).orElse("none");
        return allowed.equals("all") ? List.copyOf(NS_FLAGS.keySet())
                : allowed.equals("none") ? List.of() : List.of(allowed.split(","));
    }

    /** True when the policy lets the program create namespaces of kind {@code ns} ({@code user}, {@code mount}, …). */
    public static boolean namespaceAllowed(Sandbox sb, String ns) { return allowedNamespaces(sb).contains(ns); }

    private static int deniedNamespaceFlags(Sandbox sb) {
        List<String> ok = allowedNamespaces(sb);
        int denied = 0;
        for (var e : NS_FLAGS.entrySet()) if (!ok.contains(e.getKey())) denied |= e.getValue();
        return denied;
    }

    /** True when PID sandboxing can decide about new tasks (or may start to, at run time). */
    static boolean pidLimited(Sandbox sb) {
        return (sb.enabled(Category.PID) && sb.pidMax().orElse(0) > 0) || FilterPlan.runtimeChangesPossible(sb);
    }

    /** fork, vfork: handed to the tracer when {@code pid/max} counts tasks (it decides before the task exists). */
    static List<ArgRule> pidLimit(Sandbox sb, Self self) {
        return pidLimited(sb) ? List.of(ArgRule.all(Seccomp.trace(TRACE_PID))) : List.of();
    }

    /** clone: namespace flags (EPERM), CLONE_UNTRACED (EPERM), then the pid/max hand-over. */
    static List<ArgRule> clone(Sandbox sb, Self self) {
        List<ArgRule> out = new ArrayList<>();
        int denied = deniedNamespaceFlags(sb) & ~0xff;
        if (denied != 0) out.add(ArgRule.all(errno(Errno.EPERM), anyBits(0, denied & 0xffffffffL)));
        out.add(ArgRule.all(errno(Errno.EPERM), anyBits(0, CLONE_UNTRACED)));
        out.addAll(pidLimit(sb, self));
        return out;
    }

    /** unshare: namespace flags (EPERM) unless {@code trace/allow_unsafe_namespace} names them. */
    static List<ArgRule> unshare(Sandbox sb, Self self) {
        int denied = deniedNamespaceFlags(sb);
        return denied == 0 ? List.of() : List.of(ArgRule.all(errno(Errno.EPERM), anyBits(0, denied & 0xffffffffL)));
    }

    /** pivot_root: part of the mount API, refused (EPERM) unless a mount namespace may be made. */
    static List<ArgRule> mountApi(Sandbox sb, Self self) {
        return allowedNamespaces(sb).contains("mount") ? List.of() : List.of(ArgRule.all(errno(Errno.EPERM)));
    }

    /** personality: only PER_LINUX, PER_LINUX32, UNAME26 and the query, unless {@code trace/allow_unsafe_personality}. */
    static List<ArgRule> personality(Sandbox sb, Self self) {
        if (sb.flag("trace/allow_unsafe_personality")) return List.of();
        List<ArgRule> p = new ArrayList<>();
        for (int v : SAFE_PERSONALITIES.stream().sorted().toList()) p.add(ArgRule.all(Seccomp.RET_ALLOW, of32(0, Op.EQ, v)));
        p.add(ArgRule.all(errno(Errno.EPERM)));
        return p;
    }

    /**
     * ioctl: the {@link #TERMINAL_IOCTLS} and taking the terminal from another session (TIOCSCTTY
     * with 1) (EACCES), a userfaultfd made through {@code /dev/userfaultfd} (EPERM, as the
     * userfaultfd syscall), and SIGIO ownership with the owner in memory (FIOSETOWN, SIOCSPGRP):
     * sent to {@link ProcessTargetHandlers#ioctl}, which reads and checks the owner; every other
     * request stays in the kernel.
     */
    static List<ArgRule> ioctl(Sandbox sb, Self self) {
        int eacces = errno(Errno.EACCES), notify = Seccomp.RET_USER_NOTIF;
        List<ArgRule> out = new ArrayList<>();
        for (int request : TERMINAL_IOCTLS) out.add(ArgRule.all(eacces, of32(1, Op.EQ, request)));
        out.add(ArgRule.all(eacces, of32(1, Op.EQ, TIOCSCTTY), of32(2, Op.EQ, 1)));
        out.add(ArgRule.all(errno(Errno.EPERM), of32(1, Op.EQ, USERFAULTFD_IOC_NEW)));
        out.add(ArgRule.all(notify, of32(1, Op.EQ, FIOSETOWN)));
        out.add(ArgRule.all(notify, of32(1, Op.EQ, SIOCSPGRP)));
        return out;
    }

    /**
     * memfd_create: MFD_EXEC refused unless {@code trace/allow_unsafe_memfd}. Flags 0 (executable
     * by default) cannot be rewritten in BPF: the call is emulated with MFD_NOEXEC_SEAL instead
     * ({@link MemoryHandlers#memfdCreate}).
     */
    static List<ArgRule> memfd(Sandbox sb, Self self) {
        if (sb.flag("trace/allow_unsafe_memfd")) return List.of();
        return List.of(ArgRule.all(errno(Errno.EACCES), anyBits(1, MFD_EXEC)));
    }

    /**
     * True when the program has a pid namespace of its own: pids it names are in that namespace,
     * where the supervisor is not; the rules comparing with the supervisor's pid and group are left
     * out (a number could only match a sandbox process).
     */
    static boolean ownPidNamespace(Sandbox sb) {
        return dev.jsyd.confine.PlanBuilder.namespaces(sb).contains("pid");
    }

    /** getuid, geteuid, getgid, getegid under {@code root/fake}: answered 0 without running (RET_ERRNO with errno 0). */
    static List<ArgRule> fakeRoot(Sandbox sb, Self self) {
        return sb.flag("root/fake") ? List.of(ArgRule.all(errno(0))) : List.of();
    }

    /** kill: the supervisor's pid, its process group and "everyone" (-1) are EACCES; other pids go to ProcessTargetHandlers. */
    static List<ArgRule> kill(Sandbox sb, Self self) {
        if (ownPidNamespace(sb)) return List.of();
        int eacces = errno(Errno.EACCES);
        return List.of(ArgRule.all(eacces, of32(0, Op.EQ, self.pid())), ArgRule.all(eacces, of32(0, Op.EQ, -self.pgid())),
                ArgRule.all(eacces, of32(0, Op.EQ, -1)));
    }

    /**
     * tkill, tgkill, rt_sigqueueinfo, rt_tgsigqueueinfo, pidfd_open: the supervisor's pid as the
     * first argument is EACCES (a tid given with a tgid must belong to it, so no other tgid reaches
     * a supervisor thread).
     */
    static List<ArgRule> supervisorPid(Sandbox sb, Self self) {
        if (ownPidNamespace(sb)) return List.of();
        return List.of(ArgRule.all(errno(Errno.EACCES), of32(0, Op.EQ, self.pid())));
    }

    /**
     * setpgid: setpgid(0, 0) (the caller leads a new group) is allowed; the rest goes to
     * {@link ProcessTargetHandlers#setpgid} (the moved task and the group must be the sandbox's;
     * into the supervisor's group, {@link ProcessGroupHandlers}: a member stays, nobody joins, so a
     * kill(0) checked in {@link ProcessTargetHandlers} stays valid). In a pid namespace of the
     * sandbox's own every group is its own: nothing to protect.
     */
    static List<ArgRule> setpgid(Sandbox sb, Self self) {
        if (ownPidNamespace(sb)) return List.of(ArgRule.all(Seccomp.RET_ALLOW));
        return List.of(ArgRule.all(Seccomp.RET_ALLOW, of32(0, Op.EQ, 0), of32(1, Op.EQ, 0)));
    }

    /**
     * fcntl: F_SETOWN(pid or -pgid of the supervisor) would let SIGIO/F_SETSIG signal it (EACCES);
     * another owner (F_SETOWN with a non-zero owner, F_SETOWN_EX with it in memory) is sent to
     * {@link ProcessTargetHandlers#fcntl}; every other command stays in the kernel.
     */
    static List<ArgRule> fcntl(Sandbox sb, Self self) {
        int eacces = errno(Errno.EACCES), notify = Seccomp.RET_USER_NOTIF;
        if (ownPidNamespace(sb)) return List.of(); // owners are pids of the sandbox's own namespace
        return List.of(ArgRule.all(eacces, of32(1, Op.EQ, F_SETOWN), of32(2, Op.EQ, self.pid())),
                ArgRule.all(eacces, of32(1, Op.EQ, F_SETOWN), of32(2, Op.EQ, -self.pgid())),
                ArgRule.all(notify, of32(1, Op.EQ, F_SETOWN), of32(2, Op.NE, 0)),
                ArgRule.all(notify, of32(1, Op.EQ, F_SETOWN_EX)));
    }

    /** Calls whose first argument is a task, 0 meaning the caller: allowed then (nothing to check). */
    static List<ArgRule> callerItself(Sandbox sb, Self self) {
        return List.of(ArgRule.all(Seccomp.RET_ALLOW, of32(0, Op.EQ, 0)));
    }

    /** get/setpriority(PRIO_PROCESS, 0): the caller itself. */
    static List<ArgRule> priority(Sandbox sb, Self self) {
        return List.of(ArgRule.all(Seccomp.RET_ALLOW, of32(0, Op.EQ, 0 /* PRIO_PROCESS */), of32(1, Op.EQ, 0)));
    }

    /** ioprio_get/set(IOPRIO_WHO_PROCESS, 0): the caller itself. */
    static List<ArgRule> ioprio(Sandbox sb, Self self) {
        return List.of(ArgRule.all(Seccomp.RET_ALLOW, of32(0, Op.EQ, 1 /* IOPRIO_WHO_PROCESS */), of32(1, Op.EQ, 0)));
    }

    /** getsockopt SO_PEERCRED and SO_PEERPIDFD: sent to {@link PeerHandlers}; every other option stays in the kernel. */
    static List<ArgRule> getsockopt(Sandbox sb, Self self) {
        int notify = Seccomp.RET_USER_NOTIF;
        return List.of(ArgRule.all(notify, of32(1, Op.EQ, SOL_SOCKET), of32(2, Op.EQ, SO_PEERCRED)),
                ArgRule.all(notify, of32(1, Op.EQ, SOL_SOCKET), of32(2, Op.EQ, SO_PEERPIDFD)));
    }

    static final int SOL_SOCKET = 1, SO_PEERCRED = 17, SO_PEERPIDFD = 77;

    /**
     * open, openat: every open for writing (O_WRONLY, O_RDWR; the access mode is a register) reaches
     * the supervisor whatever the policy, so that {@code /proc/PID/mem} of another process is refused
     * ({@link ProcGuard#writesOthersMemory}): no process writes another's memory (the initial process
     * under {@code lock:exec}, or one the tracer is checking at its exec stop). Read-only opens stay
     * in the kernel when the policy allows it. {@code flagsArg}: 1 for open, 2 for openat.
     */
    static RuleSource writeOpens(int flagsArg) {
        return (sb, self) -> List.of(ArgRule.all(Seccomp.RET_USER_NOTIF, anyBits(flagsArg, O_ACCMODE)));
    }

    /** creat, openat2: always notified (creat opens for writing; openat2's flags are in memory). */
    static List<ArgRule> always(Sandbox sb, Self self) {
        return List.of(ArgRule.all(Seccomp.RET_USER_NOTIF));
    }

    private static final long O_ACCMODE = dev.jsyd.abi.OpenFlags.O_ACCMODE;


    /**
     * SafeSetID's floor (syd.7) for a set*id call whose first {@code args} arguments are ids: no
     * transition to a uid ≤ 11 ({@code uid}) or a gid ≤ 14, whatever the rules, EACCES. The ids are
     * scalars (uid_t, 32 bits; -1 = unchanged is above every floor). The id the program starts with
     * (the supervisor's real one: root's 0) goes on to {@link SetIdHandlers}, which allows it only
     * where it is the caller's own: a root program's {@code seteuid(0)} (posix_spawn's
     * POSIX_SPAWN_RESETIDS, as GNU make uses) is no transition. setgroups' list is in memory: the
     * handler checks it.
     */
    static RuleSource setIdFloor(boolean uid, int args) {
        return (sb, self) -> {
            int min = uid ? SetIdHandlers.UID_MIN : SetIdHandlers.GID_MIN;
            int start = uid ? self.uid() : self.gid();
            boolean exempt = start >= 0 && start <= min;
            List<ArgRule> out = new ArrayList<>();
            for (int a = 0; a < args; a++) {
                out.add(exempt ? ArgRule.all(errno(Errno.EACCES), of32(a, Op.LE, min), of32(a, Op.NE, start))
                        : ArgRule.all(errno(Errno.EACCES), of32(a, Op.LE, min)));
            }
            return out;
        };
    }

    static int errno(int e) {
        return Seccomp.RET_ERRNO | (e & Seccomp.RET_DATA);
    }
}
