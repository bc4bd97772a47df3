package dev.jsyd.learn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.policy.Glob;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PathGeneralizerTest {
    private static PathGeneralizer gen(Set<String> created, Set<String> existing) {
        return new PathGeneralizer("/home/alice/proj", "/home/alice", "1000", created, existing::contains);
    }

    private static String pattern(PathGeneralizer g, String path) {
        String s = String.join("/", g.segments(path));
        return s.startsWith("$") ? s : "/" + s;
    }

    @Test
    void workingDirectoryHomeAndUidBecomeVariables() {
        PathGeneralizer g = gen(Set.of(), Set.of());
        assertThat(pattern(g, "/home/alice/proj/src/a.c")).isEqualTo("${SYD_PWD}/src/a.c");
        assertThat(pattern(g, "/home/alice/.gitconfig")).isEqualTo("${HOME}/.gitconfig");
        assertThat(pattern(g, "/home/alice")).isEqualTo("${HOME}");
        assertThat(pattern(g, "/home/alicex/f")).isEqualTo("/home/alicex/f");
        assertThat(pattern(g, "/run/user/1000/bus")).isEqualTo("/run/user/${SYD_UID}/bus");
        assertThat(g.depths).containsEntry("${HOME}", 2).containsEntry("${SYD_PWD}", 3);
    }

    @Test
    void pidsTerminalsAndLibraryVersionsBecomePatterns() {
        PathGeneralizer g = gen(Set.of(), Set.of());
        assertThat(pattern(g, "/proc/4242/status")).isEqualTo("/proc/[0-9]*/status");
        assertThat(pattern(g, "/proc/4242/task/4243/comm")).isEqualTo("/proc/[0-9]*/task/[0-9]*/comm");
        assertThat(pattern(g, "/proc/sys/kernel/ngroups_max")).isEqualTo("/proc/sys/kernel/ngroups_max");
        assertThat(pattern(g, "/dev/pts/3")).isEqualTo("/dev/pts/[0-9]*");
        assertThat(pattern(g, "/usr/lib/x86_64-linux-gnu/libz.so.1.2.13")).isEqualTo("/usr/lib/x86_64-linux-gnu/libz.so*");
        assertThat(pattern(g, "/usr/lib/x86_64-linux-gnu/libc.so.6")).isEqualTo("/usr/lib/x86_64-linux-gnu/libc.so*");
        assertThat(pattern(g, "/usr/lib/python3.11/os.py")).isEqualTo("/usr/lib/python3.11/os.py");
    }

    @Test
    void namesTheRunMadeUpAndRemovedLoseTheirRandomPart() {
        Set<String> created = Set.of("/tmp/ccA1b2C3.s", "/tmp/tmp.PXy0INK9Zd", "/home/alice/proj/.git/objects/ab/tmp_obj_x7Yb2Q",
                "/home/alice/proj/.git/index.lock", "/tmp/tmpabcdefgh", "/tmp/kept1A2b3C", "/tmp/d8Kx9Qw2", "/tmp/d8Kx9Qw2/x");
        PathGeneralizer g = gen(created, Set.of("/tmp/kept1A2b3C"));
        assertThat(pattern(g, "/tmp/ccA1b2C3.s")).isEqualTo("/tmp/*.s");
        assertThat(pattern(g, "/tmp/tmp.PXy0INK9Zd")).isEqualTo("/tmp/*");
        assertThat(pattern(g, "/home/alice/proj/.git/objects/ab/tmp_obj_x7Yb2Q")).isEqualTo("${SYD_PWD}/.git/objects/ab/tmp_obj_*");
        assertThat(pattern(g, "/home/alice/proj/.git/index.lock")).isEqualTo("${SYD_PWD}/.git/index.lock");
        assertThat(pattern(g, "/tmp/tmpabcdefgh")).isEqualTo("/tmp/*");
        assertThat(pattern(g, "/tmp/d8Kx9Qw2/x")).as("a made-up directory").isEqualTo("/tmp/*/x");
        assertThat(pattern(g, "/tmp/kept1A2b3C")).as("still there: a chosen name").isEqualTo("/tmp/kept1A2b3C");
    }

    @Test
    void hostileBytesCannotBreakAProfileLine() {
        assertThat(PathGeneralizer.literal("a\nallow/read+/***")).isEqualTo("a?allow/read+/\\*\\*\\*");
        assertThat(PathGeneralizer.literal("$HOME[x]")).isEqualTo("\\$HOME\\[x\\]");
        assertThat(PathGeneralizer.literal("bad\u00ef\u00bf\u00bd\u00ef\u00bf\u00bdname")).isEqualTo("bad*name");
        // A literal glob still matches the name it came from.
        String name = "we*ird?[na]me";
        assertThat(Glob.compile("/d/" + PathGeneralizer.literal(name)).matches("/d/" + name)).isTrue();
        assertThat(Glob.compile("/d/" + PathGeneralizer.literal(name)).matches("/d/weXirdZnme")).isFalse();
    }

    @Test
    void noVariableForTheRootOrAWorkingDirectoryAboveHome() {
        PathGeneralizer g = new PathGeneralizer("/", "/root", "0", Set.of(), p -> true);
        assertThat(pattern(g, "/etc/passwd")).isEqualTo("/etc/passwd");
        assertThat(pattern(g, "/root/x")).isEqualTo("${HOME}/x");
        PathGeneralizer h = new PathGeneralizer("/home", "/home/bob", "0", Set.of(), p -> true);
        assertThat(pattern(h, "/home/bob/x")).isEqualTo("${HOME}/x");
        assertThat(List.copyOf(h.depths.keySet())).containsExactly("${HOME}");
    }
}
