package dev.jsyd.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ProfilesTest {
    static List<String> names() { return Policy.profileNames(); }

    @ParameterizedTest
    @MethodSource("names")
    void everyProfileLoadsAndPrintsBack(String name) throws Exception {
        Policy p = Policy.defaults().environment(Map.of("HOME", "/home/u")::get).userProfileFiles(List.of());
        p.applyProfile(name, Origin.argument(1));
        int n = 0;
        for (String line : Profiles.lines(name)) {
            n++;
            if (line.isBlank() || line.strip().startsWith("#")) continue;
            Command c = Parser.parse(line.strip(), Origin.profile(name, n), Map.of("HOME", "/home/u")::get);
            assertThat(Parser.parse(c.print(), Origin.profile(name, n), k -> null)).isEqualTo(c);
        }
    }

    @Test
    void requiredProfilesExist() {
        assertThat(Policy.profileNames()).contains("off", "lib", "user", "linux", "silent", "trace", "noipv4", "noipv6",
                "nomem", "paludis", "landlock", "container", "immutable");
    }

    @Test
    void offTurnsEverythingOff() throws Exception {
        Policy p = Policy.defaults();
        p.applyProfile("off", Origin.argument(1));
        Sandbox s = p.snapshot();
        for (Category c : Category.values()) if (c.canToggle()) assertThat(s.enabled(c)).as(c.sydName()).isFalse();
        assertThat(s.checkPath(Category.EXEC, "/usr/bin/true")).isEqualTo(Action.ALLOW);
    }

    @Test
    void libIsOffWithTheLockOpenForTheInitialProcess() throws Exception {
        Policy p = Policy.defaults();
        p.applyProfile("lib", Origin.argument(1));
        p.apply("sandbox/write:on", Origin.argument(2));
        Sandbox s = p.snapshot();
        assertThat(s.enabled(Category.WRITE)).isTrue();
        assertThat(s.enabled(Category.READ)).isFalse();
        assertThat(s.lock()).contains(LockState.EXEC);
    }

    @Test
    void linuxAllowsTheSystemAndHidesSecrets() throws Exception {
        Policy p = Policy.defaults();
        p.applyProfile("linux", Origin.argument(1));
        Sandbox s = p.snapshot();
        assertThat(s.checkPath(Category.EXEC, "/usr/bin/true")).isEqualTo(Action.ALLOW);
        assertThat(s.checkPath(Category.READ, "/etc/passwd")).isEqualTo(Action.ALLOW);
        assertThat(s.checkPath(Category.READ, "/etc/shadow")).isEqualTo(Action.DENY);
        assertThat(s.checkPath(Category.WRITE, "/usr/bin/true")).isEqualTo(Action.DENY);
        assertThat(s.checkPath(Category.WRITE, "/dev/null")).isEqualTo(Action.ALLOW);
    }

    @Test
    void silentAndTraceChangeDefaults() throws Exception {
        Policy p = Policy.defaults();
        p.applyProfile("silent", Origin.argument(1));
        assertThat(p.snapshot().checkPath(Category.READ, "/x")).isEqualTo(Action.FILTER);
        p.applyProfile("trace", Origin.argument(2));
        assertThat(p.snapshot().checkPath(Category.READ, "/x")).isEqualTo(Action.WARN);
    }

    @Test
    void noipv4AndNoipv6() throws Exception {
        Policy p = Policy.defaults();
        p.apply("allow/net/connect+any!0-65535", Origin.argument(1));
        p.applyProfile("noipv4", Origin.argument(2));
        Sandbox s = p.snapshot();
        assertThat(s.checkInet(Category.NET_CONNECT, RuleEvaluationTest.ip("1.1.1.1"), 443)).isEqualTo(Action.DENY);
        assertThat(s.checkInet(Category.NET_CONNECT, RuleEvaluationTest.ip("2606:4700::1111"), 443)).isEqualTo(Action.ALLOW);
        p.applyProfile("noipv6", Origin.argument(3));
        assertThat(p.snapshot().checkInet(Category.NET_CONNECT, RuleEvaluationTest.ip("::1"), 1)).isEqualTo(Action.DENY);
    }

    @Test
    void containerAndImmutable() throws Exception {
        Policy p = Policy.defaults();
        p.applyProfile("immutable", Origin.argument(1));
        Sandbox s = p.snapshot();
        assertThat(s.unshare()).contains("mount", "pid");
        assertThat(s.binds()).isNotEmpty();
        assertThat(s.binds().get(0).options()).contains("ro");
    }

    @Test
    void landlockAndNomemAndPaludis() throws Exception {
        Policy p = Policy.defaults();
        p.applyProfile("landlock", Origin.argument(1));
        assertThat(p.snapshot().enabled(Category.LOCK)).isTrue();
        assertThat(p.snapshot().landlock()).isNotEmpty();
        p.applyProfile("nomem", Origin.argument(2));
        assertThat(p.snapshot().flag("trace/allow_unsafe_memory")).isTrue();
        Policy q = Policy.defaults();
        q.applyProfile("paludis", Origin.argument(1));
        assertThat(q.snapshot().lock()).contains(LockState.OFF);
        assertThat(q.snapshot().checkPath(Category.WRITE, "/var/tmp/paludis/build/x")).isEqualTo(Action.ALLOW);
    }

    @Test
    void unknownProfile() {
        assertThatThrownBy(() -> Policy.defaults().applyProfile("usr", Origin.argument(2)))
                .hasMessage("-m argument 2: unknown profile `usr`\n  expected one of " + String.join(", ", Profiles.names())
                        + "\n  did you mean `user`?");
    }
}
