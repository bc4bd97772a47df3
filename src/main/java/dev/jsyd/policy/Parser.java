package dev.jsyd.policy;

import dev.jsyd.policy.Command.Categories;
import dev.jsyd.policy.Command.Op;
import dev.jsyd.policy.Values.ValueException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The parser of one command line. Pure: it reads the environment only through the given
 * function (for {@code ${VAR}} expansion) and never touches files.
 */
public final class Parser {
    private Parser() {}

    /** Lists edited with {@code +}, {@code -}, {@code ^}. */
    public static final List<String> LISTS = List.of("bind", "mask", "append", "crypt", "force", "setuid", "setgid", "block");

    /** Argument-less commands. */
    public static final List<String> SPECIALS = List.of("reset", "panic", "stat", "ghost");

    /** Landlock rights of {@code allow/lock/<right>}. */
    public static final List<String> LOCK_RIGHTS = List.of("read", "write", "exec", "ioctl", "create", "delete",
            "rename", "symlink", "truncate", "readdir", "mkdir", "rmdir", "mkbdev", "mkcdev", "mkfifo", "bind",
            "connect", "all");

    private static final String ANY_EXPECTED =
            "a command such as `sandbox/read:on`, `allow/read+/usr/***`, `default/write:kill` or `lock:on`";

    /** Parses one command (UTF-8 text as given on the command line or in a file). */
    public static Command parse(String text, Origin origin, Function<String, String> env) throws PolicyException {
        return new Ctx(Bytes.fromUtf8(text), origin, env).parse();
    }

    /** Parses one command that is already a byte string (as read from /dev/syd paths). */
    public static Command parseBytes(String bytes, Origin origin, Function<String, String> env) throws PolicyException {
        return new Ctx(bytes, origin, env).parse();
    }

    /** The settings key that describes {@code key} (the first name of an {@code unshare/a,b} list). */
    static String specKey(String key) {
        if (key.startsWith("unshare/") && key.indexOf(',') > 0) return key.substring(0, key.indexOf(','));
        return key;
    }

    private static final class Ctx {
        final String line;
        final Origin origin;
        final Function<String, String> env;

        Ctx(String line, Origin origin, Function<String, String> env) {
            this.line = line;
            this.origin = origin;
            this.env = env;
        }

        PolicyException err(int offset, String problem, String expected, String suggestion) {
            int col = offset < 0 ? 0 : Bytes.toUtf8(line.substring(0, Math.min(offset, line.length()))).length() + 1;
            return new PolicyException(origin, line, col, problem, expected, suggestion);
        }

        Command parse() throws PolicyException {
            if (line.isEmpty()) throw err(0, "empty command", ANY_EXPECTED, null);
            for (String s : SPECIALS) if (line.equals(s)) return new Command.Special(s);
            if (startsWithWord("include_profile")) {
                String name = line.substring("include_profile".length()).strip();
                int at = line.indexOf(name, "include_profile".length());
                if (name.isEmpty()) throw err(line.length(), "missing profile name", "include_profile NAME", null);
                if (!Profiles.exists(name)) {
                    throw err(at, "unknown profile `" + name + "`", "one of " + String.join(", ", Profiles.names()),
                            Suggest.nearest(name, Profiles.names()));
                }
                return new Command.IncludeProfile(name);
            }
            if (startsWithWord("include")) {
                String raw = line.substring("include".length()).strip();
                int at = line.indexOf(raw, "include".length());
                if (raw.isEmpty()) throw err(line.length(), "missing file name", "include PATH.syd-3", null);
                return new Command.Include(expand(raw, at));
            }
            int i = 0;
            while (i < line.length() && isKeyChar(line.charAt(i))) i++;
            if (i == 0) throw err(0, "unexpected `" + line.charAt(0) + "`", ANY_EXPECTED, null);
            String key = line.substring(0, i);
            if (i == line.length()) {
                String sugg = Suggest.nearest(key, topLevelNames());
                throw err(i, "missing operator after `" + key + "`",
                        "`:value`, `?`, `+item`, `-item`, `^item` or `!argument` after the name", sugg);
            }
            char op = line.charAt(i);
            int vstart = i + 1;
            String value = line.substring(vstart);

            if (key.startsWith("sandbox/")) return parseSandbox(key, op, value, vstart);
            if (key.startsWith("default/")) return parseDefault(key, op, value, vstart);
            int slash = key.indexOf('/');
            if (slash > 0 && Action.byName(key.substring(0, slash)).isPresent()) {
                return parseRule(key, slash, op, value, vstart);
            }
            if (key.startsWith("unshare/")) return parseUnshare(key, op, value, vstart);
            var spec = Settings.spec(key);
            if (spec.isPresent()) return parseSetting(spec.get(), op, value, vstart);
            if (LISTS.contains(key)) return parseList(key, op, value, vstart);
            if (key.equals("cmd/exec")) {
                if (op != '!') throw err(i, "`cmd/exec` takes `!argument`", "cmd/exec!ARGUMENT", null);
                if (value.isEmpty()) throw err(vstart, "missing argument", "cmd/exec!ARGUMENT", null);
                return new Command.Exec(key, value);
            }
            if (SPECIALS.contains(key) || key.equals("include") || key.equals("include_profile")) {
                throw err(i, "`" + key + "` takes no `" + op + "`", key.startsWith("include") ? key + " ARGUMENT" : key, null);
            }
            // unknown name: suggest the nearest, looking at the first segment first
            if (slash > 0) {
                String head = key.substring(0, slash);
                String a = Suggest.nearest(head, Settings.names(Action.values()));
                if (a != null) {
                    throw err(0, "unknown command `" + key + "`", "an action (" + String.join(", ",
                            Settings.names(Action.values())) + ") before `/`", a + key.substring(slash));
                }
            }
            throw err(0, "unknown command `" + key + "`", ANY_EXPECTED, Suggest.nearest(key, topLevelNames()));
        }

