package dev.jsyd.confine;

import dev.jsyd.policy.Category;
import dev.jsyd.policy.Sandbox;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Builds the {@link LaunchPlan} of a policy: which namespaces, mounts, names, limits, Landlock
 * rules and hardening steps the launcher applies before the program runs (pure policy code; the
 * kernel facts it needs come in {@link Host}).
 *
 * <p>What implies what (docs/DECISIONS.md): {@code bind} and {@code root} need a mount namespace,
 * {@code name/host} and {@code name/domain} a UTS namespace, {@code time} a time namespace,
 * {@code root/map} a user namespace; each creates it when {@code unshare/*} did not; a user that is
 * not root gets a user namespace with any other namespace. A pid or time
 * namespace makes the launcher fork (both take effect for children only); a pid namespace with a
 * mount namespace gets a proc of its own on {@code /proc}.
 */
public final class PlanBuilder {
    private PlanBuilder() {}

    /** What the plan depends on outside the policy: the supervisor's ids, the Landlock ABI. */
    public record Host(int uid, int gid, int landlockAbi) {}

    /** CLONE_NEW* flags by Syd's namespace name. */
    public static final Map<String, Long> CLONE_FLAGS = cloneFlags();

    private static Map<String, Long> cloneFlags() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("mount", 0x00020000L);
        m.put("uts", 0x04000000L);
        m.put("ipc", 0x08000000L);
        m.put("user", 0x10000000L);
        m.put("pid", 0x20000000L);
        m.put("net", 0x40000000L);
        m.put("cgroup", 0x02000000L);
        m.put("time", 0x00000080L);
        return java.util.Collections.unmodifiableMap(m);
    }

    /**
     * Capabilities the program keeps when it has them at all (ordinary root file work, signals, low
     * ports); CAP_SETUID and CAP_SETGID only with SafeSetID rules ({@link #keptCaps}).
     */
    public static final long KEEP_CAPS = bits(0 /* CHOWN */, 1 /* DAC_OVERRIDE */, 2 /* DAC_READ_SEARCH */,
            3 /* FOWNER */, 4 /* FSETID */, 5 /* KILL */, 10 /* NET_BIND_SERVICE */);

    /** {@link #KEEP_CAPS}, with CAP_SETUID when {@code setuid+} rules exist and CAP_SETGID when {@code setgid+} rules do (SafeSetID). */
    public static long keptCaps(Sandbox sb) {
        long keep = KEEP_CAPS;
        if (!sb.setuid().isEmpty()) keep |= bits(7 /* SETUID */);
        if (!sb.setgid().isEmpty()) keep |= bits(6 /* SETGID */);
        return keep;
    }

    private static long bits(int... caps) {
        long m = 0;
        for (int c : caps) m |= 1L << c;
        return m;
    }

    /** RLIMIT_* numbers by Syd's {@code rlimit/} name. */
    public static final Map<String, Integer> RLIMITS = Map.ofEntries(Map.entry("cpu", 0), Map.entry("fsize", 1),
            Map.entry("data", 2), Map.entry("stack", 3), Map.entry("core", 4), Map.entry("nproc", 6),
            Map.entry("nofile", 7), Map.entry("memlock", 8), Map.entry("as", 9), Map.entry("sigpending", 11),
            Map.entry("msgqueue", 12), Map.entry("nice", 13), Map.entry("rtprio", 14), Map.entry("rttime", 15));

    /** The namespaces this policy creates, explicit and implied. */
    public static Set<String> namespaces(Sandbox sb) {
        Set<String> ns = new java.util.LinkedHashSet<>(sb.unshare());
        if (!sb.binds().isEmpty() || sb.root().isPresent()) ns.add("mount");
        if (sb.hostname().isPresent() || sb.domainname().isPresent()) ns.add("uts");
        if (sb.setting("time").isPresent()) ns.add("time");
        if (sb.flag("root/map")) ns.add("user");
        return ns;
    }

    /** The plan for {@code sb}; {@code filter} (struct sock_filter bytes) last, or no filter when null. */
    public static LaunchPlan build(Sandbox sb, byte[] filter, Host host) throws PlanException {
        List<LaunchPlan.Step> steps = new ArrayList<>();
        Set<String> ns = namespaces(sb);
        // Without root, only a user namespace of its own lets the launcher create the others.
        if (host.uid() != 0 && !ns.isEmpty()) ns.add("user");
        long flags = 0;
        for (String n : ns) flags |= CLONE_FLAGS.get(n);
        if (flags != 0) {
            boolean map = sb.flag("root/map");
            steps.add(new LaunchPlan.Unshare(flags, map ? 0 : host.uid(), host.uid(), map ? 0 : host.gid(), host.gid()));
        }
        Optional<Object> time = sb.setting("time");
        if (time.isPresent()) {
            long s = (Long) time.get();
            steps.add(new LaunchPlan.TimeOffset(s, s));
        }
        if (ns.contains("pid") || ns.contains("time")) steps.add(new LaunchPlan.Fork());
        if (ns.contains("net")) steps.add(new LaunchPlan.LoopbackUp());
        if (ns.contains("mount")) steps.addAll(MountSteps.of(sb.binds(), sb.root(), ns.contains("pid")));
        sb.hostname().ifPresent(h -> steps.add(new LaunchPlan.Hostname(h)));
        sb.domainname().ifPresent(d -> steps.add(new LaunchPlan.Domainname(d)));
        steps.addAll(rlimits(sb));
        // trace/allow_unsafe_landlock_paths: a layer of its own, first, so that its rules are opened
        // unrestricted and the supervisor's mirror (kernel.LandlockMirror) sees only sandbox/lock's
        steps.addAll(LandlockTranslation.of(sb).steps());
        if (sb.enabled(Category.LOCK)) {
            steps.addAll(LandlockRules.steps(LandlockRules.of(sb), LandlockRules.SCOPE_ABSTRACT_UNIX | LandlockRules.SCOPE_SIGNAL,
                    host.landlockAbi(),
                    LandlockRules.Compat.of(sb.defaultAction(Category.LOCK))));
        } else if (host.landlockAbi() >= 6) {
            // Other processes out of reach (kernel.ProcessTargetHandlers, docs/DECISIONS.md): a domain
            // that handles no access but scopes signals keeps signals (SIGIO too) and ptrace-mode
            // access (pidfd_getfd, /proc/PID/fd, mem) inside the sandbox, whatever the policy.
            steps.add(new LaunchPlan.LandlockCreate(0, 0, LandlockRules.SCOPE_SIGNAL));
            steps.add(new LaunchPlan.LandlockRestrict(0));
        }
        if (!sb.flag("trace/allow_unsafe_caps")) steps.add(new LaunchPlan.DropCaps(keptCaps(sb)));
        if (!sb.flag("trace/allow_unsafe_memory") && !sb.flag("trace/allow_unsafe_exec_memory")) steps.add(new LaunchPlan.Mdwe());
        if (filter != null) steps.add(new LaunchPlan.Seccomp(filter));
        return new LaunchPlan(steps);
    }

    /**
     * {@code rlimit/*}: soft and hard limit both set to the value. Core dumps are off (limit 0)
     * unless {@code trace/allow_unsafe_dumpable} or an explicit {@code rlimit/core} says otherwise.
     */
    static List<LaunchPlan.Step> rlimits(Sandbox sb) {
        Map<String, Long> limits = new LinkedHashMap<>(sb.rlimits());
        if (!limits.containsKey("core") && !sb.flag("trace/allow_unsafe_dumpable")) limits.put("core", 0L);
        List<LaunchPlan.Step> out = new ArrayList<>();
        for (var e : limits.entrySet()) {
            out.add(new LaunchPlan.Rlimit(RLIMITS.get(e.getKey()), e.getKey(), e.getValue(), e.getValue()));
        }
        return out;
    }
}
