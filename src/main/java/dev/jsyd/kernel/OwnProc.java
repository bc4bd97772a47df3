package dev.jsyd.kernel;

import dev.jsyd.abi.Errno;
import dev.jsyd.sys.Credentials;
import dev.jsyd.sys.Files;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Calls on the program's own {@code /proc/PID} entries (its cwd and fd links, {@code /proc/self}):
 * made with the program's identity like every emulated call, and when the kernel refuses them for
 * want of rights the program itself would not need, once more with just what the kernel's
 * same-thread-group exemptions stand for, for that one call. A thread group may always pass its
 * own ptrace checks in {@code /proc} (CAP_SYS_PTRACE here) and search its own {@code fd}
 * directories, which belong to root once the process is not dumpable (CAP_DAC_READ_SEARCH here,
 * for lookups only: directory walks, links, stat — never to open or access an object, where it
 * would also pass the object's own permissions). The borrowed identity is not in the program's
 * thread group, so it passes those checks only when the program is dumpable and its effective set
 * is its permitted one. Anywhere else the refusal stands.
 */
final class OwnProc {
    private OwnProc() {}

    private static final long PTRACE = Credentials.bit(Credentials.CAP_SYS_PTRACE);
    private static final long LOOKUP = PTRACE | Credentials.bit(Credentials.CAP_DAC_READ_SEARCH);

    /** True when {@code path} is {@code /proc/PID} or below it. */
    static boolean in(CharSequence path, int pid) {
        String p = path.toString();
        String dir = "/proc/" + pid;
        return p.startsWith(dir) && (p.length() == dir.length() || p.charAt(dir.length()) == '/');
    }

    /**
     * {@code call} (a value or -errno) that opens or checks an object: retried with CAP_SYS_PTRACE
     * when refused with EACCES/EPERM and {@code own} holds.
     */
    static long call(LongSupplier call, BooleanSupplier own) {
        return retry(call, own, PTRACE);
    }

    /** {@code lookup} (a value or -errno) that only looks (walk, readlink, stat): retried with {@link #LOOKUP} rights. */
    static long lookup(LongSupplier lookup, BooleanSupplier own) {
        return retry(lookup, own, LOOKUP);
    }

    /** {@link #lookup} for a look answering null with {@link Files#lastError()} on failure. */
    static <T> T look(Files files, Supplier<T> look, BooleanSupplier own) {
        T v = look.get();
        if (v != null || (files.lastError() != Errno.EACCES && files.lastError() != Errno.EPERM) || !own.getAsBoolean()) {
            return v;
        }
        return Credentials.ofThread().withCaps(LOOKUP, look);
    }

    private static long retry(LongSupplier call, BooleanSupplier own, long caps) {
        long r = call.getAsLong();
        if ((r != -Errno.EACCES && r != -Errno.EPERM) || !own.getAsBoolean()) return r;
        return Credentials.ofThread().withCaps(caps, call::getAsLong);
    }
}
