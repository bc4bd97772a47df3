package dev.jsyd.compat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.it.Syd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * fd-based calls from threads other than the main one (issue 14, F1). A notification carries the
 * calling thread's id; the program's fd must be fetched from that thread (pidfd_open of a thread
 * that is not the leader failed, and every fstat, fchmod, ftruncate, listing, accept and connect
 * from a thread came back ENOENT).
 */
class ThreadFdIT {
    @TempDir Path tmp;

    @ParameterizedTest(name = "{0}")
    @EnumSource(Job.Policy.class)
    void sixteenThreadsMakeFdCallsAsNatively(Job.Policy policy) throws Exception {
        Job job = new Job(tmp.toRealPath().resolve("job"));
        List<String> cmd = List.of("./threads-fd", job.dir.resolve("work").toString(), "16", "20");
        Exact.Run nat = prepareAnd(job, () -> job.runNative(cmd, Duration.ofSeconds(60)));
        assertThat(nat.status()).as(nat.toString()).isZero();
        assertThat(nat.outText()).contains("total 2560/2560\n");
        Exact.Run syd = prepareAnd(job, () -> job.runSyd(policy, cmd, Duration.ofSeconds(120)));
        assertThat(syd.status()).as(syd.toString()).isZero();
        assertThat(syd.outText()).isEqualTo(nat.outText());
        assertThat(syd.errText()).isEmpty();
    }

    /**
     * Threads that unshared their fd tables hold different files at the same fd number; each
     * fstat must be answered from the calling thread's own table (a worker keeps the pidfd of
     * the thread it served last: it must never answer another thread's call with it).
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Job.Policy.class, names = {"USER", "NOTIFY_ALL"})
    void threadsWithTheirOwnFdTablesEachStatTheirOwnFile(Job.Policy policy) throws Exception {
        Job job = new Job(tmp.toRealPath().resolve("job"));
        List<String> cmd = List.of("./thread-fdtables", job.dir.resolve("work").toString(), "8", "400");
        Exact.Run nat = prepareTablesAnd(job, () -> job.runNative(cmd, Duration.ofSeconds(60)));
        assertThat(nat.outText()).as(nat.toString()).isEqualTo("calls 3200 wrong 0 failed 0\n");
        Exact.Run syd = prepareTablesAnd(job, () -> job.runSyd(policy, cmd, Duration.ofSeconds(120)));
        assertThat(syd.outText()).as(syd.toString()).isEqualTo(nat.outText());
        assertThat(syd.status()).isZero();
    }

    private static Exact.Run prepareTablesAnd(Job job, Step step) throws Exception {
        job.reset();
        Files.createDirectories(job.dir.resolve("work"));
        Files.copy(Syd.probe("thread-fdtables"), job.dir.resolve("thread-fdtables"), StandardCopyOption.COPY_ATTRIBUTES);
        return step.run();
    }

    interface Step { Exact.Run run() throws Exception; }

    private static Exact.Run prepareAnd(Job job, Step step) throws Exception {
        job.reset();
        Files.createDirectories(job.dir.resolve("work"));
        Files.copy(Syd.probe("threads-fd"), job.dir.resolve("threads-fd"), StandardCopyOption.COPY_ATTRIBUTES);
        return step.run();
    }

    /** The reported symptom: a Python thread's os.fstat and os.listdir failed with ENOENT under -p user. */
    @Test
    void pythonThreadsStatAndList() throws Exception {
        Job job = new Job(tmp.toRealPath().resolve("job"));
        String script = """
                import os, threading
                def work(i):
                    fd = os.open("f%d" % i, os.O_CREAT | os.O_RDWR)
                    os.ftruncate(fd, i)
                    print(i, os.fstat(fd).st_size, len(os.listdir(".")) > 0, flush=True)
                    os.close(fd)
                for i in range(4):
                    t = threading.Thread(target=work, args=(i,)); t.start(); t.join()
                """;
        Files.writeString(job.dir.resolve("t.py"), script);
        Exact.Run nat = job.runNative(List.of("/usr/bin/python3", "t.py"), Duration.ofSeconds(60));
        job.reset();
        Files.writeString(job.dir.resolve("t.py"), script);
        Exact.Run syd = job.runSyd(Job.Policy.USER, List.of("/usr/bin/python3", "t.py"), Duration.ofSeconds(60));
        assertThat(nat.outText()).isEqualTo("0 0 True\n1 1 True\n2 2 True\n3 3 True\n");
        assertThat(syd.outText()).as(syd.toString()).isEqualTo(nat.outText());
        assertThat(syd.status()).isZero();
    }
}
