package dev.jsyd.abi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class SyscallsTest {

    @Test
    void knownNumbers() {
        Map<String, Integer> known = new LinkedHashMap<>();
        known.put("read", 0);
        known.put("write", 1);
        known.put("open", 2);
        known.put("close", 3);
        known.put("ioctl", 16);
        known.put("execve", 59);
        known.put("ptrace", 101);
        known.put("openat", 257);
        known.put("newfstatat", 262);
        known.put("process_vm_readv", 310);
        known.put("seccomp", 317);
        known.put("statx", 332);
        known.put("rseq", 334);
        known.put("pidfd_send_signal", 424);
        known.put("pidfd_open", 434);
        known.put("clone3", 435);
        known.put("close_range", 436);
        known.put("openat2", 437);
        known.put("pidfd_getfd", 438);
        known.put("faccessat2", 439);
        known.put("landlock_create_ruleset", 444);
        known.put("fchmodat2", 452);
        known.put("mseal", 462);
        known.forEach((name, nr) -> {
            assertThat(Syscalls.number(name)).as(name).isEqualTo(nr);
            assertThat(Syscalls.name(nr)).as("name of " + nr).isEqualTo(name);
        });
        assertThat(Syscalls.OPENAT).isEqualTo(257);
        assertThat(Syscalls.EXECVE).isEqualTo(59);
        assertThat(Syscalls.NEWFSTATAT).isEqualTo(262);
        assertThat(Syscalls.PROCESS_VM_READV).isEqualTo(310);
        assertThat(Syscalls.MSEAL).isEqualTo(462);
    }

    @Test
    void unknown() {
        assertThat(Syscalls.number("no_such_call")).isEqualTo(-1);
        assertThat(Syscalls.number(null)).isEqualTo(-1);
        assertThat(Syscalls.name(-1)).isNull();
        assertThat(Syscalls.name(337)).isNull();
        assertThat(Syscalls.name(400)).isNull(); // 387..423 unused on x86_64
        assertThat(Syscalls.name(100_000)).isNull();
        assertThat(Syscalls.name(512)).isNull(); // x32 entries are not listed
    }

    @Test
    void allIsSortedUniqueAndNamed() {
        int[] all = Syscalls.all();
        assertThat(all).isSorted().doesNotHaveDuplicates();
        assertThat(all[0]).isZero();
        assertThat(all[all.length - 1]).isEqualTo(Syscalls.max());
        // 0..336 and 424..470 without holes
        assertThat(all).hasSize(337 + (470 - 424 + 1));
        for (int nr : all) {
            assertThat(Syscalls.number(Syscalls.name(nr))).isEqualTo(nr);
        }
        all[0] = 42; // a copy
        assertThat(Syscalls.all()[0]).isZero();
    }

    @Test
    void constantsMatchTable() throws IllegalAccessException {
        int n = 0;
        for (Field f : Syscalls.class.getFields()) {
            if (f.getType() != int.class || !Modifier.isStatic(f.getModifiers()) || f.getName().equals("AUDIT_ARCH")) {
                continue;
            }
            int nr = f.getInt(null);
            assertThat(Syscalls.name(nr)).as(f.getName()).isNotNull();
            assertThat(Syscalls.name(nr).toUpperCase()).as(f.getName()).isEqualTo(f.getName());
            n++;
        }
        assertThat(n).isEqualTo(Syscalls.all().length);
    }

    @Test
    void sourceIsGeneratedFromTheKernelTable() throws IOException {
        String tbl = SyscallsSource.table();
        assertThat(tbl.lines().findFirst().orElseThrow()).as("stamped with its kernel version").contains("Linux v6.");
        assertThat(Files.readString(SyscallsSource.SOURCE, java.nio.charset.StandardCharsets.ISO_8859_1))
                .as("Syscalls.java is generated from " + SyscallsSource.TABLE + ": run SyscallsSource.main")
                .isEqualTo(SyscallsSource.generate(tbl));
        assertThat(Syscalls.KERNEL).isEqualTo(SyscallsSource.version(tbl));
        for (SyscallsSource.Entry e : SyscallsSource.entries(tbl)) assertThat(Syscalls.name(e.nr())).isEqualTo(e.name());
        assertThat(SyscallsSource.entries(tbl)).hasSize(Syscalls.all().length);
    }

    @Test
    void agreesWithSystemHeader() throws IOException {
        Path h = Path.of("/usr/include/x86_64-linux-gnu/asm/unistd_64.h");
        Assumptions.assumeTrue(Files.isReadable(h), "no " + h);
        Pattern p = Pattern.compile("#define\\s+__NR_(\\w+)\\s+(\\d+)");
        int checked = 0;
        for (String line : Files.readAllLines(h)) {
            Matcher m = p.matcher(line);
            if (m.find()) {
                int nr = Integer.parseInt(m.group(2));
                assertThat(Syscalls.number(m.group(1))).as(m.group(1)).isEqualTo(nr);
                assertThat(Syscalls.name(nr)).as("nr " + nr).isEqualTo(m.group(1));
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(300);
    }

    @Test
    void seccompConstants() {
        assertThat(Seccomp.RET_KILL_PROCESS).isEqualTo(0x80000000);
        assertThat(Seccomp.RET_KILL_THREAD).isZero();
        assertThat(Seccomp.RET_ALLOW).isEqualTo(0x7fff0000);
        assertThat(Seccomp.RET_USER_NOTIF).isEqualTo(0x7fc00000);
        assertThat(Seccomp.errno(13)).isEqualTo(0x0005000d);
        assertThat(Seccomp.errno(0x12345)).isEqualTo(0x00052345);
        assertThat(Seccomp.action(Seccomp.errno(1))).isEqualTo(Seccomp.RET_ERRNO);
        assertThat(Seccomp.data(Seccomp.trace(7))).isEqualTo(7);
        assertThat(Seccomp.AUDIT_ARCH_X86_64).isEqualTo(Audit.AUDIT_ARCH_X86_64).isEqualTo(0xC000003E);
        assertThat(Audit.AUDIT_ARCH_X86_64).isEqualTo(Audit.__AUDIT_ARCH_64BIT | Audit.__AUDIT_ARCH_LE | Audit.EM_X86_64);
        assertThat(Audit.AUDIT_ARCH_I386).isEqualTo(Audit.__AUDIT_ARCH_LE | Audit.EM_386);
        assertThat(Audit.AUDIT_ARCH_AARCH64).isEqualTo(Audit.__AUDIT_ARCH_64BIT | Audit.__AUDIT_ARCH_LE | Audit.EM_AARCH64);
        assertThat(Arrays.asList(Seccomp.X32_SYSCALL_BIT)).containsExactly(0x40000000);
    }
}
