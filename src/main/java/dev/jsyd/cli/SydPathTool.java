package dev.jsyd.cli;

import dev.jsyd.kernel.Elf;
import dev.jsyd.policy.HashAlgorithm;
import dev.jsyd.policy.Parser;
import dev.jsyd.policy.Suggest;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * {@code syd-path}: writes Force rules ({@code force+PATH:ALG:HEX:ACTION}) for the given files, or
 * for every executable under {@code PATH} when none is given; with an {@code -e} option it lists
 * executables of one kind instead (as Syd's syd-path). Paths are written canonical (symlinks
 * resolved), as the exec checks see them. Exit status: 0, 1 for a usage error, 2 when a given
 * file cannot be read.
 */
public final class SydPathTool {
    private SydPathTool() {}

    static final String USAGE = """
            Usage: syd-path [-h] [-a ALG] [-k|-w] [-s] [-l N] [-p PATH] [-e KIND] [FILE...]
              -a ALG   checksum algorithm (default sha256; -a list lists them)
              -k       rules with action kill (default)
              -w       rules with action warn
              -s       prefix each rule with /dev/syd/ (for stat(2) from inside a sandbox)
              -l N     at most N entries
              -p PATH  the directories to scan instead of $PATH (colon separated)
              -e KIND  list executables of KIND instead: 32, 64, d (dynamic), s (static), p (PIE),
                       P (not PIE), x (scripts), X (executable stack)
              FILE...  write rules for these files instead of scanning PATH
            """;

    public static int run(String[] args, PrintStream out, PrintStream err) {
        HashAlgorithm alg = HashAlgorithm.SHA256;
        String action = "kill", prefix = "", kind = null, pathVar = System.getenv("PATH");
        long limit = Long.MAX_VALUE;
        List<String> files = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--")) {
                files.addAll(List.of(args).subList(i + 1, args.length));
                break;
            }
            if (!a.startsWith("-") || a.length() == 1) {
                files.add(a);
                continue;
            }
            char o = a.charAt(1);
            String v = null;
            if ("aelp".indexOf(o) >= 0) {
                v = a.length() > 2 ? a.substring(2) : i + 1 < args.length ? args[++i] : null;
                if (v == null) return usage(err, "option -" + o + " needs an argument");
            } else if (a.length() > 2) {
                return usage(err, "unknown option " + a);
            }
            switch (o) {
                case 'h' -> {
                    out.print(USAGE);
                    return 0;
                }
                case 'a' -> {
                    if (v.equals("list")) {
                        for (String n : HashAlgorithm.names()) out.println(n);
                        return 0;
                    }
                    String name = v;
                    var found = HashAlgorithm.byName(name);
                    if (found.isEmpty()) {
                        String s = Suggest.nearest(name, HashAlgorithm.names());
                        return usage(err, "unknown algorithm `" + name + "`, expected one of " + String.join(", ", HashAlgorithm.names())
                                + (s == null ? "" : "; did you mean `" + s + "`?"));
                    }
                    alg = found.get();
                }
                case 'k' -> action = "kill";
                case 'w' -> action = "warn";
                case 's' -> prefix = "/dev/syd/";
                case 'l' -> {
                    try {
                        limit = Long.parseLong(v);
                    } catch (NumberFormatException e) {
                        return usage(err, "-l needs a number, not `" + v + "`");
                    }
                }
                case 'p' -> pathVar = v;
                case 'e' -> {
                    if (!KINDS.contains(v)) return usage(err, "unknown kind `" + v + "` for -e, expected one of 32 64 d s p P x X");
                    kind = v;
                }
                default -> {
                    return usage(err, "unknown option -" + o);
                }
            }
        }
        boolean scan = files.isEmpty();
        List<Path> targets = scan ? executablesIn(pathVar) : files.stream().map(Path::of).toList();
        int status = 0;
        long n = 0;
        Set<Path> seen = new java.util.HashSet<>();
        for (Path p : targets) {
            if (n >= limit) break;
            try {
                Path real = p.toRealPath();
                if (!seen.add(real)) continue;
                if (kind != null) {
                    if (!matches(real, kind)) continue;
                    out.write((bytes(real) + "\n").getBytes(StandardCharsets.ISO_8859_1));
                } else {
                    String hex = digest(real, alg);
                    String rule = prefix + "force+" + Parser.escapeColons(bytes(real)) + ":" + alg.sydName() + ":" + hex + ":" + action;
                    out.write((rule + "\n").getBytes(StandardCharsets.ISO_8859_1));
                }
                n++;
            } catch (IOException e) {
                if (!scan) {
                    err.println("syd-path: cannot read `" + p + "`: " + e.getClass().getSimpleName());
                    status = 2;
                }
            }
        }
        out.flush();
        return status;
    }

    private static final Set<String> KINDS = Set.of("32", "64", "d", "s", "p", "P", "x", "X");

    private static int usage(PrintStream err, String message) {
        err.println("syd-path: " + message);
        err.print(USAGE);
        return 1;
    }

    /** The regular executable files in the directories of {@code pathVar}, first of each name, in order. */
    static List<Path> executablesIn(String pathVar) {
        Set<Path> out = new LinkedHashSet<>();
        if (pathVar == null) return List.of();
        for (String dir : pathVar.split(":")) {
            if (dir.isEmpty()) continue;
            try (var s = Files.list(Path.of(dir))) {
                s.sorted().filter(f -> Files.isRegularFile(f) && Files.isExecutable(f)).forEach(out::add);
            } catch (IOException | java.nio.file.InvalidPathException e) {
                // a missing or unreadable PATH entry is skipped, as Syd's syd-path does
            }
        }
        return new ArrayList<>(out);
    }

    /** The file name's bytes, one char per byte (the JVM decoded them with sun.jnu.encoding). */
    private static String bytes(Path p) {
        java.nio.charset.Charset cs;
        try {
            cs = java.nio.charset.Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        } catch (IllegalArgumentException e) {
            cs = StandardCharsets.UTF_8;
        }
        return new String(p.toString().getBytes(cs), StandardCharsets.ISO_8859_1);
    }

    static String digest(Path file, HashAlgorithm alg) throws IOException {
        HashAlgorithm.Hasher h = alg.newHasher();
        byte[] buf = new byte[65536];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) h.update(buf, 0, n);
        }
        return h.hex();
    }

    private static int readFully(FileChannel ch, long off, byte[] buf, int len) {
        ByteBuffer b = ByteBuffer.wrap(buf, 0, len);
        try {
            while (b.hasRemaining()) {
                if (ch.read(b, off + b.position()) < 0) break;
            }
        } catch (IOException e) {
            return -1;
        }
        return b.position();
    }

    /** True when {@code file} is an executable of {@code kind} (see {@link #USAGE}). */
    static boolean matches(Path file, String kind) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            byte[] head = new byte[2];
            int n = ch.read(ByteBuffer.wrap(head), 0);
            if (kind.equals("x")) return n == 2 && head[0] == '#' && head[1] == '!';
            Elf elf;
            try {
                elf = Elf.parse((off, buf, len) -> readFully(ch, off, buf, len));
            } catch (Elf.NotElfException e) {
                return false;
            }
            Predicate<Elf> p = switch (kind) {
                case "32" -> Elf::is32;
                case "64" -> e -> !e.is32();
                case "d" -> Elf::isDynamic;
                case "s" -> Elf::isStatic;
                case "p" -> Elf::isPie;
                case "P" -> e -> !e.isPie();
                default -> Elf::executableStack;
            };
            return p.test(elf);
        }
    }
}
