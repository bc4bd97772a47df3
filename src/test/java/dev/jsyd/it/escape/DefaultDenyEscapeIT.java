package dev.jsyd.it.escape;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.it.Syd;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The filter is default-deny (issue 12.1): a syscall without a row in kernel/SyscallTable — a new
 * one, an obscure one, one whose handler family was forgotten — is ENOSYS instead of running
 * unchecked. And each {@code trace/allow_unsafe_*} switch of the table lets its syscalls through
 * to the kernel exactly as natively (with the launcher's capabilities kept, so that only the
 * switch differs), while they are refused without it.
 */
class DefaultDenyEscapeIT {
    static String probe() throws Exception { return Syd.probe("table-probe").toString(); }

    @Test
    void aPathCallWithoutAHandlerCannotSeeAHiddenFile() throws Exception {
        // file_getattr (Linux 6.17) looks a path up; with default allow it told a hidden file from an absent one.
        String[] attack = {probe(), "paths", "file_getattr", "/etc/passwd", "-", "file_getattr", "/etc/no-such-file", "-"};
        assertThat(Escape.nativeRun(attack).out()).isEqualTo("file_getattr ok\nfile_getattr ENOENT\n");
        var r = Escape.syd(List.of("-poff", "-m", "sandbox/stat:on", "-m", "allow/stat+/***", "-m", "deny/stat+/etc/passwd"), attack);
        assertThat(r.out()).as(r.toString()).isEqualTo("file_getattr ENOSYS\nfile_getattr ENOSYS\n");
    }

    @Test
    void numbersWithoutARowAreEnosys() throws Exception {
        var r = Escape.syd(List.of("-poff"), probe(), "calls", "337", "400", "471", "1000");
        assertThat(r.out()).as(r.toString()).isEqualTo("337 ENOSYS\n400 ENOSYS\n471 ENOSYS\n1000 ENOSYS\n");
    }

    /**
     * For each switch, calls (syscall number and arguments) that natively fail with an errno other
     * than the refusal (or succeed), so "let through" and "refused" can be told apart.
     */
    static final Map<String, List<String>> SWITCHES = new LinkedHashMap<>();

    static {
        SWITCHES.put("trace/allow_unsafe_ptrace", List.of("101,3,-1", "310,-1,0,0,0,0,0", "311,-1,0,0,0,0,0"));
        SWITCHES.put("trace/allow_unsafe_debug", List.of("101,3,-1", "310,-1,0,0,0,0,0"));
        SWITCHES.put("trace/allow_unsafe_iouring", List.of("425,0,0", "426,-1,0,0,0,0,0", "427,-1,0,0,0"));
        SWITCHES.put("trace/allow_unsafe_uring", List.of("425,0,0", "426,-1,0,0,0,0,0", "427,-1,0,0,0"));
        SWITCHES.put("trace/allow_unsafe_ebpf", List.of("321,-1,0,0"));
        SWITCHES.put("trace/allow_unsafe_perf", List.of("298,0,0,0,0,0"));
        SWITCHES.put("trace/allow_unsafe_keyring", List.of("248,0,0,0,0,0", "249,0,0,0,0", "250,-1"));
        SWITCHES.put("trace/allow_unsafe_syslog", List.of("103,-1,0,0"));
        SWITCHES.put("trace/allow_unsafe_time", List.of("159,0", "164,0,0", "227,0,0", "305,0,0"));
        SWITCHES.put("trace/allow_unsafe_mbind", List.of("237,0,0,0,0,0,0", "238,-1,0,0", "256,-1,0,0,0", "279,-1,0,0,0,0,0",
                "450,0,0,0,0"));
        SWITCHES.put("trace/allow_unsafe_pkey", List.of("329,0,0,0,-1", "330,1,0", "331,-1"));
        SWITCHES.put("trace/allow_unsafe_vmsplice", List.of("278,-1,0,0,0"));
        SWITCHES.put("trace/allow_unsafe_sync", List.of("306,-1"));
        SWITCHES.put("trace/allow_unsafe_namespace:user", List.of("308,-1,0"));
        SWITCHES.put("trace/allow_unsafe_namespace:mount", List.of("165,0,0,0,0,0", "166,0,0", "428,-1,0,0", "429,-1,0,-1,0,0",
                "430,0,0", "431,-1,0,0,0,0", "432,-1,0,0", "433,-1,0,0", "442,-1,0,0,0,0", "467,-1,0,0,0,0"));
    }

    @Test
    void eachSwitchLetsItsSyscallsThroughAsNatively() throws Exception {
        List<String> failures = new ArrayList<>();
        for (var e : SWITCHES.entrySet()) {
            List<String> cmd = new ArrayList<>(List.of(probe(), "calls"));
            cmd.addAll(e.getValue());
            String nat = Escape.nativeRun(cmd.toArray(String[]::new)).out();
            String refusal = e.getKey().equals("trace/allow_unsafe_sync") ? "ok" : "EPERM";
            for (String line : nat.split("\n")) {
                assertThat(line).as("natively distinguishable from the refusal: " + e.getKey()).doesNotEndWith(" " + refusal);
            }
            List<String> caps = List.of("-poff", "-m", "trace/allow_unsafe_caps:1");
            var off = Escape.syd(caps, cmd.toArray(String[]::new));
            StringBuilder expectOff = new StringBuilder();
            for (String c : e.getValue()) expectOff.append(c).append(' ').append(refusal).append('\n');
            if (!off.out().equals(expectOff.toString())) failures.add(e.getKey() + " off: " + off.out());
            String sw = e.getKey().contains(":") ? e.getKey() : e.getKey() + ":1";
            var on = Escape.syd(List.of("-poff", "-m", "trace/allow_unsafe_caps:1", "-m", sw), cmd.toArray(String[]::new));
            if (!on.out().equals(nat)) failures.add(e.getKey() + " on: " + on.out() + " natively: " + nat);
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void syncIsANoOpThatSucceeds() throws Exception {
        var r = Escape.syd(List.of("-poff"), "sh", "-c", "sync && echo synced");
        assertThat(r.out()).as(r.toString()).isEqualTo("synced\n");
    }
}
