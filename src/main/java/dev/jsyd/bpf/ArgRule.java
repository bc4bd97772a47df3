package dev.jsyd.bpf;

import java.util.List;
import java.util.Objects;

/**
 * One argument rule of a syscall: a conjunction of conditions on the full 64-bit arguments
 * (unsigned) and the action when they all hold. A rule with no conditions always matches.
 */
public record ArgRule(List<Cond> conds, int ret) {

    /** Comparison of {@code arg & mask} with a value; unsigned 64-bit. */
    public enum Op {
        /** {@code (arg & mask) == value}. */
        EQ,
        /** {@code (arg & mask) != value}. */
        NE,
        /** {@code (arg & mask) > value}. */
        GT,
        /** {@code (arg & mask) >= value}. */
        GE,
        /** {@code (arg & mask) < value}. */
        LT,
        /** {@code (arg & mask) <= value}. */
        LE,
        /** {@code (arg & mask) == value} (EQ with a mask, named as in libseccomp). */
        MASKED_EQ,
        /** {@code (arg & mask) != 0}; the value is ignored. */
        ANY_BITS,
        /** {@code (arg & mask) == 0}; the value is ignored. */
        NO_BITS;

        /** The reference semantics. */
        public boolean test(long arg, long value, long mask) {
            long a = arg & mask;
            return switch (this) {
                case EQ, MASKED_EQ -> a == value;
                case NE -> a != value;
                case GT -> Long.compareUnsigned(a, value) > 0;
                case GE -> Long.compareUnsigned(a, value) >= 0;
                case LT -> Long.compareUnsigned(a, value) < 0;
                case LE -> Long.compareUnsigned(a, value) <= 0;
                case ANY_BITS -> a != 0;
                case NO_BITS -> a == 0;
            };
        }
    }

    /** One condition on {@code args[argIndex]}. */
    public record Cond(int argIndex, Op op, long value, long mask) {
        public Cond {
            if (argIndex < 0 || argIndex > 5) {
                throw new IllegalArgumentException("argument index out of range 0..5: " + argIndex);
            }
            Objects.requireNonNull(op, "op");
        }

        /** A comparison of the whole argument (mask all ones). */
        public static Cond of(int argIndex, Op op, long value) {
            return new Cond(argIndex, op, value, -1L);
        }

        /**
         * A comparison of the low 32 bits only, for arguments the kernel reads as a C int or
         * unsigned int (fd, flags, mode): the kernel ignores the upper half of the register, so a
         * 64-bit comparison could be bypassed by a program that sets it. The comparison is
         * unsigned; {@code value} is taken modulo 2^32 ({@code AT_FDCWD} = -100 matches
         * 0xffffff9c with any upper half).
         */
        public static Cond of32(int argIndex, Op op, int value) {
            return new Cond(argIndex, op, value & 0xffffffffL, 0xffffffffL);
        }

        /** {@code (arg & mask) == value}. */
        public static Cond masked(int argIndex, long mask, long value) {
            return new Cond(argIndex, Op.MASKED_EQ, value, mask);
        }

        /** {@code (arg & bits) != 0}. */
        public static Cond anyBits(int argIndex, long bits) {
            return new Cond(argIndex, Op.ANY_BITS, 0, bits);
        }

        /** {@code (arg & bits) == 0}. */
        public static Cond noBits(int argIndex, long bits) {
            return new Cond(argIndex, Op.NO_BITS, 0, bits);
        }

        public boolean test(SeccompData d) {
            return op.test(d.arg(argIndex), value, mask);
        }
    }

    public ArgRule {
        conds = List.copyOf(conds);
    }

    /** A rule with a single condition. */
    public ArgRule(int argIndex, Op op, long value, long mask, int ret) {
        this(List.of(new Cond(argIndex, op, value, mask)), ret);
    }

    /** A rule with a single condition on the whole argument. */
    public static ArgRule of(int argIndex, Op op, long value, int ret) {
        return new ArgRule(argIndex, op, value, -1L, ret);
    }

    /** A rule that matches when every condition holds. */
    public static ArgRule all(int ret, Cond... conds) {
        return new ArgRule(List.of(conds), ret);
    }

    /** The reference semantics. */
    public boolean matches(SeccompData d) {
        for (Cond c : conds) {
            if (!c.test(d)) {
                return false;
            }
        }
        return true;
    }
}
