package dev.jsyd.policy;

import dev.jsyd.policy.Values.Unset;
import dev.jsyd.policy.Values.ValueException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The registry of {@code name:value} settings: every key, its type, its default, and whether jsyd
 * enforces it today. The parser, the state and {@code syd --api} all read this one table.
 */
public final class Settings {
    private Settings() {}

    /** Value types of settings. */
    public enum Type {
        BOOL("boolean"), SIZE("size"), DURATION("duration"), UINT("integer"), INT("signed integer"),
        OCTAL("octal mode"), STRING("string"), HOSTNAME("hostname"), PATH("absolute path"), LOCK("lock state"),
        LEVEL("log level"), GID("group id"), RLIMIT_SIZE("resource limit (size)"),
        RLIMIT_INT("resource limit (integer)"), RLIMIT_TIME("resource limit (duration)"), IP("ip address"),
        PORT("port"), NSLIST("namespace list");

        private final String apiName;

        Type(String apiName) { this.apiName = apiName; }

        public String apiName() { return apiName; }
    }

    /**
     * One setting.
     *
     * @param unsettable true if {@code none} (or {@code off} for non-booleans) is accepted to unset it
     */
    public record Spec(String key, Type type, Object defaultValue, boolean enforced, boolean unsettable) {}

    private static final Map<String, Spec> SPECS = new LinkedHashMap<>();

    /** {@code trace/*} boolean options known to Syd 3.52 (documented in docs/CONFIG.md). */
    public static final List<String> TRACE_FLAGS = List.of(
            "allow_safe_bind", "allow_safe_kcapi", "allow_safe_setuid", "allow_safe_setgid", "allow_safe_syslog",
            "allow_unsafe_bind", "allow_unsafe_caps", "allow_unsafe_cap_fixup", "allow_unsafe_chown",
            "allow_unsafe_chroot", "allow_unsafe_cpu", "allow_unsafe_create", "allow_unsafe_debug",
            "allow_unsafe_deprecated", "allow_unsafe_dumpable", "allow_unsafe_ebpf", "allow_unsafe_env",
            "allow_unsafe_exec", "allow_unsafe_exec_interactive", "allow_unsafe_exec_ldso", "allow_unsafe_exec_libc",
            "allow_unsafe_exec_memory", "allow_unsafe_exec_nopie", "allow_unsafe_exec_null",
            "allow_unsafe_exec_script", "allow_unsafe_exec_speculative", "allow_unsafe_exec_stack",
            "allow_unsafe_filename", "allow_unsafe_hardlinks", "allow_unsafe_iouring", "allow_unsafe_ip_pktinfo",
            "allow_unsafe_ip_retopts", "allow_unsafe_keyring", "allow_unsafe_kptr", "allow_unsafe_libc",
            "allow_unsafe_madvise", "allow_unsafe_magiclinks", "allow_unsafe_mbind", "allow_unsafe_memfd",
            "allow_unsafe_memory", "allow_unsafe_mkbdev", "allow_unsafe_mkcdev", "allow_unsafe_msgqueue",
            "allow_unsafe_msgsnd", "allow_unsafe_nice", "allow_unsafe_nocookie", "allow_unsafe_nomseal",
            "allow_unsafe_oob", "allow_unsafe_open_cdev", "allow_unsafe_open_path", "allow_unsafe_page_cache",
            "allow_unsafe_perf", "allow_unsafe_perm_msgqueue", "allow_unsafe_perm_shm", "allow_unsafe_personality",
            "allow_unsafe_pipe", "allow_unsafe_pkey", "allow_unsafe_prctl", "allow_unsafe_prlimit",
            "allow_unsafe_proc_files", "allow_unsafe_proc_pid_status", "allow_unsafe_ptrace",
            "allow_unsafe_recvmsg", "allow_unsafe_sendfd_bdev", "allow_unsafe_sendfd_cdev",
            "allow_unsafe_sendfd_dir", "allow_unsafe_sendfd_fifo", "allow_unsafe_sendfd_magiclink",
            "allow_unsafe_sendfd_memfd", "allow_unsafe_sendfd_misc", "allow_unsafe_sendfd_secretmem",
            "allow_unsafe_sendfd_socket", "allow_unsafe_sendfd_symlink", "allow_unsafe_setsockopt",
            "allow_unsafe_shm", "allow_unsafe_sigreturn", "allow_unsafe_socket", "allow_unsafe_spec_exec",
            "allow_unsafe_stat_bdev", "allow_unsafe_stat_cdev", "allow_unsafe_sticky", "allow_unsafe_symlinks",
            "allow_unsafe_sync", "allow_unsafe_sysinfo", "allow_unsafe_syslog", "allow_unsafe_time",
            "allow_unsafe_uname", "allow_unsafe_uring", "allow_unsafe_vmsplice", "allow_unsafe_xattr",
            "allow_unsupp_exec", "allow_unsupp_socket", "deny_dotdot", "deny_elf32", "deny_elf_dynamic",
            "deny_elf_static", "deny_script", "deny_tsc", "deny_vdso", "exit_wait_all", "force_cloexec",
            "force_local_net", "force_no_magiclinks", "force_no_symlinks", "force_no_xdev", "force_rand_fd",
            "force_ro_open", "force_wx_open", "lock_personality", "sync_seccomp");

