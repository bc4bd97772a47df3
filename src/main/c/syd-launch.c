/*
 * syd-launch: the pre-exec launcher of jsyd. The only C in the product.
 *
 * Why it exists: a JVM cannot run Java code between fork and exec, so the steps that must happen
 * inside the new process before the sandboxed program runs are done here. Every decision is made
 * in Java (package dev.jsyd.confine builds a LaunchPlan, dev.jsyd.sys.Launcher sends it); this
 * program is a dumb executor of the serialized plan: it carries out each step as told, in the
 * order given, and refuses a plan whose steps are out of the fixed order below.
 *
 * Start: argv is the program's own argv; the control socket's fd number and the file to execute
 * come in JSYD_LAUNCH_FD and JSYD_LAUNCH_FILE, which are removed from the environment.
 *
 * Message (all integers little-endian, the host order of x86_64):
 *   header  u32 magic 'JSYD' (0x4459534a), u32 version (2), u32 expected parent pid,
 *           u32 body length (at most MAX_BODY);
 *   body    steps, each: u32 op, u32 payload length, payload, padded with zeros to 8 bytes.
 *           Strings in payloads are NUL-terminated; an empty string stands for NULL.
 *
 * Steps, in their fixed order (op numbers never decrease along a plan; an op may repeat):
 *    1 UNSHARE       u64 CLONE_NEW* flags, u32 uid inside, u32 uid outside, u32 gid inside,
 *                    u32 gid outside: unshare(2); with CLONE_NEWUSER also writes "deny" to
 *                    /proc/self/setgroups and one-line uid_map/gid_map (inside outside 1);
 *    2 TIME_OFFSET   s64 monotonic, s64 boottime seconds: /proc/self/timens_offsets (before the
 *                    first process enters the time namespace);
 *    3 FORK          clone(CLONE_PIDFD): the child goes on with the plan (it is pid 1 of a new pid
 *                    namespace, and in the new time namespace) once the parent has sent "P" + its
 *                    pidfd number of the child + the child's pid and had a one-byte acknowledgement
 *                    (a pipe holds the child until then); the parent makes itself not dumpable,
 *                    closes the control socket, waits for the child and exits with its status
 *                    (exit code, or 128 + signal);
 *    4 LOOPBACK_UP   the loopback interface of the new network namespace is brought up;
 *    5 MOUNT         u64 mount flags, u32 options (1: skip when source or target does not exist,
 *                    2: skip when the previous MOUNT step was skipped), strings source, target,
 *                    filesystem type, data: mount(2);
 *    6 PIVOT_ROOT    string new root (already a mount point): chdir, pivot_root(".", "."),
 *                    umount2(".", MNT_DETACH), chdir("/");
 *    7 HOSTNAME      string: sethostname(2);
 *    8 DOMAINNAME    string: setdomainname(2);
 *    9 RLIMIT        u32 resource, u32 zero, u64 soft, u64 hard: setrlimit(2);
 *   10 LL_CREATE     u64 handled fs, u64 handled net, u64 scoped: landlock_create_ruleset(2);
 *   11 LL_PATH       u64 access, u64 access for a non-directory, u32 options (1: skip a missing
 *                    path; 4: skip a path with a symbolic link in it; 2: the rule goes on every
 *                    entry of the directory but the names that follow the path, each a string,
 *                    up to an empty one; entries that are symbolic links get none; with 4, a path
 *                    that cannot be reached or listed gets none), u32 zero, string path:
 *                    open(O_PATH), landlock_add_rule(PATH_BENEATH);
 *   12 LL_PORT       u64 access, u32 first port, u32 last port: one NET_PORT rule per port;
 *   13 LL_RESTRICT   u32 flags: PR_SET_NO_NEW_PRIVS (Landlock needs it without CAP_SYS_ADMIN),
 *                    landlock_restrict_self(2), close the ruleset; LL_CREATE may follow (a
 *                    second layer);
 *   14 DROP_CAPS     u64 capabilities kept: every other one leaves the bounding set (ignored
 *                    without CAP_SETPCAP), ambient and inheritable sets cleared;
 *   15 MDWE          PR_SET_MDWE(PR_MDWE_REFUSE_EXEC_GAIN), skipped where the kernel lacks it;
 *   16 SECCOMP       struct sock_filter[]: PR_SET_NO_NEW_PRIVS, then seccomp(SET_MODE_FILTER,
 *                    NEW_LISTENER | WAIT_KILLABLE_RECV); sends "L" + the listener's fd number
 *                    with write(2) (always allowed; a notified sendmsg would deadlock), the
 *                    supervisor takes it with pidfd_getfd(2); waits for a one-byte
 *                    acknowledgement; closes its copy of the listener.
 * Before the steps: PR_SET_PDEATHSIG(SIGKILL), check the parent is still the supervisor, unblock
 * all signals, reset SIGTTOU and SIGTTIN to their default (the supervisor ignores them), mark
 * every fd but 0, 1, 2 close-on-exec with close_range (the JDK's modules file, jsyd.jar,
 * SYD_LOG_FD, whatever syd was started with, the control socket: the program inherits none of
 * them). After them: execvpe(JSYD_LAUNCH_FILE). If
 * the exec fails, "E" + errno and exit 127; if it succeeds, the control socket closes
 * (close-on-exec), which the supervisor reads as end of file.
 *
 * Messages to the supervisor are three u32: tag, value, step index (0-based, in the body).
 * Any failure is "F" + errno + step index, then exit 127.
 * Only async-signal-safe, allocation-free calls; no stdio.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <dirent.h>
#include <linux/openat2.h>
#include <unistd.h>

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif
#ifndef PR_SET_MDWE
#define PR_SET_MDWE 65
#endif
#ifndef PR_MDWE_REFUSE_EXEC_GAIN
#define PR_MDWE_REFUSE_EXEC_GAIN 1
#endif
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#define SYS_landlock_add_rule 445
#define SYS_landlock_restrict_self 446
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif

#define MAGIC 0x4459534aU /* "JSYD" little-endian */
#define VERSION 2U
#define MAX_BODY (1U << 20)

