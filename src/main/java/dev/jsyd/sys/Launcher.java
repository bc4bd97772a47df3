package dev.jsyd.sys;

import dev.jsyd.abi.Syscalls;

import dev.jsyd.abi.Errno;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Starts the pre-exec launcher ({@code src/main/c/syd-launch.c}) with posix_spawn and drives its
 * protocol: send the launch plan, take the program (when the launcher forks) and the listener
 * with pidfd_getfd, let it exec, learn how the exec went. The launcher must be spawned from a
 * thread that lives as long as the sandbox: PR_SET_PDEATHSIG fires when the <em>thread</em> that
 * created the child exits.
 */
public final class Launcher {
    private Launcher() {}

    /** The variables that carry the control socket's fd number and the file to exec to the launcher. */
    static final String ENV_FD = "JSYD_LAUNCH_FD", ENV_FILE = "JSYD_LAUNCH_FILE";

    private static final int AF_UNIX = 1, SOCK_STREAM = 1, SOCK_CLOEXEC = 02000000, F_SETFD = 2;
    private static final Object SPAWN_LOCK = new Object();

    private static final class Holder {
        static final MemorySegment POSIX_SPAWN = Native.symbol("posix_spawn");
    }

    /**
     * Where one of the launcher's standard streams comes from: {@link #INHERIT} (the JVM's own),
     * an open fd of the JVM duplicated onto it ({@code fd >= 0}, e.g. a pipe end), or a file
     * opened by path with open(2) {@code flags} (mode 0666 before the umask).
     */
    public record Stdio(int fd, String path, int flags) {
        /** The JVM's own stream. */
        public static final Stdio INHERIT = new Stdio(-1, null, 0);

        public static Stdio dup(int fd) { return new Stdio(fd, null, 0); }

        public static Stdio open(String path, int flags) { return new Stdio(-1, path, flags); }

        boolean inherits() { return fd < 0 && path == null; }
    }

    /**
     * What the launcher is given before it starts (posix_spawn file actions): its working
     * directory (null: the JVM's) and stdin, stdout, stderr.
     */
    public record Setup(String directory, Stdio in, Stdio out, Stdio err) {
        /** No changes: the CLI's case, which creates no file actions at all. */
        public static final Setup NONE = new Setup(null, Stdio.INHERIT, Stdio.INHERIT, Stdio.INHERIT);

        boolean isNone() { return directory == null && in.inherits() && out.inherits() && err.inherits(); }
    }

    /**
     * The file actions, called only when a {@link Setup} asks for something; like posix_spawn they
     * return an error number (0 on success), through {@link Native#call}.
     */
    private static final class Actions {
        static final MemorySegment INIT = Native.symbol("posix_spawn_file_actions_init");
        static final MemorySegment DESTROY = Native.symbol("posix_spawn_file_actions_destroy");
        static final MemorySegment DUP2 = Native.symbol("posix_spawn_file_actions_adddup2");
        static final MemorySegment OPEN = Native.symbol("posix_spawn_file_actions_addopen");
        static final MemorySegment CHDIR = Native.symbol("posix_spawn_file_actions_addchdir_np");
        /** sizeof(posix_spawn_file_actions_t) is 80 on glibc x86_64; room to spare. */
        static final long SIZE = 256;

        /** Builds the file actions of {@code setup} in {@code a}; the caller destroys them. */
        static MemorySegment build(Arena a, Setup setup) throws ErrnoException {
            MemorySegment fa = a.allocate(SIZE, 16);
            check("posix_spawn_file_actions_init", call(INIT, fa.address(), 0, 0, 0, 0));
            try {
                Stdio[] streams = {setup.in(), setup.out(), setup.err()};
                for (int n = 0; n < 3; n++) {
                    Stdio s = streams[n];
                    if (s.fd() >= 0) {
                        check("posix_spawn_file_actions_adddup2", call(DUP2, fa.address(), s.fd(), n, 0, 0));
                    } else if (s.path() != null) {
                        check("posix_spawn_file_actions_addopen", call(OPEN, fa.address(), n,
                                a.allocateFrom(s.path(), StandardCharsets.UTF_8).address(), s.flags(), 0666));
                    }
                }
                if (setup.directory() != null) {
                    check("posix_spawn_file_actions_addchdir_np", call(CHDIR, fa.address(),
                            a.allocateFrom(setup.directory(), StandardCharsets.UTF_8).address(), 0, 0, 0));
                }
            } catch (ErrnoException e) {
                destroy(fa);
                throw e;
            }
            return fa;
        }

        static void destroy(MemorySegment fa) {
            call(DESTROY, fa.address(), 0, 0, 0, 0);
        }

        private static int call(MemorySegment function, long a, long b, long c, long d, long e) {
            return (int) Native.call(function, Native.captureSegment(), a, b, c, d, e, 0);
        }

        private static void check(String what, int err) throws ErrnoException {
            if (err != 0) throw new ErrnoException(what, err);
        }
    }

