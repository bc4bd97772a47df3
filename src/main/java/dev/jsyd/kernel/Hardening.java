package dev.jsyd.kernel;

import static dev.jsyd.bpf.ArgRule.Cond.anyBits;
import static dev.jsyd.bpf.ArgRule.Cond.of32;

import dev.jsyd.abi.Errno;
import dev.jsyd.abi.Seccomp;
import dev.jsyd.abi.Syscalls;
import dev.jsyd.bpf.ArgRule;
import dev.jsyd.bpf.ArgRule.Op;
import dev.jsyd.policy.Sandbox;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Secure by default: the in-kernel allow/deny rules of the sandbox filter, as data, and the
 * pre-exec hardening steps of the launcher. Everything here is decided by the BPF filter alone
 * (no notification) and needs no configuration; each group can be relaxed by the
 * {@code trace/allow_unsafe_*} switch Syd names for it. {@link FilterPlan} puts these rules in
 * front of the notify decision of the same syscall. The table with reasons is docs/ESCAPES.md.
 *
 * <p>Errno choices: EPERM for a refused facility (what the kernel itself answers for a missing
 * privilege), ENOSYS for clone3 (its flags sit behind a pointer the filter cannot read; libc falls
 * back to clone(2), whose flags it can), EACCES for signals aimed at the supervisor and for the
 * always-denied terminal ioctls (as a denied access).
 */
public final class Hardening {
    private Hardening() {}

    /** The supervisor as the sandbox sees it: its process id and process group id. */
    public record Self(int pid, int pgid) {
        /** The current process (the supervisor that builds the filter). */
        public static Self current() {
            int pid = dev.jsyd.sys.Signals.getpid();
            long pgid = dev.jsyd.sys.SelfProtect.pgid(0);
            return new Self(pid, pgid > 0 ? (int) pgid : pid);
        }
    }

    /** One unconditional denial: the syscall, its errno, the switch that lifts it (null: none). */
    record Denial(int nr, int errno, String relaxedBy) {}

    private static final String PTRACE = "trace/allow_unsafe_ptrace";
    private static final String NOSWITCH = null;

    /** Syscalls refused whatever their arguments (mount family and namespaces handled below). */
    static final List<Denial> DENIALS = List.of(
            new Denial(Syscalls.PTRACE, Errno.EPERM, PTRACE),
            new Denial(Syscalls.PROCESS_VM_READV, Errno.EPERM, PTRACE),
            new Denial(Syscalls.PROCESS_VM_WRITEV, Errno.EPERM, PTRACE),
            new Denial(Syscalls.IO_URING_SETUP, Errno.EPERM, "trace/allow_unsafe_iouring"),
            new Denial(Syscalls.IO_URING_ENTER, Errno.EPERM, "trace/allow_unsafe_iouring"),
            new Denial(Syscalls.IO_URING_REGISTER, Errno.EPERM, "trace/allow_unsafe_iouring"),
            new Denial(Syscalls.BPF, Errno.EPERM, "trace/allow_unsafe_ebpf"),
            new Denial(Syscalls.PERF_EVENT_OPEN, Errno.EPERM, "trace/allow_unsafe_perf"),
            new Denial(Syscalls.USERFAULTFD, Errno.EPERM, NOSWITCH),
            new Denial(Syscalls.ADD_KEY, Errno.EPERM, "trace/allow_unsafe_keyring"),
            new Denial(Syscalls.KEYCTL, Errno.EPERM, "trace/allow_unsafe_keyring"),
            new Denial(Syscalls.REQUEST_KEY, Errno.EPERM, "trace/allow_unsafe_keyring"),
            new Denial(Syscalls.KEXEC_LOAD, Errno.EPERM, NOSWITCH),
            new Denial(Syscalls.KEXEC_FILE_LOAD, Errno.EPERM, NOSWITCH),
            new Denial(Syscalls.INIT_MODULE, Errno.EPERM, NOSWITCH),
            new Denial(Syscalls.FINIT_MODULE, Errno.EPERM, NOSWITCH),
            new Denial(Syscalls.DELETE_MODULE, Errno.EPERM, NOSWITCH),
            new Denial(Syscalls.REBOOT, Errno.EPERM, NOSWITCH),
            new Denial(Syscalls.SWAPON, Errno.EPERM, NOSWITCH),
            new Denial(Syscalls.SWAPOFF, Errno.EPERM, NOSWITCH),
            new Denial(Syscalls.OPEN_BY_HANDLE_AT, Errno.EPERM, NOSWITCH),
            new Denial(Syscalls.NAME_TO_HANDLE_AT, Errno.EPERM, NOSWITCH),
            new Denial(Syscalls.ACCT, Errno.EPERM, NOSWITCH),
            new Denial(Syscalls.QUOTACTL, Errno.EPERM, NOSWITCH),
            new Denial(Syscalls.QUOTACTL_FD, Errno.EPERM, NOSWITCH),
            new Denial(Syscalls.SYSLOG, Errno.EPERM, "trace/allow_unsafe_syslog"),
            new Denial(Syscalls.IOPL, Errno.EPERM, NOSWITCH),
            new Denial(Syscalls.IOPERM, Errno.EPERM, NOSWITCH),
            new Denial(Syscalls.VHANGUP, Errno.EPERM, NOSWITCH),
            new Denial(Syscalls.LOOKUP_DCOOKIE, Errno.EPERM, NOSWITCH),
            new Denial(Syscalls.NFSSERVCTL, Errno.EPERM, NOSWITCH),
            new Denial(Syscalls.USELIB, Errno.EPERM, NOSWITCH));

