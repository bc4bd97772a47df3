package dev.jsyd.confine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jsyd.policy.Origin;
import dev.jsyd.policy.Policy;
import dev.jsyd.policy.Sandbox;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The launch plan a policy produces: its steps, their fixed order, and the launcher's message. */
class LaunchPlanTest {
    static final PlanBuilder.Host ROOT = new PlanBuilder.Host(0, 0, 7);
    static final byte[] FILTER = new byte[16];

    static Sandbox sandbox(String... cmds) throws Exception {
        Policy p = Policy.defaults();
        int n = 0;
        for (String c : cmds) p.apply(c, Origin.argument(++n));
        return p.snapshot();
    }

    static List<Class<?>> kinds(LaunchPlan plan) {
        return plan.steps().stream().<Class<?>>map(Object::getClass).distinct().toList();
    }

    @Test
    void theDefaultPlanIsHardeningThenTheFilter() throws Exception {
        LaunchPlan plan = PlanBuilder.build(sandbox(), FILTER, ROOT);
        // The signal scope (no signal or ptrace-mode access leaves the sandbox) is always there on ABI 6+.
        assertThat(plan.steps()).containsExactly(new LaunchPlan.Rlimit(4, "core", 0, 0),
                new LaunchPlan.LandlockCreate(0, 0, LandlockRules.SCOPE_SIGNAL), new LaunchPlan.LandlockRestrict(0),
                new LaunchPlan.DropCaps(PlanBuilder.KEEP_CAPS), new LaunchPlan.Mdwe(), plan.steps().get(5));
        assertThat(plan.steps().get(5)).isInstanceOf(LaunchPlan.Seccomp.class);
        assertThat(plan.forks()).isFalse();
        assertThat(plan.filtered()).isTrue();
        // The relaxing switches remove their step; without Landlock ABI 6 there is no scope.
        LaunchPlan relaxed = PlanBuilder.build(sandbox("trace/allow_unsafe_caps:1", "trace/allow_unsafe_memory:1",
                "trace/allow_unsafe_dumpable:1"), null, new PlanBuilder.Host(0, 0, 5));
        assertThat(relaxed.steps()).isEmpty();
        assertThat(relaxed.filtered()).isFalse();
    }

