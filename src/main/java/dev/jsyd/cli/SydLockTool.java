package dev.jsyd.cli;

import dev.jsyd.confine.LandlockRules;
import dev.jsyd.confine.LaunchPlan;
import dev.jsyd.confine.PlanException;
import dev.jsyd.policy.Address;
import dev.jsyd.policy.Suggest;
import dev.jsyd.supervisor.LauncherBinary;
import dev.jsyd.sys.ErrnoException;
import dev.jsyd.sys.KernelFeatures;
import dev.jsyd.sys.Launcher;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code syd-lock}: runs a program under Landlock rules alone (no seccomp, no supervisor), as
 * Syd's tool does. Rules: {@code -l RIGHT[,RIGHT...]{+|-}PATH|PORTS} (the rights of
 * {@code allow/lock/}; {@code -} removes a rule added before), {@code -r PATH} (read, readdir,
 * exec), {@code -w PATH} (every path right), {@code -b PORTS}, {@code -c PORTS} (a port, a range
 * {@code lo-hi}, or a comma list of them). {@code -S} scopes signals, {@code -U} abstract UNIX
 * sockets; {@code -C hard|soft|best} the compatibility level (default hard); {@code -F FLAG} a
 * landlock_restrict_self flag ({@code log_same_exec_off}, {@code log_new_exec_on},
 * {@code log_subdomains_off}). {@code -V} prints the ABI version, {@code -A} prints it and exits
 * with it, {@code -v} reports the ruleset on stderr before running. Exit status: the program's (128
 * + signal when killed), the errno when it cannot be executed, 1 for a usage error, 22 for a bad
 * rule.
 */
public final class SydLockTool {
    private SydLockTool() {}

    static final int EXIT_USAGE = 1, EXIT_INVALID = 22;

    static final String USAGE = """
            Usage: syd-lock [-hvAVSU] [-C level] [-F flag]... [-l right[,right...]{+|-}path|port[-port]]...
                            [-r path]... [-w path]... [-b port]... [-c port]... {command [args...]}
              -l RIGHTS+ARG  allow RIGHTS (read, write, exec, ioctl, create, delete, rename, symlink,
                             truncate, readdir, mkdir, rmdir, mkbdev, mkcdev, mkfifo, bind, connect,
                             all) on a path, or bind/connect on ports; RIGHTS-ARG removes the rule
              -r PATH        read-only: read, readdir, exec
              -w PATH        read-write: every path right
              -b PORTS       allow bind(2) on a port, a range lo-hi, or a comma list
              -c PORTS       allow connect(2) likewise
              -S             scope signals      -U  scope abstract UNIX sockets
              -C LEVEL       compatibility: hard (default), soft, best
              -F FLAG        log_same_exec_off, log_new_exec_on or log_subdomains_off
              -V             print the Landlock ABI version   -A  print it and exit with it
              -v             print the ruleset on stderr before running   -h  this help
            """;

    private static final Map<String, Integer> FLAGS = Map.of("log_same_exec_off", 1, "log_new_exec_on", 2,
            "log_subdomains_off", 4);

    public static int run(String[] args, PrintStream out, PrintStream err) {
        List<LandlockRules.Rule> rules = new ArrayList<>();
        long scopes = 0;
        int flags = 0;
        boolean verbose = false;
        LandlockRules.Compat compat = LandlockRules.Compat.HARD;
        ShortOptions opts = new ShortOptions(args);
        try {
            for (int o; (o = opts.next()) >= 0; ) {
                switch (o) {
                    case 'h' -> { out.print(USAGE); return 0; }
                    case 'V' -> { out.println(KernelFeatures.landlockAbi()); return 0; }
                    case 'A' -> { int abi = KernelFeatures.landlockAbi(); out.println(abi); return abi; }
                    case 'v' -> verbose = true;
                    case 'S' -> scopes |= LandlockRules.SCOPE_SIGNAL;
                    case 'U' -> scopes |= LandlockRules.SCOPE_ABSTRACT_UNIX;
                    case 'l', 'r', 'w', 'b', 'c', 'C', 'F' -> {
                        String v = opts.value(o, "");
                        switch (o) {
                            case 'l' -> rule(rules, v);
                            case 'r' -> add(rules, List.of("read", "readdir", "exec"), path(v));
                            case 'w' -> add(rules, List.of("all"), path(v));
                            case 'b', 'c' -> {
                                for (String p : v.split(",", -1)) rules.add(LandlockRules.rule(o == 'b' ? "bind" : "connect", ports(p)));
                            }
                            case 'C' -> {
                                compat = LandlockRules.Compat.byName(v);
                                if (compat == null) throw new RuleException("unknown compatibility level `" + v + "` (hard, soft, best)");
                            }
                            default -> {
                                Integer f = FLAGS.get(v);
                                if (f == null) {
                                    throw new RuleException("unknown flag `" + v + "` (" + String.join(", ", FLAGS.keySet())
                                            + ")" + didYouMean(v, FLAGS.keySet()));
                                }
                                flags |= f;
                            }
                        }
                    }
                    default -> throw new ShortOptions.UsageException("unknown option -" + (char) o);
                }
            }
        } catch (ShortOptions.UsageException e) {
            err.println("syd-lock: " + e.getMessage());
            err.print(USAGE);
            return EXIT_USAGE;
        } catch (RuleException | IllegalArgumentException e) {
            err.println("syd-lock: " + e.getMessage());
            return EXIT_INVALID;
        }
        int i = opts.operands();
        if (i >= args.length) {
            err.println("syd-lock: no command given");
            err.print(USAGE);
            return EXIT_USAGE;
        }
        List<String> argv = List.of(args).subList(i, args.length);
        int abi = KernelFeatures.landlockAbi();
        LaunchPlan plan;
        try {
            plan = new LaunchPlan(LandlockRules.steps(rules, scopes, abi, compat, flags));
        } catch (PlanException e) {
            err.println("syd-lock: " + e.describe());
            return EXIT_INVALID;
        }
        if (verbose) {
            err.println("syd-lock: Landlock ABI " + abi + (plan.steps().isEmpty() ? ", not enforced" : ""));
            for (LaunchPlan.Step s : plan.steps()) err.println("syd-lock: " + s.describe());
        }
        return exec(plan, argv, err);
    }

