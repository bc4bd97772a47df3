package dev.jsyd.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.sys.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileFactsTest {
    /** A file that could not be read once (no fd) is not remembered as "no ELF": the next look reads it. */
    @TempDir Path tmp;

    @Test
    void aFailedReadIsNotKept() throws Exception {
        String sh = java.nio.file.Files.copy(Path.of("/bin/true"), tmp.resolve("prog")).toString(); // an inode seen by no one

        try (Files files = new Files()) {
            FileStat st = FileStat.ofPath(files, sh);
            assertThat(st).isNotNull();
            assertThat(FileFacts.kind(files, -1, st)).isEqualTo(FileFacts.Kind.OTHER);
            int fd = files.openat(dev.jsyd.abi.OpenFlags.AT_FDCWD, sh, dev.jsyd.abi.OpenFlags.O_RDONLY | dev.jsyd.abi.OpenFlags.O_CLOEXEC, 0);
            assertThat(fd).isNotNegative();
            try {
                FileFacts.Kind k = FileFacts.kind(files, fd, st);
                assertThat(k).isNotEqualTo(FileFacts.Kind.OTHER);
                assertThat(FileFacts.knownKind(st)).isEqualTo(k);
            } finally {
                Files.close(fd);
            }
        }
    }
}
