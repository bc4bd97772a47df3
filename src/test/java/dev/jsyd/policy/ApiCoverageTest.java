package dev.jsyd.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code syd --api} is true both ways (issue 13, "no false safety"): every command marked enforced
 * is mapped to a test that shows its effect on a real program (src/test/resources/api-coverage.tsv:
 * command, then the test as {@code Class#method}; a rule {@code ACTION/CATEGORY} names a test of
 * the action and one of the category, joined by {@code +}), and the test is checked to exist and
 * to name the command; every command marked not enforced is refused when given.
 */
class ApiCoverageTest {
    static final Path TESTS = Path.of("src/test/java");
    static final String MATRIX = "dev.jsyd.it.layers.CategoryMatrixIT";
    static final String ONE_WAY = "dev.jsyd.it.layers.OneWaySwitchesIT";

    static Map<String, String> coverage() throws Exception {
        Map<String, String> m = new LinkedHashMap<>();
        try (var in = ApiCoverageTest.class.getResourceAsStream("/api-coverage.tsv")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) continue;
                String[] f = line.split("\t");
                assertThat(f).as(line).hasSize(2);
                assertThat(m.put(f[0], f[1])).as("listed twice: " + f[0]).isNull();
            }
        }
        return m;
    }

    @Test
    void everyEnforcedCommandHasATestThatShowsIt() throws Exception {
        Map<String, String> cov = coverage();
        List<String> missing = new ArrayList<>(), wrong = new ArrayList<>();
        int enforced = 0;
        for (Api.Entry e : Api.commands()) {
            if (!e.enforced()) {
                assertThat(cov).as(e.name() + " is not enforced: it has no test of its effect").doesNotContainKey(e.name());
                continue;
            }
            enforced++;
            String tests = cov.get(e.name());
            if (tests == null) {
                missing.add(e.name());
                continue;
            }
            String[] t = tests.split(" \\+ ");
            if (t.length == 2) { // ACTION/CATEGORY: a test of the action, one of the category
                String action = e.name().substring(0, e.name().indexOf('/'));
                String cat = e.name().substring(action.length() + 1);
                if (!shows(t[0], action + "/", "action", action)) wrong.add(e.name() + " (action) " + t[0]);
                if (!shows(t[1], "/" + cat, "category", cat)) wrong.add(e.name() + " (category) " + t[1]);
            } else if (!shows(t[0], e.name(), "command", e.name())) {
                wrong.add(e.name() + " " + t[0]);
            }
        }
        assertThat(missing).as("enforced commands without a test").isEmpty();
        assertThat(wrong).as("tests that do not exist or do not name their command").isEmpty();
        assertThat(cov.keySet()).as("listed commands that syd --api does not have")
                .isSubsetOf(Api.commands().stream().map(Api.Entry::name).toList());
        System.out.println("syd --api: " + enforced + " of " + Api.commands().size() + " commands enforced");
    }

    @Test
    void everyCommandNotEnforcedIsRefusedWhereItIsGiven() throws Exception {
        int refused = 0;
        for (Api.Entry e : Api.commands()) {
            if (e.enforced()) continue;
            for (String cmd : samples(e)) {
                Policy p = Policy.defaults();
                List<String> before = p.dump();
                assertThatThrownBy(() -> p.apply(cmd, Origin.argument(1))).as(cmd).isInstanceOf(PolicyException.class)
                        .hasMessageContaining("not supported by this version of syd");
                assertThat(p.dump()).as("nothing stored: " + cmd).isEqualTo(before);
                refused++;
            }
        }
        assertThat(refused).isPositive();
    }

    @Test
    void theOtherValueOfEveryOneWaySwitchIsRefused() throws Exception {
        for (var s : Settings.holdsOnlySwitches().entrySet()) {
            Policy p = Policy.defaults();
            p.apply(s.getKey() + ":" + s.getValue(), Origin.argument(1));
            assertThatThrownBy(() -> Policy.defaults().apply(s.getKey() + ":" + !s.getValue(), Origin.argument(1)))
                    .as(s.getKey()).isInstanceOf(PolicyException.class).hasMessageContaining("not supported by this version of syd");
        }
    }

    /** Commands that give {@code e} a value of its type. */
    static List<String> samples(Api.Entry e) {
        String n = e.name(), type = e.type();
        if (e.operators().contains("+")) {
            String item = switch (type) {
                case "verified-exec map" -> "/bin/true:sha256:" + "00".repeat(32);
                case "name list" -> "ext4";
                default -> "/x";
            };
            return List.of(n + "+" + item);
        }
        if (e.operators().isEmpty()) return List.of(n);
        String v = switch (type) {
            case "boolean" -> "1";
            case "action" -> "deny";
            case "duration" -> "1m";
            case "integer", "group id" -> "5";
            case "port" -> "9050";
            case "ip address" -> "127.0.0.1";
            case "absolute path" -> "/x";
            default -> "x";
        };
        List<String> out = new ArrayList<>(List.of(n + ":" + v));
        if (type.equals("boolean")) out.add(n + ":0");
        return out;
    }

    /**
     * True when {@code test} ({@code Class#method}) exists and shows {@code what}: its source names
     * it (a command, possibly in a comma list), or it is the category matrix and walks it, or the
     * one-way battery and the switch is one of those it sets.
     */
    static boolean shows(String test, String text, String kind, String name) throws Exception {
        int hash = test.indexOf('#');
        if (hash < 0) return false;
        String cls = test.substring(0, hash), method = test.substring(hash + 1);
        Class<?> c;
        try {
            c = Class.forName(cls);
        } catch (ClassNotFoundException ex) {
            return false;
        }
        Method m = null;
        for (Method x : c.getDeclaredMethods()) if (x.getName().equals(method)) m = x;
        if (m == null || java.util.Arrays.stream(m.getAnnotations()).noneMatch(a -> a.annotationType().getSimpleName()
                .matches("Test|Property|ParameterizedTest|RepeatedTest"))) {
            return false;
        }
        if (cls.equals(ONE_WAY)) return Settings.holdsOnlySwitches().containsKey(name);
        if (cls.equals(MATRIX)) {
            @SuppressWarnings("unchecked")
            List<String> cats = (List<String>) c.getField("CATEGORIES").get(null);
            @SuppressWarnings("unchecked")
            List<String> actions = (List<String>) c.getField("ACTIONS").get(null);
            @SuppressWarnings("unchecked")
            List<String> rights = (List<String>) c.getField("LOCK_RIGHTS").get(null);
            return switch (kind) {
                case "action" -> actions.contains(name);
                case "category" -> cats.contains(name);
                default -> name.startsWith("allow/lock/") ? rights.contains(name.substring(11))
                        : cats.contains(name.substring(name.indexOf('/') + 1));
            };
        }
        String source = Files.readString(TESTS.resolve(cls.replace('.', '/') + ".java"));
        String body = body(source, method);
        if (body.contains(text)) return true;
        // a table of the class the test walks (e.g. DefaultDenyEscapeIT.SWITCHES): the command as an entry of it
        if (kind.equals("command") && source.contains("List.of(\"" + text + "\"")) return true;
        // or the policy a helper of the class gives every test (ForceIT.policy: "sandbox/force:on")
        if (kind.equals("command") && source.contains("\"" + text + ":")) return true;
        if (kind.equals("command") && Pattern.compile("\\.put\\(\"" + Pattern.quote(text) + "[\":]").matcher(source).find()) return true;
        if (kind.equals("category")) { // a rule of the category in a comma list: deny/read,write+
            return Pattern.compile("[a-z]+/(?:[a-z_/]+,)*" + Pattern.quote(name) + "[,+:^-]").matcher(body).find();
        }
        int slash = text.lastIndexOf('/');
        if (slash < 0) return false;
        String prefix = text.substring(0, slash), leaf = text.substring(slash + 1);
        return Pattern.compile(Pattern.quote(prefix) + "/(?:[a-z_]+,)*" + Pattern.quote(leaf) + "(?![a-z_])").matcher(body).find();
    }

    /** The source of {@code method}: from its name to the next test (or the end). */
    static String body(String source, String method) {
        var m = Pattern.compile("void\\s+" + Pattern.quote(method) + "\\s*\\(").matcher(source);
        if (!m.find()) return "";
        int next = source.indexOf("@Test", m.end());
        int prop = source.indexOf("@Property", m.end());
        if (next < 0 || (prop >= 0 && prop < next)) next = prop;
        return source.substring(m.start(), next < 0 ? source.length() : next);
    }
}
