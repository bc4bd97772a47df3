package dev.jsyd.sys;

import dev.jsyd.abi.Syscalls;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The peer of a connected UNIX socket, asked of the kernel through NETLINK_SOCK_DIAG
 * (unix_diag(7)): one exact lookup by inode with UDIAG_SHOW_PEER. Used to tell which socket is at
 * the other end of a connection the supervisor made for the program. One netlink socket per
 * instance; confined to the calling thread.
 */
public final class UnixDiag implements AutoCloseable {
    private static final int AF_NETLINK = 16, AF_UNIX = 1, SOCK_DGRAM = 2, SOCK_CLOEXEC = 02000000,
            NETLINK_SOCK_DIAG = 4, SOCK_DIAG_BY_FAMILY = 20, NLM_F_REQUEST = 1, NLMSG_ERROR = 2,
            UDIAG_SHOW_PEER = 4, UNIX_DIAG_PEER = 2, REQ_LEN = 16 + 24, BUF = 1024;

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment req = arena.allocate(REQ_LEN, 8);
    private final MemorySegment buf = arena.allocate(BUF, 8);
    private int fd = -1;

    /**
     * The inode of the socket connected to the UNIX socket with inode {@code ino} (in the
     * supervisor's network namespace), 0 when it has no peer, or -errno.
     */
    public long peerOf(long ino) {
        if (fd < 0) {
            long s = Native.syscall(Syscalls.SOCKET, AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
            if (s < 0) return s;
            fd = (int) s;
        }
        req.fill((byte) 0);
        req.set(ValueLayout.JAVA_INT, 0, REQ_LEN);                        // nlmsg_len
        req.set(ValueLayout.JAVA_SHORT, 4, (short) SOCK_DIAG_BY_FAMILY);   // nlmsg_type
        req.set(ValueLayout.JAVA_SHORT, 6, (short) NLM_F_REQUEST);         // nlmsg_flags
        req.set(ValueLayout.JAVA_BYTE, 16, (byte) AF_UNIX);                 // sdiag_family
        req.set(ValueLayout.JAVA_INT, 20, -1);                             // udiag_states: all
        req.set(ValueLayout.JAVA_INT, 24, (int) ino);                      // udiag_ino
        req.set(ValueLayout.JAVA_INT, 28, UDIAG_SHOW_PEER);                // udiag_show
        req.set(ValueLayout.JAVA_INT, 32, -1);                             // udiag_cookie: none
        req.set(ValueLayout.JAVA_INT, 36, -1);
        long w = Native.syscall(Syscalls.SENDTO, fd, req.address(), REQ_LEN, 0, 0, 0);
        if (w < 0) return w;
        long n = Native.syscall(Syscalls.RECVFROM, fd, buf.address(), BUF, 0, 0, 0);
        if (n < 0) return n;
        if (n < 16) return -dev.jsyd.abi.Errno.EIO;
        int type = buf.get(ValueLayout.JAVA_SHORT, 4) & 0xffff;
        if (type == NLMSG_ERROR) {
            int err = buf.get(ValueLayout.JAVA_INT, 16);
            return err < 0 ? err : -dev.jsyd.abi.Errno.EIO;
        }
        int len = (int) Math.min(n, buf.get(ValueLayout.JAVA_INT, 0));
        int off = 16 + 16; // nlmsghdr, struct unix_diag_msg
        while (off + 4 <= len) {
            int alen = buf.get(ValueLayout.JAVA_SHORT, off) & 0xffff, atype = buf.get(ValueLayout.JAVA_SHORT, off + 2) & 0xffff;
            if (alen < 4) break;
            if (atype == UNIX_DIAG_PEER && alen >= 8) return buf.get(ValueLayout.JAVA_INT, off + 4) & 0xffffffffL;
            off += (alen + 3) & ~3;
        }
        return 0;
    }

    @Override
    public void close() {
        if (fd >= 0) Native.syscall(Syscalls.CLOSE, fd);
        fd = -1;
        arena.close();
    }
}
