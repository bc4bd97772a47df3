package dev.jsyd.cli;

import dev.jsyd.api.SandboxBuilder;
import dev.jsyd.api.SandboxConfigException;
import dev.jsyd.api.SandboxStartException;
import dev.jsyd.api.SandboxedProcess;
import dev.jsyd.api.Syd;
import dev.jsyd.policy.Bytes;
import dev.jsyd.sys.OwnProcess;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code syd} command line (syd(1)): POSIX short options, parsed in order and stopping at the
 * first operand or {@code --}; {@code -m}, {@code -p} and {@code -P} are applied in the order given.
 * Every error is one {@code syd: ...} line (or a diagnostic with position) and a non-zero status
 * before anything runs.
 */
final class SydCommand {
    private SydCommand() {}

    static final String VERSION = Syd.VERSION;
    /** Exit status for a bad command line, rule or file: EINVAL, as Syd reports errors by errno. */
    static final int USAGE = 22;
    /** Exit status of the {@code panic} command. */
    static final int PANIC = 127;

    static final String USAGE_TEXT = """
            Usage: syd [-acefhlmpqtxEPV] [--] {command [arg...]}
                   syd --api | --check | --sh
              -m command   apply a sandbox command (repeatable, in order)
              -p profile   apply a built-in profile (repeatable); -p list in syd-cat
              -P file      load a configuration file (.syd-3; repeatable)
              -x           trace mode: log would-be denials, allow everything
              -t duration  kill the sandbox after this long (same as timeout:)
              -e var=val   set a variable for the program; -e var removes it; -e var= passes an unsafe one
              -a alias     run the program with this argv[0]
              --report FILE  write the run report at the end (HTML; JSON when FILE ends in .json)
              -h, -V       help, version
            """;

    /** Environment variables removed from the program's environment unless passed with -e VAR= (glibc's unsecure list). */
    static final List<String> UNSAFE_ENV = Syd.UNSAFE_ENVIRONMENT;

    static int run(String[] args) {
        // The command line and the environment as bytes: the JVM decodes both with the
        // locale's charset and replaces what it cannot decode.
        List<String> raw = OwnProcess.arguments(args.length);
        dev.jsyd.supervisor.StartupTimes.mark("arguments");
        if (raw == null) {
            raw = new ArrayList<>();
            for (String a : args) raw.add(Bytes.fromUtf8(a));
        }
        List<String> environ = OwnProcess.environment();
        dev.jsyd.supervisor.StartupTimes.mark("arguments, environment");
        return run(raw.toArray(new String[0]), System.out, System.err, environ);
    }

