package dev.jsyd.policy;

import java.util.Locale;
import java.util.Optional;

/** The states of {@code lock:} in Syd 3.52. */
public enum LockState {
    /** All runtime commands accepted from any sandboxed process. */
    OFF,
    /** Only the initial process may still issue runtime commands. */
    EXEC,
    /** No runtime commands; configuration is final. */
    ON,
    /** Only commands that reduce privileges are accepted. */
    DROP,
    /** State may be read but not modified. */
    READ,
    /** Runtime control only through the IPC socket. */
    IPC;

    private final String sydName = name().toLowerCase(Locale.ROOT);

    public String sydName() { return sydName; }

    public static Optional<LockState> byName(String name) {
        for (LockState s : values()) if (s.sydName.equals(name)) return Optional.of(s);
        return Optional.empty();
    }

    @Override public String toString() { return sydName; }
}
