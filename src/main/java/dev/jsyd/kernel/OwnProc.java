package dev.jsyd.kernel;

import dev.jsyd.abi.Errno;
import dev.jsyd.sys.Credentials;
import dev.jsyd.sys.Files;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Calls on the program's own {@code /proc/PID} entries (its cwd and fd links, {@code /proc/self}):
 * made with the program's identity like every emulated call, and when the kernel refuses them
 * for want of ptrace rights, once more with CAP_SYS_PTRACE for that one call. The kernel lets a
 * thread group into its own {@code /proc} whatever its credentials; the borrowed identity, which is
 * not in that group, only when the program is dumpable and its effective set is its permitted one.
 * Anywhere else the refusal stands.
 */
final class OwnProc {
    private OwnProc() {}

    private static final long PTRACE = Credentials.bit(Credentials.CAP_SYS_PTRACE);

    /** True when {@code path} is {@code /proc/PID} or below it. */
    static boolean in(CharSequence path, int pid) {
        String p = path.toString();
        String dir = "/proc/" + pid;
        return p.startsWith(dir) && (p.length() == dir.length() || p.charAt(dir.length()) == '/');
    }

    /** {@code call} (a value or -errno), retried when refused with EACCES/EPERM and {@code own} holds. */
    static long call(LongSupplier call, BooleanSupplier own) {
        long r = call.getAsLong();
        if ((r != -Errno.EACCES && r != -Errno.EPERM) || !own.getAsBoolean()) return r;
        return Credentials.ofThread().withCaps(PTRACE, call::getAsLong);
    }

    /** {@code look} (null with {@link Files#lastError()} on failure), retried like {@link #call}. */
    static <T> T look(Files files, Supplier<T> look, BooleanSupplier own) {
        T v = look.get();
        if (v != null || (files.lastError() != Errno.EACCES && files.lastError() != Errno.EPERM) || !own.getAsBoolean()) {
            return v;
        }
        return Credentials.ofThread().withCaps(PTRACE, look);
    }
}
