package dev.jsyd.kernel;

import static dev.jsyd.abi.OpenFlags.AT_EMPTY_PATH;
import static dev.jsyd.abi.OpenFlags.AT_FDCWD;

import dev.jsyd.abi.Errno;
import dev.jsyd.abi.Syscalls;
import dev.jsyd.kernel.SockaddrDecoder.Addr;
import dev.jsyd.kernel.SockaddrDecoder.DecodeException;
import dev.jsyd.policy.Action;
import dev.jsyd.policy.Category;
import dev.jsyd.policy.Sandbox;
import dev.jsyd.sys.Credentials;
import dev.jsyd.sys.ErrnoException;
import dev.jsyd.sys.Files;
import dev.jsyd.sys.Sockets;
import java.util.ArrayList;
import java.util.List;

/**
 * sendto, sendmsg, sendmmsg. A destination address is checked against {@code net/connect}; fds
 * passed with SCM_RIGHTS are checked against {@code net/sendfd}. Everything the decision depends
 * on (the msghdr, the address, the iovec array, the control data) is read once; the supervisor
 * then sends on its duplicate of the program's socket with the bytes it checked, its own control
 * message (with its own duplicates of the passed fds) and the payload copied from the program's
 * memory once. The supervisor sends with MSG_NOSIGNAL and raises SIGPIPE in the program's thread
 * itself when the program did not ask for MSG_NOSIGNAL, as the kernel would.
 *
 * <p>sendto with a NULL destination (send(2)) is answered with CONTINUE: the NULL is a register,
 * which no other thread can change, and such a send has no address to check.
 *
 * <p>SCM_RIGHTS (with {@code net/sendfd} on): fds of directories, block and character devices,
 * FIFOs and pipes, sockets, symlinks, magic links, memfds, secretmem and other special files
 * (anonymous inodes) are refused unless the matching {@code trace/allow_unsafe_sendfd_*} is set;
 * an fd whose object has a path is then checked on that path ({@code /proc/self/fd/N} of the
 * supervisor's own duplicate, so it is the object that will be sent).
 */
public final class SendHandlers {
    private SendHandlers() {}


    static final int SOCK_STREAM = 1, MSG_EOR = 0x80, SIGPIPE = 13;

    /** The program's socket: the supervisor's duplicate, its domain and type. */
    private record Sock(int fd, int domain, int type) {}

    private static Sock sock(Request r, Sockets s, int programFd) throws ErrnoException {
        int fd = r.programFd(programFd);
        int domain = s.getsockoptInt(fd, Sockets.SOL_SOCKET, Sockets.SO_DOMAIN);
        int type = domain < 0 ? domain : s.getsockoptInt(fd, Sockets.SOL_SOCKET, Sockets.SO_TYPE);
        if (type < 0) {
            Files.close(fd);
            throw new ErrnoException("getsockopt", -type);
        }
        return new Sock(fd, domain, type);
    }

    public static void sendto(Request r) throws ResolveException, ErrnoException {
        long dest = r.arg(4);
        if (dest == 0) {
            r.continueSyscall(); // no destination: nothing to check, and the NULL is a register (docs/EMULATION.md)
            return;
        }
        int addrlen = (int) r.arg(5);
        int flags = (int) r.arg(3);
        Sockets s = Sockets.current();
        Sock sk = sock(r, s, (int) r.arg(0));
        try (Prepared p = new Prepared()) {
            if (addrlen < 0 || addrlen > Sockets.ADDR_MAX) { r.fail(Errno.EINVAL); return; }
            byte[] raw = r.memory().read(r.pid(), dest, addrlen);
            Addr a = decode(sk, raw);
            long len = r.arg(2);
            if (Long.compareUnsigned(len, MAX_RW_COUNT) > 0) len = MAX_RW_COUNT;
            if (!accessOk(r.arg(1), len)) throw new ErrnoException("sendto", Errno.EFAULT);
            if (Long.compareUnsigned(len, Sockets.PAYLOAD_MAX) > 0) {
                if (sk.type != SOCK_STREAM) throw new ErrnoException("sendto", Errno.EMSGSIZE);
                len = Sockets.PAYLOAD_MAX;
            }
            if (!r.stillValid()) return;
            p.name = NetAccess.destination(r, "sendto", a, raw, sk.fd, p.held);
            p.bases = new long[] {r.arg(1)};
            p.lens = new long[] {len};
            p.raise = credentials(r, sk, p, "sendto");
            answer(r, p.send(r, s, sk, flags), flags);
        } finally {
            Files.close(sk.fd);
        }
    }

