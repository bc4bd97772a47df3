package dev.jsyd.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.policy.Origin;
import dev.jsyd.policy.Policy;
import dev.jsyd.policy.Sandbox;
import org.junit.jupiter.api.Test;

class SegvGuardTest {
    static final long S = 1_000_000_000L;

    static Sandbox sb(String... commands) throws Exception {
        Policy p = Policy.defaults();
        int n = 0;
        for (String c : commands) p.apply(c, Origin.argument(++n));
        return p.snapshot();
    }

    @Test
    void suspendsAfterMaxCrashesWithinExpiryForTheSuspension() throws Exception {
        Sandbox sb = sb("segvguard/maxcrashes:3", "segvguard/expiry:10s", "segvguard/suspension:30s");
        SegvGuard g = new SegvGuard();
        long t = 1000 * S;
        assertThat(g.crashed(sb, "/bin/x", t)).isFalse();
        assertThat(g.crashed(sb, "/bin/x", t + 20 * S)).as("the first one expired").isFalse();
        assertThat(g.crashed(sb, "/bin/x", t + 21 * S)).isFalse();
        assertThat(g.suspended(sb, "/bin/x", t + 21 * S)).isFalse();
        assertThat(g.crashed(sb, "/bin/x", t + 22 * S)).isTrue();
        assertThat(g.suspended(sb, "/bin/x", t + 23 * S)).isTrue();
        assertThat(g.suspended(sb, "/bin/y", t + 23 * S)).isFalse();
        assertThat(g.suspended(sb, "/bin/x", t + 53 * S)).as("suspension over").isFalse();
    }

    @Test
    void expiryZeroTurnsItOffAndOnlyCoreSignalsCount() throws Exception {
        Sandbox off = sb("segvguard/maxcrashes:1", "segvguard/expiry:0");
        SegvGuard g = new SegvGuard();
        assertThat(g.crashed(off, "/bin/x", 0)).isFalse();
        assertThat(g.suspended(off, "/bin/x", 1)).isFalse();
        assertThat(SegvGuard.isCrash(11)).isTrue();
        assertThat(SegvGuard.isCrash(6)).isTrue();
        assertThat(SegvGuard.isCrash(31)).isTrue();
        assertThat(SegvGuard.isCrash(9)).as("SIGKILL").isFalse();
        assertThat(SegvGuard.isCrash(15)).as("SIGTERM").isFalse();
        assertThat(SegvGuard.isCrash(0)).isFalse();
    }
}