    /** The mount API: refused unless {@code trace/allow_unsafe_namespace} lets the program make a mount namespace. */
    static final List<Integer> MOUNT_FAMILY = List.of(Syscalls.MOUNT, Syscalls.UMOUNT2, Syscalls.PIVOT_ROOT,
            Syscalls.OPEN_TREE, Syscalls.MOVE_MOUNT, Syscalls.FSOPEN, Syscalls.FSCONFIG, Syscalls.FSMOUNT,
            Syscalls.FSPICK, Syscalls.MOUNT_SETATTR);

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

    /** personality(2) values a program may set (and 0xffffffff, the query). */
    static final Set<Integer> SAFE_PERSONALITIES = Set.of(0x0000000 /* PER_LINUX */, 0x0000008 /* PER_LINUX32 */,
            0x0020000 /* UNAME26 */, 0x0020008, 0xffffffff /* query */);

    static final int TIOCSTI = 0x5412, TIOCLINUX = 0x541C;
    static final int MFD_EXEC = 0x10;

    /** Launch flags understood by src/main/c/syd-launch.c (header field "flags"). */
    public static final int LAUNCH_MDWE = dev.jsyd.sys.Launcher.MDWE, LAUNCH_DROP_CAPS = dev.jsyd.sys.Launcher.DROP_CAPS,
            LAUNCH_NO_CORE = dev.jsyd.sys.Launcher.NO_CORE;

    /** The launcher steps this policy asks for. */
    public static int launchFlags(Sandbox sb) {
        int f = 0;
        if (!sb.flag("trace/allow_unsafe_memory") && !sb.flag("trace/allow_unsafe_exec_memory")) f |= LAUNCH_MDWE;
        if (!sb.flag("trace/allow_unsafe_caps")) f |= LAUNCH_DROP_CAPS;
        if (!sb.flag("trace/allow_unsafe_dumpable")) f |= LAUNCH_NO_CORE;
        return f;
    }

    /**
     * The in-kernel rules per syscall for this policy: ordered, first match wins; when none
     * matches, the syscall goes on to its notify/allow decision. An empty condition list is an
     * unconditional rule.
     */
    public static Map<Integer, List<ArgRule>> rules(Sandbox sb, Self self) {
        Map<Integer, List<ArgRule>> out = new LinkedHashMap<>();
        for (Denial d : DENIALS) {
            if (d.relaxedBy() != null && sb.flag(d.relaxedBy())) continue;
            add(out, d.nr(), ArgRule.all(errno(d.errno())));
        }
        if (sb.flag("trace/allow_unsafe_uring")) {
            out.remove(Syscalls.IO_URING_SETUP);
            out.remove(Syscalls.IO_URING_ENTER);
            out.remove(Syscalls.IO_URING_REGISTER);
        }
        if (sb.flag("trace/allow_unsafe_debug")) { // older name of allow_unsafe_ptrace
            out.remove(Syscalls.PTRACE);
            out.remove(Syscalls.PROCESS_VM_READV);
            out.remove(Syscalls.PROCESS_VM_WRITEV);
        }
        namespaces(sb, out);
        if (!sb.flag("trace/allow_unsafe_personality")) {
            // Allowed values first, then everything else refused.
            List<ArgRule> p = new ArrayList<>();
            for (int v : SAFE_PERSONALITIES.stream().sorted().toList()) p.add(ArgRule.all(Seccomp.RET_ALLOW, of32(0, Op.EQ, v)));
            p.add(ArgRule.all(errno(Errno.EPERM)));
            out.put(Syscalls.PERSONALITY, p);
        }
        // Terminal input injection: always refused.
        add(out, Syscalls.IOCTL, ArgRule.all(errno(Errno.EACCES), of32(1, Op.EQ, TIOCSTI)));
        add(out, Syscalls.IOCTL, ArgRule.all(errno(Errno.EACCES), of32(1, Op.EQ, TIOCLINUX)));
        if (!sb.flag("trace/allow_unsafe_memfd")) {
            // Executable memfds: MFD_EXEC refused. Flags 0 (executable by default) cannot be
            // rewritten in BPF; see docs/ESCAPES.md.
            add(out, Syscalls.MEMFD_CREATE, ArgRule.all(errno(Errno.EACCES), anyBits(1, MFD_EXEC)));
        }
        MemoryHandlers.rules(sb, out);
        signals(self, out);
        return out;
    }

