package dev.jsyd.policy;

import java.util.Locale;
import java.util.Optional;

/** What happens when a rule (or a category default) decides. Syd's nine actions. */
public enum Action {
    ALLOW, WARN, FILTER, DENY, PANIC, STOP, ABORT, KILL, EXIT;

    private final String sydName = name().toLowerCase(Locale.ROOT);

    public String sydName() { return sydName; }

    /** Every action but ALLOW and WARN refuses the operation. */
    public boolean denies() { return this != ALLOW && this != WARN; }

    /** Every action but ALLOW and FILTER writes a log record. */
    public boolean logs() { return this != ALLOW && this != FILTER; }

    public static Optional<Action> byName(String name) {
        for (Action a : values()) if (a.sydName.equals(name)) return Optional.of(a);
        return Optional.empty();
    }

    @Override public String toString() { return sydName; }
}