    @Test
    void everyLayerComesInTheFixedOrder() throws Exception {
        LaunchPlan plan = PlanBuilder.build(sandbox("unshare/mount,uts,ipc,pid,net,cgroup:on", "time:60",
                "root:/srv/root", "bind+tmpfs:/tmp:nodev,size=1M", "name/host:box", "name/domain:lan",
                "rlimit/nofile:17", "sandbox/lock:on", "allow/lock/read+/usr", "allow/lock/connect+80"), FILTER, ROOT);
        assertThat(kinds(plan)).containsExactly(LaunchPlan.Unshare.class, LaunchPlan.TimeOffset.class,
                LaunchPlan.Fork.class, LaunchPlan.LoopbackUp.class, LaunchPlan.Mount.class, LaunchPlan.PivotRoot.class,
                LaunchPlan.Hostname.class, LaunchPlan.Domainname.class, LaunchPlan.Rlimit.class,
                LaunchPlan.LandlockCreate.class, LaunchPlan.LandlockPath.class, LaunchPlan.LandlockPort.class,
                LaunchPlan.LandlockRestrict.class, LaunchPlan.DropCaps.class, LaunchPlan.Mdwe.class, LaunchPlan.Seccomp.class);
        LaunchPlan.Unshare u = (LaunchPlan.Unshare) plan.steps().get(0);
        assertThat(u.flags()).isEqualTo(0x20000L | 0x04000000L | 0x08000000L | 0x20000000L | 0x40000000L | 0x02000000L | 0x80L);
        // Mounts: private, root on itself, the tmpfs inside the new root, proc of the pid namespace.
        List<LaunchPlan.Mount> mounts = plan.steps().stream().filter(s -> s instanceof LaunchPlan.Mount)
                .map(LaunchPlan.Mount.class::cast).toList();
        assertThat(mounts).extracting(LaunchPlan.Mount::target).containsExactly("/", "/srv/root", "/srv/root/tmp", "/srv/root/proc");
        assertThat(mounts.get(2).fstype()).isEqualTo("tmpfs");
        assertThat(mounts.get(2).flags()).isEqualTo(MountSteps.MS_NODEV);
        assertThat(mounts.get(2).data()).isEqualTo("size=1M");
        assertThatThrownBy(() -> new LaunchPlan(List.of(new LaunchPlan.Mdwe(), new LaunchPlan.Fork())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("out of order");
    }

    @Test
    void settingsImplyTheNamespaceTheyNeed() throws Exception {
        assertThat(PlanBuilder.namespaces(sandbox("bind+/etc:/etc:ro"))).containsExactly("mount");
        assertThat(PlanBuilder.namespaces(sandbox("root:/x"))).containsExactly("mount");
        assertThat(PlanBuilder.namespaces(sandbox("name/host:a"))).containsExactly("uts");
        assertThat(PlanBuilder.namespaces(sandbox("name/domain:a"))).containsExactly("uts");
        assertThat(PlanBuilder.namespaces(sandbox("time:5"))).containsExactly("time");
        assertThat(PlanBuilder.namespaces(sandbox("root/map:1"))).containsExactly("user");
        assertThat(PlanBuilder.namespaces(sandbox())).isEmpty();
        // Without root, a user namespace comes with any other; with root/map the ids map to 0.
        LaunchPlan user = PlanBuilder.build(sandbox("unshare/uts:1"), null, new PlanBuilder.Host(1000, 100, 7));
        assertThat(user.steps().get(0)).isEqualTo(new LaunchPlan.Unshare(0x04000000L | 0x10000000L, 1000, 1000, 100, 100));
        LaunchPlan mapped = PlanBuilder.build(sandbox("root/map:1"), null, new PlanBuilder.Host(1000, 100, 7));
        assertThat(mapped.steps().get(0)).isEqualTo(new LaunchPlan.Unshare(0x10000000L, 0, 1000, 0, 100));
        // Only pid and time namespaces make the launcher fork.
        assertThat(PlanBuilder.build(sandbox("unshare/mount,net:1"), null, ROOT).forks()).isFalse();
        assertThat(PlanBuilder.build(sandbox("unshare/time:1"), null, ROOT).forks()).isTrue();
    }

    @Test
    void bindMountsBindThenRemountWithTheirFlags() throws Exception {
        LaunchPlan plan = PlanBuilder.build(sandbox("bind+/usr:/usr:ro,nosuid,nodev,noexec,nosymfollow,noatime"), null, ROOT);
        List<LaunchPlan.Mount> m = plan.steps().stream().filter(s -> s instanceof LaunchPlan.Mount).map(LaunchPlan.Mount.class::cast).toList();
        assertThat(m).hasSize(3);
        assertThat(m.get(1)).isEqualTo(new LaunchPlan.Mount(MountSteps.MS_BIND | MountSteps.MS_REC, LaunchPlan.SKIP_MISSING,
                "/usr", "/usr", null, null, m.get(1).what()));
        assertThat(m.get(2).flags()).isEqualTo(MountSteps.MS_BIND | MountSteps.MS_REMOUNT | MountSteps.MS_RDONLY
                | MountSteps.MS_NOSUID | MountSteps.MS_NODEV | MountSteps.MS_NOEXEC | MountSteps.MS_NOSYMFOLLOW | MountSteps.MS_NOATIME);
        assertThat(m.get(2).options()).isEqualTo(LaunchPlan.SKIP_AFTER_SKIP);
        assertThatThrownBy(() -> PlanBuilder.build(sandbox("bind+/usr:/usr:mode=755"), null, ROOT))
                .isInstanceOf(PlanException.class).hasMessageContaining("filesystem mounts only");
    }

    @Test
    void rlimitsSetSoftAndHardAndCoreDefaultsToZero() throws Exception {
        LaunchPlan plan = PlanBuilder.build(sandbox("rlimit/nofile:17", "rlimit/as:1G", "rlimit/cpu:10s",
                "rlimit/rttime:2s", "rlimit/stack:inf"), null, ROOT);
        assertThat(plan.steps()).contains(new LaunchPlan.Rlimit(7, "nofile", 17, 17), new LaunchPlan.Rlimit(9, "as", 1L << 30, 1L << 30),
                new LaunchPlan.Rlimit(0, "cpu", 10, 10), new LaunchPlan.Rlimit(15, "rttime", 2_000_000, 2_000_000),
                new LaunchPlan.Rlimit(3, "stack", -1, -1), new LaunchPlan.Rlimit(4, "core", 0, 0));
        assertThat(PlanBuilder.build(sandbox("rlimit/core:1M"), null, ROOT).steps()).contains(new LaunchPlan.Rlimit(4, "core", 1 << 20, 1 << 20));
        assertThat(PlanBuilder.build(sandbox("rlimit/nofile:17", "rlimit/nofile:none"), null, ROOT).steps())
                .noneMatch(s -> s instanceof LaunchPlan.Rlimit r && r.name().equals("nofile"));
    }

    @Test
    void landlockHandlesEveryRightAndMapsSydRights() throws Exception {
        LaunchPlan plan = PlanBuilder.build(sandbox("sandbox/lock:on", "allow/lock/read,exec+/usr", "allow/lock/write+/usr",
                "allow/lock/bind+/run/sock", "allow/lock/bind+0", "allow/lock/connect+0-65535"), null, ROOT);
        var create = plan.steps().stream().filter(s -> s instanceof LaunchPlan.LandlockCreate).findFirst().orElseThrow();
        // Every fs right of ABI 7; bind handled (a port rule), connect not (all ports allowed); both scopes.
        assertThat(create).isEqualTo(new LaunchPlan.LandlockCreate(0xffff, LandlockRules.BIND_TCP,
                LandlockRules.SCOPE_SIGNAL | LandlockRules.SCOPE_ABSTRACT_UNIX));
        assertThat(plan.steps()).contains(new LaunchPlan.LandlockPath(LandlockRules.READ_FILE | LandlockRules.EXECUTE
                        | LandlockRules.WRITE_FILE, LandlockRules.READ_FILE | LandlockRules.EXECUTE | LandlockRules.WRITE_FILE, true, "/usr"),
                new LaunchPlan.LandlockPath(LandlockRules.MAKE_SOCK, 0, true, "/run/sock"),
                new LaunchPlan.LandlockPort(LandlockRules.BIND_TCP, 0, 0));
        assertThat(plan.steps()).noneMatch(s -> s instanceof LaunchPlan.LandlockPort p && p.access() == LandlockRules.CONNECT_TCP);
        for (var e : LandlockRules.PATH_RIGHTS.entrySet()) assertThat(Long.bitCount(e.getValue())).as(e.getKey()).isEqualTo(1);
        assertThat(LandlockRules.PATH_RIGHTS.values().stream().mapToLong(Long::longValue).reduce(0, (a, b) -> a | b)).isEqualTo(0xffff);
    }

    @Test
    void compatibilityFollowsDefaultLock() throws Exception {
        List<LandlockRules.Rule> rules = List.of(LandlockRules.rule("read", "/usr"));
        long scopes = LandlockRules.SCOPE_SIGNAL;
        // ABI 3: no ioctl right, no scopes.
        assertThatThrownBy(() -> LandlockRules.steps(rules, scopes, 3, LandlockRules.Compat.HARD)).isInstanceOf(PlanException.class);
        assertThat(LandlockRules.steps(rules, scopes, 3, LandlockRules.Compat.SOFT)).isEmpty();
        assertThat(LandlockRules.steps(rules, scopes, 3, LandlockRules.Compat.BEST).get(0))
                .isEqualTo(new LaunchPlan.LandlockCreate(LandlockRules.fsRights(3), 0, 0));
        assertThat(LandlockRules.steps(rules, scopes, 0, LandlockRules.Compat.BEST)).isEmpty();
        assertThatThrownBy(() -> LandlockRules.steps(rules, 0, 0, LandlockRules.Compat.HARD)).isInstanceOf(PlanException.class);
        assertThat(LandlockRules.Compat.of(sandbox().defaultAction(dev.jsyd.policy.Category.LOCK))).isEqualTo(LandlockRules.Compat.HARD);
        assertThat(LandlockRules.Compat.of(dev.jsyd.policy.Action.WARN)).isEqualTo(LandlockRules.Compat.BEST);
        assertThat(LandlockRules.Compat.of(dev.jsyd.policy.Action.DENY)).isEqualTo(LandlockRules.Compat.SOFT);
    }

    @Test
    void theMessageIsHeaderThenEightByteAlignedSteps() throws Exception {
        LaunchPlan plan = new LaunchPlan(List.of(new LaunchPlan.Hostname("box"), new LaunchPlan.Rlimit(7, "nofile", 17, 18),
                new LaunchPlan.Mdwe()));
        ByteBuffer b = ByteBuffer.wrap(plan.encode(1234)).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getInt()).isEqualTo(LaunchPlan.MAGIC);
        assertThat(b.getInt()).isEqualTo(LaunchPlan.VERSION);
        assertThat(b.getInt()).isEqualTo(1234);
        assertThat(b.getInt()).isEqualTo(b.remaining());
        assertThat(b.getInt()).isEqualTo(7); // HOSTNAME
        assertThat(b.getInt()).isEqualTo(4); // "box\0"
        assertThat(new String(new byte[] {b.get(), b.get(), b.get(), b.get()}, java.nio.charset.StandardCharsets.ISO_8859_1)).isEqualTo("box\0");
        b.position(b.position() + 4); // padding to 8
        assertThat(b.getInt()).isEqualTo(9); // RLIMIT
        assertThat(b.getInt()).isEqualTo(24);
        assertThat(b.getInt()).isEqualTo(7);
        assertThat(b.getInt()).isZero();
        assertThat(b.getLong()).isEqualTo(17);
        assertThat(b.getLong()).isEqualTo(18);
        assertThat(b.getInt()).isEqualTo(15); // MDWE
        assertThat(b.getInt()).isZero();
        assertThat(b.remaining()).isZero();
        assertThat(plan.describe(1)).isEqualTo("set rlimit/nofile");
    }
}