    private static void namespaces(Sandbox sb, Map<Integer, List<ArgRule>> out) {
        String allowed = sb.setting("trace/allow_unsafe_namespace").map(Object::toString).orElse("none");
        List<String> ok = allowed.equals("all") ? List.copyOf(NS_FLAGS.keySet())
                : allowed.equals("none") ? List.of() : List.of(allowed.split(","));
        int denied = 0;
        for (var e : NS_FLAGS.entrySet()) if (!ok.contains(e.getKey())) denied |= e.getValue();
        if (denied != 0) {
            add(out, Syscalls.UNSHARE, ArgRule.all(errno(Errno.EPERM), anyBits(0, denied & 0xffffffffL)));
            int cloneDenied = denied & ~0xff;
            if (cloneDenied != 0) add(out, Syscalls.CLONE, ArgRule.all(errno(Errno.EPERM), anyBits(0, cloneDenied & 0xffffffffL)));
            // clone3 keeps its flags in memory: refused with ENOSYS so libc falls back to clone(2).
            add(out, Syscalls.CLONE3, ArgRule.all(errno(Errno.ENOSYS)));
        }
        if (ok.isEmpty()) add(out, Syscalls.SETNS, ArgRule.all(errno(Errno.EPERM)));
        if (!ok.contains("mount")) for (int nr : MOUNT_FAMILY) add(out, nr, ArgRule.all(errno(Errno.EPERM)));
    }

    /**
     * Signals the supervisor in the kernel where the target is a scalar known now: its pid for
     * tgkill/rt_tgsigqueueinfo (a tid there must belong to that tgid, so no other tgid reaches a
     * supervisor thread), its process group and "everyone" (-1) for kill; joining its process
     * group is refused so that a kill(0) checked in {@link SignalHandlers} stays valid.
     */
    private static void signals(Self self, Map<Integer, List<ArgRule>> out) {
        int eacces = errno(Errno.EACCES);
        add(out, Syscalls.KILL, ArgRule.all(eacces, of32(0, Op.EQ, self.pid())));
        add(out, Syscalls.KILL, ArgRule.all(eacces, of32(0, Op.EQ, -self.pgid())));
        add(out, Syscalls.KILL, ArgRule.all(eacces, of32(0, Op.EQ, -1)));
        add(out, Syscalls.TKILL, ArgRule.all(eacces, of32(0, Op.EQ, self.pid())));
        add(out, Syscalls.TGKILL, ArgRule.all(eacces, of32(0, Op.EQ, self.pid())));
        add(out, Syscalls.RT_SIGQUEUEINFO, ArgRule.all(eacces, of32(0, Op.EQ, self.pid())));
        add(out, Syscalls.RT_TGSIGQUEUEINFO, ArgRule.all(eacces, of32(0, Op.EQ, self.pid())));
        add(out, Syscalls.PIDFD_OPEN, ArgRule.all(eacces, of32(0, Op.EQ, self.pid())));
        add(out, Syscalls.SETPGID, ArgRule.all(errno(Errno.EPERM), of32(1, Op.EQ, self.pgid())));
        // F_SETOWN(pid or -pgid of the supervisor) would let SIGIO/F_SETSIG signal it.
        add(out, Syscalls.FCNTL, ArgRule.all(eacces, of32(1, Op.EQ, F_SETOWN), of32(2, Op.EQ, self.pid())));
        add(out, Syscalls.FCNTL, ArgRule.all(eacces, of32(1, Op.EQ, F_SETOWN), of32(2, Op.EQ, -self.pgid())));
        // The same with the owner in memory (struct f_owner_ex, int *): the filter cannot read it,
        // so these are refused outright until an fcntl/ioctl handler emulates them.
        add(out, Syscalls.FCNTL, ArgRule.all(eacces, of32(1, Op.EQ, F_SETOWN_EX)));
        add(out, Syscalls.IOCTL, ArgRule.all(eacces, of32(1, Op.EQ, FIOSETOWN)));
        add(out, Syscalls.IOCTL, ArgRule.all(eacces, of32(1, Op.EQ, SIOCSPGRP)));
    }

    static final int F_SETOWN = 8, F_SETOWN_EX = 15, FIOSETOWN = 0x8901, SIOCSPGRP = 0x8902;

    static int errno(int e) {
        return Seccomp.RET_ERRNO | (e & Seccomp.RET_DATA);
    }

    static void add(Map<Integer, List<ArgRule>> out, int nr, ArgRule rule) {
        out.computeIfAbsent(nr, k -> new ArrayList<>()).add(rule);
    }
}
