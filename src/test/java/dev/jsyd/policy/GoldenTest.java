package dev.jsyd.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Golden files: input → normalised output, and input → exact diagnostic text. */
class GoldenTest {
    static final Map<String, String> ENV = Map.of("HOME", "/home/alice", "SYD_UID", "1000", "EMPTY", "",
            "ROOT", "/", "RELATIVE", "home/alice", "STAR", "/home/*", "IP", "127.0.0.1");

    static String resource(String name) throws IOException {
        try (InputStream in = GoldenTest.class.getResourceAsStream("/policy/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static Stream<Arguments> normalise() throws IOException {
        List<Arguments> out = new ArrayList<>();
        for (String line : resource("normalise.golden").split("\n")) {
            if (line.isBlank() || line.startsWith("#")) continue;
            String[] f = line.split("\t");
            out.add(Arguments.of(f[0], f[1].equals("=") ? f[0] : f[1]));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("normalise")
    void normalisesAndReparses(String input, String expected) throws PolicyException {
        Command c = Parser.parse(input, Origin.argument(1), ENV::get);
        assertThat(c.print()).isEqualTo(expected);
        Command again = Parser.parseBytes(c.print(), Origin.argument(1), ENV::get);
        assertThat(again).isEqualTo(c);
        assertThat(again.print()).isEqualTo(expected);
    }

    @Test
    void normaliseFileIsLarge() throws IOException {
        assertThat(normalise().count()).isGreaterThan(100);
    }

    static Stream<Arguments> errors() throws IOException {
        List<Arguments> out = new ArrayList<>();
        String[] blocks = resource("errors.golden").split("(?m)^### ");
        for (String b : blocks) {
            if (b.isEmpty()) continue;
            int nl = b.indexOf('\n');
            out.add(Arguments.of(b.substring(0, nl), b.substring(nl + 1).stripTrailing()));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("errors")
    void diagnostics(String input, String expected) {
        Policy p = Policy.defaults().environment(ENV::get);
        assertThatThrownBy(() -> p.apply(input, Origin.argument(1)))
                .isInstanceOf(PolicyException.class)
                .hasMessage(expected)
                .satisfies(e -> assertThat(e.getStackTrace()).isEmpty());
    }

    @Test
    void runtimeCommandsAreNeverExpanded() throws Exception {
        Policy p = Policy.defaults().environment(ENV::get);
        for (String c : List.of("allow/read+${HOME}/***", "allow/read+$HOME/x", "allow/read+${NOPE:-/opt}/***")) {
            assertThatThrownBy(() -> p.applyBytes(c, Origin.runtime())).as(c)
                    .isInstanceOf(PolicyException.class).hasMessageContaining("is not expanded in a runtime command");
        }
        p.applyBytes("allow/read+/a\\$HOME", Origin.runtime()); // an escaped `$` is a literal one
        p.apply("allow/read+${HOME}/x", Origin.argument(1)); // the command line still expands
    }
}