    /** Runs the program under {@code plan} and waits for it. */
    private static int exec(LaunchPlan plan, List<String> argv, PrintStream err) {
        List<String> env = new ArrayList<>();
        for (var e : System.getenv().entrySet()) env.add(e.getKey() + "=" + e.getValue());
        try (Launcher.Launched l = Launcher.start(LauncherBinary.path(), plan, argv.get(0), argv, env, Launcher.Setup.NONE)) {
            int execErr = l.awaitExec();
            var exit = l.pidfd().waitExit();
            if (execErr != 0) {
                err.println("syd-lock: exec error: " + dev.jsyd.abi.Errno.message(execErr));
                return execErr;
            }
            return exit.shellStatus();
        } catch (ErrnoException e) {
            err.println("syd-lock: " + e.getMessage());
            return e.errno();
        } catch (IOException e) {
            err.println("syd-lock: cannot prepare the launcher: " + e.getMessage());
            return 1;
        }
    }

    /** {@code RIGHTS+ARG} or {@code RIGHTS-ARG}. */
    private static void rule(List<LandlockRules.Rule> rules, String v) throws RuleException {
        int op = -1;
        for (int j = 0; j < v.length(); j++) {
            char c = v.charAt(j);
            if (c == '+' || c == '-') { op = j; break; }
        }
        if (op <= 0 || op == v.length() - 1) throw new RuleException("`" + v + "`: expected RIGHT[,RIGHT...]+PATH or +PORTS");
        List<String> rights = List.of(v.substring(0, op).split(","));
        for (String r : rights) {
            if (!dev.jsyd.policy.Parser.LOCK_RIGHTS.contains(r)) {
                throw new RuleException("unknown right `" + r + "`" + didYouMean(r, dev.jsyd.policy.Parser.LOCK_RIGHTS));
            }
        }
        String arg = v.substring(op + 1);
        boolean net = !arg.startsWith("/") && !arg.startsWith(".") && !arg.contains("/") && Character.isDigit(arg.charAt(0));
        List<LandlockRules.Rule> these = new ArrayList<>();
        for (String r : rights) {
            boolean port = net && (r.equals("bind") || r.equals("connect"));
            if (r.equals("connect") && !port) throw new RuleException("`" + v + "`: connect takes ports");
            if (port) {
                for (String p : arg.split(",", -1)) these.add(LandlockRules.rule(r, ports(p)));
            } else {
                these.add(LandlockRules.rule(r, path(arg)));
            }
        }
        if (v.charAt(op) == '+') rules.addAll(these);
        else {
            for (LandlockRules.Rule r : these) {
                int at = rules.lastIndexOf(r);
                if (at >= 0) rules.remove(at);
            }
        }
    }

    private static String didYouMean(String word, java.util.Collection<String> candidates) {
        String s = Suggest.nearest(word, candidates);
        return s == null ? "" : "; did you mean `" + s + "`?";
    }

    private static void add(List<LandlockRules.Rule> rules, List<String> rights, String path) {
        for (String r : rights) rules.add(LandlockRules.rule(r, path));
    }

    /** An absolute path; a relative one is taken from the working directory. No {@code ..}. */
    private static String path(String p) throws RuleException {
        if (p.isEmpty()) throw new RuleException("empty path");
        for (String c : p.split("/")) if (c.equals("..")) throw new RuleException("`" + p + "`: `..` is not allowed in paths");
        return Path.of(p).toAbsolutePath().normalize().toString();
    }

    private static String ports(String p) throws RuleException {
        try {
            return Address.parsePorts(p, 0).text();
        } catch (Address.AddressException e) {
            throw new RuleException("`" + p + "`: " + e.getMessage());
        }
    }

    private static final class RuleException extends Exception {
        RuleException(String m) { super(m, null, false, false); }
    }
}