enum {
    OP_UNSHARE = 1, OP_TIME_OFFSET, OP_FORK, OP_LOOPBACK_UP, OP_MOUNT, OP_PIVOT_ROOT, OP_HOSTNAME, OP_DOMAINNAME,
    OP_RLIMIT, OP_LL_CREATE, OP_LL_PATH, OP_LL_PORT, OP_LL_RESTRICT, OP_DROP_CAPS, OP_MDWE, OP_SECCOMP,
    OP_LAST = OP_SECCOMP
};

#define CLONE_NEWUSER_FLAG 0x10000000UL
#define LANDLOCK_RULE_PATH_BENEATH 1
#define LANDLOCK_RULE_NET_PORT 2

extern char **environ;

static int ctl = -1;
static int step = -1;
static uint64_t body[MAX_BODY / 8]; /* 8-aligned; untouched pages cost nothing */

static int read_full(int fd, void *buf, size_t len) {
    char *p = buf;
    while (len > 0) {
        ssize_t n = read(fd, p, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static void report(char tag, int value, int index) {
    uint32_t msg[3] = {(uint32_t)tag, (uint32_t)value, (uint32_t)index};
    ssize_t ignored = write(ctl, msg, sizeof msg);
    (void)ignored;
}

static void fail(void) {
    report('F', errno, step);
    _exit(127);
}

static void check(int ok) {
    if (!ok) fail();
}

/* A payload being read: a cursor over [p, end). A malformed payload fails with EINVAL. */
struct cursor {
    const char *p, *end;
};

static uint64_t u64(struct cursor *c) {
    if (c->end - c->p < 8) { errno = EINVAL; fail(); }
    uint64_t v;
    memcpy(&v, c->p, 8);
    c->p += 8;
    return v;
}

static uint32_t u32(struct cursor *c) {
    if (c->end - c->p < 4) { errno = EINVAL; fail(); }
    uint32_t v;
    memcpy(&v, c->p, 4);
    c->p += 4;
    return v;
}

/* The next NUL-terminated string; NULL for an empty one. */
static const char *str(struct cursor *c) {
    const char *s = c->p;
    const char *nul = memchr(s, 0, (size_t)(c->end - s));
    if (nul == NULL) { errno = EINVAL; fail(); }
    c->p = nul + 1;
    return *s ? s : NULL;
}

/* Writes "a b 1\n" (or a fixed text when a is NULL) to a /proc/self file. */
static void write_file(const char *path, const char *text, size_t len) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    check(fd >= 0);
    check(write(fd, text, len) == (ssize_t)len);
    close(fd);
}

static char *put_num(char *p, uint64_t v, int negative) {
    char tmp[24];
    int n = 0;
    do { tmp[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    if (negative) *p++ = '-';
    while (n) *p++ = tmp[--n];
    return p;
}

static void write_map(const char *path, uint32_t inside, uint32_t outside) {
    char buf[64], *p = buf;
    p = put_num(p, inside, 0);
    *p++ = ' ';
    p = put_num(p, outside, 0);
    *p++ = ' ';
    *p++ = '1';
    *p++ = '\n';
    write_file(path, buf, (size_t)(p - buf));
}

static void do_unshare(struct cursor *c) {
    uint64_t flags = u64(c);
    uint32_t uin = u32(c), uout = u32(c), gin = u32(c), gout = u32(c);
    check(unshare((int)flags) == 0);
    if (flags & CLONE_NEWUSER_FLAG) {
        write_file("/proc/self/setgroups", "deny", 4);
        write_map("/proc/self/uid_map", uin, uout);
        write_map("/proc/self/gid_map", gin, gout);
    }
}

static void do_time_offset(struct cursor *c) {
    int64_t mono = (int64_t)u64(c), boot = (int64_t)u64(c);
    char buf[96], *p = buf;
    memcpy(p, "monotonic ", 10);
    p = put_num(p + 10, (uint64_t)(mono < 0 ? -mono : mono), mono < 0);
    memcpy(p, " 0\nboottime ", 12);
    p = put_num(p + 12, (uint64_t)(boot < 0 ? -boot : boot), boot < 0);
    memcpy(p, " 0\n", 3);
    p += 3;
    write_file("/proc/self/timens_offsets", buf, (size_t)(p - buf));
}

/* The parent's side of FORK: hand over the child, then live exactly as long as it does. */
static void do_fork(void) {
    int gate[2];
    check(pipe2(gate, O_CLOEXEC) == 0);
    int pidfd = -1;
    long pid = syscall(SYS_clone, (unsigned long)(SIGCHLD | CLONE_PIDFD), 0UL, &pidfd, 0UL, 0UL);
    check(pid >= 0);
    if (pid == 0) {
        /* The child: die with the parent (the death signal is not inherited across fork), then
         * wait at the gate until the parent has sent "P" (so "P" always comes before the child's
         * own messages); end of file there means the parent died first. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) fail();
        close(gate[1]);
        char go;
        if (read_full(gate[0], &go, 1) != 0) _exit(127);
        close(gate[0]);
        return;
    }
    close(gate[0]);
    report('P', pidfd, (int)pid);
    /* Once the supervisor has the pidfd (its acknowledgement), not dumpable: the launcher's
     * memory and fds are not for the program to reach through /proc. */
    char ack;
    if (read_full(ctl, &ack, 1) != 0) _exit(127);
    check(prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0);
    close(ctl);
    check(write(gate[1], "g", 1) == 1);
    close(gate[1]);
    ctl = -1;
    siginfo_t si;
    for (;;) {
        memset(&si, 0, sizeof si);
        if (waitid((idtype_t)P_PIDFD, (id_t)pidfd, &si, WEXITED) == 0) break;
        if (errno != EINTR) _exit(127);
    }
    _exit(si.si_code == CLD_EXITED ? si.si_status : 128 + si.si_status);
}

static void do_loopback_up(void) {
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    check(s >= 0);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    memcpy(ifr.ifr_name, "lo", 3);
    check(ioctl(s, SIOCGIFFLAGS, &ifr) == 0);
    ifr.ifr_flags |= IFF_UP;
    check(ioctl(s, SIOCSIFFLAGS, &ifr) == 0);
    close(s);
}

static int last_mount_skipped;

static void do_mount(struct cursor *c) {
    uint64_t flags = u64(c);
    uint32_t opts = u32(c);
    const char *src = str(c), *dst = str(c), *fstype = str(c), *data = str(c);
    if ((opts & 2) && last_mount_skipped) return;
    last_mount_skipped = 0;
    if (mount(src, dst, fstype, (unsigned long)flags, data) == 0) return;
    if ((opts & 1) && errno == ENOENT) {
        last_mount_skipped = 1;
        return;
    }
    fail();
}

static void do_pivot_root(struct cursor *c) {
    const char *root = str(c);
    check(root != NULL);
    check(chdir(root) == 0);
    check(syscall(SYS_pivot_root, ".", ".") == 0);
    check(umount2(".", MNT_DETACH) == 0);
    check(chdir("/") == 0);
}

static int ruleset = -1;

static void do_ll_create(struct cursor *c) {
    uint64_t attr[3];
    attr[0] = u64(c);
    attr[1] = u64(c);
    attr[2] = u64(c);
    ruleset = (int)syscall(SYS_landlock_create_ruleset, attr, sizeof attr, 0);
    check(ruleset >= 0);
}

/* The rule for the object fd is open on: access for a directory, file_access for anything else. */
static void add_path_rule(int fd, uint64_t access, uint64_t file_access) {
    struct stat st;
    check(fstat(fd, &st) == 0);
    char attr[12]; /* struct landlock_path_beneath_attr is packed: u64 allowed_access, s32 parent_fd */
    uint64_t allowed = S_ISDIR(st.st_mode) ? access : file_access;
    memcpy(attr, &allowed, 8);
    memcpy(attr + 8, &fd, 4);
    if (allowed != 0) check(syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, attr, 0) == 0);
}

/* Option 2: the rule on each entry of directory fd but the names in [names, end); symlinks none. */
static void add_entry_rules(int fd, struct cursor *names, uint64_t access, uint64_t file_access) {
    const char *first = names->p;
    DIR *d = fdopendir(fd);
    check(d != NULL);
    for (;;) {
        errno = 0;
        struct dirent *e = readdir(d);
        if (e == NULL) break;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        int skip = 0;
        struct cursor n = {first, names->end};
        for (const char *s; (s = str(&n)) != NULL;) skip |= strcmp(s, e->d_name) == 0;
        if (skip) continue;
        int child = openat(dirfd(d), e->d_name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (child < 0) {
            if (errno == ENOENT) continue; /* gone meanwhile */
            fail();
        }
        struct stat st;
        check(fstat(child, &st) == 0);
        if (!S_ISLNK(st.st_mode)) add_path_rule(child, access, file_access);
        close(child);
    }
    check(errno == 0); /* readdir's end, not an error */
    closedir(d);
}

static void do_ll_path(struct cursor *c) {
    uint64_t access = u64(c), file_access = u64(c);
    uint32_t opts = u32(c);
    (void)u32(c);
    const char *path = str(c);
    check(path != NULL);
    int fd;
    if (opts & 4) {
        struct open_how how = {.flags = (opts & 2 ? O_RDONLY | O_DIRECTORY : O_PATH) | O_CLOEXEC,
                               .resolve = RESOLVE_NO_SYMLINKS};
        fd = (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof how);
        /* a symbolic link on the way (ELOOP), not a directory, not reachable or not listable with the
           program's rights: no rule, which only refuses more */
        if (fd < 0 && (errno == ELOOP || errno == ENOTDIR || errno == EACCES)) return;
    } else {
        fd = open(path, O_PATH | O_CLOEXEC);
    }
    if (fd < 0) {
        if ((opts & 1) && errno == ENOENT) return;
        fail();
    }
    if (opts & 2) {
        add_entry_rules(fd, c, access, file_access);
        return;
    }
    add_path_rule(fd, access, file_access);
    close(fd);
}

static void do_ll_port(struct cursor *c) {
    uint64_t attr[2];
    attr[0] = u64(c);
    uint32_t lo = u32(c), hi = u32(c);
    if (lo > hi || hi > 65535) { errno = EINVAL; fail(); }
    for (uint32_t port = lo; port <= hi; port++) {
        attr[1] = port;
        check(syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_NET_PORT, attr, 0) == 0);
    }
}

static void do_ll_restrict(struct cursor *c) {
    uint32_t flags = u32(c);
    check(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0);
    check(syscall(SYS_landlock_restrict_self, ruleset, flags) == 0);
    close(ruleset);
    ruleset = -1;
}

static void do_drop_caps(struct cursor *c) {
    uint64_t keep = u64(c);
    for (int cap = 0; cap < 64; cap++) {
        if (keep & (1ULL << cap)) continue;
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) {
            if (errno == EINVAL) break; /* past the last capability this kernel knows */
            check(errno == EPERM);
        }
    }
    check(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) == 0 || errno == EINVAL);
    struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct data[2];
    check(syscall(SYS_capget, &hdr, data) == 0);
    data[0].inheritable = 0;
    data[1].inheritable = 0;
    check(syscall(SYS_capset, &hdr, data) == 0);
}

static void do_seccomp(struct cursor *c) {
    size_t len = (size_t)(c->end - c->p);
    if (len == 0 || len % sizeof(struct sock_filter) != 0 || len / sizeof(struct sock_filter) > 0xffff) {
        errno = EINVAL;
        fail();
    }
    check(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0);
    struct sock_fprog prog = {.len = (unsigned short)(len / sizeof(struct sock_filter)),
                              .filter = (struct sock_filter *)(uintptr_t)c->p};
    long listener = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
                            SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, &prog);
    check(listener >= 0);
    /* From here on every syscall is filtered: only write, read, close, execve, exit_group. */
    report('L', (int)listener, step);
    char ack;
    if (read_full(ctl, &ack, 1) != 0) _exit(127);
    close((int)listener);
}

static void run_step(uint32_t op, struct cursor *c) {
    switch (op) {
    case OP_UNSHARE: do_unshare(c); break;
    case OP_TIME_OFFSET: do_time_offset(c); break;
    case OP_FORK: do_fork(); break;
    case OP_LOOPBACK_UP: do_loopback_up(); break;
    case OP_MOUNT: do_mount(c); break;
    case OP_PIVOT_ROOT: do_pivot_root(c); break;
    case OP_HOSTNAME: { const char *s = str(c); check(s != NULL && sethostname(s, strlen(s)) == 0); break; }
    case OP_DOMAINNAME: { const char *s = str(c); check(s != NULL && setdomainname(s, strlen(s)) == 0); break; }
    case OP_RLIMIT: {
        uint32_t resource = u32(c);
        (void)u32(c);
        struct rlimit rl;
        rl.rlim_cur = (rlim_t)u64(c);
        rl.rlim_max = (rlim_t)u64(c);
        check(setrlimit((__rlimit_resource_t)resource, &rl) == 0);
        break;
    }
    case OP_LL_CREATE: do_ll_create(c); break;
    case OP_LL_PATH: do_ll_path(c); break;
    case OP_LL_PORT: do_ll_port(c); break;
    case OP_LL_RESTRICT: do_ll_restrict(c); break;
    case OP_DROP_CAPS: do_drop_caps(c); break;
    case OP_MDWE:
        if (prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0) != 0 && errno != EINVAL) fail();
        break;
    case OP_SECCOMP: do_seccomp(c); break;
    default: errno = EINVAL; fail();
    }
}