        boolean startsWithWord(String w) {
            return line.startsWith(w) && (line.length() == w.length()
                    || line.charAt(w.length()) == ' ' || line.charAt(w.length()) == '\t');
        }

        // ---- sandbox/, default/ -------------------------------------------------------------

        Command parseSandbox(String key, char op, String value, int vstart) throws PolicyException {
            Categories cats = categories(key, 8, "toggle");
            if (op == '?') {
                if (!value.isEmpty()) throw err(vstart, "unexpected text after `?`", "nothing after `?`", null);
                return new Command.SandboxQuery(cats);
            }
            if (op != ':') throw badOp(key, op, vstart - 1, "`:on`, `:off` or `?`");
            try {
                return new Command.SandboxSet(cats, Values.parseBool(value));
            } catch (ValueException e) {
                throw valueErr(e, value, vstart);
            }
        }

        Command parseDefault(String key, char op, String value, int vstart) throws PolicyException {
            Categories cats = categories(key, 8, "default");
            if (op != ':') throw badOp(key, op, vstart - 1, "`:action`");
            var a = Action.byName(value);
            if (a.isEmpty()) {
                List<String> names = Settings.names(Action.values());
                throw err(vstart, value.isEmpty() ? "missing action" : "unknown action `" + value + "`",
                        "one of " + String.join(", ", names), Suggest.nearest(value, names));
            }
            return new Command.DefaultSet(cats, a.get());
        }

        /** Parses the comma list of categories in key[from..]. */
        Categories categories(String key, int from, String use) throws PolicyException {
            if (from >= key.length()) {
                throw err(from, "missing category", "a category such as read, write, exec, net/connect", null);
            }
            List<String> names = new ArrayList<>();
            int pos = from;
            for (String n : key.substring(from).split(",", -1)) {
                if (n.isEmpty()) throw err(pos, "empty category name", "a category name between commas", null);
                var set = Category.resolve(n);
                if (set.isEmpty()) {
                    throw err(pos, "unknown category `" + n + "`", "a category: " + String.join(", ", catNames(use)),
                            Suggest.nearest(n, catNames(use)));
                }
                for (Category c : set.get()) {
                    if (use.equals("toggle") && !c.canToggle()) {
                        throw err(pos, "`" + c.sydName() + "` cannot be switched on or off",
                                "`default/" + c.sydName() + ":ACTION`", null);
                    }
                    if (use.equals("rule") && !c.hasRules()) {
                        throw err(pos, "category `" + c.sydName() + "` takes no rules", ruleHint(c), null);
                    }
                }
                if (!names.contains(n)) names.add(n);
                pos += n.length() + 1;
            }
            return new Categories(names);
        }

