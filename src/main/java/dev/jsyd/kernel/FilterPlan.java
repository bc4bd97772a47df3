package dev.jsyd.kernel;

import dev.jsyd.abi.Seccomp;
import dev.jsyd.bpf.ArgRule;
import dev.jsyd.bpf.FilterCompiler;
import dev.jsyd.bpf.FilterSpec;
import dev.jsyd.bpf.Program;
import dev.jsyd.policy.Sandbox;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Builds the sandbox's seccomp filter from the policy: a syscall is sent to the supervisor only
 * when a handler exists and one of its categories is enabled (or the row has no category: always
 * notified); everything else is decided in the kernel. The {@link Hardening} rules of a syscall
 * come first (first match wins), then its notify-or-allow decision. Foreign ABIs (i386, x32)
 * are killed outright.
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
        for (SyscallTable.Entry e : SyscallTable.ENTRIES) {
            if (e.neededBy(sandbox)) nrs.add(e.nr());
        }
        for (int nr : nrs) {
            SyscallTable.Entry e = SyscallTable.byNumber(nr);
            int fallback = e != null && e.neededBy(sandbox) ? Seccomp.RET_USER_NOTIF : Seccomp.RET_ALLOW;
            b.syscall(nr, hard.getOrDefault(nr, List.of()), fallback);
        }
        return b.build();
    }

    public static Program program(Sandbox sandbox) {
        return FilterCompiler.compile(spec(sandbox));
    }

    public static Program program(Sandbox sandbox, Hardening.Self self) {
        return FilterCompiler.compile(spec(sandbox, self));
    }
}
