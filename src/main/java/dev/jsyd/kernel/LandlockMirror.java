package dev.jsyd.kernel;

import static dev.jsyd.abi.OpenFlags.AT_EMPTY_PATH;
import static dev.jsyd.abi.OpenFlags.AT_FDCWD;
import static dev.jsyd.abi.OpenFlags.AT_SYMLINK_NOFOLLOW;
import static dev.jsyd.abi.OpenFlags.O_CLOEXEC;
import static dev.jsyd.abi.OpenFlags.O_DIRECTORY;
import static dev.jsyd.abi.OpenFlags.O_PATH;
import static dev.jsyd.abi.OpenFlags.RESOLVE_IN_ROOT;

import dev.jsyd.abi.Landlock;
import dev.jsyd.sys.Files;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The program's Landlock domain as the supervisor must respect it. Landlock restricts the
 * program's own calls; a call the supervisor emulates (open, mkdir, unlink, rename, …) is made by
 * the supervisor, which is not restricted, so without this check an emulated call would do what
 * the program could not do itself. The check has Landlock's semantics: the rights of every rule
 * whose file is the object itself or one of the directories above it (by device and inode, walked
 * with {@code ..} from the directory the call acts on, across mount points, up to the program's
 * root) are allowed; a handled right none of them grants is refused (EACCES, EXDEV for a refused
 * reparenting). The rules' objects are the ones the launcher opened: looked up in the program's
 * view before it runs.
 */
public final class LandlockMirror {
    /** A rule: the object (device, inode) and the rights granted beneath it. */
    record Rule(long dev, long ino, long access) {}

    /** A rule as the launch plan has it: a path, its rights for a directory, and for a file. */
    public record PathRule(String path, long access, long fileAccess) {}

    /** A port rule: the right (BIND_TCP or CONNECT_TCP) on ports lo..hi. */
    public record PortRule(long right, int lo, int hi) {}

    /** No Landlock: nothing is refused. */
    public static final LandlockMirror NONE = new LandlockMirror(0, List.of(), -1, -1, 0, List.of(), 0);

    private static final int MAX_DEPTH = 4096;

    private final long handled;
    private final List<Rule> rules;
    private final long rootDev, rootIno;
    private final long handledNet;
    private final List<PortRule> ports;
    private final long scopes;

    private LandlockMirror(long handled, List<Rule> rules, long rootDev, long rootIno, long handledNet,
            List<PortRule> ports, long scopes) {
        this.handled = handled;
        this.rules = List.copyOf(rules);
        this.rootDev = rootDev;
        this.rootIno = rootIno;
        this.handledNet = handledNet;
        this.ports = List.copyOf(ports);
        this.scopes = scopes;
    }

    /** The same domain with its network side: handled TCP rights, port rules, scopes. */
    public LandlockMirror withNet(long handledNet, List<PortRule> ports, long scopes) {
        return new LandlockMirror(handled, rules, rootDev, rootIno, handledNet, ports, scopes);
    }

    /** True when Landlock would refuse TCP {@code right} (BIND_TCP, CONNECT_TCP) on {@code port}. */
    public boolean refusesPort(long right, int port) {
        if ((handledNet & right) == 0) return false;
        for (PortRule p : ports) if (p.right() == right && port >= p.lo() && port <= p.hi()) return false;
        return true;
    }

    /** True when abstract UNIX sockets made outside the domain are out of the program's reach. */
    public boolean scopesAbstractSockets() { return (scopes & Landlock.SCOPE_ABSTRACT_UNIX) != 0; }

    /**
     * Looks up the rules' objects as the launcher opened them (following symlinks, inside the
     * program's root {@code rootFd}, or the supervisor's when -1). A path that does not exist is
     * skipped, as the launcher skipped it.
     */
    public static LandlockMirror of(Files files, int rootFd, long handledFs, List<PathRule> paths) {
        List<Rule> rules = new ArrayList<>();
        for (PathRule p : paths) {
            int fd = rootFd >= 0 ? files.openat2(rootFd, p.path(), O_PATH | O_CLOEXEC, 0, RESOLVE_IN_ROOT)
                    : files.openat(AT_FDCWD, p.path(), O_PATH | O_CLOEXEC, 0);
            if (fd < 0) continue;
            byte[] st = files.fstatat(fd, "", AT_EMPTY_PATH);
            Files.close(fd);
            if (st == null) continue;
            boolean dir = (mode(st) & Files.S_IFMT) == Files.S_IFDIR;
            rules.add(new Rule(dev(st), ino(st), dir ? p.access() : p.fileAccess()));
        }
        byte[] root = rootFd >= 0 ? files.fstatat(rootFd, "", AT_EMPTY_PATH) : files.fstatat(AT_FDCWD, "/", 0);
        return new LandlockMirror(handledFs, rules, root == null ? -1 : dev(root), root == null ? -1 : ino(root), 0, List.of(), 0);
    }

    /** True when the program is under a Landlock domain that handles filesystem rights. */
    public boolean active() { return handled != 0; }

    /** True when the domain handles (restricts) filesystem right {@code right}. */
    public boolean handles(long right) { return (handled & right) != 0; }