    /** Namespaces of {@code unshare/*}. */
    /** The trace/* switches the supervisor honours today (the rest are parsed and stored). */
    static final java.util.Set<String> ENFORCED_TRACE = java.util.Set.of("allow_safe_bind", "allow_unsafe_caps",
            "allow_unsafe_debug", "allow_unsafe_dumpable", "allow_unsafe_ebpf", "allow_unsafe_exec_memory",
            "allow_unsafe_exec_ldso", "allow_unsafe_exec_nopie", "allow_unsafe_exec_stack", "deny_elf32",
            "deny_elf_dynamic", "deny_elf_static", "deny_script",
            "allow_unsafe_iouring", "allow_unsafe_keyring", "allow_unsafe_magiclinks", "allow_unsafe_mbind", "allow_unsafe_memfd",
            "allow_unsafe_memory", "allow_unsafe_perf", "allow_unsafe_personality", "allow_unsafe_pkey",
            "allow_unsafe_proc_files", "allow_unsafe_ptrace", "allow_unsafe_socket", "allow_unsafe_sticky", "allow_unsafe_sync",
            "allow_unsafe_syslog", "allow_unsafe_time", "allow_unsafe_uring", "allow_unsafe_vmsplice",
            "allow_unsupp_socket", "deny_dotdot", "exit_wait_all",
            // layers: the open, resolution and bind rules
            "force_cloexec", "force_rand_fd", "force_ro_open", "force_wx_open", "force_no_symlinks",
            "force_no_magiclinks", "force_no_xdev", "force_local_net", "allow_unsafe_env", "allow_safe_kcapi");

    /**
     * Switches this version supports in one direction only: the value that holds. A relaxing
     * switch ({@code allow_unsafe_*}) of a protection jsyd does not have holds when true (the
     * relaxed behaviour is what the program gets) and asks for a protection it lacks when false; a
     * protecting switch ({@code deny_*}) jsyd does not have holds only when false. The other value
     * is refused (docs/DECISIONS.md lists why each holds).
     */
    static final Map<String, Boolean> HOLDS_ONLY = holdsOnly();

    private static Map<String, Boolean> holdsOnly() {
        Map<String, Boolean> m = new LinkedHashMap<>();
        for (String f : List.of("allow_unsafe_chown", "allow_unsafe_cpu", "allow_unsafe_create", "allow_unsafe_filename",
                "allow_unsafe_hardlinks", "allow_unsafe_symlinks", "allow_unsafe_ip_pktinfo", "allow_unsafe_ip_retopts",
                "allow_unsafe_kptr", "allow_unsafe_libc", "allow_unsafe_madvise", "allow_unsafe_msgqueue",
                "allow_unsafe_msgsnd", "allow_unsafe_perm_msgqueue", "allow_unsafe_perm_shm", "allow_unsafe_shm",
                "allow_unsafe_nice", "allow_unsafe_page_cache", "allow_unsafe_nocookie", "allow_unsafe_nomseal",
                "allow_unsafe_oob", "allow_unsafe_open_cdev", "allow_unsafe_prctl", "allow_unsafe_prlimit",
                "allow_unsafe_setsockopt", "allow_unsafe_sigreturn", "allow_unsafe_spec_exec", "allow_unsafe_stat_bdev",
                "allow_unsafe_stat_cdev", "allow_unsafe_sysinfo", "allow_unsafe_uname", "allow_unsafe_xattr",
                // the exec protections beyond exec integrity's ELF kinds, PIE, stacks and ld.so checks
                "allow_unsafe_exec", "allow_unsafe_exec_libc", "allow_unsafe_exec_null", "allow_unsafe_exec_script",
                "allow_unsafe_exec_interactive", "allow_unsafe_exec_speculative", "allow_unsupp_exec")) {
            m.put("trace/" + f, true);
        }
        for (String f : List.of("deny_tsc", "deny_vdso", "lock_personality")) {
            m.put("trace/" + f, false);
        }
        return Collections.unmodifiableMap(m);
    }

