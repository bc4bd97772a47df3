package dev.jsyd.policy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * The variables {@code ${VAR}} in rules may use when the environment does not set them: Syd's
 * substitution variables {@code SYD_UID}, {@code SYD_GID} (the user's ids), {@code SYD_HOME}
 * and {@code HOME} (the user's home), {@code SYD_PWD} (syd's working directory). Learned profiles
 * are written with them so that they move between users and checkouts.
 *
 * <p>A home that is set but unusable in {@code ${HOME}/***} — empty, relative, {@code /}, or holding
 * glob characters, any of which would make the rule relative or everything — gives way to the
 * user's home from the password database too; if that is no better, the parser reports the
 * variable as it is.
 */
public final class HostVariables {
    private HostVariables() {}

    /** {@code env} (byte strings) first, then the fallbacks above (as byte strings; for a home, also when {@code env}'s is unusable). */
    public static Function<String, String> over(Function<String, String> env) {
        return name -> {
            boolean home = name.equals("HOME") || name.equals("SYD_HOME");
            String v = env.apply(name);
            if (v != null && (!home || usableHome(v))) return v;
            String f = fallback(name);
            if (f != null) f = Bytes.fromUtf8(f);
            return f != null && (!home || usableHome(f)) ? f : v;
        };
    }

    /** An absolute path other than {@code /}, without glob or escape characters. */
    static boolean usableHome(String home) {
        return home.startsWith("/") && !home.chars().allMatch(c -> c == '/')
                && home.chars().noneMatch(c -> "*?[]\\".indexOf(c) >= 0);
    }

    /** The value syd gives {@code name} when the environment does not set it; null for other names. */
    public static String fallback(String name) {
        return switch (name) {
            case "HOME", "SYD_HOME" -> System.getProperty("user.home");
            case "SYD_PWD" -> System.getProperty("user.dir");
            case "SYD_UID" -> id("Uid:");
            case "SYD_GID" -> id("Gid:");
            default -> null;
        };
    }

    /** The real id on the {@code field} line of /proc/self/status (not the owner of /proc/self: not dumpable). */
    private static String id(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field)) return firstWord(line.substring(field.length()));
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }

    /** The first run of non-blank characters (no regular expression: this runs at every start of -p user). */
    private static String firstWord(String s) {
        int from = 0;
        while (from < s.length() && Character.isWhitespace(s.charAt(from))) from++;
        int to = from;
        while (to < s.length() && !Character.isWhitespace(s.charAt(to))) to++;
        return s.substring(from, to);
    }
}
