package dev.jsyd.kernel;

import static dev.jsyd.abi.OpenFlags.AT_FDCWD;
import static dev.jsyd.abi.OpenFlags.O_CLOEXEC;
import static dev.jsyd.abi.OpenFlags.O_NOFOLLOW;
import static dev.jsyd.abi.OpenFlags.O_PATH;
import static dev.jsyd.abi.OpenFlags.O_RDONLY;

import dev.jsyd.policy.Category;
import dev.jsyd.policy.Sandbox;
import dev.jsyd.sys.ErrnoException;
import dev.jsyd.sys.Files;
import dev.jsyd.sys.RemoteMemory;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The exec check at the PTRACE_EVENT_EXEC stop: the new image is loaded, not one of its
 * instructions has run, its fd table is its own (exec unshared it) and it has a single thread.
 * What runs is checked there with {@link ExecGate}, on files the supervisor opens itself:
 * <ul>
 *   <li>the program: {@code /proc/PID/exe}, the file the kernel mapped (for a script, its
 *       interpreter) — exec rules, SegvGuard, ELF kind, TPE, Force;</li>
 *   <li>the ELF interpreter the kernel mapped: the mapping at {@code AT_BASE} in
 *       {@code /proc/PID/maps};</li>
 *   <li>the script: {@code AT_EXECFN} of the new image is the kernel's copy of the path it was
 *       given (for a script, the script; for {@code execveat(fd, "", AT_EMPTY_PATH)} and
 *       {@code /dev/fd/N}, {@code /dev/fd/N}); a {@code /dev/fd/N} or {@code /proc/self/fd/N} name
 *       is checked on the supervisor's {@code pidfd_getfd} copy of the new image's fd N — the file
 *       the interpreter will read, which nothing can swap any more — and a path is resolved from
 *       the process's cwd.</li>
 * </ul>
 * A refused process is killed before it runs. The check also remembers each process's
 * executable for SegvGuard. Owned by the tracer thread (per-thread buffers).
 */
public final class ExecCheck implements AutoCloseable {
    private static final int AT_BASE = 7, AT_EXECFN = 31;
    private static final Pattern FD_NAME = Pattern.compile("/(?:dev/fd|proc/(self|thread-self|\\d+)(?:/task/\\d+)?/fd)/(\\d+)");

    private final Files files = new Files();
    private final RemoteMemory memory = new RemoteMemory();
    private final PathResolver resolver = new PathResolver(files);
    private final ExecGate gate = new ExecGate(files);
    /** The executable each live process (by pid) last executed, for SegvGuard. */
    private final Map<Integer, String> exeOf = new HashMap<>();
    /**
     * Processes whose end was consumed before their parent's fork event (the kernel reports
     * tracees in no set order): pid → the time of a crash, or 0; settled by {@link #forked}.
     * Bounded: an entry whose fork event never comes (its parent died first) is dropped in time.
     */
    private final Map<Integer, Long> endedUnforked = new java.util.LinkedHashMap<>(16, 0.75f, false) {
        @Override protected boolean removeEldestEntry(Map.Entry<Integer, Long> e) { return size() > 1024; }
    };

    /** True when the process may run; false when it must be killed. */
    public boolean verify(SandboxContext context, int pid) {
        Sandbox sb = context.sandbox();
        String exeLink = "/proc/" + pid + "/exe";
        if (!ExecGate.checksMoreThanThePath(sb)) {
            // A program seen before, under a policy that reads no content (no TPE, no Force): its
            // name and stat through /proc/PID/exe, no open. The process is stopped at its exec stop
            // with one thread, so its executable cannot change between the two lookups.
            String path = files.readlinkat(AT_FDCWD, exeLink);
            FileStat exeStat = path == null ? null : FileStat.ofPath(files, exeLink);
            FileFacts.Kind kind = exeStat == null ? null : FileFacts.knownKind(exeStat);
            if (kind != null) {
                exeOf.put(pid, path);
                if (gate.programDenied(context, pid, "execve", path, exeStat, kind)) return false;
                return !othersDenied(context, sb, pid, path, exeStat);
            }
        }
        int exe = files.openat(AT_FDCWD, exeLink, O_RDONLY | O_CLOEXEC, 0);
        boolean readable = exe >= 0;
        if (!readable) exe = files.openat(AT_FDCWD, exeLink, O_PATH | O_CLOEXEC, 0);
        if (exe < 0) return false;
        try {
            String path = files.readlinkat(AT_FDCWD, "/proc/self/fd/" + exe);
            if (path == null) return false;
            exeOf.put(pid, path);
            FileStat exeStat = FileStat.ofFd(files, exe);
            if (gate.denied(context, pid, "execve", ExecGate.Use.PROGRAM, path, readable ? exe : -1, exeStat, true)) return false;
            return !othersDenied(context, sb, pid, path, exeStat);
        } finally {
            Files.close(exe);
        }
    }

