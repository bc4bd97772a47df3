package dev.jsyd.policy;

import dev.jsyd.policy.Command.Op;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The mutable, single-threaded builder of the policy. Commands are applied in order; {@link
 * #snapshot()} gives the immutable {@link Sandbox} that workers read.
 */
public final class Policy {
    /** Maximum include depth (files and profiles). */
    public static final int MAX_INCLUDE_DEPTH = 32;

    private final EnumSet<Category> enabled = EnumSet.noneOf(Category.class);
    private final EnumMap<Category, Action> defaults = new EnumMap<>(Category.class);
    private final EnumMap<Category, List<RuleEntry>> rules = new EnumMap<>(Category.class);
    private final List<Sandbox.LandlockRule> landlock = new ArrayList<>();
    private final Map<String, Object> settings = new LinkedHashMap<>();
    private final Map<String, List<String>> lists = new LinkedHashMap<>();
    private LockState lock;
    private boolean panicked;
    private long generation;
    private Sandbox cached;
    private Function<String, String> env = Policy::processEnvironment;
    private List<Path> userFiles;
    private final Deque<String> includeStack = new ArrayDeque<>();

    private Policy() {
        resetState();
    }

    /** Syd's defaults: every path and network category on with action deny (spec §1). */
    public static Policy defaults() { return new Policy(); }

    /** Every built-in profile name. */
    public static List<String> profileNames() { return Profiles.names(); }

    /** The JVM's environment variable {@code name} as a byte string (its UTF-8 encoding), or null. */
    public static String processEnvironment(String name) {
        String v = System.getenv(name);
        return v == null ? null : Bytes.fromUtf8(v);
    }

    /**
     * The environment used for {@code ${VAR}} expansion (default: {@link #processEnvironment}):
     * maps a name to its value as a byte string, or null when it is not set.
     */
    public Policy environment(Function<String, String> env) {
        this.env = Objects.requireNonNull(env);
        return this;
    }

    /**
     * The extra files the {@code user} profile reads when present (default {@code /etc/user.syd-3}
     * and {@code $HOME/.user.syd-3}).
     */
    public Policy userProfileFiles(List<Path> files) {
        this.userFiles = List.copyOf(files);
        return this;
    }

    private void resetState() {
        enabled.clear();
        defaults.clear();
        rules.clear();
        landlock.clear();
        settings.clear();
        lists.clear();
        for (Category c : Category.values()) {
            // pid: kill the new process; lock: Landlock as a hard requirement (syd(2)).
            defaults.put(c, c == Category.PID || c == Category.LOCK ? Action.KILL : Action.DENY);
            if (c.hasRules() && c != Category.FS && c != Category.NET_LINK) enabled.add(c);
        }
    }

    /** Parses and applies one command line. {@code include} and {@code include_profile} are handled here. */
    public void apply(String command, Origin origin) throws PolicyException {
        apply(Parser.parse(command, origin, env), command, origin);
    }

    /** Applies one command given as a byte string (a /dev/syd path after the prefix). */
    public void applyBytes(String command, Origin origin) throws PolicyException {
        apply(Parser.parseBytes(command, origin, env), Bytes.toUtf8(command), origin);
    }

    /** Applies a parsed command. */
    public void apply(Command cmd, Origin origin) throws PolicyException {
        apply(cmd, Bytes.toUtf8(cmd.print()), origin);
    }

    private void apply(Command cmd, String text, Origin origin) throws PolicyException {
        List<String> unsupported = Support.unsupported(cmd);
        if (!unsupported.isEmpty()) throw Support.refusal(origin, text, unsupported);
        checkLock(cmd, text, origin);
        if (origin != null && origin.kind() == Origin.Kind.RUNTIME && startupOnly(cmd)) {
            throw new PolicyException(origin, text, 0, "`" + text + "` is applied when the sandbox starts and cannot change now",
                    "set it with -m, -p or -P before the program runs", null);
        }
        switch (cmd) {
            case Command.SandboxSet s -> {
                for (Category c : Support.applicable(s.categories())) {
                    if (s.on()) enabled.add(c);
                    else enabled.remove(c);
                }
            }
            case Command.DefaultSet d -> {
                for (Category c : Support.applicable(d.categories())) defaults.put(c, d.action());
            }
            case Command.Rule r -> applyRule(r);
            case Command.LockRule r -> applyLockRule(r);
            case Command.Set s -> {
                if (s.key().equals("lock")) lock = (LockState) s.value();
                else if (s.key().startsWith("unshare/")) {
                    for (String ns : s.key().substring(8).split(",")) settings.put("unshare/" + ns, s.value());
                } else settings.put(s.key(), s.value());
            }
            case Command.ListEdit l -> applyList(l);
            case Command.Include inc -> include(inc.path(), text, origin);
            case Command.IncludeProfile p -> applyProfile(p.name(), origin);
            case Command.Special sp -> {
                switch (sp.name()) {
                    case "reset" -> {
                        LockState keep = lock;
                        resetState();
                        lock = keep;
                    }
                    case "panic" -> panicked = true;
                    default -> { /* stat, ghost: effects belong to the supervisor */ }
                }
            }
            case Command.Exec e -> lists.computeIfAbsent("cmd/exec", k -> new ArrayList<>()).add(e.argument());
            case Command.SandboxQuery q -> throw notHere(text, origin);
            case Command.Query q -> throw notHere(text, origin);
        }
        generation++;
    }

    private PolicyException notHere(String text, Origin origin) {
        return new PolicyException(origin, text, text.length(), "a query (`?`) is not a command here",
                "a command; queries are answered only at runtime through /dev/syd", null);
    }

    /** Runtime commands are refused while the lock forbids them; the caller decides who is asking. */
    private void checkLock(Command cmd, String text, Origin origin) throws PolicyException {
        if (origin == null || origin.kind() != Origin.Kind.RUNTIME || lock == null) return;
        switch (lock) {
            case ON, READ -> throw new PolicyException(origin, text, 0,
                    "the sandbox is locked (lock:" + lock.sydName() + "); no runtime changes are accepted", null, null);
            case DROP -> {
                if (!dropsPrivileges(cmd)) {
                    throw new PolicyException(origin, text, 0,
                            "with lock:drop only commands that reduce privileges are accepted", "a deny-type rule, "
                            + "`sandbox/CAT:on`, a stricter `default/CAT:ACTION`, or `lock:on`", null);
                }
            }
            default -> { }
        }
    }

    /**
     * True for what the launcher applies once before the program runs (namespaces, mounts, root,
     * names, clocks, limits, Landlock): refused at runtime, where it could no longer take effect.
     */
    public static boolean startupOnly(Command cmd) {
        return switch (cmd) {
            case Command.SandboxSet s -> s.categories().resolve().contains(Category.LOCK);
            case Command.DefaultSet d -> d.categories().resolve().contains(Category.LOCK);
            case Command.LockRule r -> true;
            case Command.Set s -> STARTUP_KEYS.stream().anyMatch(k -> s.key().equals(k) || s.key().startsWith(k + "/"))
                    && !s.key().equals("lock");
            case Command.ListEdit l -> l.list().equals("bind");
            default -> false;
        };
    }

    private static final List<String> STARTUP_KEYS = List.of("unshare", "root", "name", "time", "rlimit");

    /** {@link #startupOnly(Command)} for a command given as a byte string; false when it does not parse. */
    public boolean startupOnly(String commandBytes) {
        try {
            return startupOnly(Parser.parseBytes(commandBytes, Origin.runtime(), env));
        } catch (PolicyException e) {
            return false;
        }
    }

    /** True for commands that can only take privileges away (accepted under {@code lock:drop}). */
    public static boolean dropsPrivileges(Command cmd) {
        return switch (cmd) {
            case Command.Rule r -> r.op() == Op.ADD && r.action().denies();
            case Command.SandboxSet s -> s.on();
            case Command.DefaultSet d -> d.action().denies();
            case Command.Set s -> s.key().equals("lock") && (s.value() == LockState.ON || s.value() == LockState.READ);
            case Command.ListEdit l -> l.op() == Op.ADD && (l.list().equals("mask") || l.list().equals("append")
                    || l.list().equals("block"));
            default -> false;
        };
    }

    private void applyRule(Command.Rule r) {
        for (Category c : Support.applicable(r.categories())) {
            // An ioctl rule names several requests with commas; for a path category (an alias such as
            // "all" reaches both) the comma is part of the path.
            if (c == Category.IOCTL && r.pattern().indexOf(',') > 0) {
                for (String one : IoctlRules.split(r.pattern())) {
                    if (!one.isEmpty()) applyRule(c, new Command.Rule(r.action(), r.categories(), r.op(), one));
                }
            } else {
                applyRule(c, r);
            }
        }
    }

    private void applyRule(Category c, Command.Rule r) {
        Object compiled;
        try {
            compiled = r.pattern().isEmpty() ? null : compile(c, r.pattern());
        } catch (RuntimeException e) {
            return; // an alias reached a category this pattern does not fit (checked by the parser)
        }
        List<RuleEntry> list = rules.computeIfAbsent(c, k -> new ArrayList<>());
        switch (r.op()) {
            case ADD -> list.add(new RuleEntry(r.action(), r.pattern(), compiled));
            case REMOVE -> {
                for (int i = list.size() - 1; i >= 0; i--) {
                    if (list.get(i).sameAs(r.action(), r.pattern())) {
                        list.remove(i);
                        break;
                    }
                }
            }
            case REMOVE_ALL -> list.removeIf(e -> e.action() == r.action()
                    && (r.pattern().isEmpty() || e.pattern().equals(r.pattern())));
        }
    }

    private static Object compile(Category c, String pattern) {
        if (c == Category.IOCTL) return IoctlRules.number(pattern);
        return switch (c.kind()) {
            case PATH -> {
                // an alias such as `all` reaches path categories with a name pattern: not theirs
                if (!pattern.startsWith("/")) throw new IllegalArgumentException("not a path pattern: " + pattern);
                yield Glob.compile(pattern);
            }
            case NET -> Address.parse(pattern);
            default -> Parser.normalisePattern(c.kind(), pattern);
        };
    }

    private void applyLockRule(Command.LockRule r) {
        for (String right : r.rights()) {
            var rule = new Sandbox.LandlockRule(right, r.value());
            switch (r.op()) {
                case ADD -> landlock.add(rule);
                case REMOVE -> {
                    int i = landlock.lastIndexOf(rule);
                    if (i >= 0) landlock.remove(i);
                }
                case REMOVE_ALL -> landlock.removeIf(x -> x.right().equals(right)
                        && (r.value().isEmpty() || x.value().equals(r.value())));
            }
        }
    }

    private void applyList(Command.ListEdit l) {
        List<String> list = lists.computeIfAbsent(l.list(), k -> new ArrayList<>());
        String key = itemKey(l.list(), l.item());
        switch (l.op()) {
            case ADD -> {
                if (l.list().equals("force")) list.removeIf(x -> itemKey("force", x).equals(key));
                list.add(l.item());
            }
            case REMOVE -> {
                for (int i = list.size() - 1; i >= 0; i--) {
                    if (itemKey(l.list(), list.get(i)).equals(key)) {
                        list.remove(i);
                        break;
                    }
                }
            }
            case REMOVE_ALL -> {
                if (l.item().isEmpty()) list.clear();
                else if ((l.list().equals("setuid") || l.list().equals("setgid")) && l.item().indexOf(':') < 0) {
                    list.removeIf(x -> x.substring(0, x.indexOf(':')).equals(l.item()));
                } else list.removeIf(x -> itemKey(l.list(), x).equals(key));
            }
        }
    }

    /** What identifies a list item for removal: the path for force, the whole item otherwise. */
    private static String itemKey(String list, String item) {
        if (list.equals("force")) return Parser.splitColons(item, new ArrayList<>()).get(0);
        return item;
    }

    // ---- profiles and files ------------------------------------------------------------------

    /** Applies a built-in profile. */
    public void applyProfile(String name, Origin origin) throws PolicyException {
        if (!Profiles.exists(name)) {
            throw new PolicyException(origin, null, 0, "unknown profile `" + name + "`",
                    "one of " + String.join(", ", Profiles.names()), Suggest.nearest(name, Profiles.names()));
        }
        String marker = "profile:" + name;
        if (includeStack.contains(marker)) {
            throw new PolicyException(origin, null, 0, "profile loop: " + chain(marker), null, null);
        }
        if (includeStack.size() >= MAX_INCLUDE_DEPTH) {
            throw new PolicyException(origin, null, 0, "includes nested too deeply (over " + MAX_INCLUDE_DEPTH + ")", null, null);
        }
        includeStack.push(marker);
        try {
            int n = 0;
            for (String line : Profiles.lines(name)) {
                n++;
                applyLine(line, Origin.profile(name, n));
            }
            if (name.equals("user")) {
                for (Path p : userFiles()) if (Files.isRegularFile(p)) applyFile(p);
            }
        } finally {
            includeStack.pop();
        }
    }

    private List<Path> userFiles() {
        if (userFiles != null) return userFiles;
        List<Path> out = new ArrayList<>();
        out.add(Path.of("/etc/user.syd-3"));
        String home = env.apply("HOME");
        Path homeDir = home == null || home.isEmpty() ? null : Bytes.toPath(home);
        if (homeDir != null) out.add(homeDir.resolve(".user.syd-3"));
        return out;
    }

    /** Loads a configuration file ({@code -P}): one command per line, {@code #} comments, blank lines. */
    public void applyFile(Path file) throws PolicyException {
        applyFile(file, null, null, 0);
    }

    private void applyFile(Path file, Origin from, String fromLine, int fromCol) throws PolicyException {
        String name = file.getFileName() == null ? file.toString() : file.getFileName().toString();
        boolean ipset = name.endsWith(".ipset") || name.endsWith(".netset");
        if (!name.endsWith(".syd-3") && !(ipset && from != null)) {
            throw new PolicyException(from != null ? from : Origin.file(file, 0), fromLine, fromCol,
                    "configuration file `" + file + "` does not end in `.syd-3`",
                    "a file name ending in .syd-3" + (from != null ? " (or .ipset/.netset for IP blocklists)" : ""), null);
        }
        String real;
        byte[] data;
        try {
            real = file.toRealPath().toString();
            data = Files.readAllBytes(file);
        } catch (IOException e) {
            String why = e instanceof java.nio.file.NoSuchFileException ? "no such file"
                    : e instanceof java.nio.file.AccessDeniedException ? "permission denied" : e.getClass().getSimpleName();
            throw new PolicyException(from != null ? from : Origin.file(file, 0), fromLine, fromCol,
                    "cannot read `" + file + "`: " + why, null, null);
        }
        if (includeStack.contains(real)) {
            throw new PolicyException(from != null ? from : Origin.file(file, 0), fromLine, fromCol,
                    "include loop: " + chain(real), "files that do not include each other", null);
        }
        if (includeStack.size() >= MAX_INCLUDE_DEPTH) {
            throw new PolicyException(from != null ? from : Origin.file(file, 0), fromLine, fromCol,
                    "includes nested too deeply (over " + MAX_INCLUDE_DEPTH + ")", null, null);
        }
        includeStack.push(real);
        try {
            String content = new String(data, StandardCharsets.ISO_8859_1);
            int n = 0;
            for (String line : content.split("\n", -1)) {
                n++;
                Origin o = Origin.file(file, n);
                if (ipset) {
                    String t = line.strip();
                    if (t.isEmpty() || t.startsWith("#") || t.startsWith(";")) continue;
                    applyLineBytes("block+" + t, o);
                } else {
                    applyLineBytes(line, o);
                }
            }
        } finally {
            includeStack.pop();
        }
    }

    private String chain(String again) {
        List<String> items = new ArrayList<>();
        var it = includeStack.descendingIterator();
        while (it.hasNext()) items.add(display(it.next()));
        items.add(display(again));
        return String.join(" -> ", items);
    }

    private static String display(String s) { return s.startsWith("profile:") ? "profile " + s.substring(8) : s; }

    /** A line of a file or profile: blank lines and {@code #} comments are skipped; indentation is allowed. */
    private void applyLine(String utf8Line, Origin origin) throws PolicyException {
        applyLineBytes(Bytes.fromUtf8(utf8Line), origin);
    }

    private void applyLineBytes(String line, Origin origin) throws PolicyException {
        if (line.endsWith("\r")) line = line.substring(0, line.length() - 1);
        String stripped = line.strip();
        if (stripped.isEmpty() || stripped.startsWith("#")) return;
        int lead = line.indexOf(stripped.charAt(0));
        try {
            applyBytes(stripped, origin);
        } catch (PolicyException e) {
            if (lead == 0 || e.origin() == null || !e.origin().equals(origin)) throw e;
            String full = Bytes.toUtf8(line);
            int leadChars = Bytes.toUtf8(line.substring(0, lead)).length();
            throw new PolicyException(e.origin(), full, e.column() > 0 ? e.column() + leadChars : 0, e.problem(),
                    e.expected().orElse(null), e.suggestion().orElse(null));
        }
    }

    private void include(String path, String text, Origin origin) throws PolicyException {
        Path p = Bytes.toPath(path);
        if (p == null) {
            throw new PolicyException(origin, text, text.indexOf(' ') + 2, "the file name `" + Bytes.toUtf8(path)
                    + "` cannot be opened in this locale (its bytes are not valid in `"
                    + System.getProperty("sun.jnu.encoding") + "`)", null, "run syd under a UTF-8 locale, or rename the file");
        }
        if (!p.isAbsolute()) {
            if (origin.kind() == Origin.Kind.FILE) {
                Path parent = Path.of(origin.source()).toAbsolutePath().getParent();
                if (parent != null) p = parent.resolve(p);
            }
        }
        int col = text.indexOf(' ') + 2;
        applyFile(p, origin, text, col);
    }

    // ---- queries and snapshots -----------------------------------------------------------------

    /** Answers a query such as {@code sandbox/read?} or {@code trace/allow_safe_bind?}. */
    public boolean query(String command) throws PolicyException {
        Command c = Parser.parse(command, Origin.runtime(), env);
        return switch (c) {
            case Command.SandboxQuery q -> enabled.containsAll(q.categories().resolve());
            case Command.Query q -> {
                if (q.key().startsWith("unshare/")) {
                    boolean all = true;
                    for (String ns : q.key().substring(8).split(",")) all &= truth("unshare/" + ns);
                    yield all;
                }
                yield truth(q.key());
            }
            default -> throw new PolicyException(Origin.runtime(), command, command.length(),
                    "not a query", "a query such as `sandbox/read?` ending in `?`", null);
        };
    }

    private boolean truth(String key) {
        var spec = Settings.spec(key).orElseThrow();
        return (Boolean) settings.getOrDefault(key, spec.defaultValue());
    }

    /** The immutable snapshot of the current state; cached until the next change. */
    public Sandbox snapshot() {
        Sandbox s = cached;
        if (s == null || s.generation() != generation) {
            s = new Sandbox(generation, enabled, defaults, rules, lock, settings, lists, landlock, panicked);
            cached = s;
        }
        return s;
    }

    /** Increases with every applied command. */
    public long generation() { return generation; }

    /** True once {@code panic} was applied. */
    public boolean panicked() { return panicked; }

    /** The lock state, or null if never set. */
    public LockState lock() { return lock; }

    /**
     * Sets the lock as the supervisor does when the program is executed with no {@code lock:}
     * given (spec §1: it becomes {@code on}).
     */
    public void lockIfUnset() {
        if (lock == null) {
            lock = LockState.ON;
            generation++;
        }
    }

    /**
     * The whole state as normalised commands (byte strings, see {@link Bytes}) that rebuild it from
     * {@link #defaults()} when applied with {@link #applyBytes}.
     */
    public List<String> dump() {
        Sandbox s = snapshot();
        List<String> out = new ArrayList<>();
        Policy base = defaults();
        for (Category c : Category.values()) {
            if (s.enabled(c) != base.enabled.contains(c) && c.canToggle()) {
                out.add("sandbox/" + c.sydName() + ":" + (s.enabled(c) ? "on" : "off"));
            }
            if (s.defaultAction(c) != base.defaults.get(c)) out.add("default/" + c.sydName() + ":" + s.defaultAction(c).sydName());
        }
        if (lock != null) out.add("lock:" + lock.sydName());
        for (var e : settings.entrySet()) {
            out.add(new Command.Set(e.getKey(), e.getValue()).print());
        }
        for (Category c : Category.values()) for (RuleEntry r : s.rules(c)) out.add(r.print(c));
        for (var r : landlock) out.add("allow/lock/" + r.right() + "+" + r.value());
        for (var e : lists.entrySet()) {
            if (e.getKey().equals("cmd/exec")) continue;
            for (String item : e.getValue()) out.add(e.getKey() + "+" + item);
        }
        return out;
    }
}