    public static void sendmsg(Request r) throws ResolveException, ErrnoException {
        int flags = (int) r.arg(2);
        Sockets s = Sockets.current();
        Sock sk = sock(r, s, (int) r.arg(0));
        try {
            byte[] hdr = r.memory().read(r.pid(), r.arg(1), 56);
            Prepared p = prepare(r, sk, hdr, "sendmsg");
            if (p == null) return;
            try {
                answer(r, p.send(r, s, sk, flags), flags | p.extraFlags);
            } finally {
                p.close();
            }
        } finally {
            Files.close(sk.fd);
        }
    }

    public static void sendmmsg(Request r) throws ErrnoException {
        long vec = r.arg(1);
        long vlen = r.arg(2) & 0xffffffffL;
        int flags = (int) r.arg(3);
        if (vlen > Sockets.IOV_MAX) vlen = Sockets.IOV_MAX;
        Sockets s = Sockets.current();
        Sock sk = sock(r, s, (int) r.arg(0));
        try {
            int sent = 0;
            int err = 0;
            while (sent < vlen) {
                long entry = vec + 64L * sent;
                Prepared p;
                try {
                    p = prepare(r, sk, r.memory().read(r.pid(), entry, 56), "sendmmsg");
                } catch (ErrnoException | ResolveException e) {
                    err = e instanceof ErrnoException ee ? ee.errno() : ((ResolveException) e).errno();
                    break;
                }
                if (p == null) return; // the program is gone
                long n;
                try {
                    n = p.send(r, s, sk, flags);
                } finally {
                    p.close();
                }
                if (n < 0) {
                    err = (int) -n;
                    if (err == Errno.EPIPE && ((flags | p.extraFlags) & Sockets.MSG_NOSIGNAL) == 0) sigpipe(r);
                    break;
                }
                byte[] len = {(byte) n, (byte) (n >> 8), (byte) (n >> 16), (byte) (n >> 24)};
                try {
                    r.memory().write(r.pid(), entry + 56, len, 0, 4);
                } catch (ErrnoException e) {
                    err = Errno.EFAULT;
                    break;
                }
                sent++;
            }
            if (r.answered()) return;
            if (sent > 0 || err == 0) r.reply(sent);
            else r.fail(err);
        } finally {
            Files.close(sk.fd);
        }
    }

    /** The largest count one read/write-like call transfers ({@code MAX_RW_COUNT}). */
    static final long MAX_RW_COUNT = 0x7ffff000L;
    /** x86_64 {@code TASK_SIZE_MAX}: user addresses lie below it. */
    static final long TASK_SIZE_MAX = 0x00007ffffffff000L;

    /** The kernel's {@code access_ok}: does [base, base+len) lie in user space? (EFAULT before anything else.) */
    static boolean accessOk(long base, long len) {
        if (len == 0) return true;
        return Long.compareUnsigned(base, TASK_SIZE_MAX) <= 0 && Long.compareUnsigned(len, TASK_SIZE_MAX - base) <= 0;
    }

    private static Addr decode(Sock sk, byte[] raw) throws ErrnoException {
        try {
            return SockaddrDecoder.decode(sk.domain, SockaddrDecoder.Op.SEND, raw);
        } catch (DecodeException e) {
            throw new ErrnoException("send", e.errno());
        }
    }

    private static void answer(Request r, long n, int flags) {
        if (n == -Errno.EPIPE && (flags & Sockets.MSG_NOSIGNAL) == 0) sigpipe(r);
        if (n < 0) r.fail((int) -n);
        else r.reply(n);
    }

    /**
     * The kernel sends SIGPIPE to the sending thread on EPIPE; the supervisor sent, so it raises it
     * (with its own rights: the program's may not be enough to signal itself from outside).
     */
    private static void sigpipe(Request r) {
        int tgid = r.task().tgid();
        r.credentials().privileged(() -> Sockets.tgkill(tgid, r.pid(), SIGPIPE));
    }

    /** One message ready to send: checked destination, payload iovecs, rewritten control, fds to close. */
    private static final class Prepared implements AutoCloseable {
        byte[] name;
        long[] bases = new long[0], lens = new long[0];
        byte[] control;
        final List<Integer> fds = new ArrayList<>();
        final int[] held = {-1};
        int extraFlags;
        /** Capabilities the send needs on top of the program's (see {@link #credentials}). */
        long raise;

