/* Probe for the table escape tests (src/test/java/dev/jsyd/it/escape: untraced tasks, pid/max,
 * unspecified addresses, hidden-vs-absent paths, refused facilities by another door, the
 * trace/ switches). One scenario per sub-command; each prints result lines the test reads, and
 * the same program is run natively and under syd.
 *
 * Result words: "ok ..." = the call succeeded; "err ENAME" = it failed with that errno. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <linux/userfaultfd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

static const char *en(int e) {
    const char *n = strerrorname_np(e);
    return n ? n : "E?";
}

static void result(const char *what, long rc) {
    if (rc < 0) printf("%s err %s\n", what, en(errno));
    else printf("%s ok\n", what);
}

/* ---- untraced tasks ---------------------------------------------------------------------- */

/* clone(CLONE_UNTRACED) then, in the child, execv(argv[0..]) */
static int cmd_untraced_exec(char **argv) {
    long pid = syscall(SYS_clone, CLONE_UNTRACED | SIGCHLD, 0, 0, 0, 0);
    if (pid < 0) { printf("clone err %s\n", en(errno)); return 0; }
    if (pid == 0) { execv(argv[0], argv); _exit(127); }
    int st;
    waitpid(pid, &st, 0);
    printf("clone ok status %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
    return 0;
}

/* clone3 with CLONE_UNTRACED in its struct */
static int cmd_clone3(void) {
    struct clone_args a;
    memset(&a, 0, sizeof a);
    a.flags = CLONE_UNTRACED;
    a.exit_signal = SIGCHLD;
    long pid = syscall(SYS_clone3, &a, sizeof a);
    if (pid < 0) { printf("clone3 err %s\n", en(errno)); return 0; }
    if (pid == 0) _exit(0);
    waitpid(pid, NULL, 0);
    printf("clone3 ok\n");
    return 0;
}

/* A detached grandchild (new session) that writes its pid to FILE and lives long; the parent
 * then sleeps. Used to show no task outlives syd. */
static int cmd_daemon(const char *file) {
    pid_t p = fork();
    if (p < 0) { printf("fork err %s\n", en(errno)); return 1; }
    if (p == 0) {
        setsid();
        if (fork() != 0) _exit(0);
        char buf[32];
        int n = snprintf(buf, sizeof buf, "%d\n", getpid());
        int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) { write(fd, buf, n); close(fd); }
        for (int i = 0; i < 600; i++) sleep(1);
        _exit(0);
    }
    waitpid(p, NULL, 0);
    printf("daemon started\n");
    for (int i = 0; i < 600; i++) sleep(1);
    return 0;
}

/* ---- pid/max ----------------------------------------------------------------------------- */

static atomic_int forked_ok, fork_err;
static pthread_barrier_t start, done;

static void *forker(void *arg) {
    long per = (long) arg;
    pthread_barrier_wait(&start);
    for (long i = 0; i < per; i++) {
        pid_t p = fork();
        if (p == 0) { sleep(3); _exit(0); }
        if (p > 0) atomic_fetch_add(&forked_ok, 1);
        else if (!atomic_load(&fork_err)) atomic_store(&fork_err, errno);
    }
    pthread_barrier_wait(&done); /* every thread lives until all have forked: the count is exact */
    return NULL;
}

/* THREADS threads fork PER times each, all at once; children sleep 3 s. Prints the number of
 * successful forks and the first errno, then reaps everything. Under pid/max:M (threads count as
 * tasks) exactly M - THREADS forks succeed. */
static int cmd_forks(int threads, long per) {
    pthread_t t[64];
    if (threads > 64) threads = 64;
    pthread_barrier_init(&start, NULL, threads);
    pthread_barrier_init(&done, NULL, threads);
    for (int i = 0; i < threads; i++) {
        int e = pthread_create(&t[i], NULL, forker, (void *) per);
        if (e) { printf("thread err %s\n", en(e)); _exit(1); }
    }
    for (int i = 0; i < threads; i++) pthread_join(t[i], NULL);
    int e = atomic_load(&fork_err);
    printf("forked %d %s\n", atomic_load(&forked_ok), e ? en(e) : "none");
    while (wait(NULL) > 0) {}
    return 0;
}

