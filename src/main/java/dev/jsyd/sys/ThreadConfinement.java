package dev.jsyd.sys;

import dev.jsyd.abi.Seccomp;
import dev.jsyd.abi.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Confines the calling thread, and only it: capabilities and the seccomp filter are per-thread
 * attributes in Linux (and are inherited by threads it creates later). The supervisor confines
 * each of its own threads at its start (see {@code supervisor/ThreadRoles}); the JVM's threads
 * and the thread that spawns the launcher are left alone.
 */
public final class ThreadConfinement {
    private ThreadConfinement() {}

    private static final int PR_SET_NO_NEW_PRIVS = 38, PR_CAPBSET_DROP = 24, PR_CAP_AMBIENT = 47,
            PR_CAP_AMBIENT_CLEAR_ALL = 4, CAP_LAST_SUPPORTED = 63;
    private static final int CAPABILITY_VERSION_3 = 0x20080522;

    /**
     * Sets no_new_privs on the calling thread (so that no CAP_SYS_ADMIN is needed; the thread
     * never executes anything) and installs {@code filter} (struct sock_filter[]) on it alone, with
     * SECCOMP_FILTER_FLAG_SPEC_ALLOW: the filter confines the supervisor's own, trusted code, so
     * the speculation mitigations the kernel otherwise forces on a filtered task (SSBD, IBPB on
     * switch) would cost every call of these threads and protect nothing. 0 or -errno.
     */
    public static int installFilter(byte[] filter) {
        long r = Native.syscall(Syscalls.PRCTL, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        if (r < 0) return (int) r;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment insns = a.allocate(filter.length, 8);
            MemorySegment.copy(filter, 0, insns, ValueLayout.JAVA_BYTE, 0, filter.length);
            MemorySegment prog = a.allocate(16, 8); // struct sock_fprog { u16 len; sock_filter *filter; }
            prog.set(ValueLayout.JAVA_SHORT, 0, (short) (filter.length / 8));
            prog.set(ValueLayout.ADDRESS, 8, insns);
            return (int) Native.syscall(Syscalls.SECCOMP, Seccomp.SET_MODE_FILTER, Seccomp.FILTER_FLAG_SPEC_ALLOW, prog.address());
        }
    }

    /**
     * Limits the calling thread to the capabilities in {@code keep} (a mask of capability
     * numbers): drops the others from its bounding set (where it still holds CAP_SETPCAP),
     * clears its ambient and inheritable sets, and sets permitted and effective to what it had
     * of {@code keep}. Dropping never needs a privilege; a thread that had none stays without.
     * 0 or -errno.
     */
    public static int limitCapabilities(long keep) {
        for (int cap = 0; cap <= CAP_LAST_SUPPORTED; cap++) {
            if ((keep & (1L << cap)) != 0) continue;
            long r = Native.syscall(Syscalls.PRCTL, PR_CAPBSET_DROP, cap, 0, 0, 0);
            if (r == -dev.jsyd.abi.Errno.EINVAL) break; // past the last capability this kernel knows
        }
        Native.syscall(Syscalls.PRCTL, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment hdr = a.allocate(8, 4);
            hdr.set(ValueLayout.JAVA_INT, 0, CAPABILITY_VERSION_3);
            hdr.set(ValueLayout.JAVA_INT, 4, 0);
            MemorySegment data = a.allocate(24, 4); // two struct __user_cap_data_struct {eff, perm, inh}
            long r = Native.syscall(Syscalls.CAPGET, hdr.address(), data.address());
            if (r < 0) return (int) r;
            for (int half = 0; half < 2; half++) {
                int mask = (int) (keep >>> (32 * half));
                int perm = data.get(ValueLayout.JAVA_INT, half * 12 + 4) & mask;
                data.set(ValueLayout.JAVA_INT, half * 12, perm);
                data.set(ValueLayout.JAVA_INT, half * 12 + 4, perm);
                data.set(ValueLayout.JAVA_INT, half * 12 + 8, 0);
            }
            return (int) Native.syscall(Syscalls.CAPSET, hdr.address(), data.address());
        }
    }
}
