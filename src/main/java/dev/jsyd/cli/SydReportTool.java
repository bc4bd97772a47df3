package dev.jsyd.cli;

import dev.jsyd.report.HtmlReport;
import dev.jsyd.report.JsonReport;
import dev.jsyd.report.LogReader;
import dev.jsyd.report.LogRecord;
import dev.jsyd.report.RunReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code syd-report LOG [-o FILE] [--format html|json]}: the run report of a saved log (JSON
 * lines; {@code -} reads standard input). Without {@code -o} the report goes to standard output.
 * Exit status 0, 1 when a file cannot be read or written, 22 for a bad command line.
 */
final class SydReportTool {
    private SydReportTool() {}

    static final String USAGE = """
            Usage: syd-report [-o FILE] [--format html|json] LOG
              LOG            a syd log: one JSON record per line (SYD_LOG=info adds the process records); - for stdin
              -o FILE        write the report to FILE (default: standard output)
              --format F     html (one self-contained page, the default) or json
            """;

    static int run(String[] args, PrintStream out, PrintStream err) {
        String input = null, output = null, format = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "-h", "--help" -> {
                    out.print(USAGE);
                    return 0;
                }
                case "-o", "--format", "-f" -> {
                    if (i + 1 >= args.length) {
                        err.println("syd-report: option " + a + " needs an argument; see syd-report -h");
                        return SydCommand.USAGE;
                    }
                    if (a.equals("-o")) output = args[++i];
                    else format = args[++i];
                }
                default -> {
                    if (a.startsWith("-") && !a.equals("-")) {
                        err.println("syd-report: unknown option `" + a + "'; see syd-report -h");
                        return SydCommand.USAGE;
                    }
                    if (input != null) {
                        err.println("syd-report: one log at a time (got `" + input + "' and `" + a + "')");
                        return SydCommand.USAGE;
                    }
                    input = a;
                }
            }
        }
        if (input == null) {
            err.print(USAGE);
            return SydCommand.USAGE;
        }
        if (format != null && !format.equals("html") && !format.equals("json")) {
            err.println("syd-report: --format takes `html' or `json', not `" + format + "'");
            return SydCommand.USAGE;
        }
        LogReader.Result log;
        try (InputStream in = input.equals("-") ? System.in : Files.newInputStream(Path.of(input))) {
            log = LogReader.read(in);
        } catch (IOException e) {
            err.println("syd-report: cannot read the log `" + input + "': " + e.getClass().getSimpleName());
            return 1;
        }
        boolean json = "json".equals(format) || format == null && output != null && output.endsWith(".json");
        byte[] page = render(log.records(), log.skipped(), json);
        if (output == null) {
            out.write(page, 0, page.length);
            out.flush();
            return 0;
        }
        return save("syd-report", Path.of(output), page, err) ? 0 : 1;
    }

    static byte[] render(List<LogRecord> records, int skipped, boolean json) {
        RunReport r = RunReport.of(records, skipped);
        return json ? JsonReport.render(r) : HtmlReport.render(r).getBytes(StandardCharsets.UTF_8);
    }

    /** Writes the report of {@code records} to {@code file}: JSON when its name ends in .json, else HTML. */
    static boolean write(String tool, List<LogRecord> records, Path file, PrintStream err) {
        return save(tool, file, render(records, 0, file.toString().endsWith(".json")), err);
    }

    private static boolean save(String tool, Path file, byte[] data, PrintStream err) {
        try {
            Files.write(file, data);
            return true;
        } catch (IOException e) {
            err.println(tool + ": cannot write the report `" + file + "': " + e.getClass().getSimpleName());
            return false;
        }
    }
}
