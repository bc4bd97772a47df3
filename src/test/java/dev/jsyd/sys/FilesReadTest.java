package dev.jsyd.sys;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Files#readSmallFile}: /proc/PID/status in one read, files of many records read whole. */
class FilesReadTest {
    @Test
    void statusIsReadWhole() throws Exception {
        try (Files files = new Files()) {
            String status = files.readSmallFile("/proc/self/status");
            List<String> jdk = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"), StandardCharsets.ISO_8859_1);
            assertThat(status).endsWith("\n");
            // The first and last lines (Name, and the last field the kernel prints) are there.
            assertThat(status).startsWith(jdk.get(0) + "\n");
            assertThat(status).contains("\n" + jdk.get(jdk.size() - 1).split(":")[0] + ":");
        }
    }

    @Test
    void mapsLongerThanOneReadAreReadWhole() throws Exception {
        try (Files files = new Files()) {
            String maps = files.readSmallFile("/proc/self/maps");
            List<String> jdk = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/maps"), StandardCharsets.ISO_8859_1);
            assertThat(maps.length()).as("a JVM's maps are longer than one read's buffer").isGreaterThan(8192);
            String[] lines = maps.split("\n");
            // The JVM maps and unmaps as it runs: the last mapping (the stack or [vsyscall]) is the same.
            assertThat(lines[lines.length - 1]).isEqualTo(jdk.get(jdk.size() - 1));
            assertThat(maps).endsWith("\n");
        }
    }
}
