package dev.jsyd.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code syd --check}: are we running inside a sandbox? True when this process is under a seccomp filter with a user-notification listener held by a supervisor. */
final class SydCheck {
    private SydCheck() {}

    static boolean inside() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Seccomp:")) return line.substring(8).trim().equals("2") && Files.exists(Path.of("/dev/syd"));
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }
}
