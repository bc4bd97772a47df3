package dev.jsyd.confine;

import dev.jsyd.policy.Sandbox;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The mount steps of a mount namespace (syd(2) {@code bind}, {@code root}, and the private
 * {@code /proc} of a pid namespace), in the order the launcher makes them:
 * <ol>
 *   <li>every mount becomes private (nothing propagates back to the host);</li>
 *   <li>with {@code root:DIR}, DIR is bind-mounted on itself (pivot_root needs a mount point);</li>
 *   <li>each {@code bind+SRC:DST[:OPTS]} in order: an absolute SRC is bind-mounted recursively on
 *       DST, then remounted with the options' flags ({@code ro}, {@code nodev}, {@code noexec},
 *       {@code nosuid}, {@code nosymfollow}, {@code noatime}, …); any other SRC is a filesystem
 *       type mounted on DST with the flags and its {@code key=value} options as data. With a
 *       root, DST is inside the new root. A missing source or target skips the bind;</li>
 *   <li>with a pid namespace, a new proc instance on {@code /proc} (nosuid, nodev, noexec);</li>
 *   <li>pivot_root into the new root, the old one detached.</li>
 * </ol>
 */
final class MountSteps {
    private MountSteps() {}

    static final long MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8, MS_REMOUNT = 32,
            MS_NOSYMFOLLOW = 256, MS_NOATIME = 1024, MS_NODIRATIME = 2048, MS_BIND = 4096, MS_REC = 16384,
            MS_PRIVATE = 1L << 18, MS_SLAVE = 1L << 19, MS_SHARED = 1L << 20, MS_RELATIME = 1L << 21,
            MS_STRICTATIME = 1L << 24;

    static List<LaunchPlan.Step> of(List<Sandbox.BindMount> binds, Optional<String> root, boolean privateProc)
            throws PlanException {
        List<LaunchPlan.Step> out = new ArrayList<>();
        out.add(new LaunchPlan.Mount(MS_REC | MS_PRIVATE, 0, null, "/", null, null, "make every mount private"));
        String prefix = root.map(r -> r.equals("/") ? "" : stripSlash(r)).orElse("");
        root.ifPresent(r -> out.add(new LaunchPlan.Mount(MS_BIND | MS_REC, 0, r, r, null, null,
                "bind-mount the new root " + r + " on itself (root:" + r + ")")));
        for (Sandbox.BindMount b : binds) bind(out, b, prefix);
        if (privateProc) {
            out.add(new LaunchPlan.Mount(MS_NOSUID | MS_NODEV | MS_NOEXEC, 0, "proc", prefix + "/proc", "proc", null,
                    "mount the pid namespace's proc on " + prefix + "/proc"));
        }
        root.ifPresent(r -> out.add(new LaunchPlan.PivotRoot(r)));
        return out;
    }

    private static String stripSlash(String s) {
        while (s.length() > 1 && s.endsWith("/")) s = s.substring(0, s.length() - 1);
        return s;
    }

    private static void bind(List<LaunchPlan.Step> out, Sandbox.BindMount b, String prefix) throws PlanException {
        String cmd = "bind+" + b.source() + ":" + b.target() + (b.options().isEmpty() ? "" : ":" + String.join(",", b.options()));
        long flags = 0, propagation = 0;
        List<String> data = new ArrayList<>();
        for (String o : b.options()) {
            switch (o) {
                case "ro" -> flags |= MS_RDONLY;
                case "nodev" -> flags |= MS_NODEV;
                case "noexec" -> flags |= MS_NOEXEC;
                case "nosuid" -> flags |= MS_NOSUID;
                case "nosymfollow" -> flags |= MS_NOSYMFOLLOW;
                case "noatime" -> flags |= MS_NOATIME;
                case "nodiratime" -> flags |= MS_NODIRATIME;
                case "relatime" -> flags |= MS_RELATIME;
                case "strictatime" -> flags |= MS_STRICTATIME;
                case "rw", "dev", "exec", "suid", "rec" -> { } // the defaults (binds are always recursive)
                case "private" -> propagation = MS_PRIVATE;
                case "slave" -> propagation = MS_SLAVE;
                case "shared" -> propagation = MS_SHARED;
                default -> data.add(o); // key=value: filesystem options
            }
        }
        String target = prefix + b.target();
        boolean fs = !b.source().startsWith("/");
        if (fs) {
            out.add(new LaunchPlan.Mount(flags, LaunchPlan.SKIP_MISSING, b.source(), target, b.source(),
                    data.isEmpty() ? null : String.join(",", data), "mount " + b.source() + " on " + target + " (" + cmd + ")"));
        } else {
            if (!data.isEmpty()) {
                throw new PlanException(cmd + ": options " + String.join(",", data) + " apply to filesystem mounts only",
                        "a bind mount takes ro, nodev, noexec, nosuid, nosymfollow, noatime, nodiratime, relatime, strictatime");
            }
            out.add(new LaunchPlan.Mount(MS_BIND | MS_REC, LaunchPlan.SKIP_MISSING, b.source(), target, null, null,
                    "bind-mount " + b.source() + " on " + target + " (" + cmd + ")"));
            if (flags != 0) {
                out.add(new LaunchPlan.Mount(MS_BIND | MS_REMOUNT | flags, LaunchPlan.SKIP_AFTER_SKIP, null, target, null, null,
                        "remount " + target + " with " + String.join(",", b.options()) + " (" + cmd + ")"));
            }
        }
        if (propagation != 0) {
            out.add(new LaunchPlan.Mount(propagation | MS_REC, LaunchPlan.SKIP_AFTER_SKIP, null, target, null, null,
                    "set the propagation of " + target + " (" + cmd + ")"));
        }
    }
}
