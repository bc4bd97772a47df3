package dev.jsyd.kernel;

/** The program's umask, read from {@code /proc/TID/status} when a file is created on its behalf. */
final class Umask {
    private Umask() {}

    static int of(Request r) {
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
