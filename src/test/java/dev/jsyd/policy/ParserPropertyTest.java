package dev.jsyd.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class ParserPropertyTest {
    static final Map<String, String> ENV = Map.of("HOME", "/home/u", "X", "x");

    // ---- the parser fails only with PolicyException ------------------------------------------

    @Provide
    Arbitrary<String> noise() {
        return Arbitraries.strings().withChars("abcdefilnorstuwx/:+-^?!,*[]\\${}@.0123456789 _\u00fc\t").ofMaxLength(40);
    }

    @Provide
    Arbitrary<String> mutated() {
        Arbitrary<String> base = Arbitraries.of(validSamples());
        return Combinators.combine(base, Arbitraries.integers().between(0, 60), Arbitraries.integers().between(0, 3),
                Arbitraries.chars().with("/:+-^?!,*[]\\${}@.0 x")).as((s, pos, kind, ch) -> {
                    int p = Math.min(pos, s.length());
                    return switch (kind) {
                        case 0 -> s.substring(0, p) + ch + s.substring(p);
                        case 1 -> p < s.length() ? s.substring(0, p) + s.substring(p + 1) : s;
                        case 2 -> s.substring(0, p);
                        default -> p < s.length() ? s.substring(0, p) + ch + s.substring(p + 1) : s + ch;
                    };
                });
    }

    static List<String> validSamples() {
        return List.of("sandbox/read,stat:on", "default/net/connect:kill", "allow/read+/usr/***",
                "allow/net/connect+10.0.0.0/8!80-90", "deny/net/bind+::1!0", "allow/ioctl+TCGETS",
                "allow/lock/read,bind+/tmp", "allow/lock/connect+1-2", "bind+tmpfs:/tmp:nodev,mode=1777",
                "mask+/a:/b", "force+/bin/x:sha256:00ff:kill", "setuid+1000:0", "rlimit/as:1G", "timeout:1m30s",
                "mem/max:512M", "trace/force_umask:077", "unshare/user,net:1", "lock:exec", "include_profile off",
                "root:/x", "name/host:h", "block+10.0.0.0/8", "allow/read+${HOME}/x", "cmd/exec!a", "reset",
                "trace/allow_unsafe_namespace:user", "tpe/gid:10", "segvguard/expiry:2m", "log/level:info");
    }

    @Property(tries = 3000)
    void randomInputOnlyEverFailsWithPolicyException(@ForAll("noise") String input) {
        onlyPolicyException(input);
    }

    @Property(tries = 3000)
    void mutatedCommandsOnlyEverFailWithPolicyException(@ForAll("mutated") String input) {
        onlyPolicyException(input);
    }

    private static void onlyPolicyException(String input) {
        Policy p = Policy.defaults().environment(ENV::get).userProfileFiles(List.of());
        try {
            if (input.endsWith("?")) p.query(input);
            else p.apply(input, Origin.argument(1));
        } catch (PolicyException e) {
            assertThat(e.getMessage()).isNotBlank().doesNotContain("Exception");
            assertThat(e.getStackTrace()).isEmpty();
        }
        // the snapshot must always be buildable after whatever was accepted
        p.snapshot();
    }

    // ---- print∘parse is the identity on generated valid commands -----------------------------

    @Provide
    Arbitrary<String> validCommands() {
        Arbitrary<String> pathCats = Arbitraries.of("walk", "stat", "read", "write", "exec", "create", "delete",
                "rename", "symlink", "truncate", "chdir", "readdir", "mkdir", "rmdir", "chown", "chgrp", "chmod",
                "chattr", "chroot", "notify", "utime", "mkbdev", "mkcdev", "mkfifo", "mktemp", "rpath", "wpath", "all")
                .list().ofMinSize(1).ofMaxSize(3).map(l -> String.join(",", l));
        Arbitrary<String> netCats = Arbitraries.of("net/bind", "net/connect", "net/sendfd", "net", "inet")
                .list().ofMinSize(1).ofMaxSize(2).map(l -> String.join(",", l));
        Arbitrary<String> anyCats = Arbitraries.of("read", "net/bind", "ioctl", "mem", "pid", "lock", "force", "tpe",
                "segvguard", "block", "net").list().ofMinSize(1).ofMaxSize(3).map(l -> String.join(",", l));
        Arbitrary<String> toggleCats = Arbitraries.of("read", "net/bind", "ioctl", "mem", "pid", "lock", "force",
                "tpe", "crypt", "proxy", "pty", "all", "net").list().ofMinSize(1).ofMaxSize(3).map(l -> String.join(",", l));
        Arbitrary<String> action = Arbitraries.of(Action.values()).map(Action::sydName);
        Arbitrary<String> op = Arbitraries.of("+", "-", "^");
        Arbitrary<String> glob = Arbitraries.of("a", "b", "/", "*", "**", "?", "[ab]", "[!x]", "\\*", "\\:", ".", "-",
                "[[:digit:]]", ",", ":", "+").list().ofMaxSize(6).map(l -> "/" + String.join("", l))
                .flatMap(g -> Arbitraries.of(g, g + "/***"));
        Arbitrary<String> plain = Arbitraries.of("a", "b", "/", ":", ".", "-", "\u00fc").list().ofMaxSize(6)
                .map(l -> "/" + String.join("", l));
        Arbitrary<String> ipv4 = Arbitraries.integers().between(0, 255).list().ofSize(4)
                .map(l -> l.get(0) + "." + l.get(1) + "." + l.get(2) + "." + l.get(3));
        Arbitrary<String> ipv6 = Arbitraries.integers().between(0, 0xffff).list().ofSize(8).map(l -> {
            List<String> h = new ArrayList<>();
            for (int x : l) h.add(Integer.toHexString(x % 3 == 0 ? 0 : x));
            return String.join(":", h);
        });
        Arbitrary<String> host = Arbitraries.oneOf(
                Combinators.combine(ipv4, Arbitraries.integers().between(-1, 32)).as((ip, p) -> p < 0 ? ip : ip + "/" + p),
                Combinators.combine(ipv6, Arbitraries.integers().between(-1, 128)).as((ip, p) -> p < 0 ? ip : ip + "/" + p),
                Arbitraries.of("any", "any4", "any6", "loopback", "loopback4", "loopback6", "local", "linklocal", "multicast"));
        Arbitrary<String> ports = Combinators.combine(Arbitraries.integers().between(0, 65535),
                Arbitraries.integers().between(0, 65535), Arbitraries.integers().between(0, 2)).as((a, b, k) -> switch (k) {
                    case 0 -> "";
                    case 1 -> "!" + a;
                    default -> "!" + Math.min(a, b) + "-" + Math.max(a, b);
                });
        Arbitrary<String> addr = Arbitraries.oneOf(Combinators.combine(host, ports).as((h, p) -> h + p), glob,
                glob.map(g -> "@" + g.substring(1)));
        Arbitrary<String> bool = Arbitraries.of("on", "off", "1", "0", "true", "false");
        Arbitrary<String> size = Combinators.combine(Arbitraries.integers().between(0, 4096), Arbitraries.of("", "K", "M", "G", "KiB", "b"))
                .as((n, u) -> n + u);
        Arbitrary<String> dur = Combinators.combine(Arbitraries.integers().between(0, 100000), Arbitraries.of("", "s", "ms", "m", "h", "d"))
                .as((n, u) -> n + u);
        Arbitrary<String> flag = Arbitraries.of(Settings.TRACE_FLAGS).map(f -> "trace/" + f);
        return Arbitraries.oneOf(
                Combinators.combine(toggleCats, bool).as((c, b) -> "sandbox/" + c + ":" + b),
                toggleCats.map(c -> "sandbox/" + c + "?"),
                Combinators.combine(anyCats, action).as((c, a) -> "default/" + c + ":" + a),
                Combinators.combine(action, pathCats, op, glob).as((a, c, o, g) -> a + "/" + c + o + g),
                Combinators.combine(action, netCats, op, addr).as((a, c, o, g) -> a + "/" + c + o + g),
                Combinators.combine(action, Arbitraries.of("TCGETS", "FIONREAD", "21505", "0x5401")).as((a, n) -> a + "/ioctl+" + n),
                Combinators.combine(flag, bool).as((f, b) -> f + ":" + b),
                flag.map(f -> f + "?"),
                Combinators.combine(Arbitraries.of("mem/max", "mem/vm_max", "rlimit/as", "rlimit/stack"), size).as((k, v) -> k + ":" + v),
                Combinators.combine(Arbitraries.of("timeout", "segvguard/expiry", "rlimit/cpu", "config/expand"), dur).as((k, v) -> k + ":" + v),
                Combinators.combine(Arbitraries.of("rlimit/nofile", "pid/max", "tpe/gid", "segvguard/maxcrashes"),
                        Arbitraries.longs().between(0, 1L << 40)).as((k, v) -> k + ":" + v),
                Arbitraries.of(LockState.values()).map(l -> "lock:" + l.sydName()),
                Combinators.combine(Arbitraries.of("mask", "append", "crypt"), op, glob)
                        .as((l, o, g) -> l + o + Parser.escapeGlobColons(g.replace("\\:", "_"))),
                Combinators.combine(op, glob, plain).as((o, g, t) -> "mask" + o + Parser.escapeGlobColons(g.replace("\\:", "_"))
                        + ":" + t.replace(":", "\\:")),
                Combinators.combine(op, plain, plain, Arbitraries.of("", ":ro", ":nodev,nosuid", ":mode=0755"))
                        .as((o, a, b, opts) -> "bind" + o + a.replace(":", "\\:") + ":" + b.replace(":", "\\:") + opts),
                Combinators.combine(Arbitraries.of("block+", "block-", "block^"), host.filter(h -> !Address.aliases().containsKey(h)))
                        .as((o, h) -> o + h),
                Combinators.combine(Arbitraries.of("setuid", "setgid"), Arbitraries.of("+", "-"), Arbitraries.of("0", "1000", "nobody"),
                        Arbitraries.of("65534", "users")).as((l, o, a, b) -> l + o + a + ":" + b),
                Combinators.combine(Arbitraries.of("read", "write", "exec", "bind"), glob).as((r, g) -> "allow/lock/" + r + "+" + Glob.unescape(g).replace("\\", "")),
                Combinators.combine(Arbitraries.of("bind", "connect"), ports.filter(p -> !p.isEmpty()))
                        .as((r, p) -> "allow/lock/" + r + "+" + p.substring(1)));
    }

    @Property(tries = 3000)
    void printParseIsTheIdentity(@ForAll("validCommands") String input) throws PolicyException {
        Command c;
        try {
            c = Parser.parse(input, Origin.argument(1), ENV::get);
        } catch (PolicyException e) {
            throw new AssertionError("generated command rejected: " + input + "\n" + e.getMessage());
        }
        String printed = c.print();
        Command again = Parser.parseBytes(printed, Origin.argument(1), ENV::get);
        assertThat(again).as("%s -> %s", input, printed).isEqualTo(c);
        assertThat(again.print()).isEqualTo(printed);
        // and the command applies (queries are answered instead), or, when this version does not
        // enforce it, is refused (never stored)
        Policy p = Policy.defaults();
        if (c instanceof Command.SandboxQuery || c instanceof Command.Query) p.query(Bytes.toUtf8(printed));
        else if (!Support.unsupported(c).isEmpty()) {
            List<String> before = p.dump();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> p.applyBytes(printed, Origin.argument(1)))
                    .isInstanceOf(PolicyException.class).hasMessageContaining("not supported by this version of syd");
            assertThat(p.dump()).isEqualTo(before);
        } else p.applyBytes(printed, Origin.argument(1));
    }

    @Property(tries = 500)
    void dumpRebuildsTheSameDecisions(@ForAll("validCommands") String a, @ForAll("validCommands") String b,
            @ForAll("validCommands") String c) throws PolicyException {
        Policy p = Policy.defaults();
        for (String s : List.of(a, b, c)) {
            Command cmd = Parser.parse(s, Origin.argument(1), ENV::get);
            if (!(cmd instanceof Command.SandboxQuery || cmd instanceof Command.Query) && Support.unsupported(cmd).isEmpty()) {
                p.apply(cmd, Origin.argument(1));
            }
        }
        Policy q = Policy.defaults();
        for (String line : p.dump()) q.applyBytes(line, Origin.argument(1));
        assertThat(q.dump()).isEqualTo(p.dump());
    }

    /** Found by {@link #dumpRebuildsTheSameDecisions}: "all" reaches ioctl, whose rules split at commas. */
    @Example
    void aCommaInAPathRuleOfAnAliasWithIoctlIsPartOfThePath() throws PolicyException {
        Policy p = Policy.defaults();
        p.apply(Parser.parse("allow/all+/,,/***", Origin.argument(1), ENV::get), Origin.argument(1));
        assertThat(p.snapshot().checkPath(Category.READ, "/,,/x")).isEqualTo(Action.ALLOW);
        Policy q = Policy.defaults();
        for (String line : p.dump()) q.applyBytes(line, Origin.argument(1));
        assertThat(q.dump()).isEqualTo(p.dump());
    }
}
