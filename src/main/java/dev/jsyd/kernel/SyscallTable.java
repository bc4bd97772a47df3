package dev.jsyd.kernel;

import static dev.jsyd.abi.Errno.EPERM;
import static dev.jsyd.abi.Errno.ENOSYS;
import static dev.jsyd.abi.Syscalls.*;

import dev.jsyd.abi.Errno;
import dev.jsyd.abi.Syscalls;
import dev.jsyd.policy.Category;
import dev.jsyd.policy.Sandbox;
import dev.jsyd.bpf.ArgRule;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The syscall table: one row per x86_64 syscall ({@link Syscalls}, generated from the kernel's
 * {@code syscall_64.tbl}) saying how the sandbox treats it, the way gVisor's {@code linux64.go}
 * gives every syscall a support level. A row is
 * <ul>
 *   <li><b>handled</b> by a method of its family file ({@code OpenHandlers::openat}, …): sent to
 *       the supervisor when one of its categories could refuse or log something, else left to the
 *       kernel;</li>
 *   <li><b>kernel</b>: allowed in the kernel, with the reason it is safe to;</li>
 *   <li><b>refused</b> in the kernel with an errno (0: a no-op that succeeds), unless a
 *       {@code trace/allow_unsafe_*} switch relaxes it.</li>
 * </ul>
 * A row may also point to argument rules ({@link Hardening}) that the filter checks first: clone
 * flags, personality values, ioctl requests, signal targets. <b>Everything not in this table is
 * refused with ENOSYS</b> (unknown numbers, syscalls newer than the table), as Syd does
 * (docs/DECISIONS.md). {@link FilterPlan}, {@code syd --api} and the table in docs/EMULATION.md
 * are derived from it.
 */
public final class SyscallTable {
    private SyscallTable() {}

    /** How one syscall is treated. */
    public sealed interface Treatment permits Handled, Kernel, Refused {}

    /**
     * Notified and handled by {@code handler}, when some category of {@code categories} could refuse
     * or log (none: always notified, e.g. the calls that name a task); {@code flagsArg} is the index
     * of an open-flags argument the filter may look at (-1: none); {@code ruleOnly}: notified only
     * where the row's argument rules say so (e.g. fcntl F_SETOWN), whatever the policy and the lock.
     */
    public record Handled(Handler handler, Set<Category> categories, int flagsArg, boolean ruleOnly) implements Treatment {
        public Handled(Handler handler, Set<Category> categories, int flagsArg) {
            this(handler, categories, flagsArg, false);
        }

        /** True when some call of this syscall could be refused or logged under {@code sandbox}. */
        public boolean neededBy(Sandbox sandbox) {
            if (categories.isEmpty()) return true;
            for (Category c : categories) if (sandbox.mayRefuse(c)) return true;
            return false;
        }

        /** True when every category is a path category (walk and stat hiding then apply too). */
        public boolean isPathCall() {
            if (categories.isEmpty()) return false;
            for (Category c : categories) if (!c.isPath()) return false;
            return true;
        }
    }

    /** Allowed in the kernel, because {@code why}. */
    public record Kernel(String why) implements Treatment {}

    /**
     * Refused in the kernel with {@code errno} (0: answered 0 without running), because {@code why};
     * any of {@code relaxedBy} turns it into an allowed call. A switch is a boolean
     * {@code trace/...} setting, {@code trace/allow_unsafe_namespace:NS} (that namespace allowed) or
     * {@code trace/allow_unsafe_namespace} (any namespace allowed).
     */
    public record Refused(int errno, String why, List<String> relaxedBy) implements Treatment {
        public boolean relaxed(Sandbox sb) {
            for (String s : relaxedBy) if (switchOn(sb, s)) return true;
            return false;
        }
    }

    /** Argument rules checked before the row's treatment: what they do, and where they come from. */
    public record Rules(String what, Hardening.RuleSource source) {}

    /** One syscall: its number, its table name, its treatment and its argument rules (null: none). */
    public record Row(int nr, String name, Treatment treatment, Rules rules) {}

    /** True when switch {@code s} (see {@link Refused}) is on in {@code sb}. */
    static boolean switchOn(Sandbox sb, String s) {
        String ns = "trace/allow_unsafe_namespace";
        if (s.equals(ns)) return !Hardening.allowedNamespaces(sb).isEmpty();
        if (s.startsWith(ns + ":")) return Hardening.allowedNamespaces(sb).contains(s.substring(ns.length() + 1));
        return sb.flag(s);
    }

    // Reasons, shared by many rows.
    private static final String FD = "works on file descriptors the program already holds: no path or address to check";
    private static final String IO = "reads or writes file descriptors the program already holds";
    private static final String META = "metadata of a file descriptor the program holds (as Syd, fds are not re-checked)";
    private static final String MEM = "the program's own memory";
    private static final String MAP = "maps memory or a file descriptor the program holds; MDWE (launcher) keeps memory W^X";
    private static final String PROC = "the program's own process state";
    private static final String ID = "reads the program's own identity, limits or system facts";
    private static final String CLOCKS = "reads clocks, sleeps or arms the program's own timers";
    private static final String SIG = "the program's own signal state";
    private static final String WAIT = "waits for the program's own children";
    private static final String FLUSH = "flushes or advises on a file descriptor the program holds";
    private static final String IPC = "System V / POSIX IPC objects: keys and queue names, not file system paths";
    private static final String THREAD = "thread machinery libc needs (futexes, robust lists, rseq)";
    private static final String SOCK = "on the program's own socket, with no address to check";
    private static final String AIO = "Linux AIO on file descriptors the program holds (not io_uring)";
    private static final String RESTRICT = "can only restrict the caller further";
    private static final String NICE = "lowers the program's own priority; raising it needs CAP_SYS_NICE, dropped by the launcher"
            + " (Syd neuters these unless trace/allow_unsafe_nice)";
    private static final String NEW_TASK = "creates a task; every task is traced from birth (pid/max hands it to the tracer first)";
    private static final String NOT_IMPL = "not implemented by Linux on x86_64 (the kernel answers ENOSYS too)";
    private static final String NEW_NS = "needs a namespace the program may not make";
    private static final String MOUNT_API = "the mount API: changes what paths mean under the supervisor's checks";
    private static final String MODULE = "loads or replaces kernel code";
    private static final String TRACING = "reaches another process's memory and registers (the supervisor traces every task)";
    private static final String URING = "io_uring performs file and socket operations without syscalls (seccomp never sees them)";
    private static final String KEYRING = "the kernel keyring is shared outside the sandbox";
    private static final String TIME_SET = "sets the system clock";
    private static final String NUMA = "NUMA memory policy of the program's pages (Syd refuses it)";
    private static final String PKEY = "memory protection keys (Syd refuses them)";
    private static final String HANDLE = "opens files by handle, with no path to check";
    private static final String XATTRAT = "the *xattrat calls (Linux 6.13) are not emulated yet: ENOSYS when stat or chattr is on";
    private static final String CAP_ADMIN = "needs CAP_SYS_ADMIN, dropped by the launcher";

