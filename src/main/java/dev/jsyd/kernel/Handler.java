package dev.jsyd.kernel;

/**
 * Handles one notified syscall: decide, emulate or deny, and answer exactly once. Not
 * Serializable: the JDK's AOT cache keeps no serializable lambda, and spinning the table's ~120
 * method references at every start cost more than the rest of the table
 * ({@link SyscallTable#handlerName} reads the names from the table's bytecode instead).
 */
@FunctionalInterface
public interface Handler {
    void handle(Request request) throws ResolveException, dev.jsyd.sys.ErrnoException;
}
