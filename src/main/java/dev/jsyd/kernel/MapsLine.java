package dev.jsyd.kernel;

import java.util.ArrayList;
import java.util.List;

/**
 * One line of {@code /proc/PID/maps}: {@code start-end perms offset major:minor inode [path]}.
 * The path is the kernel's name of the mapped file (with {@code " (deleted)"} appended for an
 * unlinked file, {@code /memfd:NAME (deleted)} for a memfd); null for anonymous memory and for
 * pseudo mappings such as {@code [stack]}.
 */
record MapsLine(long start, long end, String perms, long major, long minor, long inode, String path) {

    boolean executable() { return perms.length() > 2 && perms.charAt(2) == 'x'; }

    /**
     * The line whose range contains {@code addr}, or null; only whole lines count (ended by a
     * newline, which the kernel escapes in paths), so a record read in part never yields a cut path.
     */
    static MapsLine containing(String maps, long addr) {
        if (maps == null) return null;
        for (int i = 0, eol; (eol = maps.indexOf('\n', i)) >= 0; i = eol + 1) {
            MapsLine m = line(maps, i, eol);
            if (m != null && Long.compareUnsigned(m.start, addr) <= 0 && Long.compareUnsigned(addr, m.end) < 0) return m;
        }
        return null;
    }

    /** The lines that overlap {@code [from, to)}. */
    static List<MapsLine> overlapping(String maps, long from, long to) {
        List<MapsLine> out = new ArrayList<>();
        for (MapsLine m : parse(maps)) {
            if (Long.compareUnsigned(m.start, to) < 0 && Long.compareUnsigned(from, m.end) < 0) out.add(m);
        }
        return out;
    }

    static List<MapsLine> parse(String maps) {
        List<MapsLine> out = new ArrayList<>();
        if (maps == null) return out;
        int i = 0, n = maps.length();
        while (i < n) {
            int eol = maps.indexOf('\n', i);
            if (eol < 0) eol = n;
            MapsLine m = line(maps, i, eol);
            if (m != null) out.add(m);
            i = eol + 1;
        }
        return out;
    }

    private static MapsLine line(String s, int from, int to) {
        String[] f = new String[5];
        int pos = from;
        for (int k = 0; k < 5; k++) {
            while (pos < to && s.charAt(pos) == ' ') pos++;
            int e = pos;
            while (e < to && s.charAt(e) != ' ') e++;
            if (e == pos) return null;
            f[k] = s.substring(pos, e);
            pos = e;
        }
        while (pos < to && s.charAt(pos) == ' ') pos++;
        String path = pos < to ? s.substring(pos, to) : null;
        if (path != null && path.startsWith("[")) path = null;
        int dash = f[0].indexOf('-'), colon = f[3].indexOf(':');
        if (dash < 0 || colon < 0) return null;
        try {
            return new MapsLine(Long.parseUnsignedLong(f[0], 0, dash, 16), Long.parseUnsignedLong(f[0], dash + 1, f[0].length(), 16),
                    f[1], Long.parseLong(f[3], 0, colon, 16), Long.parseLong(f[3], colon + 1, f[3].length(), 16),
                    Long.parseLong(f[4]), path);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
