package dev.jsyd.confine;

import dev.jsyd.policy.Action;
import dev.jsyd.policy.Category;
import dev.jsyd.policy.Glob;
import dev.jsyd.policy.LockState;
import dev.jsyd.policy.RuleEntry;
import dev.jsyd.policy.Sandbox;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * {@code trace/allow_unsafe_landlock_paths} (a jsyd switch, docs/CONFINE.md "Path rules decided by
 * the kernel"): the policy's read-side path rules as a Landlock layer of their own, so that
 * read-only opens need no seccomp notification. Pure policy code: the result is a list of launch
 * steps, whose paths the launcher opens in the program's final mount namespace.
 *
 * <p>Two Landlock rights are translated, together or not at all: READ_FILE from {@code read} and
 * READ_DIR from {@code readdir}, each joined with {@code stat} (a path that stat hides cannot be
 * opened either; the kernel answers EACCES where Syd answers ENOENT). A category translates when
 * its default action and every rule's action are allow or deny and every rule's pattern is a
 * literal path or a literal path with {@code /***}. The rules then split the directory tree into
 * subtrees that are allowed or denied as a whole, which get one rule (or none), and the
 * directories on the way to a rule beneath them ("mixed"), which get no rule: their entries
 * present at start get the right one by one, except the ones on the way, which are treated the
 * same way in turn.
 *
 * <p>The rules then sit on the entries of the mixed directories, so the program must not be able
 * to add, remove or rename those ({@link #changeable}): else a file renamed into place would be read
 * with its old rule.
 *
 * <p>READ_FILE is then exact for every file present at start. READ_DIR cannot be: a directory
 * whose listing is allowed but which has a refused directory beneath it can only be listed if its
 * whole subtree could; the layer refuses it, so opens with O_DIRECTORY (opendir) stay notified
 * and get Syd's answer ({@link Result#dirExact}).
 */
public final class LandlockTranslation {
    private LandlockTranslation() {}

    /** The switch that asks for the translation. */
    public static final String SWITCH = "trace/allow_unsafe_landlock_paths";

    /** The Landlock rights of the layer. */
    static final long RIGHTS = LandlockRules.READ_FILE | LandlockRules.READ_DIR;

    /** The layer's first step (sandbox/lock's layer handles every right of the ABI, never just these two). */
    static final LaunchPlan.LandlockCreate CREATE = new LaunchPlan.LandlockCreate(RIGHTS, 0, 0);

    /** True for the translated layer's create step: the supervisor's mirror of sandbox/lock skips that layer. */
    public static boolean isLayer(LaunchPlan.LandlockCreate c) { return c.equals(CREATE); }

    /**
     * The translation of a policy.
     *
     * @param steps     the Landlock layer (create, rules, restrict); empty when nothing is translated
     * @param reads     true when read and readdir are decided by the layer (read-only opens need no notification)
     * @param dirExact  true when READ_DIR refuses nothing Syd allows (opens with O_DIRECTORY need no notification)
     * @param why       why nothing is translated (empty when {@code reads})
     */
    public record Result(List<LaunchPlan.Step> steps, boolean reads, boolean dirExact, String why) {
        static Result none(String why) { return new Result(List.of(), false, false, why); }
    }

    /** The translation of {@code sb}; {@link Result#none} when the switch is off or the rules cannot be expressed. */
    public static Result of(Sandbox sb) {
        if (!sb.flag(SWITCH)) return Result.none("off");
        String why = obstacle(sb);
        if (why != null) return Result.none(why);
        Decision readFile = Decision.of(sb, Category.READ), readDir = Decision.of(sb, Category.READDIR);
        Decision stat = Decision.of(sb, Category.STAT);
        if (readFile == null || readDir == null || stat == null) {
            return Result.none("a read, readdir or stat rule other than allow/deny of a path or a path/***");
        }
        List<LaunchPlan.Step> steps = new ArrayList<>();
        steps.add(CREATE);
        Emitter files = new Emitter(LandlockRules.READ_FILE, readFile.and(stat), steps);
        files.emit("");
        Emitter dirs = new Emitter(LandlockRules.READ_DIR, readDir.and(stat), steps);
        dirs.emit("");
        steps.add(new LaunchPlan.LandlockRestrict(0));
        files.mixed.addAll(dirs.mixed);
        why = changeable(sb, files.mixed, List.of(readFile, readDir, stat));
        if (why != null) return Result.none(why);
        return new Result(steps, true, dirs.exact, "");
    }

    /** The categories whose calls add, remove or move directory entries. */
    static final List<Category> ENTRY_CHANGERS = List.of(Category.CREATE, Category.DELETE, Category.RENAME, Category.SYMLINK,
            Category.MKDIR, Category.RMDIR, Category.MKBDEV, Category.MKCDEV, Category.MKFIFO, Category.MKTEMP);

    /**
     * Why the program could change which objects the layer's rules are on, or null. The rules sit
     * on the entries of the "mixed" directories (and on their subtrees): an entry the program could
     * create, remove or rename there would be read by its new name with its old rule (or none), not
     * by the policy. So every such entry — each one a rule names, and any other ({@link #FRESH}) —
     * must be refused by every category that changes entries.
     */
    static String changeable(Sandbox sb, TreeSet<String> mixed, List<Decision> reads) {
        if (mixed.isEmpty()) return null;
        for (Category c : ENTRY_CHANGERS) {
            Decision d = Decision.of(sb, c);
            if (d == null) return "a " + c.sydName() + " rule other than allow/deny of a path or a path/***";
            TreeSet<String> bases = new TreeSet<>();
            d.bases(bases);
            for (Decision r : reads) r.bases(bases);
            for (String m : mixed) {
                List<String> entries = new ArrayList<>(List.of(m + "/" + FRESH));
                for (String b : bases) if (b.lastIndexOf('/') == m.length() && b.startsWith(m + "/")) entries.add(b);
                for (String e : entries) {
                    if (d.allows(e)) {
                        return c.sydName() + " may change the entries of " + (m.isEmpty() ? "/" : m)
                                + ", which the layer's rules are laid on";
                    }
                }
            }
        }
        return null;
    }

    /**
     * Why the switch cannot be used with this run, or null: trace and learning mode must see every
     * would-be denial, and a policy the program may still change through {@code /dev/syd} cannot be
     * put in the kernel once.
     */
    public static String refusal(Sandbox sb, boolean traceMode) {
        if (!sb.flag(SWITCH)) return null;
        if (traceMode) {
            return SWITCH + " cannot be used in trace or learning mode (-x, syd-learn): the kernel's denials are not logged"
                    + "; hint: remove " + SWITCH + ":1";
        }
        if (unlocked(sb)) {
            return SWITCH + " needs lock:on (the program could change the rules the kernel decides)"
                    + "; hint: remove " + SWITCH + ":1 or set lock:on";
        }
        return null;
    }

    private static boolean unlocked(Sandbox sb) {
        return sb.lock().map(l -> l != LockState.ON && l != LockState.IPC).orElse(false);
    }

    /** What keeps the read side notified whatever its rules: the supervisor must see every open then. */
    static String obstacle(Sandbox sb) {
        if (unlocked(sb)) return "the policy can still change at run time (lock is not on)";
        if (sb.mayRefuse(Category.WALK)) return "walk rules hide paths";
        if (!sb.masks().isEmpty() || !sb.list("append").isEmpty() || !sb.list("crypt").isEmpty()) {
            return "mask, append or crypt rules";
        }
        if (sb.forceUmask().isPresent() || sb.flag("trace/deny_dotdot")) return "trace/force_umask or trace/deny_dotdot";
        for (String f : List.of("trace/force_cloexec", "trace/force_rand_fd", "trace/force_ro_open", "trace/force_wx_open",
                "trace/force_no_symlinks", "trace/force_no_magiclinks", "trace/force_no_xdev")) {
            if (sb.flag(f)) return f;
        }
        return null;
    }

    /** One category's answer for every path, from its rules: literal paths and {@code path/***} trees, last match wins. */
    record Decision(List<Rule> rules, boolean byDefault, List<Decision> also) {
        record Rule(boolean allow, boolean tree, String base) {
            boolean matches(String p) {
                return p.equals(base) || (tree && p.startsWith(base + "/"));
            }
        }

        /** Null when a rule or the default cannot be expressed. */
        static Decision of(Sandbox sb, Category c) {
            if (!sb.enabled(c)) return new Decision(List.of(), true, List.of());
            Action d = sb.defaultAction(c);
            if (d != Action.ALLOW && d != Action.DENY) return null;
            List<Rule> out = new ArrayList<>();
            for (RuleEntry r : sb.rules(c)) {
                if (r.action() != Action.ALLOW && r.action() != Action.DENY) return null;
                if (!(r.compiled() instanceof Glob g) || g.kind() == Glob.Kind.GLOB) return null;
                boolean tree = g.kind() == Glob.Kind.PREFIX;
                if (!canonical(g.base(), tree)) return null;
                out.add(new Rule(r.action() == Action.ALLOW, tree, g.base()));
            }
            return new Decision(List.copyOf(out), d == Action.ALLOW, List.of());
        }

        /** A literal absolute path without empty, {@code .} or {@code ..} components; "" only as the root's tree. */
        static boolean canonical(String base, boolean tree) {
            if (base.isEmpty()) return tree;
            if (base.equals("/")) return !tree;
            if (base.charAt(0) != '/') return false;
            for (String c : base.substring(1).split("/", -1)) {
                if (c.isEmpty() || c.equals(".") || c.equals("..")) return false;
            }
            return true;
        }

        Decision and(Decision other) {
            List<Decision> a = new ArrayList<>(also);
            a.add(other);
            return new Decision(rules, byDefault, a);
        }

        boolean allows(String path) {
            boolean v = byDefault;
            for (Rule r : rules) if (r.matches(path)) v = r.allow();
            for (Decision d : also) v &= d.allows(path);
            return v;
        }

        /** Every rule base of this decision and those joined to it. */
        void bases(TreeSet<String> out) {
            for (Rule r : rules) out.add(r.base());
            for (Decision d : also) d.bases(out);
        }
    }

    /** A name no path component can have: a path ending in it stands for every entry no rule names. */
    private static final String FRESH = "\0";

    /** Walks the tree of rule bases from the root and writes the layer's rules for one right. */
    private static final class Emitter {
        final long right;
        final Decision d;
        final List<LaunchPlan.Step> out;
        final TreeSet<String> bases = new TreeSet<>();
        /** The directories on the way to a rule ("" is the root): their entries get rules one by one. */
        final TreeSet<String> mixed = new TreeSet<>();
        boolean exact = true;

        Emitter(long right, Decision d, List<LaunchPlan.Step> out) {
            this.right = right;
            this.d = d;
            this.out = out;
            d.bases(bases);
        }

        /** The rule bases strictly beneath {@code dir} ("" is the root). */
        java.util.SortedSet<String> beneath(String dir) {
            return bases.subSet(dir + "/", false, dir + "0", false); // '0' follows '/'
        }

        /** The value every path of {@code dir}'s subtree has, or null when it is mixed. */
        Boolean uniform(String dir) {
            boolean v = d.allows(dir.isEmpty() ? "/" : dir);
            if (d.allows(dir + "/" + FRESH) != v) return null;
            for (String b : beneath(dir)) {
                if (d.allows(b) != v || d.allows(b + "/" + FRESH) != v) return null;
            }
            return v;
        }

        void emit(String dir) {
            String path = dir.isEmpty() ? "/" : dir;
            Boolean all = uniform(dir);
            if (all != null) {
                if (all) out.add(LaunchPlan.LandlockExact.beneath(right, path));
                return;
            }
            mixed.add(dir);
            boolean self = d.allows(path);
            if (self && right == LandlockRules.READ_DIR) exact = false; // its listing would need its whole subtree
            if (self && !dir.isEmpty() && right != LandlockRules.READ_DIR) out.add(LaunchPlan.LandlockExact.fileOnly(right, path));
            TreeSet<String> names = new TreeSet<>();
            for (String b : beneath(dir)) {
                String rest = b.substring(dir.length() + 1);
                int slash = rest.indexOf('/');
                names.add(slash < 0 ? rest : rest.substring(0, slash));
            }
            if (d.allows(dir + "/" + FRESH)) out.add(LaunchPlan.LandlockExact.entriesExcept(right, path, List.copyOf(names)));
            for (String n : names) emit(dir + "/" + n);
        }
    }
}
