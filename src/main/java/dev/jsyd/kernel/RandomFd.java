package dev.jsyd.kernel;

import static dev.jsyd.abi.OpenFlags.AT_FDCWD;

import dev.jsyd.abi.Errno;
import dev.jsyd.sys.Files;
import java.security.SecureRandom;

/**
 * {@code trace/force_rand_fd}: the fd numbers the supervisor installs in the program are drawn at
 * random among the free numbers below the program's RLIMIT_NOFILE (at most 2^16), not the lowest
 * free one, so a program cannot predict the number of the next file it (or another thread) opens.
 */
final class RandomFd {
    private RandomFd() {}

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int TRIES = 16, LOW = 3, HIGH = 1 << 16;

    /** A free fd number of process {@code pid}, or -1 (then the kernel picks the lowest). */
    static int freeSlot(Files files, int pid) {
        int limit = Math.min(softNoFile(files, pid), HIGH);
        if (limit <= LOW + 1) return -1;
        for (int i = 0; i < TRIES; i++) {
            int n = LOW + RANDOM.nextInt(limit - LOW);
            if (files.readlinkat(AT_FDCWD, "/proc/" + pid + "/fd/" + n) == null && files.lastError() == Errno.ENOENT) return n;
        }
        return -1;
    }

    /** The soft RLIMIT_NOFILE of {@code pid} ({@code /proc/PID/limits}), or 1024 when unreadable. */
    static int softNoFile(Files files, int pid) {
        String limits = files.readSmallFile("/proc/" + pid + "/limits");
        if (limits == null) return 1024;
        for (String line : limits.split("\n")) {
            if (!line.startsWith("Max open files")) continue;
            String[] f = line.substring("Max open files".length()).trim().split("\\s+");
            if (f.length == 0 || f[0].equals("unlimited")) return HIGH;
            try {
                return (int) Math.min(Long.parseLong(f[0]), HIGH);
            } catch (NumberFormatException e) {
                return 1024;
            }
        }
        return 1024;
    }
}
