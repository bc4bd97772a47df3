package dev.jsyd.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Path sandboxing of the calls that change the file system: allowed calls are carried out,
 * denied ones fail with EACCES and leave the disk exactly as it was; rules are matched on the
 * canonical path (relative paths, "..", dirfds, symlink chains, /proc/self/cwd).
 */
class ModifyIT {
    @TempDir Path tmp;
    Path ok;
    Path no;

    @BeforeEach
    void setUp() throws Exception {
        ok = ModifyFixture.build(tmp.resolve("ok"));
        no = ModifyFixture.build(tmp.resolve("no"));
        Files.createSymbolicLink(ok.resolve("to-no"), Path.of("../no"));
        Files.createSymbolicLink(ok.resolve("chain1"), Path.of("chain2"));
        Files.createSymbolicLink(ok.resolve("chain2"), no.resolve("dir"));
    }

    /** -poff, every modify category on, allowed only under ok/ (plus extra commands). */
    private List<String> okOnly(String... extra) {
        List<String> a = new ArrayList<>(List.of("-poff", "-m", "sandbox/" + ModifyFixture.CATS + ":on",
                "-m", "allow/" + ModifyFixture.CATS + "+" + ok + "/***"));
        for (String e : extra) a.addAll(List.of("-m", e));
        return a;
    }

    private Syd.Result run(List<String> syd, Path cwd, String... ops) throws Exception {
        var r = ModifyFixture.sydRun(syd, ModifyFixture.ops(cwd, ops));
        assertThat(r.status()).as(r.toString()).isZero();
        return r;
    }

    /** One of each call, in an order where each succeeds when allowed. */
    private static final String[] EVERY_CALL = {
        "mkdir newdir 0755", "mkdirat dir nd 0755", "mknod newfile reg 0644 0", "mknod newfifo fifo 0644 0",
        "link file hardlink", "linkat link-file hl 0x400", "symlink /etc/passwd sl", "symlinkat x dir sl",
        "truncate file 1", "ftruncate dir/f 1", "fallocate dir/f 4096", "chmod file 0600", "fchmod dir/f 0600",
        "fchmodat2 dir 0700 0", "chown file 1 -1", "chown file -1 1", "lchown link-file 1 1", "fchown dir/f 1 1",
        "utime file 5", "utimes file 5 5", "utimensat file 5 5 0", "futimens dir/f 5", "truncate link-file 0",
        "chmod link-dir 0750", "mkdir link-dir/new 0755", "unlink dir/sub/x", "rename dir/f dir/sub/f",
        "renameat2 dir/sub/f file 2", "rename file moved", "unlink link-file", "unlinkat dir nd 0x200", "rmdir empty",
        "unlink hardlink"};

    @Test
    void allowedCallsChangeTheDisk() throws Exception {
        var r = run(okOnly(), ok, EVERY_CALL);
        assertThat(r.out().lines().filter(l -> !l.contains(": ok")).toList()).as(r.toString()).isEmpty();
        assertThat(r.out().lines().count()).isEqualTo(EVERY_CALL.length);
        assertThat(ok.resolve("newdir")).isDirectory();
        assertThat(Files.size(ok.resolve("moved"))).isEqualTo(4096);
        assertThat(Files.size(ok.resolve("dir/sub/f"))).isZero();
        assertThat(ok.resolve("file")).doesNotExist();
        assertThat(ok.resolve("hl")).exists();
        assertThat(ok.resolve("empty")).doesNotExist();
        assertThat(Files.readSymbolicLink(ok.resolve("sl"))).isEqualTo(Path.of("/etc/passwd"));
        assertThat(ModifyFixture.mode(ok.resolve("dir"))).isEqualTo("750");
        assertThat(ModifyFixture.mode(ok.resolve("dir/sub/f"))).isEqualTo("600");
        assertThat(Files.getAttribute(ok.resolve("moved"), "unix:uid")).isEqualTo(1);
        assertThat(Files.getLastModifiedTime(ok.resolve("moved")).toMillis()).isEqualTo(5000);
        assertThat(ok.resolve("dir/new")).isDirectory();
        assertThat(Files.isRegularFile(ok.resolve("newfile"))).isTrue();
        assertThat(ok.resolve("newfifo")).exists();
    }

