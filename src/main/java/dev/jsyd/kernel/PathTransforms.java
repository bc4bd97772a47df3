package dev.jsyd.kernel;

import static dev.jsyd.abi.OpenFlags.AT_FDCWD;
import static dev.jsyd.abi.OpenFlags.O_CLOEXEC;
import static dev.jsyd.abi.OpenFlags.RESOLVE_IN_ROOT;

import dev.jsyd.policy.Glob;
import dev.jsyd.policy.Sandbox;
import java.util.Optional;

/**
 * Syd's path transformations (syd(2) {@code mask}, {@code append}), applied by the handlers of
 * the calls they concern after the path's own checks:
 * <ul>
 *   <li>a <b>masked</b> path ({@code mask+GLOB[:TARGET[:DIRTARGET]]}) is opened and stat'ed as its
 *       target ({@code /dev/null} by default); a directory only when a directory target is given
 *       (its entries are matched one by one otherwise);</li>
 *   <li>an <b>append-only</b> path ({@code append+GLOB}) is opened for writing with O_APPEND added;
 *       O_TRUNC, truncate, ftruncate, fallocate (but plain allocation), unlink, rename (from or
 *       onto it, or of a directory it could be under), link (of it) and clearing O_APPEND with
 *       fcntl are refused with EPERM, as the kernel refuses them on an append-only inode
 *       ({@code chattr +a}).</li>
 * </ul>
 */
final class PathTransforms {
    private PathTransforms() {}

    /** True when some path is masked or append-only: every path call is then seen by the supervisor. */
    static boolean any(Sandbox sb) {
        return !sb.masks().isEmpty() || !sb.list("append").isEmpty();
    }

    /** The path the object at {@code path} is replaced by (its type: {@code dir}), or null when it is not masked. */
    static String maskTarget(Sandbox sb, String path, boolean dir) {
        if (sb.masks().isEmpty()) return null;
        Optional<Sandbox.Mask> m = sb.mask(path);
        if (m.isEmpty()) return null;
        if (dir) return m.get().dirTarget().orElse(null);
        return m.get().target().orElse("/dev/null");
    }

    /** True when {@code path} is append-only. */
    static boolean appendOnly(Sandbox sb, String path) {
        return path != null && !sb.list("append").isEmpty() && sb.appendOnly(path);
    }

    /**
     * True when moving directory {@code dir} could move an append-only path (one that an append
     * pattern matches now or could match below it): the literal start of some pattern and
     * {@code dir/} are prefixes one of the other. Errs on refusing.
     */
    static boolean mayHoldAppendOnly(Sandbox sb, String dir) {
        if (sb.list("append").isEmpty()) return false;
        String d = dir.endsWith("/") ? dir : dir + "/";
        for (String item : sb.list("append")) {
            String prefix = literalPrefix(Glob.compile(item).pattern());
            if (prefix.startsWith(d) || d.startsWith(prefix)) return true;
        }
        return false;
    }

    /** pwritev2's RWF_NOAPPEND: a write at an offset even on an O_APPEND fd (Linux 6.9). */
    static final int RWF_NOAPPEND = 0x20;

    /**
     * pwritev2's argument rule: RWF_NOAPPEND is refused (EPERM) while some path is, or may become
     * (the lock being open), append-only; it would write anywhere in an append-only file.
     */
    static java.util.List<dev.jsyd.bpf.ArgRule> pwritev2Rules(Sandbox sb, Hardening.Self self) {
        if (sb.list("append").isEmpty() && !FilterPlan.runtimeChangesPossible(sb)) return java.util.List.of();
        return java.util.List.of(dev.jsyd.bpf.ArgRule.all(Hardening.errno(dev.jsyd.abi.Errno.EPERM),
                dev.jsyd.bpf.ArgRule.Cond.anyBits(5, RWF_NOAPPEND)));
    }

    /** The pattern up to its first wildcard or escape. */
    static String literalPrefix(String pattern) {
        int i = 0;
        while (i < pattern.length() && "*?[\\".indexOf(pattern.charAt(i)) < 0) i++;
        return pattern.substring(0, i);
    }

    /**
     * Opens a mask target (an absolute path of the program's view: inside its root) with
     * {@code flags} (O_CLOEXEC added); the target is the user's configuration and is not checked.
     * Returns the fd or -errno.
     */
    static int openTarget(Request r, String target, int flags) {
        int root = r.context().view().rootFd();
        if (root >= 0) return r.files().openat2(root, target, (flags | O_CLOEXEC) & 0xffffffffL, 0, RESOLVE_IN_ROOT);
        return r.files().openat(AT_FDCWD, target, flags | O_CLOEXEC, 0);
    }
}
