package dev.jsyd.api;

import dev.jsyd.policy.Bytes;
import dev.jsyd.policy.Origin;
import dev.jsyd.policy.Policy;
import dev.jsyd.policy.PolicyException;
import dev.jsyd.supervisor.Supervisor;
import dev.jsyd.supervisor.SupervisorException;
import dev.jsyd.sys.ErrnoException;
import dev.jsyd.sys.Launcher;
import dev.jsyd.sys.Pipes;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Describes a sandbox and starts programs in it; the library form of {@code syd}'s command line.
 * Profiles ({@code -p}), commands ({@code -m}) and configuration files ({@code -P}) apply in the
 * order they are given, exactly as on the command line; the first rejected one is reported by
 * {@link #validate()} and {@link #start(List)} as a {@link SandboxConfigException} with the same
 * diagnostic {@code syd} prints. A builder may start any number of sandboxes, each with its own
 * fresh policy. Not thread-safe: configure it from one thread.
 *
 * <p>Standard streams default to {@link Redirect#PIPE}, as with {@link ProcessBuilder};
 * {@link Redirect#INHERIT}, {@link Redirect#DISCARD}, {@code Redirect.from/to/appendTo(file)} are
 * accepted too.
 */
public final class SandboxBuilder {
    private enum Kind { PROFILE, COMMAND, COMMAND_BYTES, FILE }

    private record Step(Kind kind, String value, Origin origin) {}

    private final List<Step> steps = new ArrayList<>();
    /** Names and values as byte strings (one char per byte). */
    private Map<String, String> hostEnvironment = byName(dev.jsyd.sys.OwnProcess.environment());
    private Policy policy;
    private boolean policyTaken;
    private PolicyException firstError;
    private int commands;
    private boolean trace;
    private boolean learning;
    /** The program's environment entries (byte strings), or null: inherited. */
    private List<String> environment;
    private Path directory;
    private String argv0;
    private final Redirect[] redirects = {Redirect.PIPE, Redirect.PIPE, Redirect.PIPE};
    private java.util.function.Consumer<byte[]> logCopy;

    SandboxBuilder() {}

    /**
     * The environment syd itself reads ({@code SYD_LOG}, {@code SYD_LOG_FD}, ...) and that
     * {@code ${VAR}} in rules expands from (names and values as text, used as their UTF-8
     * bytes); default the JVM's, read as bytes. Must come before any profile, command or file.
     */
    public SandboxBuilder hostEnvironment(Map<String, String> env) {
        List<String> entries = new ArrayList<>(env.size());
        env.forEach((k, v) -> entries.add(Bytes.fromUtf8(k) + "=" + Bytes.fromUtf8(v)));
        return hostEntries(entries);
    }

    /** {@link #hostEnvironment(Map)} as raw {@code NAME=VALUE} entries (the first of a name counts, as getenv(3)). */
    public SandboxBuilder hostEnvironment(List<byte[]> entries) {
        return hostEntries(byteStrings(entries));
    }

    private SandboxBuilder hostEntries(List<String> entries) {
        if (!steps.isEmpty()) throw new IllegalStateException("hostEnvironment must come before the policy");
        this.hostEnvironment = byName(entries);
        return this;
    }

    /** {@code NAME=VALUE} entries by name; the first entry of a name wins, as getenv(3). */
    private static Map<String, String> byName(List<String> entries) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String e : entries) {
            int eq = e.indexOf('=');
            if (eq > 0) m.putIfAbsent(e.substring(0, eq), e.substring(eq + 1));
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    private static List<String> byteStrings(List<byte[]> raw) {
        List<String> out = new ArrayList<>(raw.size());
        for (byte[] b : raw) out.add(Bytes.of(b));
        return out;
    }

    /** Applies a built-in profile ({@code syd -p NAME}). */
    public SandboxBuilder profile(String name) {
        return step(Kind.PROFILE, Objects.requireNonNull(name), Origin.profile(name, 0));
    }

    /** Applies one sandbox command ({@code syd -m COMMAND}), e.g. {@code "allow/read+/usr/***"}; text, used as UTF-8. */
    public SandboxBuilder command(String command) {
        return step(Kind.COMMAND, Objects.requireNonNull(command), Origin.argument(++commands));
    }

    /** {@link #command(String)} given as bytes: paths in it may be any bytes (no charset involved). */
    public SandboxBuilder command(byte[] command) {
        return step(Kind.COMMAND_BYTES, Bytes.of(command), Origin.argument(++commands));
    }

    /** Loads a configuration file ({@code syd -P FILE}; its name must end in {@code .syd-3}). */
    public SandboxBuilder configFile(Path file) {
        return step(Kind.FILE, file.toString(), null);
    }

    /** Trace mode ({@code syd -x}): would-be denials are logged, everything is allowed. */
    public SandboxBuilder trace(boolean on) {
        this.trace = on;
        return this;
    }

    /**
     * Learning mode ({@code syd-learn}): trace mode, and every kernel-side refusal that a
     * {@code trace/allow_unsafe_*} switch lifts (W^X, the filter's refused calls and arguments) is
     * let through and logged as a {@code learn} record naming the switch. Only for programs you
     * trust: the run has none of those protections.
     */
    public SandboxBuilder learning(boolean on) {
        this.learning = on;
        this.trace = trace || on;
        return this;
    }

    /**
     * Also gives every log record of the sandbox at {@code info} level or above to {@code sink}
     * (one JSON line with its newline; access records and the process lifecycle records {@code run},
     * {@code fork}, {@code exec}, {@code exit}, {@code end}), whatever {@code SYD_LOG} says. It is
     * called from the supervisor's threads and must return quickly (e.g. append to a buffer).
     */
    public SandboxBuilder logCopy(java.util.function.Consumer<byte[]> sink) {
        this.logCopy = sink;
        return this;
    }

    /** The program's exact environment (nothing is removed from it); names and values as text, passed as UTF-8. */
    public SandboxBuilder environment(Map<String, String> env) {
        List<String> entries = new ArrayList<>(env.size());
        env.forEach((k, v) -> entries.add(Bytes.fromUtf8(k) + "=" + Bytes.fromUtf8(v)));
        this.environment = entries;
        return this;
    }

    /** The program's exact environment as raw entries, in this order (normally {@code NAME=VALUE}). */
    public SandboxBuilder environment(List<byte[]> entries) {
        this.environment = byteStrings(entries);
        return this;
    }

    /**
     * The program inherits the JVM's environment (as bytes, in its order) minus
     * {@link Syd#UNSAFE_ENVIRONMENT} and {@link Syd#CONTROL_ENVIRONMENT}, as {@code syd} does.
     * This is the default.
     */
    public SandboxBuilder inheritEnvironment() {
        this.environment = null;
        return this;
    }

    /** The program's working directory (default: the JVM's). */
    public SandboxBuilder directory(Path dir) {
        this.directory = dir;
        return this;
    }

    /** Runs the program with this {@code argv[0]} ({@code syd -a}); the file is still the command's first word. Text, passed as UTF-8. */
    public SandboxBuilder argv0(String name) {
        this.argv0 = Bytes.fromUtf8(name);
        return this;
    }

    /** {@link #argv0(String)} as bytes. */
    public SandboxBuilder argv0(byte[] name) {
        this.argv0 = Bytes.of(name);
        return this;
    }

    /** Where the program's standard input comes from. */
    public SandboxBuilder redirectInput(Redirect r) {
        if (r.type() == Redirect.Type.WRITE || r.type() == Redirect.Type.APPEND) {
            throw new IllegalArgumentException("standard input cannot be redirected to " + r);
        }
        redirects[0] = r;
        return this;
    }

    /** Where the program's standard output goes. */
    public SandboxBuilder redirectOutput(Redirect r) { return output(1, r); }

    /** Where the program's standard error goes. */
    public SandboxBuilder redirectError(Redirect r) { return output(2, r); }

    /** All three streams are the JVM's own. */
    public SandboxBuilder inheritIO() {
        redirects[0] = redirects[1] = redirects[2] = Redirect.INHERIT;
        return this;
    }

    private SandboxBuilder output(int n, Redirect r) {
        if (r.type() == Redirect.Type.READ) throw new IllegalArgumentException("an output cannot be read from " + r);
        redirects[n] = r;
        return this;
    }

    private SandboxBuilder step(Kind kind, String value, Origin origin) {
        Step s = new Step(kind, value, origin);
        steps.add(s);
        if (firstError == null && !policyTaken) {
            if (policy == null) policy = newPolicy();
            try {
                apply(policy, s);
            } catch (PolicyException e) {
                firstError = e;
            }
        }
        return this;
    }

    /** Throws the first rejected profile, command or file given so far, if any. */
    public SandboxBuilder validate() throws SandboxConfigException {
        if (firstError != null) throw new SandboxConfigException(firstError.getMessage());
        return this;
    }

    private Policy newPolicy() {
        return Policy.defaults().environment(dev.jsyd.policy.HostVariables.over(hostEnvironment::get));
    }

    private static void apply(Policy p, Step s) throws PolicyException {
        switch (s.kind()) {
            case PROFILE -> p.applyProfile(s.value(), s.origin());
            case COMMAND -> p.apply(s.value(), s.origin());
            case COMMAND_BYTES -> p.applyBytes(s.value(), s.origin());
            case FILE -> p.applyFile(Path.of(s.value()));
        }
    }

    /** The policy for one sandbox: the one built step by step the first time, a replay after. */
    private Policy takePolicy() throws SandboxConfigException {
        validate();
        if (!policyTaken) {
            policyTaken = true;
            if (policy != null) {
                Policy p = policy;
                policy = null;
                return p;
            }
        }
        Policy p = newPolicy();
        try {
            for (Step s : steps) apply(p, s);
        } catch (PolicyException e) {
            throw new SandboxConfigException(e.getMessage()); // a file changed since
        }
        return p;
    }

    /**
     * A boolean setting of the policy given so far ({@code trace/allow_unsafe_env}, …), for a
     * caller that prepares the program's environment itself (the CLI).
     *
     * @throws SandboxConfigException a profile, command or file was rejected
     */
    public boolean flag(String name) throws SandboxConfigException {
        validate();
        // The policy built step by step is the one the first start runs: read it (its snapshot is
        // kept for that start) rather than parse every profile and file again.
        if (!policyTaken) return (policy != null ? policy : newPolicy()).snapshot().flag(name);
        Policy p = newPolicy();
        try {
            for (Step s : steps) apply(p, s);
        } catch (PolicyException e) {
            throw new SandboxConfigException(e.getMessage());
        }
        return p.snapshot().flag(name);
    }

    /**
     * The seccomp filter this sandbox would load, built from the policy given so far
     * ({@code syd -E}): {@code Program.toBytes()} is what the kernel gets, {@code disassemble()}
     * a readable listing.
     *
     * @throws SandboxConfigException a profile, command or file was rejected
     */
    public dev.jsyd.bpf.Program filter() throws SandboxConfigException {
        return dev.jsyd.kernel.FilterPlan.program(takePolicy().snapshot());
    }

    /**
     * Starts {@code command} (file searched in PATH, then its arguments) in a new sandbox and
     * returns once the program is launched. If the policy says {@code panic}, nothing runs and the
     * returned process has already exited with 127.
     *
     * @throws SandboxConfigException a profile, command or file was rejected
     * @throws SandboxStartException  the sandbox could not be set up (nothing runs)
     */
    public SandboxedProcess start(List<String> command) throws SandboxConfigException, SandboxStartException {
        List<String> bytes = new ArrayList<>(command.size());
        for (String c : command) bytes.add(Bytes.fromUtf8(c));
        return startByteStrings(bytes);
    }

    /**
     * {@link #start(List)} with the command as bytes: the file and every argument are passed to
     * the program exactly (no charset involved).
     */
    public SandboxedProcess startBytes(List<byte[]> command) throws SandboxConfigException, SandboxStartException {
        return startByteStrings(byteStrings(command));
    }

    private SandboxedProcess startByteStrings(List<String> command) throws SandboxConfigException, SandboxStartException {
        if (command.isEmpty()) throw new IllegalArgumentException("no command");
        Policy p = takePolicy();
        if (p.panicked()) return SandboxedProcess.finished(127);
        List<String> argv = new ArrayList<>(command);
        if (argv0 != null) argv.set(0, argv0);
        List<String> env = programEnvironment(p.snapshot().flag("trace/allow_unsafe_env"));

        int[][] pipes = new int[3][];
        try {
            Launcher.Stdio[] stdio = new Launcher.Stdio[3];
            for (int n = 0; n < 3; n++) {
                Redirect r = redirects[n];
                stdio[n] = switch (r.type()) {
                    case INHERIT -> Launcher.Stdio.INHERIT;
                    case PIPE -> {
                        pipes[n] = Pipes.pipe();
                        yield Launcher.Stdio.dup(n == 0 ? pipes[n][0] : pipes[n][1]);
                    }
                    case READ -> Launcher.Stdio.open(r.file().getPath(), O_RDONLY);
                    case WRITE -> Launcher.Stdio.open(r.file().getPath(), O_WRONLY | O_CREAT | O_TRUNC);
                    case APPEND -> Launcher.Stdio.open(r.file().getPath(), O_WRONLY | O_CREAT | O_APPEND);
                };
            }
            Launcher.Setup setup = new Launcher.Setup(directory == null ? null : directory.toString(),
                    stdio[0], stdio[1], stdio[2]);
            Supervisor sup = new Supervisor(new Supervisor.Options(p, command.get(0), argv, env, trace,
                    hostEnvironment, setup, learning));
            if (logCopy != null) sup.copyLog(logCopy);
            CompletableFuture<Integer> status = new CompletableFuture<>();
            String[] failure = new String[1];
            // The program's PDEATHSIG is tied to the thread that spawns it: this one, for the sandbox's life.
            Thread.ofPlatform().name("syd_supervisor").daemon(true).start(() -> {
                try {
                    status.complete(sup.run());
                } catch (SupervisorException e) {
                    failure[0] = e.getMessage();
                    status.complete(e.status());
                } catch (Throwable t) {
                    failure[0] = "supervisor failed: " + t;
                    status.complete(1);
                }
            });
            int pid;
            try {
                pid = sup.started().join();
            } catch (CompletionException e) {
                closeAll(pipes);
                Throwable c = e.getCause();
                if (c instanceof SupervisorException se) throw new SandboxStartException(se.getMessage(), se.status());
                throw new SandboxStartException("supervisor failed: " + c, 1);
            }
            // The launcher has its copies now; keep only the JVM's ends.
            InputStream stdout = InputStream.nullInputStream(), stderr = InputStream.nullInputStream();
            OutputStream stdin = OutputStream.nullOutputStream();
            if (pipes[0] != null) {
                Pipes.close(pipes[0][0]);
                stdin = Pipes.outputStream(pipes[0][1]);
            }
            if (pipes[1] != null) {
                Pipes.close(pipes[1][1]);
                stdout = Pipes.inputStream(pipes[1][0]);
            }
            if (pipes[2] != null) {
                Pipes.close(pipes[2][1]);
                stderr = Pipes.inputStream(pipes[2][0]);
            }
            return new SandboxedProcess(pid, sup, status, () -> failure[0], stdin, stdout, stderr);
        } catch (ErrnoException e) {
            closeAll(pipes);
            throw new SandboxStartException("cannot start the sandbox: " + e.getMessage(), e.errno());
        }
    }

    private static final int O_RDONLY = 0, O_WRONLY = 1, O_CREAT = 0100, O_TRUNC = 01000, O_APPEND = 02000;

    private static void closeAll(int[][] pipes) {
        for (int[] p : pipes) {
            if (p == null) continue;
            Pipes.close(p[0]);
            Pipes.close(p[1]);
        }
    }

    /** The program's environment entries as byte strings: as given, or this JVM's minus the control names and (unless {@code keepUnsafe}) the unsafe ones. */
    private List<String> programEnvironment(boolean keepUnsafe) {
        if (environment != null) return environment;
        List<String> out = new ArrayList<>();
        for (String e : dev.jsyd.sys.OwnProcess.environment()) {
            int eq = e.indexOf('=');
            String name = eq < 0 ? e : e.substring(0, eq);
            if ((keepUnsafe || !Syd.UNSAFE_ENVIRONMENT.contains(name)) && !Syd.CONTROL_ENVIRONMENT.contains(name)) out.add(e); // trace/allow_unsafe_env keeps them
        }
        return out;
    }
}
