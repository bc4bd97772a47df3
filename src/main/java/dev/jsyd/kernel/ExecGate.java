package dev.jsyd.kernel;

import dev.jsyd.policy.Action;
import dev.jsyd.policy.Category;
import dev.jsyd.policy.HashAlgorithm;
import dev.jsyd.policy.Parser;
import dev.jsyd.policy.Sandbox;
import dev.jsyd.sys.Files;

/**
 * Every check Syd makes before a file's code runs in the sandbox, in one place, used at the exec
 * syscall ({@link ExecHandlers}), at the ptrace exec stop ({@link ExecCheck}) and for executable
 * file mappings ({@link MapCheck}). In order:
 * <ol>
 *   <li>memfds are never executed or mapped executable unless {@code trace/allow_unsafe_memfd};</li>
 *   <li>the exec rules ({@code allow/exec}, {@code deny/exec}, …) on the canonical path;</li>
 *   <li>SegvGuard: a program suspended after repeated crashes;</li>
 *   <li>the kind of the program: scripts ({@code trace/deny_script}); for ELF programs 32-bit
 *       ({@code trace/deny_elf32}), dynamic / static ({@code trace/deny_elf_dynamic},
 *       {@code trace/deny_elf_static}), the dynamic loader run as the program
 *       ({@code trace/allow_unsafe_exec_ldso}), not position-independent
 *       ({@code trace/allow_unsafe_exec_nopie}), executable stack
 *       ({@code trace/allow_unsafe_exec_stack});</li>
 *   <li>TPE: the file and its directory must be trusted ({@code sandbox/tpe}, {@code tpe/*});</li>
 *   <li>Force: the file's checksum must be the one a {@code force+} rule names ({@code sandbox/force}).</li>
 * </ol>
 * The content checks read the file through an fd the supervisor holds (never by name), so they
 * judge the object that runs. Each refusal is logged and acted on like any other decision
 * ({@link Enforcement}); a {@code warn} goes on to the next check. One instance per thread.
 */
public final class ExecGate {
    /** What the checked file is to the code that will run. */
    public enum Use {
        /** The executed file ({@code /proc/PID/exe}, or the target of the exec syscall). */
        PROGRAM,
        /** A {@code #!} script (its interpreter is the program). */
        SCRIPT,
        /** The ELF interpreter the kernel mapped for a dynamic program. */
        INTERPRETER,
        /** A file mapped executable with mmap/mprotect (a shared library). */
        MAPPING
    }

    /** One refusal: the category it is logged under, the action, and the tip (null: the generated one). */
    record Denial(Category category, Action action, String tip) {}

    private final Files files;

    public ExecGate(Files files) { this.files = files; }

    /** True when {@code path} is the name a memfd has in /proc ({@code /memfd:NAME (deleted)}). */
    static boolean isMemfd(String path) {
        return path != null && path.startsWith("/memfd:");
    }

    /** True when the file open at {@code fd}, whose stat is {@code st}, is a {@code #!} script. */
    boolean isScript(int fd, FileStat st) {
        return FileFacts.kind(files, fd, st).script();
    }

    /** True when something could refuse a file that is not the program itself (interpreter, script, mapping). */
    static boolean checksMoreThanThePath(Sandbox sb) {
        return sb.enabled(Category.FORCE) || sb.enabled(Category.TPE);
    }

    /**
     * Checks the file open at {@code fd} (the supervisor's own; -1 when there is none), whose
     * canonical path is {@code path}, for {@code use}, and applies the decision. With
     * {@code final} false (the exec syscall, before the kernel has the file) the checks that need
     * the content are skipped when there is no fd: the exec stop makes them. True when the file
     * must not run.
     */
    public boolean denied(SandboxContext ctx, int pid, String sys, Use use, String path, int fd, boolean isFinal) {
        return denied(ctx, pid, sys, use, path, fd, null, isFinal);
    }

    /** {@link #denied(SandboxContext, int, String, Use, String, int, boolean)} with the fd's stat when the caller has it. */
    public boolean denied(SandboxContext ctx, int pid, String sys, Use use, String path, int fd, FileStat known, boolean isFinal) {
        Sandbox sb = ctx.sandbox();
        if (pathDenied(ctx, pid, sys, use, path)) return true;
        boolean contentChecks = use == Use.PROGRAM || use == Use.SCRIPT || checksMoreThanThePath(sb);
        if (!contentChecks) return false;
        FileStat st = fd < 0 ? null : known != null ? known : FileStat.ofFd(files, fd);
        if (st == null) {
            return isFinal && apply(ctx, pid, sys, path, new Denial(Category.EXEC, Action.DENY,
                    "the supervisor cannot read the file to check it"));
        }
        return contentDenied(ctx, pid, sys, use, path, fd, st, FileFacts.kind(files, fd, st));
    }

