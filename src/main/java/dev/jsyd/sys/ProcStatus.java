package dev.jsyd.sys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Fields of {@code /proc/TID/status} (its text is ASCII: names and decimal numbers). */
public final class ProcStatus {
    private ProcStatus() {}

    /**
     * The first decimal number of the line {@code name:} in {@code status} (the text of a
     * {@code /proc/TID/status} file), or -1 when there is no such line or no number on it.
     */
    public static int field(String status, String name) {
        if (status == null) return -1;
        int i = status.startsWith(name + ":") ? 0 : status.indexOf("\n" + name + ":");
        if (i < 0) return -1;
        int j = i + name.length() + (i == 0 ? 1 : 2);
        while (j < status.length() && (status.charAt(j) == ' ' || status.charAt(j) == '\t')) j++;
        long v = 0;
        boolean any = false;
        while (j < status.length() && status.charAt(j) >= '0' && status.charAt(j) <= '9' && v <= Integer.MAX_VALUE) {
            v = v * 10 + (status.charAt(j++) - '0');
            any = true;
        }
        return any && v <= Integer.MAX_VALUE ? (int) v : -1;
    }

    /** The thread group id of task {@code tid}, or -1 when it does not exist. */
    public static int tgid(int tid) {
        return field(read(Integer.toString(tid)), "Tgid");
    }

    /** This process's real user id. */
    public static int realUid() {
        return field(read("self"), "Uid");
    }

    private static String read(String task) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc/" + task + "/status")), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return null;
        }
    }
}
