package dev.jsyd.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jsyd.abi.Seccomp;
import dev.jsyd.abi.Syscalls;
import dev.jsyd.bpf.ArgRule.Cond;
import dev.jsyd.bpf.ArgRule.Op;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FilterCompilerTest {
    static final int ALLOW = Seccomp.RET_ALLOW;
    static final int NOTIF = Seccomp.RET_USER_NOTIF;
    static final int KILL = Seccomp.RET_KILL_PROCESS;
    static final int EPERM = Seccomp.errno(1);
    static final int EACCES = Seccomp.errno(13);
    static final int ENOSYS = Seccomp.errno(38);
    static final long AT_FDCWD = -100L;

    static FilterSpec sample() {
        return FilterSpec.builder()
                .defaultAction(ENOSYS)
                .syscall(Syscalls.READ, ALLOW)
                .syscall(Syscalls.WRITE, ALLOW)
                .syscall(Syscalls.CLOSE, ALLOW)
                .syscall(Syscalls.OPEN, NOTIF)
                .syscall(Syscalls.OPENAT, List.of(ArgRule.of(0, Op.EQ, AT_FDCWD, NOTIF)), EACCES)
                .syscall(Syscalls.EXECVE, Seccomp.trace(0))
                .syscall(Syscalls.PTRACE, EPERM)
                .build();
    }

    static void assertAgrees(Program p, FilterSpec spec, SeccompData d) {
        assertThat(Interpreter.run(p, d)).as("%s on %s", spec, d).isEqualTo(spec.evaluate(d));
    }

    @Test
    void everyNumberArchAndX32() {
        FilterSpec spec = sample();
        Program p = FilterCompiler.compile(spec);
        for (int nr = 0; nr <= 470; nr++) {
            SeccompData d = SeccompData.of(nr, AT_FDCWD);
            assertAgrees(p, spec, d);
            assertAgrees(p, spec, SeccompData.of(nr, 5));
            assertThat(Interpreter.run(p, new SeccompData(nr, Seccomp.AUDIT_ARCH_I386, 0, null))).isEqualTo(KILL);
            assertThat(Interpreter.run(p, SeccompData.of(nr | Seccomp.X32_SYSCALL_BIT))).isEqualTo(KILL);
        }
        assertThat(Interpreter.run(p, SeccompData.of(0))).isEqualTo(ALLOW);
        assertThat(Interpreter.run(p, SeccompData.of(4))).isEqualTo(ENOSYS);
        assertThat(Interpreter.run(p, SeccompData.of(2))).isEqualTo(NOTIF);
        assertThat(Interpreter.run(p, SeccompData.of(257, AT_FDCWD))).isEqualTo(NOTIF);
        assertThat(Interpreter.run(p, SeccompData.of(257, 0xffffff9cL))).isEqualTo(EACCES);
        assertThat(Interpreter.run(p, SeccompData.of(257, 3))).isEqualTo(EACCES);
        assertThat(Interpreter.run(p, SeccompData.of(-1))).isEqualTo(KILL); // carries the x32 bit
        assertThat(Interpreter.run(p, SeccompData.of(0x80000000))).isEqualTo(ENOSYS);
        assertThat(Interpreter.run(p, SeccompData.of(0xbfffffff))).isEqualTo(ENOSYS);
        assertThat(Interpreter.run(p, SeccompData.of(512))).isEqualTo(ENOSYS);
    }

    @Test
    void foreignAndX32Actions() {
        FilterSpec spec = FilterSpec.builder().defaultAction(ALLOW)
                .foreignArchAction(EPERM).x32Action(Seccomp.errno(38)).build();
        Program p = FilterCompiler.compile(spec);
        assertThat(Interpreter.run(p, new SeccompData(1, Seccomp.AUDIT_ARCH_AARCH64, 0, null))).isEqualTo(EPERM);
        assertThat(Interpreter.run(p, new SeccompData(1, 0, 0, null))).isEqualTo(EPERM);
        assertThat(Interpreter.run(p, SeccompData.of(0x40000000 + 257))).isEqualTo(Seccomp.errno(38));
        assertThat(Interpreter.run(p, SeccompData.of(257))).isEqualTo(ALLOW);
        // nothing listed: arch check, x32 check, one ret
        assertThat(p.length()).isEqualTo(7);
    }

    @Test
    void goldenDisassembly() {
        Program p = FilterCompiler.compile(sample());
        assertThat(p.disassemble()).isEqualTo("""
                0000: ld [4] ; arch
                0001: jeq #0xc000003e jt 0002 jf 0005 ; x86_64
                0002: ld [0] ; nr
                0003: jset #0x40000000 jt 0004 jf 0006
                0004: ret KILL_PROCESS
                0005: ret KILL_PROCESS
                0006: jge #0x3c jt 0016 jf 0007 ; exit
                0007: jge #0x3 jt 0011 jf 0008 ; close
                0008: jge #0x2 jt 0010 jf 0009 ; open
                0009: ret ALLOW
                0010: ret USER_NOTIF
                0011: jge #0x4 jt 0013 jf 0012 ; stat
                0012: ret ALLOW
                0013: jge #0x3b jt 0015 jf 0014 ; execve
                0014: ret ERRNO(38)
                0015: ret TRACE(0)
                0016: jge #0x66 jt 0020 jf 0017 ; getuid
                0017: jge #0x65 jt 0019 jf 0018 ; ptrace
                0018: ret ERRNO(38)
                0019: ret ERRNO(1)
                0020: jge #0x101 jt 0022 jf 0021 ; openat
                0021: ret ERRNO(38)
                0022: jge #0x102 jt 0029 jf 0023 ; mkdirat
                0023: ld [20] ; args[0].hi
                0024: jeq #0xffffffff jt 0025 jf 0028
                0025: ld [16] ; args[0].lo
                0026: jeq #0xffffff9c jt 0027 jf 0028
                0027: ret USER_NOTIF
                0028: ret ERRNO(13)
                0029: ret ERRNO(38)
                """);
    }

    /** Every op against edge values of value, mask and argument, through the whole compiler. */
    @Test
    void sixtyFourBitEdgeCases() {
        long[] masks = {-1L, 0xffffffffL, 0xffffffff00000000L, 0x100000001L, 0x80000000L, 0L};
        int compiled = 0;
        for (Op op : Op.values()) {
            for (long v : Specs.EDGES) {
                for (long m : masks) {
                    for (int arg : new int[] {0, 5}) {
                        FilterSpec spec = FilterSpec.builder().defaultAction(ALLOW)
                                .syscall(Syscalls.OPENAT, List.of(new ArgRule(arg, op, v, m, NOTIF)), EACCES)
                                .build();
                        Program p = FilterCompiler.compile(spec);
                        compiled++;
                        for (long a : Specs.EDGES) {
                            for (long x : new long[] {a, v, v + 1, v - 1, v & m, v | ~m}) {
                                long[] args = new long[6];
                                args[arg] = x;
                                SeccompData d = SeccompData.of(Syscalls.OPENAT, args);
                                int want = op.test(x, v, m) ? NOTIF : EACCES;
                                assertThat(spec.evaluate(d)).isEqualTo(want);
                                assertThat(Interpreter.run(p, d))
                                        .as("%s arg%d=0x%x value=0x%x mask=0x%x", op, arg, x, v, m).isEqualTo(want);
                            }
                        }
                    }
                }
            }
        }
        assertThat(compiled).isEqualTo(Op.values().length * Specs.EDGES.length * masks.length * 2);
    }

    @Test
    void signExtendedIntArguments() {
        FilterSpec spec = FilterSpec.builder().defaultAction(ALLOW)
                .syscall(Syscalls.OPENAT, List.of(ArgRule.of(0, Op.EQ, AT_FDCWD, NOTIF),
                        ArgRule.of(0, Op.GE, 0x80000000L, EPERM)), ALLOW)
                .syscall(Syscalls.KILL, List.of(ArgRule.of(0, Op.LE, 0, EPERM)), NOTIF)
                .build();
        Program p = FilterCompiler.compile(spec);
        assertThat(Interpreter.run(p, SeccompData.of(Syscalls.OPENAT, 0xffffffffffffff9cL))).isEqualTo(NOTIF);
        assertThat(Interpreter.run(p, SeccompData.of(Syscalls.OPENAT, 0x00000000ffffff9cL))).isEqualTo(EPERM);
        assertThat(Interpreter.run(p, SeccompData.of(Syscalls.OPENAT, 0x7fffffffL))).isEqualTo(ALLOW);
        assertThat(Interpreter.run(p, SeccompData.of(Syscalls.OPENAT, 0x100000000L))).isEqualTo(EPERM);
        // kill(-1, …) is a huge unsigned value, not <= 0
        assertThat(Interpreter.run(p, SeccompData.of(Syscalls.KILL, -1L))).isEqualTo(NOTIF);
        assertThat(Interpreter.run(p, SeccompData.of(Syscalls.KILL, 0))).isEqualTo(EPERM);
    }

    @Test
    void thirtyTwoBitComparisonsIgnoreTheUpperHalf() {
        FilterSpec spec = FilterSpec.builder().defaultAction(ALLOW)
                .syscall(Syscalls.OPENAT, List.of(ArgRule.all(NOTIF, Cond.of32(0, Op.EQ, -100))), EACCES)
                .syscall(Syscalls.FCNTL, List.of(ArgRule.all(EPERM, Cond.of32(1, Op.GT, 1030))), ALLOW)
                .build();
        Program p = FilterCompiler.compile(spec);
        for (long fd : new long[] {-100L, 0xffffff9cL, 0x12345678ffffff9cL}) {
            assertThat(Interpreter.run(p, SeccompData.of(Syscalls.OPENAT, fd))).isEqualTo(NOTIF);
        }
        assertThat(Interpreter.run(p, SeccompData.of(Syscalls.OPENAT, 0xffffff9dL))).isEqualTo(EACCES);
        assertThat(Interpreter.run(p, SeccompData.of(Syscalls.FCNTL, 3, 0xffffffff00000001L))).isEqualTo(ALLOW);
        assertThat(Interpreter.run(p, SeccompData.of(Syscalls.FCNTL, 3, 1031))).isEqualTo(EPERM);
        // one load and one compare: the high word is not looked at
        assertThat(p.disassemble()).doesNotContain("args[0].hi").doesNotContain("args[1].hi");
    }

    @Test
    void conjunctionsAndRuleOrder() {
        // mmap: PROT_WRITE|PROT_EXEC denied, MAP_ANONYMOUS allowed, else notify
        FilterSpec spec = FilterSpec.builder().defaultAction(ALLOW)
                .syscall(Syscalls.MMAP, List.of(
                        ArgRule.all(EACCES, Cond.anyBits(2, 2), Cond.anyBits(2, 4)),
                        ArgRule.all(ALLOW, Cond.masked(3, 0x20, 0x20)),
                        ArgRule.all(EPERM)), NOTIF)
                .build();
        Program p = FilterCompiler.compile(spec);
        assertThat(Interpreter.run(p, SeccompData.of(9, 0, 4096, 7, 0x22))).isEqualTo(EACCES);
        assertThat(Interpreter.run(p, SeccompData.of(9, 0, 4096, 3, 0x22))).isEqualTo(ALLOW);
        assertThat(Interpreter.run(p, SeccompData.of(9, 0, 4096, 5, 0x02))).isEqualTo(EPERM);
    }

    @Test
    void specValidation() {
        assertThatThrownBy(() -> FilterSpec.builder().syscall(1, ALLOW).syscall(1, EPERM))
                .hasMessageContaining("listed twice");
        assertThatThrownBy(() -> FilterSpec.builder().syscall(-1, ALLOW)).hasMessageContaining("out of range");
        assertThatThrownBy(() -> FilterSpec.builder().syscall(0x40000001, ALLOW)).hasMessageContaining("out of range");
        assertThatThrownBy(() -> ArgRule.of(6, Op.EQ, 0, ALLOW)).hasMessageContaining("0..5");
    }

    @Test
    void adjacentSameActionsMerge() {
        FilterSpec.Builder b = FilterSpec.builder().defaultAction(ALLOW);
        for (int nr : Syscalls.all()) {
            b.syscall(nr, ALLOW);
        }
        // everything ALLOW collapses to one interval: no comparisons at all
        assertThat(FilterCompiler.compile(b.build()).length()).isEqualTo(7);
        FilterSpec spec = FilterSpec.builder().defaultAction(ALLOW)
                .syscall(10, EPERM).syscall(11, EPERM).syscall(12, EPERM).syscall(14, EPERM).build();
        assertThat(FilterCompiler.intervals(spec)).hasSize(5); // [0,9] [10,12] [13] [14] [15,…]
    }

    @Test
    void sizeAndDepthForLargeSpecs() {
        // every syscall listed, alternating actions so nothing merges, ~50 with argument rules
        Random r = new Random(1);
        FilterSpec.Builder b = FilterSpec.builder().defaultAction(ENOSYS);
        int i = 0;
        int ruled = 0;
        for (int nr : Syscalls.all()) {
            if (i++ % 8 == 0 && ruled < 50) {
                b.syscall(nr, List.of(
                        ArgRule.all(EPERM, Cond.of(0, Op.EQ, r.nextLong()), Cond.anyBits(1, 0x10000)),
                        ArgRule.of(2, Op.GT, r.nextInt(1000), NOTIF),
                        ArgRule.all(EACCES, Cond.masked(0, 0xff, 3)),
                        ArgRule.of(1, Op.NE, AT_FDCWD, ALLOW)), ENOSYS);
                ruled++;
            } else {
                b.syscall(nr, (i & 1) == 0 ? ALLOW : NOTIF);
            }
        }
        FilterSpec spec = b.build();
        Program p = FilterCompiler.compile(spec);
        System.out.printf("all %d syscalls, %d with rules: %d insns%n", spec.syscalls().size(), ruled, p.length());
        assertThat(p.length()).isLessThan(4096);
        int intervals = FilterCompiler.intervals(spec).size();
        int depth = 32 - Integer.numberOfLeadingZeros(intervals - 1); // ceil(log2)
        int maxSteps = 0;
        for (int nr = 0; nr <= 470; nr++) {
            SeccompData d = SeccompData.of(nr, 1, 2, 3);
            Interpreter.Trace t = Interpreter.trace(p, d);
            assertThat(t.ret()).isEqualTo(spec.evaluate(d));
            if (!(spec.syscalls().get(nr) instanceof FilterSpec.Rules)) {
                maxSteps = Math.max(maxSteps, t.steps());
            }
        }
        // 4 (arch, x32) + tree depth + a few trampolines + ret
        System.out.printf("intervals %d, depth %d, longest path to an unconditional ret %d%n", intervals, depth, maxSteps);
        assertThat(maxSteps).isLessThanOrEqualTo(4 + depth + 4 + 1);
    }

    @Test
    void realisticSpecCounts() {
        for (int[] shape : new int[][] {{120, 20}, {200, 30}, {382, 50}}) {
            FilterSpec spec = Specs.realistic(shape[0], shape[1], 7);
            Program p = FilterCompiler.compile(spec);
            long ruled = spec.syscalls().values().stream().filter(e -> e instanceof FilterSpec.Rules).count();
            System.out.printf("realistic: %d listed, %d with rules -> %d intervals, %d insns%n",
                    spec.syscalls().size(), ruled, FilterCompiler.intervals(spec).size(), p.length());
            assertThat(p.length()).isLessThan(4096);
            Random r = new Random(3);
            for (int k = 0; k < 5000; k++) {
                assertAgrees(p, spec, Specs.data(r, spec));
            }
        }
    }
}