    /** The checks of the files other than the program: the ELF interpreter and the script; true when one is refused. */
    private boolean othersDenied(SandboxContext context, Sandbox sb, int pid, String exePath, FileStat exeStat) {
        boolean others = sb.mayRefuse(Category.EXEC) || ExecGate.checksMoreThanThePath(sb);
        if (!others && !sb.flag("trace/deny_script")) return false;
        long[] aux = auxv(pid);
        if (aux == null) return true;
        if (others && aux[0] != 0 && interpreterDenied(context, pid, aux[0])) return true;
        return scriptDenied(context, pid, aux[1], exePath, exeStat);
    }

    /**
     * A process was forked: it runs its parent's executable until it executes another. (The
     * child's own exec stop may have come first: the parent's fork stop is reported separately.)
     */
    public void forked(SandboxContext context, int parent, int child) {
        String exe = exeOf.get(parent);
        Long ended = endedUnforked.remove(child);
        if (ended == null) {
            if (exe != null) exeOf.putIfAbsent(child, exe);
        } else if (exe != null && ended != 0) {
            SegvGuard.of(context).crashed(context.sandbox(), exe, ended); // it crashed before this event was seen
        }
    }

    /**
     * Task {@code pid} ended ({@code code} a CLD_* value, {@code status} its exit code or
     * signal; {@code process}: it led its process): a crash counts for SegvGuard.
     */
    public void exited(SandboxContext context, int pid, boolean process, int code, int status) {
        String exe = exeOf.remove(pid);
        boolean crash = code != dev.jsyd.sys.Ptrace.CLD_EXITED && SegvGuard.isCrash(status);
        if (exe == null && process) {
            endedUnforked.put(pid, crash ? System.nanoTime() : 0L); // its fork event may still be queued
        } else if (exe != null && crash) {
            SegvGuard.of(context).crashed(context.sandbox(), exe, System.nanoTime());
        }
    }

    /** {AT_BASE, AT_EXECFN} of the new image, or null. */
    private long[] auxv(int pid) {
        String auxv = files.readProcRecord("/proc/" + pid + "/auxv");
        if (auxv == null) return null;
        long[] out = new long[2];
        for (int i = 0; i + 16 <= auxv.length(); i += 16) {
            long type = le64(auxv, i), value = le64(auxv, i + 8);
            if (type == 0) break;
            if (type == AT_BASE) out[0] = value;
            if (type == AT_EXECFN) out[1] = value;
        }
        return out[1] == 0 ? null : out;
    }

    private static long le64(String s, int off) {
        long v = 0;
        for (int i = 7; i >= 0; i--) v = (v << 8) | (s.charAt(off + i) & 0xff);
        return v;
    }

    /** The interpreter mapped at {@code base}: checked by the path and inode the kernel shows. */
    private boolean interpreterDenied(SandboxContext context, int pid, long base) {
        // One read: the interpreter's lines come early (only the program's precede them, and the
        // [heap] of a program with one); the whole record only when its line was not among them.
        MapsLine m = MapsLine.containing(files.readProcRecord("/proc/" + pid + "/maps"), base);
        if (m == null) m = MapsLine.containing(files.readSmallFile("/proc/" + pid + "/maps"), base);
        if (m == null || m.path() == null) return true;
        // The file is read only by the content checks (Force, TPE); the path decides the rest.
        int fd = ExecGate.checksMoreThanThePath(context.sandbox()) ? files.openat(AT_FDCWD, m.path(), O_RDONLY | O_CLOEXEC, 0) : -1;
        try {
            FileStat st = fd < 0 ? null : FileStat.ofFd(files, fd);
            boolean same = st != null && st.ino() == m.inode();
            return gate.denied(context, pid, "execve", ExecGate.Use.INTERPRETER, m.path(), same ? fd : -1, true);
        } finally {
            if (fd >= 0) Files.close(fd);
        }
    }

