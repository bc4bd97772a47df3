package dev.jsyd.kernel;

import dev.jsyd.abi.Errno;
import dev.jsyd.abi.Syscalls;
import dev.jsyd.kernel.SockaddrDecoder.Addr;
import dev.jsyd.kernel.SockaddrDecoder.UnixPath;
import dev.jsyd.policy.Category;
import dev.jsyd.sys.AcceptCalls;
import dev.jsyd.sys.ErrnoException;
import dev.jsyd.sys.Files;
import java.util.List;

/**
 * Peer addresses: accept, accept4 (the peer of an inbound connection is checked against
 * {@code net/connect}, like the destination of an outbound one) and getpeername (the name fix-up
 * for UNIX sockets the supervisor bound).
 *
 * <p>accept/accept4: the supervisor accepts on its duplicate of the program's listening socket
 * (pidfd_getfd: the same open file, so O_NONBLOCK and SO_RCVTIMEO of the listener apply as
 * natively: EAGAIN), inside a blocking section so a signal for the program releases it (EINTR,
 * restarted by the kernel under SA_RESTART as a native accept is). The new connection stays in
 * the supervisor until its peer address (the one the kernel reports) has been checked:
 * <ul>
 *   <li>IPv4/IPv6: {@code ip!port} against the IP blocklist and the {@code net/connect} rules
 *       (an IPv4-mapped peer of a dual-stack socket is checked as IPv6 and as IPv4);</li>
 *   <li>UNIX: {@code @name} for an abstract peer; for a path peer the canonical path when the
 *       supervisor bound that peer itself, otherwise the path as the kernel reports it; an unbound
 *       (unnamed) peer has no address and is not checked.</li>
 * </ul>
 * A denied peer's connection is closed (the peer sees the connection closed without data) and the
 * call answers <b>ECONNABORTED</b>: the errno the kernel itself gives when a connection dies
 * before it could be accepted, which servers treat as "try the next connection", whereas EACCES
 * would make most servers give up listening. An allowed connection's address is copied into the
 * program's buffer exactly as the kernel does ({@code *addrlen} is read after the accept: &lt; 0 →
 * EINVAL, at most {@code *addrlen} bytes are copied and the full length is written back), and the
 * new fd is installed in the program with SOCK_CLOEXEC as asked (SOCK_NONBLOCK was set on the open
 * file by the supervisor's accept4).
 */
public final class AcceptHandlers {
    private AcceptHandlers() {}


    public static void accept(Request r) throws ErrnoException { accept(r, "accept", 0); }

    public static void accept4(Request r) throws ErrnoException { accept(r, "accept4", (int) r.arg(3)); }

    private static void accept(Request r, String sys, int flags) throws ErrnoException {
        if ((flags & ~(AcceptCalls.SOCK_CLOEXEC | AcceptCalls.SOCK_NONBLOCK)) != 0) { r.fail(Errno.EINVAL); return; }
        long addr = r.arg(1), lenAddr = r.arg(2);
        int sock = r.programFd((int) r.arg(0));
        int conn = -1;
        try {
            if (!r.stillValid()) return;
            AcceptCalls ac = AcceptCalls.current();
            r.beginBlocking();
            try {
                conn = ac.accept4(sock, flags & AcceptCalls.SOCK_NONBLOCK);
            } finally {
                r.endBlocking();
            }
            if (conn < 0) { r.fail(-conn); return; }
            byte[] peer = ac.peer();
            Addr a = SockaddrDecoder.peer(peer);
            String checked = null;
            if (a instanceof UnixPath up) {
                String[] mine = NetAccess.state(r).programName(up.path());
                checked = mine == null ? up.path() : mine[1];
                peer = programPeer(r, peer);
            }
            if (NetAccess.denied(r, sys, Category.NET_CONNECT, a, checked)) {
                r.fail(Errno.ECONNABORTED);
                return;
            }
            if (addr != 0) writeAddress(r, addr, lenAddr, peer);
            int fd = conn;
            conn = -1;
            r.replyWithFd(fd, (flags & AcceptCalls.SOCK_CLOEXEC) != 0);
        } finally {
            if (conn >= 0) Files.close(conn);
            Files.close(sock);
        }
    }

    public static void getpeername(Request r) throws ErrnoException {
        int sock = r.programFd((int) r.arg(0));
        try {
            AcceptCalls ac = AcceptCalls.current();
            int rc = ac.getpeername(sock);
            if (rc < 0) { r.fail(-rc); return; }
            byte[] peer = programPeer(r, ac.peer());
            if (!r.stillValid()) return;
            writeAddress(r, r.arg(1), r.arg(2), peer);
            r.reply(0);
        } finally {
            Files.close(sock);
        }
    }

    /**
     * A UNIX peer name the supervisor gave a socket it bound ({@code /proc/self/fd/N/name} or a
     * relative name) replaced by the name the program asked for, when that is known unambiguously.
     */
    static byte[] programPeer(Request r, byte[] name) {
        if (!(SockaddrDecoder.peer(name) instanceof UnixPath up)) return name;
        var state = NetAccess.state(r);
        if (state.hostNames.isEmpty()) return name;
        String[] mine = state.programName(up.path());
        byte[] b = mine == null ? null : SockaddrDecoder.unixAddress(mine[0]);
        return b == null ? name : b;
    }

    /**
     * Copies a socket address to the program as the kernel's {@code move_addr_to_user}: reads
     * {@code *lenAddr} (&lt; 0: EINVAL), copies at most that many bytes of {@code name} to
     * {@code addr} and writes the full length back. EFAULT when either cannot be accessed.
     */
    static void writeAddress(Request r, long addr, long lenAddr, byte[] name) throws ErrnoException {
        int ulen = BindHandlers.le32(r.memory().read(r.pid(), lenAddr, 4), 0);
        if (ulen < 0) throw new ErrnoException("move_addr_to_user", Errno.EINVAL);
        int n = Math.min(ulen, name.length);
        if (n > 0) r.memory().write(r.pid(), addr, name, 0, n);
        byte[] len = {(byte) name.length, (byte) (name.length >> 8), 0, 0};
        r.memory().write(r.pid(), lenAddr, len, 0, 4);
    }
}
