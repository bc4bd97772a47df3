package dev.jsyd.policy;

import dev.jsyd.policy.Values.Unset;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An immutable snapshot of the policy, read concurrently by many worker threads. Decisions for
 * paths (and UNIX socket addresses) are cached per snapshot in a bounded concurrent map; a new
 * snapshot is made on every change, so the cache never holds a stale decision.
 */
public final class Sandbox {
    /** Upper bound of cached decisions per category; the cache is cleared when it is reached. */
    public static final int CACHE_LIMIT = 8192;

    /** A bind mount: {@code bind+source:target[:options]}. */
    public record BindMount(String source, String target, List<String> options) {}

    /** A masked path: {@code mask+glob[:target[:dirTarget]]}. */
    public record Mask(Glob glob, Optional<String> target, Optional<String> dirTarget) {}

    /** A verified executable: {@code force+path:algorithm:digest[:action]}. */
    public record ForceRule(String path, String algorithm, String digest, Optional<Action> action) {}

    /** An allowed SafeSetID transition: {@code setuid+from:to} / {@code setgid+from:to}. */
    public record IdTransition(String from, String to) {}

    /** A Landlock rule: one right and a path or a port range. */
    public record LandlockRule(String right, String value) {}

    private final long generation;
    private final Set<Category> enabled;
    private final Map<Category, Action> defaults;
    private final Map<Category, PathRules> pathRules = new EnumMap<>(Category.class);
    private final Map<Category, List<RuleEntry>> otherRules = new EnumMap<>(Category.class);
    private final Map<Category, ConcurrentHashMap<String, Action>> cache = new EnumMap<>(Category.class);
    private final LockState lock;
    private final Map<String, Object> settings;
    private final Map<String, List<String>> lists;
    private final List<LandlockRule> landlock;
    private final boolean panicked;
    private final List<BindMount> binds;
    private final List<Mask> masks;
    private final List<Glob> append;
    private final List<Glob> crypt;
    private final List<ForceRule> force;
    private final List<IdTransition> setuid;
    private final List<IdTransition> setgid;
    private final List<Address.Cidr> block;
    /** The enabled path categories for which {@link #mayRefuse} is true (computed once). */
    private final Set<Category> refusingPaths = EnumSet.noneOf(Category.class);

    Sandbox(long generation, Set<Category> enabled, Map<Category, Action> defaults,
            Map<Category, List<RuleEntry>> rules, LockState lock, Map<String, Object> settings,
            Map<String, List<String>> lists, List<LandlockRule> landlock, boolean panicked) {
        this.generation = generation;
        this.enabled = Collections.unmodifiableSet(enabled.isEmpty() ? EnumSet.noneOf(Category.class) : EnumSet.copyOf(enabled));
        this.defaults = Collections.unmodifiableMap(new EnumMap<>(defaults));
        for (var e : rules.entrySet()) {
            if (e.getKey().isPath()) pathRules.put(e.getKey(), new PathRules(e.getValue()));
            else otherRules.put(e.getKey(), List.copyOf(e.getValue()));
        }
        for (Category c : Category.values()) if (c.isPath() || c.isNet()) cache.put(c, new ConcurrentHashMap<>());
        this.lock = lock;
        this.settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
        Map<String, List<String>> l = new LinkedHashMap<>();
        for (var e : lists.entrySet()) l.put(e.getKey(), List.copyOf(e.getValue()));
        this.lists = Collections.unmodifiableMap(l);
        this.landlock = List.copyOf(landlock);
        this.panicked = panicked;
        this.binds = list("bind").stream().map(Sandbox::bind).toList();
        this.masks = list("mask").stream().map(Sandbox::decodeMask).toList();
        this.append = list("append").stream().map(Glob::compile).toList();
        this.crypt = list("crypt").stream().map(Glob::compile).toList();
        this.force = list("force").stream().map(Sandbox::decodeForce).toList();
        this.setuid = list("setuid").stream().map(Sandbox::ids).toList();
        this.setgid = list("setgid").stream().map(Sandbox::ids).toList();
        this.block = list("block").stream().map(s -> Address.parseCidr(s, 0)).toList();
        for (Category c : this.enabled) if (c.isPath() && computeMayRefuse(c)) refusingPaths.add(c);
    }

    // ---- categories and rules ---------------------------------------------------------------

    public boolean enabled(Category c) { return enabled.contains(c); }

    public Set<Category> enabledCategories() { return enabled; }

    public Action defaultAction(Category c) { return defaults.get(c); }

