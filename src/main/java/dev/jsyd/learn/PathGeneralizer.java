package dev.jsyd.learn;

import dev.jsyd.policy.Glob;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns one canonical path of a learning run into the glob segments a profile should hold, so
 * that the profile still matches the next run:
 * <ul>
 *   <li>the working directory and the home directory become {@code ${SYD_PWD}} and {@code ${HOME}},
 *       {@code /run/user/UID} becomes {@code /run/user/${SYD_UID}};</li>
 *   <li>process ids in {@code /proc} and terminal numbers in {@code /dev/pts} become {@code [0-9]*}, and so
 *       does a process id of the run in any name ({@code /tmp/hsperfdata_root/4242});</li>
 *   <li>versioned shared libraries ({@code libfoo.so.1.2}) become {@code libfoo.so*};</li>
 *   <li>a name the run created that is gone at its end (a temporary file, git's
 *       {@code tmp_obj_…}) loses its random part: {@code /tmp/ccA1b2C3.o} becomes {@code /tmp/*.o}.</li>
 * </ul>
 * Every other component is a literal, glob-escaped; control characters become {@code ?} and the
 * replacement character of an undecodable byte sequence becomes {@code *}, so that no path can
 * break a line of the profile.
 */
final class PathGeneralizer {
    static final String PWD = "${SYD_PWD}", HOME = "${HOME}", UID = "${SYD_UID}";
    static final List<String> TEMP_DIRS = List.of("/tmp", "/var/tmp", "/dev/shm");
    private static final Pattern VERSIONED_LIB = Pattern.compile("(.+\\.so)\\.[0-9][0-9.]*");
    private static final Pattern ALNUM_RUN = Pattern.compile("[A-Za-z0-9]{6,}");
    private static final Pattern DIGIT_RUN = Pattern.compile("[0-9]+");
    private static final Pattern SHORT_EXT = Pattern.compile("\\.[a-z][a-z0-9]{0,4}$");

    /** Directory prefixes replaced by a variable, longest first. */
    private final Map<String, String> prefixes = new LinkedHashMap<>();
    /** How many components each variable stands for. */
    final Map<String, Integer> depths = new LinkedHashMap<>();
    private final String uid;
    private final Set<String> created;
    private final Predicate<String> exists;

    /**
     * @param pwd     the run's working directory (null or {@code /}: not replaced)
     * @param home    the user's home directory (null or {@code /}: not replaced)
     * @param uid     the user's id, for {@code /run/user/UID}
     * @param created paths the run created (create, mkdir, mkfifo, symlink, mktemp checks)
     * @param exists  whether a path exists now, after the run
     */
    PathGeneralizer(String pwd, String home, String uid, Set<String> created, Predicate<String> exists) {
        this.uid = uid;
        this.created = created;
        this.exists = exists;
        boolean usePwd = usable(pwd) && !(usable(home) && (home.equals(pwd) || home.startsWith(pwd + "/")));
        boolean useHome = usable(home);
        // The longer prefix first: a working directory inside the home is ${SYD_PWD}.
        if (usePwd && (!useHome || pwd.length() > home.length())) add(pwd, PWD);
        if (useHome) add(home, HOME);
        if (usePwd && !prefixes.containsValue(PWD)) add(pwd, PWD);
    }

    private static boolean usable(String dir) {
        return dir != null && dir.startsWith("/") && dir.length() > 1 && !dir.endsWith("/") && depth(dir) >= 1;
    }

    private void add(String dir, String var) {
        prefixes.put(dir, var);
        depths.put(var, depth(dir));
    }

    static int depth(String path) {
        int n = 0;
        for (int i = 0; i < path.length(); i++) if (path.charAt(i) == '/' && i + 1 < path.length()) n++;
        return n;
    }

    /** The segments of {@code path}'s pattern: glob text each; the first may be a variable. */
    List<String> segments(String path) {
        List<String> segs = new ArrayList<>();
        String rest = path;
        for (var e : prefixes.entrySet()) {
            String dir = e.getKey();
            if (path.equals(dir) || path.startsWith(dir + "/")) {
                segs.add(e.getValue());
                rest = path.substring(dir.length());
                break;
            }
        }
        String[] comps = rest.isEmpty() || rest.equals("/") ? new String[0] : rest.substring(1).split("/", -1);
        boolean absolute = segs.isEmpty();
        StringBuilder sofar = new StringBuilder(path.length() - rest.length());
        sofar.append(path, 0, path.length() - rest.length());
        for (int i = 0; i < comps.length; i++) {
            String c = comps[i];
            sofar.append('/').append(c);
            boolean last = i == comps.length - 1;
            segs.add(component(absolute, comps, i, sofar.toString(), last));
        }
        return segs;
    }

    private String component(boolean absolute, String[] comps, int i, String sofar, boolean last) {
        String c = comps[i];
        if (absolute) {
            if (i == 1 && comps[0].equals("proc") && digits(c)) return "[0-9]*";
            if (i == 3 && comps[0].equals("proc") && comps[2].equals("task") && digits(c) && digits(comps[1])) return "[0-9]*";
            if (i == 2 && comps[0].equals("dev") && comps[1].equals("pts") && digits(c)) return "[0-9]*";
            if (i == 2 && comps[0].equals("run") && comps[1].equals("user") && c.equals(uid)) return UID;
        }
        String pid = pidsOut(c);
        if (pid != null) return pid;
        if (created.contains(sofar) && !exists.test(sofar)) {
            String t = temporary(c, inTempDir(sofar));
            if (t != null) return t;
        }
        if (last) {
            Matcher m = VERSIONED_LIB.matcher(c);
            if (m.matches()) return literal(m.group(1)) + "*";
        }
        return literal(c);
    }

    /** The process ids of the run (decimal): names made from them change with every run. */
    private Set<String> pids = Set.of();

    /** Names holding a process id of the run (a JVM's {@code hsperfdata_USER/PID}, {@code .java_pidPID}) get {@code [0-9]*} for it. */
    PathGeneralizer pids(Set<String> pids) {
        this.pids = pids;
        return this;
    }

    /** {@code name} with each digit run that is a pid of the run as {@code [0-9]*}; null when it has none. */
    private String pidsOut(String name) {
        if (pids.isEmpty()) return null;
        Matcher m = DIGIT_RUN.matcher(name);
        StringBuilder b = new StringBuilder();
        int last = 0;
        while (m.find()) {
            if (!pids.contains(m.group())) continue;
            b.append(literal(name.substring(last, m.start()))).append("[0-9]*");
            last = m.end();
        }
        return last == 0 ? null : b.append(literal(name.substring(last))).toString();
    }

    /** True for a name directly in a temporary directory (not in a project that happens to live under /tmp). */
    private static boolean inTempDir(String path) {
        int slash = path.lastIndexOf('/');
        return slash > 0 && TEMP_DIRS.contains(path.substring(0, slash));
    }

    /**
     * The pattern for a temporary name. Directly in a temporary directory every character may be
     * random (Python's tempfile draws 8 from letters, digits and {@code _}), so only a short
     * lower-case extension is kept: {@code ccA1b2C3.s} becomes {@code *.s}, {@code tmp.PXy0INK9Zd}
     * becomes {@code *}. Elsewhere the last random-looking run (six or more letters and digits
     * mixing at least two of lower case, upper case and digits) becomes {@code *}: git's
     * {@code tmp_obj_x7Yb2Q} becomes {@code tmp_obj_*}. Null when the name looks chosen, not made
     * up (e.g. {@code index.lock}).
     */
    static String temporary(String name, boolean inTempDir) {
        if (inTempDir) {
            Matcher ext = SHORT_EXT.matcher(name);
            return "*" + (ext.find() && ext.start() > 0 ? literal(name.substring(ext.start())) : "");
        }
        Matcher m = ALNUM_RUN.matcher(name);
        int start = -1, end = -1;
        while (m.find()) {
            if (random(m.group())) {
                start = m.start();
                end = m.end();
            }
        }
        return start < 0 ? null : literal(name.substring(0, start)) + "*" + literal(name.substring(end));
    }

    private static boolean random(String run) {
        boolean lower = false, upper = false, digit = false;
        for (int i = 0; i < run.length(); i++) {
            char ch = run.charAt(i);
            if (ch >= 'a' && ch <= 'z') lower = true;
            else if (ch >= 'A' && ch <= 'Z') upper = true;
            else digit = true;
        }
        return (lower ? 1 : 0) + (upper ? 1 : 0) + (digit ? 1 : 0) >= 2;
    }

    private static boolean digits(String s) {
        if (s.isEmpty()) return false;
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
        return true;
    }

    /**
     * A path component as a literal glob: metacharacters and {@code $} escaped; control
     * characters (which could end a line of the profile) become {@code ?}; U+FFFD (a byte sequence
     * the log could not show) and its UTF-8 bytes become {@code *}.
     */
    static String literal(String component) {
        String s = component.replace("\u00ef\u00bf\u00bd", "\ufffd");
        StringBuilder b = new StringBuilder(s.length() + 4);
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '\ufffd') {
                if (b.isEmpty() || b.charAt(b.length() - 1) != '*') b.append('*');
            } else if (ch < 0x20 || ch == 0x7f) {
                b.append('?');
            } else if (ch == '$') {
                b.append("\\$");
            } else {
                b.append(Glob.escape(String.valueOf(ch)));
            }
        }
        return b.toString();
    }
}
