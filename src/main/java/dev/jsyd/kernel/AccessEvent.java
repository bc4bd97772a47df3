package dev.jsyd.kernel;

import dev.jsyd.policy.Action;
import dev.jsyd.policy.Category;

/**
 * One access decision worth logging: which category, what action, which syscall, by whom, on
 * which path (a byte string) or address. {@code flags} is the open flags for open-family calls
 * (or -1).
 */
public record AccessEvent(Category category, Action action, String syscall, int pid, String path,
                          String address, long flags) {}
