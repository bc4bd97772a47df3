package dev.jsyd.kernel;

/**
 * The umask a file created on the program's behalf gets: the program's, read from
 * {@code /proc/TID/status}, plus the bits of {@code trace/force_umask} (which the program cannot
 * take away with umask(2)).
 */
final class Umask {
    private Umask() {}

    static int of(Request r) {
        return own(r) | forced(r);
    }

    /** The bits {@code trace/force_umask} adds (0 when unset). */
    static int forced(Request r) {
        return r.sandbox().forceUmask().orElse(0);
    }

    private static int own(Request r) {
        String status = r.files().readSmallFile("/proc/" + r.pid() + "/status");
        if (status == null) return 022;
        int i = status.indexOf("\nUmask:");
        if (i < 0) return 022;
        int j = i + 7;
        while (j < status.length() && (status.charAt(j) == ' ' || status.charAt(j) == '\t')) j++;
        int v = 0;
        while (j < status.length() && status.charAt(j) >= '0' && status.charAt(j) <= '7') v = v * 8 + (status.charAt(j++) - '0');
        return v;
    }
}
