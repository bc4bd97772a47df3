package dev.jsyd.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class GlobTest {

    static Stream<Arguments> table() throws IOException {
        List<Arguments> rows = new ArrayList<>();
        try (InputStream in = GlobTest.class.getResourceAsStream("/policy/glob.table")) {
            int n = 0;
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                n++;
                if (line.isBlank() || line.startsWith("#")) continue;
                String[] f = line.trim().split("\\s+");
                if (f.length != 3) throw new IllegalStateException("glob.table line " + n + ": " + line);
                rows.add(Arguments.of(n, f[0], f[1], f[2].equals("1")));
            }
        }
        return rows.stream();
    }

    @Test
    void tableHasEnoughRows() throws IOException {
        assertThat(table().count()).isGreaterThanOrEqualTo(150);
    }

    @ParameterizedTest(name = "line {0}: {1} ~ {2} = {3}")
    @MethodSource("table")
    void tableRow(int line, String pattern, String text, boolean expected) {
        assertThat(Glob.compile(pattern).matches(text)).as("Glob").isEqualTo(expected);
        assertThat(GlobOracle.matches(pattern, text)).as("oracle agrees with the table").isEqualTo(expected);
    }

    @Test
    void classification() {
        assertThat(Glob.compile("/etc/passwd").kind()).isEqualTo(Glob.Kind.LITERAL);
        assertThat(Glob.compile("/a\\*b").kind()).isEqualTo(Glob.Kind.LITERAL);
        assertThat(Glob.compile("/a\\*b").base()).isEqualTo("/a*b");
        assertThat(Glob.compile("/usr/***").kind()).isEqualTo(Glob.Kind.PREFIX);
        assertThat(Glob.compile("/usr/***").base()).isEqualTo("/usr");
        assertThat(Glob.compile("/***").base()).isEqualTo("");
        assertThat(Glob.compile("/home/*/***").kind()).isEqualTo(Glob.Kind.GLOB);
        assertThat(Glob.compile("/usr/**").kind()).isEqualTo(Glob.Kind.GLOB);
        assertThat(Glob.compile("/usr/lib*/x").literalPrefix()).isEqualTo("/usr/lib");
    }

    @Test
    void malformedPatternsAreRejected() {
        assertThatThrownBy(() -> Glob.compile("/a[bc")).isInstanceOf(Glob.GlobSyntaxException.class)
                .hasMessageContaining("unterminated");
        assertThatThrownBy(() -> Glob.compile("/[[:bogus:]]")).hasMessageContaining("unknown character class `[:bogus:]`");
        assertThat(((Glob.GlobSyntaxException) catchIt(() -> Glob.compile("/x/[ab"))).index()).isEqualTo(3);
    }

    private static Throwable catchIt(Runnable r) {
        try {
            r.run();
        } catch (Throwable t) {
            return t;
        }
        throw new AssertionError("no exception");
    }

    @Test
    void bytesAreMatchedAsBytes() {
        String pat = Bytes.fromUtf8("/tmp/ü*");
        String path = Bytes.fromUtf8("/tmp/über");
        assertThat(Glob.compile(pat).matches(path)).isTrue();
        // '?' is one byte: a two-byte UTF-8 character needs two
        assertThat(Glob.compile("/?").matches(Bytes.fromUtf8("/ü"))).isFalse();
        assertThat(Glob.compile("/??").matches(Bytes.fromUtf8("/ü"))).isTrue();
        assertThat(Glob.compile("/*").matches(Bytes.of(new byte[] {'/', (byte) 0xff, (byte) 0xfe}))).isTrue();
    }

    // ---- property: the matcher agrees with an independent regex translation ----------------

    @Provide
    Arbitrary<String> patterns() {
        Arbitrary<String> atom = Arbitraries.of("a", "b", "c", "/", ".", "-", "*", "**", "?", "[ab]", "[!a]",
                "[a-c]", "[^b]", "[[:alpha:]]", "[]a]", "\\*", "\\?", "[/]", "[c-a]", "***");
        Arbitrary<String> body = atom.list().ofMinSize(0).ofMaxSize(8).map(l -> "/" + String.join("", l));
        return Combinators.combine(body, Arbitraries.of(false, false, true))
                .as((b, tts) -> tts ? b + "/***" : b);
    }

    @Provide
    Arbitrary<String> texts() {
        return Arbitraries.strings().withChars("abc/.-*?]").ofMinLength(0).ofMaxLength(12).map(s -> "/" + s);
    }

    @Property(tries = 3000)
    void agreesWithRegexOracle(@ForAll("patterns") String pattern, @ForAll("texts") String text) {
        assertThat(Glob.compile(pattern).matches(text)).as("%s ~ %s", pattern, text)
                .isEqualTo(GlobOracle.matches(pattern, text));
    }

    @Property(tries = 1000)
    void literalPatternsMatchOnlyThemselves(@ForAll("texts") String a, @ForAll("texts") String b) {
        Glob g = Glob.compile(Glob.escape(a));
        assertThat(g.kind()).isEqualTo(Glob.Kind.LITERAL);
        assertThat(g.matches(a)).isTrue();
        assertThat(g.matches(b)).isEqualTo(a.equals(b));
    }

    @Property(tries = 1000)
    void prefixMatchesDirectoryAndBelow(@ForAll("texts") String dir, @ForAll("texts") String text) {
        Glob g = Glob.compile(Glob.escape(dir) + "/***");
        boolean expected = text.equals(dir) || text.startsWith(dir + "/");
        assertThat(g.matches(text)).isEqualTo(expected);
    }
}
