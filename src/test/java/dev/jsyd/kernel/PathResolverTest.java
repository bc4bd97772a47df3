package dev.jsyd.kernel;

import static dev.jsyd.abi.OpenFlags.AT_FDCWD;
import static dev.jsyd.abi.OpenFlags.O_CLOEXEC;
import static dev.jsyd.abi.OpenFlags.O_PATH;
import static dev.jsyd.abi.OpenFlags.RESOLVE_BENEATH;
import static dev.jsyd.abi.OpenFlags.RESOLVE_NO_MAGICLINKS;
import static dev.jsyd.abi.OpenFlags.RESOLVE_NO_SYMLINKS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jsyd.abi.Errno;
import dev.jsyd.sys.Files;
import dev.jsyd.sys.Signals;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The resolver on a real file system, resolving for this very thread (tid = gettid). */
class PathResolverTest {
    @TempDir Path tmp;
    Files files;
    PathResolver resolver;
    int tid;
    String root;

    @BeforeEach
    void setUp() throws Exception {
        files = new Files();
        resolver = new PathResolver(files);
        tid = Signals.gettid();
        root = tmp.toRealPath().toString();
        java.nio.file.Files.createDirectories(tmp.resolve("a/b"));
        java.nio.file.Files.writeString(tmp.resolve("a/b/file"), "x");
        java.nio.file.Files.createSymbolicLink(tmp.resolve("link-abs"), tmp.resolve("a/b"));
        java.nio.file.Files.createSymbolicLink(tmp.resolve("a/link-rel"), Path.of("b/file"));
        java.nio.file.Files.createSymbolicLink(tmp.resolve("loop1"), Path.of("loop2"));
        java.nio.file.Files.createSymbolicLink(tmp.resolve("loop2"), Path.of("loop1"));
        java.nio.file.Files.createSymbolicLink(tmp.resolve("dangling"), Path.of("nowhere"));
    }

    @AfterEach
    void tearDown() { files.close(); }

    private String resolve(String path, PathResolver.Last last) throws ResolveException {
        try (var r = resolver.resolve(tid, AT_FDCWD, path, last)) {
            return r.path();
        }
    }

    private String resolve(String path) throws ResolveException { return resolve(path, PathResolver.Last.FOLLOW); }

    @Test
    void plainAndDotDot() throws Exception {
        assertThat(resolve(root + "/a/b/file")).isEqualTo(root + "/a/b/file");
        assertThat(resolve(root + "/a/./b/../b//file")).isEqualTo(root + "/a/b/file");
        assertThat(resolve("/")).isEqualTo("/");
        assertThat(resolve("/..")).isEqualTo("/");
        assertThat(resolve(root + "/a/..")).isEqualTo(root);
        assertThat(resolve(root + "/a/b/.")).isEqualTo(root + "/a/b");
    }

    @Test
    void symlinksAreFollowedAndCanonicalised() throws Exception {
        assertThat(resolve(root + "/link-abs/file")).isEqualTo(root + "/a/b/file");
        assertThat(resolve(root + "/a/link-rel")).isEqualTo(root + "/a/b/file");
        assertThat(resolve(root + "/a/link-rel", PathResolver.Last.NOFOLLOW)).isEqualTo(root + "/a/link-rel");
        assertThat(resolve(root + "/link-abs/../file-that-is-not-there")).isEqualTo(root + "/a/file-that-is-not-there");
    }

    @Test
    void missingLastComponentIsAllowedButMissingDirectoryIsNot() throws Exception {
        assertThat(resolve(root + "/a/new")).isEqualTo(root + "/a/new");
        assertThat(resolve(root + "/dangling")).isEqualTo(root + "/nowhere");
        assertThatThrownBy(() -> resolve(root + "/nope/x")).isInstanceOf(ResolveException.class)
                .satisfies(e -> assertThat(((ResolveException) e).errno()).isEqualTo(Errno.ENOENT));
        assertThatThrownBy(() -> resolve(root + "/a/b/file/x")).isInstanceOf(ResolveException.class)
                .satisfies(e -> assertThat(((ResolveException) e).errno()).isEqualTo(Errno.ENOTDIR));
    }

    @Test
    void symlinkLoopsGiveELOOP() {
        assertThatThrownBy(() -> resolve(root + "/loop1")).isInstanceOf(ResolveException.class)
                .satisfies(e -> assertThat(((ResolveException) e).errno()).isEqualTo(Errno.ELOOP));
    }

