package dev.jsyd.supervisor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.zip.CRC32;

/**
 * Finds the pre-exec launcher: the {@code jsyd.launcher} system property (set by bin/syd to the
 * built file), else the copy inside the jar, extracted once to a private directory
 * ({@code $XDG_RUNTIME_DIR/jsyd} or {@code /tmp/jsyd-UID}, mode 0700) under a name that carries
 * its checksum, so a changed launcher never reuses a stale file.
 */
public final class LauncherBinary {
    private LauncherBinary() {}

    private static final String RESOURCE = "/dev/jsyd/native/syd-launch";
    private static volatile String cached;

    public static String path() throws IOException {
        String p = cached;
        if (p != null) return p;
        String prop = System.getProperty("jsyd.launcher");
        if (prop != null && Files.isExecutable(Path.of(prop))) return cached = prop;
        byte[] bytes;
        try (InputStream in = LauncherBinary.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IOException("the launcher is missing from the jar (" + RESOURCE + ")");
            bytes = in.readAllBytes();
        }
        CRC32 crc = new CRC32();
        crc.update(bytes);
        String runtime = System.getenv("XDG_RUNTIME_DIR");
        Path dir = runtime != null && Files.isDirectory(Path.of(runtime))
                ? Path.of(runtime, "jsyd")
                : Path.of(System.getProperty("java.io.tmpdir"), "jsyd-" + new com.sun.security.auth.module.UnixSystem().getUid());
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        if (!Files.getOwner(dir).getName().equals(System.getProperty("user.name")) && !isOwnedByMe(dir)) {
            throw new IOException(dir + " is not owned by this user; refusing to run a launcher from it");
        }
        Path target = dir.resolve("syd-launch-" + Long.toHexString(crc.getValue()) + "-" + bytes.length);
        if (!Files.isExecutable(target) || Files.size(target) != bytes.length) {
            Path tmp = Files.createTempFile(dir, "syd-launch", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.write(tmp, bytes);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        return cached = target.toString();
    }

    private static boolean isOwnedByMe(Path dir) throws IOException {
        Object uid = Files.getAttribute(dir, "unix:uid");
        return uid instanceof Integer i && i == new com.sun.security.auth.module.UnixSystem().getUid();
    }
}
