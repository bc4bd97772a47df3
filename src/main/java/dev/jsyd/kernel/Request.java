package dev.jsyd.kernel;

import dev.jsyd.abi.Errno;
import dev.jsyd.policy.Action;
import dev.jsyd.policy.Category;
import dev.jsyd.policy.Sandbox;
import dev.jsyd.sys.Credentials;
import dev.jsyd.sys.ErrnoException;
import dev.jsyd.sys.Files;
import dev.jsyd.sys.Notification;
import dev.jsyd.sys.NotifyFd;
import dev.jsyd.sys.RemoteMemory;
import dev.jsyd.sys.Signals;

/**
 * The notification being handled plus one worker's tools to handle it (its buffers, memory
 * reader, path resolver). Owned by one worker thread and reused for every notification it
 * receives; handlers answer through it exactly once.
 */
public final class Request implements AutoCloseable {
    public final Notification notification = new Notification();
    private final NotifyFd.Channel channel;
    private final RemoteMemory memory = new RemoteMemory();
    private final Files files = new Files();
    private final PathResolver resolver = new PathResolver(files);
    private final SandboxContext context;
    private final ProcGuard procGuard;
    private final Credentials credentials = Credentials.ofThread();
    private boolean answered;
    private Sandbox sandbox;
    private Identities.Task task;

    // Read by the interrupter thread while this request's emulation may block.
    private final int workerTid = Signals.gettid();
    private final KickGate blocking = new KickGate(Signals::takePending);
    private volatile long busySince;
    private volatile boolean interrupted;

    private dev.jsyd.sys.StatCalls statCalls;

    public Request(NotifyFd listener, SandboxContext context) {
        this.channel = listener.openChannel();
        this.context = context;
        resolver.setView(context.view());
        this.procGuard = new ProcGuard(context.members(), this::sandbox, context.view());
        resolver.setProcGuard(procGuard);
        resolver.setProgramFds((tid, fd) -> {
            if (tid != notification.pid) return -1;
            try {
                return programFd(fd);
            } catch (dev.jsyd.sys.ErrnoException e) {
                return -1;
            }
        });
        resolver.setWalkCheck(new PathResolver.WalkCheck() {
            @Override public boolean denied(String dir) { return walkDenied(dir); }
            @Override public boolean active() { return sandbox().mayRefuse(Category.WALK); }
            @Override public long forced() { return forcedResolve(sandbox()); }
            @Override public boolean denyDotDot() { return dotDotDenied(); }
        });
    }

    /** {@code trace/deny_dotdot}: Syd refuses {@code ..} components for the open and chdir families (EACCES). */
    private boolean dotDotDenied() {
        return PathResolver.dotDotRefusable(notification.nr) && sandbox().flag("trace/deny_dotdot");
    }

    /** The RESOLVE_* bits the {@code trace/force_no_*} switches impose on every resolution. */
    static long forcedResolve(Sandbox sb) {
        return (sb.flag("trace/force_no_symlinks") ? dev.jsyd.abi.OpenFlags.RESOLVE_NO_SYMLINKS : 0)
                | (sb.flag("trace/force_no_magiclinks") ? dev.jsyd.abi.OpenFlags.RESOLVE_NO_MAGICLINKS : 0)
                | (sb.flag("trace/force_no_xdev") ? dev.jsyd.abi.OpenFlags.RESOLVE_NO_XDEV : 0);
    }

    private ExecGate execGate;

    /** This worker's exec checks (see {@link ExecGate}). */
    public ExecGate execGate() {
        if (execGate == null) execGate = new ExecGate(files);
        return execGate;
    }

    /** This worker's metadata calls (stat, getdents, xattr) and their scratch buffer. */
    public dev.jsyd.sys.StatCalls statCalls() {
        if (statCalls == null) statCalls = new dev.jsyd.sys.StatCalls();
        return statCalls;
    }

