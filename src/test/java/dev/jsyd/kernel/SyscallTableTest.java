package dev.jsyd.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.abi.Errno;
import dev.jsyd.abi.Seccomp;
import dev.jsyd.abi.Syscalls;
import dev.jsyd.bpf.Interpreter;
import dev.jsyd.bpf.SeccompData;
import dev.jsyd.policy.Origin;
import dev.jsyd.policy.Policy;
import dev.jsyd.policy.Sandbox;
import dev.jsyd.policy.Settings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The syscall table literal, the default-deny filter derived from it, and the docs derived from it. */
class SyscallTableTest {
    static final Hardening.Self SELF = HardeningTest.SELF;

    static Sandbox sandbox(String... cmds) throws Exception {
        Policy p = Policy.defaults();
        p.applyProfile("off", Origin.profile("off", 0));
        int n = 0;
        for (String c : cmds) p.apply(c, Origin.argument(++n));
        return p.snapshot();
    }

    static int run(Sandbox sb, int nr, long... args) { return HardeningTest.run(sb, nr, args); }

    @Test
    void everyNumberOfTheKernelTableHasExactlyOneRowInNumberOrder() {
        int[] all = Syscalls.all();
        assertThat(SyscallTable.rows()).hasSize(all.length);
        for (int i = 0; i < all.length; i++) {
            SyscallTable.Row r = SyscallTable.rows().get(i);
            assertThat(r.nr()).as("row " + i).isEqualTo(all[i]);
            assertThat(r.name()).isEqualTo(Syscalls.name(all[i]));
            assertThat(SyscallTable.row(all[i])).isSameAs(r);
        }
        assertThat(SyscallTable.row(337)).isNull();
        assertThat(SyscallTable.row(-1)).isNull();
    }

    @Test
    void unknownAndNewerNumbersGetEnosys() throws Exception {
        int enosys = Seccomp.RET_ERRNO | Errno.ENOSYS;
        for (Sandbox sb : List.of(sandbox(), Policy.defaults().snapshot(), sandbox("lock:off"))) {
            for (long nr : new long[] {337, 400, 423, Syscalls.max() + 1, 1000, 0x3fffffffL, 0x80000000L}) {
                assertThat(Interpreter.run(FilterPlan.program(sb, SELF), SeccompData.of((int) nr)))
                        .as("nr " + nr).isEqualTo(enosys);
            }
        }
    }

    @Test
    void everyRowGetsItsTreatmentInTheFilter() throws Exception {
        Sandbox off = sandbox();
        for (SyscallTable.Row r : SyscallTable.rows()) {
            if (r.rules() != null) continue; // argument rules: HardeningTest
            int got = run(off, r.nr());
            switch (r.treatment()) {
                case SyscallTable.Kernel k -> assertThat(got).as(r.name()).isEqualTo(Seccomp.RET_ALLOW);
                case SyscallTable.Refused f -> assertThat(got).as(r.name()).isEqualTo(Seccomp.RET_ERRNO | f.errno());
                case SyscallTable.Handled h -> assertThat(got).as(r.name())
                        .isEqualTo(h.categories().isEmpty() ? Seccomp.RET_USER_NOTIF : Seccomp.RET_ALLOW);
            }
        }
    }

    @Test
    void everySwitchRelaxesItsRowsAndIsAnEnforcedSetting() throws Exception {
        TreeSet<String> switches = new TreeSet<>();
        for (SyscallTable.Row r : SyscallTable.rows()) {
            if (!(r.treatment() instanceof SyscallTable.Refused f)) continue;
            for (String s : f.relaxedBy()) {
                switches.add(s);
                String key = s.contains(":") ? s.substring(0, s.indexOf(':')) : s;
                assertThat(Settings.spec(key)).as(s).isPresent();
                assertThat(Settings.spec(key).orElseThrow().enforced()).as(s + " is enforced").isTrue();
                String on = key.equals("trace/allow_unsafe_namespace") ? key + ":" + (s.contains(":") ? s.substring(s.indexOf(':') + 1) : "user") : s + ":1";
                assertThat(run(sandbox(on), r.nr())).as(r.name() + " with " + on).isEqualTo(Seccomp.RET_ALLOW);
            }
        }
        assertThat(switches).contains("trace/allow_unsafe_ptrace", "trace/allow_unsafe_debug", "trace/allow_unsafe_iouring",
                "trace/allow_unsafe_uring", "trace/allow_unsafe_ebpf", "trace/allow_unsafe_perf", "trace/allow_unsafe_keyring",
                "trace/allow_unsafe_syslog", "trace/allow_unsafe_time", "trace/allow_unsafe_sync", "trace/allow_unsafe_pkey",
                "trace/allow_unsafe_mbind", "trace/allow_unsafe_vmsplice", "trace/allow_unsafe_namespace",
                "trace/allow_unsafe_namespace:mount");
    }

