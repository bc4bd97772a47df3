package dev.jsyd.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RuleEvaluationTest {
    static Policy policy(String... cmds) throws PolicyException {
        Policy p = Policy.defaults().environment(Map.of("HOME", "/home/u")::get);
        int n = 0;
        for (String c : cmds) p.apply(c, Origin.argument(++n));
        return p;
    }

    @Test
    void defaultsAreOnAndDeny() throws Exception {
        Sandbox s = Policy.defaults().snapshot();
        for (Category c : Category.values()) {
            if (c.isPath() || c.isNet()) {
                assertThat(s.enabled(c)).as(c.sydName()).isTrue();
                assertThat(s.defaultAction(c)).as(c.sydName()).isEqualTo(Action.DENY);
            }
        }
        assertThat(s.enabled(Category.MEM)).isFalse();
        assertThat(s.lock()).isEmpty();
        assertThat(s.checkPath(Category.EXEC, "/usr/bin/true")).isEqualTo(Action.DENY);
        assertThat(s.timeout()).isEmpty();
    }

    @Test
    void mayDenyBelowNeverMissesADeniedPath() throws Exception {
        String[][] policies = {
            {"allow/stat+/***", "deny/stat+/etc/shadow", "deny/stat+/root/***"},
            {"allow/stat+/usr/***"},
            {"allow/stat+/***", "deny/stat+/tmp/*/secret"},
            {"allow/stat+/***", "deny/stat+/home/**/x", "allow/stat+/home/u/***"},
            {"deny/stat+/***", "allow/stat+/tmp/***"},
            {"allow/stat+/***", "warn/stat+/etc/***", "kill/stat+/etc/passwd", "allow/stat+/etc/passwd"},
        };
        String[] dirs = {"/", "/etc", "/root", "/tmp", "/tmp/a", "/usr", "/usr/lib", "/home", "/home/u", "/home/v", "/home/v/x"};
        String[] names = {"shadow", "secret", "x", "a", "lib", "u", "passwd", "root", "etc", "tmp", "home", "usr"};
        int skippable = 0;
        for (String[] pol : policies) {
            Sandbox s = policy(pol).snapshot();
            for (String dir : dirs) {
                String below = dir.equals("/") ? "/" : dir + "/";
                boolean denied = false;
                for (String a : names) {
                    denied |= s.checkPath(Category.STAT, below + a).denies();
                    for (String b : names) denied |= s.checkPath(Category.STAT, below + a + "/" + b).denies();
                }
                boolean may = s.mayDenyBelow(Category.STAT, dir);
                if (denied) assertThat(may).as(String.join(" ", pol) + " below " + dir).isTrue();
                if (!may) skippable++;
            }
        }
        assertThat(skippable).as("directories whose listing needs no per-entry check").isGreaterThan(10);
        Sandbox real = policy(policies[0]).snapshot();
        assertThat(real.mayDenyBelow(Category.STAT, "/tmp/bench/tree")).isFalse();
        assertThat(real.mayDenyBelow(Category.STAT, "/etc")).isTrue();
        assertThat(real.mayDenyBelow(Category.STAT, "/")).isTrue();
        assertThat(real.mayDenyBelow(Category.READ, "/tmp")).as("read: default deny").isTrue();
        assertThat(policy("sandbox/stat:off").snapshot().mayDenyBelow(Category.STAT, "/")).isFalse();
    }

    @Test
    void lastMatchingRuleWins() throws Exception {
        Sandbox s = policy("allow/read+/usr/***", "deny/read+/usr/lib/secret", "warn/read+/usr/lib/*").snapshot();
        assertThat(s.checkPath(Category.READ, "/usr/bin/ls")).isEqualTo(Action.ALLOW);
        assertThat(s.checkPath(Category.READ, "/usr/lib/secret")).isEqualTo(Action.WARN);
        assertThat(s.checkPath(Category.READ, "/usr/lib/x/y")).isEqualTo(Action.ALLOW);
        assertThat(s.checkPath(Category.READ, "/etc/passwd")).isEqualTo(Action.DENY);
        Sandbox t = policy("warn/read+/usr/lib/*", "deny/read+/usr/lib/secret", "allow/read+/usr/***").snapshot();
        assertThat(t.checkPath(Category.READ, "/usr/lib/secret")).isEqualTo(Action.ALLOW);
    }

    @Test
    void literalRuleLaterThanGlobWins() throws Exception {
        Sandbox s = policy("allow/write+/tmp/**", "kill/write+/tmp/x").snapshot();
        assertThat(s.checkPath(Category.WRITE, "/tmp/x")).isEqualTo(Action.KILL);
        assertThat(s.checkPath(Category.WRITE, "/tmp/y")).isEqualTo(Action.ALLOW);
        Sandbox t = policy("kill/write+/tmp/x", "allow/write+/tmp/**").snapshot();
        assertThat(t.checkPath(Category.WRITE, "/tmp/x")).isEqualTo(Action.ALLOW);
    }

    @Test
    void removeTakesTheMostRecentEqualRule() throws Exception {
        Policy p = policy("allow/read+/a", "deny/read+/a", "allow/read+/a");
        assertThat(p.snapshot().checkPath(Category.READ, "/a")).isEqualTo(Action.ALLOW);
        p.apply("allow/read-/a", Origin.argument(4));
        assertThat(p.snapshot().rules(Category.READ)).extracting(RuleEntry::action).containsExactly(Action.ALLOW, Action.DENY);
        assertThat(p.snapshot().checkPath(Category.READ, "/a")).isEqualTo(Action.DENY);
        p.apply("deny/read-/a", Origin.argument(5));
        assertThat(p.snapshot().checkPath(Category.READ, "/a")).isEqualTo(Action.ALLOW);
        // removing something absent changes nothing
        p.apply("deny/read-/a", Origin.argument(6));
        assertThat(p.snapshot().rules(Category.READ)).hasSize(1);
    }

    @Test
    void removeAllTakesEveryEqualRule() throws Exception {
        Policy p = policy("allow/read+/a", "deny/read+/a", "allow/read+/a", "allow/read+/b");
        p.apply("allow/read^/a", Origin.argument(5));
        assertThat(p.snapshot().rules(Category.READ)).extracting(e -> e.print(Category.READ))
                .containsExactly("deny/read+/a", "allow/read+/b");
        p.apply("allow/read^", Origin.argument(6));
        assertThat(p.snapshot().rules(Category.READ)).extracting(RuleEntry::pattern).containsExactly("/a");
    }

    @Test
    void removalIsByNormalisedPattern() throws Exception {
        Policy p = policy("allow/read+/a\\:b", "allow/net/connect+127.0.0.1/32!80");
        p.apply("allow/read-/a:b", Origin.argument(3));
        p.apply("allow/net/connect-127.0.0.1!80", Origin.argument(4));
        assertThat(p.snapshot().rules(Category.READ)).isEmpty();
        assertThat(p.snapshot().rules(Category.NET_CONNECT)).isEmpty();
    }

    @Test
    void commaListsApplyToEachCategory() throws Exception {
        Sandbox s = policy("allow/read,stat,walk+/usr/***", "sandbox/read,stat:off").snapshot();
        assertThat(s.checkPath(Category.WALK, "/usr/x")).isEqualTo(Action.ALLOW);
        assertThat(s.checkPath(Category.WRITE, "/usr/x")).isEqualTo(Action.DENY);
        assertThat(s.enabled(Category.READ)).isFalse();
        assertThat(s.enabled(Category.STAT)).isFalse();
        assertThat(s.checkPath(Category.READ, "/etc/shadow")).as("off allows").isEqualTo(Action.ALLOW);
        assertThat(s.decidePath(Category.READ, "/etc/shadow")).isEqualTo(Action.DENY);
    }

    @Test
    void aliasesSkipCategoriesThePatternDoesNotFit() throws Exception {
        Sandbox s = policy("allow/all+/tmp/***").snapshot();
        assertThat(s.checkPath(Category.MKDIR, "/tmp/d")).isEqualTo(Action.ALLOW);
        assertThat(s.checkUnix(Category.NET_BIND, "/tmp/s.sock")).isEqualTo(Action.ALLOW);
        assertThat(s.rules(Category.IOCTL)).isEmpty();
    }

    @Test
    void defaultActionAppliesWhenNothingMatches() throws Exception {
        Sandbox s = policy("default/read:kill", "default/net:warn", "allow/read+/ok").snapshot();
        assertThat(s.checkPath(Category.READ, "/nope")).isEqualTo(Action.KILL);
        assertThat(s.checkPath(Category.READ, "/ok")).isEqualTo(Action.ALLOW);
        assertThat(s.checkInet(Category.NET_CONNECT, InetAddress.getByName("1.2.3.4"), 80)).isEqualTo(Action.WARN);
    }

    @Test
    void inetRulesCidrAndPorts() throws Exception {
        Sandbox s = policy("allow/net/connect+10.0.0.0/8!443", "allow/net/connect+::1!80-8080",
                "deny/net/connect+10.1.0.0/16!443", "allow/net/connect+192.168.1.1!0",
                "allow/net/bind+0.0.0.0/0!65535").snapshot();
        var c = Category.NET_CONNECT;
        assertThat(s.checkInet(c, ip("10.2.3.4"), 443)).isEqualTo(Action.ALLOW);
        assertThat(s.checkInet(c, ip("10.1.3.4"), 443)).isEqualTo(Action.DENY);
        assertThat(s.checkInet(c, ip("10.2.3.4"), 444)).isEqualTo(Action.DENY);
        assertThat(s.checkInet(c, ip("11.0.0.0"), 443)).isEqualTo(Action.DENY);
        assertThat(s.checkInet(c, ip("::1"), 80)).isEqualTo(Action.ALLOW);
        assertThat(s.checkInet(c, ip("::1"), 8080)).isEqualTo(Action.ALLOW);
        assertThat(s.checkInet(c, ip("::1"), 8081)).isEqualTo(Action.DENY);
        assertThat(s.checkInet(c, ip("::1"), 79)).isEqualTo(Action.DENY);
        assertThat(s.checkInet(c, ip("::2"), 80)).isEqualTo(Action.DENY);
        assertThat(s.checkInet(c, ip("192.168.1.1"), 0)).isEqualTo(Action.ALLOW);
        assertThat(s.checkInet(c, ip("192.168.1.1"), 1)).isEqualTo(Action.DENY);
        assertThat(s.checkInet(Category.NET_BIND, ip("8.8.8.8"), 65535)).isEqualTo(Action.ALLOW);
        assertThat(s.checkInet(Category.NET_BIND, ip("8.8.8.8"), 65534)).isEqualTo(Action.DENY);
        assertThat(s.checkInet(Category.NET_BIND, ip("::"), 65535)).as("v4 /0 is not v6").isEqualTo(Action.DENY);
    }

    @Test
    void ipv4MappedIpv6IsAlsoCheckedAsIpv4() throws Exception {
        Sandbox s = policy("allow/net/connect+127.0.0.0/8!80").snapshot();
        InetAddress mapped = java.net.Inet6Address.getByAddress(null,
                new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 127, 0, 0, 5}, -1);
        assertThat(s.checkInet(Category.NET_CONNECT, mapped, 80)).isEqualTo(Action.ALLOW);
        assertThat(s.checkInet(Category.NET_CONNECT, mapped, 81)).isEqualTo(Action.DENY);
        Sandbox t = policy("allow/net/connect+::ffff:127.0.0.0/104!80").snapshot();
        assertThat(t.checkInet(Category.NET_CONNECT, mapped, 80)).isEqualTo(Action.ALLOW);
        Sandbox u = policy("deny/net/connect+any6!0-65535", "allow/net/connect+any4!0-65535").snapshot();
        assertThat(u.checkInet(Category.NET_CONNECT, mapped, 80)).isEqualTo(Action.ALLOW);
        Sandbox v = policy("allow/net/connect+any4!0-65535", "deny/net/connect+any6!0-65535").snapshot();
        assertThat(v.checkInet(Category.NET_CONNECT, mapped, 80)).as("mapped is also IPv6").isEqualTo(Action.DENY);
        assertThat(v.checkInet(Category.NET_CONNECT, ip("127.0.0.5"), 80)).as("plain v4 is not v6").isEqualTo(Action.ALLOW);
    }

    @Test
    void prefixEdgeCases() throws Exception {
        Sandbox s = policy("allow/net/connect+0.0.0.0/0!1", "allow/net/connect+1.2.3.4/32!2",
                "allow/net/connect+::/0!3", "allow/net/connect+2001:db8::1/128!4").snapshot();
        var c = Category.NET_CONNECT;
        assertThat(s.checkInet(c, ip("255.255.255.255"), 1)).isEqualTo(Action.ALLOW);
        assertThat(s.checkInet(c, ip("0.0.0.0"), 1)).isEqualTo(Action.ALLOW);
        assertThat(s.checkInet(c, ip("1.2.3.4"), 2)).isEqualTo(Action.ALLOW);
        assertThat(s.checkInet(c, ip("1.2.3.5"), 2)).isEqualTo(Action.DENY);
        assertThat(s.checkInet(c, ip("ffff::1"), 3)).isEqualTo(Action.ALLOW);
        assertThat(s.checkInet(c, ip("2001:db8::1"), 4)).isEqualTo(Action.ALLOW);
        assertThat(s.checkInet(c, ip("2001:db8::2"), 4)).isEqualTo(Action.DENY);
    }

    @Test
    void aliases() throws Exception {
        Sandbox s = policy("allow/net/connect+loopback!0-65535", "allow/net/connect+linklocal6!22",
                "allow/net/connect+local4!8080", "allow/net/connect+multicast!5353").snapshot();
        var c = Category.NET_CONNECT;
        assertThat(s.checkInet(c, ip("127.1.2.3"), 9)).isEqualTo(Action.ALLOW);
        assertThat(s.checkInet(c, ip("::1"), 9)).isEqualTo(Action.ALLOW);
        assertThat(s.checkInet(c, ip("fe80::1"), 22)).isEqualTo(Action.ALLOW);
        assertThat(s.checkInet(c, ip("169.254.1.1"), 22)).isEqualTo(Action.DENY);
        assertThat(s.checkInet(c, ip("172.20.0.1"), 8080)).isEqualTo(Action.ALLOW);
        assertThat(s.checkInet(c, ip("172.32.0.1"), 8080)).isEqualTo(Action.DENY);
        assertThat(s.checkInet(c, ip("224.0.0.251"), 5353)).isEqualTo(Action.ALLOW);
        assertThat(s.checkInet(c, ip("ff02::fb"), 5353)).isEqualTo(Action.ALLOW);
    }

    @Test
    void unixAndAbstractSockets() throws Exception {
        Sandbox s = policy("allow/net/connect+/run/user/*/bus", "allow/net/bind+@dbus-*", "deny/net/connect+@**").snapshot();
        assertThat(s.checkUnix(Category.NET_CONNECT, "/run/user/1000/bus")).isEqualTo(Action.ALLOW);
        assertThat(s.checkUnix(Category.NET_CONNECT, "/run/user/1000/x/bus")).isEqualTo(Action.DENY);
        assertThat(s.checkUnix(Category.NET_BIND, "@dbus-1")).isEqualTo(Action.ALLOW);
        assertThat(s.checkUnix(Category.NET_BIND, "/dbus-1")).isEqualTo(Action.DENY);
        assertThat(s.checkUnix(Category.NET_CONNECT, "@x/y")).isEqualTo(Action.DENY);
        // an inet rule never matches a UNIX address
        Sandbox t = policy("allow/net/connect+any!0-65535").snapshot();
        assertThat(t.checkUnix(Category.NET_CONNECT, "/tmp/s")).isEqualTo(Action.DENY);
    }

    @Test
    void ioctlAndNames() throws Exception {
        Sandbox s = policy("allow/ioctl+TCGETS", "allow/ioctl+0x5413", "deny/ioctl+TIOCSTI").snapshot();
        assertThat(s.checkIoctl(0x5401)).isEqualTo(Action.ALLOW);
        assertThat(s.checkIoctl(0x5413)).isEqualTo(Action.ALLOW);
        assertThat(s.checkIoctl(0x5412)).isEqualTo(Action.DENY);
        assertThat(s.checkIoctl(0x1234)).isEqualTo(Action.DENY);
        assertThat(s.checkIoctl(0xffffffff00001234L)).as("the kernel reads 32 bits").isEqualTo(Action.DENY);
        // the default allow list, and a later rule overriding it (last match wins), by number or name
        assertThat(s.checkIoctl(0x541b)).as("FIONREAD is on the default list").isEqualTo(Action.ALLOW);
        Sandbox t = policy("deny/ioctl+tcgets,0x541B", "warn/ioctl+FIONREAD").snapshot();
        assertThat(t.checkIoctl(0x5401)).isEqualTo(Action.DENY);
        assertThat(t.checkIoctl(0x541b)).isEqualTo(Action.WARN);
        assertThat(t.checkIoctl(0xae80)).as("KVM_RUN: not on the default list").isEqualTo(Action.DENY);
        Sandbox off = policy("sandbox/ioctl:off", "deny/ioctl+TCGETS").snapshot();
        assertThat(off.checkIoctl(0x5401)).as("ioctl sandboxing off").isEqualTo(Action.ALLOW);
    }

    @Test
    void settingsAndLists() throws Exception {
        Sandbox s = policy("lock:exec", "timeout:1m30s", "trace/allow_safe_bind:1", "unshare/user,net:1",
                "root:/srv/r", "name/host:box", "rlimit/nofile:1024", "rlimit/as:1G", "rlimit/cpu:1m",
                "rlimit/stack:inf", "mem/max:512M", "pid/max:64", "bind+/etc:/etc:ro", "bind+tmpfs:/tmp:nodev",
                "bind-/etc:/etc:ro", "mask+/proc/cpuinfo", "mask+/etc/id:/dev/zero", "append+/var/log/***",
                "force+/bin/true:sha256:" + "00ff".repeat(16), "force+/bin/true:sha512:" + "ee".repeat(64), "setuid+1000:65534",
                "block+10.0.0.0/8", "allow/lock/read,exec+/usr", "tpe/gid:100", "segvguard/maxcrashes:9").snapshot();
        assertThat(s.lock()).contains(LockState.EXEC);
        assertThat(s.timeout()).contains(java.time.Duration.ofSeconds(90));
        assertThat(s.flag("trace/allow_safe_bind")).isTrue();
        assertThat(s.flag("trace/exit_wait_all")).isFalse();
        assertThat(s.unshare()).containsExactly("user", "net");
        assertThat(s.root()).contains("/srv/r");
        assertThat(s.hostname()).contains("box");
        assertThat(s.rlimits()).containsEntry("nofile", 1024L).containsEntry("as", 1L << 30)
                .containsEntry("cpu", 60L).containsEntry("stack", -1L);
        assertThat(s.memMax()).hasValue(512L << 20);
        assertThat(s.pidMax()).hasValue(64);
        assertThat(s.binds()).containsExactly(new Sandbox.BindMount("tmpfs", "/tmp", List.of("nodev")));
        assertThat(s.mask("/proc/cpuinfo")).isPresent();
        assertThat(s.mask("/etc/id").orElseThrow().target()).contains("/dev/zero");
        assertThat(s.mask("/etc/other")).isEmpty();
        assertThat(s.appendOnly("/var/log/x")).isTrue();
        assertThat(s.appendOnly("/var/lib/x")).isFalse();
        assertThat(s.forceRules()).hasSize(1);
        assertThat(s.force("/bin/true").orElseThrow().algorithm()).isEqualTo("sha512");
        assertThat(s.setuid()).containsExactly(new Sandbox.IdTransition("1000", "65534"));
        assertThat(s.blocked(ip("10.9.9.9"))).isTrue();
        assertThat(s.blocked(ip("11.9.9.9"))).isFalse();
        assertThat(s.landlock()).containsExactly(new Sandbox.LandlockRule("read", "/usr"), new Sandbox.LandlockRule("exec", "/usr"));
        assertThat(s.tpeGid()).hasValue(100);
        assertThat(s.segvguardMaxCrashes()).isEqualTo(9);
        assertThat(s.segvguardExpiry()).isEqualTo(java.time.Duration.ofSeconds(120));
    }

    @Test
    void queries() throws Exception {
        Policy p = policy("sandbox/read:off", "trace/allow_safe_bind:1", "unshare/user:1");
        assertThat(p.query("sandbox/read?")).isFalse();
        assertThat(p.query("sandbox/write?")).isTrue();
        assertThat(p.query("sandbox/read,write?")).isFalse();
        assertThat(p.query("trace/allow_safe_bind?")).isTrue();
        assertThat(p.query("trace/exit_wait_all?")).isFalse();
        assertThat(p.query("unshare/user?")).isTrue();
        assertThat(p.query("unshare/user,net?")).isFalse();
    }

    @Test
    void resetAndPanicAndGeneration() throws Exception {
        Policy p = policy("lock:exec", "allow/read+/x", "sandbox/write:off");
        long g = p.generation();
        Sandbox before = p.snapshot();
        assertThat(p.snapshot()).isSameAs(before);
        p.apply("reset", Origin.argument(4));
        assertThat(p.generation()).isGreaterThan(g);
        Sandbox after = p.snapshot();
        assertThat(after).isNotSameAs(before);
        assertThat(after.rules(Category.READ)).isEmpty();
        assertThat(after.enabled(Category.WRITE)).isTrue();
        assertThat(after.lock()).contains(LockState.EXEC);
        assertThat(before.rules(Category.READ)).as("old snapshots are immutable").hasSize(1);
        assertThat(after.panicked()).isFalse();
        p.apply("panic", Origin.argument(5));
        assertThat(p.snapshot().panicked()).isTrue();
    }

    @Test
    void runtimeCommandsRespectTheLock() throws Exception {
        Policy p = policy("lock:on");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> p.apply("allow/read+/x", Origin.runtime()))
                .isInstanceOf(PolicyException.class).hasMessageContaining("locked");
        Policy d = policy("lock:drop");
        d.apply("deny/read+/x", Origin.runtime());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> d.apply("allow/read+/x", Origin.runtime()))
                .hasMessageContaining("reduce privileges");
        Policy o = policy("lock:off");
        o.apply("allow/read+/x", Origin.runtime());
        assertThat(o.snapshot().checkPath(Category.READ, "/x")).isEqualTo(Action.ALLOW);
        Policy unset = Policy.defaults();
        unset.lockIfUnset();
        assertThat(unset.snapshot().lock()).contains(LockState.ON);
    }

    @Test
    void cacheGivesTheSameDecisionsAsUncachedEvaluation() throws Exception {
        List<String> cmds = new ArrayList<>();
        java.util.Random r = new java.util.Random(42);
        Action[] acts = Action.values();
        for (int i = 0; i < 1000; i++) {
            String act = acts[r.nextInt(acts.length)].sydName();
            String pat = switch (i % 4) {
                case 0 -> "/d" + r.nextInt(50) + "/f" + r.nextInt(20);
                case 1 -> "/d" + r.nextInt(50) + "/***";
                case 2 -> "/d" + r.nextInt(50) + "/*.c";
                default -> "/d" + r.nextInt(50) + "/**/x" + r.nextInt(5);
            };
            cmds.add(act + "/read+" + pat);
        }
        Sandbox s = policy(cmds.toArray(String[]::new)).snapshot();
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            paths.add("/d" + r.nextInt(55) + (r.nextBoolean() ? "/f" + r.nextInt(25) : "/a/x" + r.nextInt(6))
                    + (r.nextInt(4) == 0 ? ".c" : ""));
        }
        for (int round = 0; round < 3; round++) {
            for (String p : paths) {
                Action expected = naive(s.rules(Category.READ), p, s.defaultAction(Category.READ));
                assertThat(s.checkPath(Category.READ, p)).as(p).isEqualTo(expected);
                assertThat(s.decidePath(Category.READ, p)).as(p).isEqualTo(expected);
            }
        }
    }

    /** The definition: scan from the end, first match wins. */
    static Action naive(List<RuleEntry> rules, String path, Action dflt) {
        for (int i = rules.size() - 1; i >= 0; i--) {
            if (Glob.compile(rules.get(i).pattern()).matches(path)) return rules.get(i).action();
        }
        return dflt;
    }

    static InetAddress ip(String s) throws Exception {
        return InetAddress.getByAddress(Address.parseIp(s));
    }
}