        long send(Request r, Sockets s, Sock sk, int flags) {
            r.beginBlocking();
            try {
                return r.credentials().withCaps(raise,
                        () -> s.sendmsg(r.pid(), sk.fd, bases, lens, name, control, flags | extraFlags | Sockets.MSG_NOSIGNAL));
            } finally {
                r.endBlocking();
            }
        }

        @Override
        public void close() {
            for (int fd : fds) Files.close(fd);
            fds.clear();
            NetAccess.release(held);
        }
    }

    /**
     * Reads and checks one {@code struct msghdr} ({@code hdr}, already copied). Returns null when the
     * request was dropped (the program left the call); errors and denials are thrown as the errno.
     */
    private static Prepared prepare(Request r, Sock sk, byte[] hdr, String sys) throws ErrnoException, ResolveException {
        long namePtr = le64(hdr, 0), iovPtr = le64(hdr, 16), iovLen = le64(hdr, 24), ctlPtr = le64(hdr, 32),
                ctlLen = le64(hdr, 40);
        int nameLen = le32(hdr, 8);
        int pid = r.pid();
        Prepared p = new Prepared();
        boolean ok = false;
        try {
            p.extraFlags = le32(hdr, 48) & MSG_EOR;
            if (namePtr == 0) nameLen = 0; // the kernel ignores msg_namelen without msg_name
            if (nameLen < 0) throw new ErrnoException(sys, Errno.EINVAL);
            byte[] raw = namePtr != 0 && nameLen > 0
                    ? r.memory().read(pid, namePtr, Math.min(nameLen, Sockets.ADDR_MAX)) : null;
            if (Long.compareUnsigned(iovLen, Sockets.IOV_MAX) > 0) throw new ErrnoException(sys, Errno.EMSGSIZE);
            int n = (int) iovLen;
            byte[] iov = r.memory().read(pid, iovPtr, 16 * n);
            p.bases = new long[n];
            p.lens = new long[n];
            long total = 0;
            for (int i = 0; i < n; i++) {
                p.bases[i] = le64(iov, 16 * i);
                p.lens[i] = le64(iov, 16 * i + 8);
                if (p.lens[i] < 0) throw new ErrnoException(sys, Errno.EINVAL);
            }
            for (int i = 0; i < n; i++) {
                if (!accessOk(p.bases[i], p.lens[i])) throw new ErrnoException(sys, Errno.EFAULT);
                total += Math.min(p.lens[i], Sockets.PAYLOAD_MAX);
            }
            if (total > Sockets.PAYLOAD_MAX && sk.type != SOCK_STREAM) throw new ErrnoException(sys, Errno.EMSGSIZE);
            if (Long.compareUnsigned(ctlLen, Integer.MAX_VALUE) > 0 || ctlLen > Sockets.CONTROL_MAX) {
                throw new ErrnoException(sys, Errno.ENOBUFS);
            }
            byte[] ctl = ctlLen > 0 ? r.memory().read(pid, ctlPtr, (int) ctlLen) : null;
            List<Integer> rights = ctl == null ? List.of() : ControlMessages.rightsOffsets(ctl);
            if (!rights.isEmpty() && sk.domain != SockaddrDecoder.AF_UNIX) throw new ErrnoException(sys, Errno.EINVAL);
            Addr a = raw == null ? new SockaddrDecoder.NoAddress() : decode(sk, raw);
            if (!r.stillValid()) return null;
            p.name = raw == null ? null : NetAccess.destination(r, sys, a, raw, sk.fd, p.held);
            for (int off : rights) {
                int dup = r.programFd(le32(ctl, off));
                p.fds.add(dup);
                if (sendfdDenied(r, sys, dup)) throw new ErrnoException(sys, Errno.EACCES);
                putLe32(ctl, off, dup);
            }
            p.control = ctl;
            p.raise = credentials(r, sk, p, sys);
            ok = true;
            return p;
        } finally {
            if (!ok) p.close();
        }
    }

