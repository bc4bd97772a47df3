package dev.jsyd.kernel;

import dev.jsyd.abi.Seccomp;
import dev.jsyd.bpf.FilterCompiler;
import dev.jsyd.bpf.FilterSpec;
import dev.jsyd.bpf.Program;
import dev.jsyd.policy.Sandbox;

/**
 * Builds the sandbox's seccomp filter from the policy: a syscall is sent to the supervisor only
 * when a handler exists and one of its categories is enabled; everything else is decided in
 * the kernel. Foreign ABIs (i386, x32) are killed outright.
 */
public final class FilterPlan {
    private FilterPlan() {}

    public static FilterSpec spec(Sandbox sandbox) {
        FilterSpec.Builder b = FilterSpec.builder()
                .defaultAction(Seccomp.RET_ALLOW)
                .foreignArchAction(Seccomp.RET_KILL_PROCESS)
                .x32Action(Seccomp.RET_KILL_PROCESS);
        for (SyscallTable.Entry e : SyscallTable.ENTRIES) {
            if (e.neededBy(sandbox)) b.syscall(e.nr(), Seccomp.RET_USER_NOTIF);
        }
        return b.build();
    }

    public static Program program(Sandbox sandbox) {
        return FilterCompiler.compile(spec(sandbox));
    }
}