    @Test
    void deniedCallsFailWithEaccesAndLeaveTheDiskUnchanged() throws Exception {
        var before = ModifyFixture.snapshot(tmp);
        var r = run(okOnly("allow/chdir+" + no), no, EVERY_CALL);
        // Calls on entries an earlier (denied) call would have made see them absent, as natively.
        assertThat(r.out().lines().filter(l -> !l.endsWith(": err EACCES")).toList()).as(r.toString())
                .containsExactly("renameat2 dir/sub/f: err ENOENT", "unlinkat dir: err ENOENT", "unlink hardlink: err ENOENT");
        assertThat(r.out().lines().count()).isEqualTo(EVERY_CALL.length);
        assertThat(ModifyFixture.snapshot(tmp)).isEqualTo(before);
        assertThat(r.err()).contains("\"cap\":\"mkdir\"", "\"cap\":\"delete\"", "\"cap\":\"rmdir\"", "\"cap\":\"rename\"",
                "\"cap\":\"create\"", "\"cap\":\"symlink\"", "\"cap\":\"truncate\"", "\"cap\":\"chmod\"", "\"cap\":\"chown\"",
                "\"cap\":\"chgrp\"", "\"cap\":\"utime\"", "\"cap\":\"mkfifo\"", "\"act\":\"deny\"",
                "\"sys\":\"mkdirat\"", "\"path\":\"" + no.resolve("dir/f") + "\"");
    }

    @Test
    void symlinkChainsIntoTheDeniedAreaAreDenied() throws Exception {
        var before = ModifyFixture.snapshot(no);
        var r = run(okOnly(), ok, "mkdir to-no/new 0755", "unlink to-no/file", "unlink chain1/f", "rename file to-no/x",
                "rename to-no/file mine", "chmod chain1 0700", "truncate to-no/link-file 0", "symlink x to-no/sl",
                "link file to-no/hl", "mkdir chain1/sub/../new 0755", "utime to-no/dir 5", "chown to-no/file 1 1");
        assertThat(r.out().lines().filter(l -> !l.endsWith(": err EACCES")).toList()).as(r.toString()).isEmpty();
        assertThat(ModifyFixture.snapshot(no)).isEqualTo(before);
        // The link itself is in the allowed area: removing or renaming it does not follow it.
        r = run(okOnly(), ok, "rename to-no renamed-link", "unlink chain1", "unlink renamed-link");
        assertThat(r.out()).isEqualTo("rename to-no: ok\nunlink chain1: ok\nunlink renamed-link: ok\n");
        assertThat(ModifyFixture.snapshot(no)).isEqualTo(before);
    }

    @Test
    void relativeDotDotDirfdAndProcSelfCwdAreCheckedCanonically() throws Exception {
        // cwd in the denied area, paths leading out of it, and the other way round.
        var r = run(okOnly("allow/chdir+" + no + "/***"), no, "mkdir ../ok/a 0755", "mkdir ../no/a 0755",
                "mkdir dir/../../ok/b 0755", "mkdirat " + ok + " c 0755", "mkdirat " + no + " c 0755",
                "mkdir /proc/self/cwd/d 0755", "mkdir /proc/self/cwd/../ok/e 0755", "mkdirat . f 0755");
        assertThat(r.out()).isEqualTo("""
                mkdir ../ok/a: ok
                mkdir ../no/a: err EACCES
                mkdir dir/../../ok/b: ok
                mkdirat %s: ok
                mkdirat %s: err EACCES
                mkdir /proc/self/cwd/d: err EACCES
                mkdir /proc/self/cwd/../ok/e: ok
                mkdirat .: err EACCES
                """.formatted(ok, no));
        assertThat(ok.resolve("a")).isDirectory();
        assertThat(ok.resolve("b")).isDirectory();
        assertThat(ok.resolve("c")).isDirectory();
        assertThat(ok.resolve("e")).isDirectory();
        assertThat(no.resolve("a")).doesNotExist();
        assertThat(no.resolve("c")).doesNotExist();
        assertThat(no.resolve("d")).doesNotExist();
        assertThat(no.resolve("f")).doesNotExist();
        r = run(okOnly(), ok, "mkdir /proc/self/cwd/g 0755", "mkdir /proc/thread-self/cwd/h 0755");
        assertThat(r.out()).isEqualTo("mkdir /proc/self/cwd/g: ok\nmkdir /proc/thread-self/cwd/h: ok\n");
    }

