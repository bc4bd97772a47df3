package dev.jsyd.kernel;

/**
 * Handles one notified syscall: decide, emulate or deny, and answer exactly once. Serializable
 * only so that {@link SyscallTable#handlerName} can name the method a row points to (docs, --api).
 */
@FunctionalInterface
public interface Handler extends java.io.Serializable {
    void handle(Request request) throws ResolveException, dev.jsyd.sys.ErrnoException;
}
