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

    static final int SOL_SOCKET = 1, SCM_RIGHTS = 1, SCM_MAX_FD = 253;

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
