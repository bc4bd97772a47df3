package dev.jsyd.policy;

import java.util.EnumSet;
import java.util.List;

/**
 * One parsed command of the configuration language. {@link #print()} gives the normalised form,
 * which parses back to an equal command (print∘parse is the identity on normalised text).
 * Patterns and values inside commands are byte strings (see {@link Bytes}).
 */
public sealed interface Command {

    /** The normalised text of this command (a byte string). */
    String print();

    /** List operators. */
    enum Op {
        ADD('+'), REMOVE('-'), REMOVE_ALL('^');

        private final char symbol;

        Op(char symbol) { this.symbol = symbol; }

        public char symbol() { return symbol; }

        static Op of(char c) {
            return switch (c) {
                case '+' -> ADD;
                case '-' -> REMOVE;
                case '^' -> REMOVE_ALL;
                default -> null;
            };
        }
    }

    /** A comma list of category names (or aliases) as written, with what it stands for. */
    record Categories(List<String> names) {
        public Categories {
            names = List.copyOf(names);
        }

        public java.util.Set<Category> resolve() {
            EnumSet<Category> out = EnumSet.noneOf(Category.class);
            for (String n : names) out.addAll(Category.resolve(n).orElseThrow());
            return out;
        }

        public String text() { return String.join(",", names); }
    }

    /** {@code sandbox/<cats>:on|off} */
    record SandboxSet(Categories categories, boolean on) implements Command {
        public String print() { return "sandbox/" + categories.text() + ":" + (on ? "on" : "off"); }
    }

    /** {@code sandbox/<cats>?} */
    record SandboxQuery(Categories categories) implements Command {
        public String print() { return "sandbox/" + categories.text() + "?"; }
    }

    /** {@code default/<cats>:<action>} */
    record DefaultSet(Categories categories, Action action) implements Command {
        public String print() { return "default/" + categories.text() + ":" + action.sydName(); }
    }

    /**
     * {@code <action>/<cats>(+|-|^)<pattern>}. The pattern is normalised: a glob for path
     * categories, an address for network categories, a name for ioctl/fs/net/link. An empty
     * pattern with {@code ^} removes every rule of that action in those categories.
     */
    record Rule(Action action, Categories categories, Op op, String pattern) implements Command {
        public String print() { return action.sydName() + "/" + categories.text() + op.symbol() + pattern; }
    }

    /** Landlock: {@code allow/lock/<rights>(+|-|^)<path|port[-port]>}. */
    record LockRule(List<String> rights, Op op, String value) implements Command {
        public LockRule {
            rights = List.copyOf(rights);
        }

        public String print() { return "allow/lock/" + String.join(",", rights) + op.symbol() + value; }
    }

    /** {@code key:value} for a setting of {@link Settings}; {@code key} may be a comma list for {@code unshare/}. */
    record Set(String key, Object value) implements Command {
        public String print() {
            return key + ":" + Settings.format(Settings.spec(Parser.specKey(key)).orElseThrow(), value);
        }
    }

    /** {@code key?} for a boolean setting. */
    record Query(String key) implements Command {
        public String print() { return key + "?"; }
    }

    /** {@code list(+|-|^)item} for bind, mask, append, crypt, force, setuid, setgid, block. */
    record ListEdit(String list, Op op, String item) implements Command {
        public String print() { return list + op.symbol() + item; }
    }

    /** {@code include <path>} */
    record Include(String path) implements Command {
        public String print() { return "include " + path; }
    }

    /** {@code include_profile <name>} */
    record IncludeProfile(String name) implements Command {
        public String print() { return "include_profile " + name; }
    }

    /** Argument-less commands: {@code reset}, {@code panic}, {@code stat}, {@code ghost}. */
    record Special(String name) implements Command {
        public String print() { return name; }
    }

    /** {@code cmd/exec!<argument>}: run a program outside the sandbox (runtime only; stored). */
    record Exec(String key, String argument) implements Command {
        public String print() { return key + "!" + argument; }
    }
}
