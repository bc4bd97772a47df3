package dev.jsyd.policy;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * What this version of syd enforces: the one answer {@code syd --api} marks and the parser obeys.
 * A command that is not enforced is refused where it is given (command line, file, profile,
 * {@code /dev/syd}) with "not supported by this version of syd", never stored: a profile that
 * asked for a protection jsyd does not give would otherwise believe it has it. A category alias
 * ({@code all}, {@code net}, …) stands for the categories of it that are supported.
 */
public final class Support {
    private Support() {}

    /** Categories whose {@code sandbox/}, {@code default/} (and rules, see {@link #rules}) are enforced. */
    private static final Set<Category> CATEGORIES = categories();

    private static Set<Category> categories() {
        EnumSet<Category> s = EnumSet.noneOf(Category.class);
        for (Category c : Category.values()) if (c.isPath() || c.isNet()) s.add(c);
        s.addAll(List.of(Category.NET_LINK, Category.IOCTL, Category.LOCK, Category.PID, Category.MEM, Category.BLOCK,
                Category.FORCE, Category.TPE, Category.SEGVGUARD));
        return s;
    }

    /** Lists ({@code NAME+item}) that are enforced. */
    private static final Set<String> LISTS = Set.of("bind", "mask", "append", "block", "setuid", "setgid", "force");

    /** Argument-less commands that do something. */
    private static final Set<String> SPECIALS = Set.of("reset", "panic");

    public static boolean category(Category c) { return CATEGORIES.contains(c); }

    /** True when {@code <action>/c+pattern} rules are enforced (Landlock's {@code allow/lock/} rules: always). */
    public static boolean rules(Category c) { return c.hasRules() && CATEGORIES.contains(c); }

    public static boolean list(String name) { return LISTS.contains(name); }

    public static boolean special(String name) { return SPECIALS.contains(name); }

    /** A {@code key:value} setting ({@code unshare/a,b} keys by their first name). */
    public static boolean setting(String key) {
        return Settings.holdsOnly(key) != null || Settings.spec(Parser.specKey(key)).map(Settings.Spec::enforced).orElse(false);
    }

    /** The categories of {@code cats} a command applies to: the supported ones (aliases stand for those). */
    static Set<Category> applicable(Command.Categories cats) {
        EnumSet<Category> out = EnumSet.noneOf(Category.class);
        for (Category c : cats.resolve()) if (category(c)) out.add(c);
        return out;
    }

    /**
     * The parts of {@code cmd} this version does not enforce, as the names to report (a category
     * or a command name); empty when it is supported. Categories named explicitly count; those only
     * reached through an alias do not (the alias stands for the supported ones). Queries are
     * answered for anything.
     */
    public static List<String> unsupported(Command cmd) {
        List<String> out = new ArrayList<>();
        switch (cmd) {
            case Command.SandboxSet s -> explicit(s.categories(), "sandbox/", out);
            case Command.DefaultSet d -> explicit(d.categories(), "default/", out);
            case Command.Rule r -> explicit(r.categories(), r.action().sydName() + "/", out);
            case Command.Set s -> {
                Boolean only = Settings.holdsOnly(s.key());
                if (only != null && !only.equals(s.value())) out.add(s.key() + ":" + (only ? "false" : "true"));
                else for (String k : keys(s.key())) if (!setting(k)) out.add(k);
            }
            case Command.ListEdit l -> {
                if (!list(l.list())) out.add(l.list());
            }
            case Command.Special sp -> {
                if (!special(sp.name())) out.add(sp.name());
            }
            default -> { }
        }
        return out;
    }

    private static void explicit(Command.Categories cats, String prefix, List<String> out) {
        for (String n : cats.names()) {
            var c = Category.byName(n);
            if (c.isPresent() && !category(c.get())) out.add(prefix + n);
        }
        if (out.isEmpty() && applicable(cats).isEmpty()) out.add(prefix + cats.text()); // nothing supported in an alias
    }

    /** {@code unshare/a,b} → {@code unshare/a}, {@code unshare/b}; other keys as they are. */
    private static List<String> keys(String key) {
        if (!key.startsWith("unshare/")) return List.of(key);
        List<String> out = new ArrayList<>();
        for (String ns : key.substring(8).split(",")) out.add("unshare/" + ns);
        return out;
    }

    /** The diagnostic for a command that is not supported; the column points at the first unsupported name. */
    static PolicyException refusal(Origin origin, String text, List<String> names) {
        String first = names.get(0);
        if (first.indexOf(':') > 0) { // a switch supported the other way only
            String key = first.substring(0, first.indexOf(':'));
            return new PolicyException(origin, text, Math.max(1, text.indexOf(':') + 2),
                    "`" + first + "` is not supported by this version of syd: it does not have the protection this value asks for",
                    "`" + key + ":" + !Boolean.parseBoolean(first.substring(first.indexOf(':') + 1))
                            + "`, which is what this version does (docs/DECISIONS.md)", null);
        }
        String leaf = first.substring(first.lastIndexOf('/') + 1);
        int at = text.indexOf(first);
        if (at < 0) at = text.indexOf(leaf);
        return new PolicyException(origin, text, at < 0 ? 1 : at + 1,
                "`" + String.join("`, `", names) + "` " + (names.size() == 1 ? "is" : "are")
                        + " not supported by this version of syd (it would be accepted and not enforced)",
                "a command this version enforces; `syd --api` lists every command and whether it is enforced", null);
    }
}