    /**
     * True when the program's Landlock domain refuses {@code rights} (dev.jsyd.abi.Landlock) for
     * entry {@code name} of {@code dirFd}, which the supervisor is about to act on for it; see
     * {@link LandlockMirror}. {@code withEntry}: the entry's own rules count (an existing object).
     */
    public boolean landlockRefuses(int dirFd, String name, long rights, boolean withEntry) {
        LandlockMirror m = context.view().landlock();
        return m.active() && m.refuses(files, dirFd, name, rights, withEntry);
    }

    /** True when emulated calls must respect a Landlock domain. */
    public boolean landlockActive() { return context.view().landlock().active(); }

    /** The walk check every resolution of this request makes (see {@link PathResolver.WalkCheck}). */
    private boolean walkDenied(String dir) {
        Action a = sandbox().checkPath(Category.WALK, dir); // ALLOW when walk is off
        return a != Action.ALLOW && enforce(Category.WALK, a, dev.jsyd.abi.Syscalls.name(notification.nr), dir, null, -1);
    }

    /**
     * Path hiding (spec §1): true when stat sandboxing is on and denies {@code path}. The stat
     * action is applied (logged, signalled, …) and the caller answers ENOENT instead of EACCES, so
     * a hidden path looks absent to every call, not only to stat. Call it before the call's own
     * category check.
     */
    public boolean hidden(String syscall, String path) {
        return denied(syscall, path, -1, Category.STAT);
    }

    /**
     * True when every given category (null entries are skipped) allows {@code path} silently,
     * hidden included: then {@link #denied} and {@link #hidden} would do nothing and return false
     * for it. Has no effect itself (no log, no signal), so it may be asked about a path that is
     * not yet known to be the canonical one.
     */
    public boolean silentlyAllowed(String path, Category a, Category b, Category c) {
        Sandbox sb = sandbox();
        return sb.checkPath(Category.STAT, path) == Action.ALLOW
                && (a == null || sb.checkPath(a, path) == Action.ALLOW)
                && (b == null || sb.checkPath(b, path) == Action.ALLOW)
                && (c == null || sb.checkPath(c, path) == Action.ALLOW);
    }

    /** Receives the next notification (blocking); 0 or -errno (see {@link NotifyFd.Channel#receive}). */
    public int receive() {
        int r = channel.receive(notification);
        answered = false;
        sandbox = null;
        return r;
    }

    public NotifyFd.Wait await(int timeoutMillis) { return channel.await(timeoutMillis); }

    public int pid() { return notification.pid; }

    /**
     * Takes the calling thread's identity (fsuid, fsgid, groups, effective capabilities) for this
     * worker, so that everything the handler does next — the path walk and the emulated call — is
     * checked by the kernel as the program's own call would be (docs/EMULATION.md, "Whose rights").
     */
    public void borrowIdentity() throws ErrnoException {
        task = context.identities().of(files, notification.pid);
        resolver.setCaller(task.tgid());
        credentials.become(task.identity());
    }

    /** The calling thread's credentials as read for this request ({@link #borrowIdentity}). */
    public Identities.Task task() { return task; }

    /** This worker thread's credentials. */
    public Credentials credentials() { return credentials; }

    /**
     * True when {@code path} (canonical) is in the {@code /proc} directory of the calling thread's
     * own process, which the kernel lets the program into whatever its credentials.
     */
    public boolean ownProc(String path) {
        return OwnProc.in(path, notification.pid) || (task != null && OwnProc.in(path, task.tgid()));
    }

    /**
     * Runs {@code op}, a system call opening the program's own {@code /proc} entry {@code path} and
     * answering a value or -errno, as {@link OwnProc#call} does: once more with CAP_SYS_PTRACE when
     * refused there.
     */
    public int ownProc(String path, java.util.function.IntSupplier op) {
        // Its fd and fdinfo directories are the program's to list whoever owns them (as a lookup).
        if (path.endsWith("/fd") || path.endsWith("/fdinfo")) return (int) OwnProc.lookup(op::getAsInt, () -> ownProc(path));
        return (int) OwnProc.call(op::getAsInt, () -> ownProc(path));
    }

    /** A look (readlink, stat) at the program's own {@code /proc} entry {@code path}, answering null with {@link Files#lastError()}: {@link OwnProc#look}. */
    public <T> T ownProcLook(String path, java.util.function.Supplier<T> op) {
        return OwnProc.look(files, op, () -> ownProc(path));
    }

