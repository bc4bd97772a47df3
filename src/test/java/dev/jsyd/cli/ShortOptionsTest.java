package dev.jsyd.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShortOptionsTest {
    /** Reads options {@code -v -S} (flags) and {@code -p -l} (with a value); returns what was seen and the operand index. */
    private static List<String> read(String... args) throws ShortOptions.UsageException {
        ShortOptions opts = new ShortOptions(args);
        List<String> seen = new ArrayList<>();
        for (int o; (o = opts.next()) >= 0; ) {
            if (o == 'p' || o == 'l') seen.add((char) o + "=" + opts.value(o, "a value"));
            else seen.add(String.valueOf((char) o));
        }
        seen.add("@" + opts.operands());
        return seen;
    }

    @Test
    void groupedLettersAndValuesInTheSameOrTheNextWord() throws Exception {
        assertThat(read("-vS", "-pNAME", "-l", "x y", "prog", "-v")).containsExactly("v", "S", "p=NAME", "l=x y", "@4");
        assertThat(read("-vpNAME", "prog")).containsExactly("v", "p=NAME", "@1");
    }

    @Test
    void optionsEndAtDoubleDashALoneDashOrTheFirstOperand() throws Exception {
        assertThat(read("-v", "--", "-S")).containsExactly("v", "@2");
        assertThat(read("-", "-v")).containsExactly("@0");
        assertThat(read()).containsExactly("@0");
        assertThat(read("-p", "--")).containsExactly("p=--", "@2");
    }

    @Test
    void aMissingValueNamesTheOption() {
        assertThatThrownBy(() -> read("-v", "-p")).isInstanceOf(ShortOptions.UsageException.class)
                .hasMessage("option -p needs an argument (a value)");
    }
}
