package dev.jsyd.learn;

import dev.jsyd.policy.Bytes;
import dev.jsyd.policy.Category;
import dev.jsyd.policy.HostVariables;
import dev.jsyd.policy.IoctlRules;
import dev.jsyd.policy.Policy;
import dev.jsyd.policy.PolicyException;
import dev.jsyd.policy.Sandbox;
import dev.jsyd.policy.Action;
import dev.jsyd.report.LogRecord;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Writes a {@code .syd-3} profile from the log of a learning run: every checked path and address
 * becomes (part of) an allow rule, generalised by {@link PathGeneralizer} and folded by
 * {@link RuleTree}; the settings the log's tips ask for are added. Merging with an existing
 * profile keeps it verbatim and appends only what it does not already allow. Before it returns,
 * the result is parsed like {@code syd -P} would and every observation is checked to be allowed
 * by it; what a pattern missed is added as an exact rule, so the profile replays the run.
 */
public final class Learner {
    /**
     * How to learn: {@code collapse} entries of one directory fold into {@code dir/**} (0: never),
     * no path deeper than {@code depth} components (0: no limit), the environment for
     * {@code ${VAR}} (home, uid and the working directory come from it), and whether a path
     * exists now.
     */
    public record Options(int collapse, int depth, Function<String, String> env, Predicate<String> exists,
                          List<String> extraCommands, String generated) {
        public static final int DEFAULT_COLLAPSE = 6;
    }

    /** What was written: rules added, lines in the file, checks read, and observations no rule could cover. */
    public record Result(int rules, int lines, int checks, List<String> uncovered) {}

    private final Options options;

    public Learner(Options options) { this.options = options; }