    /**
     * The decision for an absolute canonical path (byte string): the action of the last matching
     * rule, else the category default. A category that is off allows.
     */
    public Action checkPath(Category c, String path) {
        if (!c.isPath()) throw new IllegalArgumentException(c + " is not a path category");
        if (!enabled.contains(c)) return Action.ALLOW;
        var m = cache.get(c);
        Action a = m.get(path);
        if (a != null) return a;
        a = decidePath(c, path);
        if (m.size() >= CACHE_LIMIT) m.clear();
        m.put(path, a);
        return a;
    }

    /**
     * False when no path strictly below directory {@code dir} (canonical) can be denied in path
     * category {@code c} (off: none can); true when one may be. Lets a listing skip the per-entry
     * checks of a directory nothing below which is hidden.
     */
    public boolean mayDenyBelow(Category c, String dir) {
        if (!c.isPath() || !enabled.contains(c)) return false;
        PathRules r = pathRules.get(c);
        return r == null ? defaults.get(c).denies() : r.mayDenyBelow(dir, defaults.get(c));
    }

    /**
     * Whether some path could get a decision other than a silent allow in this path category:
     * false when the category is off, or when a rule matching every path ({@code /***},
     * {@code /**}) allows and no later rule says otherwise, or when nothing but allow rules sit on an
     * allow default. The filter uses it: a category that cannot refuse or log costs no notification.
     */
    public boolean mayRefuse(Category c) {
        if (!c.isPath()) return enabled.contains(c);
        return refusingPaths.contains(c);
    }

    private boolean computeMayRefuse(Category c) {
        List<RuleEntry> rs = rules(c);
        for (int i = rs.size() - 1; i >= 0; i--) {
            RuleEntry r = rs.get(i);
            if (r.action() != Action.ALLOW) return true;
            if (MATCH_ALL.contains(r.pattern())) return false;
        }
        return defaults.get(c) != Action.ALLOW;
    }

    private static final Set<String> MATCH_ALL = Set.of("/***", "/**", "**", "***");

    /** Like {@link #checkPath} but uncached, ignoring whether the category is on. */
    public Action decidePath(Category c, String path) {
        PathRules r = pathRules.get(c);
        if (r != null) {
            int i = r.lastMatch(path);
            if (i >= 0) return r.rule(i).action();
        }
        return defaults.get(c);
    }

    /** The last rule matching the path, if any (for log records and tips). */
    public Optional<RuleEntry> matchingPathRule(Category c, String path) {
        PathRules r = pathRules.get(c);
        if (r == null) return Optional.empty();
        int i = r.lastMatch(path);
        return i < 0 ? Optional.empty() : Optional.of(r.rule(i));
    }

    /** The decision for an IP address and port; an IPv4-mapped IPv6 address is also checked as IPv4. */
    public Action checkInet(Category c, InetAddress addr, int port) {
        if (!c.isNet()) throw new IllegalArgumentException(c + " is not a network category");
        if (!enabled.contains(c)) return Action.ALLOW;
        byte[][] split = Address.split(addr);
        List<RuleEntry> rules = otherRules.getOrDefault(c, List.of());
        for (int i = rules.size() - 1; i >= 0; i--) {
            if (rules.get(i).compiled() instanceof Address.Inet in && in.matches(split[0], split[1], port)) {
                return rules.get(i).action();
            }
        }
        return defaults.get(c);
    }

    /** The decision for a UNIX socket path (byte string) or {@code @name} for an abstract socket. */
    public Action checkUnix(Category c, String pathOrAtAbstract) {
        if (!c.isNet()) throw new IllegalArgumentException(c + " is not a network category");
        if (!enabled.contains(c)) return Action.ALLOW;
        var m = cache.get(c);
        Action a = m.get(pathOrAtAbstract);
        if (a != null) return a;
        a = defaults.get(c);
        List<RuleEntry> rules = otherRules.getOrDefault(c, List.of());
        for (int i = rules.size() - 1; i >= 0; i--) {
            if (rules.get(i).compiled() instanceof Address.Unix u && u.matches(pathOrAtAbstract)) {
                a = rules.get(i).action();
                break;
            }
        }
        if (m.size() >= CACHE_LIMIT) m.clear();
        m.put(pathOrAtAbstract, a);
        return a;
    }

    /** The decision for a name category (ioctl request name, filesystem type, netlink family). */
    public Action checkName(Category c, String name) {
        if (c.kind() != Category.Kind.NAME) throw new IllegalArgumentException(c + " is not a name category");
        if (!enabled.contains(c)) return Action.ALLOW;
        List<RuleEntry> rules = otherRules.getOrDefault(c, List.of());
        for (int i = rules.size() - 1; i >= 0; i--) if (rules.get(i).pattern().equals(name)) return rules.get(i).action();
        return defaults.get(c);
    }

