package dev.jsyd.confine;

import static dev.jsyd.confine.LandlockRules.READ_DIR;
import static dev.jsyd.confine.LandlockRules.READ_FILE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.confine.LaunchPlan.LandlockExact;
import dev.jsyd.policy.Sandbox;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The read-side rules as a Landlock layer (trace/allow_unsafe_landlock_paths): what is translated, and to what. */
class LandlockTranslationTest {
    static final String SWITCH = "trace/allow_unsafe_landlock_paths:1";
    /** POLICY_REAL of the shared bench, with the bench directory /tmp/b. */
    static final String[] REAL = {"allow/read,stat,exec,readdir,chdir,walk+/***", "deny/read,stat+/etc/shadow",
        "deny/read,stat,readdir+/root/***", "deny/exec+/usr/bin/su",
        "allow/write,create,delete,truncate,rename,mkdir,rmdir,symlink,chmod,utime+/tmp/b/***",
        "allow/write,create,truncate+/dev/null", SWITCH};

    static Sandbox sandbox(String... cmds) throws Exception { return LaunchPlanTest.sandbox(cmds); }

    static List<LandlockExact> rules(LandlockTranslation.Result r, long right) {
        return r.steps().stream().filter(s -> s instanceof LandlockExact).map(s -> (LandlockExact) s)
                .filter(e -> (e.access() | e.fileAccess()) == right || e.access() == right).toList();
    }

    @Test
    void aCarveOutBecomesItsComplementOverTheTree() throws Exception {
        LandlockTranslation.Result r = LandlockTranslation.of(sandbox(REAL));
        assertThat(r.reads()).isTrue();
        assertThat(r.steps().getFirst()).isEqualTo(new LaunchPlan.LandlockCreate(READ_FILE | READ_DIR, 0, 0));
        assertThat(r.steps().getLast()).isEqualTo(new LaunchPlan.LandlockRestrict(0));
        // read and stat: every entry of / but etc and root, every entry of /etc but shadow; nothing of /root
        assertThat(rules(r, READ_FILE)).containsExactly(
                new LandlockExact(READ_FILE, READ_FILE, "/", List.of("etc", "root")),
                LandlockExact.fileOnly(READ_FILE, "/etc"), // the launcher adds it only where /etc is not a directory
                new LandlockExact(READ_FILE, READ_FILE, "/etc", List.of("shadow")),
                new LandlockExact(READ_FILE, READ_FILE, "/etc/shadow", List.of()));
        // readdir: / and /etc can only be listed with their whole subtree, so the layer refuses them
        // (opendir stays notified)
        assertThat(rules(r, READ_DIR)).containsExactly(
                new LandlockExact(READ_DIR, 0, "/", List.of("etc", "root")),
                new LandlockExact(READ_DIR, 0, "/etc", List.of("shadow")),
                new LandlockExact(READ_DIR, 0, "/etc/shadow", List.of()));
        assertThat(r.dirExact()).isFalse();
    }

    @Test
    void allowListsMapToTheirTreesAndFiles() throws Exception {
        LandlockTranslation.Result r = LandlockTranslation.of(sandbox("sandbox/stat,walk:off", "allow/read,readdir+/usr/***",
                "allow/read+/etc/passwd", "lock:on", SWITCH));
        assertThat(r.reads()).isTrue();
        assertThat(rules(r, READ_FILE)).containsExactly(LandlockExact.fileOnly(READ_FILE, "/etc/passwd"),
                LandlockExact.beneath(READ_FILE, "/usr"));
        assertThat(rules(r, READ_DIR)).containsExactly(LandlockExact.beneath(READ_DIR, "/usr"));
        assertThat(r.dirExact()).isTrue();
        // a denied tree inside an allowed one inside a denied root
        r = LandlockTranslation.of(sandbox("sandbox/stat,walk:off", "allow/read,readdir+/usr/***", "deny/read,readdir+/usr/lib/***",
                "allow/read,readdir+/usr/lib/os-release", SWITCH));
        assertThat(rules(r, READ_FILE)).containsExactly(LandlockExact.fileOnly(READ_FILE, "/usr"),
                new LandlockExact(READ_FILE, READ_FILE, "/usr", List.of("lib")),
                new LandlockExact(0, READ_FILE, "/usr/lib/os-release", null));
        assertThat(r.dirExact()).isFalse(); // /usr may be listed, /usr/lib not
    }

