package dev.jsyd.kernel;

import static dev.jsyd.bpf.ArgRule.Cond.of32;

import dev.jsyd.abi.Errno;
import dev.jsyd.abi.Seccomp;
import dev.jsyd.bpf.ArgRule;
import dev.jsyd.bpf.ArgRule.Op;
import dev.jsyd.policy.Action;
import dev.jsyd.policy.Category;
import dev.jsyd.policy.Sandbox;
import java.util.List;

/**
 * Memory sandboxing ({@code sandbox/mem}, {@code mem/max}, {@code mem/vm_max}, {@code default/mem};
 * syd(7)): brk, mmap and mremap that would take a process beyond a limit are refused (ENOMEM; brk
 * answers the unchanged break, as the kernel does) or get {@code default/mem}'s action. A request
 * counts with what it asks for:
 * <ul>
 *   <li>{@code mem/vm_max}: the process's virtual size ({@code VmSize} of {@code /proc/PID/status})
 *       plus the new pages;</li>
 *   <li>{@code mem/max}: the process's memory use — its proportional set size ({@code Pss} of
 *       {@code /proc/PID/smaps_rollup}: every page it has in memory, shared ones divided among their
 *       users) — plus the new pages, unless they are mapped PROT_NONE (a reservation uses no
 *       memory).</li>
 * </ul>
 * The request's sizes are scalars (the filter's copy of the registers), so the decision cannot
 * change after it is made and an allowed call is continued. Memory touched without a syscall
 * (pages of an earlier reservation made accessible with mprotect, or written the first time) is
 * seen at the next request; several threads asking at once may each pass before the others'
 * pages exist: like Syd's, the limit is a fair estimate, not a cgroup.
 */
public final class MemLimitHandlers {
    private MemLimitHandlers() {}

    static final int PROT_NONE = 0;
    private static final long PAGE = 4096;

    public static void brk(Request r) {
        long want = r.arg(0);
        long current = currentBreak(r);
        if (want == 0 || current < 0 || want <= current) { continueIfValid(r); return; }
        if (refused(r, "brk", want - current, true)) {
            if (r.stillValid()) r.reply(current); // brk's failure: the break as it was
            return;
        }
        continueIfValid(r);
    }

    public static void mmap(Request r) {
        if (refused(r, "mmap", r.arg(1), (int) r.arg(2) != PROT_NONE)) { r.fail(Errno.ENOMEM); return; }
        continueIfValid(r);
    }

    public static void mremap(Request r) {
        long oldLen = pages(r.arg(1)), newLen = pages(r.arg(2));
        if (newLen > oldLen && refused(r, "mremap", newLen - oldLen, true)) { r.fail(Errno.ENOMEM); return; }
        continueIfValid(r);
    }

    private static void continueIfValid(Request r) {
        if (r.stillValid()) r.continueSyscall();
    }

    /**
     * True when {@code growth} more bytes (counted for mem/max too when {@code resident}) go
     * beyond a limit and {@code default/mem} refuses (its action applied: logged, signalled).
     */
    private static boolean refused(Request r, String sys, long growth, boolean resident) {
        return refused(r.context(), r.sandbox(), r.files(), r.pid(), sys, growth, resident);
    }

    /**
     * As above for process {@code pid} under {@code sb}, for a caller without a notification (the
     * tracer's stop for an executable file mapping, MapCheck): {@code length} as the call gave it.
     */
    static boolean refused(SandboxContext context, Sandbox sb, dev.jsyd.sys.Files files, int pid, String sys, long length,
            boolean resident) {
        long growth = pages(length);
        if (!sb.enabled(Category.MEM) || growth <= 0) return false;
        long vmMax = sb.memVmMax().orElse(0), max = sb.memMax().orElse(0);
        String over = null;
        long need = 0;
        if (vmMax > 0) {
            long vm = kib(files, "/proc/" + pid + "/status", "VmSize:");
            if (vm >= 0 && vm + growth > vmMax) { over = "mem/vm_max"; need = vm + growth; }
        }
        if (over == null && max > 0 && resident) {
            long used = kib(files, "/proc/" + pid + "/smaps_rollup", "Pss:");
            if (used >= 0 && used + growth > max) { over = "mem/max"; need = used + growth; }
        }
        if (over == null) return false;
        Action a = sb.defaultAction(Category.MEM);
        String tip = "configure `" + over + ":" + ((need + (1 << 20) - 1) >> 20) + "M'";
        return Enforcement.apply(context, pid, a, new AccessEvent(Category.MEM, a, sys, pid, null, over + " " + need, -1, 0, tip));
    }