    public long arg(int i) { return notification.args[i]; }
    public RemoteMemory memory() { return memory; }
    public Files files() { return files; }
    public PathResolver resolver() { return resolver; }
    public SandboxContext context() { return context; }
    ProcGuard procGuard() { return procGuard; }
    public boolean answered() { return answered; }

    /** The policy snapshot for this request: read once, so one request sees one policy. */
    public Sandbox sandbox() {
        if (sandbox == null) sandbox = context.sandbox();
        return sandbox;
    }

    /**
     * A duplicate of the program's fd {@code fd} (same open file description, via pidfd_getfd),
     * close-on-exec in the supervisor; the caller closes it. EBADF when the program has no such fd.
     */
    public int programFd(int fd) throws dev.jsyd.sys.ErrnoException {
        if (fd < 0) throw new dev.jsyd.sys.ErrnoException("pidfd_getfd", Errno.EBADF);
        int tid = notification.pid;
        if (threadPidFd != null && threadPidFdTid == tid) {
            // The pidfd kept from an earlier call of thread id tid names a task, never an id: while
            // that task lives, tid is its id, so the notifier is that task; once it is gone the
            // duplicate fails and the fd is taken the long way below (pidfd_open, ID_VALID).
            int dup = threadPidFd.getFd(fd);
            if (dup >= 0) return dup;
        }
        // The notification names the calling thread, which need not lead its thread group.
        dev.jsyd.sys.PidFd p = dev.jsyd.sys.PidFd.openThread(tid);
        // Still waiting in this call: the pidfd names the notifying thread, not a reused id.
        if (channel.idValid(notification.id) != 0) {
            p.close();
            throw new dev.jsyd.sys.ErrnoException("pidfd_open", Errno.ESRCH);
        }
        int dup = p.getFd(fd);
        if (p.namesThread()) {
            if (threadPidFd != null) threadPidFd.close();
            threadPidFd = p;
            threadPidFdTid = tid;
        } else {
            p.close();
        }
        if (dup < 0) throw new dev.jsyd.sys.ErrnoException("pidfd_getfd", dup == -Errno.ESRCH ? Errno.ESRCH : Errno.EBADF);
        return dup;
    }

    /** The pidfd of the thread that last asked for one of its fds here, kept for its next call (three system calls less). */
    private dev.jsyd.sys.PidFd threadPidFd;
    private int threadPidFdTid;

    /**
     * The supervisor's pidfd_getfd duplicate of fd {@code fd} of the process thread {@code tid}
     * belongs to (a thread pidfd names it), or -errno.
     */
    public static int copyOfFd(int tid, int fd) {
        if (fd < 0) return -Errno.EBADF;
        try (dev.jsyd.sys.PidFd p = dev.jsyd.sys.PidFd.openThread(tid)) {
            return p.getFd(fd);
        } catch (dev.jsyd.sys.ErrnoException e) {
            return -e.errno();
        }
    }

    /**
     * The canonical path of the program's fd {@code fd} (as {@code /proc/TID/fd/N} shows it), for
     * checking fd-based calls (fchmod, ftruncate, …) like their path forms; EBADF if there is none.
     * Non-path objects come back as their link text (e.g. {@code pipe:[123]}).
     */
    public String fdPath(int fd) throws ResolveException {
        if (fd < 0) throw new ResolveException(Errno.EBADF);
        String link = "/proc/" + notification.pid + "/fd/" + fd;
        String p = ownProcLook(link, () -> files.readlinkat(dev.jsyd.abi.OpenFlags.AT_FDCWD, link));
        if (p != null) return p;
        if (files.lastError() != Errno.ENAMETOOLONG) throw new ResolveException(Errno.EBADF);
        // Deeper than the kernel prints: a directory is named by the resolver; anything else has
        // no path it can check (ENAMETOOLONG, fail closed).
        p = ownProcLook(link, () -> {
            int obj = files.openat(dev.jsyd.abi.OpenFlags.AT_FDCWD, link, dev.jsyd.abi.OpenFlags.O_PATH | dev.jsyd.abi.OpenFlags.O_CLOEXEC, 0);
            if (obj < 0) return null;
            try {
                return resolver.pathOf(obj);
            } finally {
                Files.close(obj);
            }
        });
        if (p == null) throw new ResolveException(Errno.ENAMETOOLONG);
        return p;
    }

