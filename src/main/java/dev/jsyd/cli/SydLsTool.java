package dev.jsyd.cli;

import dev.jsyd.abi.Syscalls;
import dev.jsyd.api.Syd;
import dev.jsyd.confine.PlanBuilder;
import dev.jsyd.kernel.Hardening;
import dev.jsyd.kernel.SyscallTable;
import dev.jsyd.policy.IoctlRules;
import dev.jsyd.policy.Suggest;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * {@code syd-ls [SET]} (syd-ls(1)): the names of the system calls of a set, one a line, as this
 * sandbox treats them — {@code hook} (handled by the supervisor), {@code safe} (allowed in the
 * kernel), {@code deny} (refused with an errno), {@code dead} (not implemented by Linux on x86_64),
 * {@code noop} (answered 0 without running), and the groups Syd names: {@code cpu}, {@code ebpf},
 * {@code futex}, {@code nice}, {@code pkey}, {@code ptrace}, {@code setid}, {@code time},
 * {@code uring}; {@code drop}: the capabilities dropped at startup; {@code env}: the environment
 * variables removed from the program's environment; {@code ioctl}: the ioctl requests allowed by
 * default; {@code personality}: the personalities a program may set. With no set, the names in
 * the working directory, hex-encoded, one a line (read with getdents64, so any byte is shown as it
 * is). Exit status: 0, or 1 for an unknown set.
 */
public final class SydLsTool {
    private SydLsTool() {}

    /** Syscall groups by Syd's set name (Linux facts; each is a row of the table). */
    static final Map<String, List<String>> GROUPS = groups();

    private static Map<String, List<String>> groups() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        m.put("cpu", List.of("sched_setaffinity", "sched_getaffinity", "getcpu"));
        m.put("ebpf", List.of("bpf"));
        m.put("futex", List.of("futex", "futex_waitv", "futex_wake", "futex_wait", "futex_requeue", "set_robust_list",
                "get_robust_list"));
        m.put("nice", List.of("setpriority", "sched_setparam", "sched_setscheduler", "sched_setattr", "ioprio_set"));
        m.put("pkey", List.of("pkey_alloc", "pkey_free", "pkey_mprotect"));
        m.put("ptrace", List.of("ptrace", "process_vm_readv", "process_vm_writev"));
        m.put("setid", List.of("setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid", "setfsuid", "setfsgid",
                "setgroups"));
        m.put("time", List.of("adjtimex", "clock_adjtime", "clock_settime", "settimeofday"));
        m.put("uring", List.of("io_uring_setup", "io_uring_enter", "io_uring_register"));
        return m;
    }

    public static final List<String> CAPABILITIES = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
            "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
            "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
            "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN",
            "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",
            "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN",
            "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
            "CAP_CHECKPOINT_RESTORE");

    static final List<String> SETS = List.of("hook", "safe", "deny", "dead", "noop", "cpu", "ebpf", "futex", "nice", "pkey",
            "ptrace", "setid", "time", "uring", "drop", "env", "ioctl", "personality", "prctl");

    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) return listDirectory(out, err);
        if (args.length > 1 || args[0].equals("-h") || args[0].equals("--help")) {
            (args[0].equals("-h") || args[0].equals("--help") ? out : err).println("Usage: syd-ls [SET]\n  SET: " + String.join(", ", SETS)
                    + "\n  no SET: the names in the working directory, hex-encoded");
            return args.length > 1 ? 1 : 0;
        }
        List<String> names = set(args[0]);
        if (names == null) {
            String near = Suggest.nearest(args[0], SETS);
            err.println("syd-ls: " + (args[0].equals("prctl")
                    ? "prctl: this version does not restrict prctl(2) options (every option is allowed)"
                    : "unknown set `" + args[0] + "`; one of " + String.join(", ", SETS) + (near == null ? "" : " (did you mean `" + near + "`?)")));
            return 1;
        }
        for (String n : names) out.println(n);
        return 0;
    }

    /** The names of set {@code set}, or null when there is no such set. */
    static List<String> set(String set) {
        return switch (set) {
            case "hook" -> rows(r -> r.treatment() instanceof SyscallTable.Handled);
            case "safe" -> rows(r -> r.treatment() instanceof SyscallTable.Kernel);
            case "deny" -> rows(r -> r.treatment() instanceof SyscallTable.Refused f && f.errno() != 0 && !dead(f));
            case "dead" -> rows(r -> r.treatment() instanceof SyscallTable.Refused f && dead(f));
            case "noop" -> rows(r -> r.treatment() instanceof SyscallTable.Refused f && f.errno() == 0);
            case "drop" -> {
                List<String> out = new ArrayList<>();
                for (int i = 0; i < CAPABILITIES.size(); i++) if ((PlanBuilder.KEEP_CAPS & (1L << i)) == 0) out.add(CAPABILITIES.get(i));
                yield out;
            }
            case "env" -> {
                TreeSet<String> out = new TreeSet<>(Syd.UNSAFE_ENVIRONMENT);
                out.addAll(Syd.CONTROL_ENVIRONMENT);
                yield List.copyOf(out);
            }
            case "ioctl" -> IoctlRules.DEFAULT_ALLOW;
            case "personality" -> Hardening.SAFE_PERSONALITIES.stream().sorted(Integer::compareUnsigned).map(SydLsTool::personality).toList();
            default -> GROUPS.containsKey(set) ? GROUPS.get(set) : null;
        };
    }

    private static boolean dead(SyscallTable.Refused f) {
        return f.errno() == dev.jsyd.abi.Errno.ENOSYS && f.why().startsWith("not implemented by Linux");
    }

    private static List<String> rows(Predicate<SyscallTable.Row> p) {
        return SyscallTable.rows().stream().filter(p).map(SyscallTable.Row::name).toList();
    }

    private static String personality(int v) {
        return switch (v) {
            case 0 -> "PER_LINUX";
            case 0x8 -> "PER_LINUX32";
            case 0x20000 -> "UNAME26";
            case 0x20008 -> "PER_LINUX32|UNAME26";
            case 0xffffffff -> "0xffffffff (query)";
            default -> "0x" + Integer.toHexString(v);
        };
    }

    /** The working directory's names, hex-encoded, one a line, read with getdents64. */
    private static int listDirectory(PrintStream out, PrintStream err) {
        List<byte[]> names = dev.jsyd.sys.DirList.names(".");
        if (names == null) {
            err.println("syd-ls: cannot read the working directory");
            return 1;
        }
        StringBuilder b = new StringBuilder();
        for (byte[] n : names) {
            for (byte x : n) b.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
            b.append('\n');
        }
        out.print(b);
        return 0;
    }
}