/* ---- unspecified destinations -------------------------------------------------------------- */

static socklen_t target(int kind, int port, struct sockaddr_storage *ss) {
    memset(ss, 0, sizeof *ss);
    if (kind == 0) {
        struct sockaddr_in *a = (struct sockaddr_in *) ss;
        a->sin_family = AF_INET;
        a->sin_port = htons(port);
        return sizeof *a; /* 0.0.0.0 */
    }
    struct sockaddr_in6 *a = (struct sockaddr_in6 *) ss;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port);
    if (kind == 2) { a->sin6_addr.s6_addr[10] = 0xff; a->sin6_addr.s6_addr[11] = 0xff; } /* ::ffff:0.0.0.0 */
    return sizeof *a; /* :: */
}

/* TCP connect and UDP sendto/sendmsg/sendmmsg to 0.0.0.0, [::] and [::ffff:0.0.0.0] port TCP/UDP. */
static int cmd_unspec(int tport, int uport) {
    const char *names[] = {"0.0.0.0", "[::]", "[::ffff:0.0.0.0]"};
    for (int k = 0; k < 3; k++) {
        struct sockaddr_storage ss;
        socklen_t len = target(k, tport, &ss);
        int fam = k == 0 ? AF_INET : AF_INET6;
        char what[64];
        int s = socket(fam, SOCK_STREAM, 0);
        snprintf(what, sizeof what, "connect %s", names[k]);
        result(what, connect(s, (struct sockaddr *) &ss, len));
        close(s);
        len = target(k, uport, &ss);
        s = socket(fam, SOCK_DGRAM, 0);
        snprintf(what, sizeof what, "sendto %s", names[k]);
        result(what, sendto(s, "x", 1, 0, (struct sockaddr *) &ss, len));
        struct iovec iov = {"y", 1};
        struct msghdr mh = {.msg_name = &ss, .msg_namelen = len, .msg_iov = &iov, .msg_iovlen = 1};
        snprintf(what, sizeof what, "sendmsg %s", names[k]);
        result(what, sendmsg(s, &mh, 0));
        struct mmsghdr mm = {.msg_hdr = mh};
        snprintf(what, sizeof what, "sendmmsg %s", names[k]);
        result(what, sendmmsg(s, &mm, 1, 0));
        close(s);
    }
    return 0;
}

/* ---- refused facilities by another door ---------------------------------------------------- */

/* A userfaultfd through the syscall and through /dev/userfaultfd (USERFAULTFD_IOC_NEW), each
 * made usable with UFFDIO_API. */
static int cmd_uffd(void) {
    long fd = syscall(SYS_userfaultfd, O_CLOEXEC);
    if (fd < 0) printf("userfaultfd err %s\n", en(errno));
    else { printf("userfaultfd ok\n"); close(fd); }
    int dev = open("/dev/userfaultfd", O_RDWR | O_CLOEXEC);
    if (dev < 0) { printf("open err %s\n", en(errno)); return 0; }
    fd = ioctl(dev, USERFAULTFD_IOC_NEW, O_CLOEXEC);
    if (fd < 0) { printf("ioctl err %s\n", en(errno)); return 0; }
    struct uffdio_api api = {.api = UFFD_API};
    if (ioctl(fd, UFFDIO_API, &api) < 0) printf("api err %s\n", en(errno));
    else printf("device ok\n");
    return 0;
}

/* Opens each path read-only and prints the result. */
static int cmd_open(int argc, char **argv) {
    for (int i = 2; i < argc; i++) {
        int fd = open(argv[i], O_RDONLY | O_CLOEXEC);
        printf("%s %s\n", argv[i], fd >= 0 ? "ok" : en(errno));
        if (fd >= 0) close(fd);
    }
    return 0;
}

/* ---- raw syscalls (switch conformance) ------------------------------------------------------ */

