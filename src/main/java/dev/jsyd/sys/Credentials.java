package dev.jsyd.sys;

import dev.jsyd.abi.Errno;
import dev.jsyd.abi.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The credentials of one supervisor thread, switched with the per-thread raw system calls
 * {@code setfsuid}, {@code setfsgid}, {@code setgroups} and {@code capset} (never the glibc
 * wrappers of the first three, which would change every thread of the JVM). A worker takes the
 * {@link Identity} of the program thread whose call it carries out — its fsuid, fsgid,
 * supplementary groups and effective capabilities — so the kernel checks the emulated call as it
 * would check the program's own: DAC, capabilities, ptrace access to {@code /proc}, the
 * credentials a new file or socket records.
 *
 * <p>Only the file-system ids and the effective set change: the real, effective and saved uids
 * and the permitted set stay the supervisor's, so the thread can always take its own rights back
 * ({@code capset} may raise the effective set up to the permitted one without privilege).
 * Because a credential change costs about a microsecond or two on this kernel (a new
 * {@code struct cred} each time), a thread keeps the identity it last took and switches only
 * when the next call comes from another identity.
 *
 * <p>Three things need more than the program's rights, and get exactly that for one call:
 * {@link #withPtrace} raises CAP_SYS_PTRACE for the accesses the kernel checks like ptrace and
 * that the program itself could always make (its own memory with process_vm_readv/writev, its
 * fds with pidfd_getfd, its own {@code /proc/PID} entries: the kernel lets a thread group into
 * its own {@code /proc} unconditionally); {@link #privileged} gives the supervisor's whole
 * effective set back (signals of the actions, log records); {@link #asSupervisor} gives the
 * whole identity back (a process forked from the thread inherits it).
 *
 * <p>A thread whose credentials could not be switched back is marked broken: every later
 * {@link #become} fails, so it never carries out a call with rights it should not have.
 */
public final class Credentials {
    public static final int CAP_CHOWN = 0, CAP_DAC_OVERRIDE = 1, CAP_DAC_READ_SEARCH = 2, CAP_FOWNER = 3,
            CAP_FSETID = 4, CAP_KILL = 5, CAP_SETGID = 6, CAP_SETUID = 7, CAP_NET_BIND_SERVICE = 10,
            CAP_NET_ADMIN = 12, CAP_NET_RAW = 13, CAP_SYS_PTRACE = 19, CAP_SYS_ADMIN = 21, CAP_MKNOD = 27,
            CAP_SETFCAP = 31, CAP_SYSLOG = 34;

    /**
     * What a worker thread needs in its <em>permitted</em> set besides every capability the program
     * may hold (those it borrows): CAP_SETUID and CAP_SETGID to take the program's fsuid, fsgid and
     * groups (and to pass on credentials of the program's ids with a message); CAP_SYS_PTRACE for
     * process_vm_readv/writev, pidfd_getfd and the program's own {@code /proc} entries when the
     * program is not dumpable or not of the supervisor's uid (with CAP_DAC_READ_SEARCH for walking
     * its {@code fd} directories then); CAP_KILL for the signals of the stop/abort/kill actions and
     * SIGPIPE. None of them is in the effective set while a call is carried out unless the program
     * has it too. CAP_SYS_ADMIN is not needed: where a worker has it, a program's credentials are
     * passed on with its own pid, else with the supervisor's (as implicit credentials are).
     */
    public static final long WORKER_CAPS = bit(CAP_SETUID) | bit(CAP_SETGID) | bit(CAP_SYS_PTRACE)
            | bit(CAP_DAC_READ_SEARCH) | bit(CAP_KILL);

    private static final int VERSION_3 = 0x20080522;
    private static final long SETID = bit(CAP_SETUID) | bit(CAP_SETGID);

    public static long bit(int cap) { return 1L << cap; }

    private static final class RealIds {
        static final int UID = (int) Native.syscall(Syscalls.GETUID), GID = (int) Native.syscall(Syscalls.GETGID);
    }

    /** The supervisor's real uid (never changed: threads borrow only fs ids). */
    public static int realUid() { return RealIds.UID; }

    /** The supervisor's real gid. */
    public static int realGid() { return RealIds.GID; }

    /**
     * What an emulated call is checked with: fsuid, fsgid, supplementary groups (as the kernel
     * lists them) and the effective capability set.
     */
    public record Identity(int fsuid, int fsgid, int[] groups, long capEff) {
        public Identity {
            groups = groups.clone();
        }

        public boolean hasCap(int cap) { return (capEff & bit(cap)) != 0; }

        @Override public int[] groups() { return groups.clone(); }

        @Override
        public boolean equals(Object o) {
            return o instanceof Identity i && i.fsuid == fsuid && i.fsgid == fsgid && i.capEff == capEff
                    && Arrays.equals(i.groups, groups);
        }

        @Override
        public int hashCode() { return ((fsuid * 31 + fsgid) * 31 + Arrays.hashCode(groups)) * 31 + Long.hashCode(capEff); }

        @Override
        public String toString() {
            return "fsuid " + Integer.toUnsignedString(fsuid) + " fsgid " + Integer.toUnsignedString(fsgid)
                    + " groups " + Arrays.toString(groups) + " CapEff " + Long.toHexString(capEff);
        }
    }

    private static final ThreadLocal<Credentials> THREAD = ThreadLocal.withInitial(Credentials::new);

    /** The calling thread's credentials (created, from what the thread has now, on first use). */
    public static Credentials ofThread() { return THREAD.get(); }

    private final Arena arena = Arena.ofAuto();
    private final MemorySegment header = arena.allocate(8, 4);
    private final MemorySegment data = arena.allocate(24, 4);
    private MemorySegment groupBuf = arena.allocate(4L * 64, 4);
    private final Identity own;
    private long permitted;
    private final long inheritable;
    private Identity current;
    private long currentEff;
    private boolean broken;

    private Credentials() {
        long[] caps = capget();
        permitted = caps[1];
        inheritable = caps[2];
        own = new Identity(query(Syscalls.SETFSUID), query(Syscalls.SETFSGID), getgroups(), caps[0]);
        current = own;
        currentEff = caps[0];
    }

    /** True when this thread can raise capability {@code cap} (it is in its permitted set). */
    public boolean mayRaise(int cap) { return (permitted & bit(cap)) != 0; }

    /** The identity the thread started with (the supervisor's). */
    public Identity own() { return own; }

    /** The identity the thread has now. */
    public Identity current() { return current; }

    /**
     * Switches the thread to {@code target} (nothing to do when it has it already). Capabilities the
     * supervisor does not hold cannot be borrowed: the thread then has fewer than the program.
     */
    public void become(Identity target) throws ErrnoException {
        if (broken) throw new ErrnoException("credentials (a switch back failed earlier)", Errno.EPERM);
        if (target == current) return;
        if (target.equals(current)) {
            current = target;
            return;
        }
        try {
            boolean groups = !Arrays.equals(target.groups, current.groups);
            boolean ids = groups || target.fsuid != current.fsuid || target.fsgid != current.fsgid;
            if (ids) {
                if ((currentEff & SETID) != SETID) capset(currentEff | (SETID & permitted));
                if (groups) setgroups(target.groups);
                if (target.fsgid != current.fsgid) setfs(Syscalls.SETFSGID, target.fsgid);
                if (target.fsuid != current.fsuid) setfs(Syscalls.SETFSUID, target.fsuid);
            }
            long eff = target.capEff & permitted;
            // setfsuid moves the file-system capabilities when the fsuid leaves or reaches 0: set the effective set last.
            if (ids || eff != currentEff) capset(eff);
            current = target;
        } catch (ErrnoException e) {
            restore();
            throw e;
        }
    }

    /**
     * Runs {@code call} (a system call returning a value or -errno) and, when it fails with EPERM or
     * EACCES for want of ptrace rights, once more with CAP_SYS_PTRACE raised for that one call. Only
     * for accesses the program itself may always make (its own memory, fds and {@code /proc}).
     */
    public long withPtrace(LongSupplier call) {
        long r = call.getAsLong();
        if (r != -Errno.EPERM && r != -Errno.EACCES) return r;
        return withCaps(bit(CAP_SYS_PTRACE), call::getAsLong);
    }

    /** {@link #withPtrace} for the calling thread. */
    public static long ptraceRetry(LongSupplier call) { return ofThread().withPtrace(call); }

    /**
     * Runs {@code call} with {@code caps} added to the effective set (those the supervisor holds),
     * then takes them away again.
     */
    public <T> T withCaps(long caps, Supplier<T> call) {
        long eff = currentEff;
        long raised = eff | (caps & permitted);
        if (raised == eff || broken) return call.get();
        try {
            capset(raised);
        } catch (ErrnoException e) {
            return call.get();
        }
        try {
            return call.get();
        } finally {
            lower(eff);
        }
    }

    /** Runs {@code action} with the supervisor's whole effective set (the signals of the actions, the log). */
    public <T> T privileged(Supplier<T> action) { return withCaps(own.capEff, action); }

    /** {@link #privileged} for the calling thread. */
    public static <T> T privilegedCall(Supplier<T> action) { return ofThread().privileged(action); }

    /**
     * Runs {@code action} with the thread's whole own identity, then takes the current one again: for
     * anything that creates a process or thread, which inherits the credentials of this thread.
     */
    public <T> T asSupervisor(Supplier<T> action) throws ErrnoException {
        Identity was = current;
        become(own);
        try {
            return action.get();
        } finally {
            become(was);
        }
    }

    /** Takes the effective set back down to {@code eff}; a thread that cannot is broken for good. */
    private void lower(long eff) {
        try {
            capset(eff);
        } catch (ErrnoException e) {
            broken = true;
        }
    }

    /** Back to the thread's own identity after a failed switch; broken when even that fails. */
    private void restore() {
        try {
            capset(permitted);
            setgroups(own.groups);
            setfs(Syscalls.SETFSGID, own.fsgid);
            setfs(Syscalls.SETFSUID, own.fsuid);
            capset(own.capEff & permitted);
            current = own;
        } catch (ErrnoException e) {
            broken = true;
        }
    }

    // ---- the raw calls ------------------------------------------------------------------------

    private long[] capget() {
        header.set(ValueLayout.JAVA_INT, 0, VERSION_3);
        header.set(ValueLayout.JAVA_INT, 4, 0);
        long r = Native.syscall(Syscalls.CAPGET, header.address(), data.address());
        if (r < 0) throw new IllegalStateException("capget: " + Errno.name((int) -r));
        long[] out = new long[3];
        for (int k = 0; k < 3; k++) {
            out[k] = (data.get(ValueLayout.JAVA_INT, 4L * k) & 0xffffffffL)
                    | (long) data.get(ValueLayout.JAVA_INT, 12 + 4L * k) << 32;
        }
        return out;
    }

    /** Sets the effective set (permitted and inheritable unchanged) of this thread only. */
    private void capset(long eff) throws ErrnoException {
        long r = capsetRaw(eff);
        if (r == -Errno.EPERM) { // the permitted set was lowered under us (the supervisor dropping rights): follow
            permitted = capget()[1];
            r = capsetRaw(eff & permitted);
        }
        if (r < 0) throw new ErrnoException("capset", (int) -r);
        currentEff = eff & permitted;
    }

    private long capsetRaw(long eff) {
        header.set(ValueLayout.JAVA_INT, 0, VERSION_3);
        header.set(ValueLayout.JAVA_INT, 4, 0);
        long[] v = {eff & permitted, permitted, inheritable};
        for (int k = 0; k < 3; k++) {
            data.set(ValueLayout.JAVA_INT, 4L * k, (int) v[k]);
            data.set(ValueLayout.JAVA_INT, 12 + 4L * k, (int) (v[k] >>> 32));
        }
        return Native.syscall(Syscalls.CAPSET, header.address(), data.address());
    }

    /** setfsuid/setfsgid, which report no error: the id is read back to see that it changed. */
    private static void setfs(int nr, int id) throws ErrnoException {
        Native.syscall(nr, id & 0xffffffffL);
        if (query(nr) != id) throw new ErrnoException(nr == Syscalls.SETFSUID ? "setfsuid" : "setfsgid", Errno.EPERM);
    }

    /** The current fsuid or fsgid: set*(-1) changes nothing and returns it. */
    private static int query(int nr) { return (int) Native.syscall(nr, 0xffffffffL); }

    private int[] getgroups() {
        int n = (int) Native.syscall(Syscalls.GETGROUPS, 0, 0);
        if (n < 0) throw new IllegalStateException("getgroups: " + Errno.name(-n));
        MemorySegment buf = groups(n);
        n = (int) Native.syscall(Syscalls.GETGROUPS, n, buf.address());
        if (n < 0) throw new IllegalStateException("getgroups: " + Errno.name(-n));
        int[] g = new int[n];
        for (int i = 0; i < n; i++) g[i] = buf.get(ValueLayout.JAVA_INT, 4L * i);
        return g;
    }

    private void setgroups(int[] groups) throws ErrnoException {
        MemorySegment buf = groups(groups.length);
        for (int i = 0; i < groups.length; i++) buf.set(ValueLayout.JAVA_INT, 4L * i, groups[i]);
        long r = Native.syscall(Syscalls.SETGROUPS, groups.length, buf.address());
        if (r < 0) throw new ErrnoException("setgroups", (int) -r);
    }

    private MemorySegment groups(int n) {
        if (groupBuf.byteSize() < 4L * Math.max(n, 1)) groupBuf = arena.allocate(4L * n, 4);
        return groupBuf;
    }
}
