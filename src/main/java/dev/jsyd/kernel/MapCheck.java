package dev.jsyd.kernel;

import static dev.jsyd.abi.OpenFlags.AT_FDCWD;
import static dev.jsyd.abi.OpenFlags.O_CLOEXEC;
import static dev.jsyd.abi.OpenFlags.O_RDONLY;
import static dev.jsyd.sys.Ptrace.REG_RAX;

import dev.jsyd.abi.Errno;
import dev.jsyd.abi.Syscalls;
import dev.jsyd.policy.Action;
import dev.jsyd.policy.Category;
import dev.jsyd.sys.Files;
import dev.jsyd.sys.Ptrace;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Executable file mappings, checked like an exec ({@link ExecGate}, use MAPPING): the filter
 * sends {@code mmap} with PROT_EXEC of a file (and, when W^X is relaxed, {@code mprotect} /
 * {@code pkey_mprotect} adding PROT_EXEC) to the tracer as a PTRACE_EVENT_SECCOMP stop
 * ({@link MemoryHandlers#mmap}). At that stop the thread is halted before the call:
 * <ul>
 *   <li>mmap: the supervisor takes its own {@code pidfd_getfd} copy of the fd argument and checks
 *       the file it names (path, content, owner); refused → the call is skipped with EACCES.</li>
 *   <li>mprotect: the file mappings in the range ({@code /proc/PID/maps}) are checked.</li>
 * </ul>
 * The race: the call itself runs afterwards, in the kernel, on the program's fd number (or
 * address range), which another task sharing the fd table (or the address space) can change in
 * between. A process that has created no task since its exec — the dynamic loader's mappings at
 * start-up — has no such task: nothing can change the fd between the check and the call, and the
 * check stands. Otherwise the thread is also stopped at the exit of the
 * call, and the mapping the kernel really made is compared with the checked file (inode and path
 * in {@code /proc/PID/maps}); a difference means the fd was swapped, and the process is killed.
 * What remains (docs/EMULATION.md): between the kernel creating the mapping and this comparison,
 * another thread could already run code from it. Owned by the tracer thread.
 */
public final class MapCheck implements AutoCloseable {
    private final Files files = new Files();
    private final ExecGate gate = new ExecGate(files);
    /** Calls whose result must be compared at their exit, by thread. */
    private final Map<Integer, Pending> pending = new HashMap<>();
    /**
     * What was checked: the files (inode and path) allowed to be executable in [from, to) after
     * the call; and the tasks created while the call was under way (they may carry its mapping).
     */
    private record Pending(String sys, List<Checked> files, long from, long to, List<Integer> born) {
        Pending(String sys, List<Checked> files, long from, long to) { this(sys, files, from, to, new ArrayList<>()); }
    }

    private record Checked(long inode, String path) {}

    /** {@code parent} created {@code child} (fork, vfork, clone). */
    public void created(int parent, int child) {
        for (Pending p : pending.values()) p.born().add(child); // it may carry what is being mapped
    }

    public void exited(int tid) {
        pending.remove(tid);
    }

    /**
     * At a PTRACE_EVENT_SECCOMP stop of thread {@code tid}: when the call is one of this family's,
     * checks it, resumes the thread and returns true; false (thread still stopped) otherwise.
     */
    public boolean onSeccomp(Ptrace pt, SandboxContext ctx, int tid, Ptrace.SeccompCall call) {
        long nr = call.nr();
        if (nr != Syscalls.MMAP && nr != Syscalls.MPROTECT && nr != Syscalls.PKEY_MPROTECT) return false;
        Pending p;
        int errno;
        if (ctx.learning()) { // MDWE is off: a W^X break is recorded (Relaxations)
            Relaxations.recordWxBreak(ctx, tid, dev.jsyd.bpf.SeccompData.of((int) nr, call.arg(0), call.arg(1), call.arg(2)),
                    () -> Relaxations.maps(tid)); // whole (a JVM's maps pass 64 KiB)
        }
        boolean alone = ctx.members().ownsFdTable(tid);
        if (nr == Syscalls.MMAP) {
            p = new Pending("mmap", new ArrayList<>(), 0, 0);
            errno = alone && !ExecGate.checksMoreThanThePath(ctx.sandbox()) ? checkMmapPath(ctx, tid, (int) call.arg(4))
                    : checkMmap(ctx, tid, (int) call.arg(4), p);
            // an executable file mapping reaches this stop instead of MemLimitHandlers: the memory limits are checked here
            if (errno == 0 && MemLimitHandlers.refused(ctx, ctx.sandbox(), files, tid, "mmap", call.arg(1), true)) {
                errno = Errno.ENOMEM;
            }
        } else {
            long from = call.arg(0), to = from + (call.arg(1) + 4095 & ~4095L);
            p = new Pending(Syscalls.name((int) nr), new ArrayList<>(), from, to);
            errno = checkMprotect(ctx, tid, p);
        }
        boolean compare = errno == 0 && !alone;
        if (compare) pending.put(tid, p);
        pt.decide(tid, errno, compare); // a comparison: stop again at the exit of this call
        return true;
    }

    /** True when thread {@code tid}'s next syscall-exit stop is one {@link #onSeccomp} asked for. */
    public boolean awaitsExit(int tid) { return pending.containsKey(tid); }

    /** At the syscall-exit stop of a call checked with a pending comparison; resumes the thread. */
    public void onSyscallExit(Ptrace pt, SandboxContext ctx, int tid) {
        Pending p = pending.remove(tid);
        Long ret = p == null ? null : pt.peekUser(tid, REG_RAX);
        if (ret != null && (ret >= 0 || ret < -4095)) {
            boolean mmap = p.sys().equals("mmap");
            String bad = unchecked(p, files.readSmallFile("/proc/" + tid + "/maps"), mmap ? ret : p.from(), mmap ? ret + 1 : p.to(), mmap);
            if (bad != null) {
                // A detected race: killed whatever the action, also in trace mode.
                Enforcement.apply(ctx, tid, Action.KILL, new AccessEvent(Category.EXEC, Action.KILL, p.sys(), tid,
                        bad, null, -1, 0, "the mapped file is not the checked one: swapped by another thread"));
                dev.jsyd.sys.Signals.kill(tid, dev.jsyd.sys.Signals.SIGKILL);
                for (int child : p.born()) dev.jsyd.sys.Signals.kill(child, dev.jsyd.sys.Signals.SIGKILL);
            }
        }
        pt.cont(tid, 0);
    }

    /**
     * The path of an executable file mapping in {@code [from, to)} that was not checked, or null
     * when there is none; for mmap ({@code mustExist}) the new mapping must still be there.
     */
    private static String unchecked(Pending p, String maps, long from, long to, boolean mustExist) {
        List<MapsLine> lines = MapsLine.overlapping(maps, from, to);
        if (mustExist && lines.isEmpty()) return "(the new mapping is gone)";
        for (MapsLine m : lines) {
            if (m.executable() && m.inode() != 0 && !isChecked(p, m)) return m.path();
        }
        return null;
    }

    private static boolean isChecked(Pending p, MapsLine m) {
        for (Checked c : p.files()) if (c.inode() == m.inode() && samePath(c.path(), m.path())) return true;
        return false;
    }

    private static boolean samePath(String a, String b) {
        return a != null && b != null && strip(a).equals(strip(b));
    }

    private static String strip(String p) {
        return p.endsWith(" (deleted)") ? p.substring(0, p.length() - 10) : p;
    }

    /** mmap(PROT_EXEC) of fd {@code fd}: checks the supervisor's copy; 0 or the errno to answer. */
    private int checkMmap(SandboxContext ctx, int tid, int fd, Pending p) {
        int copy = Request.copyOfFd(tid, fd);
        if (copy < 0) return Errno.EBADF;
        try {
            String path = files.readlinkat(AT_FDCWD, "/proc/self/fd/" + copy);
            FileStat st = FileStat.ofFd(files, copy);
            if (path == null || st == null) return Errno.EACCES;
            if (gate.denied(ctx, tid, "mmap", ExecGate.Use.MAPPING, path, copy, true)) return Errno.EACCES;
            p.files().add(new Checked(st.ino(), path));
            return 0;
        } finally {
            Files.close(copy);
        }
    }

    /**
     * mmap(PROT_EXEC) of fd {@code fd} by a thread no other task shares its fd table with, when
     * only the path can refuse (no Force, no TPE): the file's name read through
     * {@code /proc/TID/fd/N}, one readlink instead of a pidfd, a copy of the fd, its readlink and
     * fstat. The thread is stopped before the call and nothing else can change its fd table, so the
     * file named now is the one the kernel maps; nothing is compared at the exit. 0 or the errno.
     */
    private int checkMmapPath(SandboxContext ctx, int tid, int fd) {
        if (fd < 0) return Errno.EBADF;
        String path = files.readlinkat(AT_FDCWD, "/proc/" + tid + "/fd/" + fd);
        if (path == null) return files.lastError() == Errno.ENOENT ? Errno.EBADF : Errno.EACCES;
        return gate.denied(ctx, tid, "mmap", ExecGate.Use.MAPPING, path, -1, true) ? Errno.EACCES : 0;
    }

    /** mprotect(PROT_EXEC) with W^X relaxed: every file mapped in the range is checked. */
    private int checkMprotect(SandboxContext ctx, int tid, Pending p) {
        for (MapsLine m : MapsLine.overlapping(files.readSmallFile("/proc/" + tid + "/maps"), p.from(), p.to())) {
            if (m.inode() == 0 || m.path() == null || isChecked(p, m)) continue;
            int fd = files.openat(AT_FDCWD, strip(m.path()), O_RDONLY | O_CLOEXEC, 0);
            try {
                FileStat st = fd < 0 ? null : FileStat.ofFd(files, fd);
                boolean same = st != null && st.ino() == m.inode();
                if (gate.denied(ctx, tid, p.sys(), ExecGate.Use.MAPPING, m.path(), same ? fd : -1, true)) return Errno.EACCES;
            } finally {
                if (fd >= 0) Files.close(fd);
            }
            p.files().add(new Checked(m.inode(), m.path()));
        }
        return 0;
    }

    @Override
    public void close() { files.close(); }
}
