package dev.jsyd.kernel;

/** Handles one notified syscall: decide, emulate or deny, and answer exactly once. */
@FunctionalInterface
public interface Handler {
    void handle(Request request) throws ResolveException, dev.jsyd.sys.ErrnoException;
}