    /** Every one-way switch and the value that holds. */
    public static Map<String, Boolean> holdsOnlySwitches() { return HOLDS_ONLY; }

    /** The only value of {@code key} this version supports (see {@link #HOLDS_ONLY}), or null when every value is (or none). */
    public static Boolean holdsOnly(String key) { return HOLDS_ONLY.get(key); }

    public static final List<String> NAMESPACES = List.of("mount", "uts", "ipc", "user", "pid", "net", "cgroup", "time");

    /** Resource limits of {@code rlimit/*} and their types. */
    public static final Map<String, Type> RLIMITS;

    public static final List<String> LOG_LEVELS =
            List.of("emerg", "alert", "crit", "error", "warn", "notice", "info", "debug");

    static {
        Map<String, Type> rl = new LinkedHashMap<>();
        for (String s : List.of("as", "core", "data", "fsize", "memlock", "msgqueue", "stack")) rl.put(s, Type.RLIMIT_SIZE);
        for (String s : List.of("nice", "nofile", "nproc", "rtprio", "sigpending")) rl.put(s, Type.RLIMIT_INT);
        rl.put("cpu", Type.RLIMIT_TIME);
        rl.put("rttime", Type.RLIMIT_TIME);
        RLIMITS = Collections.unmodifiableMap(rl);

        add("lock", Type.LOCK, null, true, false);
        add("timeout", Type.DURATION, Unset.NONE, true, true);
        for (String f : TRACE_FLAGS) add("trace/" + f, Type.BOOL, false, ENFORCED_TRACE.contains(f) || f.startsWith("allow_unsafe_sendfd_"), false);
        add("trace/force_umask", Type.OCTAL, Unset.NONE, true, true);
        // jsyd's own: read-side path rules decided by a Landlock layer (confine.LandlockTranslation, docs/CONFINE.md)
        add("trace/allow_unsafe_landlock_paths", Type.BOOL, false, true, false);
        add("trace/allow_unsafe_namespace", Type.NSLIST, "none", true, false);
        for (String ns : NAMESPACES) add("unshare/" + ns, Type.BOOL, false, true, false);
        add("root", Type.PATH, Unset.NONE, true, true);
        add("root/map", Type.BOOL, false, true, false);
        add("root/fake", Type.BOOL, false, true, false);
        add("name/host", Type.HOSTNAME, Unset.NONE, true, true);
        add("name/domain", Type.HOSTNAME, Unset.NONE, true, true);
        add("time", Type.INT, Unset.NONE, true, true);
        for (var e : RLIMITS.entrySet()) add("rlimit/" + e.getKey(), e.getValue(), Unset.NONE, true, true);
        add("mem/max", Type.SIZE, 0L, true, false);
        add("mem/vm_max", Type.SIZE, 0L, true, false);
        add("pid/max", Type.UINT, 0L, true, false);
        add("tpe/gid", Type.GID, Unset.NONE, true, true);
        add("tpe/negate", Type.BOOL, false, true, false);
        add("tpe/root_owned", Type.BOOL, false, true, false);
        add("tpe/user_owned", Type.BOOL, false, true, false);
        add("tpe/root_mount", Type.BOOL, false, true, false);
        add("segvguard/expiry", Type.DURATION, Duration.ofSeconds(120), true, false);
        add("segvguard/suspension", Type.DURATION, Duration.ofSeconds(600), true, false);
        add("segvguard/maxcrashes", Type.UINT, 5L, true, false);
        add("crypt/key", Type.STRING, Unset.NONE, false, true);
        add("crypt/tmp", Type.STRING, Unset.NONE, false, true);
        add("proxy/port", Type.PORT, 9050L, false, false);
        add("proxy/addr", Type.IP, "127.0.0.1", false, false);
        add("proxy/ext/host", Type.STRING, "127.0.0.1", false, false);
        add("proxy/ext/port", Type.PORT, 9050L, false, false);
        add("proxy/ext/unix", Type.PATH, Unset.NONE, false, true);
        add("log/level", Type.LEVEL, "warn", true, false);
        add("log/verbose", Type.BOOL, false, true, false);
        add("log/syslog", Type.BOOL, true, true, false);
        add("ipc", Type.STRING, Unset.NONE, false, true);
        add("config/expand", Type.DURATION, Duration.ZERO, false, false);
    }

    private static void add(String key, Type type, Object def, boolean enforced, boolean unsettable) {
        SPECS.put(key, new Spec(key, type, def, enforced, unsettable));
    }

    public static Optional<Spec> spec(String key) { return Optional.ofNullable(SPECS.get(key)); }

    /** {@link #spec} without the Optional, for the per-call lookups; null when unknown. */
    static Spec specOrNull(String key) { return SPECS.get(key); }

