package dev.jsyd.confine;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import dev.jsyd.abi.Landlock;
import java.util.List;

/**
 * Everything applied to the program before it runs, as one ordered list of steps: what the
 * pre-exec launcher ({@code src/main/c/syd-launch.c}) carries out, in this fixed order
 * (docs/CONFINE.md): namespaces ({@link Unshare}, {@link TimeOffset}, {@link Fork},
 * {@link LoopbackUp}), mounts and
 * root ({@link Mount}, {@link PivotRoot}), names ({@link Hostname}, {@link Domainname}),
 * {@link Rlimit}s, Landlock ({@link LandlockCreate}, {@link LandlockPath}, {@link LandlockPort},
 * {@link LandlockRestrict}), capabilities and memory ({@link DropCaps}, {@link Mdwe}), and the
 * seccomp filter last ({@link Seccomp}). Built by {@link PlanBuilder}; {@link #encode} gives the
 * message the launcher reads. Strings are byte strings (one char per byte, see policy/Bytes).
 */
public record LaunchPlan(List<Step> steps) implements dev.jsyd.sys.Launcher.Plan {
    /** The message magic ("JSYD" little-endian) and version the launcher accepts. */
    static final int MAGIC = 0x4459534a, VERSION = 2;

    public LaunchPlan {
        steps = List.copyOf(steps);
        int last = 0;
        for (Step s : steps) {
            // a second Landlock layer may follow the first one (LL_CREATE after LL_RESTRICT)
            boolean layer = s instanceof LandlockCreate && last == 13;
            if (s.op() < last && !layer) throw new IllegalArgumentException("launch steps out of order: " + s.describe());
            last = s.op();
        }
    }

    /** This plan without its steps of {@code kind} (learning runs without MDWE). */
    public LaunchPlan without(Class<? extends Step> kind) {
        return new LaunchPlan(steps.stream().filter(s -> !kind.isInstance(s)).toList());
    }

    /** One step; {@link #op()} is its place in the fixed order (the launcher's opcode). */
    public sealed interface Step {
        int op();

        /** What this step does, for error messages ("bind-mount /etc on /etc"). */
        String describe();

        /** Writes the payload (without op and length). */
        void payload(Payload p);
    }

    /** unshare(2) of the CLONE_NEW* {@code flags}; with a user namespace, one-line id maps. */
    public record Unshare(long flags, int uidInside, int uidOutside, int gidInside, int gidOutside) implements Step {
        public int op() { return 1; }
        public String describe() { return "create namespaces (unshare 0x" + Long.toHexString(flags) + ")"; }
        public void payload(Payload p) { p.u64(flags).u32(uidInside).u32(uidOutside).u32(gidInside).u32(gidOutside); }
    }

    /** Clock offsets of the new time namespace, in seconds. */
    public record TimeOffset(long monotonic, long boottime) implements Step {
        public int op() { return 2; }
        public String describe() { return "set the time namespace offset to " + monotonic + "s"; }
        public void payload(Payload p) { p.u64(monotonic).u64(boottime); }
    }

    /** The launcher forks: the program is its child (pid 1 of a new pid namespace). */
    public record Fork() implements Step {
        public int op() { return 3; }
        public String describe() { return "enter the new pid/time namespace (fork)"; }
        public void payload(Payload p) { }
    }

    /** Brings the loopback interface of a new network namespace up. */
    public record LoopbackUp() implements Step {
        public int op() { return 4; }
        public String describe() { return "bring up lo in the new network namespace"; }
        public void payload(Payload p) { }
    }

    /** Skip a mount whose source or target does not exist. */
    public static final int SKIP_MISSING = 1;
    /** Skip a mount when the previous mount step was skipped. */
    public static final int SKIP_AFTER_SKIP = 2;

    /** mount(2); null strings are passed as NULL. {@code what} names the command it comes from. */
    public record Mount(long flags, int options, String source, String target, String fstype, String data, String what)
            implements Step {
        public int op() { return 5; }
        public String describe() { return what; }
        public void payload(Payload p) { p.u64(flags).u32(options).str(source).str(target).str(fstype).str(data); }
    }

    /** pivot_root(2) into {@code root} (a mount point by then) and detach the old root. */
    public record PivotRoot(String root) implements Step {
        public int op() { return 6; }
        public String describe() { return "change root to " + root + " (root:" + root + ")"; }
        public void payload(Payload p) { p.str(root); }
    }

    public record Hostname(String name) implements Step {
        public int op() { return 7; }
        public String describe() { return "set the host name (name/host:" + name + ")"; }
        public void payload(Payload p) { p.str(name); }
    }

    public record Domainname(String name) implements Step {
        public int op() { return 8; }
        public String describe() { return "set the domain name (name/domain:" + name + ")"; }
        public void payload(Payload p) { p.str(name); }
    }

    /** setrlimit(2); -1 is RLIM_INFINITY. {@code name} is Syd's ({@code nofile}). */
    public record Rlimit(int resource, String name, long soft, long hard) implements Step {
        public int op() { return 9; }
        public String describe() { return "set rlimit/" + name; }
        public void payload(Payload p) { p.u32(resource).u32(0).u64(soft).u64(hard); }
    }

    /** landlock_create_ruleset(2) with the handled access rights and scopes. */
    public record LandlockCreate(long handledFs, long handledNet, long scoped) implements Step {
        public int op() { return 10; }
        public String describe() { return "create the Landlock ruleset"; }
        public void payload(Payload p) { p.u64(handledFs).u64(handledNet).u64(scoped); }
    }

