package dev.jsyd.it.escape;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jsyd.it.Syd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The credentials the supervisor keeps for a new task (Identities): a child or thread takes its
 * forking thread's kept entry at the fork/clone event, before it runs, instead of reading
 * {@code /proc/TID/status} at its first call. The attack: a child served with rights it does not
 * have — its parent's before a setuid, capset or exec, another thread's, or its own before it
 * changed them. Each probe child opens, as its first notified call, a file that only the old rights
 * could open; every open is emulated ({@link Syd#NOTIFY_ALL}), so the supervisor's borrowed
 * identity decides. Natively the old rights open the file (the attack's premise) and the new ones
 * do not (the kernel's truth); under syd every child gets what the kernel gives it.
 */
class CredentialInheritIT {
    @TempDir static Path tmp;
    static Path secret, nobodys;

    static final List<String> POLICY = List.of("-m", "allow/all+/***", "-m", "allow/net/bind,net/connect+any!0-65535",
            "-m", Syd.NOTIFY_ALL, "-m", "setuid+0:65534", "-m", "setgid+0:65534");

    @BeforeAll
    static void files() throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        secret = Files.writeString(tmp.resolve("secret"), "root only\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        // Root may open it only with CAP_DAC_OVERRIDE (or CAP_DAC_READ_SEARCH).
        nobodys = Files.writeString(tmp.resolve("nobodys"), "nobody's\n");
        Files.setPosixFilePermissions(nobodys, PosixFilePermissions.fromString("rw-------"));
        Files.setOwner(nobodys, nobodys.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
    }

    static String[] probe(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Syd.probe("cred-fork").toString()));
        cmd.addAll(List.of(args));
        return cmd.toArray(String[]::new);
    }

    static String nat(String... args) throws Exception {
        var r = Escape.nativeRun(probe(args));
        assertThat(r.status()).as(r.toString()).isZero();
        return r.out().strip();
    }

    static String syd(List<String> policy, String... args) throws Exception {
        List<String> all = new ArrayList<>(policy);
        all.add("--");
        all.addAll(List.of(probe(args)));
        var r = Syd.run(all, null, Map.of(), Duration.ofSeconds(90));
        assertThat(r.status()).as(r.toString()).isZero();
        return r.out().strip();
    }

    /** The probe answers {@code expected} natively and under syd with {@link #POLICY}: the attack is shown natively first. */
    static void sameAsNative(String expected, String... args) throws Exception {
        assertThat(nat(args)).as("natively").isEqualTo(expected);
        assertThat(syd(POLICY, args)).as("under syd").isEqualTo(expected);
    }

    @Test
    void childrenForkedAfterTheParentBecameNobodyAreNobody() throws Exception {
        // 40 children forked as root (they open after the parent's setresuid) and 40 after it.
        sameAsNative("before ok after EACCES", "setuid", secret.toString());
    }

    @Test
    void aThreadThatBecameNobodyAloneForksNobodysWhileRootForksRoots() throws Exception {
        // Credentials are per thread: a child has its forking thread's, not the process leader's.
        sameAsNative("main ok thread EACCES", "thread", secret.toString());
        List<String> user = List.of("-p", "user", "-m", "allow/exec,read,stat,walk+" + Syd.HOME + "/***",
                "-m", "allow/read,stat,walk+" + tmp + "/***", "-m", "setuid+0:65534", "-m", "setgid+0:65534", "-m", Syd.NOTIFY_ALL);
        assertThat(syd(user, "thread", secret.toString())).as("-p user").isEqualTo("main ok thread EACCES");
    }

    @Test
    void capabilitiesDroppedBeforeAForkAreDroppedInTheChild() throws Exception {
        sameAsNative("before ok after EACCES", "capset", nobodys.toString());
    }

    @Test
    void childrenHaveTheGroupsTheirParentSetBeforeForking() throws Exception {
        // A file of group 100 (0640): nobody opens it with group 100 in its list, not without.
        Path group = Files.writeString(tmp.resolve("group100"), "users\n");
        Files.setAttribute(group, "unix:gid", 100);
        Files.setPosixFilePermissions(group, PosixFilePermissions.fromString("rw-r-----"));
        List<String> policy = new ArrayList<>(POLICY);
        policy.addAll(List.of("-m", "setgid+0:100"));
        assertThat(nat("groups", group.toString(), "100")).isEqualTo("children ok");
        assertThat(nat("groups", group.toString(), "65534")).isEqualTo("children EACCES");
        assertThat(syd(policy, "groups", group.toString(), "100")).isEqualTo("children ok");
        assertThat(syd(policy, "groups", group.toString(), "65534")).isEqualTo("children EACCES");
    }

    @Test
    void aChildThatBecomesNobodyAtOnceIsServedAsNobody() throws Exception {
        sameAsNative("children EACCES", "child", secret.toString());
    }

    @Test
    void anExecOfASetuidRootOrFileCapabilityBinaryIsServedWithWhatTheKernelGave() throws Exception {
        Path suid = tmp.resolve("suid"), fcap = tmp.resolve("fcap");
        Files.copy(Path.of(probe()[0]), suid, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(Path.of(probe()[0]), fcap, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(fcap, PosixFilePermissions.fromString("rwxr-xr-x"));
        var set = new ProcessBuilder("setcap", "cap_dac_override+ep", fcap.toString()).inheritIO().start();
        assertThat(set.waitFor()).as("setcap").isZero();
        Files.setAttribute(suid, "unix:mode", 04755);
        // Natively the exec gives nobody root's uid, or CAP_DAC_OVERRIDE: the file opens.
        assertThat(nat("exec", secret.toString(), suid.toString())).isEqualTo("euid=0 ok");
        assertThat(nat("exec", secret.toString(), fcap.toString())).isEqualTo("euid=65534 ok");
        // Under syd the program has no_new_privs: the kernel gives neither, and the supervisor
        // serves the new image with what the kernel has, not with the entry of before the exec.
        assertThat(syd(POLICY, "exec", secret.toString(), suid.toString())).isEqualTo("euid=65534 EACCES");
        assertThat(syd(POLICY, "exec", secret.toString(), fcap.toString())).isEqualTo("euid=65534 EACCES");
    }

    @Test
    void anExecThatGivesRootItsCapabilitiesBackIsServedWithThem() throws Exception {
        // The reverse: root without CAP_DAC_OVERRIDE cannot open nobody's file; its exec recomputes
        // the capabilities and gives them back. An entry kept across the exec would refuse.
        String self = probe()[0];
        sameAsNative("dropped EACCES\neuid=0 ok", "capexec", nobodys.toString(), self);
    }
}