    private static final Category[] OPEN_CATS = {Category.READ, Category.WRITE, Category.CREATE, Category.TRUNCATE,
        Category.READDIR, Category.MKTEMP};
    private static final Category[] MKNOD_CATS = {Category.CREATE, Category.MKFIFO, Category.MKBDEV, Category.MKCDEV};
    private static final Category[] SOCKET_CATS = {Category.NET_BIND, Category.NET_CONNECT, Category.NET_SENDFD, Category.NET_LINK};

    private static final Rules CLONE_RULES = new Rules("namespace flags (EPERM), CLONE_UNTRACED (EPERM), pid/max hand-over to the tracer", Hardening::clone);
    private static final Rules PID_RULES = new Rules("pid/max hand-over to the tracer", Hardening::pidLimit);
    private static final Rules FAKE_ROOT = new Rules("root/fake: answered 0", Hardening::fakeRoot);
    private static final Rules SELF_PID = new Rules("the supervisor's pid: EACCES", Hardening::supervisorPid);
    private static final String MEM_LIMITS = "memory sandboxing with a limit (or a policy that may change): growth notified"
            + " and checked against mem/max and mem/vm_max; else in the kernel";
    private static final Rules MEM_RULES_BRK = new Rules(MEM_LIMITS + " (brk(0) always)", MemLimitHandlers::brkRules);
    private static final Rules MEM_RULES_MMAP = new Rules("PROT_EXEC with MAP_SHARED: EACCES (trace/allow_unsafe_memory);"
            + " PROT_EXEC of a file: to the tracer, checked like an exec and against the memory limits, when something could"
            + " refuse it; then " + MEM_LIMITS + " (PROT_NONE with mem/max alone too)", SyscallTable::mmapRules);
    private static final Rules MEM_RULES_MREMAP = new Rules(MEM_LIMITS, MemLimitHandlers::mremapRules);
    private static final Rules SELF_ZERO = new Rules("pid 0, the caller itself: allowed", Hardening::callerItself);
    private static final String WRITE_OPENS = "opens for writing always notified (no process writes another's /proc/PID/mem)";
    private static final Rules ALWAYS = new Rules("always notified (flags in memory; another process's /proc/PID/mem)",
            Hardening::always);
    private static final Rules PRIORITY = new Rules("PRIO_PROCESS of the caller (0): allowed", Hardening::priority);
    private static final Rules IOPRIO = new Rules("IOPRIO_WHO_PROCESS of the caller (0): allowed", Hardening::ioprio);
    private static final String UID_FLOOR_WHAT = "uid ≤ 11 other than the starting uid: EACCES (SafeSetID)",
            GID_FLOOR_WHAT = "gid ≤ 14 other than the starting gid: EACCES (SafeSetID)";
    private static final Rules UID_FLOOR1 = new Rules(UID_FLOOR_WHAT, Hardening.setIdFloor(true, 1)),
            UID_FLOOR2 = new Rules(UID_FLOOR_WHAT, Hardening.setIdFloor(true, 2)),
            UID_FLOOR3 = new Rules(UID_FLOOR_WHAT, Hardening.setIdFloor(true, 3)),
            GID_FLOOR1 = new Rules(GID_FLOOR_WHAT, Hardening.setIdFloor(false, 1)),
            GID_FLOOR2 = new Rules(GID_FLOOR_WHAT, Hardening.setIdFloor(false, 2)),
            GID_FLOOR3 = new Rules(GID_FLOOR_WHAT, Hardening.setIdFloor(false, 3));

