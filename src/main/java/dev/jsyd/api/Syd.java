package dev.jsyd.api;

import java.util.List;

/**
 * Entry point of the Java library API: sandbox a command from a JVM program, as {@code syd}
 * does from the command line.
 *
 * <pre>{@code
 * SandboxedProcess p = Syd.builder()
 *         .profile("off")
 *         .command("sandbox/read:on")
 *         .command("allow/read+/***")
 *         .command("deny/read+/etc/shadow")
 *         .start(List.of("cat", "/etc/hostname"));
 * String out = new String(p.getInputStream().readAllBytes());
 * int status = p.waitFor();
 * }</pre>
 *
 * <p>Each sandbox has its own policy, supervisor thread, worker pool and tracer; one JVM may run
 * any number at once. The JVM must be started with {@code --enable-native-access} for the
 * module or class path that holds jsyd.
 *
 * <p>The host JVM must run with {@code -XX:+DisableAttachMechanism} (else a sandboxed program
 * that reaches it with a SIGQUIT could load code into it through the attach mechanism): a sandbox
 * refuses to start otherwise, unless {@code -Djsyd.allowAttachMechanism=true} says the host
 * accepts that. {@code -Xrs} is advised with it (never alone: HotSpot then opens the attach
 * socket at start-up).
 *
 * <p>Effects on the host JVM: the first sandbox makes the JVM process not dumpable with
 * RLIMIT_CORE 0 (the supervisor's self-protection; processes it starts later inherit the limit)
 * and ignores SIGTTOU and SIGTTIN (a program owning the terminal's foreground cannot stop it);
 * each sandbox's threads (workers, tracer, interrupter, timeouter, log writer) run with fewer
 * capabilities and a seccomp filter of their own (docs/DECISIONS.md), the JVM's other threads
 * are left alone;
 * access log records go to file descriptor 2 unless {@code SYD_LOG_FD} is set in
 * {@link SandboxBuilder#hostEnvironment}; a program that cannot be executed is also reported as
 * {@code syd: exec error: ...} on {@code System.err}.
 */
public final class Syd {
    private Syd() {}

    /** The version of Syd this implements. */
    public static final String VERSION = "3.52.0";

    /**
     * Variables removed from an inherited environment (glibc's "unsecure" list, as syd does):
     * LD_PRELOAD, LD_LIBRARY_PATH, ... ({@code syd -e VAR=} passes one anyway).
     */
    public static final List<String> UNSAFE_ENVIRONMENT = List.of("GCONV_PATH", "GETCONF_DIR", "GLIBC_TUNABLES",
            "HOSTALIASES", "LD_AUDIT", "LD_BIND_NOT", "LD_BIND_NOW", "LD_DEBUG", "LD_DEBUG_OUTPUT", "LD_DYNAMIC_WEAK",
            "LD_HWCAP_MASK", "LD_LIBRARY_PATH", "LD_ORIGIN_PATH", "LD_PRELOAD", "LD_PROFILE", "LD_PROFILE_OUTPUT",
            "LD_SHOW_AUXV", "LD_USE_LOAD_BIAS", "LOCALDOMAIN", "LOCPATH", "MALLOC_TRACE", "NIS_PATH", "NLSPATH",
            "RESOLV_HOST_CONF", "RES_OPTIONS", "TMPDIR", "TZDIR");

    /**
     * The supervisor's own control variables, removed from an inherited environment so that the
     * program neither learns where the log goes nor passes them on to a nested syd: SYD_LOG,
     * SYD_LOG_FD, ... ({@code syd -e VAR=VALUE} still sets one for the program on purpose). The
     * profile substitution variables (SYD_UID, SYD_GID, SYD_HOME, SYD_PWD, SYD_TTY) stay.
     */
    public static final List<String> CONTROL_ENVIRONMENT = List.of("SYD_LOG", "SYD_LOG_FD", "SYD_LOG_BUF_LEN",
            "SYD_NO_SYSLOG", "SYD_NPROC", "SYD_NPROC_MAX", "SYD_SHELL", "SYD_ID", "SYD_SKIP_SCMP", "SYD_DUMP_SCMP",
            "SYD_QUICK_BOOT", "SYD_FORCE_TTY", "SYD_QUIET_TTY", "SYD_STARTUP_TIMES");

    /** A new builder with Syd's defaults: every category on, everything denied. */
    public static SandboxBuilder builder() { return new SandboxBuilder(); }
}