/* Each argument is "NR,A0,A1,..." (numbers): syscall(NR, A0, ...) in a child of its own;
 * prints "SPEC ok" or "SPEC ENAME" per call. */
static int cmd_calls(int argc, char **argv) {
    for (int i = 2; i < argc; i++) {
        fflush(stdout);
        pid_t p = fork();
        if (p == 0) {
            long v[7] = {0};
            char *s = argv[i], *end;
            for (int k = 0; k < 7 && *s; k++) {
                v[k] = strtol(s, &end, 0);
                s = *end == ',' ? end + 1 : end;
            }
            long rc = syscall(v[0], v[1], v[2], v[3], v[4], v[5], v[6]);
            printf("%s %s\n", argv[i], rc < 0 ? en(errno) : "ok");
            fflush(stdout);
            _exit(0);
        }
        int st;
        waitpid(p, &st, 0);
        if (!WIFEXITED(st)) printf("%s killed %d\n", argv[i], WTERMSIG(st));
    }
    return 0;
}

/* ---- hidden means absent: one path syscall on one path ------------------------------------ */

/* Runs OP on PATH (OTHER: a second, visible path some ops need); prints "ok" or the errno. */
static int cmd_path(const char *op, const char *path, const char *other) {
    long rc = -1;
    struct stat st;
    char buf[256];
    if (!strcmp(op, "stat")) rc = stat(path, &st);
    else if (!strcmp(op, "lstat")) rc = lstat(path, &st);
    else if (!strcmp(op, "statx")) { struct statx sx; rc = statx(AT_FDCWD, path, 0, STATX_BASIC_STATS, &sx); }
    else if (!strcmp(op, "access")) rc = access(path, F_OK);
    else if (!strcmp(op, "faccessat2")) rc = syscall(SYS_faccessat2, AT_FDCWD, path, F_OK, AT_EACCESS);
    else if (!strcmp(op, "readlink")) rc = readlink(path, buf, sizeof buf);
    else if (!strcmp(op, "statfs")) { struct statvfs_dummy { char b[256]; } s; rc = syscall(SYS_statfs, path, &s); }
    else if (!strcmp(op, "open-read")) rc = open(path, O_RDONLY);
    else if (!strcmp(op, "open-write")) rc = open(path, O_WRONLY);
    else if (!strcmp(op, "open-creat")) rc = open(path, O_WRONLY | O_CREAT, 0644);
    else if (!strcmp(op, "open-excl")) rc = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
    else if (!strcmp(op, "open-dir")) rc = open(path, O_RDONLY | O_DIRECTORY);
    else if (!strcmp(op, "open-path")) rc = open(path, O_PATH);
    else if (!strcmp(op, "creat")) rc = creat(path, 0644);
    else if (!strcmp(op, "mkdir")) rc = mkdir(path, 0755);
    else if (!strcmp(op, "mknod-fifo")) rc = mknod(path, S_IFIFO | 0644, 0);
    else if (!strcmp(op, "mknod-reg")) rc = mknod(path, S_IFREG | 0644, 0);
    else if (!strcmp(op, "rmdir")) rc = rmdir(path);
    else if (!strcmp(op, "unlink")) rc = unlink(path);
    else if (!strcmp(op, "unlinkat-dir")) rc = unlinkat(AT_FDCWD, path, AT_REMOVEDIR);
    else if (!strcmp(op, "rename-from")) rc = rename(path, other);
    else if (!strcmp(op, "rename-to")) rc = rename(other, path);
    else if (!strcmp(op, "renameat2-noreplace")) rc = renameat2(AT_FDCWD, other, AT_FDCWD, path, RENAME_NOREPLACE);
    else if (!strcmp(op, "renameat2-exchange")) rc = renameat2(AT_FDCWD, other, AT_FDCWD, path, RENAME_EXCHANGE);
    else if (!strcmp(op, "link-to")) rc = link(other, path);
    else if (!strcmp(op, "link-from")) rc = link(path, other);
    else if (!strcmp(op, "symlink-to")) rc = symlink("target", path);
    else if (!strcmp(op, "chmod")) rc = chmod(path, 0600);
    else if (!strcmp(op, "fchmodat2")) rc = syscall(452 /* fchmodat2 */, AT_FDCWD, path, 0600, 0);
    else if (!strcmp(op, "chown")) rc = chown(path, -1, getgid());
    else if (!strcmp(op, "lchown")) rc = lchown(path, getuid(), -1);
    else if (!strcmp(op, "truncate")) rc = truncate(path, 0);
    else if (!strcmp(op, "utime")) rc = utimes(path, NULL);
    else if (!strcmp(op, "utimensat")) rc = utimensat(AT_FDCWD, path, NULL, 0);
    else if (!strcmp(op, "chdir")) rc = chdir(path);
    else if (!strcmp(op, "chroot")) rc = chroot(path);
    else if (!strcmp(op, "getxattr")) rc = getxattr(path, "user.x", buf, sizeof buf);
    else if (!strcmp(op, "listxattr")) rc = listxattr(path, buf, sizeof buf);
    else if (!strcmp(op, "setxattr")) rc = setxattr(path, "user.x", "v", 1, 0);
    else if (!strcmp(op, "removexattr")) rc = removexattr(path, "user.x");
    else if (!strcmp(op, "inotify")) { int in = inotify_init1(IN_CLOEXEC); rc = inotify_add_watch(in, path, IN_ALL_EVENTS); }
    else if (!strcmp(op, "file_getattr")) rc = syscall(468, AT_FDCWD, path, buf, 24, 0);
    else if (!strcmp(op, "execve")) { char *av[] = {(char *) path, NULL}; rc = execv(path, av); }
    else if (!strcmp(op, "bind") || !strcmp(op, "connect")) {
        struct sockaddr_un a = {.sun_family = AF_UNIX};
        strncpy(a.sun_path, path, sizeof a.sun_path - 1);
        int s = socket(AF_UNIX, SOCK_STREAM, 0);
        rc = op[0] == 'b' ? bind(s, (struct sockaddr *) &a, sizeof a) : connect(s, (struct sockaddr *) &a, sizeof a);
    } else { printf("unknown op\n"); return 2; }
    if (rc < 0) printf("%s\n", en(errno));
    else printf("ok\n");
    return 0;
}

