package dev.jsyd.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** A small tree for the file-system-changing tests, plus ways to run probe-modify natively and under syd. */
final class ModifyFixture {
    private ModifyFixture() {}

    /** Every category the modify handlers check. */
    static final String CATS = "mkdir,rmdir,delete,rename,create,symlink,truncate,chmod,chown,chgrp,utime,chdir,"
            + "mkfifo,mkcdev,mkbdev,notify,chroot";

    /** Options that turn every modify category on and allow it everywhere: the handlers run, nothing is denied. */
    static List<String> allowAll() {
        return List.of("-poff", "-m", "sandbox/" + CATS + ":on", "-m", "allow/" + CATS + "+/***", "-m", Syd.NOTIFY_ALL);
    }

    /**
     * Builds the tree under {@code root}: dir/{f,sub/x}, empty/, file, link-dir → dir,
     * link-file → file, dangling → nowhere, loop → loop, fifo, sticky/ (mode 1777).
     */
    static Path build(Path root) throws IOException, InterruptedException {
        Files.createDirectories(root.resolve("dir/sub"));
        Files.writeString(root.resolve("dir/f"), "hello");
        Files.writeString(root.resolve("dir/sub/x"), "x");
        Files.createDirectories(root.resolve("empty"));
        Files.writeString(root.resolve("file"), "data");
        Files.createSymbolicLink(root.resolve("link-dir"), Path.of("dir"));
        Files.createSymbolicLink(root.resolve("link-file"), Path.of("file"));
        Files.createSymbolicLink(root.resolve("dangling"), Path.of("nowhere"));
        Files.createSymbolicLink(root.resolve("loop"), Path.of("loop"));
        Process p = new ProcessBuilder("mkfifo", root.resolve("fifo").toString()).inheritIO().start();
        if (p.waitFor() != 0) throw new AssertionError("mkfifo failed");
        Path sticky = Files.createDirectories(root.resolve("sticky"));
        Files.setAttribute(sticky, "unix:mode", 01777);
        return root;
    }

    /** Runs the probe natively (not under syd); stdout, or the failure. */
    static String nativeRun(List<String> probeArgs) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Syd.probe("probe-modify").toString());
        cmd.addAll(probeArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(false);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) throw new AssertionError("native probe hung");
        if (p.exitValue() != 0) throw new AssertionError("native probe failed: " + err);
        return new String(out, StandardCharsets.UTF_8);
    }

    /** Runs the probe under syd with {@code sydArgs}. */
    static Syd.Result sydRun(List<String> sydArgs, List<String> probeArgs) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(sydArgs);
        cmd.add("--");
        cmd.add(Syd.probe("probe-modify").toString());
        cmd.addAll(probeArgs);
        return Syd.run(cmd, null, Map.of(), Duration.ofSeconds(60));
    }

    /** probe arguments "cd DIR op args : op args ..." from ops written as one string each ("mkdir dir 0755"). */
    static List<String> ops(Path cwd, String... ops) {
        List<String> a = new ArrayList<>(List.of("cd", cwd.toString()));
        for (String op : ops) {
            if (a.size() > 2) a.add(":");
            a.addAll(List.of(op.split(" ")));
        }
        return a;
    }

    /**
     * Everything observable about the tree under {@code root}, entry by entry (not following
     * links): type, mode, owner, size, times, contents of regular files, link targets.
     */
    static Map<String, String> snapshot(Path root) throws IOException {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,size,lastModifiedTime,ino,nlink",
                        LinkOption.NOFOLLOW_LINKS);
                StringBuilder sb = new StringBuilder();
                new TreeMap<>(a).forEach((k, v) -> sb.append(k).append('=').append(v).append(' '));
                if (Files.isSymbolicLink(p)) sb.append("-> ").append(Files.readSymbolicLink(p));
                else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) sb.append("content=").append(Files.readString(p));
                m.put(root.relativize(p).toString(), sb.toString());
            }
        }
        return m;
    }

    static String mode(Path p) throws IOException {
        return Integer.toOctalString((Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777);
    }

    static String perms(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }
}