    /** The table: one row per syscall of {@link Syscalls}, in number order. */
    private static final List<Row> ROWS = List.of(
            row(READ, kernel(IO)),
            row(WRITE, kernel(IO)),
            row(OPEN, open(OpenHandlers::open, 1), new Rules(WRITE_OPENS, Hardening.writeOpens(1))),
            row(CLOSE, kernel(FD)),
            row(STAT, handle(StatHandlers::stat, Category.STAT)),
            row(FSTAT, kernel(META)),
            row(LSTAT, handle(StatHandlers::lstat, Category.STAT)),
            row(POLL, kernel(IO)),
            row(LSEEK, kernel(IO)),
            row(MMAP, handle(MemLimitHandlers::mmap, Category.MEM), MEM_RULES_MMAP),
            row(MPROTECT, kernel(MAP), new Rules("adding PROT_EXEC with W^X relaxed: to the tracer, checked like an exec", MemoryHandlers::mprotect)),
            row(MUNMAP, kernel(MEM)),
            row(BRK, handle(MemLimitHandlers::brk, Category.MEM), MEM_RULES_BRK),
            row(RT_SIGACTION, kernel(SIG)),
            row(RT_SIGPROCMASK, kernel(SIG)),
            row(RT_SIGRETURN, kernel(SIG + "; returns from a handler (SROP checks: with exec integrity)")),
            row(IOCTL, handle(IoctlHandlers::ioctl, Category.IOCTL),
                    new Rules("TIOCSTI, TIOCLINUX, TCXONC, TIOCCONS, TIOCSETD, TIOCVHANGUP, TIOCSCTTY(1) (EACCES);"
                            + " USERFAULTFD_IOC_NEW (EPERM); FIOSETOWN, SIOCSPGRP: notified, the owner is checked;"
                            + " then the requests the ioctl policy allows silently run in the kernel (under Landlock only"
                            + " those Landlock never restricts), the others are notified", IoctlHandlers::filterRules)),
            row(PREAD64, kernel(IO)),
            row(PWRITE64, kernel(IO)),
            row(READV, kernel(IO)),
            row(WRITEV, kernel(IO)),
            row(ACCESS, handle(StatHandlers::access, Category.STAT)),
            row(PIPE, kernel(FD)),
            row(SELECT, kernel(IO)),
            row(SCHED_YIELD, kernel(PROC)),
            row(MREMAP, handle(MemLimitHandlers::mremap, Category.MEM), MEM_RULES_MREMAP),
            row(MSYNC, kernel(MEM)),
            row(MINCORE, kernel(MEM + "; residency of its own mappings (Syd refuses it unless trace/allow_unsafe_page_cache)")),
            row(MADVISE, kernel(MEM)),
            row(SHMGET, kernel(IPC)),
            row(SHMAT, kernel(IPC), new Rules("SHM_EXEC: EACCES (trace/allow_unsafe_memory)", MemoryHandlers::shmat)),
            row(SHMCTL, kernel(IPC)),
            row(DUP, kernel(FD)),
            row(DUP2, kernel(FD)),
            row(PAUSE, kernel(SIG)),
            row(NANOSLEEP, kernel(CLOCKS)),
            row(GETITIMER, kernel(CLOCKS)),
            row(ALARM, kernel(CLOCKS)),
            row(SETITIMER, kernel(CLOCKS)),
            row(GETPID, kernel(ID)),
            row(SENDFILE, kernel(IO)),
            row(SOCKET, handle(SocketHandlers::socket, SOCKET_CATS)),
            row(CONNECT, net(ConnectHandlers::connect, Category.NET_CONNECT, Category.NET_BIND)),
            row(ACCEPT, handle(AcceptHandlers::accept, Category.NET_CONNECT)),
            row(SENDTO, net(SendHandlers::sendto, Category.NET_CONNECT, Category.NET_BIND)),
            row(RECVFROM, kernel(SOCK)),
            row(SENDMSG, net(SendHandlers::sendmsg, Category.NET_CONNECT, Category.NET_SENDFD, Category.NET_BIND)),
            row(RECVMSG, kernel(SOCK)),
            row(SHUTDOWN, kernel(SOCK)),
            row(BIND, net(BindHandlers::bind, Category.NET_BIND)),
            row(LISTEN, handle(BindHandlers::listen, Category.NET_BIND)),
            row(GETSOCKNAME, handle(BindHandlers::getsockname, Category.NET_BIND)),
            row(GETPEERNAME, handle(AcceptHandlers::getpeername, Category.NET_BIND)),
            row(SOCKETPAIR, kernel("a connected pair of UNIX sockets: no address")),
            row(SETSOCKOPT, kernel(SOCK)),
            row(GETSOCKOPT, byRule(PeerHandlers::getsockopt),
                    new Rules("SO_PEERCRED, SO_PEERPIDFD: emulated (never the supervisor as the peer)", Hardening::getsockopt)),
            row(CLONE, kernel(NEW_TASK), CLONE_RULES),
            row(FORK, kernel(NEW_TASK), PID_RULES),
            row(VFORK, kernel(NEW_TASK), PID_RULES),
            row(EXECVE, handle(ExecHandlers::execve, Category.EXEC)),
            row(EXIT, kernel(PROC)),
            row(WAIT4, kernel(WAIT)),
            row(KILL, guard(ProcessTargetHandlers::kill),
                    new Rules("the supervisor's pid, its process group, -1: EACCES", Hardening::kill)),
            row(UNAME, kernel(ID)),
            row(SEMGET, kernel(IPC)),
            row(SEMOP, kernel(IPC)),
            row(SEMCTL, kernel(IPC)),
            row(SHMDT, kernel(IPC)),
            row(MSGGET, kernel(IPC)),
            row(MSGSND, kernel(IPC)),
            row(MSGRCV, kernel(IPC)),
            row(MSGCTL, kernel(IPC)),
            row(FCNTL, byRule(FcntlHandlers::fcntl),
                    new Rules("F_SETOWN to the supervisor: EACCES; F_SETOWN (owner set), F_SETOWN_EX: the owner is checked;"
                            + " while a path is append-only, F_SETFL without O_APPEND is handled; everything else in the kernel",
                            FcntlHandlers::filterRules)),
            row(FLOCK, kernel(FD)),
            row(FSYNC, kernel(FLUSH)),
            row(FDATASYNC, kernel(FLUSH)),
            row(TRUNCATE, handle(TruncateHandlers::truncate, Category.TRUNCATE)),
            row(FTRUNCATE, handle(TruncateHandlers::ftruncate, Category.TRUNCATE)),
            row(GETDENTS, listing(DirentHandlers::getdents)),
            row(GETCWD, kernel(PROC)),
            row(CHDIR, handle(ChdirHandlers::chdir, Category.CHDIR)),
            row(FCHDIR, handle(ChdirHandlers::fchdir, Category.CHDIR)),
            row(RENAME, handle(RenameHandlers::rename, Category.RENAME)),
            row(MKDIR, handle(MknodHandlers::mkdir, Category.MKDIR)),
            row(RMDIR, handle(UnlinkHandlers::rmdir, Category.RMDIR)),
            row(CREAT, handle(OpenHandlers::creat, Category.WRITE, Category.CREATE, Category.TRUNCATE), ALWAYS),
            row(LINK, handle(LinkHandlers::link, Category.CREATE)),
            row(UNLINK, handle(UnlinkHandlers::unlink, Category.DELETE)),
            row(SYMLINK, handle(LinkHandlers::symlink, Category.SYMLINK)),
            row(READLINK, handle(ReadlinkHandlers::readlink, Category.STAT)),
            row(CHMOD, handle(ChmodHandlers::chmod, Category.CHMOD)),
            row(FCHMOD, handle(ChmodHandlers::fchmod, Category.CHMOD)),
            row(CHOWN, handle(ChownHandlers::chown, Category.CHOWN, Category.CHGRP)),
            row(FCHOWN, handle(ChownHandlers::fchown, Category.CHOWN, Category.CHGRP)),
            row(LCHOWN, handle(ChownHandlers::lchown, Category.CHOWN, Category.CHGRP)),
            row(UMASK, kernel(PROC)),
            row(GETTIMEOFDAY, kernel(CLOCKS)),
            row(GETRLIMIT, kernel(ID)),
            row(GETRUSAGE, kernel(ID)),
            row(SYSINFO, kernel(ID)),
            row(TIMES, kernel(ID)),
            row(PTRACE, refuse(EPERM, TRACING, "trace/allow_unsafe_ptrace", "trace/allow_unsafe_debug")),
            row(GETUID, kernel(ID), FAKE_ROOT),
            row(SYSLOG, refuse(EPERM, "reads or clears the kernel log", "trace/allow_unsafe_syslog")),
            row(GETGID, kernel(ID), FAKE_ROOT),
            row(SETUID, guard(SetIdHandlers::setuid), UID_FLOOR1),
            row(SETGID, guard(SetIdHandlers::setgid), GID_FLOOR1),
            row(GETEUID, kernel(ID), FAKE_ROOT),
            row(GETEGID, kernel(ID), FAKE_ROOT),
            row(SETPGID, guard(ProcessTargetHandlers::setpgid),
                    new Rules("setpgid(0, 0): allowed; into the supervisor's process group: a member stays, nobody joins; others: the sandbox's tasks and groups only",
                            Hardening::setpgid)),
            row(GETPPID, kernel(ID)),
            row(GETPGRP, kernel(ID)),
            row(SETSID, kernel(PROC)),
            row(SETREUID, guard(SetIdHandlers::setreuid), UID_FLOOR2),
            row(SETREGID, guard(SetIdHandlers::setregid), GID_FLOOR2),
            row(GETGROUPS, kernel(ID)),
            row(SETGROUPS, kernel("changes the caller's own groups; SafeSetID decides at the tracer's stop (GroupsCheck)"),
                    new Rules("always to the tracer: the list checked at the call, the groups the kernel set verified at its exit",
                            GroupsCheck::rules)),
            row(SETRESUID, guard(SetIdHandlers::setresuid), UID_FLOOR3),
            row(GETRESUID, kernel(ID)),
            row(SETRESGID, guard(SetIdHandlers::setresgid), GID_FLOOR3),
            row(GETRESGID, kernel(ID)),
            row(GETPGID, guard(ProcessTargetHandlers::firstIsTask), SELF_ZERO),
            row(SETFSUID, guard(SetIdHandlers::setfsuid), UID_FLOOR1),
            row(SETFSGID, guard(SetIdHandlers::setfsgid), GID_FLOOR1),
            row(GETSID, guard(ProcessTargetHandlers::firstIsTask), SELF_ZERO),
            row(CAPGET, kernel(ID)),
            row(CAPSET, guard(SetIdHandlers::capset)),
            row(RT_SIGPENDING, kernel(SIG)),
            row(RT_SIGTIMEDWAIT, kernel(SIG)),
            row(RT_SIGQUEUEINFO, guard(ProcessTargetHandlers::firstIsTask), SELF_PID),
            row(RT_SIGSUSPEND, kernel(SIG)),
            row(SIGALTSTACK, kernel(SIG)),
            row(UTIME, handle(UtimeHandlers::utime, Category.UTIME)),
            row(MKNOD, handle(MknodHandlers::mknod, MKNOD_CATS)),
            row(USELIB, refuse(ENOSYS, NOT_IMPL)),
            row(PERSONALITY, kernel("the program's own execution domain"),
                    new Rules("only PER_LINUX, PER_LINUX32, UNAME26 and the query; else EPERM (trace/allow_unsafe_personality)",
                            Hardening::personality)),
            row(USTAT, kernel("statistics of a mounted file system by device number (deprecated; no path)")),
            row(STATFS, handle(StatHandlers::statfs, Category.STAT)),
            row(FSTATFS, kernel(META)),
            row(SYSFS, kernel("names the file system types the kernel knows (deprecated)")),
            row(GETPRIORITY, guard(ProcessTargetHandlers::getpriority), PRIORITY),
            row(SETPRIORITY, guard(ProcessTargetHandlers::setpriority), PRIORITY),
            row(SCHED_SETPARAM, guard(ProcessTargetHandlers::firstIsTask), SELF_ZERO),
            row(SCHED_GETPARAM, guard(ProcessTargetHandlers::firstIsTask), SELF_ZERO),
            row(SCHED_SETSCHEDULER, guard(ProcessTargetHandlers::firstIsTask), SELF_ZERO),
            row(SCHED_GETSCHEDULER, guard(ProcessTargetHandlers::firstIsTask), SELF_ZERO),
            row(SCHED_GET_PRIORITY_MAX, kernel(ID)),
            row(SCHED_GET_PRIORITY_MIN, kernel(ID)),
            row(SCHED_RR_GET_INTERVAL, guard(ProcessTargetHandlers::firstIsTask), SELF_ZERO),
            row(MLOCK, kernel(MEM)),
            row(MUNLOCK, kernel(MEM)),
            row(MLOCKALL, kernel(MEM)),
            row(MUNLOCKALL, kernel(MEM)),
            row(VHANGUP, refuse(EPERM, "hangs up the controlling terminal")),
            row(MODIFY_LDT, refuse(EPERM, "x86 local descriptor tables: 16-bit code, kernel attack surface (Docker's default profile refuses it too)")),
            row(PIVOT_ROOT, handle(ChdirHandlers::pivotRoot, Category.CHROOT),
                    new Rules("the mount API: EPERM unless trace/allow_unsafe_namespace:mount", Hardening::mountApi)),
            row(_SYSCTL, refuse(ENOSYS, NOT_IMPL)),
            row(PRCTL, kernel(PROC)),
            row(ARCH_PRCTL, kernel(PROC + ": thread-local storage, CPUID faulting, shadow stacks")),
            row(ADJTIMEX, refuse(EPERM, TIME_SET, "trace/allow_unsafe_time")),
            row(SETRLIMIT, kernel(PROC + "; raising a hard limit needs CAP_SYS_RESOURCE, dropped by the launcher")),
            row(CHROOT, handle(ChdirHandlers::chroot, Category.CHROOT)),
            row(SYNC, refuse(0, "flushes every file system of the host: a no-op that succeeds", "trace/allow_unsafe_sync")),
            row(ACCT, refuse(EPERM, "process accounting into a file")),
            row(SETTIMEOFDAY, refuse(EPERM, TIME_SET, "trace/allow_unsafe_time")),
            row(MOUNT, mountApi()),
            row(UMOUNT2, mountApi()),
            row(SWAPON, refuse(EPERM, "swap devices of the host")),
            row(SWAPOFF, refuse(EPERM, "swap devices of the host")),
            row(REBOOT, refuse(EPERM, "reboots the host")),
            row(SETHOSTNAME, kernel(CAP_ADMIN)),
            row(SETDOMAINNAME, kernel(CAP_ADMIN)),
            row(IOPL, refuse(EPERM, "raw I/O port access")),
            row(IOPERM, refuse(EPERM, "raw I/O port access")),
            row(CREATE_MODULE, refuse(ENOSYS, NOT_IMPL)),
            row(INIT_MODULE, refuse(EPERM, MODULE)),
            row(DELETE_MODULE, refuse(EPERM, MODULE)),
            row(GET_KERNEL_SYMS, refuse(ENOSYS, NOT_IMPL)),
            row(QUERY_MODULE, refuse(ENOSYS, NOT_IMPL)),
            row(QUOTACTL, refuse(EPERM, "disk quotas of the host")),
            row(NFSSERVCTL, refuse(ENOSYS, NOT_IMPL)),
            row(GETPMSG, refuse(ENOSYS, NOT_IMPL)),
            row(PUTPMSG, refuse(ENOSYS, NOT_IMPL)),
            row(AFS_SYSCALL, refuse(ENOSYS, NOT_IMPL)),
            row(TUXCALL, refuse(ENOSYS, NOT_IMPL)),
            row(SECURITY, refuse(ENOSYS, NOT_IMPL)),
            row(GETTID, kernel(ID)),
            row(READAHEAD, kernel(FLUSH)),
            row(SETXATTR, handle(XattrHandlers::setxattr, Category.CHATTR)),
            row(LSETXATTR, handle(XattrHandlers::lsetxattr, Category.CHATTR)),
            row(FSETXATTR, handle(XattrHandlers::fsetxattr, Category.CHATTR)),
            row(GETXATTR, handle(XattrHandlers::getxattr, Category.STAT)),
            row(LGETXATTR, handle(XattrHandlers::lgetxattr, Category.STAT)),
            row(FGETXATTR, handle(XattrHandlers::fgetxattr, Category.STAT)),
            row(LISTXATTR, handle(XattrHandlers::listxattr, Category.STAT)),
            row(LLISTXATTR, handle(XattrHandlers::llistxattr, Category.STAT)),
            row(FLISTXATTR, handle(XattrHandlers::flistxattr, Category.STAT)),
            row(REMOVEXATTR, handle(XattrHandlers::removexattr, Category.CHATTR)),
            row(LREMOVEXATTR, handle(XattrHandlers::lremovexattr, Category.CHATTR)),
            row(FREMOVEXATTR, handle(XattrHandlers::fremovexattr, Category.CHATTR)),
            row(TKILL, guard(ProcessTargetHandlers::firstIsTask), SELF_PID),
            row(TIME, kernel(CLOCKS)),
            row(FUTEX, kernel(THREAD)),
            row(SCHED_SETAFFINITY, guard(ProcessTargetHandlers::firstIsTask), SELF_ZERO),
            row(SCHED_GETAFFINITY, guard(ProcessTargetHandlers::firstIsTask), SELF_ZERO),
            row(SET_THREAD_AREA, refuse(ENOSYS, NOT_IMPL)),
            row(IO_SETUP, kernel(AIO)),
            row(IO_DESTROY, kernel(AIO)),
            row(IO_GETEVENTS, kernel(AIO)),
            row(IO_SUBMIT, kernel(AIO)),
            row(IO_CANCEL, kernel(AIO)),
            row(GET_THREAD_AREA, refuse(ENOSYS, NOT_IMPL)),
            row(LOOKUP_DCOOKIE, refuse(ENOSYS, NOT_IMPL + "; removed in Linux 6.10")),
            row(EPOLL_CREATE, kernel(FD)),
            row(EPOLL_CTL_OLD, refuse(ENOSYS, NOT_IMPL)),
            row(EPOLL_WAIT_OLD, refuse(ENOSYS, NOT_IMPL)),
            row(REMAP_FILE_PAGES, kernel(MEM + " (deprecated; the kernel emulates it with mmap)")),
            row(GETDENTS64, listing(DirentHandlers::getdents64)),
            row(SET_TID_ADDRESS, kernel(THREAD)),
            row(RESTART_SYSCALL, kernel("resumes a call a signal interrupted; the kernel restarts only what it had started")),
            row(SEMTIMEDOP, kernel(IPC)),
            row(FADVISE64, kernel(FLUSH)),
            row(TIMER_CREATE, kernel(CLOCKS)),
            row(TIMER_SETTIME, kernel(CLOCKS)),
            row(TIMER_GETTIME, kernel(CLOCKS)),
            row(TIMER_GETOVERRUN, kernel(CLOCKS)),
            row(TIMER_DELETE, kernel(CLOCKS)),
            row(CLOCK_SETTIME, refuse(EPERM, TIME_SET, "trace/allow_unsafe_time")),
            row(CLOCK_GETTIME, kernel(CLOCKS)),
            row(CLOCK_GETRES, kernel(CLOCKS)),
            row(CLOCK_NANOSLEEP, kernel(CLOCKS)),
            row(EXIT_GROUP, kernel(PROC)),
            row(EPOLL_WAIT, kernel(IO)),
            row(EPOLL_CTL, kernel(FD)),
            row(TGKILL, guard(ProcessTargetHandlers::threadOfGroup), SELF_PID),
            row(UTIMES, handle(UtimeHandlers::utimes, Category.UTIME)),
            row(VSERVER, refuse(ENOSYS, NOT_IMPL)),
            row(MBIND, refuse(EPERM, NUMA, "trace/allow_unsafe_mbind")),
            row(SET_MEMPOLICY, refuse(EPERM, NUMA, "trace/allow_unsafe_mbind")),
            row(GET_MEMPOLICY, kernel(MEM)),
            row(MQ_OPEN, kernel(IPC)),
            row(MQ_UNLINK, kernel(IPC)),
            row(MQ_TIMEDSEND, kernel(IPC)),
            row(MQ_TIMEDRECEIVE, kernel(IPC)),
            row(MQ_NOTIFY, kernel(IPC)),
            row(MQ_GETSETATTR, kernel(IPC)),
            row(KEXEC_LOAD, refuse(EPERM, MODULE)),
            row(WAITID, kernel(WAIT)),
            row(ADD_KEY, refuse(EPERM, KEYRING, "trace/allow_unsafe_keyring")),
            row(REQUEST_KEY, refuse(EPERM, KEYRING, "trace/allow_unsafe_keyring")),
            row(KEYCTL, refuse(EPERM, KEYRING, "trace/allow_unsafe_keyring")),
            row(IOPRIO_SET, guard(ProcessTargetHandlers::ioprioSet), IOPRIO),
            row(IOPRIO_GET, guard(ProcessTargetHandlers::ioprioGet), IOPRIO),
            row(INOTIFY_INIT, kernel(FD)),
            row(INOTIFY_ADD_WATCH, handle(NotifyHandlers::inotifyAddWatch, Category.NOTIFY)),
            row(INOTIFY_RM_WATCH, kernel(FD)),
            row(MIGRATE_PAGES, refuse(EPERM, NUMA, "trace/allow_unsafe_mbind")),
            row(OPENAT, open(OpenHandlers::openat, 2), new Rules(WRITE_OPENS, Hardening.writeOpens(2))),
            row(MKDIRAT, handle(MknodHandlers::mkdirat, Category.MKDIR)),
            row(MKNODAT, handle(MknodHandlers::mknodat, MKNOD_CATS)),
            row(FCHOWNAT, handle(ChownHandlers::fchownat, Category.CHOWN, Category.CHGRP)),
            row(FUTIMESAT, handle(UtimeHandlers::futimesat, Category.UTIME)),
            row(NEWFSTATAT, handle(StatHandlers::newfstatat, Category.STAT)),
            row(UNLINKAT, handle(UnlinkHandlers::unlinkat, Category.DELETE, Category.RMDIR)),
            row(RENAMEAT, handle(RenameHandlers::renameat, Category.RENAME)),
            row(LINKAT, handle(LinkHandlers::linkat, Category.CREATE)),
            row(SYMLINKAT, handle(LinkHandlers::symlinkat, Category.SYMLINK)),
            row(READLINKAT, handle(ReadlinkHandlers::readlinkat, Category.STAT)),
            row(FCHMODAT, handle(ChmodHandlers::fchmodat, Category.CHMOD)),
            row(FACCESSAT, handle(StatHandlers::faccessat, Category.STAT)),
            row(PSELECT6, kernel(IO)),
            row(PPOLL, kernel(IO)),
            row(UNSHARE, kernel("splits the program's own shared state (files, fs, sysvsem); new namespaces only by rule"),
                    new Rules("namespace flags: EPERM unless trace/allow_unsafe_namespace names them", Hardening::unshare)),
            row(SET_ROBUST_LIST, kernel(THREAD)),
            row(GET_ROBUST_LIST, guard(ProcessTargetHandlers::firstIsTask), SELF_ZERO),
            row(SPLICE, kernel(IO)),
            row(TEE, kernel(IO)),
            row(SYNC_FILE_RANGE, kernel(FLUSH)),
            row(VMSPLICE, refuse(EPERM, "splices user memory into pipes (Syd refuses it)", "trace/allow_unsafe_vmsplice")),
            row(MOVE_PAGES, refuse(EPERM, NUMA, "trace/allow_unsafe_mbind")),
            row(UTIMENSAT, handle(UtimeHandlers::utimensat, Category.UTIME)),
            row(EPOLL_PWAIT, kernel(IO)),
            row(SIGNALFD, kernel(SIG)),
            row(TIMERFD_CREATE, kernel(CLOCKS)),
            row(EVENTFD, kernel(FD)),
            row(FALLOCATE, handle(TruncateHandlers::fallocate, Category.TRUNCATE)),
            row(TIMERFD_SETTIME, kernel(CLOCKS)),
            row(TIMERFD_GETTIME, kernel(CLOCKS)),
            row(ACCEPT4, handle(AcceptHandlers::accept4, Category.NET_CONNECT)),
            row(SIGNALFD4, kernel(SIG)),
            row(EVENTFD2, kernel(FD)),
            row(EPOLL_CREATE1, kernel(FD)),
            row(DUP3, kernel(FD)),
            row(PIPE2, kernel(FD)),
            row(INOTIFY_INIT1, kernel(FD)),
            row(PREADV, kernel(IO)),
            row(PWRITEV, kernel(IO)),
            row(RT_TGSIGQUEUEINFO, guard(ProcessTargetHandlers::threadOfGroup), SELF_PID),
            row(PERF_EVENT_OPEN, refuse(EPERM, "performance counters observe the host and other processes", "trace/allow_unsafe_perf")),
            row(RECVMMSG, kernel(SOCK)),
            row(FANOTIFY_INIT, kernel("makes a notification group (beyond the unprivileged subset it needs CAP_SYS_ADMIN); marks are checked at fanotify_mark")),
            row(FANOTIFY_MARK, handle(NotifyHandlers::fanotifyMark, Category.NOTIFY)),
            row(PRLIMIT64, guard(ProcessTargetHandlers::firstIsTask), SELF_ZERO),
            row(NAME_TO_HANDLE_AT, refuse(EPERM, HANDLE)),
            row(OPEN_BY_HANDLE_AT, refuse(EPERM, HANDLE)),
            row(CLOCK_ADJTIME, refuse(EPERM, TIME_SET, "trace/allow_unsafe_time")),
            row(SYNCFS, refuse(0, "flushes a whole file system of the host: a no-op that succeeds", "trace/allow_unsafe_sync")),
            row(SENDMMSG, net(SendHandlers::sendmmsg, Category.NET_CONNECT, Category.NET_SENDFD, Category.NET_BIND)),
            row(SETNS, refuse(EPERM, NEW_NS, "trace/allow_unsafe_namespace")),
            row(GETCPU, kernel(ID)),
            row(PROCESS_VM_READV, refuse(EPERM, TRACING, "trace/allow_unsafe_ptrace", "trace/allow_unsafe_debug")),
            row(PROCESS_VM_WRITEV, refuse(EPERM, TRACING, "trace/allow_unsafe_ptrace", "trace/allow_unsafe_debug")),
            row(KCMP, guard(ProcessTargetHandlers::kcmp)),
            row(FINIT_MODULE, refuse(EPERM, MODULE)),
            row(SCHED_SETATTR, guard(ProcessTargetHandlers::firstIsTask), SELF_ZERO),
            row(SCHED_GETATTR, guard(ProcessTargetHandlers::firstIsTask), SELF_ZERO),
            row(RENAMEAT2, handle(RenameHandlers::renameat2, Category.RENAME)),
            row(SECCOMP, kernel("adds filters, which can only restrict further (a second listener is EBUSY in the kernel)")),
            row(GETRANDOM, kernel("random bytes")),
            row(MEMFD_CREATE, guard(MemoryHandlers::memfdCreate), new Rules("MFD_EXEC: EACCES (trace/allow_unsafe_memfd)", Hardening::memfd)),
            row(KEXEC_FILE_LOAD, refuse(EPERM, MODULE)),
            row(BPF, refuse(EPERM, "eBPF programs run in the kernel", "trace/allow_unsafe_ebpf")),
            row(EXECVEAT, handle(ExecHandlers::execveat, Category.EXEC)),
            row(USERFAULTFD, refuse(EPERM, "page faults handled in user space can hold the supervisor's reads of the program's memory")),
            row(MEMBARRIER, kernel(THREAD)),
            row(MLOCK2, kernel(MEM)),
            row(COPY_FILE_RANGE, kernel(IO)),
            row(PREADV2, kernel(IO)),
            row(PWRITEV2, kernel(IO), new Rules("RWF_NOAPPEND: EPERM while a path is append-only", PathTransforms::pwritev2Rules)),
            row(PKEY_MPROTECT, refuse(EPERM, PKEY, "trace/allow_unsafe_pkey"),
                    new Rules("allowed and adding PROT_EXEC with W^X relaxed: to the tracer", MemoryHandlers::pkeyMprotect)),
            row(PKEY_ALLOC, refuse(EPERM, PKEY, "trace/allow_unsafe_pkey")),
            row(PKEY_FREE, refuse(EPERM, PKEY, "trace/allow_unsafe_pkey")),
            row(STATX, handle(StatHandlers::statx, Category.STAT)),
            row(IO_PGETEVENTS, kernel(AIO)),
            row(RSEQ, kernel(THREAD)),
            row(URETPROBE, kernel("only valid from the kernel's uretprobe trampoline")),
            row(UPROBE, kernel("only valid from the kernel's uprobe trampoline")),
            row(PIDFD_SEND_SIGNAL, guard(ProcessTargetHandlers::byPidfd)),
            row(IO_URING_SETUP, refuse(EPERM, URING, "trace/allow_unsafe_iouring", "trace/allow_unsafe_uring")),
            row(IO_URING_ENTER, refuse(EPERM, URING, "trace/allow_unsafe_iouring", "trace/allow_unsafe_uring")),
            row(IO_URING_REGISTER, refuse(EPERM, URING, "trace/allow_unsafe_iouring", "trace/allow_unsafe_uring")),
            row(OPEN_TREE, mountApi()),
            row(MOVE_MOUNT, mountApi()),
            row(FSOPEN, mountApi()),
            row(FSCONFIG, mountApi()),
            row(FSMOUNT, mountApi()),
            row(FSPICK, mountApi()),
            row(PIDFD_OPEN, guard(ProcessTargetHandlers::firstIsTask), SELF_PID),
            row(CLONE3, refuse(ENOSYS, "its flags are in memory the filter cannot read: ENOSYS, so libc falls back to clone(2)")),
            row(CLOSE_RANGE, kernel(FD)),
            row(OPENAT2, handle(OpenHandlers::openat2, OPEN_CATS), ALWAYS),
            row(PIDFD_GETFD, guard(ProcessTargetHandlers::byPidfd)),
            row(FACCESSAT2, handle(StatHandlers::faccessat2, Category.STAT)),
            row(PROCESS_MADVISE, guard(ProcessTargetHandlers::byPidfd)),
            row(EPOLL_PWAIT2, kernel(IO)),
            row(MOUNT_SETATTR, mountApi()),
            row(QUOTACTL_FD, refuse(EPERM, "disk quotas of the host")),
            row(LANDLOCK_CREATE_RULESET, kernel(RESTRICT)),
            row(LANDLOCK_ADD_RULE, kernel(RESTRICT)),
            row(LANDLOCK_RESTRICT_SELF, kernel(RESTRICT)),
            row(MEMFD_SECRET, kernel("anonymous secret memory: no path")),
            row(PROCESS_MRELEASE, guard(ProcessTargetHandlers::byPidfd)),
            row(FUTEX_WAITV, kernel(THREAD)),
            row(SET_MEMPOLICY_HOME_NODE, refuse(EPERM, NUMA, "trace/allow_unsafe_mbind")),
            row(CACHESTAT, kernel("page-cache state of a file the program holds (Syd refuses it unless trace/allow_unsafe_page_cache)")),
            row(FCHMODAT2, handle(ChmodHandlers::fchmodat2, Category.CHMOD)),
            row(MAP_SHADOW_STACK, kernel(MEM + ": a CET shadow stack")),
            row(FUTEX_WAKE, kernel(THREAD)),
            row(FUTEX_WAIT, kernel(THREAD)),
            row(FUTEX_REQUEUE, kernel(THREAD)),
            row(STATMOUNT, kernel("what /proc/self/mountinfo shows")),
            row(LISTMOUNT, kernel("what /proc/self/mountinfo shows")),
            row(LSM_GET_SELF_ATTR, kernel(ID)),
            row(LSM_SET_SELF_ATTR, kernel("the program's own LSM attributes, as the LSM policy permits")),
            row(LSM_LIST_MODULES, kernel(ID)),
            row(MSEAL, kernel(RESTRICT + ": seals the program's own mappings")),
            row(SETXATTRAT, handle(XattrHandlers::notYet, Category.CHATTR)),
            row(GETXATTRAT, handle(XattrHandlers::notYet, Category.STAT)),
            row(LISTXATTRAT, handle(XattrHandlers::notYet, Category.STAT)),
            row(REMOVEXATTRAT, handle(XattrHandlers::notYet, Category.CHATTR)),
            row(OPEN_TREE_ATTR, mountApi()),
            row(FILE_GETATTR, refuse(ENOSYS, "looks a path up outside the checks (no handler yet); a kernel before 6.17 answers the same")),
            row(FILE_SETATTR, refuse(ENOSYS, "looks a path up outside the checks (no handler yet); a kernel before 6.17 answers the same")),
            row(LISTNS, refuse(ENOSYS, "lists namespaces (Linux 6.19), unknown to Syd 3.52")));

