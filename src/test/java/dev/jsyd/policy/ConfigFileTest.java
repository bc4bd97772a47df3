package dev.jsyd.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileTest {
    @TempDir Path dir;

    Path write(String name, String... lines) throws Exception {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, String.join("\n", lines) + "\n");
        return p;
    }

    Policy policy() { return Policy.defaults().environment(Map.of("HOME", dir.toString())::get).userProfileFiles(List.of()); }

    @Test
    void commentsBlankLinesAndIndentation() throws Exception {
        Path f = write("a.syd-3", "# a comment", "", "   sandbox/read:off", "\tallow/write+/tmp/***   ", "lock:exec\r");
        Policy p = policy();
        p.applyFile(f);
        Sandbox s = p.snapshot();
        assertThat(s.enabled(Category.READ)).isFalse();
        assertThat(s.checkPath(Category.WRITE, "/tmp/x")).isEqualTo(Action.ALLOW);
        assertThat(s.lock()).contains(LockState.EXEC);
    }

    @Test
    void suffixIsEnforced() throws Exception {
        Path f = write("a.conf", "sandbox/read:off");
        assertThatThrownBy(() -> policy().applyFile(f)).isInstanceOf(PolicyException.class)
                .hasMessage(f + ": configuration file `" + f + "` does not end in `.syd-3`\n  expected a file name ending in .syd-3");
    }

    @Test
    void missingFile() {
        Path f = dir.resolve("none.syd-3");
        assertThatThrownBy(() -> policy().applyFile(f)).hasMessage(f + ": cannot read `" + f + "`: no such file");
    }

    @Test
    void errorsNameFileLineAndColumn() throws Exception {
        Path f = write("bad.syd-3", "sandbox/read:on", "# ok", "  allow/raed+/x");
        assertThatThrownBy(() -> policy().applyFile(f)).hasMessage(
                f + ":3:9: unknown category `raed`\n"
                        + "      allow/raed+/x\n"
                        + "            ^\n"
                        + "  expected a category: " + String.join(", ", ruleCats()) + "\n"
                        + "  did you mean `read`?");
    }

    static List<String> ruleCats() {
        List<String> out = new java.util.ArrayList<>();
        for (Category c : Category.values()) if (c.hasRules()) out.add(c.sydName());
        out.addAll(Category.aliases().keySet());
        return out;
    }

    @Test
    void includeIsRelativeToTheIncludingFile() throws Exception {
        write("sub/inner.syd-3", "allow/read+/inner");
        write("sub/deeper/x.syd-3", "allow/read+/deeper");
        write("sub/mid.syd-3", "include inner.syd-3", "include deeper/x.syd-3", "include_profile nomem");
        Path top = write("top.syd-3", "include sub/mid.syd-3", "allow/read+/top");
        Policy p = policy();
        p.applyFile(top);
        Sandbox s = p.snapshot();
        assertThat(s.rules(Category.READ)).extracting(RuleEntry::pattern).containsExactly("/inner", "/deeper", "/top");
        assertThat(s.flag("trace/allow_unsafe_memory")).isTrue();
    }

    @Test
    void includeFromArgumentIsRelativeToWorkingDirectoryOrAbsolute() throws Exception {
        Path f = write("abs.syd-3", "allow/read+/abs");
        Policy p = policy();
        p.apply("include " + f, Origin.argument(1));
        assertThat(p.snapshot().rules(Category.READ)).hasSize(1);
    }

    @Test
    void includeLoopsAreDetected() throws Exception {
        Path a = write("a.syd-3", "allow/read+/a", "include b.syd-3");
        Path b = write("b.syd-3", "include a.syd-3");
        assertThatThrownBy(() -> policy().applyFile(a)).isInstanceOf(PolicyException.class)
                .hasMessage(b + ":1:9: include loop: " + a.toRealPath() + " -> " + b.toRealPath() + " -> "
                        + a.toRealPath() + "\n    include a.syd-3\n            ^\n  expected files that do not include each other");
        Path self = write("self.syd-3", "include self.syd-3");
        assertThatThrownBy(() -> policy().applyFile(self)).hasMessageContaining("include loop");
    }

    @Test
    void includeNeedsTheSuffixButAcceptsIpsets() throws Exception {
        write("x.txt", "allow/read+/x");
        Path f = write("inc.syd-3", "include x.txt");
        assertThatThrownBy(() -> policy().applyFile(f)).hasMessageContaining(f + ":1:9: configuration file")
                .hasMessageContaining("does not end in `.syd-3`");
        write("bad.ipset", "# list", "10.0.0.0/8", "192.168.0.1", "", "; also a comment", "2001:db8::/32");
        Path g = write("g.syd-3", "include bad.ipset", "default/block:deny");
        Policy p = policy();
        p.applyFile(g);
        assertThat(p.snapshot().blocklist()).extracting(Address.Cidr::text)
                .containsExactly("10.0.0.0/8", "192.168.0.1", "2001:db8::/32");
    }

    @Test
    void errorInIncludedFileNamesThatFile() throws Exception {
        Path inner = write("inner.syd-3", "lock:maybe");
        Path top = write("top.syd-3", "include inner.syd-3");
        assertThatThrownBy(() -> policy().applyFile(top)).hasMessageStartingWith(inner + ":1:6: invalid lock state `maybe`");
    }

    @Test
    void userProfileReadsItsFilesWhenPresent() throws Exception {
        Path etc = write("etc/user.syd-3", "allow/read+/from/etc");
        Path home = dir.resolve("home/.user.syd-3");
        Policy p = Policy.defaults().environment(Map.of("HOME", "/home/u")::get).userProfileFiles(List.of(etc, home));
        p.applyProfile("user", Origin.argument(1));
        assertThat(p.snapshot().checkPath(Category.READ, "/from/etc")).isEqualTo(Action.ALLOW);
        assertThat(p.snapshot().checkPath(Category.WRITE, "/home/u/x")).isEqualTo(Action.ALLOW);
        write("home/.user.syd-3", "deny/read+/from/etc");
        Policy q = Policy.defaults().environment(Map.of("HOME", "/home/u")::get).userProfileFiles(List.of(etc, home));
        q.applyProfile("user", Origin.argument(1));
        assertThat(q.snapshot().checkPath(Category.READ, "/from/etc")).as("home file comes last").isEqualTo(Action.DENY);
    }

    @Test
    void commandLineOrderIsKept() throws Exception {
        Path f = write("c.syd-3", "deny/read+/x");
        Policy p = policy();
        p.apply("allow/read+/x", Origin.argument(1));
        p.applyFile(f);
        assertThat(p.snapshot().checkPath(Category.READ, "/x")).isEqualTo(Action.DENY);
        p.applyProfile("off", Origin.argument(2));
        assertThat(p.snapshot().enabled(Category.READ)).isFalse();
        p.apply("sandbox/read:on", Origin.argument(3));
        assertThat(p.snapshot().checkPath(Category.READ, "/x")).isEqualTo(Action.DENY);
    }

    @Test
    void nonUtf8BytesInFilesArePreserved() throws Exception {
        Path f = dir.resolve("bytes.syd-3");
        byte[] line = "allow/read+/tmp/\u00ff\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        Files.write(f, line);
        Policy p = policy();
        p.applyFile(f);
        assertThat(p.snapshot().checkPath(Category.READ, Bytes.of(new byte[] {'/', 't', 'm', 'p', '/', (byte) 0xff})))
                .isEqualTo(Action.ALLOW);
    }
}
