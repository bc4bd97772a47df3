package dev.jsyd.cli;

import dev.jsyd.policy.Bytes;
import dev.jsyd.policy.Command;
import dev.jsyd.policy.Origin;
import dev.jsyd.policy.Parser;
import dev.jsyd.policy.Policy;
import dev.jsyd.policy.PolicyException;
import dev.jsyd.policy.Profiles;
import dev.jsyd.policy.Suggest;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code syd-cat}: {@code -p list} lists the profiles, {@code -p NAME} prints a profile, and
 * {@code syd-cat FILE...} checks configuration files and prints them normalised.
 * Exit status: 0 on success, 1 for a usage error, 22 (EINVAL) for an invalid profile or file.
 */
public final class SydCatTool {
    private SydCatTool() {}

    static final int EXIT_USAGE = 1;
    static final int EXIT_INVALID = 22;

    static final String USAGE = """
            Usage: syd-cat [-h] [-p list|NAME]... [FILE.syd-3...]
              -p list   list the built-in profiles
              -p NAME   print the commands of the profile NAME
              FILE...   check configuration files and print them normalised
              -h        print this help
            """;

    public static int run(String[] args, PrintStream out, PrintStream err) {
        List<String> profiles = new ArrayList<>();
        List<String> files = new ArrayList<>();
        ShortOptions opts = new ShortOptions(args);
        try {
            for (int o; (o = opts.next()) >= 0; ) {
                if (o == 'h') {
                    out.print(USAGE);
                    return 0;
                } else if (o == 'p') {
                    profiles.add(opts.value(o, "a profile name or `list`"));
                } else {
                    throw new ShortOptions.UsageException("unknown option -" + (char) o);
                }
            }
        } catch (ShortOptions.UsageException e) {
            err.println("syd-cat: " + e.getMessage());
            err.print(USAGE);
            return EXIT_USAGE;
        }
        int i = opts.operands();
        for (; i < args.length; i++) files.add(args[i]);
        if (profiles.isEmpty() && files.isEmpty()) {
            err.print(USAGE);
            return EXIT_USAGE;
        }
        for (String p : profiles) {
            if (p.equals("list")) {
                for (String n : Policy.profileNames()) out.println(n);
                continue;
            }
            if (!Profiles.exists(p)) {
                String s = Suggest.nearest(p, Profiles.names());
                err.println("syd-cat: unknown profile `" + p + "`\n  expected `list` or one of "
                        + String.join(", ", Profiles.names()) + (s == null ? "" : "\n  did you mean `" + s + "`?"));
                return EXIT_INVALID;
            }
            for (String line : Profiles.lines(p)) {
                String t = line.strip();
                if (t.isEmpty() || t.startsWith("#")) continue;
                out.println(t);
            }
        }
        for (String f : files) {
            Path path = Path.of(f);
            try {
                java.util.function.Function<String, String> vars = dev.jsyd.policy.HostVariables.over(Policy::processEnvironment);
                Policy.defaults().environment(vars).userProfileFiles(List.of()).applyFile(path);
                byte[] data = Files.readAllBytes(path);
                String text = new String(data, StandardCharsets.ISO_8859_1);
                int n = 0;
                for (String line : text.split("\n", -1)) {
                    n++;
                    String t = line.strip();
                    if (t.isEmpty() || t.startsWith("#")) continue;
                    Command c = Parser.parseBytes(t, Origin.file(path, n), vars);
                    out.write(Bytes.raw(c.print() + "\n"));
                }
            } catch (PolicyException e) {
                err.println("syd-cat: " + e.getMessage());
                return EXIT_INVALID;
            } catch (IOException e) {
                err.println("syd-cat: cannot read `" + f + "`: " + e.getClass().getSimpleName());
                return EXIT_INVALID;
            }
        }
        out.flush();
        return 0;
    }
}
