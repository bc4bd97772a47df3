package dev.jsyd.cli;

import dev.jsyd.api.SandboxBuilder;
import dev.jsyd.api.SandboxConfigException;
import dev.jsyd.api.SandboxStartException;
import dev.jsyd.api.SandboxedProcess;
import dev.jsyd.api.Syd;
import dev.jsyd.learn.Learner;
import dev.jsyd.policy.PolicyException;
import dev.jsyd.report.LogReader;
import dev.jsyd.report.LogRecord;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import dev.jsyd.abi.OpenFlags;
import java.util.List;
import java.util.Map;

/**
 * {@code syd-learn} (also {@code pandora profile}): runs a program in trace mode with every
 * category on and nothing refused, records every check through an in-process copy of the log,
 * and writes a {@code .syd-3} profile that allows what the run did ({@link Learner}). With
 * {@code --from LOG} (also {@code pandora inspect -i LOG}) the profile comes from a saved log
 * instead. Exit status: the program's, or 22 for a bad command line or profile, 1 when the
 * profile cannot be written.
 */
final class SydLearnTool {
    private SydLearnTool() {}

    static final String USAGE = """
            Usage: syd-learn [-o FILE] [-i FILE] [-n COUNT] [-d DEPTH] [-m CMD] [-p NAME] [-P FILE]
                             [-t DURATION] [--log FILE] [--report FILE] -- command [arg...]
                   syd-learn --from LOG [-o FILE] [-i FILE] [-n COUNT] [-d DEPTH]
                   pandora profile [options as above] -- command [arg...]
                   pandora inspect -i LOG [-o FILE]
              -o FILE        the profile to write (default: ./COMMAND.syd-3)
              -i FILE        merge: keep this profile and add only what it does not allow (may equal -o)
              -n COUNT       a directory with COUNT or more checked entries becomes dir/** (default 6, 0: never)
              -d DEPTH       no rule deeper than DEPTH path components: deeper becomes dir/*** (0: no limit)
              -m, -p, -P     commands, profiles, files for the learning run (kept in the profile)
              -t DURATION    stop the learning run after DURATION
              --log FILE     also save the run's log (JSON lines) to FILE
              --report FILE  also write the run report (HTML; .json for JSON) to FILE
              --from LOG     learn from a saved log (SYD_LOG=info) instead of running a command
            """;

