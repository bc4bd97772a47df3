package dev.jsyd.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code rlimit/*}: the launcher sets soft and hard limit; ulimit and /proc/self/limits show them. */
class LimitsIT {


    @Test
    void nofileIsSeenByUlimitAndProcLimits() throws Exception {
        String show = "ulimit -n; ulimit -Hn; grep 'Max open files' /proc/self/limits | tr -s ' '";
        assertThat(Syd.nativeSh(show)).doesNotStartWith("17\n");
        var r = Syd.sh(List.of("-poff", "-m", "rlimit/nofile:17"), show);
        assertThat(r.out()).as(r.toString()).isEqualTo("17\n17\nMax open files 17 17 files \n");
        // The limit is real: the 18th descriptor cannot be opened.
        var fds = Syd.sh(List.of("-poff", "-p", "nopie", "-m", "rlimit/nofile:17"), // Debian 12's python3.11 is not PIE
                "python3 -c 'import os\nn = 0\ntry:\n while True: os.open(\"/dev/null\", os.O_RDONLY); n += 1\nexcept OSError as e: print(e.errno)'");
        assertThat(fds.out()).as(fds.toString()).isEqualTo("24\n"); // EMFILE
    }

    @Test
    void everyLimitTakesItsValueSyntax() throws Exception {
        // Values at or below this machine's hard limits: raising one needs CAP_SYS_RESOURCE.
        var r = Syd.sh(List.of("-poff", "-m", "rlimit/as:1G", "-m", "rlimit/cpu:1m", "-m", "rlimit/fsize:512K",
                "-m", "rlimit/nproc:4000", "-m", "rlimit/stack:inf", "-m", "rlimit/rttime:2s", "-m", "rlimit/memlock:64K",
                "-m", "rlimit/msgqueue:512K", "-m", "rlimit/nice:0", "-m", "rlimit/rtprio:0", "-m", "rlimit/sigpending:99",
                "-m", "rlimit/data:2G", "-m", "rlimit/core:1M"), "tr -s ' ' < /proc/self/limits");
        assertThat(r.out()).as(r.toString())
                .contains("Max address space 1073741824 1073741824 bytes")
                .contains("Max cpu time 60 60 seconds")
                .contains("Max file size 524288 524288 bytes")
                .contains("Max processes 4000 4000 processes")
                .contains("Max stack size unlimited unlimited bytes")
                .contains("Max realtime timeout 2000000 2000000 us")
                .contains("Max locked memory 65536 65536 bytes")
                .contains("Max msgqueue size 524288 524288 bytes")
                .contains("Max nice priority 0 0")
                .contains("Max realtime priority 0 0")
                .contains("Max pending signals 99 99 signals")
                .contains("Max data size 2147483648 2147483648 bytes")
                .contains("Max core file size 1048576 1048576 bytes");
    }

    @Test
    void coreDumpsAreOffUnlessAllowed() throws Exception {
        assertThat(Syd.sh(List.of("-poff"), "ulimit -c").out()).isEqualTo("0\n");
        assertThat(Syd.sh(List.of("-poff", "-m", "trace/allow_unsafe_dumpable:1"), "ulimit -c").out())
                .isEqualTo(Syd.nativeSh("ulimit -c"));
        assertThat(Syd.sh(List.of("-poff", "-m", "rlimit/nofile:17", "-m", "rlimit/nofile:none"), "ulimit -n").out())
                .as("none unsets it").isEqualTo(Syd.nativeSh("ulimit -n"));
    }

    @Test
    void aLimitAboveTheHardLimitFailsClearly() throws Exception {
        // syd as nobody cannot raise the hard limit: it names the step and runs nothing.
        Process p = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--",
                Syd.SYD.toString(), "-poff", "-m", "rlimit/nofile:99999999", "--", "sh", "-c", "echo ran").start();
        String out = new String(p.getInputStream().readAllBytes()), err = new String(p.getErrorStream().readAllBytes());
        assertThat(p.waitFor()).as(err).isEqualTo(1); // EPERM
        assertThat(out).isEmpty();
        assertThat(err).contains("set rlimit/nofile").contains("Operation not permitted").doesNotContain("Exception");
    }
}
