package dev.jsyd.kernel;

import static dev.jsyd.abi.OpenFlags.O_ACCMODE;
import static dev.jsyd.abi.OpenFlags.O_CREAT;
import static dev.jsyd.abi.OpenFlags.O_RDONLY;
import static dev.jsyd.abi.OpenFlags.O_RDWR;
import static dev.jsyd.abi.OpenFlags.O_TMPFILE;
import static dev.jsyd.abi.OpenFlags.O_TRUNC;
import static dev.jsyd.abi.OpenFlags.O_WRONLY;

import dev.jsyd.abi.Errno;
import dev.jsyd.abi.Seccomp;
import dev.jsyd.bpf.ArgRule;
import dev.jsyd.bpf.FilterCompiler;
import dev.jsyd.bpf.FilterSpec;
import dev.jsyd.bpf.Program;
import dev.jsyd.policy.Category;
import dev.jsyd.policy.LockState;
import dev.jsyd.policy.Sandbox;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the sandbox's seccomp filter from the {@link SyscallTable} and the policy, so that
 * nothing is notified that the kernel can decide. Default deny: a syscall without a row gets
 * ENOSYS. For each row, its argument rules ({@link Hardening}) come first (first match wins), then
 * its treatment: a kernel row is allowed, a refused row gets its errno unless its switch is on,
 * and a handled row:
 * <ul>
 *   <li>a handled syscall reaches the supervisor only when one of its categories could refuse or
 *       log something ({@link Sandbox#mayRefuse}) — a category that is off, or whose rules allow
 *       everything, costs nothing;</li>
 *   <li>for open and openat the filter also looks at the open flags, so e.g. read-only opens stay
 *       in the kernel when only writes need a decision;</li>
 *   <li>when walk or stat can refuse, every path call is notified (hidden paths must look
 *       absent to all of them), and so when paths are masked or append-only or a
 *       {@code trace/force_*} switch is on ({@link #pathCallsSeen}); when the policy can still change at run time (lock off, exec,
 *       drop, read), every handled call is notified.</li>
 * </ul>
 * Foreign ABIs (i386, x32) are killed outright.
 */
public final class FilterPlan {
    private FilterPlan() {}

    /** The filter for {@code sandbox}, protecting the current process as the supervisor. */
    public static FilterSpec spec(Sandbox sandbox) {
        return spec(sandbox, Hardening.Self.current());
    }

    /** The filter for {@code sandbox}, protecting {@code self} as the supervisor. */
    public static FilterSpec spec(Sandbox sandbox, Hardening.Self self) {
        FilterSpec.Builder b = FilterSpec.builder()
                .defaultAction(Hardening.errno(Errno.ENOSYS))
                .foreignArchAction(Seccomp.RET_KILL_PROCESS)
                .x32Action(Seccomp.RET_KILL_PROCESS);
        boolean everything = runtimeChangesPossible(sandbox);
        boolean hiding = pathCallsSeen(sandbox);
        // trace/allow_unsafe_landlock_paths: read-only opens are decided by the program's Landlock layer
        dev.jsyd.confine.LandlockTranslation.Result kernel = dev.jsyd.confine.LandlockTranslation.of(sandbox);
        boolean dotdot = sandbox.flag("trace/deny_dotdot");
        for (SyscallTable.Row row : SyscallTable.rows()) {
            List<ArgRule> rules = new ArrayList<>();
            if (row.rules() != null) rules.addAll(row.rules().source().rules(sandbox, self));
            int fallback = switch (row.treatment()) {
                case SyscallTable.Kernel k -> Seccomp.RET_ALLOW;
                case SyscallTable.Refused r -> r.relaxed(sandbox) ? Seccomp.RET_ALLOW : Hardening.errno(r.errno());
                case SyscallTable.Handled h -> {
                    if (h.ruleOnly()) yield Seccomp.RET_ALLOW; // notified only where its rules say so
                    boolean kernelOpen = kernel.reads() && h.flagsArg() >= 0;
                    if (everything || (hiding && h.isPathCall() && !kernelOpen) || (dotdot && PathResolver.dotDotRefusable(row.nr()))) {
                        yield Seccomp.RET_USER_NOTIF;
                    }
                    if (h.flagsArg() >= 0) {
                        List<ArgRule> open = kernelOpen ? kernelOpenRules(sandbox, h.flagsArg(), hiding, kernel.dirExact())
                                : openRules(sandbox, h.flagsArg());
                        if (open == null) yield Seccomp.RET_USER_NOTIF;
                        rules.addAll(open);
                        yield Seccomp.RET_ALLOW;
                    }
                    // Under Landlock ftruncate is checked too (TruncateHandlers: emulated opens carry no
                    // Landlock check), and every bind is seen (the sandbox's abstract names, NetAccess).
                    boolean landlock = sandbox.enabled(Category.LOCK)
                            && (row.nr() == dev.jsyd.abi.Syscalls.FTRUNCATE || row.nr() == dev.jsyd.abi.Syscalls.BIND);
                    // trace/force_local_net rewrites every IP bind, explicit or listen's implicit one.
                    boolean localNet = sandbox.flag("trace/force_local_net")
                            && (row.nr() == dev.jsyd.abi.Syscalls.BIND || row.nr() == dev.jsyd.abi.Syscalls.LISTEN);
                    // the IP blocklist holds for every destination, net/connect on or off
                    boolean blocklist = !sandbox.blocklist().isEmpty() && (row.nr() == dev.jsyd.abi.Syscalls.CONNECT
                            || row.nr() == dev.jsyd.abi.Syscalls.SENDTO || row.nr() == dev.jsyd.abi.Syscalls.SENDMSG
                            || row.nr() == dev.jsyd.abi.Syscalls.SENDMMSG);
                    yield h.neededBy(sandbox) || landlock || localNet || blocklist ? Seccomp.RET_USER_NOTIF : Seccomp.RET_ALLOW;
                }
            };
            b.syscall(row.nr(), rules, fallback);
        }
        return b.build();
    }

    /** The {@code trace/force_*} switches that change how the supervisor resolves or opens every path. */
    static final java.util.List<String> FORCE_FLAGS = java.util.List.of("trace/force_cloexec", "trace/force_rand_fd",
            "trace/force_ro_open", "trace/force_wx_open", "trace/force_no_symlinks", "trace/force_no_magiclinks",
            "trace/force_no_xdev");

    /**
     * True when every path call must reach the supervisor whatever its own categories: when paths
     * can be hidden (walk, stat), masked or append-only ({@link PathTransforms}), or when a
     * {@code trace/force_*} switch or {@code trace/force_umask} changes how paths are resolved,
     * opened or created.
     */
    static boolean pathCallsSeen(Sandbox sb) {
        if (sb.mayRefuse(Category.STAT) || sb.mayRefuse(Category.WALK) || PathTransforms.any(sb)) return true;
        for (String f : FORCE_FLAGS) if (sb.flag(f)) return true;
        return sb.forceUmask().isPresent();
    }

    /**
     * The flag tests that send an open to the supervisor: empty when no open can be refused,
     * null when every open must be notified.
     */
    static List<ArgRule> openRules(Sandbox sb, int arg) {
        boolean read = sb.mayRefuse(Category.READ) || sb.mayRefuse(Category.READDIR);
        boolean write = sb.mayRefuse(Category.WRITE);
        boolean create = sb.mayRefuse(Category.CREATE);
        boolean trunc = sb.mayRefuse(Category.TRUNCATE);
        boolean tmp = sb.mayRefuse(Category.MKTEMP);
        if (read && write) return null;
        int notify = Seccomp.RET_USER_NOTIF;
        List<ArgRule> rules = new ArrayList<>();
        if (create) rules.add(ArgRule.all(notify, ArgRule.Cond.anyBits(arg, O_CREAT)));
        if (trunc) rules.add(ArgRule.all(notify, ArgRule.Cond.anyBits(arg, O_TRUNC)));
        if (tmp || write) rules.add(ArgRule.all(notify, ArgRule.Cond.masked(arg, O_TMPFILE, O_TMPFILE)));
        if (read) {
            rules.add(ArgRule.all(notify, ArgRule.Cond.masked(arg, O_ACCMODE, O_RDONLY)));
            rules.add(ArgRule.all(notify, ArgRule.Cond.masked(arg, O_ACCMODE, O_RDWR)));
            rules.add(ArgRule.all(notify, ArgRule.Cond.masked(arg, O_ACCMODE, O_ACCMODE)));
        }
        if (write) {
            rules.add(ArgRule.all(notify, ArgRule.Cond.masked(arg, O_ACCMODE, O_WRONLY)));
            rules.add(ArgRule.all(notify, ArgRule.Cond.masked(arg, O_ACCMODE, O_RDWR)));
            rules.add(ArgRule.all(notify, ArgRule.Cond.masked(arg, O_ACCMODE, O_ACCMODE)));
        }
        return rules;
    }

    /**
     * The flag tests that send an open to the supervisor when read and readdir are decided by the
     * program's Landlock layer ({@code confine.LandlockTranslation}): every open but a plain
     * read-only one — O_PATH (Landlock does not check it), O_DIRECTORY when the layer refuses
     * listings Syd allows ({@code dirExact} false), and, with paths hidden by stat ({@code
     * hiding}), every open that writes, creates or truncates; without hiding, those whose
     * categories may refuse.
     */
    static List<ArgRule> kernelOpenRules(Sandbox sb, int arg, boolean hiding, boolean dirExact) {
        int notify = Seccomp.RET_USER_NOTIF;
        List<ArgRule> rules = new ArrayList<>();
        rules.add(ArgRule.all(notify, ArgRule.Cond.anyBits(arg, dev.jsyd.abi.OpenFlags.O_PATH)));
        if (!dirExact) rules.add(ArgRule.all(notify, ArgRule.Cond.anyBits(arg, dev.jsyd.abi.OpenFlags.O_DIRECTORY)));
        if (hiding || sb.mayRefuse(Category.CREATE)) rules.add(ArgRule.all(notify, ArgRule.Cond.anyBits(arg, O_CREAT)));
        if (hiding || sb.mayRefuse(Category.TRUNCATE)) rules.add(ArgRule.all(notify, ArgRule.Cond.anyBits(arg, O_TRUNC)));
        if (hiding || sb.mayRefuse(Category.MKTEMP) || sb.mayRefuse(Category.WRITE)) {
            rules.add(ArgRule.all(notify, ArgRule.Cond.masked(arg, O_TMPFILE, O_TMPFILE)));
        }
        if (hiding || sb.mayRefuse(Category.WRITE)) {
            rules.add(ArgRule.all(notify, ArgRule.Cond.masked(arg, O_ACCMODE, O_WRONLY)));
            rules.add(ArgRule.all(notify, ArgRule.Cond.masked(arg, O_ACCMODE, O_RDWR)));
            rules.add(ArgRule.all(notify, ArgRule.Cond.masked(arg, O_ACCMODE, O_ACCMODE)));
        }
        return rules;
    }

    /** True unless the lock is (or will be, when unset) {@code on}/{@code ipc} once the program runs. */
    static boolean runtimeChangesPossible(Sandbox sandbox) {
        return sandbox.lock().map(l -> l != LockState.ON && l != LockState.IPC).orElse(false);
    }

    public static Program program(Sandbox sandbox) {
        return FilterCompiler.compile(spec(sandbox));
    }

    public static Program program(Sandbox sandbox, Hardening.Self self) {
        return FilterCompiler.compile(spec(sandbox, self));
    }
}
