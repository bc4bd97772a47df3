package dev.jsyd.policy;

import java.util.Optional;

/**
 * A rejected command or configuration, as a diagnostic a person can act on: where (origin,
 * line, column), the line quoted with a caret under the column, what was expected, and the
 * nearest valid spelling when there is one. {@link #getMessage()} is the full human text; this
 * exception never carries a stack trace.
 */
public final class PolicyException extends Exception {
    private static final long serialVersionUID = 1L;

    private final Origin origin;
    private final String line;
    private final int column;
    private final String problem;
    private final String expected;
    private final String suggestion;

    /**
     * @param origin     where the command came from
     * @param line       the command text as written (null if none)
     * @param column     1-based column of the problem in {@code line}; 0 for none
     * @param problem    what is wrong, e.g. "unknown category `raed`"
     * @param expected   what would have been valid (null if nothing useful to say)
     * @param suggestion the nearest valid spelling (null if none)
     */
    public PolicyException(Origin origin, String line, int column, String problem, String expected, String suggestion) {
        super(problem, null, false, false);
        this.origin = origin;
        this.line = line;
        this.column = column;
        this.problem = problem;
        this.expected = expected;
        this.suggestion = suggestion;
    }

    public Origin origin() { return origin; }

    public Optional<String> line() { return Optional.ofNullable(line); }

    public int column() { return column; }

    public String problem() { return problem; }

    public Optional<String> expected() { return Optional.ofNullable(expected); }

    public Optional<String> suggestion() { return Optional.ofNullable(suggestion); }

    @Override
    public String getMessage() {
        StringBuilder sb = new StringBuilder();
        sb.append(origin == null ? "command" : origin.describe(line == null ? 0 : column)).append(": ").append(problem);
        if (line != null) {
            String shown = Bytes.toUtf8(line);
            sb.append('\n').append("    ").append(shown);
            if (column > 0) {
                sb.append('\n').append("    ");
                // column counts chars of the shown line; keep tabs so the caret lines up
                int upto = Math.min(column - 1, shown.length());
                for (int i = 0; i < upto; i++) sb.append(shown.charAt(i) == '\t' ? '\t' : ' ');
                sb.append('^');
            }
        }
        if (expected != null) sb.append('\n').append("  expected ").append(expected);
        if (suggestion != null) sb.append('\n').append("  did you mean `").append(suggestion).append("`?");
        return sb.toString();
    }

    @Override public String toString() { return getMessage(); }
}
