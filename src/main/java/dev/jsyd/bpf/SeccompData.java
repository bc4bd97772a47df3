package dev.jsyd.bpf;

import dev.jsyd.abi.Audit;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * {@code struct seccomp_data} (64 bytes, little endian): {@code int nr}@0, {@code u32 arch}@4,
 * {@code u64 instruction_pointer}@8, {@code u64 args[6]}@16. An argument the kernel passes as a C
 * {@code int} arrives sign-extended: {@code AT_FDCWD} (-100) is {@code 0xffffffffffffff9c}.
 */
public record SeccompData(int nr, int arch, long instructionPointer, long[] args) {
    public static final int SIZE = 64;
    public static final int OFFSET_NR = 0;
    public static final int OFFSET_ARCH = 4;
    public static final int OFFSET_IP = 8;
    public static final int OFFSET_ARGS = 16;

    /** args may be shorter than 6 (missing ones are 0), never longer. */
    public SeccompData {
        if (args == null) {
            args = new long[6];
        } else if (args.length > 6) {
            throw new IllegalArgumentException("seccomp_data has 6 args, got " + args.length);
        } else {
            args = Arrays.copyOf(args, 6);
        }
    }

    /** An x86_64 call with the given number and arguments, ip 0. */
    public static SeccompData of(int nr, long... args) {
        return new SeccompData(nr, Audit.AUDIT_ARCH_X86_64, 0L, args);
    }

    /** Offset of the low 32-bit word of args[i]; the high word is at +4. */
    public static int argLow(int i) {
        checkArg(i);
        return OFFSET_ARGS + 8 * i;
    }

    /** Offset of the high 32-bit word of args[i]. */
    public static int argHigh(int i) {
        return argLow(i) + 4;
    }

    private static void checkArg(int i) {
        if (i < 0 || i > 5) {
            throw new IllegalArgumentException("argument index out of range 0..5: " + i);
        }
    }

    @Override
    public long[] args() {
        return args.clone();
    }

    public long arg(int i) {
        checkArg(i);
        return args[i];
    }

    /** The 32-bit word a {@code BPF_LD|BPF_W|BPF_ABS} at this offset loads (aligned, < 64). */
    public int word(int offset) {
        if (offset < 0 || offset >= SIZE || (offset & 3) != 0) {
            throw new IllegalArgumentException("bad seccomp_data offset: " + offset);
        }
        return switch (offset) {
            case OFFSET_NR -> nr;
            case OFFSET_ARCH -> arch;
            case OFFSET_IP -> (int) instructionPointer;
            case OFFSET_IP + 4 -> (int) (instructionPointer >>> 32);
            default -> {
                long a = args[(offset - OFFSET_ARGS) / 8];
                yield (offset & 4) == 0 ? (int) a : (int) (a >>> 32);
            }
        };
    }

    /** The 64 bytes the kernel hands to the filter. */
    public byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(nr).putInt(arch).putLong(instructionPointer);
        for (long a : args) {
            b.putLong(a);
        }
        return b.array();
    }

    public static SeccompData fromBytes(byte[] bytes) {
        if (bytes.length < SIZE) {
            throw new IllegalArgumentException("seccomp_data needs 64 bytes, got " + bytes.length);
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int nr = b.getInt();
        int arch = b.getInt();
        long ip = b.getLong();
        long[] args = new long[6];
        for (int i = 0; i < 6; i++) {
            args[i] = b.getLong();
        }
        return new SeccompData(nr, arch, ip, args);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SeccompData d && d.nr == nr && d.arch == arch
                && d.instructionPointer == instructionPointer && Arrays.equals(d.args, args);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(args) * 31 + nr * 17 + arch + Long.hashCode(instructionPointer);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("SeccompData[nr=").append(nr)
                .append(", arch=0x").append(Integer.toHexString(arch))
                .append(", ip=0x").append(Long.toHexString(instructionPointer)).append(", args=[");
        for (int i = 0; i < 6; i++) {
            sb.append(i == 0 ? "" : ", ").append("0x").append(Long.toHexString(args[i]));
        }
        return sb.append("]]").toString();
    }
}