    // Row and treatment builders (used by the literal above).

    private static Row row(int nr, Treatment t) {
        return new Row(nr, Syscalls.name(nr), t, null);
    }

    private static Row row(int nr, Treatment t, Rules rules) {
        return new Row(nr, Syscalls.name(nr), t, rules);
    }

    /** mmap: exec integrity's rules (W^X aliases, executable file mappings to the tracer) first, then the memory limits'. */
    private static List<ArgRule> mmapRules(Sandbox sb, Hardening.Self self) {
        List<ArgRule> out = new ArrayList<>(MemoryHandlers.mmap(sb, self));
        out.addAll(MemLimitHandlers.mmapRules(sb, self));
        return out;
    }

    private static Kernel kernel(String why) {
        return new Kernel(why);
    }

    private static Refused refuse(int errno, String why, String... relaxedBy) {
        return new Refused(errno, why, List.of(relaxedBy));
    }

    private static Refused mountApi() {
        return refuse(EPERM, MOUNT_API, "trace/allow_unsafe_namespace:mount");
    }

    /**
     * Handled, checked against {@code categories}. A row with a path category is also notified when
     * walk or stat is on: every path lookup makes walk checks (spec §6) and every path call answers
     * ENOENT for a hidden path (spec §1), whatever its own category.
     */
    private static Handled handle(Handler h, Category... categories) {
        return new Handled(h, withWalkAndStat(categories), -1);
    }

