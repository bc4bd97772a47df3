package dev.jsyd.it.escape;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.it.Syd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The supervisor carries out the program's calls, and it runs as root with every capability. Each
 * test makes one call the program has no right to, three times with the same probe
 * (src/test/c/rights-probe.c): natively with root's full rights, as the supervisor would make it
 * (the call succeeds: the attack works with the supervisor's rights); natively with exactly the
 * program's rights (its uid, or the capability set syd's launcher leaves it); and under syd, where
 * the call is notified and emulated: the answer must be the native one of the program, never the
 * supervisor's. The policy lets everything through and refuses one path nobody uses, so that every
 * call is notified and emulated (see {@link Syd#NOTIFY_ALL}).
 */
class RightsEscapeIT {
    @TempDir static Path tmp;

    /** Everything allowed, every category able to refuse: every call is emulated by the supervisor. */
    static final List<String> EMULATE_ALL = List.of("-m", "allow/all+/***", "-m", "allow/net/bind,net/connect+any!0-65535",
            "-m", Syd.NOTIFY_ALL);
    /** The same with SafeSetID rules that let root become nobody. */
    static final List<String> AS_NOBODY = concat(EMULATE_ALL, "-m", "setuid+0:65534", "-m", "setgid+0:65534");
    static final String[] NOBODY = {"gid=65534", "uid=65534"};

    /** The capability set the launcher leaves a root program (read under syd), as a caps= step. */
    static String programCaps;
    static Path secret;

    @BeforeAll
    static void setUp() throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        secret = tmp.resolve("secret");
        Files.writeString(secret, "SECRET\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
    }

    /** The caps= step of the capability set the launcher leaves a root program (read under syd once). */
    static synchronized String programCaps() throws Exception {
        if (programCaps == null) {
            var r = Escape.syd(EMULATE_ALL, "grep", "^CapEff:", "/proc/self/status");
            assertThat(r.status()).as(r.toString()).isZero();
            programCaps = "caps=" + r.out().substring("CapEff:".length()).trim();
        }
        return programCaps;
    }

    static List<String> concat(List<String> a, String... b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(List.of(b));
        return out;
    }

    static String[] args(String[] steps, String... action) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Syd.probe("rights-probe").toString());
        cmd.addAll(List.of(steps));
        cmd.addAll(List.of(action));
        return cmd.toArray(String[]::new);
    }

    /** The probe natively with these steps: its last line. */
    static String nat(String[] steps, String... action) throws Exception {
        var r = Escape.nativeRun(args(steps, action));
        return lastLine(r.out());
    }

    /** The probe under syd with {@code policy}: its last line. */
    static String syd(List<String> policy, String[] steps, String... action) throws Exception {
        var r = Syd.run(concat(concat(policy, "--"), args(steps, action)), null, Map.of(), Duration.ofSeconds(90));
        assertThat(r.status()).as(r.toString()).isIn(0, 1);
        return lastLine(r.out());
    }

    static String lastLine(String out) {
        String[] lines = out.strip().split("\n");
        return lines[lines.length - 1];
    }

    static final String[] NONE = {};

    /** Asserts the attack works with root's rights, fails with the program's, and fails the same way under syd. */
    static void sameAsNative(List<String> policy, String[] programSteps, String expectedNative, String... action) throws Exception {
        assertThat(nat(NONE, action)).as("with the supervisor's rights").startsWith("ok");
        assertThat(nat(programSteps, action)).as("natively with the program's rights").isEqualTo(expectedNative);
        assertThat(syd(policy, programSteps, action)).as("under syd").isEqualTo(expectedNative);
    }

    /**
     * A name opened in a directory fd the program holds, below a directory it cannot search any
     * more (opened with root's rights before it became nobody): the kernel does not walk to the
     * fd, so the open works; under syd too, though the supervisor's quick way names the
     * directory and walks to it from "/" (EACCES there sends it the long way, from the fd).
     */
    @Test
    void aNameInAHeldDirectoryOpensThoughItsPathIsNotSearchable() throws Exception {
        Path locked = tmp.resolve("locked"), inner = locked.resolve("inner");
        Files.createDirectories(inner);
        Files.writeString(inner.resolve("file"), "x");
        Files.setPosixFilePermissions(inner, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(inner.resolve("file"), PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwx------"));
        String[] held = {"dir=" + inner, "gid=65534", "uid=65534"};
        assertThat(nat(NOBODY, "open", inner.resolve("file").toString(), "r")).as("by its path, as nobody").isEqualTo("err EACCES");
        String expected = nat(held, "openat-held", "file");
        assertThat(expected).as("in the held directory, natively").startsWith("ok");
        assertThat(syd(AS_NOBODY, held, "openat-held", "file")).as("under syd").isEqualTo(expected);
        assertThat(syd(AS_NOBODY, held, "openat-held", "missing")).isEqualTo(nat(held, "openat-held", "missing"));
    }

    static String[] caps(String... more) throws Exception {
        List<String> s = new ArrayList<>(List.of(programCaps()));
        s.addAll(List.of(more));
        return s.toArray(String[]::new);
    }

    @Test
    void rootOnlyFileAfterBecomingNobody() throws Exception {
        sameAsNative(AS_NOBODY, NOBODY, "err EACCES", "open", secret.toString(), "r");
        // The same under Syd's everyday profile (reads and writes of /tmp allowed).
        List<String> user = List.of("-p", "user", "-m", "allow/exec,read,stat,walk+" + Syd.HOME + "/***",
                "-m", "setuid+0:65534", "-m", "setgid+0:65534", "-m", Syd.NOTIFY_ALL);
        assertThat(syd(user, NOBODY, "open", secret.toString(), "r")).isEqualTo("err EACCES");
        // access(2) answers with the real ids, as natively.
        assertThat(nat(NOBODY, "access", secret.toString(), "r")).isEqualTo("err EACCES");
        assertThat(syd(AS_NOBODY, NOBODY, "access", secret.toString(), "r")).isEqualTo("err EACCES");
    }

    @Test
    void etcPasswdForWritingAfterBecomingNobody() throws Exception {
        sameAsNative(AS_NOBODY, NOBODY, "err EACCES", "open", "/etc/passwd", "w");
    }

    @Test
    void kernelLogWithoutCapSyslog() throws Exception {
        sameAsNative(EMULATE_ALL, caps(), "err EPERM", "open", "/dev/kmsg", "r");
    }

    @Test
    void physicalPageNumbersWithoutCapSysAdmin() throws Exception {
        assertThat(nat(NONE, "pagemap")).isEqualTo("ok present 1 pfn nonzero");
        assertThat(nat(caps(), "pagemap")).isEqualTo("ok present 1 pfn zero");
        assertThat(syd(EMULATE_ALL, caps(), "pagemap")).isEqualTo("ok present 1 pfn zero");
    }

    @Test
    void memoryOfARootProcessOutsideTheSandbox() throws Exception {
        Process outside = new ProcessBuilder("sleep", "120").start();
        try {
            String pid = Long.toString(outside.pid());
            assertThat(nat(NONE, "procmem", pid)).as("with the supervisor's rights").startsWith("ok");
            assertThat(nat(caps(), "procmem", pid)).as("natively with the program's rights").isEqualTo("err EACCES");
            // Under syd the process is not even there: /proc of processes outside the sandbox is
            // hidden (ReachEscapeIT); with that relaxed, the program's rights refuse it as natively.
            assertThat(syd(EMULATE_ALL, caps(), "procmem", pid)).as("under syd").isEqualTo("err ENOENT");
            List<String> relaxed = new ArrayList<>(EMULATE_ALL);
            relaxed.addAll(List.of("-m", "trace/allow_unsafe_proc_files:1"));
            assertThat(syd(relaxed, caps(), "procmem", pid)).as("under syd, pid hiding relaxed").isEqualTo("err EACCES");
        } finally {
            outside.destroyForcibly().waitFor();
        }
    }

    @Test
    void fileCapabilitiesAndTrustedAttributes() throws Exception {
        Path f = Files.writeString(tmp.resolve("xattr"), "x");
        sameAsNative(EMULATE_ALL, caps(), "err EPERM", "setcap", f.toString());
        sameAsNative(EMULATE_ALL, caps(), "err EPERM", "setxattr", f.toString(), "trusted.jsyd", "x");
    }

    @Test
    void fanotifyOfAWholeFileSystem() throws Exception {
        sameAsNative(EMULATE_ALL, caps(), "err EPERM", "fanotify", tmp.toString());
    }

    @Test
    void deviceNodeWithoutCapMknod() throws Exception {
        Path dev = tmp.resolve("null-again");
        assertThat(nat(NONE, "mknod", dev.toString())).isEqualTo("ok");
        Files.delete(dev);
        assertThat(nat(caps(), "mknod", dev.toString())).isEqualTo("err EPERM");
        assertThat(syd(EMULATE_ALL, caps(), "mknod", dev.toString())).isEqualTo("err EPERM");
        assertThat(dev).doesNotExist();
    }

    @Test
    void lowPortAfterDroppingNetBindService() throws Exception {
        sameAsNative(EMULATE_ALL, caps("drop=10"), "err EACCES", "bind", "80");
    }

    @Test
    void chownToAnotherUserWithoutCapChown() throws Exception {
        Path f = Files.writeString(tmp.resolve("owned"), "x");
        sameAsNative(EMULATE_ALL, caps("drop=0"), "err EPERM", "chown", f.toString(), "1");
        Files.setOwner(f, f.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("root"));
    }

    @Test
    void eachThreadWithItsOwnCapabilities() throws Exception {
        // A file root may read only with CAP_DAC_OVERRIDE (owned by nobody, mode 0600). One thread
        // drops CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH (capset is per thread), the other keeps
        // them: each open is answered with its own thread's rights.
        Path f = Files.writeString(tmp.resolve("nobodys"), "x");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        Files.setOwner(f, f.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        assertThat(nat(caps(), "threads", f.toString())).isEqualTo("main ok thread err EACCES");
        assertThat(syd(EMULATE_ALL, caps(), "threads", f.toString())).isEqualTo("main ok thread err EACCES");
    }

    @Test
    void aProgramThatIsNotDumpableStillReachesItsOwnObjects() throws Exception {
        // After becoming nobody the program is not dumpable: the supervisor, holding its identity,
        // is refused its memory, fds and /proc by ptrace checks the program itself is exempt from.
        // Those are retried with CAP_SYS_PTRACE for that one call (docs/EMULATION.md).
        Path d = Files.createDirectories(tmp.resolve("pub"));
        Files.writeString(d.resolve("f"), "x");
        String expected = "dumpable 0 chdir ok relative ok exe ok maps ok fdlink ok";
        assertThat(nat(NOBODY, "own", d.toString(), "f")).isEqualTo(expected);
        assertThat(syd(AS_NOBODY, NOBODY, "own", d.toString(), "f")).isEqualTo(expected);
    }
}
