package dev.jsyd.kernel;

import static dev.jsyd.abi.OpenFlags.O_ACCMODE;
import static dev.jsyd.abi.OpenFlags.O_CREAT;
import static dev.jsyd.abi.OpenFlags.O_RDONLY;
import static dev.jsyd.abi.OpenFlags.O_RDWR;
import static dev.jsyd.abi.OpenFlags.O_TMPFILE;
import static dev.jsyd.abi.OpenFlags.O_TRUNC;
import static dev.jsyd.abi.OpenFlags.O_WRONLY;

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
import java.util.Map;
import java.util.TreeSet;

/**
 * Builds the sandbox's seccomp filter from the policy, so that nothing is notified that the
 * kernel can decide. For each syscall, the {@link Hardening} rules come first (first match
 * wins), then its own decision:
 * <ul>
 *   <li>a handled syscall reaches the supervisor only when one of its categories could refuse or
 *       log something ({@link Sandbox#mayRefuse}) — a category that is off, or whose rules allow
 *       everything, costs nothing;</li>
 *   <li>for open and openat the filter also looks at the open flags, so e.g. read-only opens stay
 *       in the kernel when only writes need a decision;</li>
 *   <li>when walk or stat can refuse, every path call is notified (hidden paths must look
 *       absent to all of them); when the policy can still change at run time (lock off, exec,
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
                .defaultAction(Seccomp.RET_ALLOW)
                .foreignArchAction(Seccomp.RET_KILL_PROCESS)
                .x32Action(Seccomp.RET_KILL_PROCESS);
        Map<Integer, List<ArgRule>> hard = Hardening.rules(sandbox, self);
        TreeSet<Integer> nrs = new TreeSet<>(hard.keySet());
        for (SyscallTable.Entry e : SyscallTable.entries()) nrs.add(e.nr());
        boolean everything = runtimeChangesPossible(sandbox);
        boolean hiding = sandbox.mayRefuse(Category.STAT) || sandbox.mayRefuse(Category.WALK);
        for (int nr : nrs) {
            List<ArgRule> rules = new ArrayList<>(hard.getOrDefault(nr, List.of()));
            int fallback = Seccomp.RET_ALLOW;
            SyscallTable.Entry e = SyscallTable.byNumber(nr);
            if (e != null && !e.ruleOnly()) {
                if (everything || (hiding && e.isPathCall())) {
                    fallback = Seccomp.RET_USER_NOTIF;
                } else if (e.flagsArg() >= 0) {
                    List<ArgRule> open = openRules(sandbox, e.flagsArg());
                    if (open == null) fallback = Seccomp.RET_USER_NOTIF;
                    else rules.addAll(open);
                } else if (e.neededBy(sandbox)) {
                    fallback = Seccomp.RET_USER_NOTIF;
                }
            }
            if (!rules.isEmpty() || fallback != Seccomp.RET_ALLOW) b.syscall(nr, rules, fallback);
        }
        return b.build();
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