    /**
     * A call that takes a socket address: checked against its network categories, and also
     * notified when walk or stat is on, because a UNIX socket path is looked up like a file (walk
     * checks, and a hidden path is ENOENT). The filter cannot tell a path address from an IP one.
     */
    private static Handled net(Handler h, Category... categories) {
        EnumSet<Category> set = EnumSet.of(Category.WALK, Category.STAT);
        set.addAll(Arrays.asList(categories));
        return new Handled(h, Set.copyOf(set), -1);
    }

    /** An open-family call whose open flags are argument {@code flagsArg}. */
    private static Handled open(Handler h, int flagsArg) {
        return new Handled(h, withWalkAndStat(OPEN_CATS), flagsArg);
    }

    /** A directory listing: notified only for stat (hiding entries), not for walk. */
    private static Handled listing(Handler h) {
        return new Handled(h, Set.of(Category.STAT), -1);
    }

    /** Always notified (the calls that name a task: only members of the sandbox are reached). */
    private static Handled guard(Handler h) {
        return new Handled(h, Set.of(), -1);
    }

    /** Notified only where the row's argument rules say so; otherwise left to the kernel. */
    private static Handled byRule(Handler h) {
        return new Handled(h, Set.of(), -1, true);
    }

    private static Set<Category> withWalkAndStat(Category... categories) {
        EnumSet<Category> set = EnumSet.noneOf(Category.class);
        set.addAll(Arrays.asList(categories));
        if (set.stream().anyMatch(Category::isPath)) {
            set.add(Category.WALK);
            set.add(Category.STAT);
        }
        return Set.copyOf(set);
    }