    /**
     * {@link #denied(SandboxContext, int, String, Use, String, int, FileStat, boolean)} of the
     * program, whose stat {@code st} and kind {@code k} are known ({@link FileFacts#knownKind}),
     * without an fd: for a policy where no check reads the content (no TPE, no Force; a check that
     * would need the fd after all, the policy changed meanwhile, refuses for want of it).
     */
    boolean programDenied(SandboxContext ctx, int pid, String sys, String path, FileStat st, FileFacts.Kind k) {
        if (pathDenied(ctx, pid, sys, Use.PROGRAM, path)) return true;
        return contentDenied(ctx, pid, sys, Use.PROGRAM, path, -1, st, k);
    }

    /** The checks of the name alone: memfd, the exec rules, and for a program SegvGuard. */
    private static boolean pathDenied(SandboxContext ctx, int pid, String sys, Use use, String path) {
        Sandbox sb = ctx.sandbox();
        if (apply(ctx, pid, sys, path, memfd(sb, path))) return true;
        if (apply(ctx, pid, sys, path, rules(sb, path))) return true;
        return use == Use.PROGRAM && apply(ctx, pid, sys, path, segvguard(ctx, sb, path));
    }

    private boolean contentDenied(SandboxContext ctx, int pid, String sys, Use use, String path, int fd, FileStat st, FileFacts.Kind k) {
        Sandbox sb = ctx.sandbox();
        if (apply(ctx, pid, sys, path, kind(sb, use, k))) return true;
        if (apply(ctx, pid, sys, path, tpe(sb, pid, path, fd, st))) return true;
        return apply(ctx, pid, sys, path, force(sb, path, fd, st));
    }

    private static boolean apply(SandboxContext ctx, int pid, String sys, String path, Denial d) {
        if (d == null) return false;
        return Enforcement.apply(ctx, pid, d.action(), new AccessEvent(d.category(), d.action(), sys, pid, path, null, -1, 0, d.tip()));
    }

    private static Denial memfd(Sandbox sb, String path) {
        if (!isMemfd(path) || sb.flag("trace/allow_unsafe_memfd")) return null;
        return new Denial(Category.EXEC, Action.DENY, tip("trace/allow_unsafe_memfd:1"));
    }

    private static Denial rules(Sandbox sb, String path) {
        Action a = sb.checkPath(Category.EXEC, path);
        return a == Action.ALLOW ? null : new Denial(Category.EXEC, a, null);
    }

    private static Denial segvguard(SandboxContext ctx, Sandbox sb, String path) {
        if (!SegvGuard.of(ctx).suspended(sb, path, System.nanoTime())) return null;
        return new Denial(Category.SEGVGUARD, sb.defaultAction(Category.SEGVGUARD), tip("segvguard/expiry:0"));
    }

    /** Scripts and the ELF properties Syd refuses by default or on request. */
    static Denial kind(Sandbox sb, Use use, FileFacts.Kind k) {
        if (use != Use.PROGRAM && use != Use.SCRIPT) return null;
        if (k.script()) return sb.flag("trace/deny_script") ? refuse("trace/deny_script:0") : null;
        Elf e = k.elf();
        if (e == null || use != Use.PROGRAM) return null;
        if (e.is32() && sb.flag("trace/deny_elf32")) return refuse("trace/deny_elf32:0");
        if (e.isDynamic() && sb.flag("trace/deny_elf_dynamic")) return refuse("trace/deny_elf_dynamic:0");
        if (e.isStatic() && sb.flag("trace/deny_elf_static")) return refuse("trace/deny_elf_static:0");
        if (e.isLoader() && !sb.flag("trace/allow_unsafe_exec_ldso")) return refuse("trace/allow_unsafe_exec_ldso:1");
        if (!e.isPie() && !sb.flag("trace/allow_unsafe_exec_nopie")) return refuse("trace/allow_unsafe_exec_nopie:1");
        if (e.executableStack() && !sb.flag("trace/allow_unsafe_exec_stack")) return refuse("trace/allow_unsafe_exec_stack:1");
        return null;
    }

    private static Denial refuse(String setting) {
        return new Denial(Category.EXEC, Action.DENY, tip(setting));
    }