/* Runs each (OP PATH OTHER) triple in a child of its own (chdir, chroot and execve stay there),
 * printing "OP answer" per triple. */
static int cmd_paths(int argc, char **argv) {
    for (int i = 2; i + 2 < argc; i += 3) {
        fflush(stdout);
        pid_t p = fork();
        if (p == 0) {
            printf("%s ", argv[i]);
            fflush(stdout);
            cmd_path(argv[i], argv[i + 1], argv[i + 2]);
            fflush(stdout);
            _exit(0);
        }
        int st;
        waitpid(p, &st, 0);
        if (!WIFEXITED(st)) printf("killed %d\n", WTERMSIG(st));
    }
    return 0;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 2) return 2;
    const char *c = argv[1];
    if (!strcmp(c, "untraced-exec") && argc >= 3) return cmd_untraced_exec(argv + 2);
    if (!strcmp(c, "clone3")) return cmd_clone3();
    if (!strcmp(c, "daemon") && argc == 3) return cmd_daemon(argv[2]);
    if (!strcmp(c, "forks") && argc == 4) return cmd_forks(atoi(argv[2]), atol(argv[3]));
    if (!strcmp(c, "unspec") && argc == 4) return cmd_unspec(atoi(argv[2]), atoi(argv[3]));
    if (!strcmp(c, "uffd")) return cmd_uffd();
    if (!strcmp(c, "open")) return cmd_open(argc, argv);
    if (!strcmp(c, "calls")) return cmd_calls(argc, argv);
    if (!strcmp(c, "paths")) return cmd_paths(argc, argv);
    if (!strcmp(c, "path") && argc >= 4) return cmd_path(argv[2], argv[3], argc > 4 ? argv[4] : "");
    printf("unknown command\n");
    return 2;
}