    /** {@code n} bytes rounded up to whole pages (a length the kernel would take). */
    private static long pages(long n) {
        if (n <= 0 || n > Long.MAX_VALUE - PAGE) return n <= 0 ? 0 : Long.MAX_VALUE;
        return (n + PAGE - 1) & ~(PAGE - 1);
    }

    /** The value in bytes of the {@code key} line (in kB) of {@code file}, or -1. */
    private static long kib(dev.jsyd.sys.Files files, String file, String key) {
        String text = files.readSmallFile(file);
        if (text == null) return -1;
        int i = text.startsWith(key) ? 0 : text.indexOf("\n" + key);
        if (i < 0) return -1;
        int j = text.indexOf(':', i) + 1, e = text.indexOf('\n', j);
        try {
            String v = text.substring(j, e < 0 ? text.length() : e).trim();
            return Long.parseLong(v.split("\\s+")[0]) * 1024;
        } catch (RuntimeException ex) {
            return -1;
        }
    }

    /** The calling process's program break: the end of its {@code [heap]} mapping, else where the heap starts; -1 unknown. */
    private static long currentBreak(Request r) {
        String maps = r.files().readSmallFile("/proc/" + r.pid() + "/maps");
        if (maps != null) {
            int h = maps.indexOf("[heap]");
            if (h >= 0) {
                int start = maps.lastIndexOf('\n', h) + 1;
                int dash = maps.indexOf('-', start), space = maps.indexOf(' ', dash);
                try {
                    return Long.parseUnsignedLong(maps.substring(dash + 1, space), 16);
                } catch (RuntimeException e) {
                    return -1;
                }
            }
        }
        String stat = r.files().readSmallFile("/proc/" + r.pid() + "/stat");
        if (stat == null) return -1;
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        try {
            return Long.parseLong(f[47 - 3]); // field 47, start_brk (fields counted from 1; f[0] is field 3)
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /**
     * The filter's rules for brk, mmap and mremap: when memory sandboxing has a limit (or the
     * policy may still change at run time) the calls that can grow a process are notified —
     * brk(0) (a query) and, with only mem/max, PROT_NONE mappings stay in the kernel; otherwise
     * everything stays in the kernel.
     */
    static List<ArgRule> rules(Sandbox sb, Hardening.Self self, int nr) {
        boolean runtime = FilterPlan.runtimeChangesPossible(sb);
        boolean limited = sb.enabled(Category.MEM) && (sb.memMax().isPresent() || sb.memVmMax().isPresent());
        if (!runtime && !limited) return List.of(ArgRule.all(Seccomp.RET_ALLOW));
        int notify = Seccomp.RET_USER_NOTIF;
        if (nr == dev.jsyd.abi.Syscalls.BRK) return List.of(ArgRule.of(0, Op.EQ, 0, Seccomp.RET_ALLOW), ArgRule.all(notify));
        if (nr == dev.jsyd.abi.Syscalls.MMAP && !runtime && sb.memVmMax().isEmpty()) {
            return List.of(ArgRule.all(Seccomp.RET_ALLOW, of32(2, Op.EQ, PROT_NONE)), ArgRule.all(notify));
        }
        return List.of(ArgRule.all(notify));
    }

    static List<ArgRule> brkRules(Sandbox sb, Hardening.Self self) { return rules(sb, self, dev.jsyd.abi.Syscalls.BRK); }

    static List<ArgRule> mmapRules(Sandbox sb, Hardening.Self self) { return rules(sb, self, dev.jsyd.abi.Syscalls.MMAP); }

    static List<ArgRule> mremapRules(Sandbox sb, Hardening.Self self) { return rules(sb, self, dev.jsyd.abi.Syscalls.MREMAP); }
}