    private static final Row[] BY_NR = new Row[Syscalls.max() + 1];

    static {
        for (Row r : ROWS) {
            if (r.name() == null || BY_NR[r.nr()] != null) throw new ExceptionInInitializerError("bad or repeated row " + r.nr());
            BY_NR[r.nr()] = r;
        }
    }

    /** Every row, in number order. */
    public static List<Row> rows() { return ROWS; }

    /** The row of {@code nr}, or null when it has none (the filter answers ENOSYS). */
    public static Row row(int nr) {
        return nr >= 0 && nr < BY_NR.length ? BY_NR[nr] : null;
    }

    /** The handled treatment of {@code nr}, or null when the supervisor never handles it. */
    public static Handled handled(int nr) {
        Row r = row(nr);
        return r != null && r.treatment() instanceof Handled h ? h : null;
    }

    /** Every handled row. */
    public static List<Row> handledRows() {
        return ROWS.stream().filter(r -> r.treatment() instanceof Handled).toList();
    }

    /**
     * {@code Family::method} of a handler method reference of the table (for docs and
     * {@code syd --api}; the class's simple name for any other handler).
     */
    public static String handlerName(Handler h) {
        List<Row> handled = handledRows();
        List<String> names = HandlerNames.NAMES;
        for (int i = 0; i < handled.size() && names.size() == handled.size(); i++) {
            if (((Handled) handled.get(i).treatment()).handler() == h) return names.get(i);
        }
        return h.getClass().getSimpleName();
    }

