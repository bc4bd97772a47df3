package dev.jsyd.sys;

import dev.jsyd.abi.Errno;
import dev.jsyd.abi.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Socket calls the supervisor makes on its own duplicates of the program's sockets (obtained with
 * pidfd_getfd): bind, connect, send with addresses and payloads it copied out of the program once.
 * Addresses and control data are byte arrays the caller decoded and checked; payloads are copied
 * straight from the program's memory into a supervisor buffer (process_vm_readv) and sent from
 * there, so the program cannot change what was checked. Calls return the result or {@code -errno}.
 *
 * <p>Per thread: {@link #current()} gives the calling thread's instance and its confined buffers.
 */
public final class Sockets {
    /** {@code sizeof(struct sockaddr_storage)}: the largest address the kernel copies in. */
    public static final int ADDR_MAX = 128;
    /** The most payload one emulated send carries (stream sockets see a short send beyond it). */
    public static final long PAYLOAD_MAX = 16L << 20;
    /** The most control data one emulated sendmsg accepts (the kernel's optmem limit is of this order). */
    public static final int CONTROL_MAX = 64 * 1024;
    /** UIO_MAXIOV. */
    public static final int IOV_MAX = 1024;

    public static final int SOL_SOCKET = 1, SO_TYPE = 3, SO_PASSCRED = 16, SO_DOMAIN = 39, SO_PASSPIDFD = 76;
    public static final int MSG_NOSIGNAL = 0x4000;

    private static final ThreadLocal<Sockets> CURRENT = ThreadLocal.withInitial(Sockets::new);

    // auto: freed with the thread's instance when a worker thread ends
    private final Arena arena = Arena.ofAuto();
    private final MemorySegment addr = arena.allocate(ADDR_MAX + 8, 8);
    private final MemorySegment intVal = arena.allocate(8, 8);
    private final MemorySegment intLen = arena.allocate(8, 8);
    private final MemorySegment msghdr = arena.allocate(56, 8);
    private final MemorySegment localIov = arena.allocate(16, 8);
    private final MemorySegment remoteIov = arena.allocate(16L * IOV_MAX, 8);
    private final MemorySegment control = arena.allocate(CONTROL_MAX, 8);
    private final MemorySegment path = arena.allocate(4097, 8);

    private Sockets() {}

    /** The calling thread's instance. */
    public static Sockets current() { return CURRENT.get(); }

    private MemorySegment putAddr(byte[] a) {
        MemorySegment.copy(a, 0, addr, ValueLayout.JAVA_BYTE, 0, a.length);
        return addr;
    }

    /** bind(2) of {@code fd} to the address bytes {@code a}; 0 or -errno. */
    public int bind(int fd, byte[] a) {
        if (a.length > ADDR_MAX) return -Errno.EINVAL;
        return (int) Native.syscall(Syscalls.BIND, fd, putAddr(a).address(), a.length);
    }

    /** connect(2) of {@code fd} to the address bytes {@code a}; 0 or -errno. */
    public int connect(int fd, byte[] a) {
        if (a.length > ADDR_MAX) return -Errno.EINVAL;
        return (int) Native.syscall(Syscalls.CONNECT, fd, putAddr(a).address(), a.length);
    }

    /** listen(2) on {@code fd}; 0 or -errno. */
    public int listen(int fd, int backlog) {
        return (int) Native.syscall(Syscalls.LISTEN, fd, backlog);
    }

    /** An int socket option (SO_DOMAIN, SO_TYPE, ...), or -errno (ENOTSOCK for a non-socket). */
    public int getsockoptInt(int fd, int level, int name) {
        intLen.set(ValueLayout.JAVA_INT, 0, 4);
        long r = Native.syscall(Syscalls.GETSOCKOPT, fd, level, name, intVal.address(), intLen.address());
        return r < 0 ? (int) r : intVal.get(ValueLayout.JAVA_INT, 0);
    }

    /** SO_PEERCRED of {@code fd}: {@code struct ucred} (pid, uid, gid: 12 bytes), or null with {@link #lastError()}. */
    public byte[] peerCredentials(int fd) {
        intLen.set(ValueLayout.JAVA_INT, 0, 12);
        long r = Native.syscall(Syscalls.GETSOCKOPT, fd, SOL_SOCKET, SO_PEERCRED, addr.address(), intLen.address());
        if (r < 0) { lastError = (int) -r; return null; }
        return addr.asSlice(0, 12).toArray(ValueLayout.JAVA_BYTE);
    }

    public static final int SO_PEERCRED = 17, SO_PEERPIDFD = 77;

    private int lastError;

    /** The errno of the last call that returned null. */
    public int lastError() { return lastError; }

    /** getsockname(2): the bound address bytes, or null with {@link #lastError()}. */
    public byte[] getsockname(int fd) {
        intLen.set(ValueLayout.JAVA_INT, 0, ADDR_MAX);
        long r = Native.syscall(Syscalls.GETSOCKNAME, fd, addr.address(), intLen.address());
        if (r < 0) { lastError = (int) -r; return null; }
        int n = Math.min(ADDR_MAX, intLen.get(ValueLayout.JAVA_INT, 0));
        return addr.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
    }

    /**
     * sendmsg(2) of the program's payload (its iovecs, gathered into one supervisor buffer), with
     * the checked {@code name} (null for none) and {@code ctl} (null for none, fds already the
     * supervisor's). Returns bytes sent or -errno.
     */
    public long sendmsg(int pid, int fd, long[] iovBase, long[] iovLen, byte[] name, byte[] ctl, int flags) {
        if (iovBase.length > IOV_MAX) return -Errno.EMSGSIZE;
        if (name != null && name.length > ADDR_MAX) return -Errno.EINVAL;
        if (ctl != null && ctl.length > CONTROL_MAX) return -Errno.ENOBUFS;
        long total = 0;
        int n = 0;
        for (int i = 0; i < iovBase.length && total < PAYLOAD_MAX; i++) {
            long l = Math.min(iovLen[i], PAYLOAD_MAX - total);
            if (l == 0) continue;
            remoteIov.set(ValueLayout.JAVA_LONG, 16L * n, iovBase[i]);
            remoteIov.set(ValueLayout.JAVA_LONG, 16L * n + 8, l);
            n++;
            total += l;
        }
        try (Arena call = Arena.ofConfined()) {
            MemorySegment data = call.allocate(Math.max(1, total), 8);
            if (total > 0) {
                localIov.set(ValueLayout.JAVA_LONG, 0, data.address());
                localIov.set(ValueLayout.JAVA_LONG, 8, total);
                int count = n;
                long r = Credentials.ptraceRetry(() -> // its own memory: see RemoteMemory
                        Native.syscall(Syscalls.PROCESS_VM_READV, pid, localIov.address(), 1, remoteIov.address(), count, 0));
                if (r == -Errno.ESRCH) return r;
                if (r != total) return -Errno.EFAULT;
            }
            if (name != null) putAddr(name);
            localIov.set(ValueLayout.JAVA_LONG, 0, data.address());
            localIov.set(ValueLayout.JAVA_LONG, 8, total);
            msghdr.fill((byte) 0);
            if (name != null && name.length > 0) {
                msghdr.set(ValueLayout.JAVA_LONG, 0, addr.address());
                msghdr.set(ValueLayout.JAVA_INT, 8, name.length);
            }
            msghdr.set(ValueLayout.JAVA_LONG, 16, localIov.address());
            msghdr.set(ValueLayout.JAVA_LONG, 24, 1);
            if (ctl != null && ctl.length > 0) {
                MemorySegment.copy(ctl, 0, control, ValueLayout.JAVA_BYTE, 0, ctl.length);
                msghdr.set(ValueLayout.JAVA_LONG, 32, control.address());
                msghdr.set(ValueLayout.JAVA_LONG, 40, ctl.length);
            }
            return Native.syscall(Syscalls.SENDMSG, fd, msghdr.address(), flags & 0xffffffffL);
        }
    }

    /** chmod(2) of a path (a byte string), following links: used on {@code /proc/self/fd/N} of an O_PATH fd. */
    public int chmod(String p, int mode) {
        if (p.length() >= 4096) return -Errno.ENAMETOOLONG;
        for (int i = 0; i < p.length(); i++) path.set(ValueLayout.JAVA_BYTE, i, (byte) p.charAt(i));
        path.set(ValueLayout.JAVA_BYTE, p.length(), (byte) 0);
        return (int) Native.syscall(Syscalls.FCHMODAT, dev.jsyd.abi.OpenFlags.AT_FDCWD, path.address(), mode);
    }

    private static final int CLONE_FS = 0x200;
    private int privateFs; // 0 not tried, 1 yes, -1 failed

    /**
     * Gives the calling thread its own cwd and umask ({@code unshare(CLONE_FS)}), once, so that a
     * UNIX bind can run relative to a checked directory fd and with the program's umask without
     * touching any other thread. True when the thread has them.
     */
    public boolean privateFs() {
        if (privateFs == 0) privateFs = Native.syscall(Syscalls.UNSHARE, CLONE_FS) == 0 ? 1 : -1;
        return privateFs > 0;
    }

    /** fchdir(2) of the calling thread (after {@link #privateFs()}); 0 or -errno. */
    public int fchdir(int fd) { return (int) Native.syscall(Syscalls.FCHDIR, fd); }

    /** Back to {@code /} after a relative bind, so the thread holds no directory; 0 or -errno. */
    public int chdirRoot() {
        path.set(ValueLayout.JAVA_BYTE, 0, (byte) '/');
        path.set(ValueLayout.JAVA_BYTE, 1, (byte) 0);
        return (int) Native.syscall(Syscalls.CHDIR, path.address());
    }

    /** umask(2) of the calling thread (per thread after {@link #privateFs()}); the previous mask. */
    public int umask(int mask) { return (int) Native.syscall(Syscalls.UMASK, mask); }

    /** tgkill(2) to a thread of another process: how a SIGPIPE reaches the program's thread. */
    public static int tgkill(int tgid, int tid, int sig) {
        return (int) Native.syscall(Syscalls.TGKILL, tgid, tid, sig);
    }
}
