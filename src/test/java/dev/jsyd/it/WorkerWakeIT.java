package dev.jsyd.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * How many of the supervisor's idle workers the kernel wakes for one notification: one
 * (docs/POOL.md, "One waiter per notification"). Counted on a real run from the workers' own
 * {@code voluntary_ctxt_switches} (each time a worker goes to sleep is one), not timed.
 */
class WorkerWakeIT {
    static final int CALLS = 2000;

    @Test
    void oneOfFourIdleWorkersWakesPerNotification() throws Exception {
        // Four core workers and no extra; a single-threaded program makes CALLS notified stats
        // between two lines read from stdin, so the count brackets only those calls.
        ProcessBuilder pb = new ProcessBuilder(Syd.SYD.toString(), "-poff", "-m", "sandbox/all:on",
                "-m", "allow/all+/***", "-m", Syd.NOTIFY_ALL, "--", "sh", "-c",
                "read a; i=0; while [ $i -lt " + CALLS + " ]; do [ -e /etc/hostname ]; i=$((i+1)); done;"
                        + " echo done; read b");
        pb.environment().put("SYD_NPROC", "4");
        pb.environment().put("SYD_NPROC_MAX", "4");
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process syd = pb.start();
        try (OutputStream in = syd.getOutputStream();
             BufferedReader out = new BufferedReader(new InputStreamReader(syd.getInputStream(), StandardCharsets.UTF_8))) {
            long workers = awaitWorkers(syd.pid(), 4);
            assertThat(workers).isEqualTo(4);
            long before = workerSleeps(syd.pid());
            in.write("go\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
            assertThat(out.readLine()).isEqualTo("done");
            long sleeps = workerSleeps(syd.pid()) - before;
            // One worker wakes, handles and sleeps again per call: ~CALLS. With every idle worker
            // woken (seccomp's own wait in NOTIF_RECV is not exclusive) it was 2.3 × CALLS on main (4 516 here, 1 690 with one woken).
            assertThat(sleeps).as("worker sleeps for %d notified calls", CALLS)
                    .isGreaterThanOrEqualTo(CALLS / 4).isLessThan(3L * CALLS / 2);
            in.write("end\n".getBytes(StandardCharsets.UTF_8));
        } finally {
            if (!syd.waitFor(30, TimeUnit.SECONDS)) syd.destroyForcibly();
        }
        assertThat(syd.exitValue()).isZero();
    }

    /** The number of {@code syd_emu_*} threads of {@code pid}, once at least {@code n} have started. */
    private static long awaitWorkers(long pid, int n) throws IOException, InterruptedException {
        for (int i = 0; i < 600; i++) {
            long count = workerTasks(pid).size();
            if (count >= n) return count;
            Thread.sleep(50);
        }
        return workerTasks(pid).size();
    }

    private static List<Path> workerTasks(long pid) throws IOException {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            return tasks.filter(t -> {
                try {
                    return Files.readString(t.resolve("comm")).startsWith("syd_emu_");
                } catch (IOException e) {
                    return false;
                }
            }).toList();
        }
    }

    /** The workers' voluntary context switches summed: how many times they went to sleep. */
    private static long workerSleeps(long pid) throws IOException {
        long sum = 0;
        for (Path t : workerTasks(pid)) {
            for (String line : Files.readAllLines(t.resolve("status"))) {
                if (line.startsWith("voluntary_ctxt_switches:")) sum += Long.parseLong(line.substring(24).trim());
            }
        }
        return sum;
    }
}