    /**
     * What the launcher carries out: a serialized plan (src/main/c/syd-launch.c documents the
     * message), built in Java (dev.jsyd.confine.LaunchPlan).
     */
    public interface Plan {
        /** The launcher's message, with the supervisor's pid as the expected parent. */
        byte[] encode(int parentPid);

        /** True when the launcher forks and the program is its child (it then sends "P"). */
        boolean forks();

        /** True when a seccomp filter is installed (the launcher then hands over a listener with "L"). */
        boolean filtered();

        /** What step {@code index} does, for a failure report. */
        String describe(int index);
    }

    /** A launched process that has not exec'd the program yet. */
    public static final class Launched implements AutoCloseable {
        private final int ctl;
        private final PidFd spawned;
        private final PidFd program;
        private final NotifyFd listener;
        private final Plan plan;

        private Launched(int ctl, PidFd spawned, PidFd program, NotifyFd listener, Plan plan) {
            this.ctl = ctl;
            this.spawned = spawned;
            this.program = program;
            this.listener = listener;
            this.plan = plan;
        }

        /** The process that becomes the program (the launcher's child when the plan forks). */
        public PidFd pidfd() { return program; }

        /** The launcher that stays outside while the program runs (0 when the plan does not fork). */
        public int launcherPid() { return spawned == program ? 0 : spawned.pid(); }

        /** The seccomp listener, or null when the plan installs no filter. */
        public NotifyFd listener() { return listener; }

        /** Lets the launcher go on to exec the program (the supervisor must be serving the listener). */
        public void release() throws ErrnoException {
            if (listener == null) return; // nothing to acknowledge: the launcher goes straight on
            ack(ctl);
        }

        /**
         * Waits until the launcher has exec'd the program (returns 0) or failed to (returns the
         * errno of the failed exec, positive). Setup failures throw.
         */
        public int awaitExec() throws ErrnoException {
            int[] msg = readMessage(ctl);
            if (msg == null) return 0; // control socket closed on exec: the program runs
            if (msg[0] == 'E') return msg[1];
            throw new ErrnoException(plan.describe(msg[2]), msg[1]);
        }

        /** Closes the fds; a forking launcher (which lives as long as the program) is killed and reaped. */
        @Override
        public void close() {
            Native.syscall(Syscalls.CLOSE, ctl);
            if (listener != null) listener.close();
            if (spawned != program) {
                spawned.signal(Signals.SIGKILL);
                try {
                    spawned.waitExit();
                } catch (ErrnoException e) {
                    // already reaped: nothing to do
                }
                spawned.close();
            }
            program.close();
        }
    }