    /**
     * The script, if one was executed: the file {@code AT_EXECFN} names in the new image, when it
     * is not the executable itself.
     */
    private boolean scriptDenied(SandboxContext context, int pid, long execfnAddr, String exePath, FileStat exeStat) {
        String execfn;
        try {
            execfn = memory.readPath(pid, execfnAddr);
        } catch (ErrnoException e) {
            return true;
        }
        int fd = -1;
        try {
            Matcher fdName = FD_NAME.matcher(execfn);
            // No script: the name given is the executable's own (its /proc/PID/exe name, read at this
            // stop; the program's root is the supervisor's), or names the same file.
            if (exePath != null && context.view().rootFd() < 0 && execfn.equals(exePath)) return false;
            if (exeStat != null && namesTheExecutable(context.view(), execfn, exeStat)) return false;
            if (fdName.matches() && (fdName.group(1) == null || !Character.isDigit(fdName.group(1).charAt(0))
                    || Integer.parseInt(fdName.group(1)) == pid)) {
                fd = Request.copyOfFd(pid, Integer.parseInt(fdName.group(2)));
                if (fd < 0) return false; // closed on exec: an ELF file executed by fd (a script's fd stays open)
            } else {
                resolver.setView(context.view());
                try (PathResolver.Resolved r = resolver.resolve(pid, AT_FDCWD, execfn, PathResolver.Last.FOLLOW)) {
                    if (r.isMagic() || r.name().isEmpty()) return true;
                    fd = files.openat2(r.dirFd(), r.name(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | dev.jsyd.abi.OpenFlags.O_NONBLOCK, 0,
                            dev.jsyd.abi.OpenFlags.RESOLVE_NO_SYMLINKS | dev.jsyd.abi.OpenFlags.RESOLVE_BENEATH);
                } catch (ResolveException e) {
                    return true;
                }
                if (fd < 0) return true;
            }
            FileStat st = FileStat.ofFd(files, fd);
            if (st == null || exeStat == null) return true;
            if (st.dev() == exeStat.dev() && st.ino() == exeStat.ino()) return false; // the executable itself
            String path = files.readlinkat(AT_FDCWD, "/proc/self/fd/" + fd);
            return path == null || gate.denied(context, pid, "execve", ExecGate.Use.SCRIPT, path, fd, true);
        } finally {
            if (fd >= 0) Files.close(fd);
        }
    }

    /**
     * True when {@code execfn}, an absolute path, names the executed file {@code exe} now: resolved
     * by the kernel in one openat2 from the program's root (symlinks followed as exec follows
     * them, {@code ..} kept inside that root, no magic links), it reaches the same device and
     * inode. Then the program was executed by its own name and no script is involved; any other
     * answer (a relative or {@code /proc} name, another file) leaves it to the full check. The
     * program cannot move its root (chroot and pivot_root are refused, ChdirHandlers), so its root
     * is the view's.
     */
    private boolean namesTheExecutable(ProgramView view, String execfn, FileStat exe) {
        if (!execfn.startsWith("/")) return false;
        boolean ownRoot = view.rootFd() >= 0;
        int fd = files.openat2(ownRoot ? view.rootFd() : AT_FDCWD, execfn, O_PATH | O_CLOEXEC, 0,
                dev.jsyd.abi.OpenFlags.RESOLVE_NO_MAGICLINKS | (ownRoot ? dev.jsyd.abi.OpenFlags.RESOLVE_IN_ROOT : 0));
        if (fd < 0) return false;
        try {
            FileStat st = FileStat.ofFd(files, fd);
            return st != null && st.dev() == exe.dev() && st.ino() == exe.ino();
        } finally {
            Files.close(fd);
        }
    }

    @Override
    public void close() {
        resolver.close();
        files.close();
        memory.close();
    }
}