    @Test
    void tooLongPathsGiveENAMETOOLONG() {
        String longName = "x".repeat(256);
        assertThatThrownBy(() -> resolve(root + "/" + longName)).isInstanceOf(ResolveException.class)
                .satisfies(e -> assertThat(((ResolveException) e).errno()).isEqualTo(Errno.ENAMETOOLONG));
        assertThatThrownBy(() -> resolve("/" + "a/".repeat(2100))).isInstanceOf(ResolveException.class)
                .satisfies(e -> assertThat(((ResolveException) e).errno()).isEqualTo(Errno.ENAMETOOLONG));
    }

    @Test
    void procSelfMeansTheCallingThreadNotTheResolver() throws Exception {
        assertThat(resolve("/proc/self/status")).isEqualTo("/proc/" + tid + "/status");
        assertThat(resolve("/proc/thread-self")).isEqualTo("/proc/" + tid);
        assertThat(resolve("/proc/self/")).isEqualTo("/proc/" + tid);
        // Not followed, the last component is the link itself (lstat, readlink see a symlink).
        assertThat(resolve("/proc/thread-self", PathResolver.Last.NOFOLLOW)).isEqualTo("/proc/thread-self");
        assertThat(resolve("/proc/self", PathResolver.Last.NOFOLLOW)).isEqualTo("/proc/self");
        assertThat(resolve("/proc/self/", PathResolver.Last.NOFOLLOW)).isEqualTo("/proc/" + tid);
    }

    @Test
    void walkCheckSeesEveryDirectoryEnteredAndADenialLooksAbsent() throws Exception {
        java.util.List<String> seen = new java.util.ArrayList<>();
        resolver.setWalkCheck(dir -> { seen.add(dir); return false; });
        assertThat(resolve(root + "/link-abs/file")).isEqualTo(root + "/a/b/file");
        // Through the symlink: the real directories are walked, the link's own directory first.
        assertThat(seen).endsWith(root + "/a", root + "/a/b");
        seen.clear();
        assertThat(resolve(root + "/a/b/../b/file")).isEqualTo(root + "/a/b/file");
        // a, a/b, back to a, a/b again: each directory is checked once per resolution.
        assertThat(seen).endsWith(root + "/a", root + "/a/b").doesNotHaveDuplicates();

        resolver.setWalkCheck(dir -> dir.equals(root + "/a/b"));
        for (String p : new String[] {root + "/a/b/file", root + "/a/b/.", root + "/link-abs/file", root + "/a/b/../link-rel",
                root + "/a/link-rel"}) {
            assertThatThrownBy(() -> resolve(p)).as(p).isInstanceOf(ResolveException.class)
                    .satisfies(e -> assertThat(((ResolveException) e).errno()).isEqualTo(Errno.ENOENT));
        }
        // The directory itself as the last component is not walked through: stat decides on it.
        assertThat(resolve(root + "/a/b")).isEqualTo(root + "/a/b");
        assertThat(resolve(root + "/a/b/")).isEqualTo(root + "/a/b");
        assertThat(resolve(root + "/link-abs", PathResolver.Last.NOFOLLOW)).isEqualTo(root + "/link-abs");
        resolver.setWalkCheck(null);
        assertThat(resolve(root + "/a/b/file")).isEqualTo(root + "/a/b/file");
    }

    @Test
    void relativePathsStartAtTheThreadsCwd() throws Exception {
        String cwd = Path.of("").toAbsolutePath().toRealPath().toString();
        assertThat(resolve("pom.xml")).isEqualTo(cwd + "/pom.xml");
        assertThat(resolve("./src/../pom.xml")).isEqualTo(cwd + "/pom.xml");
    }

    @Test
    void magicLinkToAPipeIsReportedAsMagic() throws Exception {
        var pipe = java.nio.channels.Pipe.open();
        try (var source = pipe.source(); var sink = pipe.sink()) {
            String fd = null;
            try (var list = java.nio.file.Files.list(Path.of("/proc/self/fd"))) {
                for (Path p : (Iterable<Path>) list::iterator) {
                    try {
                        if (java.nio.file.Files.readSymbolicLink(p).toString().startsWith("pipe:")) fd = p.getFileName().toString();
                    } catch (java.io.IOException ignored) { }
                }
            }
            assertThat(fd).as("a pipe fd in this JVM").isNotNull();
            try (var r = resolver.resolve(tid, AT_FDCWD, "/proc/self/fd/" + fd, PathResolver.Last.FOLLOW)) {
                assertThat(r.isMagic()).isTrue();
                assertThat(r.path()).startsWith("pipe:[");
                assertThat(r.magic()).isEqualTo("/proc/" + tid + "/fd/" + fd);
            }
        }
    }

