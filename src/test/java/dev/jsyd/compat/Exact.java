package dev.jsyd.compat;

import dev.jsyd.it.Syd;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a program with an exact argv and environment, byte for byte, whatever this JVM's locale
 * (ProcessBuilder would encode both with it): through the {@code hexexec} probe, which gets them
 * in hex. Outputs come back as bytes.
 */
final class Exact {
    private Exact() {}

    /** What a run gave: exit status, stdout and stderr as bytes. */
    record Run(int status, byte[] out, byte[] err) {
        String outText() { return new String(out, StandardCharsets.ISO_8859_1); }

        String errText() { return new String(err, StandardCharsets.UTF_8); }

        @Override
        public String toString() {
            return "status " + status + "\n--- stdout\n" + new String(out, StandardCharsets.UTF_8) + "--- stderr\n" + errText();
        }
    }

    static byte[] utf8(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    /** Bytes of a Latin-1 string (one char per byte), for names with invalid UTF-8. */
    static byte[] raw(String s) { return s.getBytes(StandardCharsets.ISO_8859_1); }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) n += p.length;
        byte[] out = new byte[n];
        int off = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, off, p.length);
            off += p.length;
        }
        return out;
    }

    /** Runs {@code argv} (argv[0] is the file, an absolute path) with exactly {@code env}, in {@code cwd}. */
    static Run run(List<byte[]> argv, List<byte[]> env, Path cwd, Duration timeout) throws IOException, InterruptedException {
        HexFormat hex = HexFormat.of();
        List<String> cmd = new ArrayList<>();
        cmd.add(Syd.probe("hexexec").toString());
        for (byte[] e : env) {
            cmd.add("-e");
            cmd.add(hex.formatHex(e));
        }
        cmd.add("--");
        for (byte[] a : argv) cmd.add(hex.formatHex(a));
        return run(new ProcessBuilder(cmd).directory(cwd.toFile()), timeout);
    }

    /** Runs {@code pb} with stdin from /dev/null, stdout and stderr collected; kills it after {@code timeout}. */
    static Run run(ProcessBuilder pb, Duration timeout) throws IOException, InterruptedException {
        Path out = Files.createTempFile("exact-out", ".bin"), err = Files.createTempFile("exact-err", ".bin");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor();
                throw new AssertionError("did not finish within " + timeout + ": " + pb.command() + "\n"
                        + Files.readString(err, StandardCharsets.ISO_8859_1));
            }
            return new Run(p.exitValue(), Files.readAllBytes(out), Files.readAllBytes(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** {@code bin/syd} followed by {@code args}, as an argv for {@link #run}. */
    static List<byte[]> syd(List<byte[]> args) {
        List<byte[]> argv = new ArrayList<>();
        argv.add(utf8(Syd.SYD.toString()));
        argv.addAll(args);
        return argv;
    }
}