int main(int argc, char **argv) {
    if (argc < 1 || argv[0] == NULL) _exit(127);
    const char *fdvar = getenv("JSYD_LAUNCH_FD");
    const char *filevar = getenv("JSYD_LAUNCH_FILE");
    if (fdvar == NULL || filevar == NULL) _exit(127);
    ctl = atoi(fdvar);
    /* keep the file name: unsetenv only removes the pointer from environ, the string stays */
    const char *file = filevar;
    unsetenv("JSYD_LAUNCH_FD");
    unsetenv("JSYD_LAUNCH_FILE");

    uint32_t head[4];
    if (read_full(ctl, head, sizeof head) != 0 || head[0] != MAGIC) _exit(127);
    if (head[1] != VERSION || head[3] > MAX_BODY || head[3] % 8 != 0) { errno = EINVAL; fail(); }
    uint32_t len = head[3];
    if (read_full(ctl, body, len) != 0) { errno = EIO; fail(); }

    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) fail();
    if ((uint32_t)getppid() != head[2]) _exit(127); /* the supervisor is already gone */
    sigset_t none;
    sigemptyset(&none);
    check(sigprocmask(SIG_SETMASK, &none, NULL) == 0);
    /* the supervisor ignores SIGTTOU and SIGTTIN (sys/SelfProtect); the program gets the defaults */
    check(signal(SIGTTOU, SIG_DFL) != SIG_ERR && signal(SIGTTIN, SIG_DFL) != SIG_ERR);
    /* every fd but 0, 1, 2 (the control socket among them) is the supervisor's: close-on-exec */
    check(syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) == 0);

    const char *p = (const char *)body, *end = p + len;
    uint32_t last_op = 0;
    for (step = 0; p < end; step++) {
        if (end - p < 8) { errno = EINVAL; fail(); }
        uint32_t op, size;
        memcpy(&op, p, 4);
        memcpy(&size, p + 4, 4);
        p += 8;
        int layer = op == OP_LL_CREATE && last_op == OP_LL_RESTRICT; /* a second Landlock layer */
        if ((op < last_op && !layer) || op > OP_LAST || size > (uint32_t)(end - p)) { errno = EINVAL; fail(); }
        last_op = op;
        struct cursor c = {p, p + size};
        run_step(op, &c);
        p += (size + 7U) & ~7U;
    }
    step = -1;

    execvpe(file, argv, environ);
    report('E', errno, step);
    _exit(127);
}
