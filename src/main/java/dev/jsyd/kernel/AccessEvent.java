package dev.jsyd.kernel;

import dev.jsyd.policy.Action;
import dev.jsyd.policy.Category;

/**
 * One access decision worth logging: which category, what action, which syscall, by whom, on
 * which path (a byte string) or address. {@code flags} is the open flags for open-family calls
 * (or -1). For network decisions {@code address} is {@code ip!port}, a UNIX socket path or
 * {@code @abstract}, and {@code ipv} is 4 or 6 for IP addresses (0 otherwise). {@code category}
 * is null for decisions that belong to the network sandbox as a whole (socket families), and
 * {@code tip}, when set, replaces the generated {@code allow/...} suggestion.
 */
public record AccessEvent(Category category, Action action, String syscall, int pid, String path,
                          String address, long flags, int ipv, String tip) {
    public AccessEvent(Category category, Action action, String syscall, int pid, String path,
                       String address, long flags) {
        this(category, action, syscall, pid, path, address, flags, 0, null);
    }
}
