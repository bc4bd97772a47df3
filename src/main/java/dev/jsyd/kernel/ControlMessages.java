package dev.jsyd.kernel;

import dev.jsyd.abi.Errno;
import dev.jsyd.sys.ErrnoException;
import dev.jsyd.sys.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * Pure helpers for sendmsg's control data: finding SCM_RIGHTS fd numbers the way the kernel walks
 * control messages, and classifying passed objects for {@code trace/allow_unsafe_sendfd_*}.
 */
public final class ControlMessages {
    private ControlMessages() {}

    static final int SOL_SOCKET = 1, SCM_RIGHTS = 1, SCM_CREDENTIALS = 2, SCM_MAX_FD = 253;

    /**
     * The offsets of every fd number in SCM_RIGHTS messages of {@code ctl}, walking the control
     * messages exactly as the kernel does (CMSG_FIRSTHDR / CMSG_OK / CMSG_NXTHDR): every
     * SCM_RIGHTS the kernel will see is found, so no fd number of the program ever reaches the
     * kernel as a number in the supervisor's fd table. A malformed message is EINVAL.
     */
    public static List<Integer> rightsOffsets(byte[] ctl) throws ErrnoException {
        List<Integer> out = new ArrayList<>();
        int size = ctl.length;
        if (size < 16) return out;
        int off = 0;
        while (true) {
            long clen = le64(ctl, off);
            if (clen < 16 || clen > size - off) throw new ErrnoException("cmsg", Errno.EINVAL);
            if (le32(ctl, off + 8) == SOL_SOCKET && le32(ctl, off + 12) == SCM_RIGHTS) {
                int count = (int) ((clen - 16) / 4);
                if (count > SCM_MAX_FD) throw new ErrnoException("cmsg", Errno.EINVAL);
                for (int k = 0; k < count; k++) out.add(off + 16 + 4 * k);
            }
            long next = off + ((clen + 7) & ~7L);
            if (next + 16 > size) break;
            off = (int) next;
        }
        return out;
    }

    /**
     * {@code ctl} (null: none) with an SCM_CREDENTIALS message {pid, uid, gid} after its last
     * message, unless it has one already (then {@code ctl} itself). The supervisor sends for the
     * program: without explicit credentials the kernel would give a receiver that asks for them
     * (SO_PASSCRED, SO_PASSPIDFD) the supervisor's pid, ids and a pidfd of the supervisor; with
     * them it gives the program's own, which is what a native send gives. Bytes after the last
     * message the kernel's walk would find are dropped (it would never read them). The control
     * data was walked before ({@link #rightsOffsets}), so it is well formed.
     */
    static byte[] withCredentials(byte[] ctl, int pid, int uid, int gid) {
        int end = 0;
        if (ctl != null && ctl.length >= 16) {
            int off = 0;
            while (true) {
                long clen = le64(ctl, off);
                if (le32(ctl, off + 8) == SOL_SOCKET && le32(ctl, off + 12) == SCM_CREDENTIALS) return ctl;
                long next = off + ((clen + 7) & ~7L);
                end = (int) Math.min(next, ctl.length);
                if (next + 16 > ctl.length) break;
                off = (int) next;
            }
        }
        byte[] out = new byte[((end + 7) & ~7) + 32];
        if (end > 0) System.arraycopy(ctl, 0, out, 0, end);
        int o = (end + 7) & ~7;
        putLe32(out, o, 28); // cmsg_len = CMSG_LEN(sizeof(struct ucred)), a size_t
        putLe32(out, o + 8, SOL_SOCKET);
        putLe32(out, o + 12, SCM_CREDENTIALS);
        putLe32(out, o + 16, pid);
        putLe32(out, o + 20, uid);
        putLe32(out, o + 24, gid);
        return out;
    }

    private static void putLe32(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >> 8);
        b[off + 2] = (byte) (v >> 16);
        b[off + 3] = (byte) (v >> 24);
    }

    /** The {@code trace/allow_unsafe_sendfd_*} kind of an object, or null for a regular file. */
    public static String kind(int type, String link) {
        switch (type) {
            case Files.S_IFDIR: return "dir";
            case Files.S_IFBLK: return "bdev";
            case Files.S_IFCHR: return "cdev";
            case Files.S_IFIFO: return "fifo";
            case Files.S_IFSOCK: return "socket";
            case Files.S_IFLNK: {
                int slash = link.lastIndexOf('/');
                boolean magic = slash > 0 && PathResolver.isMagicDir(link.substring(0, slash), link.substring(slash + 1));
                return magic ? "magiclink" : "symlink";
            }
            case Files.S_IFREG: {
                if (link.startsWith("/memfd:")) return "memfd";
                if (link.startsWith("/secretmem")) return "secretmem";
                return link.startsWith("/") ? null : "misc";
            }
            default: return "misc";
        }
    }

    private static long le64(byte[] b, int off) {
        long v = 0;
        for (int i = 7; i >= 0; i--) v = (v << 8) | (b[off + i] & 0xffL);
        return v;
    }

    private static int le32(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }
}