        String ruleHint(Category c) {
            return switch (c) {
                case FORCE -> "`force+PATH:ALG:HEX[:ACTION]` and `default/force:ACTION`";
                case CRYPT -> "`crypt+GLOB`";
                case BLOCK -> "`block+CIDR`";
                case LOCK -> "`allow/lock/RIGHT+PATH` (Landlock)";
                default -> "`default/" + c.sydName() + ":ACTION` and the `" + c.sydName() + "/...` settings";
            };
        }

        List<String> catNames(String use) {
            List<String> out = new ArrayList<>();
            for (Category c : Category.values()) {
                if (use.equals("toggle") && !c.canToggle()) continue;
                if (use.equals("rule") && !c.hasRules()) continue;
                out.add(c.sydName());
            }
            out.addAll(Category.aliases().keySet());
            return out;
        }

        // ---- rules ----------------------------------------------------------------------------

        Command parseRule(String key, int slash, char op, String value, int vstart) throws PolicyException {
            Action action = Action.byName(key.substring(0, slash)).orElseThrow();
            Op o = Op.of(op);
            if (o == null) throw badOp(key, op, vstart - 1, "`+pattern`, `-pattern` or `^pattern`");
            if (key.startsWith("lock/", slash + 1)) return parseLockRule(key, slash, action, o, value, vstart);
            Categories cats = categories(key, slash + 1, "rule");
            if (value.isEmpty()) {
                if (o == Op.REMOVE_ALL) return new Command.Rule(action, cats, o, "");
                throw err(vstart, "missing pattern after `" + op + "`", patternExpected(cats.resolve()), null);
            }
            String v = ruleEscapes(expand(value, vstart));
            boolean exact = v.equals(value);
            String norm = null;
            // kinds named explicitly must accept the pattern; kinds reached only through an alias
            // (such as `all`) are skipped when the pattern does not fit them
            Set<Category.Kind> explicit = new LinkedHashSet<>();
            Set<Category.Kind> kinds = new LinkedHashSet<>();
            for (String name : cats.names()) {
                var one = Category.byName(name);
                if (one.isPresent()) explicit.add(one.get().kind());
            }
            for (Category c : cats.resolve()) kinds.add(c.kind());
            PolicyException firstError = null;
            boolean ioctlOnly = cats.resolve().stream().filter(c -> c.kind() == Category.Kind.NAME)
                    .allMatch(c -> c == Category.IOCTL);
            for (Category.Kind k : kinds) {
                String n;
                try {
                    if (k == Category.Kind.PATH) checkLeadingPath(v, vstart);
                    n = k == Category.Kind.NAME && ioctlOnly ? IoctlRules.normalise(Glob.unescape(v)) : normalisePattern(k, v);
                } catch (PolicyException pe) {
                    if (explicit.contains(k)) throw pe;
                    if (firstError == null) firstError = pe;
                    continue;
                } catch (RuntimeException e) {
                    PolicyException pe = patternError(e, exact, vstart);
                    if (explicit.contains(k)) throw pe;
                    if (firstError == null) firstError = pe;
                    continue;
                }
                if (norm != null && !norm.equals(n)) {
                    throw err(vstart, "pattern means different things for the categories given",
                            "one rule per kind of category (paths, addresses, names)", null);
                }
                norm = n;
            }
            if (norm == null) throw firstError;
            return new Command.Rule(action, cats, o, norm);
        }

        PolicyException patternError(RuntimeException ex, boolean exact, int vstart) {
            if (ex instanceof Glob.GlobSyntaxException e) {
                return err(exact ? vstart + e.index() : vstart, e.getMessage(),
                        "a valid glob; escape a literal `[` as `\\[`", null);
            }
            if (ex instanceof Address.AddressException e) {
                return err(exact ? vstart + e.index() : vstart, e.getMessage(), e.expected(), null);
            }
            if (ex instanceof ValueException e) {
                return err(exact ? vstart + e.index() : vstart, e.getMessage(), e.expected(), e.suggestion());
            }
            throw ex;
        }

        String patternExpected(Set<Category> cats) {
            for (Category c : cats) {
                if (c.isNet()) return Address.ADDR_EXPECTED;
                if (c.kind() == Category.Kind.NAME) return "a name or number";
            }
            return "an absolute path glob such as /usr/*** or /etc/passwd";
        }

