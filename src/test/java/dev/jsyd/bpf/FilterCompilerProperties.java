package dev.jsyd.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.abi.Seccomp;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** The compiled filter agrees with the reference evaluation of the spec, for random specs. */
class FilterCompilerProperties {

    @Property(tries = 300)
    void compiledAgreesWithReference(@ForAll long seed,
                                     @ForAll @IntRange(min = 0, max = 120) int listed,
                                     @ForAll @IntRange(min = 0, max = 30) int withRules) {
        Random r = new Random(seed);
        FilterSpec spec = Specs.random(r, listed, Math.min(listed, withRules), 470);
        Program p = FilterCompiler.compile(spec);
        assertThat(p.length()).isLessThanOrEqualTo(4096);
        // every number, plain args
        for (int nr = 0; nr <= 470; nr++) {
            SeccompData d = SeccompData.of(nr, r.nextLong(), Specs.value(r), 0, -1L, 0xffffffffL, -100L);
            assertThat(Interpreter.run(p, d)).as("seed %d, %s", seed, d).isEqualTo(spec.evaluate(d));
        }
        // x32 and foreign arches
        for (int nr : new int[] {0, 1, 257, 0x3fffffff, -1}) {
            SeccompData x32 = SeccompData.of(nr | Seccomp.X32_SYSCALL_BIT);
            assertThat(Interpreter.run(p, x32)).isEqualTo(spec.x32Action());
            SeccompData i386 = new SeccompData(nr, Seccomp.AUDIT_ARCH_I386, 0, null);
            assertThat(Interpreter.run(p, i386)).isEqualTo(spec.foreignArchAction());
        }
        // data aimed at the rules
        for (int k = 0; k < 400; k++) {
            SeccompData d = Specs.data(r, spec);
            assertThat(Interpreter.run(p, d)).as("seed %d, %s, %s", seed, spec, d).isEqualTo(spec.evaluate(d));
        }
    }

    @Property(tries = 30)
    void bigSpecsStayUnderTheLimit(@ForAll long seed) {
        Random r = new Random(seed);
        FilterSpec spec = Specs.random(r, 460, 50, 470);
        Program p = FilterCompiler.compile(spec);
        assertThat(p.length()).isLessThan(4096);
        for (int k = 0; k < 300; k++) {
            SeccompData d = Specs.data(r, spec);
            assertThat(Interpreter.run(p, d)).as("seed %d, %s", seed, d).isEqualTo(spec.evaluate(d));
        }
    }

    @Property(tries = 200)
    void bytesRoundTrip(@ForAll long seed) {
        Random r = new Random(seed);
        Program p = FilterCompiler.compile(Specs.random(r, r.nextInt(60), r.nextInt(10), 470));
        assertThat(Program.fromBytes(p.toBytes())).isEqualTo(p);
    }
}
