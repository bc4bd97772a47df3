package dev.jsyd.kernel;

import dev.jsyd.sys.MemFd;
import java.nio.charset.StandardCharsets;

/**
 * The {@code /dev/syd} runtime API (syd(2)): a stat of {@code /dev/syd/<command>} runs the
 * command (success answers like a stat of {@code /dev/null}; a query answers success when true,
 * ENOENT when false); an open of {@code /dev/syd} returns the sandbox state as JSON and of
 * {@code /dev/syd.sh} the esyd script. Matched on the path exactly as the program wrote it.
 * While the lock forbids it for the caller, none of this exists (ENOENT), as on the host.
 */
public final class DevSyd {
    private DevSyd() {}

    static final String ROOT = "/dev/syd";
    private static final String PREFIX = ROOT + "/";

    static boolean isCommand(String rawPath) { return rawPath.startsWith(PREFIX); }

    /**
     * For a stat-family call on {@code rawPath}: null when it is not a /dev/syd path; otherwise
     * runs the command and returns the path to stat in its place ({@code /dev/null}), or throws
     * the errno to answer.
     */
    public static String statTarget(Request r, String rawPath) throws ResolveException {
        if (rawPath.equals(ROOT) || rawPath.equals(ROOT + "/")) {
            if (!r.context().runtimeVisible(r.pid())) return null;
            return "/dev/null";
        }
        if (!isCommand(rawPath)) return null;
        int err = r.context().runtimeCommand(r.pid(), rawPath.substring(PREFIX.length()), r::stillValid);
        if (err != 0) throw new ResolveException(err);
        return "/dev/null";
    }

    /** What {@link #open} answers for a path that is not a /dev/syd file. */
    static final int NOT_MINE = Integer.MIN_VALUE;

    /** For an open of {@code rawPath}: {@link #NOT_MINE}, or an fd to inject, or -errno. */
    static int open(Request r, String rawPath) {
        boolean state = rawPath.equals(ROOT);
        boolean esyd = rawPath.equals(ROOT + ".sh");
        if (!state && !esyd) return NOT_MINE;
        if (!r.context().runtimeVisible(r.pid())) return NOT_MINE;
        String text = state ? r.context().stateJson() : r.context().esydScript();
        return MemFd.of(state ? "syd" : "syd.sh", text.getBytes(StandardCharsets.UTF_8));
    }
}
