package dev.jsyd.sys;

import dev.jsyd.abi.Syscalls;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * This JVM's own command line and environment as the kernel holds them: byte strings (one char
 * per byte), never decoded by the JVM's charset, which turns every byte it cannot decode (any
 * non-ASCII byte under {@code LC_ALL=C}, invalid UTF-8 under a UTF-8 locale) into U+FFFD.
 */
public final class OwnProcess {
    private OwnProcess() {}

    /**
     * System property naming a file descriptor that holds the environment {@code bin/syd} was
     * started with ({@code NAME=VALUE} entries, each ended by a NUL). The launcher script passes
     * it because a shell does not exec with the environment it got: bash adds PWD and SHLVL and
     * reorders, dash drops names that are not identifiers (exported bash functions).
     */
    public static final String ENVIRON_FD = "jsyd.environ.fd";

    private static List<String> environment;
    /** The {@link #ENVIRON_FD} descriptor once read, until {@link #closeEnvironmentFd} closes it; -1 otherwise. */
    private static int environFd = -1;

    /**
     * The last {@code count} entries of {@code /proc/self/cmdline}: the arguments {@code main}
     * received as {@code String[]} (the JVM's own options come before them), or null when the
     * command line cannot be read or has fewer entries.
     */
    public static List<String> arguments(int count) {
        List<String> all = split(read("/proc/self/cmdline"), true);
        if (all == null || all.size() < count) return null;
        return List.copyOf(all.subList(all.size() - count, all.size()));
    }

    /**
     * The environment this process was started with, in its order, duplicates and all: the
     * entries given on {@link #ENVIRON_FD} (read once; the descriptor is closed by
     * {@link #closeEnvironmentFd} before any child is started, so none inherits it), else
     * {@code /proc/self/environ}. Entries without '=' are kept as they are. No native call: the
     * CLI reads it while another thread links libc (docs/PERFORMANCE.md "start").
     */
    public static synchronized List<String> environment() {
        if (environment != null) return environment;
        List<String> env = null;
        String fd = System.getProperty(ENVIRON_FD);
        if (fd != null && isFdNumber(fd)) {
            env = split(read("/proc/self/fd/" + fd), false);
            environFd = Integer.parseInt(fd);
            System.clearProperty(ENVIRON_FD);
        }
        if (env == null) env = split(read("/proc/self/environ"), false);
        environment = env == null ? List.of() : List.copyOf(env);
        return environment;
    }

    /**
     * Closes the {@link #ENVIRON_FD} descriptor (reading the environment first if nobody has yet).
     * Idempotent; the supervisor calls it before it starts any process.
     */
    public static void closeEnvironmentFd() {
        int fd;
        synchronized (OwnProcess.class) {
            environment();
            fd = environFd;
            environFd = -1;
        }
        if (fd >= 0) Native.syscall(Syscalls.CLOSE, fd); // outside the lock: the first native call links libc (~40 ms)
    }

    /** One to nine decimal digits (no regular expression: this runs at every start). */
    private static boolean isFdNumber(String s) {
        if (s.isEmpty() || s.length() > 9) return false;
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
        return true;
    }

    private static byte[] read(String file) {
        try {
            return Files.readAllBytes(Path.of(file));
        } catch (IOException e) {
            return null;
        }
    }

    /** NUL-ended entries (a last one without its NUL too) as byte strings; empty ones only if {@code keepEmpty}. */
    private static List<String> split(byte[] b, boolean keepEmpty) {
        if (b == null) return null;
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < b.length; i++) {
            if (b[i] == 0) {
                if (keepEmpty || i > start) out.add(new String(b, start, i - start, StandardCharsets.ISO_8859_1));
                start = i + 1;
            }
        }
        if (start < b.length) out.add(new String(b, start, b.length - start, StandardCharsets.ISO_8859_1));
        return out;
    }
}
