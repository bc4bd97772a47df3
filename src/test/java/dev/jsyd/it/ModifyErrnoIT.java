package dev.jsyd.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The emulated calls give exactly the kernel's results: every scenario is run natively on one
 * copy of the fixture and under syd (every modify category on, everything allowed, so each call
 * goes through its handler) on another; the outputs and the resulting trees must be the same.
 */
class ModifyErrnoIT {
    @TempDir Path tmp;

    private static final String LONG = "a".repeat(256);

    /** Runs {@code ops} natively and under syd; asserts identical output and tree; returns the output. */
    private String sameAsNative(String... ops) throws Exception {
        Path n = ModifyFixture.build(tmp.resolve("native"));
        Path s = ModifyFixture.build(tmp.resolve("syd"));
        String expected = ModifyFixture.nativeRun(ModifyFixture.ops(n, ops));
        var r = ModifyFixture.sydRun(ModifyFixture.allowAll(), ModifyFixture.ops(s, ops));
        assertThat(r.status()).as(r.toString()).isZero();
        assertThat(r.out()).as(r.toString()).isEqualTo(expected);
        assertThat(r.err()).as("nothing denied, nothing logged").doesNotContain("\"act\"");
        assertThat(shape(s)).isEqualTo(shape(n));
        return expected;
    }

    /** The tree without inode numbers and times (which differ between two copies). */
    private static Map<String, String> shape(Path root) throws Exception {
        Map<String, String> m = new TreeMap<>();
        ModifyFixture.snapshot(root).forEach((k, v) -> m.put(k, v.replaceAll("(ino|lastModifiedTime)=\\S+ ", "")));
        return m;
    }

    @Test
    void mkdirErrors() throws Exception {
        String out = sameAsNative("mkdir dir 0755", "mkdir file 0755", "mkdir link-dir 0755", "mkdir dangling 0755",
                "mkdir dangling/ 0755", "mkdir nope/x 0755", "mkdir file/x 0755", "mkdir . 0755", "mkdir .. 0755",
                "mkdir / 0755", "mkdir loop/x 0755", "mkdir " + LONG + " 0755", "mkdir new/ 0755", "mkdir link-dir/new 0700",
                "mkdir dir/sub/../new2 0750", "mkdirat bad x 0755", "mkdirat file x 0755", "mkdirat dir viafd 0755",
                "mkdir " + "x/".repeat(2100) + "y 0755", "mkdir NULL 0755");
        assertThat(out).contains("mkdir dir: err EEXIST", "mkdir dangling/: err EEXIST", "mkdir nope/x: err ENOENT",
                "mkdir file/x: err ENOTDIR", "mkdir loop/x: err ELOOP", ": err ENAMETOOLONG", "mkdir new/: ok",
                "mkdirat bad: err EBADF", "mkdirat file: err ENOTDIR", "mkdirat dir: ok", "mkdir NULL: err EFAULT");
    }

    @Test
    void mknodErrors() throws Exception {
        String out = sameAsNative("mknod dir reg 0644 0", "mknod new dir 0755 0", "mknod new bad 0644 0",
                "mknod reg reg 0640 0", "mknod zero zero 0600 0", "mknod fifo2 fifo 0644 0", "mknod sock sock 0644 0",
                "mknod nope/x fifo 0644 0", "mknod link-dir/y reg 0644 0", "mknodat dir n reg 0644 0");
        assertThat(out).contains("mknod dir: err EEXIST", "mknod new: err EPERM", "mknod new: err EINVAL",
                "mknod reg: ok", "mknod fifo2: ok", "mknod nope/x: err ENOENT");
    }

    @Test
    void unlinkAndRmdirErrors() throws Exception {
        String out = sameAsNative("unlink dir", "unlink nope", "unlink file/", "unlink dir/", "unlink .", "unlink /",
                "unlink link-dir/", "unlinkat cwd file 1", "rmdir dir", "rmdir file", "rmdir .", "rmdir ..", "rmdir /",
                "rmdir link-dir", "rmdir link-dir/", "rmdir nope", "rmdir loop/", "rmdir empty/", "unlink link-dir",
                "unlink dangling", "unlink dir/sub/x", "unlinkat dir f 0", "unlinkat cwd dir/sub 0x200", "unlink fifo");
        assertThat(out).contains("unlink dir: err EISDIR", "unlink nope: err ENOENT", "unlink file/: err ENOTDIR",
                "unlink dir/: err EISDIR", "unlinkat cwd: err EINVAL", "rmdir dir: err ENOTEMPTY", "rmdir file: err ENOTDIR",
                "rmdir .: err EINVAL", "rmdir ..: err ENOTEMPTY", "rmdir /: err EBUSY", "rmdir link-dir: err ENOTDIR",
                "rmdir empty/: ok", "unlink link-dir: ok");
    }

