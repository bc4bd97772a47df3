package dev.jsyd.bench;

import dev.jsyd.abi.OpenFlags;
import dev.jsyd.kernel.PathResolver;
import dev.jsyd.kernel.ResolveException;
import dev.jsyd.policy.Action;
import dev.jsyd.policy.Category;
import dev.jsyd.policy.Origin;
import dev.jsyd.policy.Policy;
import dev.jsyd.policy.Sandbox;
import dev.jsyd.sys.ErrnoException;
import dev.jsyd.sys.Files;
import dev.jsyd.sys.RemoteMemory;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.*;

/**
 * The supervisor's per-notification work for an emulated open, without the seccomp round trip
 * (RECV, ID_VALID, ADDFD): reading the path from "the program's" memory (our own, through
 * process_vm_readv), resolving it on a real tree (absolute, and relative to a directory fd), the
 * cached policy decision, and the whole handler sequence. Run with {@code -prof gc} to see the
 * bytes allocated per operation ({@code gc.alloc.rate.norm}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HotPathBench {
    Files files;
    RemoteMemory memory;
    PathResolver resolver;
    Sandbox sandbox;
    Arena arena;
    long pathAddr;
    int pid;
    int baseFd;
    String absolute;
    String relative = "d00/s00/f000.txt";
    Path tree;
    dev.jsyd.kernel.Identities identities;
    dev.jsyd.sys.Credentials credentials;
    int tid;
    dev.jsyd.sys.Credentials.Identity own, fewer;

    @Setup
    public void setUp() throws Exception {
        tree = java.nio.file.Files.createTempDirectory("jsyd-hot");
        Path f = tree.resolve("d00/s00/f000.txt");
        java.nio.file.Files.createDirectories(f.getParent());
        java.nio.file.Files.writeString(f, "x");
        absolute = f.toRealPath().toString();
        files = new Files();
        memory = new RemoteMemory();
        resolver = new PathResolver(files);
        pid = (int) ProcessHandle.current().pid();
        baseFd = files.openat(OpenFlags.AT_FDCWD, tree.toRealPath().toString(), OpenFlags.O_PATH | OpenFlags.O_DIRECTORY | OpenFlags.O_CLOEXEC, 0);
        arena = Arena.ofShared();
        MemorySegment s = arena.allocateFrom(absolute, java.nio.charset.StandardCharsets.ISO_8859_1);
        pathAddr = s.address();
        Policy p = Policy.defaults();
        p.applyProfile("off", Origin.profile("off", 0));
        for (String c : new String[] {"sandbox/read,stat,walk,readdir:on", "allow/read,stat,walk,readdir+/***", "deny/read+/nonexistent/x"}) {
            p.apply(c, Origin.argument(0));
        }
        sandbox = p.snapshot();
        identities = new dev.jsyd.kernel.Identities(false, false);
        credentials = dev.jsyd.sys.Credentials.ofThread();
        tid = dev.jsyd.sys.Signals.gettid();
        own = credentials.own();
        fewer = new dev.jsyd.sys.Credentials.Identity(own.fsuid(), own.fsgid(), own.groups(), own.capEff() & ~(1L << 21));
    }

    @TearDown
    public void tearDown() throws Exception {
        Files.close(baseFd);
        resolver.close();
        files.close();
        memory.close();
        arena.close();
        try (var w = java.nio.file.Files.walk(tree)) {
            w.sorted(java.util.Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
        }
    }

    @Benchmark
    public String readPath() throws ErrnoException {
        return memory.readPath(pid, pathAddr);
    }

    @Benchmark
    public int resolveAbsolute() throws ResolveException {
        try (PathResolver.Resolved r = resolver.resolve(pid, OpenFlags.AT_FDCWD, absolute, PathResolver.Last.FOLLOW)) {
            return r.dirFd();
        }
    }

    @Benchmark
    public int resolveRelative() throws ResolveException {
        try (PathResolver.Resolved r = resolver.resolve(pid, baseFd, relative, PathResolver.Last.FOLLOW)) {
            return r.dirFd();
        }
    }

    @Benchmark
    public Action checkPathCached() {
        return sandbox.checkPath(Category.READ, absolute);
    }

    /**
     * What OpenHandlers did for every {@code open(path, O_RDONLY)} between RECV and ADDFD (and still
     * does when a check may refuse or log): read the path, resolve it (the last component read as a
     * link), the stat (hidden) and read/readdir decisions, look at the file type, open it beneath
     * the parent fd, close it.
     */
    @Benchmark
    public int openLongWay() throws Exception {
        String path = memory.readPath(pid, pathAddr);
        try (PathResolver.Resolved r = resolver.resolve(pid, OpenFlags.AT_FDCWD, path, PathResolver.Last.FOLLOW)) {
            if (sandbox.checkPath(Category.STAT, r.path()) != Action.ALLOW) return -1;
            int type = files.fileType(r.dirFd(), r.name(), OpenFlags.AT_SYMLINK_NOFOLLOW);
            Category c = type == Files.S_IFDIR ? Category.READDIR : Category.READ;
            if (sandbox.checkPath(c, r.path()) != Action.ALLOW) return -1;
            int fd = files.openat2(r.dirFd(), r.name(), OpenFlags.O_RDONLY | OpenFlags.O_CLOEXEC | OpenFlags.O_NOCTTY, 0,
                    OpenFlags.RESOLVE_NO_SYMLINKS | OpenFlags.RESOLVE_NO_MAGICLINKS | OpenFlags.RESOLVE_BENEATH);
            Files.close(fd);
            return fd;
        }
    }

    /**
     * The quick way of OpenHandlers for the same open when stat, read and readdir all allow the
     * path silently: resolve with FOLLOW_LAZY (no readlinkat of the last component), the three
     * decisions, no newfstatat, the RESOLVE_NO_SYMLINKS open (which refuses a symlink itself).
     */
    @Benchmark
    public int openQuickWay() throws Exception {
        String path = memory.readPath(pid, pathAddr);
        try (PathResolver.Resolved r = resolver.resolve(pid, OpenFlags.AT_FDCWD, path, PathResolver.Last.FOLLOW_LAZY)) {
            if (sandbox.checkPath(Category.STAT, r.path()) != Action.ALLOW
                    || sandbox.checkPath(Category.READ, r.path()) != Action.ALLOW
                    || sandbox.checkPath(Category.READDIR, r.path()) != Action.ALLOW) {
                return -1;
            }
            int fd = files.openat2(r.dirFd(), r.name(), OpenFlags.O_RDONLY | OpenFlags.O_CLOEXEC | OpenFlags.O_NOCTTY, 0,
                    OpenFlags.RESOLVE_NO_SYMLINKS | OpenFlags.RESOLVE_NO_MAGICLINKS | OpenFlags.RESOLVE_BENEATH);
            Files.close(fd);
            return fd;
        }
    }

    /**
     * What every notified call adds for "the program's rights" when its identity is the one the
     * worker already holds (the common case): the per-thread credentials from the cache, and the
     * switch that finds nothing to do.
     */
    @Benchmark
    public Object identityKept() throws ErrnoException {
        dev.jsyd.kernel.Identities.Task t = identities.of(files, tid);
        credentials.become(t.identity());
        return t;
    }

    /**
     * Two calls from different identities in turn (the effective set differs by one capability):
     * two capsets per operation.
     */
    @Benchmark
    public Object identitySwitchedTwice() throws ErrnoException {
        credentials.become(fewer);
        credentials.become(own);
        return own;
    }
}
