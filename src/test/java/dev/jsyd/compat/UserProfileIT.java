package dev.jsyd.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code user} profile as root (issue 14, F5): in the home and temporary directories, copying
 * with ownership and attributes, unpacking archives, a database and a shell history work as
 * natively and log nothing.
 */
class UserProfileIT {
    @TempDir Path tmp;

    static final String SCRIPT = """
            set -e
            mkdir -p src/sub && echo data > src/sub/file && ln -s sub/file src/link && mkfifo src/fifo
            chmod 0750 src/sub && chown 1234:2345 src/sub/file
            tar cf a.tar src
            cp -a src copy
            mkdir x && (cd x && tar xf ../a.tar)
            stat -c '%n %u %g %a %F' copy/sub copy/sub/file copy/link copy/fifo x/src/sub/file x/src/link
            python3 -c 'import sqlite3; c = sqlite3.connect("db"); c.execute("create table t(a)"); c.execute("insert into t values (1)"); c.commit(); print(c.execute("select a from t").fetchall())'
            HISTFILE=$PWD/history bash -ic 'echo in an interactive shell; history -s remembered; history -w' 2>/dev/null
            cat history
            """;

    @Test
    void copyingUnpackingDatabasesAndHistoryWorkInTmpAsRoot() throws Exception {
        Job job = new Job(tmp.toRealPath().resolve("job"));
        Files.writeString(job.dir.resolve("run.sh"), SCRIPT);
        Exact.Run nat = job.runNative(List.of("bash", "run.sh"), Duration.ofSeconds(60));
        assertThat(nat.status()).as(nat.toString()).isZero();
        assertThat(nat.outText()).contains("copy/sub/file 1234 2345");
        job.reset();
        Files.writeString(job.dir.resolve("run.sh"), SCRIPT);
        Exact.Run syd = job.runSyd(List.of("-p", "user", "-p", "nopie"), List.of("bash", "run.sh"), Duration.ofSeconds(120));
        assertThat(syd.status()).as(syd.toString()).isZero();
        assertThat(syd.outText()).isEqualTo(nat.outText());
        assertThat(syd.errText()).isEqualTo(nat.errText());
    }
}
