package dev.jsyd.kernel;

import static dev.jsyd.abi.OpenFlags.O_ACCMODE;
import static dev.jsyd.abi.OpenFlags.O_RDWR;
import static dev.jsyd.abi.OpenFlags.O_WRONLY;
import static dev.jsyd.bpf.ArgRule.Cond.anyBits;
import static dev.jsyd.bpf.ArgRule.Cond.masked;
import static dev.jsyd.bpf.ArgRule.Cond.noBits;

import dev.jsyd.abi.Errno;
import dev.jsyd.abi.Seccomp;
import dev.jsyd.abi.Syscalls;
import dev.jsyd.bpf.ArgRule;
import dev.jsyd.policy.Action;
import dev.jsyd.policy.Category;
import dev.jsyd.policy.Sandbox;
import dev.jsyd.sys.ErrnoException;
import dev.jsyd.sys.MemFd;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The memory family: mmap, mprotect, pkey_mprotect, shmat, memfd_create, and writes through
 * {@code /proc/PID/mem} — W^X without aliases, and executable mappings checked like an exec.
 *
 * <p>The launcher's PR_SET_MDWE(REFUSE_EXEC_GAIN) already refuses writable-and-executable
 * mappings and making a mapping executable later. What it does not see is a second view of the
 * same pages; these close them (each relaxed by {@code trace/allow_unsafe_memory}):
 * <ul>
 *   <li>{@code mmap(PROT_EXEC, MAP_SHARED)} is refused (EACCES) in the filter: a shared executable
 *       mapping is the one whose pages another mapping (an {@code mremap(old_size=0)} alias, a
 *       second mmap of the same memfd or file) can write;</li>
 *   <li>{@code shmat(SHM_EXEC)} is refused (EACCES): System V shared memory attached twice is the
 *       same alias;</li>
 *   <li>opening {@code /proc/PID/mem} for writing is refused (EACCES): the kernel writes through
 *       it into read-only and executable pages; every write-mode open is sent to the supervisor for
 *       this (openat2 and creat always);</li>
 *   <li>memfds are created with MFD_NOEXEC_SEAL ({@link #memfdCreate}): they cannot be made
 *       executable, and are never executed or mapped executable ({@link ExecGate}) unless
 *       {@code trace/allow_unsafe_memfd}.</li>
 * </ul>
 * Executable mappings of files ({@code mmap} with PROT_EXEC of an fd; {@code mprotect} adding
 * PROT_EXEC when MDWE is off) are checked by the tracer ({@link MapCheck}) whenever something
 * could refuse them: the exec rules, Force, TPE, or a policy that may still change.
 */
public final class MemoryHandlers {
    private MemoryHandlers() {}

    static final int PROT_EXEC = 4, MAP_SHARED = 0x01, MAP_ANONYMOUS = 0x20, SHM_EXEC = 0100000;
    static final int MFD_CLOEXEC = 1, MFD_ALLOW_SEALING = 2, MFD_NOEXEC_SEAL = 8, MFD_EXEC = 0x10;

    /** W^X relaxed: the launcher does not set MDWE, and the alias rules are off. */
    public static boolean wxRelaxed(Sandbox sb) {
        return sb.flag("trace/allow_unsafe_memory") || sb.flag("trace/allow_unsafe_exec_memory");
    }

    /** True when executable file mappings must be checked: something could refuse one. */
    static boolean mappingsChecked(Sandbox sb) {
        return sb.mayRefuse(Category.EXEC) || ExecGate.checksMoreThanThePath(sb) || FilterPlan.runtimeChangesPossible(sb);
    }

    // The in-kernel rules of this family (SyscallTable rows point to them; checked before each row's treatment).

    /** mmap: PROT_EXEC with MAP_SHARED refused; PROT_EXEC of a file to the tracer when something could refuse it. */
    static List<ArgRule> mmap(Sandbox sb, Hardening.Self self) {
        List<ArgRule> rules = new ArrayList<>();
        if (!wxRelaxed(sb)) rules.add(ArgRule.all(Hardening.errno(Errno.EACCES), anyBits(2, PROT_EXEC), anyBits(3, MAP_SHARED)));
        if (mappingsChecked(sb)) rules.add(ArgRule.all(Seccomp.RET_TRACE, anyBits(2, PROT_EXEC), noBits(3, MAP_ANONYMOUS)));
        return rules;
    }

    /** mprotect: adding PROT_EXEC to the tracer when W^X is relaxed (with MDWE the kernel refuses it). */
    static List<ArgRule> mprotect(Sandbox sb, Hardening.Self self) {
        if (!wxRelaxed(sb) || !mappingsChecked(sb)) return List.of();
        return List.of(ArgRule.all(Seccomp.RET_TRACE, anyBits(2, PROT_EXEC)));
    }

    /** pkey_mprotect: as mprotect, once allowed at all ({@code trace/allow_unsafe_pkey}). */
    static List<ArgRule> pkeyMprotect(Sandbox sb, Hardening.Self self) {
        return sb.flag("trace/allow_unsafe_pkey") ? mprotect(sb, self) : List.of();
    }

    /** shmat: SHM_EXEC refused. */
    static List<ArgRule> shmat(Sandbox sb, Hardening.Self self) {
        if (wxRelaxed(sb)) return List.of();
        return List.of(ArgRule.all(Hardening.errno(Errno.EACCES), anyBits(2, SHM_EXEC)));
    }

    private static final Pattern PROC_MEM = Pattern.compile("/proc/\\d+(?:/task/\\d+)?/mem");

    /**
     * An open of {@code /proc/PID/mem} for writing (W^X: it writes into executable pages):
     * refused unless {@code trace/allow_unsafe_memory}. True when refused (the caller answers EACCES).
     */
    static boolean procMemWriteRefused(Request r, String sys, String path, int flags) {
        int acc = flags & O_ACCMODE;
        if ((acc != O_WRONLY && acc != O_RDWR) || !PROC_MEM.matcher(path).matches() || wxRelaxed(r.sandbox())) return false;
        return Enforcement.apply(r.context(), r.pid(), Action.DENY, new AccessEvent(Category.WRITE, Action.DENY, sys,
                r.pid(), path, null, flags, 0, "configure `trace/allow_unsafe_memory:1'"));
    }

    /**
     * memfd_create: the supervisor creates the memfd itself with MFD_NOEXEC_SEAL added (mode
     * without x bits, F_SEAL_EXEC so they cannot be added) and installs it in the program (Syd's
     * MFD_NOEXEC_SEAL emulation; the filter cannot rewrite the flags). Without MFD_ALLOW_SEALING
     * the program asked for no sealing, so F_SEAL_SEAL is added as the kernel would have.
     * MFD_EXEC never gets here (refused in the filter). With {@code trace/allow_unsafe_memfd}
     * the call is continued: the name is not checked by anything, so nothing can change a decision.
     */
    public static void memfdCreate(Request r) throws ErrnoException {
        if (r.sandbox().flag("trace/allow_unsafe_memfd")) {
            r.continueSyscall();
            return;
        }
        String name;
        try {
            name = r.readPath(r.arg(0));
        } catch (ErrnoException e) {
            r.fail(e.errno() == Errno.ENAMETOOLONG ? Errno.EINVAL : e.errno());
            return;
        }
        int flags = (int) r.arg(1);
        if (name.length() > 249 || (flags & MFD_EXEC) != 0) { r.fail(Errno.EINVAL); return; }
        if (!r.stillValid()) return;
        int fd = MemFd.create(name, flags | MFD_NOEXEC_SEAL | MFD_CLOEXEC, (flags & MFD_ALLOW_SEALING) == 0);
        if (fd < 0) { r.fail(-fd); return; }
        r.replyWithFd(fd, (flags & MFD_CLOEXEC) != 0);
    }
}