    @Test
    void whatOrdinaryProgramsCallStaysAllowed() throws Exception {
        Sandbox off = sandbox();
        for (int nr : new int[] {Syscalls.RSEQ, Syscalls.FUTEX, Syscalls.FUTEX_WAITV, Syscalls.FUTEX_WAIT, Syscalls.MAP_SHADOW_STACK,
            Syscalls.CACHESTAT, Syscalls.LANDLOCK_CREATE_RULESET, Syscalls.LANDLOCK_ADD_RULE, Syscalls.LANDLOCK_RESTRICT_SELF,
            Syscalls.STATMOUNT, Syscalls.LISTMOUNT, Syscalls.MSEAL, Syscalls.URETPROBE, Syscalls.SETXATTRAT, Syscalls.GETXATTRAT,
            Syscalls.LISTXATTRAT, Syscalls.REMOVEXATTRAT, Syscalls.RESTART_SYSCALL, Syscalls.SET_ROBUST_LIST, Syscalls.MEMBARRIER,
            Syscalls.GETRANDOM, Syscalls.PRLIMIT64 /* of the caller itself: 0 */, Syscalls.SECCOMP, Syscalls.CLOSE_RANGE,
            Syscalls.EPOLL_PWAIT2, Syscalls.COPY_FILE_RANGE, Syscalls.MEMFD_SECRET}) {
            assertThat(run(off, nr)).as(Syscalls.name(nr)).isEqualTo(Seccomp.RET_ALLOW);
        }
        assertThat(run(off, Syscalls.PIDFD_GETFD)).as("the process must be the sandbox's (ProcessTargetHandlers)")
                .isEqualTo(Seccomp.RET_USER_NOTIF);
        assertThat(run(off, Syscalls.CLONE3)).as("libc falls back to clone").isEqualTo(Seccomp.RET_ERRNO | Errno.ENOSYS);
        assertThat(run(off, Syscalls.SYNC)).as("sync is a no-op").isEqualTo(Seccomp.RET_ERRNO);
    }

    @Test
    void handlersAreMethodsOfTheirFamilyFiles() {
        assertThat(SyscallTable.handledRows()).hasSizeGreaterThan(80);
        for (SyscallTable.Row r : SyscallTable.handledRows()) {
            String name = SyscallTable.handlerName(((SyscallTable.Handled) r.treatment()).handler());
            assertThat(name).as(r.name()).matches("[A-Z][A-Za-z]*Handlers::[a-z][A-Za-z0-9]*");
        }
        assertThat(SyscallTable.handlerName(SyscallTable.handled(Syscalls.OPENAT).handler())).isEqualTo("OpenHandlers::openat");
        assertThat(SyscallTable.handlerName(SyscallTable.handled(Syscalls.LSTAT).handler())).isEqualTo("StatHandlers::lstat");
        // Names are read from the bytecode in row order: a shifted list would name almost every row wrongly.
        long sameName = SyscallTable.handledRows().stream().filter(r ->
                SyscallTable.handlerName(((SyscallTable.Handled) r.treatment()).handler()).endsWith("::" + r.name())).count();
        assertThat(sameName).as("rows whose handler is named like the syscall").isGreaterThan(SyscallTable.handledRows().size() / 2L);
    }

    @Test
    void emulationMdHasTheGeneratedTable() throws Exception {
        Path doc = Path.of("docs/EMULATION.md");
        String text = Files.readString(doc, StandardCharsets.UTF_8);
        String generated = SyscallTableDoc.markdown();
        int b = text.indexOf(SyscallTableDoc.BEGIN), e = text.indexOf(SyscallTableDoc.END);
        if (Boolean.getBoolean("jsyd.regenerate")) {
            assertThat(b).as("markers in " + doc).isNotNegative();
            Files.writeString(doc, text.substring(0, b) + generated + text.substring(e + SyscallTableDoc.END.length() + 1),
                    StandardCharsets.UTF_8);
            return;
        }
        assertThat(b).as("docs/EMULATION.md has the markers").isNotNegative();
        assertThat(text.substring(b, e + SyscallTableDoc.END.length() + 1))
                .as("docs/EMULATION.md's table is generated: rerun with -Djsyd.regenerate=true")
                .isEqualTo(generated);
    }
}
