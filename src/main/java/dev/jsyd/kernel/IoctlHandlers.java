package dev.jsyd.kernel;

import static dev.jsyd.abi.OpenFlags.AT_EMPTY_PATH;
import static dev.jsyd.bpf.ArgRule.Cond.of32;

import dev.jsyd.abi.Errno;
import dev.jsyd.abi.Ioctls;
import dev.jsyd.abi.Landlock;
import dev.jsyd.abi.Seccomp;
import dev.jsyd.bpf.ArgRule;
import dev.jsyd.bpf.ArgRule.Op;
import dev.jsyd.policy.Action;
import dev.jsyd.policy.Category;
import dev.jsyd.policy.IoctlRules;
import dev.jsyd.policy.Sandbox;
import dev.jsyd.sys.ErrnoException;
import dev.jsyd.sys.Files;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * ioctl: Ioctl sandboxing ({@code sandbox/ioctl}, {@code allow|deny|…/ioctl+REQUEST},
 * {@code default/ioctl}) and the program's Landlock ioctl right on devices the supervisor opened.
 *
 * <p>The request is a scalar the filter can read, so the filter decides what it can: requests the
 * policy allows run in the kernel ({@link #filterRules}); only requests that are refused, logged or
 * signalled, and (under Landlock) requests on devices, reach {@link #ioctl}. There the decision is
 * the request's (it cannot change once notified: it is in the registers), and the call is
 * continued when allowed (docs/EMULATION.md: the argument is a pointer the supervisor never
 * reads; what is decided does not depend on it).
 */
public final class IoctlHandlers {
    private IoctlHandlers() {}

    public static void ioctl(Request r) throws ErrnoException {
        long request = r.arg(1) & 0xffffffffL; // the kernel reads an unsigned int
        Action a = r.sandbox().checkIoctl(request);
        if (a != Action.ALLOW && Enforcement.apply(r.context(), r.pid(), a,
                new AccessEvent(Category.IOCTL, a, "ioctl", r.pid(), null, IoctlRules.display(request), -1))) {
            r.fail(Errno.EACCES);
            return;
        }
        LandlockMirror landlock = r.context().view().landlock();
        if (landlock.handles(Landlock.IOCTL_DEV) && !Ioctls.landlockExempt(request) && refusedOnDevice(r, landlock)) {
            r.fail(Errno.EACCES);
            return;
        }
        if (request == Hardening.FIOSETOWN || request == Hardening.SIOCSPGRP) {
            ProcessTargetHandlers.ioctl(r); // a SIGIO owner: a member or a group with one
            return;
        }
        if (!r.stillValid()) return;
        r.continueSyscall();
    }

    /**
     * Landlock decides IOCTL_DEV with the rights recorded when the device was opened, by the
     * opener's domain; a device the supervisor opened for the program (an emulated open) carries
     * none, so the program's rules are applied here: true when they refuse ioctl on the device
     * the fd refers to. Not a device: false (Landlock does not restrict ioctl there).
     */
    private static boolean refusedOnDevice(Request r, LandlockMirror landlock) throws ErrnoException {
        int fd = r.programFd((int) r.arg(0));
        try {
            int type = r.files().fileType(fd, "", AT_EMPTY_PATH);
            if (type != Files.S_IFCHR && type != Files.S_IFBLK) return false;
            return landlock.refusesObject(r.files(), fd, Landlock.IOCTL_DEV);
        } finally {
            Files.close(fd);
        }
    }

    /**
     * The filter's argument rules for ioctl: the hardening rules ({@link Hardening#ioctl}) first;
     * then, unless the policy may still change at run time (then every ioctl is notified), the
     * requests whose fate differs from the rest: allowed in the kernel, or notified. A request is
     * decided in the kernel only when the policy allows it silently and, under Landlock, when
     * Landlock never restricts it ({@link Ioctls#LANDLOCK_EXEMPT}); the others are notified.
     */
    static List<ArgRule> filterRules(Sandbox sb, Hardening.Self self) {
        List<ArgRule> out = new ArrayList<>(Hardening.ioctl(sb, self));
        if (FilterPlan.runtimeChangesPossible(sb)) return out;
        boolean landlock = sb.enabled(Category.LOCK);
        boolean sandboxed = sb.enabled(Category.IOCTL);
        if (!landlock && !sandboxed) return out;
        boolean restAllowed = !landlock && sb.defaultAction(Category.IOCTL) == Action.ALLOW;
        Set<Long> named = new LinkedHashSet<>(IoctlRules.DEFAULT_ALLOW_NUMBERS);
        named.addAll(sb.ioctlRules().keySet());
        if (landlock) for (String n : Ioctls.LANDLOCK_EXEMPT) named.add(Ioctls.number(n).orElseThrow());
        for (long request : named) {
            boolean allowed = sb.checkIoctl(request) == Action.ALLOW && (!landlock || Ioctls.landlockExempt(request));
            if (allowed != restAllowed) {
                out.add(ArgRule.all(allowed ? Seccomp.RET_ALLOW : Seccomp.RET_USER_NOTIF, of32(1, Op.EQ, (int) request)));
            }
        }
        out.add(ArgRule.all(restAllowed ? Seccomp.RET_ALLOW : Seccomp.RET_USER_NOTIF));
        return out;
    }
}
