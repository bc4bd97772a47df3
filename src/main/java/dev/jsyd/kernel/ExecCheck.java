package dev.jsyd.kernel;

import dev.jsyd.abi.OpenFlags;
import dev.jsyd.policy.Action;
import dev.jsyd.policy.Category;
import dev.jsyd.policy.Sandbox;
import dev.jsyd.sys.ErrnoException;
import dev.jsyd.sys.Files;
import dev.jsyd.sys.RemoteMemory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The exec check at the PTRACE_EVENT_EXEC stop: the new image is loaded, not one of its
 * instructions has run, and its memory holds the kernel's own copy of what was executed.
 * Checked there, against the exec rules:
 * <ul>
 *   <li>{@code /proc/PID/exe}: the file the kernel actually mapped (for a script, its interpreter);</li>
 *   <li>{@code AT_EXECFN} from {@code /proc/PID/auxv}: the path string the kernel copied once at
 *       execve entry (for a script, the script), resolved from the process's cwd.</li>
 * </ul>
 * A rewrite of the path buffer after the notification check therefore gains nothing. Owned by the
 * tracer thread (per-thread buffers).
 */
public final class ExecCheck implements AutoCloseable {
    private static final int AT_EXECFN = 31;

    private final Files files = new Files();
    private final RemoteMemory memory = new RemoteMemory();
    private final PathResolver resolver = new PathResolver(files);

    /** True when the process may run; false when it must be killed. */
    public boolean verify(SandboxContext context, int pid) {
        Sandbox sb = context.sandbox();
        boolean memfdAllowed = sb.flag("trace/allow_unsafe_memfd");
        if (!sb.mayRefuse(Category.EXEC) && memfdAllowed) return true; // nothing to verify
        String exe = files.readlinkat(OpenFlags.AT_FDCWD, "/proc/" + pid + "/exe");
        if (!memfdAllowed && ExecHandlers.isMemfd(exe)) {
            Enforcement.apply(context, pid, Action.DENY, ExecHandlers.memfdEvent(pid, exe));
            return false;
        }
        if (!sb.mayRefuse(Category.EXEC)) return true;
        resolver.setView(context.view());
        if (exe == null || denied(context, sb, pid, exe)) return false;
        String execfn = execFn(pid);
        if (execfn == null) return false;
        if (execfn.startsWith("/dev/fd/") || execfn.startsWith("/proc/self/fd/")) return true; // fexecve: exe decides
        String canonical;
        try (PathResolver.Resolved r = resolver.resolve(pid, OpenFlags.AT_FDCWD, execfn, PathResolver.Last.FOLLOW)) {
            canonical = r.path();
        } catch (ResolveException e) {
            return false;
        }
        return canonical.equals(exe) || !denied(context, sb, pid, canonical);
    }

    private static boolean denied(SandboxContext context, Sandbox sb, int pid, String path) {
        Action action = sb.checkPath(Category.EXEC, path);
        if (!action.denies()) return false; // allow and warn were handled at the syscall
        return Enforcement.apply(context, pid, Category.EXEC, action, "execve", path, null, -1);
    }

    /** The AT_EXECFN string of the new image, or null. */
    private String execFn(int pid) {
        String auxv = files.readSmallFile("/proc/" + pid + "/auxv");
        if (auxv == null) return null;
        byte[] b = new byte[auxv.length()];
        for (int i = 0; i < b.length; i++) b[i] = (byte) auxv.charAt(i);
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        while (buf.remaining() >= 16) {
            long type = buf.getLong(), value = buf.getLong();
            if (type == 0) break;
            if (type == AT_EXECFN) {
                try {
                    return memory.readPath(pid, value);
                } catch (ErrnoException e) {
                    return null;
                }
            }
        }
        return null;
    }

    @Override
    public void close() {
        files.close();
        memory.close();
    }
}
