package dev.jsyd.abi;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Generates {@code src/main/java/dev/jsyd/abi/Syscalls.java} from the kernel's
 * {@code syscall_64.tbl} (the test resource {@code abi/syscall_64.tbl}): the "common" and "64"
 * entries, x32 left out. {@code SyscallsTest.sourceIsGeneratedFromTheKernelTable} checks the file
 * is what this prints; run {@link #main} (from the project root) after updating the table.
 */
public final class SyscallsSource {
    private SyscallsSource() {}

    static final Path TABLE = Path.of("src/test/resources/abi/syscall_64.tbl");
    static final Path SOURCE = Path.of("src/main/java/dev/jsyd/abi/Syscalls.java");

    record Entry(int nr, String name) {}

    private static final Pattern LINE = Pattern.compile("^(\\d+)\\s+(common|64|x32)\\s+(\\w+)");
    private static final Pattern VERSION = Pattern.compile("Linux (v[0-9.]+)");

    /** The native x86_64 entries of a syscall_64.tbl, in file order. */
    static List<Entry> entries(String tbl) {
        List<Entry> out = new ArrayList<>();
        for (String line : tbl.split("\n")) {
            Matcher m = LINE.matcher(line);
            if (m.find() && !m.group(2).equals("x32")) out.add(new Entry(Integer.parseInt(m.group(1)), m.group(3)));
        }
        return out;
    }

    /** The kernel version the table's first line is stamped with ({@code v6.19.9}). */
    static String version(String tbl) {
        Matcher m = VERSION.matcher(tbl.lines().findFirst().orElse(""));
        if (!m.find()) throw new IllegalArgumentException("the table's first line names no Linux version");
        return m.group(1);
    }

    /** The Java source for {@code tbl}. */
    static String generate(String tbl) {
        List<Entry> entries = entries(tbl);
        String version = version(tbl);
        StringBuilder s = new StringBuilder();
        s.append("""
                package dev.jsyd.abi;

                import java.util.Arrays;
                import java.util.HashMap;
                import java.util.Map;

                /**
                 * The x86_64 system call table: the "common" and "64" entries of the kernel's
                 * {@code arch/x86/entry/syscalls/syscall_64.tbl} of Linux %s (the x32 entries 512+ are
                 * not listed; 337..423 are unused on x86_64). Facts only: names exactly as in the table,
                 * constants spelled as {@code __NR_name} in upper case without the prefix.
                 *
                 * <p>GENERATED from {@code src/test/resources/abi/syscall_64.tbl} by
                 * {@code SyscallsSource} (test scope); do not edit by hand.
                 */
                public final class Syscalls {
                    private Syscalls() {}

                    /** Audit arch of this table. */
                    public static final int AUDIT_ARCH = Audit.AUDIT_ARCH_X86_64;

                    /** The kernel release whose table this is. */
                    public static final String KERNEL = "%s";

                """.formatted(version, version));
        for (Entry e : entries) {
            s.append("    public static final int ").append(e.name().toUpperCase(java.util.Locale.ROOT))
                    .append(" = ").append(e.nr()).append(";\n");
        }
        s.append("\n    /** One line per entry: number, name. */\n    private static final String TABLE = \"\"\"\n");
        for (Entry e : entries) s.append("        ").append(e.nr()).append(' ').append(e.name()).append('\n');
        s.append("""
                        \""";

                    private static final String[] NAMES;
                    private static final Map<String, Integer> NUMBERS = new HashMap<>();
                    private static final int[] ALL;

                    static {
                        String[] lines = TABLE.strip().split("\\n");
                        int max = 0;
                        int[] nrs = new int[lines.length];
                        String[] names = new String[lines.length];
                        for (int i = 0; i < lines.length; i++) {
                            String[] f = lines[i].strip().split(" ");
                            nrs[i] = Integer.parseInt(f[0]);
                            names[i] = f[1];
                            max = Math.max(max, nrs[i]);
                        }
                        NAMES = new String[max + 1];
                        for (int i = 0; i < nrs.length; i++) {
                            if (NAMES[nrs[i]] != null || NUMBERS.put(names[i], nrs[i]) != null) {
                                throw new ExceptionInInitializerError("duplicate syscall entry: " + lines[i]);
                            }
                            NAMES[nrs[i]] = names[i];
                        }
                        ALL = Arrays.stream(nrs).sorted().toArray();
                    }

                    /** The number of a syscall by its table name ({@code "openat"}), or -1 if unknown. */
                    public static int number(String name) {
                        Integer nr = name == null ? null : NUMBERS.get(name);
                        return nr == null ? -1 : nr;
                    }

                    /** The table name of a syscall number, or null if the number is not an x86_64 syscall. */
                    public static String name(int nr) {
                        return nr >= 0 && nr < NAMES.length ? NAMES[nr] : null;
                    }

                    /** Every syscall number of the table, ascending. */
                    public static int[] all() {
                        return ALL.clone();
                    }

                    /** The highest syscall number in the table. */
                    public static int max() {
                        return NAMES.length - 1;
                    }
                }
                """);
        return s.toString();
    }

    static String table() {
        try {
            return Files.readString(TABLE, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Rewrites Syscalls.java from the table (run from the project root). */
    public static void main(String[] args) throws IOException {
        Files.writeString(SOURCE, generate(table()), StandardCharsets.ISO_8859_1);
        System.out.println("wrote " + SOURCE);
    }
}