    @Test
    void fastPathAgreesWithTheComponentWalk() throws Exception {
        java.nio.file.Files.createDirectories(tmp.resolve("a/b/c"));
        java.nio.file.Files.writeString(tmp.resolve("a/b/c/f"), "x");
        java.nio.file.Files.createSymbolicLink(tmp.resolve("a/lb"), Path.of("b"));
        String[] parts = {"a", "b", "c", "f", "lb", "link-abs", "..", ".", "missing", "dangling", "loop1"};
        java.util.Random rnd = new java.util.Random(42);
        String cwd = Path.of("").toAbsolutePath().toString();
        int compared = 0;
        for (int i = 0; i < 3000; i++) {
            StringBuilder p = new StringBuilder();
            boolean absolute = rnd.nextInt(3) > 0;
            if (absolute) p.append(root);
            int n = 1 + rnd.nextInt(5);
            for (int k = 0; k < n; k++) {
                if (p.length() > 0 || absolute) p.append('/');
                p.append(parts[rnd.nextInt(parts.length)]);
            }
            if (rnd.nextInt(10) == 0) p.append('/');
            String path = absolute ? p.toString() : java.nio.file.Path.of(cwd).relativize(Path.of(root)) + "/" + p;
            for (PathResolver.Last last : List.of(PathResolver.Last.FOLLOW, PathResolver.Last.NOFOLLOW)) {
                String fast = outcome(() -> resolver.resolve(tid, AT_FDCWD, path, last));
                String slow = outcome(() -> resolver.walk(tid, AT_FDCWD, path, last));
                assertThat(fast).as(path + " " + last).isEqualTo(slow);
                compared++;
            }
            // FOLLOW_LAZY: the same as FOLLOW, or marked lastUnchecked: then the caller's one
            // RESOLVE_NO_SYMLINKS open of (dirFd, name) either opens the object FOLLOW names, or
            // fails with ELOOP (a symlink met: the caller resolves again), or fails exactly as the
            // program's own open of the path does.
            String follow = outcome(() -> resolver.walk(tid, AT_FDCWD, path, PathResolver.Last.FOLLOW));
            try (PathResolver.Resolved lazy = resolver.resolve(tid, AT_FDCWD, path, PathResolver.Last.FOLLOW_LAZY)) {
                String got = lazy.path() + "|" + lazy.name() + "|" + lazy.trailingSlash() + "|" + lazy.isMagic();
                if (!lazy.lastUnchecked()) {
                    assertThat(got).as(path + " lazy, checked").isEqualTo(follow);
                    continue;
                }
                int fd = files.openat2(lazy.dirFd(), lazy.name(), O_PATH | O_CLOEXEC, 0,
                        RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_BENEATH);
                if (fd >= 0) {
                    Files.close(fd);
                    assertThat(follow).as(path + " lazy opened").startsWith(lazy.path() + "|");
                } else if (fd == -Errno.ELOOP) {
                    lexicalLinks++;
                } else {
                    int own = files.openat(AT_FDCWD, path, O_PATH | O_CLOEXEC, 0);
                    if (own >= 0) Files.close(own);
                    assertThat(-fd).as(path + " lazy open fails as the program's own").isEqualTo(-own);
                    lazyErrors++;
                }
            } catch (ResolveException e) {
                assertThat("err " + e.errno()).as(path + " lazy").isEqualTo(follow);
            }
        }
        // One name relative to a directory fd (openat(dirfd, "name") of a tree walker), lazily.
        for (String dir : List.of(root, root + "/a", root + "/a/b")) {
            int dirfd = files.openat(AT_FDCWD, dir, O_PATH | dev.jsyd.abi.OpenFlags.O_DIRECTORY | O_CLOEXEC, 0);
            assertThat(dirfd).isNotNegative();
            try {
                for (String name : parts) {
                    String follow = outcome(() -> resolver.walk(tid, dirfd, name, PathResolver.Last.FOLLOW));
                    try (PathResolver.Resolved lazy = resolver.resolve(tid, dirfd, name, PathResolver.Last.FOLLOW_LAZY)) {
                        if (!lazy.lastUnchecked()) {
                            assertThat(lazy.path() + "|" + lazy.name() + "|" + lazy.trailingSlash() + "|" + lazy.isMagic())
                                    .as(dir + " " + name + " lazy, checked").isEqualTo(follow);
                            continue;
                        }
                        int fd = files.openat2(lazy.dirFd(), lazy.name(), O_PATH | O_CLOEXEC, 0,
                                RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_BENEATH);
                        if (fd >= 0) {
                            Files.close(fd);
                            assertThat(follow).as(dir + " " + name + " lazy opened").startsWith(lazy.path() + "|");
                        } else if (fd != -Errno.ELOOP) {
                            int own = files.openat(dirfd, name, O_PATH | O_CLOEXEC, 0);
                            if (own >= 0) Files.close(own);
                            assertThat(-fd).as(dir + " " + name + " lazy open fails as the program's own").isEqualTo(-own);
                        }
                    } catch (ResolveException e) {
                        assertThat("err " + e.errno()).as(dir + " " + name + " lazy").isEqualTo(follow);
                    }
                }
            } finally {
                Files.close(dirfd);
            }
        }
        assertThat(compared).isEqualTo(6000);
        assertThat(lexicalLinks).as("paths meeting a symlink, left to the caller").isPositive();
        assertThat(lazyErrors).as("paths the lazy open answers with an error").isPositive();
    }

