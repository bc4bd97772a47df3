package dev.jsyd.confine;

import dev.jsyd.abi.Landlock;
import dev.jsyd.policy.Action;
import dev.jsyd.policy.Address;
import dev.jsyd.policy.Sandbox;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lock sandboxing (Syd's {@code sandbox/lock}, {@code allow/lock/RIGHT+PATH|PORTS}) as Landlock
 * steps of the launch plan. Each Syd right is one Landlock access right (table below). The
 * ruleset handles every filesystem right the kernel's ABI has, so whatever no rule allows is
 * refused; TCP bind/connect are handled only when a port rule of that kind exists; signals and
 * abstract UNIX sockets are scoped where the ABI has scopes. The rules are opened by the
 * launcher, in the program's own mount namespace, after mounts and root change.
 *
 * <p>Compatibility with an older kernel follows {@code default/lock} (Syd's mapping of actions to
 * the Landlock compatibility levels): {@code kill}, {@code abort}, {@code stop}, {@code panic},
 * {@code exit} — hard requirement, the launch fails when the kernel lacks a needed right;
 * {@code deny}, {@code filter} — soft requirement, Landlock is left out entirely;
 * {@code warn}, {@code allow} — best effort, what the kernel has is enforced.
 */
public final class LandlockRules {
    private LandlockRules() {}

    public static final long EXECUTE = Landlock.EXECUTE, WRITE_FILE = Landlock.WRITE_FILE, READ_FILE = Landlock.READ_FILE,
            READ_DIR = Landlock.READ_DIR, REMOVE_DIR = Landlock.REMOVE_DIR, REMOVE_FILE = Landlock.REMOVE_FILE,
            MAKE_CHAR = Landlock.MAKE_CHAR, MAKE_DIR = Landlock.MAKE_DIR, MAKE_REG = Landlock.MAKE_REG,
            MAKE_SOCK = Landlock.MAKE_SOCK, MAKE_FIFO = Landlock.MAKE_FIFO, MAKE_BLOCK = Landlock.MAKE_BLOCK,
            MAKE_SYM = Landlock.MAKE_SYM, REFER = Landlock.REFER, TRUNCATE = Landlock.TRUNCATE, IOCTL_DEV = Landlock.IOCTL_DEV;
    public static final long BIND_TCP = Landlock.BIND_TCP, CONNECT_TCP = Landlock.CONNECT_TCP;
    public static final long SCOPE_ABSTRACT_UNIX = Landlock.SCOPE_ABSTRACT_UNIX, SCOPE_SIGNAL = Landlock.SCOPE_SIGNAL;
    public static final long FILE_RIGHTS = Landlock.FILE_RIGHTS;

    /** Syd's lock rights for paths, in Syd's order, and their Landlock rights. */
    public static final Map<String, Long> PATH_RIGHTS = pathRights();

    private static Map<String, Long> pathRights() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("read", READ_FILE);
        m.put("write", WRITE_FILE);
        m.put("exec", EXECUTE);
        m.put("ioctl", IOCTL_DEV);
        m.put("create", MAKE_REG);
        m.put("delete", REMOVE_FILE);
        m.put("rename", REFER);
        m.put("symlink", MAKE_SYM);
        m.put("truncate", TRUNCATE);
        m.put("readdir", READ_DIR);
        m.put("mkdir", MAKE_DIR);
        m.put("rmdir", REMOVE_DIR);
        m.put("mkbdev", MAKE_BLOCK);
        m.put("mkcdev", MAKE_CHAR);
        m.put("mkfifo", MAKE_FIFO);
        m.put("bind", MAKE_SOCK);
        return java.util.Collections.unmodifiableMap(m);
    }

    /** Every filesystem right this kernel ABI can restrict. */
    public static long fsRights(int abi) {
        if (abi < 1) return 0;
        long r = (1L << 13) - 1;
        if (abi >= 2) r |= REFER;
        if (abi >= 3) r |= TRUNCATE;
        if (abi >= 5) r |= IOCTL_DEV;
        return r;
    }

    public static long netRights(int abi) { return abi >= 4 ? BIND_TCP | CONNECT_TCP : 0; }

    public static long scopes(int abi) { return abi >= 6 ? SCOPE_ABSTRACT_UNIX | SCOPE_SIGNAL : 0; }

    /** The Landlock rights of Syd right {@code right} ({@code all}: every path right). */
    static long rightsOf(String right) {
        if (right.equals("all")) return fsRights(Integer.MAX_VALUE);
        Long r = PATH_RIGHTS.get(right);
        if (r == null) throw new IllegalArgumentException("not a Landlock path right: " + right);
        return r;
    }

    /** How a kernel that lacks some right is treated. */
    public enum Compat {
        HARD, SOFT, BEST;

        /** The level {@code default/lock} selects. */
        public static Compat of(Action a) {
            return switch (a) {
                case WARN, ALLOW -> BEST;
                case DENY, FILTER -> SOFT;
                default -> HARD;
            };
        }

        /** As syd-lock's {@code -C} spells it: h, hard, hard-requirement, s, soft, …, b, best, best-effort. */
        public static Compat byName(String s) {
            return switch (s) {
                case "h", "hard", "hard-requirement" -> HARD;
                case "s", "soft", "soft-requirement" -> SOFT;
                case "b", "best", "best-effort" -> BEST;
                default -> null;
            };
        }
    }

    /** One rule: Landlock rights on a path, or on a closed port range. */
    public record Rule(long rights, String path, int lo, int hi, boolean connect) {
        static Rule path(long rights, String path) { return new Rule(rights, path, 0, 0, false); }

        static Rule ports(boolean connect, int lo, int hi) {
            return new Rule(connect ? CONNECT_TCP : BIND_TCP, null, lo, hi, connect);
        }

        boolean isPort() { return path == null; }
    }

    /** The rules of a policy's {@code allow/lock/...} list. */
    public static List<Rule> of(Sandbox sb) {
        List<Rule> out = new ArrayList<>();
        for (Sandbox.LandlockRule r : sb.landlock()) out.add(rule(r.right(), r.value()));
        return out;
    }

    /** One Syd rule: {@code right} with a path, or a port range for bind and connect. */
    public static Rule rule(String right, String value) {
        if (value.startsWith("/")) return Rule.path(rightsOf(right), value);
        Address.PortRange p = Address.parsePorts(value, 0);
        return Rule.ports(right.equals("connect"), p.lo(), p.hi());
    }

    /**
     * The Landlock steps for {@code rules} and {@code scopes} (SCOPE_* bits) on a kernel of ABI
     * {@code abi} at level {@code compat};
     * empty when Landlock is left out (soft requirement not met). Paths that do not exist are
     * skipped. Rules for the same path are merged.
     */
    public static List<LaunchPlan.Step> steps(List<Rule> rules, long scopes, int abi, Compat compat)
            throws PlanException {
        return steps(rules, scopes, abi, compat, 0);
    }

    /** As {@link #steps(List, long, int, Compat)}, with landlock_restrict_self(2) flags (ABI 7 logging). */
    public static List<LaunchPlan.Step> steps(List<Rule> rules, long scopes, int abi, Compat compat, int restrictFlags)
            throws PlanException {
        if (restrictFlags != 0 && abi < 7) {
            if (compat == Compat.HARD) throw new PlanException("Landlock ABI " + abi + " has no restrict flags", null);
            restrictFlags = 0;
        }
        long fs = fsRights(Integer.MAX_VALUE), net = 0;
        for (Rule r : rules) if (r.isPort()) net |= r.rights();
        // A port rule covering every port allows everything: the right need not be handled.
        for (long right : new long[] {BIND_TCP, CONNECT_TCP}) {
            if (rules.stream().anyMatch(r -> r.isPort() && r.rights() == right && r.lo() == 0 && r.hi() == 65535)) {
                net &= ~right;
            }
        }
        long missing = (fs & ~fsRights(abi)) | (net & ~netRights(abi)) | (scopes & ~scopes(abi));
        if (missing != 0 || abi < 1) {
            switch (compat) {
                case HARD -> throw new PlanException("Landlock " + (abi < 1 ? "is not available on this kernel"
                        : "ABI " + abi + " of this kernel lacks rights sandbox/lock needs"),
                        "default/lock:warn enforces what the kernel has (best effort); default/lock:deny leaves Landlock out");
                case SOFT -> { return List.of(); }
                case BEST -> {
                    if (abi < 1) return List.of();
                    fs &= fsRights(abi);
                    net &= netRights(abi);
                    scopes &= scopes(abi);
                }
            }
        }
        List<LaunchPlan.Step> out = new ArrayList<>();
        out.add(new LaunchPlan.LandlockCreate(fs, net, scopes));
        Map<String, Long> byPath = new LinkedHashMap<>();
        for (Rule r : rules) if (!r.isPort()) byPath.merge(r.path(), r.rights() & fs, (a, b) -> a | b);
        for (var e : byPath.entrySet()) {
            out.add(new LaunchPlan.LandlockPath(e.getValue(), e.getValue() & FILE_RIGHTS, true, e.getKey()));
        }
        for (Rule r : rules) {
            if (r.isPort() && (net & r.rights()) != 0) out.add(new LaunchPlan.LandlockPort(r.rights(), r.lo(), r.hi()));
        }
        out.add(new LaunchPlan.LandlockRestrict(restrictFlags));
        return out;
    }
}