        Command parseLockRule(String key, int slash, Action action, Op o, String value, int vstart)
                throws PolicyException {
            int from = slash + 1 + "lock/".length();
            if (action != Action.ALLOW) {
                throw err(0, "Landlock rules can only allow", "`allow/lock/RIGHT+PATH`", "allow" + key.substring(slash));
            }
            List<String> rights = new ArrayList<>();
            int pos = from;
            if (from >= key.length()) throw err(from, "missing Landlock right", String.join(", ", LOCK_RIGHTS), null);
            for (String r : key.substring(from).split(",", -1)) {
                if (!LOCK_RIGHTS.contains(r)) {
                    throw err(pos, r.isEmpty() ? "empty Landlock right" : "unknown Landlock right `" + r + "`",
                            "one of " + String.join(", ", LOCK_RIGHTS), Suggest.nearest(r, LOCK_RIGHTS));
                }
                if (!rights.contains(r)) rights.add(r);
                pos += r.length() + 1;
            }
            if (value.isEmpty()) {
                if (o == Op.REMOVE_ALL) return new Command.LockRule(rights, o, "");
                throw err(vstart, "missing path or port", "an absolute path, or a port/range for bind and connect", null);
            }
            String v = Glob.unescape(expand(value, vstart));
            if (leadName != null && leadValue.startsWith("/")) checkLeadingPath(v, vstart);
            boolean isPort = !v.startsWith("/");
            for (String r : rights) {
                boolean net = r.equals("bind") || r.equals("connect");
                if (isPort && !net) {
                    throw err(vstart, "Landlock right `" + r + "` needs an absolute path", "an absolute path", null);
                }
                if (!isPort && r.equals("connect")) {
                    throw err(vstart, "Landlock right `connect` needs a port", "a port or range lo-hi", null);
                }
            }
            if (isPort) {
                try {
                    v = Address.parsePorts(v, 0).text();
                } catch (Address.AddressException e) {
                    throw err(vstart + e.index(), e.getMessage(), e.expected(), null);
                }
            }
            return new Command.LockRule(rights, o, v);
        }

        // ---- settings ---------------------------------------------------------------------------

        Command parseUnshare(String key, char op, String value, int vstart) throws PolicyException {
            int pos = 8;
            List<String> names = new ArrayList<>();
            for (String ns : key.substring(8).split(",", -1)) {
                if (!Settings.NAMESPACES.contains(ns)) {
                    throw err(pos, ns.isEmpty() ? "missing namespace" : "unknown namespace `" + ns + "`",
                            "one of " + String.join(", ", Settings.NAMESPACES), Suggest.nearest(ns, Settings.NAMESPACES));
                }
                if (!names.contains(ns)) names.add(ns);
                pos += ns.length() + 1;
            }
            String norm = "unshare/" + String.join(",", names);
            if (op == '?') {
                if (!value.isEmpty()) throw err(vstart, "unexpected text after `?`", "nothing after `?`", null);
                return new Command.Query(norm);
            }
            if (op != ':') throw badOp(key, op, vstart - 1, "`:on`, `:off` or `?`");
            try {
                return new Command.Set(norm, Values.parseBool(value));
            } catch (ValueException e) {
                throw valueErr(e, value, vstart);
            }
        }

        Command parseSetting(Settings.Spec spec, char op, String value, int vstart) throws PolicyException {
            if (op == '?') {
                if (spec.type() != Settings.Type.BOOL) {
                    throw err(vstart - 1, "`" + spec.key() + "` is not a boolean and cannot be queried",
                            "`" + spec.key() + ":VALUE`", null);
                }
                if (!value.isEmpty()) throw err(vstart, "unexpected text after `?`", "nothing after `?`", null);
                return new Command.Query(spec.key());
            }
            if (op != ':') throw badOp(spec.key(), op, vstart - 1, "`:" + spec.type().apiName() + "`");
            if (value.isEmpty()) {
                throw err(vstart, "missing value for `" + spec.key() + "`", "a " + spec.type().apiName(), null);
            }
            String v = Glob.unescape(expand(value, vstart));
            try {
                return new Command.Set(spec.key(), Settings.parse(spec, v));
            } catch (ValueException e) {
                throw valueErr(e, value, vstart);
            } catch (Address.AddressException e) {
                throw err(vstart, e.getMessage(), e.expected(), null);
            }
        }