    /**
     * Writes the profile for {@code records} to {@code out}; with {@code previous} (may equal
     * {@code out}), its text comes first and only what it does not allow is added.
     */
    public Result write(List<LogRecord> records, Path previous, Path out) throws IOException, PolicyException {
        Observations obs = Observations.of(records);
        Function<String, String> vars = HostVariables.over(options.env());
        String old = previous == null ? null : new String(Files.readAllBytes(previous), StandardCharsets.ISO_8859_1);
        Sandbox before = previous == null ? null : load(previous, vars);

        Set<String> created = new HashSet<>();
        for (Category c : List.of(Category.CREATE, Category.MKDIR, Category.MKFIFO, Category.SYMLINK, Category.MKTEMP,
                Category.MKBDEV, Category.MKCDEV)) {
            created.addAll(obs.paths.getOrDefault(c, Set.of()));
        }
        String pwd = obs.cwd != null ? Bytes.fromUtf8(obs.cwd) : vars.apply("SYD_PWD");
        PathGeneralizer gen = new PathGeneralizer(pwd, vars.apply("HOME"), vars.apply("SYD_UID"), created,
                options.exists()).pids(obs.pids);
        RuleTree tree = new RuleTree(gen.depths, options.collapse(), options.depth());
        for (var item : obs.pathItems()) {
            if (before != null && before.checkPath(item.getKey(), item.getValue()) == Action.ALLOW) continue;
            tree.add(item.getKey(), gen.segments(item.getValue()));
        }
        Map<String, EnumSet<Category>> net = new TreeMap<>();
        for (var item : obs.addressItems()) {
            if (before != null && allowsAddress(before, item.getKey(), item.getValue())) continue;
            net.computeIfAbsent(addressPattern(item.getValue()), k -> EnumSet.noneOf(Category.class)).add(item.getKey());
        }
        // Every setting the run needed is written active (the replay must see no denial), each
        // after a comment naming the calls that needed it: the user reviews them there.
        Map<String, String> kernel = new LinkedHashMap<>(), supervisor = new LinkedHashMap<>();
        kernelSwitches(obs.switches).forEach((cmd, why) -> {
            if (old == null || old.lines().noneMatch(l -> l.strip().equals(cmd))) kernel.put(cmd, why);
        });
        obs.settings.forEach((cmd, why) -> {
            if (kernel.containsKey(cmd) || (old != null && old.lines().anyMatch(l -> l.strip().equals(cmd)))) return;
            supervisor.put(cmd, "needed by " + why);
        });

        Map<String, EnumSet<Category>> paths = tree.rules();
        StringBuilder text = new StringBuilder();
        if (old != null) {
            text.append(old);
            if (!old.endsWith("\n")) text.append('\n');
            text.append("\n# ---- added by syd-learn, ").append(options.generated()).append(": ")
                    .append(ProfileWriter.commandLine(obs.argv)).append('\n');
        } else {
            header(text, obs, out);
            for (String cmd : options.extraCommands()) text.append(ProfileWriter.comment(cmd)).append('\n');
        }
        ProfileWriter.settings(text, kernel, supervisor);
        ProfileWriter.pathRules(text, paths);
        ProfileWriter.netRules(text, net);
        List<String> ioctls = obs.ioctls.stream().filter(n -> before == null || before.checkIoctl(IoctlRules.number(n)) != Action.ALLOW).toList();
        if (!ioctls.isEmpty()) {
            text.append("\n# ioctl requests beyond the default list\n");
            text.append("allow/ioctl+").append(String.join(",", ioctls)).append('\n');
        }
        if (!obs.unnamed.isEmpty()) {
            text.append("\n# Checks on objects without a path (no rule can name them; they stay denied):\n");
            for (String u : obs.unnamed) text.append("#   ").append(ProfileWriter.comment(u)).append('\n');
        }

        Path tmp = out.resolveSibling("." + out.getFileName() + ".tmp.syd-3");
        try {
            Files.write(tmp, Bytes.raw(text.toString()));
            List<String> uncovered = uncovered(load(tmp, vars), obs);
            if (!uncovered.isEmpty()) {
                text.append("\n# Exact rules for what the patterns above missed:\n");
                for (String u : uncovered) text.append(u).append('\n');
                Files.write(tmp, Bytes.raw(text.toString()));
                uncovered = uncovered(load(tmp, vars), obs);
            }
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            int rules = paths.size() + net.size();
            return new Result(rules, (int) text.chars().filter(ch -> ch == '\n').count(), obs.checks(), uncovered);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static final String NAMESPACE = "trace/allow_unsafe_namespace:";

    /**
     * The kernel-side switches a learning run needed, as commands with what needed them (each call
     * and how often); the namespace switches, each naming a list, become one command with their union.
     */
    static Map<String, String> kernelSwitches(Map<String, Map<String, Integer>> switches) {
        Map<String, Map<String, Integer>> merged = new LinkedHashMap<>();
        Set<String> namespaces = new java.util.LinkedHashSet<>();
        switches.forEach((cmd, calls) -> {
            if (cmd.startsWith(NAMESPACE)) namespaces.addAll(List.of(cmd.substring(NAMESPACE.length()).split(",")));
            String key = cmd.startsWith(NAMESPACE) ? NAMESPACE : cmd;
            calls.forEach((call, n) -> merged.computeIfAbsent(key, k -> new LinkedHashMap<>()).merge(call, n, Integer::sum));
        });
        Map<String, String> out = new LinkedHashMap<>();
        merged.forEach((cmd, calls) -> {
            String command = cmd.equals(NAMESPACE) ? NAMESPACE + (namespaces.contains("all") ? "all" : String.join(",", namespaces)) : cmd;
            java.util.StringJoiner why = new java.util.StringJoiner("; ", "kernel-side, needed by ", "");
            calls.forEach((call, n) -> why.add(call + ", " + (n == 1 ? "once" : n + " times")));
            out.put(command, why.toString());
        });
        return out;
    }

    private void header(StringBuilder text, Observations obs, Path out) {
        text.append("# jsyd profile learned by syd-learn, ").append(options.generated()).append('\n');
        text.append("# command: ").append(ProfileWriter.commandLine(obs.argv));
        if (obs.status >= 0) text.append("   (exit status ").append(obs.status).append(')');
        text.append('\n');
        if (obs.cwd != null) text.append("# working directory: ").append(ProfileWriter.comment(obs.cwd)).append('\n');
        text.append("# ").append(obs.checks()).append(" checks recorded. Replay: syd -P ")
                .append(ProfileWriter.comment(out.getFileName().toString())).append(" -- ")
                .append(ProfileWriter.commandLine(obs.argv)).append('\n');
        text.append("# Everything not allowed below stays denied: every category is on with action deny.\n");
        text.append("# Tighten by deleting lines or narrowing ** patterns; syd-cat FILE checks the result.\n");
    }

    private static Sandbox load(Path file, Function<String, String> vars) throws PolicyException {
        Policy p = Policy.defaults().environment(vars).userProfileFiles(List.of());
        p.applyFile(file);
        return p.snapshot();
    }

    /** Observations the profile does not allow, as exact rules (none when it covers the run). */
    private static List<String> uncovered(Sandbox sb, Observations obs) {
        List<String> out = new ArrayList<>();
        for (var item : obs.pathItems()) {
            if (sb.checkPath(item.getKey(), item.getValue()) != Action.ALLOW) {
                out.add(ProfileWriter.rule(EnumSet.of(item.getKey()), exact(item.getValue())));
            }
        }
        for (var item : obs.addressItems()) {
            if (!allowsAddress(sb, item.getKey(), item.getValue())) {
                out.add(ProfileWriter.rule(EnumSet.of(item.getKey()), addressPattern(item.getValue())));
            }
        }
        return out;
    }

    private static String exact(String path) {
        StringBuilder b = new StringBuilder();
        for (String c : path.substring(1).split("/", -1)) b.append('/').append(PathGeneralizer.literal(c));
        return path.equals("/") ? "/" : b.toString();
    }

    /** The rule pattern for a logged address: {@code ip!port} as is, a UNIX path or abstract name glob-escaped. */
    static String addressPattern(String addr) {
        if (isInet(addr)) return addr;
        if (addr.startsWith("@")) return "@" + PathGeneralizer.literal(addr.substring(1));
        return exact(addr);
    }

    private static boolean isInet(String addr) {
        int bang = addr.lastIndexOf('!');
        return bang > 0 && !addr.startsWith("/") && !addr.startsWith("@")
                && addr.substring(bang + 1).chars().allMatch(Character::isDigit);
    }

    static boolean allowsAddress(Sandbox sb, Category c, String addr) {
        if (isInet(addr)) {
            int bang = addr.lastIndexOf('!');
            try {
                InetAddress ip = InetAddress.ofLiteral(addr.substring(0, bang));
                return sb.checkInet(c, ip, Integer.parseInt(addr.substring(bang + 1))) == Action.ALLOW;
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        return sb.checkUnix(c, addr) == Action.ALLOW;
    }
}
