package dev.jsyd.supervisor;

import dev.jsyd.abi.Errno;
import dev.jsyd.policy.Bytes;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code cmd/exec!PROG\x1FARG...} (syd(2)): runs a program outside the sandbox on the sandboxed
 * program's request, when the lock lets it use the runtime API. The program is started by the
 * supervisor's JVM (ProcessBuilder): not traced, not filtered, working directory {@code /},
 * standard streams on {@code /dev/null}, the supervisor's environment; the JVM reaps it. It is not
 * waited for: the request is answered 0 as soon as it has been executed, or with the errno of the
 * failed exec.
 */
final class OutsideCommand {
    private OutsideCommand() {}

    static final String PREFIX = "cmd/exec!";
    private static final char UNIT_SEPARATOR = '\u001f';
    private static final Pattern ERROR = Pattern.compile("error=(\\d+)");
    private static final File DEV_NULL = new File("/dev/null");

    /** True for a {@code cmd/exec!} command (a byte string as the program wrote it). */
    static boolean is(String command) { return command.startsWith(PREFIX); }

    /** Runs the command; 0, or a positive errno. */
    static int run(String command) {
        String argument = command.substring(PREFIX.length());
        List<String> argv = new ArrayList<>();
        for (String part : argument.split(String.valueOf(UNIT_SEPARATOR), -1)) argv.add(Bytes.toUtf8(part));
        if (argv.getFirst().isEmpty() || argv.getFirst().indexOf('\0') >= 0) return Errno.EINVAL;
        for (String a : argv) if (a.indexOf('\0') >= 0) return Errno.EINVAL;
        ProcessBuilder pb = new ProcessBuilder(argv)
                .directory(new File("/"))
                .redirectInput(ProcessBuilder.Redirect.from(DEV_NULL))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        try {
            // A forked process inherits the forking thread's credentials: the supervisor's whole
            // identity, not the one the worker holds for the program's call.
            IOException failed = dev.jsyd.sys.Credentials.ofThread().asSupervisor(() -> {
                try {
                    pb.start();
                    return null;
                } catch (IOException e) {
                    return e;
                }
            });
            if (failed != null) throw failed;
            return 0;
        } catch (dev.jsyd.sys.ErrnoException e) {
            return e.errno();
        } catch (IOException e) {
            Matcher m = ERROR.matcher(String.valueOf(e.getMessage()));
            if (m.find()) {
                try {
                    int errno = Integer.parseInt(m.group(1));
                    if (errno > 0 && errno < 4096) return errno;
                } catch (NumberFormatException ignored) {
                    // fall through
                }
            }
            return Errno.ENOENT;
        } catch (RuntimeException e) {
            return Errno.EINVAL;
        }
    }
}
