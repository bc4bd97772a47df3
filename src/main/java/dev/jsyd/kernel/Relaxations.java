package dev.jsyd.kernel;

import static dev.jsyd.bpf.ArgRule.Cond.anyBits;
import static dev.jsyd.bpf.ArgRule.Cond.masked;

import dev.jsyd.abi.Seccomp;
import dev.jsyd.abi.Syscalls;
import dev.jsyd.bpf.ArgRule;
import dev.jsyd.bpf.FilterCompiler;
import dev.jsyd.bpf.FilterSpec;
import dev.jsyd.bpf.Program;
import dev.jsyd.bpf.SeccompData;
import dev.jsyd.policy.Sandbox;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Learning mode's view of the kernel-side protections: what the filter and MDWE refuse by
 * themselves never reaches a log, so a learning run (and only a learning run: {@code syd-learn},
 * {@code pandora profile}) gets a filter in which every refusal a {@code trace/allow_unsafe_*}
 * switch lifts is sent to the supervisor instead ({@link #spec}), and runs without MDWE, with
 * mmap/mprotect that could break W^X sent too. For each such call {@link #needed} names the
 * switches that would have let it through; the supervisor logs them (a {@code learn} record) and
 * lets the call run (CONTINUE: the learning run is trusted input and this only records,
 * docs/EMULATION.md). Refusals no switch lifts (CLONE_UNTRACED, signals to the supervisor,
 * terminal injection, SafeSetID, …) stay in the filter, unchanged. The normal filter
 * ({@link FilterPlan}) does not change at all.
 */
public final class Relaxations {
    /** Switches the argument rules of {@link Hardening} and {@link MemoryHandlers} check (refused rows name theirs). */
    static final List<String> RULE_SWITCHES = List.of("trace/allow_unsafe_memory", "trace/allow_unsafe_personality",
            "trace/allow_unsafe_memfd", "trace/allow_unsafe_pkey");
    static final String MEMORY = "trace/allow_unsafe_memory";
    private static final String NAMESPACE = "trace/allow_unsafe_namespace";
    static final int PROT_WRITE = 2;

    /** One switch a call needed, and why (what the protection would have refused). */
    public record Need(String command, String why) {}

    private final Sandbox sandbox;
    private final Hardening.Self self;
    private final FilterSpec normal;
    private final BitSet routed = new BitSet();
    private final Map<String, FilterSpec> relaxed = new ConcurrentHashMap<>();

    public Relaxations(Sandbox sandbox, Hardening.Self self) {
        this.sandbox = sandbox;
        this.self = self;
        this.normal = FilterPlan.spec(sandbox, self);
        FilterSpec learning = spec(sandbox, self);
        for (var e : learning.syscalls().entrySet()) {
            if (!e.getValue().equals(normal.syscalls().get(e.getKey()))) routed.set(e.getKey());
        }
    }

    /** The learning run's filter for {@code sandbox}, compiled. */
    public static Program program(Sandbox sandbox, Hardening.Self self) {
        return FilterCompiler.compile(spec(sandbox, self));
    }

    /**
     * The learning run's filter: {@link FilterPlan#spec} with every refusal that disappears when
     * every switch is on turned into a notification, and (W^X not relaxed) mmap with PROT_WRITE and
     * PROT_EXEC, mprotect and pkey_mprotect with PROT_EXEC notified first (MDWE is off).
     */
    public static FilterSpec spec(Sandbox sandbox, Hardening.Self self) {
        FilterSpec normal = FilterPlan.spec(sandbox, self);
        FilterSpec open = FilterPlan.spec(everySwitchOn(sandbox), self);
        FilterSpec.Builder b = FilterSpec.builder().defaultAction(normal.defaultAction())
                .foreignArchAction(normal.foreignArchAction()).x32Action(normal.x32Action());
        boolean wx = !MemoryHandlers.wxRelaxed(sandbox);
        for (var e : normal.syscalls().entrySet()) {
            int nr = e.getKey();
            FilterSpec.Rules n = rules(e.getValue()), o = rules(open.syscalls().get(nr));
            List<ArgRule> out = new ArrayList<>();
            int notify = Seccomp.RET_USER_NOTIF, exec = MemoryHandlers.PROT_EXEC;
            // W^X breaks (MDWE is off): where the tracer checks executable file mappings it records them
            // too (MapCheck); the rest is notified. pkey_mprotect is notified (its row may need a switch too).
            boolean toTracer = wx && MemoryHandlers.mappingsChecked(sandbox);
            if (wx && nr == Syscalls.MPROTECT) out.add(ArgRule.all(toTracer ? Seccomp.RET_TRACE : notify, anyBits(2, exec)));
            if (wx && nr == Syscalls.PKEY_MPROTECT) out.add(ArgRule.all(notify, anyBits(2, exec)));
            if (wx && nr == Syscalls.MMAP) {
                ArgRule.Cond wAndX = masked(2, exec | PROT_WRITE, exec | PROT_WRITE);
                out.add(toTracer ? ArgRule.all(notify, wAndX, anyBits(3, MemoryHandlers.MAP_ANONYMOUS)) : ArgRule.all(notify, wAndX));
            }
            for (ArgRule r : n.rules()) {
                out.add(isErrno(r.ret()) && !o.rules().contains(r) ? new ArgRule(r.conds(), notify) : r);
            }
            int fallback = isErrno(n.fallback()) && !isErrno(o.fallback()) ? notify : n.fallback();
            b.syscall(nr, out, fallback);
        }
        return b.build();
    }

    private static FilterSpec.Rules rules(FilterSpec.Entry e) {
        return switch (e) {
            case FilterSpec.Fixed f -> new FilterSpec.Rules(List.of(), f.ret());
            case FilterSpec.Rules r -> r;
        };
    }

    private static boolean isErrno(int ret) { return Seccomp.action(ret) == Seccomp.RET_ERRNO; }

    /** {@code sandbox} with every switch a filter rule or a refused row checks turned on. */
    static Sandbox everySwitchOn(Sandbox sandbox) {
        Sandbox sb = sandbox.withSetting(NAMESPACE, "all");
        for (String s : switches()) if (!s.startsWith(NAMESPACE)) sb = sb.withSetting(s, Boolean.TRUE);
        return sb;
    }

    /** Every boolean switch: those of the refused rows, then those of the argument rules. */
    static Set<String> switches() {
        Set<String> out = new LinkedHashSet<>();
        for (SyscallTable.Row row : SyscallTable.rows()) {
            if (row.treatment() instanceof SyscallTable.Refused r) out.addAll(r.relaxedBy());
        }
        out.addAll(RULE_SWITCHES);
        return out;
    }

    /**
     * Answers a notification the learning filter sent instead of refusing it: each switch it needed
     * is logged ({@link SandboxContext#learned}) and the call continues; a call that needed none
     * gets what the normal filter gives it. False (not answered) when the call is one the row's
     * handler decides anyway (e.g. memfd_create without MFD_EXEC): it goes on to the handler.
     */
    public boolean answer(Request r) {
        int nr = r.notification.nr;
        if (!routes(nr)) return false;
        SeccompData d = new SeccompData(nr, r.notification.arch, r.notification.instructionPointer, r.notification.args);
        List<Need> needs = needed(d, () -> maps(r.pid()));
        int normally = normal.evaluate(d);
        if (needs.isEmpty() && Seccomp.action(normally) == Seccomp.RET_USER_NOTIF) return false;
        for (Need n : needs) r.context().learned(r.pid(), Syscalls.name(nr), n.command(), n.why());
        if (!needs.isEmpty() || !isErrno(normally)) r.continueSyscall();
        else if (Seccomp.data(normally) == 0) r.reply(0);
        else r.fail(Seccomp.data(normally));
        return true;
    }

    /** True when the learning filter sends {@code nr} where the normal one does not. */
    public boolean routes(int nr) { return routed.get(nr); }

    /**
     * What the call needed: the switch that lets it through the normal filter (the row's own
     * first, then the rules' ones; namespaces as the list its flags name), and {@code
     * trace/allow_unsafe_memory} when MDWE would have refused it ({@code maps}: the calling
     * thread's {@code /proc/TID/maps}, read only for mprotect). Empty when it needed none.
     */
    public List<Need> needed(SeccompData d, java.util.function.Supplier<String> maps) {
        List<Need> out = new ArrayList<>();
        int ret = normal.evaluate(d);
        if (isErrno(ret)) {
            String s = lifting(d);
            if (s != null) out.add(new Need(s.startsWith(NAMESPACE) ? s : s + ":1", reason(d.nr())));
        }
        String wx = wxBreak(d, maps);
        if (wx != null && !MemoryHandlers.wxRelaxed(sandbox)) out.add(new Need(MEMORY + ":1", wx));
        return out;
    }

    /**
     * The first switch under which the normal filter no longer refuses {@code d}, or null: the
     * namespaces the call names, the row's own switches, the argument rules' switches. A namespace
     * switch comes with those the policy already allows (a later one replaces an earlier one).
     */
    private String lifting(SeccompData d) {
        List<String> candidates = new ArrayList<>();
        String ns = namespaces(d);
        if (ns != null) candidates.add(ns);
        SyscallTable.Row row = SyscallTable.row(d.nr());
        if (row != null && row.treatment() instanceof SyscallTable.Refused r) candidates.addAll(r.relaxedBy());
        candidates.addAll(RULE_SWITCHES);
        for (String s : candidates) {
            String command = s.equals(NAMESPACE) ? NAMESPACE + ":all" : s.startsWith(NAMESPACE + ":") ? withAllowed(s) : s;
            FilterSpec spec = relaxed.computeIfAbsent(command, k -> FilterPlan.spec(with(k), self));
            if (!isErrno(spec.evaluate(d))) return command;
        }
        return null;
    }

    private Sandbox with(String command) {
        if (command.startsWith(NAMESPACE + ":")) return sandbox.withSetting(NAMESPACE, command.substring(NAMESPACE.length() + 1));
        return sandbox.withSetting(command, Boolean.TRUE);
    }

    /** {@code trace/allow_unsafe_namespace:LIST} with the namespaces the policy already allows added. */
    private String withAllowed(String command) {
        Set<String> names = new LinkedHashSet<>(Hardening.allowedNamespaces(sandbox));
        names.addAll(List.of(command.substring(NAMESPACE.length() + 1).split(",")));
        return NAMESPACE + ":" + String.join(",", names);
    }

    /** {@code trace/allow_unsafe_namespace:LIST} for the namespaces a clone, unshare or setns names, pivot_root's mount; else null. */
    private static String namespaces(SeccompData d) {
        long flags = switch (d.nr()) {
            case Syscalls.CLONE -> d.arg(0) & ~0xffL; // the low byte is the exit signal
            case Syscalls.UNSHARE -> d.arg(0);
            case Syscalls.SETNS -> d.arg(1);
            case Syscalls.PIVOT_ROOT -> Hardening.NS_FLAGS.get("mount");
            default -> 0;
        };
        List<String> names = new ArrayList<>();
        for (var e : Hardening.NS_FLAGS.entrySet()) if ((flags & e.getValue()) != 0) names.add(e.getKey());
        return names.isEmpty() ? null : NAMESPACE + ":" + String.join(",", names);
    }

    /** Why the row or rule refuses calls like {@code nr}: the row's reason, or the name of the protection. */
    private static String reason(int nr) {
        SyscallTable.Row row = SyscallTable.row(nr);
        if (row != null && row.treatment() instanceof SyscallTable.Refused r) return r.why();
        if (row != null && row.rules() != null) return row.rules().what();
        return "refused by the filter";
    }

    /**
     * Learning: records the W^X break (if any) of the mmap, mprotect or pkey_mprotect that thread
     * {@code tid} is stopped at (the tracer's stop, {@link MapCheck}), before it is checked and run.
     */
    static void recordWxBreak(SandboxContext ctx, int tid, SeccompData d, java.util.function.Supplier<String> maps) {
        if (!ctx.learning() || MemoryHandlers.wxRelaxed(ctx.sandbox())) return;
        String why = wxBreak(d, maps);
        if (why != null) ctx.learned(tid, Syscalls.name(d.nr()), MEMORY + ":1", why);
    }

    /**
     * What MDWE (PR_MDWE_REFUSE_EXEC_GAIN) would refuse: a mapping both writable and executable,
     * or memory that was not executable made executable; null when it would not.
     */
    static String wxBreak(SeccompData d, java.util.function.Supplier<String> maps) {
        int nr = d.nr();
        if (nr != Syscalls.MMAP && nr != Syscalls.MPROTECT && nr != Syscalls.PKEY_MPROTECT) return null;
        long prot = d.arg(2);
        if ((prot & MemoryHandlers.PROT_EXEC) == 0) return null;
        if ((prot & PROT_WRITE) != 0) return "W^X: memory both writable and executable";
        if (nr == Syscalls.MMAP) return null;
        long from = d.arg(0), to = from + ((d.arg(1) + 4095) & ~4095L);
        for (MapsLine m : MapsLine.overlapping(maps.get(), from, to)) {
            if (!m.executable()) return "W^X: memory made executable after it was mapped";
        }
        return null;
    }

    /** The maps of thread {@code tid} as a byte string, or empty when they cannot be read. */
    public static String maps(int tid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc/" + tid + "/maps")), StandardCharsets.ISO_8859_1);
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
