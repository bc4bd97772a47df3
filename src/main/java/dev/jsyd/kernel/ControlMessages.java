package dev.jsyd.kernel;

import dev.jsyd.abi.Errno;
import dev.jsyd.sys.ErrnoException;
import dev.jsyd.sys.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * Pure helpers for sendmsg's control data: finding SCM_RIGHTS fd numbers and SCM_CREDENTIALS the
 * way the kernel walks control messages, adding credentials, and classifying passed objects for
 * {@code trace/allow_unsafe_sendfd_*}.
 */
public final class ControlMessages {
    private ControlMessages() {}

    static final int SOL_SOCKET = 1, SCM_RIGHTS = 1, SCM_CREDENTIALS = 2, SCM_MAX_FD = 253;
    /** CMSG_LEN(sizeof(struct ucred)) and CMSG_SPACE(sizeof(struct ucred)). */
    static final int CREDENTIALS_LEN = 28, CREDENTIALS_SPACE = 32;

    /**
     * The control messages of {@code ctl} as {offset, length, level, type}, walked exactly as the
     * kernel walks them (CMSG_FIRSTHDR / CMSG_OK / CMSG_NXTHDR); a malformed message is EINVAL.
     */
    private static List<long[]> messages(byte[] ctl) throws ErrnoException {
        List<long[]> out = new ArrayList<>();
        int size = ctl.length;
        if (size < 16) return out;
        int off = 0;
        while (true) {
            long clen = le64(ctl, off);
            if (clen < 16 || clen > size - off) throw new ErrnoException("cmsg", Errno.EINVAL);
            out.add(new long[] {off, clen, le32(ctl, off + 8), le32(ctl, off + 12)});
            long next = off + ((clen + 7) & ~7L);
            if (next + 16 > size) break;
            off = (int) next;
        }
        return out;
    }

    /**
     * The offsets of every fd number in SCM_RIGHTS messages of {@code ctl}: every SCM_RIGHTS the
     * kernel will see is found, so no fd number of the program ever reaches the kernel as a number
     * in the supervisor's fd table. A malformed message is EINVAL.
     */
    public static List<Integer> rightsOffsets(byte[] ctl) throws ErrnoException {
        List<Integer> out = new ArrayList<>();
        for (long[] m : messages(ctl)) {
            if (m[2] != SOL_SOCKET || m[3] != SCM_RIGHTS) continue;
            int count = (int) ((m[1] - 16) / 4);
            if (count > SCM_MAX_FD) throw new ErrnoException("cmsg", Errno.EINVAL);
            for (int k = 0; k < count; k++) out.add((int) m[0] + 16 + 4 * k);
        }
        return out;
    }

    /**
     * The offsets of the {@code struct ucred} (pid, uid, gid) of every SCM_CREDENTIALS message of
     * {@code ctl}; one of another length is EINVAL, as the kernel answers.
     */
    public static List<Integer> credentialsOffsets(byte[] ctl) throws ErrnoException {
        List<Integer> out = new ArrayList<>();
        for (long[] m : messages(ctl)) {
            if (m[2] != SOL_SOCKET || m[3] != SCM_CREDENTIALS) continue;
            if (m[1] != CREDENTIALS_LEN) throw new ErrnoException("cmsg", Errno.EINVAL);
            out.add((int) m[0] + 16);
        }
        return out;
    }

    /**
     * {@code ctl} (null: none) with an SCM_CREDENTIALS message of {@code pid}, {@code uid},
     * {@code gid} added after its last message (trailing bytes the kernel would ignore are dropped,
     * so the new message is where the kernel's walk looks for the next one).
     */
    public static byte[] withCredentials(byte[] ctl, int pid, int uid, int gid) throws ErrnoException {
        int end = 0;
        if (ctl != null) {
            for (long[] m : messages(ctl)) end = (int) (m[0] + ((m[1] + 7) & ~7L));
        }
        byte[] out = new byte[end + CREDENTIALS_SPACE];
        if (ctl != null) System.arraycopy(ctl, 0, out, 0, Math.min(end, ctl.length));
        putLe32(out, end, CREDENTIALS_LEN);
        putLe32(out, end + 8, SOL_SOCKET);
        putLe32(out, end + 12, SCM_CREDENTIALS);
        putLe32(out, end + 16, pid);
        putLe32(out, end + 20, uid);
        putLe32(out, end + 24, gid);
        return out;
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

    private static void putLe32(byte[] b, int off, int v) {
        for (int k = 0; k < 4; k++) b[off + k] = (byte) (v >> (8 * k));
    }

    private static int le32(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }
}