    /**
     * Runs {@code syd} with {@code args} (byte strings, one char per byte) in the environment
     * {@code environ} ({@code NAME=VALUE} byte strings, in order): syd reads its variables from
     * it, and the program gets it minus the unsafe ones, changed by {@code -e}.
     */
    static int run(String[] args, PrintStream out, PrintStream err, List<String> environ) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String e : environ) {
            int eq = e.indexOf('=');
            if (eq > 0) env.putIfAbsent(e.substring(0, eq), e.substring(eq + 1));
        }
        SandboxBuilder sandbox = Syd.builder().hostEnvironment(raw(environ)).inheritIO();
        boolean trace = false;
        String export = null;
        String alias = null;
        String report = null;
        Map<String, String> envChanges = new LinkedHashMap<>();
        List<String> passUnsafe = new ArrayList<>();
        int i = 0;
        try {
            if (loginMode(args)) sandbox.profile("user").validate();
            for (; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--")) { i++; break; }
                if (!a.startsWith("-") || a.equals("-")) break;
                if (a.equals("--report") || a.startsWith("--report=")) {
                    if (a.equals("--report") && i + 1 >= args.length) {
                        err.println("syd: option --report needs a file name; see syd -h");
                        return USAGE;
                    }
                    report = a.equals("--report") ? args[++i] : a.substring("--report=".length());
                    continue;
                }
                if (a.startsWith("--")) {
                    switch (a) {
                        case "--help" -> { out.print(USAGE_TEXT); return 0; }
                        case "--version" -> { printVersion(out); return 0; }
                        case "--api" -> { ApiJson.write(out); out.println(); return 0; }
                        case "--check" -> { return SydCheck.inside() ? 0 : 1; }
                        case "--sh" -> { out.print(dev.jsyd.supervisor.Supervisor.shellFunctions()); return 0; }
                        default -> {
                            err.println("syd: unknown option `" + Bytes.toUtf8(a) + "'; see syd -h");
                            return USAGE;
                        }
                    }
                }
                for (int j = 1; j < a.length(); j++) {
                    char c = a.charAt(j);
                    if ("mpPaetE".indexOf(c) >= 0) {
                        String value;
                        if (j + 1 < a.length()) value = a.substring(j + 1);
                        else if (i + 1 < args.length) value = args[++i];
                        else {
                            err.println("syd: option -" + c + " needs an argument; see syd -h");
                            return USAGE;
                        }
                        switch (c) {
                            case 'm' -> sandbox.command(Bytes.raw(value)).validate();
                            case 'p' -> sandbox.profile(Bytes.toUtf8(value)).validate();
                            case 'P' -> {
                                Path file = Bytes.toPath(value);
                                if (file == null) {
                                    err.println("syd: -P " + Bytes.toUtf8(value) + ": this file name cannot be opened in this locale"
                                            + " (its bytes are not valid in " + System.getProperty("sun.jnu.encoding")
                                            + "); run syd under a UTF-8 locale, or rename the file");
                                    return USAGE;
                                }
                                sandbox.configFile(file).validate();
                            }
                            case 'a' -> alias = value;
                            case 'e' -> {
                                int eq = value.indexOf('=');
                                if (eq < 0) envChanges.put(value, null);
                                else if (eq == value.length() - 1) passUnsafe.add(value.substring(0, eq));
                                else envChanges.put(value.substring(0, eq), value.substring(eq + 1));
                            }
                            case 't' -> sandbox.command(Bytes.raw("timeout:" + value)).validate();
                            case 'E' -> {
                                if (!value.equals("bpf") && !value.equals("pfc")) {
                                    err.println("syd: -E takes `bpf' (the filter as loaded) or `pfc' (a readable listing), not `"
                                            + Bytes.toUtf8(value) + "'");
                                    return USAGE;
                                }
                                export = value;
                            }
                            default -> throw new AssertionError(c);
                        }
                        break;
                    }
                    switch (c) {
                        case 'h' -> { out.print(USAGE_TEXT); return 0; }
                        case 'V' -> { printVersion(out); return 0; }
                        case 'x' -> trace = true;
                        case 'q', 'l', 'f' -> { }
                        default -> {
                            err.println("syd: unknown option -" + c + "; see syd -h");
                            return USAGE;
                        }
                    }
                }
            }
        } catch (SandboxConfigException e) {
            err.println(e.diagnostic());
            return USAGE;
        }
        if (export != null) {
            try {
                dev.jsyd.bpf.Program filter = sandbox.filter();
                if (export.equals("bpf")) out.write(filter.toBytes());
                else out.print(filter.disassemble());
                out.flush();
                return 0;
            } catch (SandboxConfigException | java.io.IOException e) {
                err.println(e instanceof SandboxConfigException c ? c.diagnostic() : "syd: " + e.getMessage());
                return USAGE;
            }
        }
        dev.jsyd.supervisor.StartupTimes.mark("options, policy parse");
        List<String> command = new ArrayList<>(List.of(args).subList(i, args.length));
        if (command.isEmpty()) {
            // syd with no command: a login shell in the sandbox, under the user profile (applied
            // first, see loginMode), as Syd does.
            String shell = env.getOrDefault("SYD_SHELL", "/bin/sh");
            command.add(shell);
            command.add("-l");
        }
        if (alias != null) sandbox.argv0(Bytes.raw(alias));
        boolean keepUnsafe;
        try {
            keepUnsafe = sandbox.flag("trace/allow_unsafe_env");
        } catch (SandboxConfigException e) {
            err.println(e.diagnostic());
            return USAGE;
        }
        sandbox.trace(trace).environment(raw(childEnvironment(environ, envChanges, keepUnsafe ? UNSAFE_ENV : passUnsafe)));
        LogBuffer records = report == null ? null : new LogBuffer();
        if (records != null) sandbox.logCopy(records);
        try {
            SandboxedProcess p = sandbox.startBytes(raw(command));
            int status = waitUninterruptibly(p);
            dev.jsyd.supervisor.StartupTimes.mark("sandbox ended (main)");
            p.failure().ifPresent(m -> err.println("syd: " + m));
            if (records != null) {
                SydReportTool.write("syd", dev.jsyd.report.LogReader.read(records.bytes()).records(), Path.of(report), err);
            }
            return status;
        } catch (SandboxConfigException e) {
            err.println(e.diagnostic());
            return USAGE;
        } catch (SandboxStartException e) {
            err.println(e.diagnostic());
            return e.status();
        }
    }

    static int waitUninterruptibly(SandboxedProcess p) {
        while (true) {
            try {
                return p.waitFor();
            } catch (InterruptedException e) {
                // nothing interrupts the main thread of the CLI; keep waiting for the sandbox
            }
        }
    }

    /**
     * True when the user profile applies before everything else: {@code -l}/{@code -f} (login-shell
     * compatibility) or no command at all (syd starts a login shell).
     */
    static boolean loginMode(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--")) return i + 1 >= args.length;
            if (!a.startsWith("-") || a.equals("-")) return false;
            if (a.equals("--report")) i++;
            if (a.startsWith("--")) continue;
            for (int j = 1; j < a.length(); j++) {
                char c = a.charAt(j);
                if (c == 'l' || c == 'f') return true;
                if ("mpPaetE".indexOf(c) >= 0) {
                    if (j + 1 == a.length()) i++;
                    break;
                }
            }
        }
        return true;
    }

    /**
     * The program's environment: syd's own entries in their order, minus the unsafe names (unless
     * passed with {@code -e VAR=}) and syd's own control variables ({@link Syd#CONTROL_ENVIRONMENT}),
     * with {@code -e} changes applied (a changed name keeps its
     * place; a new one comes last). Entries are byte strings.
     */
    static List<String> childEnvironment(List<String> environ, Map<String, String> changes, List<String> passUnsafe) {
        List<String> out = new ArrayList<>(environ.size() + changes.size());
        java.util.Set<String> done = new java.util.HashSet<>();
        for (String e : environ) {
            int eq = e.indexOf('=');
            String name = eq < 0 ? e : e.substring(0, eq);
            if (UNSAFE_ENV.contains(name) && !passUnsafe.contains(name)) continue;
            if (Syd.CONTROL_ENVIRONMENT.contains(name) && !changes.containsKey(name)) continue;
            if (changes.containsKey(name)) {
                String v = changes.get(name);
                if (v != null && done.add(name)) out.add(name + "=" + v);
                continue;
            }
            out.add(e);
        }
        changes.forEach((k, v) -> {
            if (v != null && done.add(k)) out.add(k + "=" + v);
        });
        return out;
    }

    static List<byte[]> raw(List<String> byteStrings) {
        List<byte[]> out = new ArrayList<>(byteStrings.size());
        for (String s : byteStrings) out.add(Bytes.raw(s));
        return out;
    }

    static void printVersion(PrintStream out) {
        out.println("syd " + VERSION + " (jsyd 0.1.0, Java " + Runtime.version() + ")");
        int landlock = dev.jsyd.sys.KernelFeatures.landlockAbi();
        out.println("Kernel: " + System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        out.println("Features: seccomp-unotify=" + (dev.jsyd.sys.KernelFeatures.seccompNotify() ? "yes" : "no")
                + ", landlock=" + (landlock > 0 ? "abi-" + landlock : "no")
                + ", pidfd=" + (dev.jsyd.sys.KernelFeatures.pidfd() ? "yes" : "no")
                + ", namespaces=" + dev.jsyd.sys.KernelFeatures.namespaces());
    }

}
