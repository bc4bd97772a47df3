package dev.jsyd.sys;

import static dev.jsyd.abi.OpenFlags.AT_FDCWD;
import static dev.jsyd.abi.OpenFlags.O_CLOEXEC;
import static dev.jsyd.abi.OpenFlags.O_DIRECTORY;
import static dev.jsyd.abi.OpenFlags.O_RDONLY;

import java.util.ArrayList;
import java.util.List;

/** The raw names of a directory's entries, read with getdents64 (bytes as the kernel has them). */
public final class DirList {
    private DirList() {}

    /** Every name in {@code dir} ({@code .} and {@code ..} included) in the kernel's order, or null when it cannot be read. */
    public static List<byte[]> names(String dir) {
        Files files = new Files();
        try (StatCalls sc = new StatCalls()) {
            int fd = files.openat(AT_FDCWD, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
            if (fd < 0) return null;
            try {
                List<byte[]> out = new ArrayList<>();
                for (long n; (n = sc.getdents(false, fd, StatCalls.BUF)) > 0; ) {
                    for (int off = 0; off < n; ) {
                        int reclen = sc.u16(off + 16);
                        int len = 0;
                        while (off + 19 + len < off + reclen && sc.u8(off + 19 + len) != 0) len++;
                        out.add(sc.bytes(off + 19, len));
                        off += reclen;
                    }
                }
                return out;
            } finally {
                Files.close(fd);
            }
        } finally {
            files.close();
        }
    }
}