    private static String tip(String command) {
        return "configure `" + command + "'";
    }

    /**
     * Trusted Path Execution: when it applies to the process ({@code tpe/gid} membership, inverted
     * by {@code tpe/negate}; everyone without {@code tpe/gid}), the file and its directory must not
     * be writable by group or others, the directory must be owned by root ({@code tpe/root_owned})
     * or by root or the process's user ({@code tpe/user_owned}), and with {@code tpe/root_mount}
     * the file must be on the root file system's mount.
     */
    private Denial tpe(Sandbox sb, int pid, String path, int fd, FileStat st) {
        if (!sb.enabled(Category.TPE)) return null;
        Ids creds = Ids.of(files, pid);
        var gid = sb.tpeGid();
        if (gid.isPresent()) {
            boolean member = creds != null && creds.inGroup(gid.getAsLong());
            if (member == sb.flag("tpe/negate")) return null;
        }
        int slash = path.lastIndexOf('/');
        FileStat dir = slash < 0 ? null : FileStat.ofPath(files, slash == 0 ? "/" : path.substring(0, slash));
        boolean trusted = dir != null && creds != null && (st.mode() & 022) == 0 && (dir.mode() & 022) == 0
                && (!sb.flag("tpe/root_owned") || dir.uid() == 0)
                && (!sb.flag("tpe/user_owned") || dir.uid() == 0 || dir.uid() == creds.uid())
                && (!sb.flag("tpe/root_mount") || sameMountAsRoot(fd));
        return trusted ? null : new Denial(Category.TPE, sb.defaultAction(Category.TPE), tip("sandbox/tpe:off"));
    }

    /** The process's effective user and its groups, from {@code /proc/PID/status}. */
    private record Ids(long uid, long[] groups) {
        static Ids of(Files files, int pid) {
            String status = files.readSmallFile("/proc/" + pid + "/status");
            if (status == null) return null;
            long[] uid = field(status, "Uid:"), gid = field(status, "Gid:"), groups = field(status, "Groups:");
            if (uid.length < 2 || gid.length < 2) return null;
            long[] all = java.util.Arrays.copyOf(groups, groups.length + 1);
            all[groups.length] = gid[1];
            return new Ids(uid[1], all);
        }

        boolean inGroup(long gid) {
            for (long g : groups) if (g == gid) return true;
            return false;
        }

        private static long[] field(String status, String name) {
            int i = status.indexOf("\n" + name);
            if (i < 0) return new long[0];
            int end = status.indexOf('\n', i + 1);
            String[] w = status.substring(i + 1 + name.length(), end < 0 ? status.length() : end).trim().split("\\s+");
            if (w.length == 1 && w[0].isEmpty()) return new long[0];
            long[] out = new long[w.length];
            for (int k = 0; k < w.length; k++) out[k] = Long.parseLong(w[k]);
            return out;
        }
    }

    private boolean sameMountAsRoot(int fd) {
        long mine = files.mountId(fd);
        int root = files.openat(dev.jsyd.abi.OpenFlags.AT_FDCWD, "/", dev.jsyd.abi.OpenFlags.O_PATH | dev.jsyd.abi.OpenFlags.O_CLOEXEC, 0);
        if (root < 0) return false;
        try {
            return mine >= 0 && mine == files.mountId(root);
        } finally {
            Files.close(root);
        }
    }

    /**
     * Force: the file's checksum with the algorithm of its {@code force+} rule must be the rule's;
     * a file without a rule gets {@code default/force}, a mismatch the rule's action ({@code deny}
     * when it names none).
     */
    private Denial force(Sandbox sb, String path, int fd, FileStat st) {
        if (!sb.enabled(Category.FORCE)) return null;
        var rule = sb.force(path);
        if (rule.isEmpty()) {
            String sha = FileFacts.digest(files, fd, st, HashAlgorithm.SHA256);
            return new Denial(Category.FORCE, sb.defaultAction(Category.FORCE),
                    sha == null ? null : tip("force+" + Parser.escapeColons(path) + ":sha256:" + sha));
        }
        HashAlgorithm alg = HashAlgorithm.byName(rule.get().algorithm()).orElseThrow();
        String hex = FileFacts.digest(files, fd, st, alg);
        if (hex != null && alg.matches(rule.get().digest(), hex)) return null;
        return new Denial(Category.FORCE, rule.get().action().orElse(Action.DENY),
                hex == null ? "the file changed while it was checked" : tip("force+" + Parser.escapeColons(path) + ":" + alg.sydName() + ":" + hex));
    }
}