    @Test
    void lastMatchingRuleWins() throws Exception {
        var r = run(List.of("-poff", "-m", "sandbox/delete:on", "-m", "allow/delete+" + tmp + "/***",
                "-m", "deny/delete+" + ok + "/dir/***", "-m", "allow/delete+" + ok + "/dir/f"), ok,
                "unlink dir/f", "unlink dir/sub/x", "unlink file", "unlink " + no + "/file");
        assertThat(r.out()).isEqualTo("unlink dir/f: ok\nunlink dir/sub/x: err EACCES\nunlink file: ok\nunlink "
                + no + "/file: ok\n");
        assertThat(ok.resolve("dir/sub/x")).exists();
    }

    @Test
    void mknodIsCheckedByNodeType() throws Exception {
        var r = run(List.of("-poff", "-m", "sandbox/create,mkfifo,mkcdev,mkbdev:on", "-m", "allow/mkfifo+" + ok + "/***"), ok,
                "mknod fifo2 fifo 0644 0", "mknod reg reg 0644 0", "mknod zero zero 0644 0", "mknod sock sock 0644 0",
                "mknod null chr 0666 0x103", "mknod blk blk 0666 0x801");
        assertThat(r.out()).isEqualTo("mknod fifo2: ok\nmknod reg: err EACCES\nmknod zero: err EACCES\n"
                + "mknod sock: err EACCES\nmknod null: err EACCES\nmknod blk: err EACCES\n");
        assertThat(r.err()).contains("\"cap\":\"create\"", "\"cap\":\"mkcdev\"", "\"cap\":\"mkbdev\"");
        // Device nodes need CAP_MKNOD, which the sandbox drops unless trace/allow_unsafe_caps keeps it.
        r = run(List.of("-poff", "-m", "trace/allow_unsafe_caps:1", "-m", "sandbox/create,mkfifo,mkcdev:on",
                "-m", "allow/create,mkcdev+" + ok + "/***"), ok,
                "mknod fifo3 fifo 0644 0", "mknod reg reg 0644 0", "mknod null chr 0666 0x103");
        assertThat(r.out()).isEqualTo("mknod fifo3: err EACCES\nmknod reg: ok\nmknod null: ok\n");
        assertThat(Files.isRegularFile(ok.resolve("reg"))).isTrue();
    }

    @Test
    void programUmaskAppliesAndTheSupervisorsDoesNotLeak() throws Exception {
        for (String umask : List.of("0", "077", "027")) {
            Path n = Files.createDirectories(tmp.resolve("native-" + umask));
            Path s = Files.createDirectories(tmp.resolve("syd-" + umask));
            String[] ops = {"mkdir d 0777", "mkdir sticky 01777", "mknod f reg 0666 0", "mknod p fifo 0666 0",
                "mknodat . g reg 06777 0"};
            List<String> nativeArgs = new ArrayList<>(List.of("umask", umask));
            nativeArgs.addAll(ModifyFixture.ops(n, ops));
            ModifyFixture.nativeRun(nativeArgs);
            List<String> sydArgs = new ArrayList<>(List.of("umask", umask));
            sydArgs.addAll(ModifyFixture.ops(s, ops));
            var r = ModifyFixture.sydRun(ModifyFixture.allowAll(), sydArgs);
            assertThat(r.out().lines().filter(l -> !l.endsWith(": ok")).toList()).as(r.toString()).isEmpty();
            for (String f : List.of("d", "sticky", "f", "p", "g")) {
                assertThat(ModifyFixture.mode(s.resolve(f))).as("umask " + umask + " " + f).isEqualTo(ModifyFixture.mode(n.resolve(f)));
            }
        }
        assertThat(ModifyFixture.mode(tmp.resolve("syd-0/d"))).isEqualTo("777");
        assertThat(ModifyFixture.mode(tmp.resolve("syd-077/f"))).isEqualTo("600");
    }

    @Test
    void theStickyBitOfADirectoryIsKeptUnlessAllowed() throws Exception {
        var r = run(okOnly(), ok, "chmod sticky 0777", "fchmodat cwd sticky 0755", "chmod dir 01755", "chmod file 01644");
        assertThat(r.out().lines().allMatch(l -> l.endsWith(": ok"))).as(r.toString()).isTrue();
        assertThat(ModifyFixture.mode(ok.resolve("sticky"))).isEqualTo("1755");
        assertThat(ModifyFixture.mode(ok.resolve("dir"))).isEqualTo("1755");
        assertThat(ModifyFixture.mode(ok.resolve("file"))).isEqualTo("1644");
        run(okOnly(), ok, "chmod dir 0755");
        assertThat(ModifyFixture.mode(ok.resolve("dir"))).isEqualTo("1755");
        run(okOnly("trace/allow_unsafe_sticky:1"), ok, "chmod sticky 0777", "chmod dir 0750");
        assertThat(ModifyFixture.mode(ok.resolve("sticky"))).isEqualTo("777");
        assertThat(ModifyFixture.mode(ok.resolve("dir"))).isEqualTo("750");
        ModifyFixture.nativeRun(ModifyFixture.ops(no, "chmod sticky 0777")); // natively the bit goes
        assertThat(ModifyFixture.mode(no.resolve("sticky"))).isEqualTo("777");
    }

