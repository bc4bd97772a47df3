package dev.jsyd.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.abi.OpenFlags;
import dev.jsyd.policy.Origin;
import dev.jsyd.policy.Policy;
import dev.jsyd.policy.Sandbox;
import dev.jsyd.sys.Files;
import dev.jsyd.sys.StatCalls;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dropping hidden records from a real getdents buffer (the supervisor's side of the emulation). */
class DirentHandlersTest {
    @TempDir Path tmp;

    static Sandbox sandbox(String... commands) throws Exception {
        Policy p = Policy.defaults();
        p.apply("sandbox/all:off", Origin.argument(0));
        for (String c : commands) p.apply(c, Origin.argument(1));
        return p.snapshot();
    }

    /** Names in the first {@code len} bytes of the buffer, in order. */
    static List<String> names(StatCalls sc, int len, boolean old) {
        List<String> out = new ArrayList<>();
        for (int off = 0; off < len; off += sc.u16(off + 16)) {
            StringBuilder b = new StringBuilder();
            for (int i = off + (old ? 18 : 19); sc.u8(i) != 0; i++) b.append((char) sc.u8(i));
            out.add(b.toString());
        }
        return out;
    }

    List<String> read(boolean old, Sandbox sb, int count) throws Exception {
        String dir = tmp.toRealPath().toString();
        try (Files files = new Files(); StatCalls sc = new StatCalls()) {
            int fd = files.openat(OpenFlags.AT_FDCWD, dir, OpenFlags.O_RDONLY | OpenFlags.O_DIRECTORY | OpenFlags.O_CLOEXEC, 0);
            assertThat(fd).isNotNegative();
            try {
                List<String> all = new ArrayList<>();
                while (true) {
                    int n = (int) sc.getdents(old, fd, count);
                    assertThat(n).isNotNegative();
                    if (n == 0) return all;
                    int kept = DirentHandlers.compact(sc, n, old, dir, sb, null);
                    assertThat(kept).isLessThanOrEqualTo(n);
                    assertThat(kept % 8).isZero(); // records stay aligned
                    all.addAll(names(sc, kept, old));
                }
            } finally {
                Files.close(fd);
            }
        }
    }

    @Test
    void hiddenRecordsAreDroppedAndTheRestKeptWhole() throws Exception {
        for (int i = 0; i < 50; i++) java.nio.file.Files.writeString(tmp.resolve((i % 3 == 0 ? "hide-" : "keep-") + i), "");
        String dir = tmp.toRealPath().toString();
        Sandbox sb = sandbox("sandbox/stat:on", "allow/stat+/***", "deny/stat+" + dir + "/hide-*");
        for (boolean old : new boolean[] {false, true}) {
            for (int count : new int[] {64, 200, 4096, 65536}) {
                List<String> names = read(old, sb, count);
                assertThat(names).as("old=" + old + " count=" + count).contains(".", "..").hasSize(2 + 33)
                        .allMatch(n -> n.startsWith("keep-") || n.equals(".") || n.equals(".."));
            }
        }
    }

    @Test
    void dotAndDotDotStayEvenWhenEverythingIsHidden() throws Exception {
        java.nio.file.Files.writeString(tmp.resolve("x"), "");
        Sandbox sb = sandbox("sandbox/stat:on");
        assertThat(read(false, sb, 4096)).containsExactlyInAnyOrder(".", "..");
    }
}
