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
import dev.jsyd.policy.Sandbox;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the sandbox's seccomp filter from the policy, so that nothing is notified that the
 * kernel can decide: a syscall reaches the supervisor only when a handler exists and one of its
 * categories could refuse or log something ({@link Sandbox#mayRefuse}); for open and openat the
 * filter also looks at the open flags, so e.g. read-only opens stay in the kernel when only
 * writes need a decision. Foreign ABIs (i386, x32) are killed outright.
 */
public final class FilterPlan {
    private FilterPlan() {}

    public static FilterSpec spec(Sandbox sandbox) {
        FilterSpec.Builder b = FilterSpec.builder()
                .defaultAction(Seccomp.RET_ALLOW)
                .foreignArchAction(Seccomp.RET_KILL_PROCESS)
                .x32Action(Seccomp.RET_KILL_PROCESS);
        boolean hiding = sandbox.mayRefuse(Category.STAT) || sandbox.mayRefuse(Category.WALK);
        if (runtimeChangesPossible(sandbox)) {
            // The policy may change at run time (/dev/syd), and /dev/syd itself must be served:
            // every handled call goes to the supervisor.
            for (SyscallTable.Entry e : SyscallTable.entries()) b.syscall(e.nr(), Seccomp.RET_USER_NOTIF);
            return b.build();
        }
        for (SyscallTable.Entry e : SyscallTable.entries()) {
            boolean hides = hiding && e.isPathCall();
            if (e.flagsArg() >= 0 && !hides) {
                List<ArgRule> rules = openRules(sandbox, e.flagsArg());
                if (rules == null) b.syscall(e.nr(), Seccomp.RET_USER_NOTIF);
                else if (!rules.isEmpty()) b.syscall(e.nr(), rules, Seccomp.RET_ALLOW);
            } else if (hides || e.neededBy(sandbox)) {
                b.syscall(e.nr(), Seccomp.RET_USER_NOTIF);
            }
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
        return sandbox.lock().map(l -> l != dev.jsyd.policy.LockState.ON && l != dev.jsyd.policy.LockState.IPC)
                .orElse(false);
    }

    public static Program program(Sandbox sandbox) {
        return FilterCompiler.compile(spec(sandbox));
    }
}
