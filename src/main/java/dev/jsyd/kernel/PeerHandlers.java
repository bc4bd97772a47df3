package dev.jsyd.kernel;

import static dev.jsyd.abi.OpenFlags.AT_EMPTY_PATH;

import dev.jsyd.abi.Errno;
import dev.jsyd.sys.ErrnoException;
import dev.jsyd.sys.Files;
import dev.jsyd.sys.PidFd;
import dev.jsyd.sys.Sockets;
import dev.jsyd.sys.UnixDiag;
import java.util.concurrent.locks.Lock;

/**
 * getsockopt SO_PEERCRED and SO_PEERPIDFD: who is at the other end of a UNIX socket. When the
 * supervisor connected a socket for the program ({@link ConnectHandlers}), the kernel recorded the
 * supervisor as the connecting process, so the other end would get the supervisor's pid, ids and a
 * pidfd of it. The filter sends only these two options here ({@link Hardening#getsockopt}); the call is
 * emulated on the supervisor's duplicate of the socket: where the peer is the supervisor, the
 * answer names the process that asked for the connection (found through unix_diag: the peer
 * socket's inode) — its pid and effective ids, and a pidfd of it while it lives; a connection the
 * supervisor made that it cannot attribute shows no peer pid (pid 0 and the overflow ids, as for a
 * peer the caller cannot see; SO_PEERPIDFD: ENODATA). Every other peer is answered as the kernel
 * answers. Nothing of the supervisor reaches the program.
 */
public final class PeerHandlers {
    private PeerHandlers() {}

    private static final int OVERFLOW_ID = 65534;

    /** Records that the supervisor connects its duplicate {@code sock} of a UNIX socket for the caller. */
    static void connecting(Request r, int sock) {
        byte[] st = r.files().fstatat(sock, "", AT_EMPTY_PATH);
        Members.Proc p = r.context().members().process(r.pid());
        Identities.Task t = r.task();
        if (st == null || p == null || t == null) return;
        // SO_PEERCRED shows the effective ids of the connecting process.
        NetAccess.state(r).recordConnect(SendHandlers.le64(st, 8), new NetAccess.Peer(p, t.uids()[1], t.gids()[1]));
    }

    /** getsockopt(fd, SOL_SOCKET, SO_PEERCRED | SO_PEERPIDFD, optval, optlen). */
    public static void getsockopt(Request r) throws ErrnoException {
        int name = (int) r.arg(2);
        if ((int) r.arg(1) != Sockets.SOL_SOCKET || (name != Sockets.SO_PEERCRED && name != Sockets.SO_PEERPIDFD)) {
            r.continueSyscall(); // never sent here (a row notified only by its rules): nothing is checked
            return;
        }
        int dup = r.programFd((int) r.arg(0));
        try {
            byte[] lenBytes;
            try {
                lenBytes = r.memory().read(r.pid(), r.arg(4), 4);
            } catch (ErrnoException e) {
                r.fail(Errno.EFAULT);
                return;
            }
            int len = SendHandlers.le32(lenBytes, 0);
            if (len < 0) { r.fail(Errno.EINVAL); return; }
            if (!r.stillValid()) return;
            Sockets s = Sockets.current();
            byte[] cred = s.peerCredentials(dup);
            if (cred == null) { r.fail(s.lastError()); return; }
            boolean ours = SendHandlers.le32(cred, 0) == ProcGuard.SELF;
            ProgramView view = r.context().view();
            if (!ours && view.pidNamespace()) { // the kernel's answer, in the program's pid namespace
                r.continueSyscall(); // (nothing was decided on what the fd names but this: not the supervisor's connection)
                return;
            }
            NetAccess.Peer peer = ours ? peerOf(r, dup) : null;
            if (name == Sockets.SO_PEERCRED) {
                if (ours) {
                    cred = peer == null ? ucred(0, OVERFLOW_ID, OVERFLOW_ID) : ucred(programPid(r, view, peer), peer.uid(), peer.gid());
                }
                answer(r, cred, Math.min(len, 12));
                return;
            }
            int fd = ours ? pidfdOf(r, peer) : s.getsockoptInt(dup, Sockets.SOL_SOCKET, Sockets.SO_PEERPIDFD);
            if (fd < 0) { r.fail(-fd); return; }
            int number = r.installFd(fd, true); // pidfds are close-on-exec
            if (number < 0) { r.fail(-number); return; }
            answer(r, ucred(number, 0, 0), Math.min(len, 4));
        } finally {
            Files.close(dup);
        }
    }

    /** The process a connection the supervisor made belongs to, or null when it cannot be told. */
    private static NetAccess.Peer peerOf(Request r, int sock) {
        byte[] st = r.files().fstatat(sock, "", AT_EMPTY_PATH);
        if (st == null) return null;
        long peer;
        try (UnixDiag diag = new UnixDiag()) {
            peer = diag.peerOf(SendHandlers.le64(st, 8));
        }
        return peer > 0 ? NetAccess.state(r).connectedFor.get(peer) : null;
    }

    /** {@code peer}'s process id as the program names it (its own pid namespace, when it has one); 0 if gone. */
    private static int programPid(Request r, ProgramView view, NetAccess.Peer peer) {
        if (!view.pidNamespace()) return peer.proc().tgid();
        int[] local = view.local(r.files(), peer.proc().tgid());
        return local == null ? 0 : local[1];
    }

    /** A pidfd of {@code peer}'s process while it is a member (pinned); -errno otherwise. */
    private static int pidfdOf(Request r, NetAccess.Peer peer) {
        if (peer == null) return -Errno.ENODATA;
        Members m = r.context().members();
        Lock pin = m.pinned();
        pin.lock();
        try {
            if (m.process(peer.proc().tgid()) != peer.proc()) return -Errno.ESRCH; // it has exited
            PidFd p = PidFd.open(peer.proc().tgid());
            return p.fd(); // handed over: installed in the program, then closed
        } catch (ErrnoException e) {
            return -e.errno();
        } finally {
            pin.unlock();
        }
    }

    /** Writes {@code len} bytes of {@code value} to optval and {@code len} to optlen, then answers 0. */
    private static void answer(Request r, byte[] value, int len) {
        try {
            r.memory().write(r.pid(), r.arg(3), value, 0, len);
            r.memory().write(r.pid(), r.arg(4), ucred(len, 0, 0), 0, 4);
        } catch (ErrnoException e) {
            r.fail(Errno.EFAULT);
            return;
        }
        r.reply(0);
    }

    private static byte[] ucred(int pid, int uid, int gid) {
        byte[] b = new byte[12];
        for (int i = 0; i < 4; i++) {
            b[i] = (byte) (pid >> (8 * i));
            b[4 + i] = (byte) (uid >> (8 * i));
            b[8 + i] = (byte) (gid >> (8 * i));
        }
        return b;
    }
}
