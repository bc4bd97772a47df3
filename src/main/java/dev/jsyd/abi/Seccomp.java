package dev.jsyd.abi;

/**
 * seccomp constants ({@code <linux/seccomp.h>}), facts only. Names drop the {@code SECCOMP_}
 * prefix: {@code SECCOMP_RET_ALLOW} is {@link #RET_ALLOW}.
 */
public final class Seccomp {
    private Seccomp() {}

    // Filter return values. The action is the upper 16 bits, the data the lower 16 bits.
    public static final int RET_KILL_PROCESS = 0x80000000;
    public static final int RET_KILL_THREAD = 0x00000000;
    public static final int RET_KILL = RET_KILL_THREAD;
    public static final int RET_TRAP = 0x00030000;
    public static final int RET_ERRNO = 0x00050000;
    public static final int RET_USER_NOTIF = 0x7fc00000;
    public static final int RET_TRACE = 0x7ff00000;
    public static final int RET_LOG = 0x7ffc0000;
    public static final int RET_ALLOW = 0x7fff0000;
    public static final int RET_ACTION_FULL = 0xffff0000;
    public static final int RET_ACTION = 0x7fff0000;
    public static final int RET_DATA = 0x0000ffff;
    public static final int RET_DATA_MASK = RET_DATA;

    // Arches (mirrors of Audit, for convenience where filters are built).
    public static final int AUDIT_ARCH_X86_64 = Audit.AUDIT_ARCH_X86_64;
    public static final int AUDIT_ARCH_I386 = Audit.AUDIT_ARCH_I386;
    public static final int AUDIT_ARCH_AARCH64 = Audit.AUDIT_ARCH_AARCH64;
    public static final int X32_SYSCALL_BIT = Audit.X32_SYSCALL_BIT;

    // seccomp(2) operations.
    public static final int SET_MODE_STRICT = 0;
    public static final int SET_MODE_FILTER = 1;
    public static final int GET_ACTION_AVAIL = 2;
    public static final int GET_NOTIF_SIZES = 3;

    // prctl(PR_SET_SECCOMP) modes.
    public static final int MODE_DISABLED = 0;
    public static final int MODE_STRICT = 1;
    public static final int MODE_FILTER = 2;

    // seccomp(SET_MODE_FILTER) flags.
    public static final int FILTER_FLAG_TSYNC = 1;
    public static final int FILTER_FLAG_LOG = 2;
    public static final int FILTER_FLAG_SPEC_ALLOW = 4;
    public static final int FILTER_FLAG_NEW_LISTENER = 8;
    public static final int FILTER_FLAG_TSYNC_ESRCH = 16;
    public static final int FILTER_FLAG_WAIT_KILLABLE_RECV = 32;

    // User notification.
    public static final int USER_NOTIF_FLAG_CONTINUE = 1;
    public static final int ADDFD_FLAG_SETFD = 1;
    public static final int ADDFD_FLAG_SEND = 2;
    public static final int USER_NOTIF_FD_SYNC_WAKE_UP = 1;

    // ioctls on the listener fd ('!' = 0x21).
    public static final int IOCTL_NOTIF_RECV = 0xC0502100;
    public static final int IOCTL_NOTIF_SEND = 0xC0182101;
    public static final int IOCTL_NOTIF_ID_VALID = 0x40082102;
    public static final int IOCTL_NOTIF_ID_VALID_OLD = 0x80082102;
    public static final int IOCTL_NOTIF_ADDFD = 0x40182103;
    public static final int IOCTL_NOTIF_SET_FLAGS = 0x40082104;

    // Struct sizes.
    public static final int SIZEOF_SECCOMP_DATA = 64;
    public static final int SIZEOF_SECCOMP_NOTIF = 80;
    public static final int SIZEOF_SECCOMP_NOTIF_RESP = 24;
    public static final int SIZEOF_SECCOMP_NOTIF_ADDFD = 24;
    public static final int SIZEOF_SOCK_FILTER = 8;
    public static final int SIZEOF_SOCK_FPROG = 16;

    // seccomp_data offsets.
    public static final int DATA_NR = 0;
    public static final int DATA_ARCH = 4;
    public static final int DATA_IP = 8;
    public static final int DATA_ARGS = 16;

    /** BPF_MAXINSNS: the longest classic BPF program the kernel accepts. */
    public static final int BPF_MAXINSNS = 4096;

    /** {@code SECCOMP_RET_ERRNO | (e & SECCOMP_RET_DATA)}. */
    public static int errno(int e) {
        return RET_ERRNO | (e & RET_DATA);
    }

    /** {@code SECCOMP_RET_TRACE | (data & SECCOMP_RET_DATA)}. */
    public static int trace(int data) {
        return RET_TRACE | (data & RET_DATA);
    }

    /** {@code SECCOMP_RET_TRAP | (data & SECCOMP_RET_DATA)}. */
    public static int trap(int data) {
        return RET_TRAP | (data & RET_DATA);
    }

    /** The action part of a filter return value ({@code ret & SECCOMP_RET_ACTION_FULL}). */
    public static int action(int ret) {
        return ret & RET_ACTION_FULL;
    }

    /** The data part of a filter return value ({@code ret & SECCOMP_RET_DATA}). */
    public static int data(int ret) {
        return ret & RET_DATA;
    }
}