    /** A path-beneath rule; {@code fileAccess} is used when the path is not a directory. */
    public record LandlockPath(long access, long fileAccess, boolean skipMissing, String path) implements Step {
        public int op() { return 11; }
        public String describe() { return "add the Landlock rule for " + path; }
        public void payload(Payload p) { p.u64(access).u64(fileAccess).u32(skipMissing ? 1 : 0).u32(0).str(path); }
    }

    /** {@link LandlockExact}: the rule goes on every entry of the directory but the names listed, not on the directory. */
    public static final int ENTRIES = 2;
    /** {@link LandlockExact}: no component of the path may be a symbolic link (else the rule is skipped). */
    public static final int NO_SYMLINKS = 4;

    /**
     * A rule of the translated layer ({@link LandlockTranslation}): skipped when the path is
     * missing or names a symbolic link anywhere; with {@code except} non-null, the rule goes on each
     * entry the directory has at start but the ones named (directories get {@code access}, others
     * {@code fileAccess}; symbolic links none), and nothing when the path is not a directory.
     */
    public record LandlockExact(long access, long fileAccess, String path, List<String> except) implements Step {
        public LandlockExact {
            except = except == null ? null : List.copyOf(except);
        }

        /** The right on {@code path} and everything beneath it. */
        static LandlockExact beneath(long right, String path) {
            return new LandlockExact(right, right & Landlock.FILE_RIGHTS, path, null);
        }

        /** The right on {@code path} when it is not a directory. */
        static LandlockExact fileOnly(long right, String path) {
            return new LandlockExact(0, right & Landlock.FILE_RIGHTS, path, null);
        }

        /** The right on each entry of directory {@code path} but {@code names}, beneath it. */
        static LandlockExact entriesExcept(long right, String path, List<String> names) {
            return new LandlockExact(right, right & Landlock.FILE_RIGHTS, path, names);
        }

        public int op() { return 11; }
        public String describe() { return "add the translated Landlock rule for " + path; }
        public void payload(Payload p) {
            p.u64(access).u64(fileAccess).u32(SKIP_MISSING | NO_SYMLINKS | (except != null ? ENTRIES : 0)).u32(0).str(path);
            if (except != null) {
                for (String n : except) {
                    if (n.isEmpty()) throw new IllegalArgumentException("empty name under " + path);
                    p.str(n);
                }
                p.str(null);
            }
        }
    }

    /** One net-port rule per port of {@code lo..hi}. */
    public record LandlockPort(long access, int lo, int hi) implements Step {
        public int op() { return 12; }
        public String describe() { return "add the Landlock rule for ports " + lo + "-" + hi; }
        public void payload(Payload p) { p.u64(access).u32(lo).u32(hi); }
    }

    /** no_new_privs, then landlock_restrict_self(2) with {@code flags}. */
    public record LandlockRestrict(int flags) implements Step {
        public int op() { return 13; }
        public String describe() { return "enforce the Landlock ruleset"; }
        public void payload(Payload p) { p.u32(flags); }
    }

    /** Every capability not in {@code keep} leaves the bounding set; ambient and inheritable cleared. */
    public record DropCaps(long keep) implements Step {
        public int op() { return 14; }
        public String describe() { return "drop capabilities"; }
        public void payload(Payload p) { p.u64(keep); }
    }

    /** PR_SET_MDWE(PR_MDWE_REFUSE_EXEC_GAIN), where the kernel has it. */
    public record Mdwe() implements Step {
        public int op() { return 15; }
        public String describe() { return "refuse writable-executable memory (MDWE)"; }
        public void payload(Payload p) { }
    }

    /** no_new_privs and the seccomp filter (struct sock_filter bytes), with a listener for the supervisor. */
    public record Seccomp(byte[] filter) implements Step {
        public int op() { return 16; }
        public String describe() { return "install the seccomp filter"; }
        public void payload(Payload p) { p.bytes(filter); }
    }

    /** True when the launcher forks: the program is not the process the supervisor spawned. */
    @Override
    public boolean forks() { return steps.stream().anyMatch(s -> s instanceof Fork); }

    /** True when a seccomp filter is installed (the launcher then hands over a listener). */
    @Override
    public boolean filtered() { return steps.stream().anyMatch(s -> s instanceof Seccomp); }

    /** The step at {@code index}, described, for the launcher's error reports. */
    @Override
    public String describe(int index) {
        return index >= 0 && index < steps.size() ? steps.get(index).describe() : "prepare the program";
    }

    /** The launcher's message: header (magic, version, {@code parentPid}, body length) and the steps. */
    @Override
    public byte[] encode(int parentPid) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Step s : steps) {
            Payload p = new Payload();
            s.payload(p);
            byte[] payload = p.out.toByteArray();
            body.writeBytes(le(8).putInt(s.op()).putInt(payload.length).array());
            body.writeBytes(payload);
            body.writeBytes(new byte[(8 - payload.length % 8) % 8]);
        }
        byte[] b = body.toByteArray();
        ByteBuffer m = le(16 + b.length).putInt(MAGIC).putInt(VERSION).putInt(parentPid).putInt(b.length);
        return m.put(b).array();
    }

    private static ByteBuffer le(int n) { return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN); }

    /** A step's payload as the launcher reads it: little-endian integers, NUL-terminated byte strings. */
    public static final class Payload {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Payload u64(long v) { out.writeBytes(le(8).putLong(v).array()); return this; }

        Payload u32(int v) { out.writeBytes(le(4).putInt(v).array()); return this; }

        /** A byte string and its NUL; null is written as an empty string (NULL for the launcher). */
        Payload str(String s) {
            if (s != null) {
                if (s.indexOf('\0') >= 0) throw new IllegalArgumentException("NUL byte in " + s);
                out.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
            }
            out.write(0);
            return this;
        }

        Payload bytes(byte[] b) { out.writeBytes(b); return this; }
    }
}
