package dev.jsyd.it.layers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.it.Syd;
import dev.jsyd.policy.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The switches of protections this version does not have (docs/DECISIONS.md): with every one of
 * them at the value that holds, a battery of the calls they relax behaves exactly as natively,
 * with every path call seen by the supervisor; the other value is refused before anything runs.
 */
class OneWaySwitchesIT {
    static final String BATTERY = Syd.HOME.resolve("src/test/resources/layers/relaxed-battery.sh").toString();

    static String battery(Path dir) throws Exception {
        return Syd.nativeSh("sh " + BATTERY + " " + dir);
    }

    @Test
    void theRelaxedBehaviourHoldsForEveryOneWaySwitch() throws Exception {
        Path a = Files.createTempDirectory(Syd.HOME.resolve("target"), "relaxed"), b = Files.createTempDirectory(Syd.HOME.resolve("target"), "relaxed");
        try {
            String nativeOut = battery(a);
            assertThat(nativeOut).contains("nice ok", "pktinfo b'p'").doesNotContain("Error", "Traceback");
            List<String> policy = new ArrayList<>(List.of("-poff", "-m", "sandbox/read,write,stat,create:on",
                    "-m", "allow/read,write,stat,create+/***", "-m", Syd.NOTIFY_ALL,
                    "-m", "trace/allow_unsafe_exec_nopie:1")); // python3 may be Debian's non-PIE build
            Settings.holdsOnlySwitches().forEach((k, v) -> policy.addAll(List.of("-m", k + ":" + v)));
            var r = Syd.sh(policy, "sh " + BATTERY + " " + b + " 2>&1");
            assertThat(r.out()).as(r.toString()).isEqualTo(nativeOut.replace(a.toString(), b.toString()));
        } finally {
            for (Path d : List.of(a, b)) {
                try (var s = Files.walk(d)) {
                    s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
            }
        }
    }

    @Test
    void theOtherValueIsRefusedBeforeAnythingRuns() throws Exception {
        for (var e : List.of("trace/allow_unsafe_nice:0", "trace/deny_tsc:1", "trace/lock_personality:1")) {
            var r = Syd.run("-poff", "-m", e, "--", "touch", Syd.HOME.resolve("target/oneway-ran").toString());
            assertThat(r.status()).as(e).isEqualTo(22);
            assertThat(r.err()).contains("is not supported by this version of syd", "-m argument 1");
        }
        assertThat(Syd.HOME.resolve("target/oneway-ran")).doesNotExist();
    }

    @Test
    void commandsNotEnforcedAreRefusedInFilesAndAtRunTime() throws Exception {
        Path f = Files.createTempFile(Syd.HOME.resolve("target"), "unsupported", ".syd-3");
        try {
            Files.writeString(f, "sandbox/read:on\ncrypt+/home/***\n");
            var r = Syd.run("-P", f.toString(), "--", "touch", Syd.HOME.resolve("target/unsupported-ran").toString());
            assertThat(r.status()).as(r.toString()).isEqualTo(22);
            assertThat(r.err()).contains(f + ":2:1", "`crypt` is not supported by this version of syd");
            assertThat(Syd.HOME.resolve("target/unsupported-ran")).doesNotExist();
        } finally {
            Files.deleteIfExists(f);
        }
        String script = "for c in sandbox/crypt:on trace/deny_tsc:1 proxy/port:9050 sandbox/read:on; do"
                + " test -c /dev/syd/$c && echo \"$c stored\" || echo \"$c refused\"; done;"
                + " test -c '/dev/syd/sandbox/crypt?' && echo crypt on || echo crypt off";
        var r = Syd.sh(List.of("-poff", "-m", "lock:off"), script);
        assertThat(r.out()).as(r.toString()).isEqualTo("sandbox/crypt:on refused\ntrace/deny_tsc:1 refused\n"
                + "proxy/port:9050 refused\nsandbox/read:on stored\ncrypt off\n");
    }
}
