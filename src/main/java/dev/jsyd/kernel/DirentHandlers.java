package dev.jsyd.kernel;

import static dev.jsyd.abi.OpenFlags.AT_FDCWD;

import dev.jsyd.abi.Errno;
import dev.jsyd.abi.Syscalls;
import dev.jsyd.policy.Category;
import dev.jsyd.policy.Sandbox;
import dev.jsyd.sys.ErrnoException;
import dev.jsyd.sys.Files;
import dev.jsyd.sys.StatCalls;
import java.util.List;
import java.util.Set;

/**
 * getdents64 and getdents: directory listings without the hidden entries (spec §1: entries whose
 * full path is stat-denied disappear).
 *
 * <p>Emulated on a duplicate of the program's directory fd (pidfd_getfd: the same open file, so
 * the same offset): the supervisor reads at most {@code count} bytes of records, drops the hidden
 * ones, moves the rest together (each record keeps its own {@code d_reclen} and {@code d_off}) and
 * writes them into the program's buffer. The kernel's offset is already past every record read,
 * kept or not, so the next call continues after them. When every record read was hidden, it
 * reads again rather than answer 0, which would mean the end of the directory. A buffer too small
 * for the next record gives the kernel's EINVAL; a buffer that cannot be written gives EFAULT and
 * the offset is put back. Dropped entries are not logged (listings would flood the log), and in
 * trace mode nothing is dropped.
 */
public final class DirentHandlers {
    private DirentHandlers() {}

    // Only stat decides: a walk-only sandbox does not need listings emulated.

    private static final int SEEK_SET = 0, SEEK_CUR = 1;

    public static void getdents64(Request r) throws ErrnoException { emulate(r, false); }

    public static void getdents(Request r) throws ErrnoException { emulate(r, true); }

    private static void emulate(Request r, boolean old) throws ErrnoException {
        int fd = (int) r.arg(0);
        long buf = r.arg(1);
        long count = r.arg(2) & 0xffffffffL;
        int dup = r.programFd(fd);
        try {
            if (!r.stillValid()) return;
            String dir = r.resolver().pathOf(dup);
            if (dir == null && r.resolver().unnamed()) { r.fail(Errno.ENAMETOOLONG); return; }
            Sandbox sb = r.sandbox();
            // Entries are checked one by one only where some entry may be hidden.
            boolean filter = dir != null && dir.startsWith("/") && sb.mayDenyBelow(Category.STAT, dir) && !r.context().traceMode();
            ProcGuard procs = "/proc".equals(dir) ? r.procGuard() : null; // pid hiding, also under -x
            StatCalls sc = r.statCalls();
            long start = StatCalls.lseek(dup, 0, SEEK_CUR);
            int want = (int) Math.min(count, StatCalls.BUF);
            while (true) {
                long n;
                r.beginBlocking(); // a directory on a network or FUSE file system may block
                try {
                    n = sc.getdents(old, dup, want);
                } finally {
                    r.endBlocking();
                }
                if (n < 0) { r.fail((int) -n); return; }
                if (n == 0) { r.reply(0); return; }
                int kept = filter || procs != null ? compact(sc, (int) n, old, dir, filter ? sb : null, procs) : (int) n;
                if (kept == 0) continue; // everything read was hidden: read on
                try {
                    r.memory().write(r.pid(), buf, sc.bytes(0, kept), 0, kept);
                } catch (ErrnoException e) {
                    if (start >= 0) StatCalls.lseek(dup, start, SEEK_SET);
                    r.fail(Errno.EFAULT);
                    return;
                }
                r.reply(kept);
                return;
            }
        } finally {
            Files.close(dup);
        }
    }

    /**
     * Drops hidden records from the first {@code len} bytes of the buffer: stat-denied ones when
     * {@code sb} is given, processes outside the sandbox when {@code procs} is; the length kept.
     */
    static int compact(StatCalls sc, int len, boolean old, String dir, Sandbox sb, ProcGuard procs) {
        int nameOff = old ? 18 : 19;
        String prefix = dir.equals("/") ? "/" : dir + "/";
        int in = 0, out = 0;
        while (in < len) {
            int reclen = sc.u16(in + 16);
            if (reclen <= 0 || in + reclen > len) break; // never trust a malformed record
            String name = name(sc, in + nameOff, in + reclen);
            boolean keep = name.equals(".") || name.equals("..")
                    || ((sb == null || !sb.checkPath(Category.STAT, prefix + name).denies())
                        && (procs == null || !procs.hidesEntry(name)));
            if (keep) {
                if (out != in) sc.move(in, out, reclen);
                out += reclen;
            }
            in += reclen;
        }
        return out;
    }

    private static String name(StatCalls sc, int from, int end) {
        StringBuilder b = new StringBuilder();
        for (int i = from; i < end; i++) {
            int c = sc.u8(i);
            if (c == 0) break;
            b.append((char) c);
        }
        return b.toString();
    }
}
