package dev.jsyd.abi;

/** Audit architecture identifiers ({@code <linux/audit.h>}), as seen in {@code seccomp_data.arch}. */
public final class Audit {
    private Audit() {}

    public static final int __AUDIT_ARCH_64BIT = 0x80000000;
    public static final int __AUDIT_ARCH_LE = 0x40000000;

    public static final int EM_386 = 3;
    public static final int EM_ARM = 40;
    public static final int EM_X86_64 = 62;
    public static final int EM_AARCH64 = 183;
    public static final int EM_RISCV = 243;

    /** x86_64 (and x32, whose syscall numbers carry {@link #X32_SYSCALL_BIT}). */
    public static final int AUDIT_ARCH_X86_64 = 0xC000003E;
    public static final int AUDIT_ARCH_I386 = 0x40000003;
    public static final int AUDIT_ARCH_AARCH64 = 0xC00000B7;
    public static final int AUDIT_ARCH_ARM = 0x40000028;
    public static final int AUDIT_ARCH_RISCV64 = 0xC00000F3;

    /** {@code __X32_SYSCALL_BIT}: set in the syscall number of x32-ABI calls on x86_64. */
    public static final int X32_SYSCALL_BIT = 0x40000000;
}