    /**
     * The decision for ioctl request {@code request} (its low 32 bits, as the kernel reads it):
     * ALLOW when ioctl sandboxing is off; else the action of the last rule naming it (by name or
     * number), else ALLOW when it is on the default allow list ({@link IoctlRules#DEFAULT_ALLOW}),
     * else {@code default/ioctl}.
     */
    public Action checkIoctl(long request) {
        if (!enabled.contains(Category.IOCTL)) return Action.ALLOW;
        Action a = ioctlRules().get(request & 0xffffffffL);
        if (a != null) return a;
        return IoctlRules.DEFAULT_ALLOW_NUMBERS.contains(request & 0xffffffffL) ? Action.ALLOW : defaults.get(Category.IOCTL);
    }

    /** The request numbers the ioctl rules name, each with the action of the last rule naming it, in first-named order. */
    public Map<Long, Action> ioctlRules() {
        Map<Long, Action> m = ioctlRules;
        if (m == null) {
            m = new LinkedHashMap<>();
            for (RuleEntry r : otherRules.getOrDefault(Category.IOCTL, List.of())) {
                if (r.compiled() instanceof Long n) m.put(n, r.action());
            }
            ioctlRules = m = Collections.unmodifiableMap(m);
        }
        return m;
    }

    private volatile Map<Long, Action> ioctlRules;

    /** The rules of a category in order (last wins). */
    public List<RuleEntry> rules(Category c) {
        if (c.isPath()) {
            PathRules r = pathRules.get(c);
            return r == null ? List.of() : r.list();
        }
        return otherRules.getOrDefault(c, List.of());
    }

    // ---- lock, flags, settings ----------------------------------------------------------------

    /** The lock state; empty when no {@code lock:} command was given. */
    public Optional<LockState> lock() { return Optional.ofNullable(lock); }

    /** A boolean setting ({@code trace/*}, {@code unshare/*}, {@code tpe/*}, ...), explicit or default. */
    public boolean flag(String name) {
        var spec = Settings.specOrNull(name); // asked on every call: no Optional, no capturing lambda
        if (spec == null) throw new IllegalArgumentException("unknown setting " + name);
        if (spec.type() != Settings.Type.BOOL) throw new IllegalArgumentException(name + " is not a boolean");
        return (Boolean) settings.getOrDefault(name, spec.defaultValue());
    }

    /** A setting's value (explicit or default); empty when unset or set to {@code none}. */
    public Optional<Object> setting(String key) {
        var spec = Settings.spec(key).orElseThrow(() -> new IllegalArgumentException("unknown setting " + key));
        Object v = settings.containsKey(key) ? settings.get(key) : spec.defaultValue();
        return v == null || v == Unset.NONE ? Optional.empty() : Optional.of(v);
    }

    /**
     * This snapshot with one setting changed (a boolean as {@code Boolean}, a namespace list as
     * its text): what the filter would be with a {@code trace/allow_unsafe_*} switch on (learning).
     */
    public Sandbox withSetting(String key, Object value) {
        Settings.spec(key).orElseThrow(() -> new IllegalArgumentException("unknown setting " + key));
        Map<Category, List<RuleEntry>> rules = new EnumMap<>(Category.class);
        for (Category c : Category.values()) if (!rules(c).isEmpty()) rules.put(c, rules(c));
        Map<String, Object> s = new LinkedHashMap<>(settings);
        s.put(key, value);
        return new Sandbox(generation, enabled, defaults, rules, lock, s, lists, landlock, panicked);
    }

    /** Only the settings given explicitly, in the order first given. */
    public Map<String, Object> explicitSettings() { return settings; }

    public Optional<Duration> timeout() {
        return setting("timeout").map(Duration.class::cast).filter(d -> !d.isZero());
    }

    public long generation() { return generation; }

    /** True once a {@code panic} command was applied: syd must exit with status 127. */
    public boolean panicked() { return panicked; }

    /** The namespaces to create ({@code unshare/*:on}). */
    public Set<String> unshare() {
        Set<String> out = new LinkedHashSet<>();
        for (String ns : Settings.NAMESPACES) if (flag("unshare/" + ns)) out.add(ns);
        return out;
    }

    public Optional<String> root() { return setting("root").map(String.class::cast); }

    public Optional<String> hostname() { return setting("name/host").map(String.class::cast); }

    public Optional<String> domainname() { return setting("name/domain").map(String.class::cast); }

