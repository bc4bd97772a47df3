package dev.jsyd.policy;

import java.nio.file.Path;

/**
 * Where a command came from: a {@code -m} argument (1-based argument number), a built-in profile
 * (name and line), a configuration file (path and line), or the runtime interface {@code /dev/syd}.
 */
public record Origin(Kind kind, String source, int line) {
    public enum Kind { ARGUMENT, PROFILE, FILE, RUNTIME, API }

    /** The n-th {@code -m} argument (1-based). */
    public static Origin argument(int n) { return new Origin(Kind.ARGUMENT, Integer.toString(n), 0); }

    public static Origin profile(String name, int line) { return new Origin(Kind.PROFILE, name, line); }

    public static Origin file(Path file, int line) { return new Origin(Kind.FILE, file.toString(), line); }

    public static Origin file(String file, int line) { return new Origin(Kind.FILE, file, line); }

    /** {@code /dev/syd} at runtime (stat on a magic path, or the IPC socket). */
    public static Origin runtime() { return new Origin(Kind.RUNTIME, "/dev/syd", 0); }

    /** A programmatic caller (library API). */
    public static Origin api() { return new Origin(Kind.API, "api", 0); }

    /** The same source at another line. */
    public Origin atLine(int newLine) { return new Origin(kind, source, newLine); }

    /** Human text naming the place, with the (1-based) column if it is positive. */
    public String describe(int column) {
        return switch (kind) {
            case ARGUMENT -> "-m argument " + source + (column > 0 ? ", column " + column : "");
            case PROFILE -> "profile `" + source + "`" + (line > 0 ? ":" + line : "") + (column > 0 ? ":" + column : "");
            case FILE -> source + (line > 0 ? ":" + line : "") + (column > 0 ? ":" + column : "");
            case RUNTIME -> "/dev/syd" + (column > 0 ? ", column " + column : "");
            case API -> "command" + (column > 0 ? ", column " + column : "");
        };
    }

    @Override public String toString() { return describe(0); }
}
