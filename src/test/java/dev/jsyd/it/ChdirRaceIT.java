package dev.jsyd.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An allowed chdir is answered CONTINUE (the cwd cannot be emulated), so a second thread can make
 * the kernel's chdir land in another directory than the checked one. kernel/ChdirWatch verifies
 * the real cwd at the thread's next call and kills a process that landed in a denied directory.
 */
class ChdirRaceIT {
    @TempDir Path tmp;

    @Test
    void aRacedChdirIntoADeniedDirectoryIsCaught() throws Exception {
        Path ok = Files.createDirectories(tmp.resolve("ok")), no = Files.createDirectories(tmp.resolve("no"));
        Files.writeString(ok.resolve("f"), "");
        Files.writeString(no.resolve("f"), "");
        String okReal = ok.toRealPath().toString(), noReal = no.toRealPath().toString();
        String probe = Syd.probe().toString();
        Process nat = new ProcessBuilder(probe, "chdir-race", "200000", okReal, noReal).start();
        String nativeOut = new String(nat.getInputStream().readAllBytes());
        assertThat(nat.waitFor()).as("the race is won natively: " + nativeOut).isEqualTo(42);
        var r = Syd.run(List.of("-poff", "-m", "sandbox/chdir,read:on", "-m", "allow/chdir,read+/***",
                "-m", "deny/chdir+" + noReal + "/***", "-m", "deny/read+/nonexistent/jsyd", "--",
                probe, "chdir-race", "200000", okReal, noReal), null, Map.of("SYD_LOG", "off"), Duration.ofSeconds(120));
        assertThat(r.out()).as(r.toString()).doesNotContain("in-denied");
        assertThat(r.status()).as(r.toString()).isIn(0, 137);
    }

    @Test
    void anOrdinaryChdirIsNotDisturbed() throws Exception {
        Path d = Files.createDirectories(tmp.resolve("d"));
        var r = Syd.run("-poff", "-m", "sandbox/chdir,read:on", "-m", "allow/chdir,read+/***", "-m", "deny/read+/nonexistent/x",
                "--", "sh", "-c", "cd " + d + " && cat /dev/null && pwd && cd /nonexistent-dir; cat /dev/null; echo done");
        assertThat(r.out()).as(r.toString()).isEqualTo(d.toRealPath() + "\ndone\n");
        assertThat(r.status()).isZero();
    }
}