    /**
     * Resource limits that were set, in the kernel's units (bytes, counts; {@code cpu} in
     * seconds, {@code rttime} in microseconds); -1 is RLIM_INFINITY.
     */
    public Map<String, Long> rlimits() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String r : Settings.RLIMITS.keySet()) {
            setting("rlimit/" + r).ifPresent(v -> {
                long n;
                if (v instanceof Duration d) n = r.equals("rttime") ? d.toNanos() / 1000 : d.getSeconds();
                else n = (Long) v;
                out.put(r, n);
            });
        }
        return out;
    }

    public OptionalLong memMax() { return positive("mem/max"); }

    public OptionalLong memVmMax() { return positive("mem/vm_max"); }

    public OptionalLong pidMax() { return positive("pid/max"); }

    private OptionalLong positive(String key) {
        long v = (Long) setting(key).orElse(0L);
        return v > 0 ? OptionalLong.of(v) : OptionalLong.empty();
    }

    public OptionalLong tpeGid() {
        return setting("tpe/gid").map(v -> OptionalLong.of((Long) v)).orElse(OptionalLong.empty());
    }

    public Optional<Integer> forceUmask() { return setting("trace/force_umask").map(Integer.class::cast); }

    public String logLevel() { return (String) setting("log/level").orElse("warn"); }

    public Duration segvguardExpiry() { return (Duration) setting("segvguard/expiry").orElseThrow(); }

    public Duration segvguardSuspension() { return (Duration) setting("segvguard/suspension").orElseThrow(); }

    public long segvguardMaxCrashes() { return (Long) setting("segvguard/maxcrashes").orElseThrow(); }

    // ---- lists -------------------------------------------------------------------------------

    /** A list's normalised items, in order. */
    public List<String> list(String name) { return lists.getOrDefault(name, List.of()); }

    public List<BindMount> binds() { return binds; }

    public List<Mask> masks() { return masks; }

    /** The last mask matching the path, if any. */
    public Optional<Mask> mask(String path) {
        for (int i = masks.size() - 1; i >= 0; i--) if (masks.get(i).glob().matches(path)) return Optional.of(masks.get(i));
        return Optional.empty();
    }

    public boolean appendOnly(String path) { return anyMatch(append, path); }

    public boolean crypt(String path) { return anyMatch(crypt, path); }

    private static boolean anyMatch(List<Glob> globs, String path) {
        for (Glob g : globs) if (g.matches(path)) return true;
        return false;
    }

    public List<ForceRule> forceRules() { return force; }

    public Optional<ForceRule> force(String path) {
        for (int i = force.size() - 1; i >= 0; i--) if (force.get(i).path().equals(path)) return Optional.of(force.get(i));
        return Optional.empty();
    }

    public List<IdTransition> setuid() { return setuid; }

    public List<IdTransition> setgid() { return setgid; }

    public List<Address.Cidr> blocklist() { return block; }

    /** True if the address is on the IP blocklist ({@code block+}). */
    public boolean blocked(InetAddress addr) {
        byte[][] split = Address.split(addr);
        for (Address.Cidr c : block) {
            if (c.isV4() ? split[0] != null && c.contains(split[0]) : split[1] != null && c.contains(split[1])) return true;
        }
        return false;
    }

    public List<LandlockRule> landlock() { return landlock; }

    // ---- list item decoding ------------------------------------------------------------------

    private static BindMount bind(String item) {
        List<String> p = Parser.splitColons(item, new ArrayList<>());
        List<String> opts = p.size() > 2 ? List.of(Glob.unescape(p.get(2)).split(",")) : List.of();
        return new BindMount(Glob.unescape(p.get(0)), Glob.unescape(p.get(1)), opts);
    }

    private static Mask decodeMask(String item) {
        List<String> p = Parser.splitGlobColons(item, new ArrayList<>());
        return new Mask(Glob.compile(Parser.ruleEscapes(p.get(0))),
                p.size() > 1 ? Optional.of(Glob.unescape(p.get(1))) : Optional.empty(),
                p.size() > 2 ? Optional.of(Glob.unescape(p.get(2))) : Optional.empty());
    }

    private static ForceRule decodeForce(String item) {
        List<String> p = Parser.splitColons(item, new ArrayList<>());
        return new ForceRule(Glob.unescape(p.get(0)), p.get(1), p.get(2),
                p.size() > 3 ? Action.byName(p.get(3)) : Optional.empty());
    }

    private static IdTransition ids(String item) {
        int c = item.indexOf(':');
        return new IdTransition(item.substring(0, c), item.substring(c + 1));
    }
}
