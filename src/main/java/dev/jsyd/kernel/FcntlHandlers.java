package dev.jsyd.kernel;

import static dev.jsyd.abi.OpenFlags.AT_EMPTY_PATH;
import static dev.jsyd.abi.OpenFlags.O_APPEND;
import static dev.jsyd.bpf.ArgRule.Cond.noBits;
import static dev.jsyd.bpf.ArgRule.Cond.of32;

import dev.jsyd.abi.Errno;
import dev.jsyd.abi.Seccomp;
import dev.jsyd.bpf.ArgRule;
import dev.jsyd.bpf.ArgRule.Op;
import dev.jsyd.policy.Sandbox;
import dev.jsyd.sys.ErrnoException;
import dev.jsyd.sys.FileOps;
import java.util.ArrayList;
import java.util.List;

/**
 * fcntl: in the kernel, but for the hardening rules ({@link Hardening#fcntl}: SIGIO owners, checked by
 * {@link ProcessTargetHandlers#fcntl}) and, while some path
 * is append-only ({@code append+}, {@link PathTransforms}), {@code F_SETFL} without O_APPEND, which
 * could take O_APPEND off an append-only file's fd. That call is carried out by the supervisor on
 * a {@code pidfd_getfd} copy of the fd (the same open file description, so an fd swapped in
 * meanwhile is never the one changed): EPERM for an append-only file, as the kernel answers for an
 * append-only inode.
 */
public final class FcntlHandlers {
    private FcntlHandlers() {}

    static final int F_SETFL = 4;
    private static final int O_NOATIME = 01000000, CAP_FOWNER = 3;

    public static void fcntl(Request r) throws ResolveException, ErrnoException {
        if ((int) r.arg(1) != F_SETFL) { ProcessTargetHandlers.fcntl(r); return; } // SIGIO owners (Hardening#fcntl)
        int flags = (int) r.arg(2);
        try (PathArgs.Target t = PathArgs.fd(r, (int) r.arg(0))) {
            if ((flags & O_APPEND) == 0 && PathTransforms.appendOnly(r.sandbox(), t.path())) { r.fail(Errno.EPERM); return; }
            int current = FileOps.fcntl(t.fd(), 3 /* F_GETFL */, 0);
            if (current < 0) { r.fail(-current); return; }
            // O_NOATIME is for the file's owner (or CAP_FOWNER): the supervisor must not grant it
            if ((flags & O_NOATIME) != 0 && (current & O_NOATIME) == 0 && !mayNoAtime(r, t)) { r.fail(Errno.EPERM); return; }
            if (!r.stillValid()) return;
            int rc = FileOps.fcntl(t.fd(), F_SETFL, flags & 0xffffffffL);
            if (rc < 0) { r.fail(-rc); return; }
            r.reply(rc);
        }
    }

    private static boolean mayNoAtime(Request r, PathArgs.Target t) {
        if (PathArgs.hasCap(r, CAP_FOWNER)) return true;
        byte[] st = r.files().fstatat(t.fd(), "", AT_EMPTY_PATH);
        String status = r.files().readSmallFile("/proc/" + r.pid() + "/status");
        if (st == null || status == null) return false;
        int uid = java.nio.ByteBuffer.wrap(st).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(28); // st_uid
        int i = status.indexOf("\nUid:");
        if (i < 0) return false;
        String[] ids = status.substring(i + 5, status.indexOf('\n', i + 1)).trim().split("\\s+");
        return ids.length == 4 && Integer.toString(uid).equals(ids[3]); // the filesystem uid
    }

    /**
     * The filter's argument rules: the hardening rules, then F_SETFL without O_APPEND notified
     * while a path is (or may become, the lock being open) append-only.
     */
    static List<ArgRule> filterRules(Sandbox sb, Hardening.Self self) {
        List<ArgRule> out = new ArrayList<>(Hardening.fcntl(sb, self));
        if (!sb.list("append").isEmpty() || FilterPlan.runtimeChangesPossible(sb)) {
            out.add(ArgRule.all(Seccomp.RET_USER_NOTIF, of32(1, Op.EQ, F_SETFL), noBits(2, O_APPEND)));
        }
        return out; // the rest in the kernel (a row notified only by its rules)
    }
}
