package dev.jsyd.it.layers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.it.Syd;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Memory sandboxing: {@code sandbox/mem}, {@code mem/max}, {@code mem/vm_max}, {@code default/mem} (syd(2), syd(7)). */
class MemIT {
    static Syd.Result run(List<String> policy, String... cmd) throws Exception {
        List<String> args = new ArrayList<>(List.of("-poff"));
        for (String c : policy) args.addAll(List.of("-m", c));
        if (cmd.length > 0 && cmd[0].equals("python3")) args.addAll(List.of("-p", "nopie")); // Debian 12's python3.11 is not PIE
        args.add("--");
        args.addAll(List.of(cmd));
        return Syd.run(args, null, Map.of(), Duration.ofSeconds(60));
    }

    static String probe() throws Exception { return Syd.probe("layers-probe").toString(); }

    @Test
    void aProgramAllocating200MUnderMemMax10MIsRefused() throws Exception {
        String p = probe();
        assertThat(Syd.nativeSh(p + " malloc 200 1")).isEqualTo("ok malloc 200\n");
        var r = run(List.of("sandbox/mem:on", "mem/max:10M"), p, "malloc", "200", "1");
        assertThat(r.out()).as(r.toString()).startsWith("malloc failed at ");
        int at = Integer.parseInt(r.out().trim().substring("malloc failed at ".length()));
        assertThat(at).as("it got a few MiB, never near 200").isBetween(1, 10);
        assertThat(r.err()).contains("\"cap\":\"mem\",\"act\":\"deny\"", "\"tip\":\"configure `mem/max:");
        r = run(List.of("sandbox/mem:on", "mem/max:10M", "default/mem:kill"), p, "malloc", "200", "1");
        assertThat(r.status()).as("default/mem:kill\n" + r).isEqualTo(137);
        r = run(List.of("sandbox/mem:on", "mem/max:10M"), "python3", "-c", "b = bytearray(200 << 20)");
        assertThat(r.err()).as("a real program").contains("MemoryError");
    }

    @Test
    void brkMmapAndMremapAreEachChecked() throws Exception {
        String p = probe();
        assertThat(Syd.nativeSh(p + " brk 50; " + p + " mmap 50; " + p + " mremap 1 50"))
                .isEqualTo("ok brk 50\nok mmap 50\nok mremap 50\n");
        List<String> limit = List.of("sandbox/mem:on", "mem/max:20M");
        assertThat(run(limit, p, "brk", "50").out()).isEqualTo("brk ENOMEM\n");
        assertThat(run(limit, p, "mmap", "50").out()).isEqualTo("mmap ENOMEM\n");
        assertThat(run(limit, p, "mremap", "1", "50").out()).isEqualTo("mremap ENOMEM\n");
        assertThat(run(limit, p, "mmap", "5").out()).as("within the limit").isEqualTo("ok mmap 5\n");
    }

    @Test
    void vmMaxCountsVirtualSize() throws Exception {
        String p = probe();
        var r = run(List.of("sandbox/mem:on", "mem/vm_max:64M"), p, "mmap", "100");
        assertThat(r.out()).as(r.toString()).isEqualTo("mmap ENOMEM\n");
        assertThat(r.err()).contains("mem/vm_max");
        assertThat(run(List.of("sandbox/mem:on", "mem/max:64M"), "python3", "-c",
                "import mmap; m = mmap.mmap(-1, 100 << 20, prot=0); print('reserved')").out())
                .as("a PROT_NONE reservation uses no memory: mem/max lets it through").isEqualTo("reserved\n");
    }

    @Test
    void limitsNeedMemorySandboxingOnAndCanChangeAtRunTime() throws Exception {
        String p = probe();
        assertThat(run(List.of("mem/max:10M"), p, "mmap", "100").out()).as("sandbox/mem off").isEqualTo("ok mmap 100\n");
        var r = run(List.of("lock:off", "sandbox/mem:on"), "sh", "-c",
                p + " mmap 100; test -c /dev/syd/mem/max:10M; " + p + " mmap 100");
        assertThat(r.out()).as(r.toString()).isEqualTo("ok mmap 100\nmmap ENOMEM\n");
    }

    @Test
    void anExecutableFileMappingCheckedByTheTracerCountsToo() throws Exception {
        // with an exec rule, PROT_EXEC mappings of files go to the tracer (exec integrity), not to the memory handler
        java.nio.file.Path big = java.nio.file.Files.createTempFile(Syd.HOME.resolve("target"), "big", ".bin");
        try (var f = new java.io.RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(200L << 20); // sparse
        }
        String py = "import mmap, os\nfd = os.open('" + big + "', os.O_RDONLY)\n"
                + "try:\n  mmap.mmap(fd, 200 << 20, prot=mmap.PROT_READ | mmap.PROT_EXEC, flags=mmap.MAP_PRIVATE); print('mapped')\n"
                + "except OSError as e: print(e.errno)\n";
        try {
            List<String> exec = List.of("sandbox/exec:on", "allow/exec+/***", "deny/exec+/nonexistent/***",
                    "trace/allow_unsafe_exec_nopie:1");
            assertThat(run(exec, "python3", "-c", py).out()).as("no limit").isEqualTo("mapped\n");
            List<String> limited = new ArrayList<>(exec);
            limited.addAll(List.of("sandbox/mem:on", "mem/vm_max:128M"));
            var r = run(limited, "python3", "-c", py);
            assertThat(r.out()).as(r.toString()).isEqualTo("12\n"); // ENOMEM
            assertThat(r.err()).contains("\"cap\":\"mem\"", "mem/vm_max");
        } finally {
            java.nio.file.Files.deleteIfExists(big);
        }
    }
}
