package dev.jsyd.sys;

import dev.jsyd.abi.Syscalls;
import java.nio.file.Files;
import java.nio.file.Path;

/** What this kernel offers, as {@code syd -V} reports it. Each probe is one harmless call. */
public final class KernelFeatures {
    private KernelFeatures() {}

    /** Seccomp user notification with the struct sizes jsyd expects. */
    public static boolean seccompNotify() {
        try {
            NotifyFd.checkKernelSizes();
            return true;
        } catch (ErrnoException | IllegalStateException e) {
            return false;
        }
    }

    /** The Landlock ABI version (0 when Landlock is unavailable). */
    public static int landlockAbi() {
        long r = Native.syscall(Syscalls.LANDLOCK_CREATE_RULESET, 0, 0, 1 /* LANDLOCK_CREATE_RULESET_VERSION */);
        return r < 0 ? 0 : (int) r;
    }

    /** pidfd_open and pidfd_getfd work on this process. */
    public static boolean pidfd() {
        long fd = Native.syscall(Syscalls.PIDFD_OPEN, Signals.getpid(), 0);
        if (fd < 0) return false;
        Native.syscall(Syscalls.CLOSE, fd);
        return true;
    }

    /** The namespace kinds this kernel has (from /proc/self/ns). */
    public static String namespaces() {
        StringBuilder b = new StringBuilder();
        for (String ns : new String[] {"mnt", "uts", "ipc", "user", "pid", "net", "cgroup", "time"}) {
            if (Files.exists(Path.of("/proc/self/ns/" + ns))) b.append(b.isEmpty() ? "" : ",").append(ns);
        }
        return b.toString();
    }
}