    /**
     * Spawns {@code launcher} to run {@code file} (searched in PATH when it has no slash) with
     * {@code argv} and {@code env} after carrying out {@code plan}. The launcher starts in
     * {@code setup}'s directory with its standard streams (posix_spawn file actions; none are
     * created for {@link Setup#NONE}); a directory or file that cannot be opened fails the spawn
     * with that errno. Returns once the plan ran up to the listener hand-off (or, with no filter,
     * once it was sent). {@code file}, {@code argv} and {@code env} are byte strings (one char per
     * byte), passed on unchanged.
     */
    public static Launched start(String launcher, Plan plan, String file, List<String> argv, List<String> env,
            Setup setup) throws ErrnoException {
        OwnProcess.closeEnvironmentFd(); // bin/syd's environment pipe: no child gets it
        int[] sv = socketpair();
        int pid;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment path = a.allocateFrom(launcher);
            // The launcher runs with the program's own argv (so /proc/PID/cmdline, and the log's
            // `cmd`, show the program from the start); what it needs comes in two variables it
            // removes before the exec.
            List<String> launchEnv = new java.util.ArrayList<>(env);
            launchEnv.add(ENV_FD + "=" + sv[1]);
            launchEnv.add(ENV_FILE + "=" + file);
            env = launchEnv;
            MemorySegment argvSeg = cStrings(a, argv);
            MemorySegment envSeg = cStrings(a, env);
            MemorySegment pidOut = a.allocate(ValueLayout.JAVA_INT);
            MemorySegment actions = MemorySegment.NULL;
            if (setup != null && !setup.isNone()) {
                try {
                    actions = Actions.build(a, setup);
                } catch (ErrnoException e) {
                    Native.syscall(Syscalls.CLOSE, sv[0]);
                    Native.syscall(Syscalls.CLOSE, sv[1]);
                    throw e;
                }
            }
            synchronized (SPAWN_LOCK) {
                // The child end must survive the spawn; keep it inheritable only inside this lock.
                ErrnoException.check("fcntl", Native.syscall(Syscalls.FCNTL, sv[1], F_SETFD, 0));
                int err;
                try {
                    err = (int) Native.call(Holder.POSIX_SPAWN, Native.captureSegment(), pidOut.address(), path.address(),
                            actions.address(), 0, argvSeg.address(), envSeg.address());
                } finally {
                    Native.syscall(Syscalls.CLOSE, sv[1]);
                    if (!actions.equals(MemorySegment.NULL)) Actions.destroy(actions);
                }
                if (err != 0) {
                    Native.syscall(Syscalls.CLOSE, sv[0]);
                    throw new ErrnoException("posix_spawn " + launcher, err);
                }
            }
            pid = pidOut.get(ValueLayout.JAVA_INT, 0);
        }
        int ctl = sv[0];
        PidFd spawned = null, program = null;
        try {
            spawned = PidFd.open(pid);
            program = spawned;
            writeFully(ctl, plan.encode(Signals.getpid()));
            NotifyFd listener = null;
            if (plan.forks()) {
                int[] msg = expect(ctl, 'P', plan);
                program = new PidFd(takeFd(spawned, msg[1], "pidfd_getfd(program)"), msg[2]);
                ack(ctl); // the launcher may now make itself not dumpable and let the program go on
            }
            if (plan.filtered()) listener = new NotifyFd(takeFd(program, expect(ctl, 'L', plan)[1], "pidfd_getfd(listener)"));
            return new Launched(ctl, spawned, program, listener, plan);
        } catch (ErrnoException e) {
            Native.syscall(Syscalls.CLOSE, ctl);
            if (spawned != null) {
                spawned.signal(Signals.SIGKILL); // a forked program dies with it (parent-death signal)
                spawned.waitExit();
                spawned.close();
            }
            if (program != null && program != spawned) program.close();
            throw e;
        }
    }

    private static int[] socketpair() throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sv = a.allocate(8, 4);
            ErrnoException.check("socketpair",
                    Native.syscall(Syscalls.SOCKETPAIR, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv.address()));
            return new int[] {sv.get(ValueLayout.JAVA_INT, 0), sv.get(ValueLayout.JAVA_INT, 4)};
        }
    }

    /** A NULL-ended array of C strings; each String is a byte string (one char per byte, ISO-8859-1). */
    private static MemorySegment cStrings(Arena a, List<String> strings) {
        MemorySegment arr = a.allocate(8L * (strings.size() + 1), 8);
        for (int i = 0; i < strings.size(); i++) {
            byte[] b = strings.get(i).getBytes(StandardCharsets.ISO_8859_1);
            MemorySegment s = a.allocate(b.length + 1L);
            MemorySegment.copy(b, 0, s, ValueLayout.JAVA_BYTE, 0, b.length);
            arr.setAtIndex(ValueLayout.ADDRESS, i, s);
        }
        arr.setAtIndex(ValueLayout.ADDRESS, strings.size(), MemorySegment.NULL);
        return arr;
    }

    /** The next message, which must be {@code tag}; a failure report or an early end throws. */
    private static int[] expect(int ctl, char tag, Plan plan) throws ErrnoException {
        int[] msg = readMessage(ctl);
        if (msg == null) throw new ErrnoException("launcher exited during setup", Errno.EIO);
        if (msg[0] != tag) throw new ErrnoException(plan.describe(msg[2]), msg[1]);
        return msg;
    }

    /** A duplicate of {@code process}'s fd {@code fd}. */
    private static int takeFd(PidFd process, int fd, String what) throws ErrnoException {
        int dup = process.getFd(fd);
        if (dup < 0) throw new ErrnoException(what, -dup);
        return dup;
    }

    /** The one-byte acknowledgement the launcher waits for. */
    private static void ack(int ctl) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment b = a.allocate(1);
            ErrnoException.check("write(launcher)", Native.syscall(Syscalls.WRITE, ctl, b.address(), 1));
        }
    }

    private static void writeFully(int ctl, byte[] message) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(message.length, 8);
            MemorySegment.copy(message, 0, m, ValueLayout.JAVA_BYTE, 0, message.length);
            long off = 0;
            while (off < m.byteSize()) {
                long r = Native.syscall(Syscalls.WRITE, ctl, m.address() + off, m.byteSize() - off);
                if (r == -Errno.EINTR) continue;
                ErrnoException.check("write(launcher)", r);
                off += r;
            }
        }
    }

    /** Reads one 12-byte message {tag, value, step}; null on end of file. */
    private static int[] readMessage(int ctl) throws ErrnoException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(12, 4);
            long off = 0;
            while (off < 12) {
                long r = Native.syscall(Syscalls.READ, ctl, m.address() + off, 12 - off);
                if (r == -Errno.EINTR) continue;
                ErrnoException.check("read(launcher)", r);
                if (r == 0) {
                    if (off == 0) return null;
                    throw new ErrnoException("launcher: short message", Errno.EIO);
                }
                off += r;
            }
            return new int[] {m.get(ValueLayout.JAVA_INT, 0), m.get(ValueLayout.JAVA_INT, 4), m.get(ValueLayout.JAVA_INT, 8)};
        }
    }
}
