package dev.jsyd.kernel;

import dev.jsyd.abi.Syscalls;
import dev.jsyd.kernel.SockaddrDecoder.Addr;
import dev.jsyd.policy.Category;
import dev.jsyd.sys.ErrnoException;
import dev.jsyd.sys.Files;
import dev.jsyd.sys.Sockets;
import java.util.List;

/**
 * connect: the address is read once from the program, decoded for the socket's domain, checked
 * against {@code net/connect} and then connected by the supervisor on its duplicate of the
 * program's socket (pidfd_getfd: the same open file, so O_NONBLOCK and the connection state are
 * shared) with the bytes it checked. A UNIX path is resolved like a file path and connected
 * through {@code /proc/self/fd/N} of an O_PATH fd of the checked socket file. A blocking connect
 * runs inside a blocking section, so a signal for the program interrupts it (EINTR → restart
 * semantics as native; a restarted connect sees EALREADY/EISCONN as native). Also notified for
 * {@code net/bind}: connecting an unnamed UNIX socket with SO_PASSCRED names it (an implicit bind).
 */
public final class ConnectHandlers {
    private ConnectHandlers() {}


    public static void connect(Request r) throws ResolveException, ErrnoException {
        int addrlen = (int) r.arg(2);
        int sock = r.programFd((int) r.arg(0));
        int[] held = {-1};
        try {
            Sockets s = Sockets.current();
            NetAccess.Address read = NetAccess.readAddress(r, s, sock, r.arg(1), addrlen, SockaddrDecoder.Op.CONNECT);
            if (read == null) return;
            Addr a = read.addr();
            byte[] raw = read.raw();
            byte[] target = NetAccess.destination(r, "connect", a, raw, sock, held);
            // Before connecting: the other end may ask who connected as soon as the kernel is done.
            if (a instanceof SockaddrDecoder.UnixPath || a instanceof SockaddrDecoder.Abstract) PeerHandlers.connecting(r, sock);
            int rc;
            r.beginBlocking();
            try {
                rc = s.connect(sock, target);
            } finally {
                r.endBlocking();
            }
            if (rc < 0) r.fail(-rc);
            else r.reply(0);
        } finally {
            NetAccess.release(held);
            Files.close(sock);
        }
    }
}