    static int run(String tool, String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
        String name = tool;
        List<String> a = new ArrayList<>(List.of(args));
        boolean inspect = false;
        if (tool.equals("pandora")) {
            if (a.isEmpty() || !(a.get(0).equals("profile") || a.get(0).equals("inspect"))) {
                err.println("pandora: expected a subcommand, `profile' or `inspect'");
                err.print(USAGE);
                return SydCommand.USAGE;
            }
            inspect = a.remove(0).equals("inspect");
            name = inspect ? "pandora inspect" : "pandora profile";
        }
        Path output = null, previous = null, from = null, logFile = null, report = null;
        int collapse = Learner.Options.DEFAULT_COLLAPSE, depth = 0;
        List<String[]> steps = new ArrayList<>();
        int i = 0;
        try {
            for (; i < a.size(); i++) {
                String o = a.get(i);
                if (o.equals("--")) { i++; break; }
                if (!o.startsWith("-") || o.equals("-")) break;
                if (o.equals("-h") || o.equals("--help")) {
                    out.print(USAGE);
                    return 0;
                }
                if (i + 1 >= a.size()) {
                    err.println(name + ": option " + o + " needs an argument; see " + name + " -h");
                    return SydCommand.USAGE;
                }
                String v = a.get(++i);
                switch (o) {
                    case "-o" -> output = Path.of(v);
                    case "-i" -> { if (inspect) from = Path.of(v); else previous = Path.of(v); }
                    case "--from" -> from = Path.of(v);
                    case "-n" -> collapse = count(o, v);
                    case "-d", "-l" -> depth = count(o, v);
                    case "-m", "-p", "-P" -> steps.add(new String[] {o, v});
                    case "-t" -> steps.add(new String[] {"-t", v});
                    case "--log" -> logFile = Path.of(v);
                    case "--report" -> report = Path.of(v);
                    default -> {
                        err.println(name + ": unknown option `" + o + "'; see " + name + " -h");
                        return SydCommand.USAGE;
                    }
                }
            }
        } catch (IllegalArgumentException e) {
            err.println(name + ": " + e.getMessage());
            return SydCommand.USAGE;
        }
        List<String> command = a.subList(i, a.size());
        if (inspect && from == null) {
            err.println(name + ": `pandora inspect' needs the log: -i LOG");
            return SydCommand.USAGE;
        }
        if (from == null && command.isEmpty()) {
            err.println(name + ": no command to learn from; see " + name + " -h");
            return SydCommand.USAGE;
        }
        if (from != null && !command.isEmpty()) {
            err.println(name + ": give either a command or --from LOG, not both");
            return SydCommand.USAGE;
        }
        if (output == null) {
            String base = from != null ? "pandora_out" : Path.of(command.get(0)).getFileName().toString();
            output = Path.of(base + ".syd-3");
        }
        if (!output.getFileName().toString().endsWith(".syd-3")) {
            err.println(name + ": the profile's name must end in .syd-3 (syd -P reads only those): `" + output + "'");
            return SydCommand.USAGE;
        }

        byte[] log;
        int status = 0;
        List<String> kept = new ArrayList<>();
        if (from != null) {
            try {
                log = Files.readAllBytes(from);
            } catch (IOException e) {
                err.println(name + ": cannot read the log `" + from + "': " + e.getClass().getSimpleName());
                return 1;
            }
        } else {
            LogBuffer buffer = new LogBuffer();
            // The learner reads the log from memory; on stderr it would bury the program's output.
            Map<String, String> host = new java.util.HashMap<>(env);
            host.putIfAbsent("SYD_LOG_FD", "-1");
            SandboxBuilder sandbox = Syd.builder().hostEnvironment(host).inheritIO().learning(true).logCopy(buffer);
            try {
                for (String[] s : steps) {
                    switch (s[0]) {
                        case "-m" -> sandbox.command(s[1]).validate();
                        case "-t" -> sandbox.command("timeout:" + s[1]).validate();
                        case "-p" -> sandbox.profile(s[1]).validate();
                        default -> sandbox.configFile(Path.of(s[1])).validate();
                    }
                    if (s[0].equals("-t")) continue; // the limit of the learning run, not of the profile
                    kept.add(switch (s[0]) {
                        case "-m" -> s[1];
                        case "-p" -> "include_profile " + s[1];
                        default -> "include " + Path.of(s[1]).toAbsolutePath();
                    });
                }
                List<String> entries = new ArrayList<>();
                env.forEach((k, v) -> entries.add(dev.jsyd.policy.Bytes.fromUtf8(k) + "=" + dev.jsyd.policy.Bytes.fromUtf8(v)));
                sandbox.environment(SydCommand.raw(SydCommand.childEnvironment(entries, Map.of(), List.of())));
                SandboxedProcess p = sandbox.start(command);
                status = SydCommand.waitUninterruptibly(p);
                String who = name;
                p.failure().ifPresent(m -> err.println(who + ": " + m));
            } catch (SandboxConfigException e) {
                err.println(e.diagnostic());
                return SydCommand.USAGE;
            } catch (SandboxStartException e) {
                err.println(e.diagnostic());
                return e.status();
            }
            log = buffer.bytes();
            if (logFile != null && !save(name, logFile, log, err)) return 1;
        }
        LogReader.Result parsed = LogReader.read(log);
        List<LogRecord> records = parsed.records();
        if (report != null && !SydReportTool.write(name, records, report, err)) return 1;
        Learner learner = new Learner(new Learner.Options(collapse, depth,
                n -> env.get(n) == null ? null : dev.jsyd.policy.Bytes.fromUtf8(env.get(n)), SydLearnTool::exists, kept,
                ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_INSTANT)));
        try {
            Learner.Result r = learner.write(records, previous, output);
            err.println(name + ": " + r.checks() + " checks, " + r.rules() + (previous != null ? " new" : "")
                    + " rules (" + r.lines() + " lines) written to " + output
                    + (from == null ? "; the program exited with " + status : ""));
            if (!r.uncovered().isEmpty()) {
                err.println(name + ": " + r.uncovered().size() + " checks could not be written as rules: " + r.uncovered());
                return 1;
            }
        } catch (PolicyException e) {
            err.println(name + ": " + e.getMessage());
            return SydCommand.USAGE;
        } catch (IOException e) {
            err.println(name + ": cannot write `" + output + "': " + e.getClass().getSimpleName() + " " + e.getMessage());
            return 1;
        }
        return status;
    }

    private static int count(String option, String v) {
        try {
            int n = Integer.parseInt(v);
            if (n >= 0) return n;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("option " + option + " takes a number (0 or more), not `" + v + "'");
    }

    private static boolean save(String name, Path file, byte[] data, PrintStream err) {
        try {
            Files.write(file, data);
            return true;
        } catch (IOException e) {
            err.println(name + ": cannot write the log `" + file + "': " + e.getClass().getSimpleName());
            return false;
        }
    }

    /** Whether {@code path} (a byte string) exists now, without following a last symlink. */
    private static boolean exists(String path) {
        try (dev.jsyd.sys.Files f = new dev.jsyd.sys.Files()) {
            return f.fileType(OpenFlags.AT_FDCWD, path, OpenFlags.AT_SYMLINK_NOFOLLOW) >= 0;
        }
    }
}