    /**
     * Symlinks as the first component of an absolute path (/bin, /lib on a merged /usr) are
     * remembered by name and read again at each use: in a view rooted at the temporary directory,
     * random paths through such links resolve as the component walk resolves them, also while one
     * link is re-pointed, replaced by a directory or by a file between the calls.
     */
    @Test
    void topLevelLinksAreReadAgainAtEachUse() throws Exception {
        java.nio.file.Files.createDirectories(tmp.resolve("a/b/c"));
        java.nio.file.Files.createSymbolicLink(tmp.resolve("top-rel"), Path.of("a/b"));
        java.nio.file.Files.createSymbolicLink(tmp.resolve("top-abs"), Path.of("/a"));
        java.nio.file.Files.createSymbolicLink(tmp.resolve("top-dot"), Path.of("./a/../a"));
        java.nio.file.Files.createSymbolicLink(tmp.resolve("top-chain"), Path.of("top-abs/b"));
        int rootFd = files.openat(AT_FDCWD, root, O_PATH | dev.jsyd.abi.OpenFlags.O_DIRECTORY | O_CLOEXEC, 0);
        assertThat(rootFd).isNotNegative();
        try {
            resolver.setView(new ProgramView(rootFd, false, false, 0, LandlockMirror.NONE));
            String[] firsts = {"top-rel", "top-abs", "top-dot", "top-chain", "a", "missing", "dangling"};
            String[] parts = {"a", "b", "c", "file", "lb", "top-rel", "..", ".", "missing"};
            Path link = tmp.resolve("top-rel");
            String[] targets = {"a/b", "a", "/a/b/c", "a/b/file", "nowhere"};
            java.util.Random rnd = new java.util.Random(7);
            int throughLinks = 0;
            for (int i = 0; i < 3000; i++) {
                if (i % 97 == 96) { // the link changes between two calls
                    java.nio.file.Files.delete(link);
                    int k = rnd.nextInt(targets.length + 1);
                    if (k == targets.length) java.nio.file.Files.createDirectories(link.resolve("b"));
                    else java.nio.file.Files.createSymbolicLink(link, Path.of(targets[k]));
                    if (java.nio.file.Files.isDirectory(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        java.nio.file.Files.delete(link.resolve("b"));
                        java.nio.file.Files.delete(link);
                        java.nio.file.Files.createSymbolicLink(link, Path.of("a/b/c"));
                    }
                }
                StringBuilder p = new StringBuilder("/").append(firsts[rnd.nextInt(firsts.length)]);
                int n = 1 + rnd.nextInt(4);
                for (int k = 0; k < n; k++) p.append('/').append(parts[rnd.nextInt(parts.length)]);
                if (rnd.nextInt(10) == 0) p.append('/');
                String path = p.toString();
                if (path.startsWith("/top-")) throughLinks++;
                for (PathResolver.Last last : List.of(PathResolver.Last.FOLLOW, PathResolver.Last.NOFOLLOW, PathResolver.Last.LAST_LAZY)) {
                    String fast = outcome(() -> resolver.resolve(tid, AT_FDCWD, path, last));
                    String slow = outcome(() -> resolver.walk(tid, AT_FDCWD, path, last));
                    if (last == PathResolver.Last.LAST_LAZY && !fast.equals(slow)) {
                        // LAST_LAZY may leave a final symlink unread: then the result names the link itself.
                        assertThat(outcome(() -> resolver.walk(tid, AT_FDCWD, path, PathResolver.Last.NOFOLLOW)))
                                .as(path + " lazy").isEqualTo(fast);
                        continue;
                    }
                    assertThat(fast).as(path + " " + last).isEqualTo(slow);
                }
            }
            assertThat(throughLinks).isGreaterThan(1000);
        } finally {
            resolver.setView(ProgramView.HOST);
            Files.close(rootFd);
        }
    }

    private int lazyErrors;

    private int lexicalLinks;

    interface Resolve { PathResolver.Resolved get() throws ResolveException; }

    private static String outcome(Resolve r) {
        try (PathResolver.Resolved res = r.get()) {
            return res.path() + "|" + res.name() + "|" + res.trailingSlash() + "|" + res.isMagic();
        } catch (ResolveException e) {
            return "err " + e.errno();
        }
    }
}