    /** Every setting, in a stable order. */
    public static List<Spec> all() { return List.copyOf(SPECS.values()); }

    public static List<String> keys() { return new ArrayList<>(SPECS.keySet()); }

    /** Parses a value for a setting (byte string, escapes already removed). */
    public static Object parse(Spec spec, String v) {
        if (spec.unsettable() && (v.equals("none") || (spec.type() != Type.BOOL && v.equals("off")))) return Unset.NONE;
        return switch (spec.type()) {
            case BOOL -> Values.parseBool(v);
            case SIZE -> Values.parseSize(v);
            case DURATION -> Values.parseDuration(v);
            case UINT -> Values.parseUnsigned(v);
            case INT -> Values.parseSigned(v);
            case OCTAL -> Values.parseOctal(v);
            case STRING -> {
                if (v.isEmpty()) throw new ValueException(0, "missing value", "a non-empty string");
                yield v;
            }
            case HOSTNAME -> {
                if (v.isEmpty() || v.length() > 64 || v.indexOf('/') >= 0 || v.chars().anyMatch(c -> c <= ' ')) {
                    throw new ValueException(0, "invalid name `" + v + "`", "a name of 1-64 bytes without `/` or spaces");
                }
                yield v;
            }
            case PATH -> {
                if (!v.startsWith("/")) throw new ValueException(0, "`" + v + "` is not an absolute path", "an absolute path");
                yield v;
            }
            case LOCK -> LockState.byName(v).orElseThrow(() -> new ValueException(0, "invalid lock state `" + v + "`",
                    "one of off, exec, on, drop, read, ipc", Suggest.nearest(v, names(LockState.values()))));
            case LEVEL -> {
                if (!LOG_LEVELS.contains(v)) {
                    throw new ValueException(0, "invalid log level `" + v + "`", "one of " + String.join(", ", LOG_LEVELS),
                            Suggest.nearest(v, LOG_LEVELS));
                }
                yield v;
            }
            case GID -> Values.parseUnsigned(v);
            case RLIMIT_SIZE, RLIMIT_INT, RLIMIT_TIME -> {
                if (v.equals("inf") || v.equals("unlimited")) yield -1L;
                yield switch (spec.type()) {
                    case RLIMIT_SIZE -> Values.parseSize(v);
                    case RLIMIT_INT -> Values.parseUnsigned(v);
                    default -> Values.parseDuration(v);
                };
            }
            case IP -> {
                byte[] a = Address.parseIp(v);
                if (a == null) throw new ValueException(0, "invalid IP address `" + v + "`", "an IPv4 or IPv6 address");
                yield Address.format(a);
            }
            case PORT -> (long) Address.parsePorts(v, 0).lo();
            case NSLIST -> parseNsList(v);
        };
    }

    private static String parseNsList(String v) {
        if (v.equals("1") || v.equals("on") || v.equals("true") || v.equals("all")) return "all";
        if (v.equals("0") || v.equals("off") || v.equals("false") || v.equals("none")) return "none";
        List<String> out = new ArrayList<>();
        int off = 0;
        for (String ns : v.split(",", -1)) {
            if (!NAMESPACES.contains(ns)) {
                throw new ValueException(off, "unknown namespace `" + ns + "`",
                        "a comma list of " + String.join(", ", NAMESPACES) + ", or all/none", Suggest.nearest(ns, NAMESPACES));
            }
            if (!out.contains(ns)) out.add(ns);
            off += ns.length() + 1;
        }
        return String.join(",", out);
    }

    /** Prints a value as the parser accepts it back. */
    public static String format(Spec spec, Object value) {
        if (value == Unset.NONE) return "none";
        return switch (spec.type()) {
            case BOOL -> ((Boolean) value) ? "true" : "false";
            case SIZE -> Values.formatSize((Long) value);
            case DURATION -> Values.formatDuration((Duration) value);
            case OCTAL -> Values.formatOctal((Integer) value);
            case LOCK -> ((LockState) value).sydName();
            case RLIMIT_SIZE -> ((Long) value) < 0 ? "inf" : Values.formatSize((Long) value);
            case RLIMIT_INT, UINT, INT, GID, PORT -> ((Long) value) < 0 && spec.type() == Type.RLIMIT_INT
                    ? "inf" : Long.toString((Long) value);
            case RLIMIT_TIME -> value instanceof Long l && l < 0 ? "inf" : Values.formatDuration((Duration) value);
            default -> value.toString();
        };
    }

    static List<String> names(Enum<?>[] vals) {
        List<String> out = new ArrayList<>();
        for (Enum<?> e : vals) out.add(e.toString());
        return out;
    }
}