    @Test
    void renameErrors() throws Exception {
        String out = sameAsNative("rename nope x", "rename dir file", "rename file dir", "rename dir dir/sub/in",
                "rename file /dev/shm/jsyd-modify-exdev", "renameat2 file dir 1", "renameat2 file nope 2",
                "renameat2 file dir 3", "renameat2 file x 8", "rename . x", "rename file/ x", "rename file .",
                "rename link-dir moved-link", "renameat2 file empty 2", "rename dir/sub empty", "rename dir/f dir/g",
                "renameat dir g cwd from-fd");
        assertThat(out).contains("rename nope: err ENOENT", "rename dir: err ENOTDIR", "rename file: err EISDIR",
                "rename dir: err EINVAL", "rename file: err EXDEV", "renameat2 file: err EEXIST", "renameat2 file: err ENOENT",
                "renameat2 file: err EINVAL", "rename .: err EBUSY", "rename file/: err ENOTDIR", "rename link-dir: ok",
                "renameat2 file: ok", "rename dir/sub: err ENOTDIR");
    }

    @Test
    void linkAndSymlinkErrors() throws Exception {
        String out = sameAsNative("link dir x", "link file file2", "link file dir/f", "link nope x", "linkat file y 2",
                "link link-file hl", "linkat link-file hl2 0x400", "linkat dangling hl3 0x400", "link file new/",
                "link file .", "symlink x file", "symlink  new", "symlink x nope/new", "symlink anything sl",
                "symlink ../../etc/passwd sl2", "symlinkat x dir sl3", "linkat-fd file byfd");
        assertThat(out).contains("link dir: err EPERM", "link file: ok", "link file: err EEXIST", "link nope: err ENOENT",
                "linkat file: err EINVAL", "linkat dangling: err ENOENT", "symlink x: err EEXIST", "symlink anything: ok");
    }

    @Test
    void truncateErrors() throws Exception {
        String out = sameAsNative("truncate dir 0", "truncate nope 0", "truncate file -1", "truncate fifo 0",
                "truncate file/ 0", "truncate file 2", "truncate link-file 1", "ftruncate-ro dir/f 0", "ftruncate dir/f 3",
                "fallocate dir/sub/x 100", "fallocate dir/f -1");
        assertThat(out).contains("truncate dir: err EISDIR", "truncate nope: err ENOENT", "truncate file: err EINVAL",
                "truncate fifo: err EINVAL", "truncate file/: err ENOTDIR", "truncate file: ok", "ftruncate-ro dir/f: err EINVAL");
    }

    @Test
    void badPointersGiveEfault() throws Exception {
        String out = sameAsNative("unlink NULL", "rename NULL x", "rename file NULL", "symlink NULL x", "symlink x NULL",
                "chmod NULL 0644", "truncate NULL 0");
        assertThat(out.lines().allMatch(l -> l.endsWith("err EFAULT"))).as(out).isTrue();
    }

    @Test
    void chmodChownUtimeErrors() throws Exception {
        String out = sameAsNative("chmod nope 0644", "chmod file/ 0600", "chmod file 0600", "chmod link-file 0640",
                "fchmodat2 link-dir 0700 0x100", "fchmodat2 file 0644 4", "fchmodat2 dir 0700 0", "fchmod dir/f 0604",
                "fchmodat cwd dir/sub 0711", "chmod dangling 0644", "chmod loop 0644",
                "chown nope 0 0", "chown file -1 -1", "lchown link-file 0 0", "fchownat file 0 0 4", "fchown dir/f 0 -1",
                "utimes file 1 1000000", "utimes file 5 -1", "utimes file 5 5", "utime dir NULL", "utime nope 5",
                "utimensat nope 1 0 0", "utimensat file 1 2000000000 0", "utimensat file 1 0 4", "utimensat NULL 1 0 0",
                "utimensat link-file 7 0 0x100", "futimens dir/f 9");
        assertThat(out).contains("chmod nope: err ENOENT", "chmod file/: err ENOTDIR", "fchmodat2 link-dir: err EOPNOTSUPP",
                "fchmodat2 file: err EINVAL", "chmod loop: err ELOOP", "fchownat file: err EINVAL",
                "utimes file: err EINVAL", "utimensat file: err EINVAL", "utimensat NULL: err EFAULT", "futimens dir/f: ok");
    }
}
