package dev.jsyd.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code syd --check}: are we running inside a sandbox? True when {@code /dev/syd} answers (an
 * unlocked sandbox), or when this process is under a seccomp filter and traced — every process of
 * a jsyd sandbox is both (the supervisor's tracer follows the whole tree), even once the lock
 * hides {@code /dev/syd}.
 */
final class SydCheck {
    private SydCheck() {}

    static boolean inside() {
        if (Files.exists(Path.of("/dev/syd"))) return true;
        boolean filtered = false, traced = false;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Seccomp:")) filtered = line.substring(8).trim().equals("2");
                if (line.startsWith("TracerPid:")) traced = !line.substring(10).trim().equals("0");
            }
        } catch (IOException e) {
            return false;
        }
        return filtered && traced;
    }
}