    /**
     * True when Landlock would refuse {@code rights} on the object of the supervisor's fd
     * {@code fd} (e.g. IOCTL_DEV on a device): the object's own rules and those of the directories
     * above the name /proc shows for it. When that name no longer leads to the same object
     * (renamed, unlinked), only the object's own rules count: fail closed.
     */
    public boolean refusesObject(Files files, int fd, long rights) {
        long wanted = rights & handled;
        if (wanted == 0) return false;
        byte[] st = files.fstatat(fd, "", AT_EMPTY_PATH);
        if (st == null) return true;
        long allowed = rightsOf(dev(st), ino(st));
        String path = files.readlinkat(AT_FDCWD, "/proc/self/fd/" + fd);
        int slash = path == null ? -1 : path.lastIndexOf('/');
        if (slash >= 0 && path.startsWith("/")) {
            int dir = files.openat(AT_FDCWD, slash == 0 ? "/" : path.substring(0, slash), O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
            if (dir >= 0) {
                try {
                    byte[] entry = files.fstatat(dir, path.substring(slash + 1), AT_SYMLINK_NOFOLLOW);
                    if (entry != null && dev(entry) == dev(st) && ino(entry) == ino(st)) allowed |= allowed(files, dir, null);
                } finally {
                    Files.close(dir);
                }
            }
        }
        return (wanted & ~allowed) != 0;
    }

    /** True when the program is under a Landlock domain at all (files, ports or scopes). */
    public boolean any() { return handled != 0 || handledNet != 0 || scopes != 0; }

    /**
     * True when Landlock would refuse {@code rights} for entry {@code name} of directory
     * {@code dirFd}; the entry's own rules count when {@code withEntry} (an existing object the
     * call opens or changes), not when only the directory's rights matter (creating, removing).
     */
    public boolean refuses(Files files, int dirFd, String name, long rights, boolean withEntry) {
        long wanted = rights & handled;
        if (wanted == 0) return false;
        return (wanted & ~allowed(files, dirFd, withEntry ? name : null)) != 0;
    }

    /** The rights the rules grant at {@code name} in {@code dirFd} (null/empty: the directory itself). */
    long allowed(Files files, int dirFd, String name) {
        long allowed = 0;
        if (name != null && !name.isEmpty()) {
            byte[] st = files.fstatat(dirFd, name, AT_SYMLINK_NOFOLLOW);
            if (st != null) allowed |= rightsOf(dev(st), ino(st));
        }
        int cur = files.openat(dirFd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
        try {
            for (int depth = 0; cur >= 0 && depth < MAX_DEPTH; depth++) {
                byte[] st = files.fstatat(cur, "", AT_EMPTY_PATH);
                if (st == null) break;
                long dev = dev(st), ino = ino(st);
                allowed |= rightsOf(dev, ino);
                if (dev == rootDev && ino == rootIno) break;
                int up = files.openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
                byte[] upSt = up < 0 ? null : files.fstatat(up, "", AT_EMPTY_PATH);
                Files.close(cur);
                cur = up;
                if (upSt == null || (dev(upSt) == dev && ino(upSt) == ino)) break; // the top of the tree
            }
        } finally {
            if (cur >= 0) Files.close(cur);
        }
        return allowed;
    }

    /**
     * Moving (rename, link) an entry from directory {@code fromDir} to {@code toDir}: 0, EACCES
     * when a directory lacks the rights to remove ({@code fromNeeds}) or make ({@code toNeeds})
     * the entry, EXDEV when the directories differ and either lacks REFER or the destination would
     * give the entry rights it does not have at its source (both ways for an exchange), as
     * Landlock answers.
     */
    public int moveError(Files files, int fromDir, int toDir, long fromNeeds, long toNeeds, boolean exchange) {
        if (!active()) return 0;
        long a = allowed(files, fromDir, null), b = allowed(files, toDir, null);
        if ((fromNeeds & handled & ~a) != 0 || (toNeeds & handled & ~b) != 0) return dev.jsyd.abi.Errno.EACCES;
        byte[] fs = files.fstatat(fromDir, "", AT_EMPTY_PATH), ts = files.fstatat(toDir, "", AT_EMPTY_PATH);
        boolean same = fs != null && ts != null && dev(fs) == dev(ts) && ino(fs) == ino(ts);
        if (same || (handled & Landlock.REFER) == 0) return 0;
        long tied = handled & ~Landlock.REFER;
        if ((a & b & Landlock.REFER) == 0 || (b & ~a & tied) != 0 || (exchange && (a & ~b & tied) != 0)) {
            return dev.jsyd.abi.Errno.EXDEV;
        }
        return 0;
    }

    /** The right to make an entry of file type {@code type} (S_IF* bits). */
    public static long makeRight(int type) {
        return switch (type & Files.S_IFMT) {
            case Files.S_IFDIR -> Landlock.MAKE_DIR;
            case Files.S_IFLNK -> Landlock.MAKE_SYM;
            case 0010000 -> Landlock.MAKE_FIFO;
            case 0140000 -> Landlock.MAKE_SOCK;
            case 0020000 -> Landlock.MAKE_CHAR;
            case 0060000 -> Landlock.MAKE_BLOCK;
            default -> Landlock.MAKE_REG;
        };
    }

    /** The right to remove an entry of file type {@code type}. */
    public static long removeRight(int type) {
        return (type & Files.S_IFMT) == Files.S_IFDIR ? Landlock.REMOVE_DIR : Landlock.REMOVE_FILE;
    }

    private long rightsOf(long dev, long ino) {
        long r = 0;
        for (Rule rule : rules) if (rule.dev() == dev && rule.ino() == ino) r |= rule.access();
        return r;
    }

    // struct stat on x86_64: st_dev at 0, st_ino at 8, st_mode at 24.
    private static long dev(byte[] st) { return ByteBuffer.wrap(st).order(ByteOrder.LITTLE_ENDIAN).getLong(0); }

    private static long ino(byte[] st) { return ByteBuffer.wrap(st).order(ByteOrder.LITTLE_ENDIAN).getLong(8); }

    private static int mode(byte[] st) { return ByteBuffer.wrap(st).order(ByteOrder.LITTLE_ENDIAN).getInt(24); }
}