    /** Reads a path argument from the program's memory (once). */
    public String readPath(long addr) throws dev.jsyd.sys.ErrnoException {
        return memory.readPath(notification.pid, addr);
    }

    /**
     * After reading the program's memory and before any side effect: is the program still
     * waiting in this syscall? If not, the request is dropped (answering would fail anyway).
     */
    public boolean stillValid() {
        if (channel.idValid(notification.id) == 0) return true;
        answered = true;
        return false;
    }

    /** Answers with a return value. */
    public void reply(long value) {
        answered = true;
        channel.respond(notification.id, value, 0);
    }

    /**
     * Answers with an error (positive errno). An EINTR caused by the interrupter (the program has
     * a signal to handle) is answered as ERESTARTSYS, so the kernel restarts the call when the
     * program's handler has SA_RESTART and gives EINTR otherwise, exactly like a native call.
     */
    public void fail(int errno) {
        answered = true;
        if (errno == Errno.EINTR && interrupted) errno = Errno.ERESTARTSYS;
        channel.respond(notification.id, 0, errno);
    }

    /**
     * Marks the start of a host call that may block on the program's behalf (opening a FIFO, a
     * blocking connect). Only inside such a section may the interrupter kick this worker: no
     * answer has been sent yet, so a kick can only turn the blocking call into EINTR.
     */
    public void beginBlocking() {
        interrupted = false;
        busySince = System.nanoTime();
        blocking.open();
        Runnable w = blockingBegun;
        if (w != null) w.run();
    }

    /** Run at every {@link #beginBlocking}, after the request is marked busy (the interrupter's wake-up). */
    public void onBlocking(Runnable wake) { blockingBegun = wake; }

    private volatile Runnable blockingBegun;

    /** Ends the blocking section: from its return on no kick reaches this worker ({@link KickGate}). */
    public void endBlocking() { blocking.close(); }

    /**
     * The interrupter's kick: {@code send} (a signal to this worker) runs only while the blocking
     * section of notification {@code id} is open; true when it was sent.
     */
    public boolean kickIfBlocking(long id, Runnable send) {
        return blocking.kickIf(() -> notification.id == id, () -> {
            interrupted = true;
            send.run();
        });
    }

    public boolean isBusy() { return blocking.isOpen(); }
    public long busySince() { return busySince; }
    public int workerTid() { return workerTid; }
    public long notificationId() { return notification.id; }

    /**
     * Lets the kernel run the call as issued. Callers must have a written reason why the
     * program cannot change what was checked (see docs/EMULATION.md).
     */
    public void continueSyscall() {
        answered = true;
        channel.respondContinue(notification.id);
    }

    /**
     * Installs {@code fd} (the supervisor's, closed here) in the program without answering; the
     * program's fd number, or -errno.
     */
    public int installFd(int fd, boolean cloexec) {
        int r = channel.addFd(notification.id, fd, cloexec);
        Files.close(fd);
        return r;
    }

    /** Installs {@code fd} (the supervisor's, closed here) in the program and answers with its number. */
    public void replyWithFd(int fd, boolean cloexec) {
        replyWithFd(fd, cloexec, false);
    }

    /**
     * As {@link #replyWithFd(int, boolean)}; {@code readOnly}: the caller opened {@code fd} with
     * O_RDONLY itself, so its flags need not be asked (one fcntl less per open).
     */
    public void replyWithFd(int fd, boolean cloexec, boolean readOnly) {
        answered = true;
        int slot = sandbox().flag("trace/force_rand_fd") ? RandomFd.freeSlot(files, notification.pid) : -1;
        if (!readOnly && (Files.statusFlags(fd) & dev.jsyd.abi.OpenFlags.O_ACCMODE) != dev.jsyd.abi.OpenFlags.O_RDONLY) {
            // A writable file: the supervisor's own reference is dropped before the program goes on,
            // or an exec of the file right after the program closed it could fail with ETXTBSY.
            int r = channel.addFd(notification.id, fd, cloexec, slot);
            Files.close(fd);
            if (r >= 0) channel.respond(notification.id, r, 0);
            else if (r != -Errno.ENOENT) channel.respond(notification.id, 0, -r);
            return;
        }
        int r = channel.addFdAndRespond(notification.id, fd, cloexec, slot);
        Files.close(fd);
        if (r < 0 && r != -Errno.ENOENT) channel.respond(notification.id, 0, -r);
    }

