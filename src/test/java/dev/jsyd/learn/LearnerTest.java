package dev.jsyd.learn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.policy.Action;
import dev.jsyd.policy.Category;
import dev.jsyd.policy.HostVariables;
import dev.jsyd.policy.Policy;
import dev.jsyd.policy.Sandbox;
import dev.jsyd.report.LogReader;
import dev.jsyd.report.LogRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LearnerTest {
    @TempDir Path tmp;

    static final Map<String, String> ENV = Map.of("HOME", "/home/alice", "SYD_UID", "1000");

    static String access(String cap, String path) {
        return "{\"ctx\":\"access\",\"cap\":\"" + cap + "\",\"act\":\"deny\",\"sys\":\"openat\",\"path\":\""
                + path.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\",\"pid\":7,"
                + "\"tip\":\"configure `allow/" + cap + "+x'\"}";
    }

    static String addr(String cap, String a) {
        return "{\"ctx\":\"access\",\"cap\":\"" + cap + "\",\"act\":\"deny\",\"sys\":\"connect\",\"addr\":\"" + a + "\",\"pid\":7}";
    }

    static List<LogRecord> records(List<String> lines) {
        return LogReader.read(String.join("\n", lines).getBytes(StandardCharsets.UTF_8)).records();
    }

    private String learn(List<String> lines, int collapse, int depth, Path previous) throws Exception {
        Path out = tmp.resolve("out.syd-3");
        Learner l = new Learner(new Learner.Options(collapse, depth, ENV::get, p -> true, List.of(), "now"));
        List<String> all = new ArrayList<>();
        all.add("{\"ctx\":\"run\",\"pid\":7,\"argv\":[\"prog\",\"arg\"],\"cwd\":\"/home/alice/proj\"}");
        all.addAll(lines);
        Learner.Result r = l.write(records(all), previous, out);
        assertThat(r.uncovered()).isEmpty();
        return Files.readString(out, StandardCharsets.ISO_8859_1);
    }

    private Sandbox load(Path file) throws Exception {
        Policy p = Policy.defaults().environment(HostVariables.over(ENV::get)).userProfileFiles(List.of());
        p.applyFile(file);
        return p.snapshot();
    }

    @Test
    void aDirectoryWithManyFilesFoldsOthersStayExact() throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 6; i++) lines.add(access("read", "/usr/share/zoneinfo/zone" + i));
        lines.add(access("read", "/usr/share/misc/magic"));
        lines.add(access("read", "/etc/passwd"));
        lines.add(access("read", "/etc/group"));
        lines.add(access("exec", "/usr/bin/git"));
        String text = learn(lines, 6, 0, null);
        assertThat(text).contains("allow/read+/usr/share/zoneinfo/**\n").contains("allow/read+/usr/share/misc/magic\n")
                .contains("allow/read+/etc/passwd\n").contains("allow/exec+/usr/bin/git\n")
                .contains("# /etc: system configuration").contains("# command: prog arg");
        Sandbox sb = load(tmp.resolve("out.syd-3"));
        assertThat(sb.checkPath(Category.READ, "/usr/share/zoneinfo/zone42")).isEqualTo(Action.ALLOW);
        assertThat(sb.checkPath(Category.READ, "/etc/shadow")).isEqualTo(Action.DENY);
        assertThat(sb.checkPath(Category.WRITE, "/etc/passwd")).isEqualTo(Action.DENY);
        // Fewer than the threshold: no fold; top-level directories never fold.
        String exact = learn(lines, 7, 0, null);
        assertThat(exact).contains("allow/read+/usr/share/zoneinfo/zone5\n");
        assertThat(exact.lines().filter(l -> l.startsWith("allow/") && l.contains("*"))).isEmpty();
        List<String> etc = new ArrayList<>();
        for (int i = 0; i < 10; i++) etc.add(access("read", "/etc/f" + i));
        assertThat(learn(etc, 2, 0, null)).doesNotContain("/etc/**").contains("allow/read+/etc/f9\n");
    }

    @Test
    void depthLimitTrimsDeepPaths() throws Exception {
        String text = learn(List.of(access("read", "/usr/lib/python3/dist-packages/x/y.py"),
                access("stat", "/usr/lib/python3/dist-packages/x")), 0, 3, null);
        assertThat(text).contains("allow/stat,read+/usr/lib/python3/**\n");
    }

    @Test
    void variablesNetworkAndHostileNamesRoundTrip() throws Exception {
        String text = learn(List.of(access("write", "/home/alice/proj/out/a,b+c:d.txt"),
                access("read", "/home/alice/.config/x$HOME"), access("read", "/tmp/evil\nallow/read+/***"),
                access("stat", "/proc/123/status"), addr("net/connect", "127.0.0.1!8080"),
                addr("net/connect", "::1!443"), addr("net/bind", "/run/user/1000/sock"), addr("net/connect", "@abs*tract")), 6, 0, null);
        assertThat(text).contains("allow/write+${SYD_PWD}/out/a,b+c:d.txt\n").contains("${HOME}/.config/x\\$HOME")
                .contains("allow/read+/tmp/evil?allow/read+/\\*\\*\\*\n").contains("allow/stat+/proc/[0-9]*/status")
                .contains("allow/net/connect+127.0.0.1!8080\n").contains("allow/net/connect+::1!443\n")
                .contains("allow/net/bind+/run/user/1000/sock\n").contains("allow/net/connect+@abs\\*tract\n");
        assertThat(text.lines().filter(l -> l.equals("allow/read+/***"))).isEmpty();
        Sandbox sb = load(tmp.resolve("out.syd-3"));
        assertThat(sb.checkPath(Category.READ, "/etc/shadow")).isEqualTo(Action.DENY);
        assertThat(sb.checkPath(Category.STAT, "/proc/999/status")).isEqualTo(Action.ALLOW);
    }

    @Test
    void settingsFromTipsAreWrittenActiveAfterWhatNeededThem() throws Exception {
        String text = learn(List.of(
                "{\"ctx\":\"access\",\"cap\":\"mem\",\"act\":\"deny\",\"sys\":\"mprotect\",\"pid\":7,\"tip\":\"configure `trace/allow_unsafe_memory:1'\"}",
                "{\"ctx\":\"access\",\"cap\":\"net\",\"act\":\"deny\",\"sys\":\"socket\",\"addr\":\"AF_PACKET\",\"pid\":7,\"tip\":\"configure `trace/allow_unsupp_socket:1'\"}"),
                6, 0, null);
        assertThat(text).contains("\ntrace/allow_unsafe_memory:1\n").contains("\ntrace/allow_unsupp_socket:1\n")
                .contains("# needed by socket").doesNotContain("#trace/");
    }

    static String learned(String sys, String setting, String why) {
        return "{\"ctx\":\"learn\",\"cap\":\"kernel\",\"act\":\"deny\",\"sys\":\"" + sys + "\",\"setting\":\"" + setting
                + "\",\"msg\":\"" + why + "\",\"pid\":4242,\"tip\":\"configure `" + setting + "'\"}";
    }

    @Test
    void kernelSideSwitchesAreWrittenActiveWithTheCallsThatNeededThemAndHowOften() throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 3; i++) lines.add(learned("mmap", "trace/allow_unsafe_memory:1", "W^X: writable and executable"));
        lines.add(learned("mprotect", "trace/allow_unsafe_memory:1", "W^X: made executable"));
        lines.add(learned("ptrace", "trace/allow_unsafe_ptrace:1", "tracing"));
        lines.add(learned("unshare", "trace/allow_unsafe_namespace:user", "namespaces"));
        lines.add(learned("mount", "trace/allow_unsafe_namespace:mount", "mount API"));
        // A tip for a setting the kernel-side record also names is written once, active.
        lines.add("{\"ctx\":\"access\",\"cap\":\"write\",\"act\":\"deny\",\"sys\":\"openat\",\"path\":\"/proc/1/mem\",\"pid\":7,"
                + "\"tip\":\"configure `trace/allow_unsafe_ptrace:1'\"}");
        String text = learn(lines, 6, 0, null);
        assertThat(text).contains("# kernel-side, needed by mmap (W^X: writable and executable), 3 times;"
                + " mprotect (W^X: made executable), once\ntrace/allow_unsafe_memory:1\n");
        assertThat(text).contains("# kernel-side, needed by ptrace (tracing), once\ntrace/allow_unsafe_ptrace:1\n")
                .doesNotContain("#trace/allow_unsafe_ptrace");
        // One namespace command (a later one would replace an earlier one) naming every namespace.
        assertThat(text).contains("unshare (namespaces), once; mount (mount API), once\ntrace/allow_unsafe_namespace:user,mount\n");
        Sandbox sb = load(tmp.resolve("out.syd-3"));
        assertThat(sb.flag("trace/allow_unsafe_memory")).isTrue();
        assertThat(sb.flag("trace/allow_unsafe_ptrace")).isTrue();
        assertThat(sb.setting("trace/allow_unsafe_namespace")).contains("user,mount");

        // Merging: a switch the previous profile already has is not written again.
        String again = learn(List.of(learned("ptrace", "trace/allow_unsafe_ptrace:1", "tracing")), 6, 0, tmp.resolve("out.syd-3"));
        assertThat(again.lines().filter(l -> l.equals("trace/allow_unsafe_ptrace:1"))).hasSize(1);
    }

    @Test
    void processIdsOfTheRunInNamesBecomePatterns() throws Exception {
        String text = learn(List.of("{\"ctx\":\"fork\",\"pid\":31337,\"ppid\":7}",
                access("read", "/tmp/hsperfdata_root/31337"), access("stat", "/tmp/.java_pid31337"),
                access("read", "/tmp/hsperfdata_root/4242"), access("read", "/srv/v1337/x")), 6, 0, null);
        assertThat(text).contains("allow/read+/tmp/hsperfdata_root/[0-9]*\n").contains("allow/stat+/tmp/.java_pid[0-9]*\n")
                .contains("allow/read+/tmp/hsperfdata_root/4242\n") // another process's file, not one of the run
                .contains("/srv/v1337/x");
        Sandbox sb = load(tmp.resolve("out.syd-3"));
        assertThat(sb.checkPath(Category.READ, "/tmp/hsperfdata_root/5150")).isEqualTo(Action.ALLOW);
    }

    @Test
    void commandsGivenForTheLearningRunAreKept() throws Exception {
        Path out = tmp.resolve("kept.syd-3");
        Learner l = new Learner(new Learner.Options(6, 0, ENV::get, p -> true,
                List.of("trace/allow_unsafe_memory:1", "include_profile tty"), "now"));
        l.write(records(List.of(access("read", "/etc/passwd"))), null, out);
        assertThat(Files.readString(out)).contains("\ntrace/allow_unsafe_memory:1\ninclude_profile tty\n");
        assertThat(load(out).flag("trace/allow_unsafe_memory")).isTrue();
    }

    @Test
    void mergeKeepsThePreviousProfileAndAddsOnlyWhatIsNew() throws Exception {
        Path old = tmp.resolve("old.syd-3");
        Files.writeString(old, "# mine\nallow/read+/etc/***\nallow/exec+/usr/bin/git\n");
        String text = learn(List.of(access("read", "/etc/passwd"), access("exec", "/usr/bin/git"),
                access("read", "/srv/data/x")), 6, 0, old);
        assertThat(text).startsWith("# mine\nallow/read+/etc/***\nallow/exec+/usr/bin/git\n");
        String added = text.substring(text.indexOf("# ---- added by syd-learn"));
        assertThat(added).contains("allow/read+/srv/data/x").doesNotContain("/etc/passwd").doesNotContain("git");
    }

    @Test
    void ioctlRequestsTheRunNeededBecomeOneRule() throws Exception {
        String kvm = "{\"ctx\":\"access\",\"cap\":\"ioctl\",\"act\":\"deny\",\"sys\":\"ioctl\",\"ioctl\":\"KVM_RUN\",\"pid\":7,"
                + "\"tip\":\"configure `allow/ioctl+KVM_RUN'\"}";
        String raw = kvm.replace("KVM_RUN", "0x1234");
        String text = learn(List.of(kvm, raw, kvm), 6, 0, null);
        assertThat(text).contains("allow/ioctl+0x1234,KVM_RUN\n");
        Path out = tmp.resolve("out.syd-3");
        assertThat(load(out).checkIoctl(0xae80)).isEqualTo(Action.ALLOW);
        assertThat(learn(List.of(kvm), 6, 0, out)).as("merging adds nothing already allowed")
                .containsOnlyOnce("allow/ioctl+");
    }
}