    /**
     * The method each handled row points to, in row order, read from this class's static
     * initializer: its {@code Handler} method references are created there in row order, one
     * invokedynamic each, whose bootstrap arguments name the method. Read only when asked for.
     */
    private static final class HandlerNames {
        static final List<String> NAMES = read();

        private static List<String> read() {
            try (java.io.InputStream in = SyscallTable.class.getResourceAsStream("SyscallTable.class")) {
                if (in == null) return List.of();
                var model = java.lang.classfile.ClassFile.of().parse(in.readAllBytes());
                var handler = java.lang.constant.ClassDesc.of(Handler.class.getName());
                List<String> out = new java.util.ArrayList<>();
                for (var m : model.methods()) {
                    if (!m.methodName().equalsString("<clinit>") || m.code().isEmpty()) continue;
                    for (var e : m.code().get()) {
                        if (e instanceof java.lang.classfile.instruction.InvokeDynamicInstruction indy
                                && indy.typeSymbol().returnType().equals(handler) && indy.bootstrapArgs().size() > 1
                                && indy.bootstrapArgs().get(1) instanceof java.lang.constant.DirectMethodHandleDesc target) {
                            out.add(target.owner().displayName() + "::" + target.methodName());
                        }
                    }
                }
                return List.copyOf(out);
            } catch (java.io.IOException | RuntimeException e) {
                return List.of();
            }
        }
    }

    /** The errno's name, or "0" for a no-op. */
    static String errnoName(int errno) {
        return errno == 0 ? "0" : Errno.name(errno);
    }
}