    /**
     * Credentials sent with a message are the sender's, and the sender is the supervisor: the kernel
     * would check a program's SCM_CREDENTIALS against the supervisor's pid and ids, and stamp
     * implicit ones with the supervisor's pid and real uid and gid. So the program's SCM_CREDENTIALS
     * are checked here as the kernel checks them for the program (its process id unless it has
     * CAP_SYS_ADMIN, one of its real/effective/saved uids unless CAP_SETUID, gids unless
     * CAP_SETGID; else EPERM), and on a UNIX socket a program whose real uid or gid is not the
     * supervisor's gets explicit credentials of its real ids added, so a receiver with SO_PASSCRED
     * never sees root where the program is not. Passing other ids on takes CAP_SETUID and
     * CAP_SETGID, and another pid CAP_SYS_ADMIN, for that one sendmsg and only on UNIX sockets (on
     * netlink the message is acted on during the send, so nothing beyond the program's own
     * capabilities may be in effect). A worker without CAP_SYS_ADMIN (the supervisor's threads drop
     * it) passes credentials on with the supervisor's pid, as implicit credentials carry it. Returns
     * the capabilities the send needs raised.
     */
    private static long credentials(Request r, Sock sk, Prepared p, String sys) throws ErrnoException {
        Identities.Task t = r.task();
        List<Integer> creds = p.control == null ? List.of() : ControlMessages.credentialsOffsets(p.control);
        Credentials.Identity id = t.identity();
        for (int off : creds) {
            int pid = le32(p.control, off), uid = le32(p.control, off + 4), gid = le32(p.control, off + 8);
            if (uid == -1 || gid == -1) continue; // invalid ids: the kernel answers EINVAL itself
            boolean ok = (pid == t.tgid() || id.hasCap(Credentials.CAP_SYS_ADMIN))
                    && (t.ownUid(uid) || id.hasCap(Credentials.CAP_SETUID))
                    && (t.ownGid(gid) || id.hasCap(Credentials.CAP_SETGID));
            if (!ok) throw new ErrnoException(sys, Errno.EPERM);
        }
        if (sk.domain != SockaddrDecoder.AF_UNIX) return 0;
        boolean ownPid = r.credentials().mayRaise(Credentials.CAP_SYS_ADMIN);
        int pid = ownPid ? t.tgid() : dev.jsyd.sys.Signals.getpid();
        if (creds.isEmpty()) {
            // Implicit credentials name the sender: the supervisor. Explicit ones of the program's
            // own pid where the worker may state it, so SCM_CREDENTIALS and SCM_PIDFD of the
            // receiver name the program (ReachEscapeIT), else only when the ids differ.
            if (!ownPid && t.ruid() == Credentials.realUid() && t.rgid() == Credentials.realGid()) return 0;
            p.control = ControlMessages.withCredentials(p.control, pid, t.ruid(), t.rgid());
        } else if (!ownPid) {
            for (int off : creds) putLe32(p.control, off, pid);
        }
        return SCM_CAPS | (ownPid ? Credentials.bit(Credentials.CAP_SYS_ADMIN) : 0);
    }

    private static final long SCM_CAPS = Credentials.bit(Credentials.CAP_SETUID) | Credentials.bit(Credentials.CAP_SETGID);

    /** Checks one fd about to be passed (the supervisor's duplicate); true when denied (logged). */
    private static boolean sendfdDenied(Request r, String sys, int dup) throws ErrnoException {
        Sandbox sb = r.sandbox();
        if (!sb.enabled(Category.NET_SENDFD)) return false;
        byte[] st = r.files().fstatat(dup, "", AT_EMPTY_PATH);
        if (st == null) throw new ErrnoException(sys, Errno.EBADF);
        String link = r.resolver().pathOf(dup);
        if (link == null) link = "?";
        String kind = ControlMessages.kind(le32(st, 24) & Files.S_IFMT, link);
        if (kind != null && !sb.flag("trace/allow_unsafe_sendfd_" + kind)) {
            return r.enforceNet(Category.NET_SENDFD, Action.DENY, sys, link, 0,
                    "configure `trace/allow_unsafe_sendfd_" + kind + ":1'");
        }
        if (!link.startsWith("/")) return false; // a non-path object its kind flag allowed
        return r.enforceNet(Category.NET_SENDFD, sb.checkUnix(Category.NET_SENDFD, link), sys, link, 0, null);
    }

    static long le64(byte[] b, int off) {
        long v = 0;
        for (int i = 7; i >= 0; i--) v = (v << 8) | (b[off + i] & 0xffL);
        return v;
    }

    static int le32(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }

    private static void putLe32(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >> 8);
        b[off + 2] = (byte) (v >> 16);
        b[off + 3] = (byte) (v >> 24);
    }
}