        // ---- lists ------------------------------------------------------------------------------

        Command parseList(String key, char op, String value, int vstart) throws PolicyException {
            Op o = Op.of(op);
            if (o == null) throw badOp(key, op, vstart - 1, "`+item`, `-item` or `^item`");
            if (value.isEmpty()) {
                if (o == Op.REMOVE_ALL) return new Command.ListEdit(key, o, "");
                throw err(vstart, "missing item after `" + op + "`", listExpected(key), null);
            }
            String v = expand(value, vstart);
            boolean exact = v.equals(value);
            try {
                return new Command.ListEdit(key, o, normaliseItem(key, o, v));
            } catch (ValueException e) {
                throw err(exact ? vstart + e.index() : vstart, e.getMessage(), e.expected(), e.suggestion());
            } catch (Glob.GlobSyntaxException e) {
                throw err(exact ? vstart + e.index() : vstart, e.getMessage(), "a valid glob", null);
            } catch (Address.AddressException e) {
                throw err(exact ? vstart + e.index() : vstart, e.getMessage(), e.expected(), null);
            }
        }

        PolicyException badOp(String key, char op, int at, String expected) {
            String what = op == ' ' || op == '\t' ? "unexpected space after `" + key + "`"
                    : "unexpected `" + op + "` after `" + key + "`";
            return err(at, what, expected, null);
        }

        PolicyException valueErr(ValueException e, String raw, int vstart) {
            boolean exact = raw.indexOf('$') < 0 && raw.indexOf('\\') < 0;
            return err(exact ? vstart + e.index() : vstart, e.getMessage(), e.expected(), e.suggestion());
        }

        // ---- ${VAR} expansion ---------------------------------------------------------------------

        /** The variable a value began with, and what it gave (for {@link #checkLeadingPath}). */
        String leadName, leadValue;

        /**
         * Expands {@code ${NAME}}, {@code ${NAME:-DEFAULT}} and {@code $NAME} in {@code s} (at offset
         * {@code at} of the line). A value is used as it is, so it must not be empty (use
         * {@code :-}) nor hold a glob or escape character, which would change what a rule matches.
         * Runtime commands (/dev/syd) are never expanded: syd's environment is not the program's
         * to read.
         */
        String expand(String s, int at) throws PolicyException {
            leadName = leadValue = null;
            if (s.indexOf('$') < 0) return s;
            StringBuilder sb = new StringBuilder();
            int n = s.length();
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                if (c == '\\' && i + 1 < n) {
                    sb.append(c).append(s.charAt(++i));
                    continue;
                }
                if (c != '$' || i + 1 >= n) {
                    sb.append(c);
                    continue;
                }
                char d = s.charAt(i + 1);
                String name;
                String dflt = null;
                int end;
                if (d == '{') {
                    int close = s.indexOf('}', i + 2);
                    if (close < 0) throw err(at + i, "unterminated `${`", "`${NAME}`", null);
                    String inner = s.substring(i + 2, close);
                    int dash = inner.indexOf(":-");
                    name = dash < 0 ? inner : inner.substring(0, dash);
                    if (dash >= 0) dflt = inner.substring(dash + 2);
                    if (!validVar(name)) {
                        throw err(at + i, "invalid variable name `" + name + "`", "`${NAME}` with NAME of letters, digits, `_`", null);
                    }
                    end = close;
                } else if (d == '_' || Character.isLetter(d) && d < 0x80) {
                    int j = i + 1;
                    while (j < n && (s.charAt(j) == '_' || (s.charAt(j) < 0x80 && Character.isLetterOrDigit(s.charAt(j))))) j++;
                    name = s.substring(i + 1, j);
                    end = j - 1;
                } else {
                    sb.append(c);
                    continue;
                }
                if (origin != null && origin.kind() == Origin.Kind.RUNTIME) {
                    throw err(at + i, "`$" + name + "` is not expanded in a runtime command",
                            "the value itself; a literal `$` is written `\\$`", null);
                }
                String val = env.apply(name);
                if (val == null || val.isEmpty()) {
                    if (dflt == null) {
                        throw err(at + i, "environment variable `" + name + "` is " + (val == null ? "not set" : "empty"),
                                "a set variable, or `${" + name + ":-DEFAULT}`", null);
                    }
                    val = dflt;
                } else {
                    for (int k = 0; k < val.length(); k++) {
                        if ("*?[]\\".indexOf(val.charAt(k)) >= 0) {
                            throw err(at + i, "environment variable `" + name + "` holds `" + val.charAt(k)
                                    + "`, which would be a glob or an escape here", "a plain value (a path without * ? [ ] \\)", null);
                        }
                    }
                }
                if (i == 0) {
                    leadName = name;
                    leadValue = val;
                }
                sb.append(val);
                i = end;
            }
            return sb.toString();
        }