    @Test
    void whatCannotBeExpressedStaysWithTheSupervisor() throws Exception {
        assertThat(LandlockTranslation.of(sandbox(REAL[0], REAL[1])).why()).isEqualTo("off");
        assertThat(LandlockTranslation.of(sandbox(REAL[0], "deny/read+/etc/*.conf", SWITCH)).reads()).isFalse();
        assertThat(LandlockTranslation.of(sandbox(REAL[0], "warn/read+/etc/shadow", SWITCH)).reads()).isFalse();
        assertThat(LandlockTranslation.of(sandbox(REAL[0], "kill/stat+/etc/shadow", SWITCH)).reads()).isFalse();
        assertThat(LandlockTranslation.of(sandbox(REAL[0], "default/read:filter", SWITCH)).reads()).isFalse();
        assertThat(LandlockTranslation.of(sandbox(REAL[0], "deny/walk+/root/***", SWITCH)).why()).contains("walk");
        assertThat(LandlockTranslation.of(sandbox(REAL[0], "mask+/etc/shadow", SWITCH)).why()).contains("mask");
        assertThat(LandlockTranslation.of(sandbox(REAL[0], "trace/force_ro_open:1", SWITCH)).why()).contains("force_ro_open");
        assertThat(LandlockTranslation.of(sandbox(REAL[0], "lock:exec", SWITCH)).why()).contains("lock");
        assertThat(LandlockTranslation.of(sandbox(REAL)).steps()).isNotEmpty();
    }

    @Test
    void entriesTheProgramCouldChangeUnderTheRulesKeepItNotTranslated() throws Exception {
        // the bench dir directly in / (on the way to /etc and /root): creating or renaming /b itself is allowed
        String[] b = REAL.clone();
        b[4] = "allow/write,create,delete,truncate,rename,mkdir,rmdir,symlink,chmod,utime+/b/***";
        assertThat(LandlockTranslation.of(sandbox(b)).why()).isEqualTo("create may change the entries of /, which the layer's rules are laid on");
        // /b itself protected: translated
        String[] fixed = java.util.Arrays.copyOf(b, b.length + 1);
        fixed[b.length] = "deny/create,delete,rename,mkdir,rmdir,symlink,mkbdev,mkcdev,mkfifo,mktemp+/b";
        assertThat(LandlockTranslation.of(sandbox(fixed)).reads()).isTrue();
        // a category that changes entries and is off allows everything
        String[] off = java.util.Arrays.copyOf(REAL, REAL.length + 1);
        off[REAL.length] = "sandbox/mkfifo:off";
        assertThat(LandlockTranslation.of(sandbox(off)).why()).startsWith("mkfifo may change the entries of /");
        // a glob in such a category cannot be judged
        off[REAL.length] = "allow/symlink+/tmp/b/*.lnk";
        assertThat(LandlockTranslation.of(sandbox(off)).why()).contains("symlink rule other than allow/deny");
    }

    @Test
    void traceModeAndAnUnlockedSandboxAreRefused() throws Exception {
        assertThat(LandlockTranslation.refusal(sandbox(REAL), false)).isNull();
        assertThat(LandlockTranslation.refusal(sandbox(REAL), true)).contains("learning mode");
        assertThat(LandlockTranslation.refusal(sandbox(REAL[0], "lock:off", SWITCH), false)).contains("lock:on");
        assertThat(LandlockTranslation.refusal(sandbox(REAL[0], "lock:off"), true)).isNull();
    }

    @Test
    void theLayerComesFirstInThePlanAndItsEntriesAreEncoded() throws Exception {
        LaunchPlan plan = PlanBuilder.build(sandbox(REAL), LaunchPlanTest.FILTER, LaunchPlanTest.ROOT);
        List<LaunchPlan.Step> s = plan.steps();
        int first = s.indexOf(new LaunchPlan.LandlockCreate(READ_FILE | READ_DIR, 0, 0));
        int scope = s.indexOf(new LaunchPlan.LandlockCreate(0, 0, LandlockRules.SCOPE_SIGNAL));
        assertThat(first).isPositive().isLessThan(scope); // two layers: the translation, then the signal scope
        // with sandbox/lock, its layer comes second, as the supervisor's mirror expects (the last one)
        String[] locked = java.util.Arrays.copyOf(REAL, REAL.length + 2);
        locked[REAL.length] = "sandbox/lock:on";
        locked[REAL.length + 1] = "allow/lock/read,exec,readdir+/usr";
        List<LaunchPlan.Step> two = PlanBuilder.build(sandbox(locked), LaunchPlanTest.FILTER, LaunchPlanTest.ROOT).steps();
        List<LaunchPlan.Step> creates = two.stream().filter(x -> x instanceof LaunchPlan.LandlockCreate).toList();
        assertThat(creates).hasSize(2);
        assertThat(LandlockTranslation.isLayer((LaunchPlan.LandlockCreate) creates.get(0))).isTrue();
        assertThat(LandlockTranslation.isLayer((LaunchPlan.LandlockCreate) creates.get(1))).isFalse();
        byte[] msg = plan.encode(1);
        String text = new String(msg, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(text).contains("/\0etc\0root\0\0").contains("/etc\0shadow\0\0");
    }
}
