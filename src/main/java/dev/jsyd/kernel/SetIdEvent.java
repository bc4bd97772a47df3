package dev.jsyd.kernel;

import dev.jsyd.policy.Action;

/**
 * A set*id transition SafeSetID refused (or, in trace mode, only logged): which call, by whom,
 * {@code uid} true for a user id and false for a group id, from the caller's real id to {@code to}.
 */
public record SetIdEvent(String syscall, int pid, boolean uid, long from, long to, Action action) {
    /** The rule that would allow it, ready to paste. */
    public String tip() {
        return "configure `" + (uid ? "setuid" : "setgid") + "+" + from + ":" + to + "'";
    }
}