    @Test
    void chownAndChgrpAreCheckedSeparately() throws Exception {
        var r = run(List.of("-poff", "-m", "sandbox/chown,chgrp:on", "-m", "allow/chown+" + ok + "/***"), ok,
                "chown file 0 -1", "chown file -1 0", "chown file 0 0", "chown file -1 -1", "fchownat file 0 -1 0x100",
                "fchown dir/f -1 0");
        assertThat(r.out()).isEqualTo("chown file: ok\nchown file: err EACCES\nchown file: err EACCES\nchown file: ok\n"
                + "fchownat file: ok\nfchown dir/f: err EACCES\n");
        assertThat(r.err()).contains("\"cap\":\"chgrp\"").doesNotContain("\"cap\":\"chown\"");
    }

    @Test
    void chdirIsCheckedThenLeftToTheKernel() throws Exception {
        var r = run(List.of("-poff", "-m", "sandbox/chdir:on", "-m", "allow/chdir+" + ok + "/***"), ok,
                "chdir dir", "chdir ../to-no", "chdir " + no, "fchdir " + no, "fchdir " + ok + "/link-dir", "chdir nope",
                "chdir " + ok + "/file");
        assertThat(r.out()).isEqualTo("chdir dir: ok " + ok + "/dir\nchdir ../to-no: err EACCES\nchdir " + no
                + ": err EACCES\nfchdir " + no + ": err EACCES\nfchdir " + ok + "/link-dir: ok " + ok + "/dir\n"
                + "chdir nope: err ENOENT\nchdir " + ok + "/file: err ENOTDIR\n");
        assertThat(r.err()).contains("\"cap\":\"chdir\"", "\"sys\":\"fchdir\"");
    }

    @Test
    void chrootIsDeniedOrRefused() throws Exception {
        String nativeOut = ModifyFixture.nativeRun(List.of("chroot", "/nonexistent-jsyd"));
        var r = run(List.of("-poff", "-m", "sandbox/chroot:on", "-m", "allow/chroot+" + ok + "/***"), ok,
                "chroot dir", "chroot " + no, "chroot /nonexistent-jsyd", "chroot file");
        assertThat(r.out()).isEqualTo("chroot dir: err EPERM\nchroot " + no + ": err EACCES\n" + nativeOut
                + "chroot file: err ENOTDIR\n");
        assertThat(r.err()).contains("\"cap\":\"chroot\"");
    }

    @Test
    void notifyWatchesAreCheckedAndBelongToTheProgram() throws Exception {
        // fanotify_init needs CAP_SYS_ADMIN, which the sandbox drops unless trace/allow_unsafe_caps keeps it.
        var r = run(List.of("-poff", "-m", "trace/allow_unsafe_caps:1", "-m", "sandbox/notify:on", "-m", "allow/notify+" + ok + "/***"), ok,
                "inotify dir", "inotify " + no + "/dir", "inotify to-no", "fanotify dir", "fanotify " + no);
        assertThat(r.out()).isEqualTo("inotify dir: ok events=yes\ninotify " + no + "/dir: err EACCES\n"
                + "inotify to-no: err EACCES\nfanotify dir: ok\nfanotify " + no + ": err EACCES\n");
        assertThat(r.err()).contains("\"cap\":\"notify\"", "\"sys\":\"inotify_add_watch\"", "\"sys\":\"fanotify_mark\"");
    }

    @Test
    void filterActionDeniesSilently() throws Exception {
        var r = run(okOnly("default/delete:filter", "allow/chdir+" + no), no, "unlink file");
        assertThat(r.out()).isEqualTo("unlink file: err EACCES\n");
        assertThat(r.err()).doesNotContain("\"cap\":\"delete\"");
        assertThat(no.resolve("file")).exists();
    }
}