    /**
     * Checks {@code path} against each enabled category in {@code categories} and applies the most
     * severe resulting action: logs what must be logged, signals the offender for stop/abort/kill,
     * stops the sandbox for exit. Returns true when the access is denied (the caller answers
     * with the deny errno); in trace mode ({@code -x}) each category that would refuse is logged
     * (not only the most severe: a learned profile needs every one) and the call is allowed.
     */
    public boolean denied(String syscall, String path, long flags, Category... categories) {
        Sandbox sb = sandbox();
        if (context.traceMode()) {
            for (Category c : categories) denied(syscall, path, flags, c);
            return false;
        }
        Category worst = null;
        for (Category c : categories) worst = worse(sb, path, worst, c);
        return worst != null && enforce(worst, sb.checkPath(worst, path), syscall, path, null, flags);
    }

    /** {@link #denied(String, String, long, Category...)} for one category, without an array. */
    public boolean denied(String syscall, String path, long flags, Category c) {
        Action a = c == null ? Action.ALLOW : sandbox().checkPath(c, path); // ALLOW when c is off
        return a != Action.ALLOW && enforce(c, a, syscall, path, null, flags);
    }

    /** {@link #denied(String, String, long, Category...)} for four categories, without an array. */
    public boolean denied(String syscall, String path, long flags, Category a, Category b, Category c, Category d) {
        Sandbox sb = sandbox();
        if (context.traceMode()) { // every category that would refuse is logged: the learner needs them all
            denied(syscall, path, flags, a);
            denied(syscall, path, flags, b);
            denied(syscall, path, flags, c);
            denied(syscall, path, flags, d);
            return false;
        }
        Category worst = worse(sb, path, worse(sb, path, worse(sb, path, worse(sb, path, null, a), b), c), d);
        return worst != null && enforce(worst, sb.checkPath(worst, path), syscall, path, null, flags);
    }

    /**
     * Of {@code worst} (null: none yet) and {@code c} (null or off: ignored), the category whose
     * decision on {@code path} is the most severe; the earlier one on a tie.
     */
    private static Category worse(Sandbox sb, String path, Category worst, Category c) {
        if (c == null || !sb.enabled(c)) return worst;
        if (worst == null || sb.checkPath(c, path).ordinal() > sb.checkPath(worst, path).ordinal()) return c;
        return worst;
    }

    /** Applies {@code action} for one decision; true when the call must be denied. */
    public boolean enforce(Category cat, Action action, String syscall, String path, String address, long flags) {
        return Enforcement.apply(context, pid(), cat, action, syscall, path, address, flags);
    }

    /**
     * Applies {@code action} for a network decision on {@code address} ({@code ip!port} with
     * {@code ipv} 4 or 6, or a UNIX socket path / {@code @abstract} with {@code ipv} 0); the
     * decision itself comes from {@code Sandbox.checkInet}/{@code checkUnix}. {@code tip}, if not
     * null, replaces the suggested rule in the log. True when the call must be denied.
     */
    public boolean enforceNet(Category cat, Action action, String syscall, String address, int ipv, String tip) {
        if (action == Action.ALLOW) return false;
        return Enforcement.apply(context, pid(), action, new AccessEvent(cat, action, syscall, pid(), null, address, -1, ipv, tip));
    }

    @Override
    public void close() {
        if (threadPidFd != null) threadPidFd.close();
        resolver.close();
        channel.close();
        memory.close();
        files.close();
        if (statCalls != null) statCalls.close();
    }
}
