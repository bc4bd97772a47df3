package dev.jsyd.report;

import java.util.List;
import java.util.Map;

/**
 * One record of a syd log (spec §8): the fields of one JSON line, with numbers as {@link Long},
 * arrays as lists of strings, and everything else as text. Field values are what the program and
 * the log chose: text to be escaped wherever it is shown.
 */
public record LogRecord(Map<String, Object> fields) {
    /** The field as text, or null when absent (a number as its decimal form). */
    public String text(String key) {
        Object v = fields.get(key);
        if (v == null) return null;
        if (v instanceof List<?> l) return l.isEmpty() ? "" : String.join(",", l.stream().map(String::valueOf).toList());
        return v.toString();
    }

    /** The field as a number, or {@code dflt} when absent or not a number. */
    public long number(String key, long dflt) {
        return fields.get(key) instanceof Long n ? n : dflt;
    }

    /** The field as a list of strings (a single value becomes a one-element list; absent: empty). */
    public List<String> list(String key) {
        Object v = fields.get(key);
        if (v == null) return List.of();
        if (v instanceof List<?> l) return l.stream().map(String::valueOf).toList();
        return List.of(v.toString());
    }

    public boolean has(String key) { return fields.containsKey(key); }

    public String ctx() { return text("ctx"); }

    public int pid() { return (int) number("pid", -1); }

    /** True for an access decision ({@code ctx} {@code access}). */
    public boolean isAccess() { return "access".equals(ctx()); }
}