        /**
         * A path pattern that begins with a variable: the variable must give an absolute path,
         * and not {@code /} before a {@code /} or the end, or {@code ${HOME}/***} would become a
         * relative pattern or {@code /***}, everything.
         */
        void checkLeadingPath(String expanded, int at) throws PolicyException {
            if (leadName == null) return;
            if (!leadValue.startsWith("/")) {
                throw err(at, "environment variable `" + leadName + "` is not an absolute path (`" + Bytes.toUtf8(leadValue) + "`)",
                        "an absolute path", null);
            }
            String rest = expanded.substring(Math.min(leadValue.length(), expanded.length()));
            if (leadValue.chars().allMatch(ch -> ch == '/') && (rest.isEmpty() || rest.startsWith("/"))) {
                throw err(at, "environment variable `" + leadName + "` is `/`: the rule would cover every file",
                        "a directory below `/` (write `/***` itself if everything is meant)", null);
            }
        }

        static boolean validVar(String name) {
            if (name.isEmpty()) return false;
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                boolean ok = c == '_' || (c < 0x80 && (Character.isLetter(c) || (i > 0 && Character.isDigit(c))));
                if (!ok) return false;
            }
            return true;
        }
    }

    // ---- normalisation shared with the state ----------------------------------------------------

    static boolean isKeyChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '/'
                || c == ',';
    }

    /** Drops the command-level escapes {@code \+ \: \,} (they mean nothing to a glob). */
    static String ruleEscapes(String s) {
        if (s.indexOf('\\') < 0) return s;
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char d = s.charAt(i + 1);
                if (d == '+' || d == ':' || d == ',') {
                    sb.append(d);
                    i++;
                    continue;
                }
                sb.append(c).append(d);
                i++;
                continue;
            }
            sb.append(c);
        }
        return sb.toString();
    }

    /** Normalised rule pattern text for a category kind; throws the parsers' own exceptions. */
    static String normalisePattern(Category.Kind kind, String v) {
        switch (kind) {
            case PATH -> {
                if (!v.startsWith("/")) {
                    throw new ValueException(0, "`" + v + "` is not an absolute path pattern",
                            "an absolute path glob such as /usr/*** or /etc/passwd");
                }
                return Glob.compile(v).pattern();
            }
            case NET -> {
                return Address.parse(v).text();
            }
            case NAME -> {
                String u = Glob.unescape(v);
                if (!u.isEmpty() && Character.isDigit(u.charAt(0))) {
                    return "0x" + Long.toHexString(Values.parseUnsigned(u));
                }
                for (int i = 0; i < u.length(); i++) {
                    char c = u.charAt(i);
                    if (!(Character.isLetterOrDigit(c) && c < 0x80) && c != '_' && c != '.' && c != '-') {
                        throw new ValueException(i, "invalid name `" + u + "`", "a name (letters, digits, `_`) or a number");
                    }
                }
                return u;
            }
            default -> throw new IllegalStateException();
        }
    }

    static String listExpected(String list) {
        return switch (list) {
            case "bind" -> "SOURCE:TARGET[:OPTIONS], e.g. bind+tmpfs:/tmp:nodev,nosuid or bind+/etc:/etc:ro";
            case "mask" -> "an absolute glob, optionally :TARGET, e.g. mask+/proc/cpuinfo";
            case "force" -> "PATH:ALGORITHM:HEXDIGEST[:ACTION], e.g. force+/usr/bin/true:sha256:ab12...";
            case "setuid", "setgid" -> "FROM:TO (names or ids)";
            case "block" -> "an IP network such as 10.0.0.0/8";
            default -> "an absolute path glob";
        };
    }

    private static final List<String> BIND_OPTS = List.of("ro", "rw", "nodev", "noexec", "nosuid", "nosymfollow",
            "noatime", "nodiratime", "relatime", "strictatime", "dev", "exec", "suid", "rec", "private", "slave",
            "shared");

    /** Normalised list item; throws ValueException / GlobSyntaxException / AddressException. */
    static String normaliseItem(String list, Op op, String v) {
        switch (list) {
            case "append", "crypt" -> {
                return absGlob(Parser.ruleEscapes(v), 0);
            }
            case "mask" -> {
                List<int[]> spans = new ArrayList<>();
                List<String> parts = splitGlobColons(v, spans);
                if (parts.size() > 3) throw new ValueException(spans.get(3)[0], "too many `:` in mask", listExpected(list));
                StringBuilder sb = new StringBuilder(escapeGlobColons(absGlob(Parser.ruleEscapes(parts.get(0)), 0)));
                for (int k = 1; k < parts.size(); k++) {
                    String t = Glob.unescape(parts.get(k));
                    if (!t.startsWith("/")) throw new ValueException(spans.get(k)[0], "mask target `" + t + "` is not absolute", "an absolute path");
                    sb.append(':').append(escapeColons(t));
                }
                return sb.toString();
            }
            case "bind" -> {
                List<int[]> spans = new ArrayList<>();
                List<String> parts = splitColons(v, spans);
                if (parts.size() < 2 || parts.size() > 3) {
                    throw new ValueException(0, "bind needs SOURCE:TARGET[:OPTIONS]", listExpected(list));
                }
                String src = Glob.unescape(parts.get(0));
                String dst = Glob.unescape(parts.get(1));
                if (src.isEmpty() || (!src.startsWith("/") && !src.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '_'))) {
                    throw new ValueException(0, "invalid bind source `" + src + "`", "an absolute path or a filesystem type such as tmpfs");
                }
                if (!dst.startsWith("/")) {
                    throw new ValueException(spans.get(1)[0], "bind target `" + dst + "` is not absolute", "an absolute path");
                }
                String out = escapeColons(src) + ":" + escapeColons(dst);
                if (parts.size() == 3) {
                    List<String> opts = new ArrayList<>();
                    int off = spans.get(2)[0];
                    for (String opt : Glob.unescape(parts.get(2)).split(",", -1)) {
                        String name = opt.contains("=") ? opt.substring(0, opt.indexOf('=')) : opt;
                        if (!opt.contains("=") && !BIND_OPTS.contains(opt)) {
                            throw new ValueException(off, "unknown mount option `" + opt + "`",
                                    "options such as " + String.join(", ", BIND_OPTS) + " or key=value", Suggest.nearest(opt, BIND_OPTS));
                        }
                        if (name.isEmpty()) throw new ValueException(off, "empty mount option", "an option name");
                        opts.add(opt);
                        off += opt.length() + 1;
                    }
                    out += ":" + String.join(",", opts);
                }
                return out;
            }
            case "force" -> {
                List<int[]> spans = new ArrayList<>();
                List<String> parts = splitColons(v, spans);
                String path = Glob.unescape(parts.get(0));
                if (!path.startsWith("/")) throw new ValueException(0, "`" + path + "` is not an absolute path", "an absolute path");
                if (op != Op.ADD) {
                    if (parts.size() != 1) throw new ValueException(spans.get(1)[0], "`force-` and `force^` take only a path", "force-PATH");
                    return escapeColons(path);
                }
                if (parts.size() < 3 || parts.size() > 4) throw new ValueException(0, "force needs PATH:ALGORITHM:HEXDIGEST[:ACTION]", listExpected(list));
                String alg = parts.get(1);
                HashAlgorithm algorithm = HashAlgorithm.byName(alg).orElseThrow(() -> new ValueException(spans.get(1)[0],
                        "unsupported hash algorithm `" + alg + "`", "one of " + String.join(", ", HashAlgorithm.names()),
                        Suggest.nearest(alg, HashAlgorithm.names())));
                String hex = parts.get(2).toLowerCase(java.util.Locale.ROOT);
                if (hex.length() != 2 * algorithm.length() || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                    throw new ValueException(spans.get(2)[0], "invalid " + alg + " digest",
                            (2 * algorithm.length()) + " hex digits (`syd-path -a " + alg + " FILE` prints the rule)");
                }
                String out = escapeColons(path) + ":" + alg + ":" + hex;
                if (parts.size() == 4) {
                    String act = parts.get(3);
                    if (Action.byName(act).isEmpty()) {
                        List<String> names = Settings.names(Action.values());
                        throw new ValueException(spans.get(3)[0], "unknown action `" + act + "`", "one of " + String.join(", ", names),
                                Suggest.nearest(act, names));
                    }
                    out += ":" + act;
                }
                return out;
            }
            case "setuid", "setgid" -> {
                List<int[]> spans = new ArrayList<>();
                List<String> parts = splitColons(v, spans);
                if (parts.size() > 2 || (parts.size() == 1 && op != Op.REMOVE_ALL)) {
                    throw new ValueException(0, list + " needs FROM:TO", listExpected(list));
                }
                StringBuilder sb = new StringBuilder();
                for (int k = 0; k < parts.size(); k++) {
                    String id = parts.get(k);
                    if (id.isEmpty() || !id.chars().allMatch(c -> Character.isLetterOrDigit(c) && c < 0x80 || c == '_' || c == '-' || c == '.')) {
                        throw new ValueException(spans.get(k)[0], "invalid " + (list.equals("setuid") ? "user" : "group") + " `" + id + "`", "a name or a number");
                    }
                    if (k > 0) sb.append(':');
                    sb.append(id);
                }
                return sb.toString();
            }
            case "block" -> {
                return Address.parseCidr(Glob.unescape(v), 0).text();
            }
            default -> throw new IllegalStateException(list);
        }
    }

    private static String absGlob(String v, int at) {
        if (!v.startsWith("/")) throw new ValueException(at, "`" + v + "` is not an absolute path pattern", "an absolute path glob");
        return Glob.compile(v).pattern();
    }

    /** Splits on unescaped ':' (escapes kept in parts); spans get each part's start offset. */
    static List<String> splitColons(String v, List<int[]> spans) {
        return split(v, spans, false);
    }

    /** Like {@link #splitColons} but a ':' inside a glob class ({@code [[:digit:]]}) of the first part does not split. */
    static List<String> splitGlobColons(String v, List<int[]> spans) {
        return split(v, spans, true);
    }

    private static List<String> split(String v, List<int[]> spans, boolean globClasses) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '\\') {
                i++;
                continue;
            }
            if (globClasses && c == '[' && out.isEmpty()) {
                int end = Glob.classEnd(v, i);
                if (end > 0) i = end;
                continue;
            }
            if (c == ':') {
                out.add(v.substring(start, i));
                spans.add(new int[] {start});
                start = i + 1;
            }
        }
        out.add(v.substring(start));
        spans.add(new int[] {start});
        return out;
    }

    /** Escapes the ':' of a glob that are outside classes, so {@link #splitGlobColons} keeps them. */
    static String escapeGlobColons(String g) {
        if (g.indexOf(':') < 0) return g;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < g.length(); i++) {
            char c = g.charAt(i);
            if (c == '\\' && i + 1 < g.length()) {
                sb.append(c).append(g.charAt(++i));
                continue;
            }
            if (c == '[') {
                int end = Glob.classEnd(g, i);
                if (end > 0) {
                    sb.append(g, i, end + 1);
                    i = end;
                    continue;
                }
            }
            if (c == ':') sb.append('\\');
            sb.append(c);
        }
        return sb.toString();
    }

    public static String escapeColons(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ':' || c == '\\') sb.append('\\');
            sb.append(c);
        }
        return sb.toString();
    }

    private static volatile List<String> topLevel;

    /** Every full command name (for "did you mean"). */
    static List<String> topLevelNames() {
        List<String> t = topLevel;
        if (t != null) return t;
        List<String> out = new ArrayList<>(Settings.keys());
        for (Category c : Category.values()) {
            if (c.canToggle()) out.add("sandbox/" + c.sydName());
            out.add("default/" + c.sydName());
            if (c.hasRules()) for (Action a : Action.values()) out.add(a.sydName() + "/" + c.sydName());
        }
        for (String r : LOCK_RIGHTS) out.add("allow/lock/" + r);
        out.addAll(LISTS);
        out.addAll(SPECIALS);
        out.add("include");
        out.add("include_profile");
        out.add("cmd/exec");
        topLevel = List.copyOf(out);
        return topLevel;
    }
}
