/* Probe for the calls that change the file system (ModifyIT).
 *
 *   probe-modify [umask OCT] [cd DIR] OP ARGS... [: OP ARGS...]...
 *
 * Runs each operation with the raw system call and prints one line per operation:
 * "OP ARG1: ok", "OP ARG1: ok N" or "OP ARG1: err ERRNO-NAME". Numbers are parsed with
 * strtol(.., 0), so 0755 is octal and 0x100 hex; a path argument NULL is a NULL pointer. Exit status 0 unless the arguments are bad.
 *
 * Race scenarios (one per invocation, bounded in time):
 *   race-link OP BASE SECONDS   a thread flips the symlink BASE/link between BASE/ok and BASE/no
 *                                while OP (unlink|rename|chmod) acts on BASE/link/victim
 *   race-buf  OP BASE SECONDS   a thread rewrites the path buffer between BASE/ok/victim and
 *                                BASE/no/victim while OP acts on it
 * They print "done ok=N denied=M other=K".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

static long num(const char *s) { return strtol(s, NULL, 0); }

static int dirfd_of(const char *s) {
    if (!strcmp(s, "cwd")) return AT_FDCWD;
    if (!strcmp(s, "bad")) return 999;
    int fd = open(s, O_RDONLY, 0);
    if (fd < 0) { fprintf(stderr, "cannot open dir %s: %s\n", s, strerror(errno)); exit(2); }
    return fd;
}

static const char *np(const char *s) { return strcmp(s, "NULL") ? s : NULL; }

static mode_t node_type(const char *t) {
    if (!strcmp(t, "reg")) return S_IFREG;
    if (!strcmp(t, "zero")) return 0;
    if (!strcmp(t, "fifo")) return S_IFIFO;
    if (!strcmp(t, "sock")) return S_IFSOCK;
    if (!strcmp(t, "chr")) return S_IFCHR;
    if (!strcmp(t, "blk")) return S_IFBLK;
    if (!strcmp(t, "dir")) return S_IFDIR;
    return 0170000; /* invalid */
}

/* Runs one operation; returns the number of arguments it used (including OP), or -1 if unknown. */
static int run_op(char **a, int n) {
    const char *op = a[0];
    long r;
    int used;
#define NEED(k) do { if (n < (k) + 1) { fprintf(stderr, "%s needs %d args\n", op, k); exit(2); } used = (k) + 1; } while (0)
    errno = 0;
    if (!strcmp(op, "mkdir")) { NEED(2); r = syscall(SYS_mkdir, np(a[1]), num(a[2])); }
    else if (!strcmp(op, "mkdirat")) { NEED(3); r = syscall(SYS_mkdirat, dirfd_of(a[1]), a[2], num(a[3])); }
    else if (!strcmp(op, "mknod")) { NEED(4); r = syscall(SYS_mknod, a[1], node_type(a[2]) | num(a[3]), num(a[4])); }
    else if (!strcmp(op, "mknodat")) { NEED(5); r = syscall(SYS_mknodat, dirfd_of(a[1]), a[2], node_type(a[3]) | num(a[4]), num(a[5])); }
    else if (!strcmp(op, "unlink")) { NEED(1); r = syscall(SYS_unlink, np(a[1])); }
    else if (!strcmp(op, "rmdir")) { NEED(1); r = syscall(SYS_rmdir, a[1]); }
    else if (!strcmp(op, "unlinkat")) { NEED(3); r = syscall(SYS_unlinkat, dirfd_of(a[1]), a[2], num(a[3])); }
    else if (!strcmp(op, "rename")) { NEED(2); r = syscall(SYS_rename, np(a[1]), np(a[2])); }
    else if (!strcmp(op, "renameat")) { NEED(4); r = syscall(SYS_renameat, dirfd_of(a[1]), a[2], dirfd_of(a[3]), a[4]); }
    else if (!strcmp(op, "renameat2")) { NEED(3); r = syscall(SYS_renameat2, AT_FDCWD, a[1], AT_FDCWD, a[2], num(a[3])); }
    else if (!strcmp(op, "link")) { NEED(2); r = syscall(SYS_link, a[1], a[2]); }
    else if (!strcmp(op, "linkat")) { NEED(3); r = syscall(SYS_linkat, AT_FDCWD, a[1], AT_FDCWD, a[2], num(a[3])); }
    else if (!strcmp(op, "linkat-fd")) { /* linkat(open(OLD), "", AT_FDCWD, NEW, AT_EMPTY_PATH) */
        NEED(2);
        int fd = open(a[1], O_RDONLY, 0);
        r = syscall(SYS_linkat, fd, "", AT_FDCWD, a[2], AT_EMPTY_PATH);
    }
    else if (!strcmp(op, "symlink")) { NEED(2); r = syscall(SYS_symlink, np(a[1]), np(a[2])); }
    else if (!strcmp(op, "symlinkat")) { NEED(3); r = syscall(SYS_symlinkat, a[1], dirfd_of(a[2]), a[3]); }
    else if (!strcmp(op, "truncate")) { NEED(2); r = syscall(SYS_truncate, np(a[1]), num(a[2])); }
    else if (!strcmp(op, "ftruncate") || !strcmp(op, "ftruncate-ro") || !strcmp(op, "fallocate")) {
        NEED(2);
        int fd = open(a[1], !strcmp(op, "ftruncate-ro") ? O_RDONLY : O_WRONLY, 0);
        if (fd < 0) { printf("%s %s: open err %s\n", op, a[1], strerrorname_np(errno)); return used; }
        r = op[1] == 'a' ? syscall(SYS_fallocate, fd, 0, 0L, num(a[2])) : syscall(SYS_ftruncate, fd, num(a[2]));
        int e = errno;
        close(fd);
        errno = e;
    }
    else if (!strcmp(op, "chmod")) { NEED(2); r = syscall(SYS_chmod, np(a[1]), num(a[2])); }
    else if (!strcmp(op, "fchmod")) {
        NEED(2);
        int fd = open(a[1], O_RDONLY, 0);
        r = syscall(SYS_fchmod, fd, num(a[2]));
    }
    else if (!strcmp(op, "fchmod-path")) { /* fchmod on an O_PATH fd: EBADF natively */
        NEED(2);
        int fd = open(a[1], O_PATH, 0);
        r = syscall(SYS_fchmod, fd, num(a[2]));
    }
    else if (!strcmp(op, "fchmodat")) { NEED(3); r = syscall(SYS_fchmodat, dirfd_of(a[1]), a[2], num(a[3])); }
    else if (!strcmp(op, "fchmodat2")) { NEED(3); r = syscall(SYS_fchmodat2, AT_FDCWD, a[1], num(a[2]), num(a[3])); }
    else if (!strcmp(op, "chown")) { NEED(3); r = syscall(SYS_chown, a[1], num(a[2]), num(a[3])); }
    else if (!strcmp(op, "lchown")) { NEED(3); r = syscall(SYS_lchown, a[1], num(a[2]), num(a[3])); }
    else if (!strcmp(op, "fchown")) {
        NEED(3);
        int fd = open(a[1], O_RDONLY, 0);
        r = syscall(SYS_fchown, fd, num(a[2]), num(a[3]));
    }
    else if (!strcmp(op, "fchownat")) { NEED(4); r = syscall(SYS_fchownat, AT_FDCWD, a[1], num(a[2]), num(a[3]), num(a[4])); }
    else if (!strcmp(op, "utime")) { /* utime PATH SEC|NULL */
        NEED(2);
        struct { long a, m; } ub = { num(a[2]), num(a[2]) };
        r = syscall(SYS_utime, a[1], strcmp(a[2], "NULL") ? (void *)&ub : NULL);
    }
    else if (!strcmp(op, "utimes")) { /* utimes PATH SEC USEC */
        NEED(3);
        struct timeval tv[2] = { { num(a[2]), num(a[3]) }, { num(a[2]), num(a[3]) } };
        r = syscall(SYS_utimes, a[1], tv);
    }
    else if (!strcmp(op, "utimensat")) { /* utimensat PATH|NULL SEC NSEC FLAGS (PATH NULL: fd of the cwd) */
        NEED(4);
        struct timespec ts[2] = { { num(a[2]), num(a[3]) }, { num(a[2]), num(a[3]) } };
        r = syscall(SYS_utimensat, AT_FDCWD, np(a[1]), ts, num(a[4]));
    }
    else if (!strcmp(op, "futimens")) { /* futimens PATH SEC */
        NEED(2);
        int fd = open(a[1], O_RDONLY, 0);
        struct timespec ts[2] = { { num(a[2]), 0 }, { num(a[2]), 0 } };
        r = syscall(SYS_utimensat, fd, NULL, ts, 0);
    }
    else if (!strcmp(op, "chdir")) {
        NEED(1);
        r = syscall(SYS_chdir, a[1]);
        if (r == 0) { char buf[4096]; if (getcwd(buf, sizeof buf)) { printf("%s %s: ok %s\n", op, a[1], buf); return used; } }
    }
    else if (!strcmp(op, "fchdir")) {
        NEED(1);
        int fd = open(a[1], O_RDONLY, 0);
        r = syscall(SYS_fchdir, fd);
        if (r == 0) { char buf[4096]; if (getcwd(buf, sizeof buf)) { printf("%s %s: ok %s\n", op, a[1], buf); return used; } }
    }
    else if (!strcmp(op, "chroot")) { NEED(1); r = syscall(SYS_chroot, a[1]); }
    else if (!strcmp(op, "inotify")) {
        NEED(1);
        int in = inotify_init1(IN_CLOEXEC);
        r = syscall(SYS_inotify_add_watch, in, a[1], IN_ALL_EVENTS);
        if (r >= 0) { /* prove the watch is the program's: an event for a new entry arrives */
            char name[4200], buf[4096];
            snprintf(name, sizeof name, "%s/.probe-event", a[1]);
            int fd = open(name, O_CREAT | O_WRONLY, 0600);
            if (fd >= 0) { close(fd); unlink(name); }
            long got = read(in, buf, sizeof buf);
            printf("%s %s: ok events=%s\n", op, a[1], got > 0 ? "yes" : "no");
            return used;
        }
    }
    else if (!strcmp(op, "fanotify")) {
        NEED(1);
        int fan = fanotify_init(FAN_CLASS_NOTIF, O_RDONLY);
        if (fan < 0) { printf("%s %s: init err %s\n", op, a[1], strerrorname_np(errno)); return used; }
        r = syscall(SYS_fanotify_mark, fan, FAN_MARK_ADD, (unsigned long)FAN_OPEN, AT_FDCWD, a[1]);
    }
    else return -1;
    if (r < 0) printf("%s %s: err %s\n", op, n > 1 ? a[1] : "", strerrorname_np(errno));
    else if (r > 0) printf("%s %s: ok %ld\n", op, n > 1 ? a[1] : "", r);
    else printf("%s %s: ok\n", op, n > 1 ? a[1] : "");
    fflush(stdout);
    return used;
}

/* ---- races ------------------------------------------------------------------------------ */

static volatile int stop;
static char base[2048], lnk[2200], tmp[2200], okdir[2200], nodir[2200];
static char buf_path[2200];      /* the path the main thread uses in race-buf */
static size_t flip_at;           /* where "ok" / "no" sits in buf_path */

static void *flip_link(void *arg) {
    (void)arg;
    int i = 0;
    while (!stop) {
        unlink(tmp);
        if (symlink((i++ & 1) ? nodir : okdir, tmp) == 0) rename(tmp, lnk);
    }
    return NULL;
}

static void *flip_buf(void *arg) {
    (void)arg;
    volatile char *b = buf_path; /* every store must reach memory: the other thread's syscall reads it */
    int i = 0;
    while (!stop) {
        const char *w = (i++ & 1) ? "no" : "ok";
        b[flip_at] = w[0];
        b[flip_at + 1] = w[1];
    }
    return NULL;
}

static int race(const char *mode, const char *op, const char *b, double seconds) {
    snprintf(base, sizeof base, "%s", b);
    snprintf(lnk, sizeof lnk, "%s/link", base);
    snprintf(tmp, sizeof tmp, "%s/link.tmp", base);
    snprintf(okdir, sizeof okdir, "%s/ok", base);
    snprintf(nodir, sizeof nodir, "%s/no", base);
    int by_link = !strcmp(mode, "race-link");
    char path[2300], path2[2300], okvictim[2300];
    if (by_link) {
        snprintf(path, sizeof path, "%s/victim", lnk);
        snprintf(path2, sizeof path2, "%s/victim2", lnk);
    } else {
        snprintf(buf_path, sizeof buf_path, "%s/ok/victim", base);
        flip_at = strlen(base) + 1;
    }
    snprintf(okvictim, sizeof okvictim, "%s/victim", okdir);
    pthread_t t;
    pthread_create(&t, NULL, by_link ? flip_link : flip_buf, NULL);
    struct timespec t0, now;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    long ok = 0, denied = 0, other = 0, i = 0;
    for (;; i++) {
        if ((i & 63) == 0) {
            clock_gettime(CLOCK_MONOTONIC, &now);
            if ((now.tv_sec - t0.tv_sec) + (now.tv_nsec - t0.tv_nsec) / 1e9 > seconds) break;
        }
        const char *p = by_link ? path : buf_path;
        long r;
        if (!strcmp(op, "unlink")) {
            r = syscall(SYS_unlink, p);
            if (r == 0) { int fd = open(okvictim, O_CREAT | O_WRONLY, 0644); if (fd >= 0) close(fd); }
        } else if (!strcmp(op, "rename")) {
            /* rename LINK/victim -> LINK/victim2 and back; in race-buf the target is fixed in ok/ */
            char target[2300];
            if (by_link) snprintf(target, sizeof target, "%s", path2);
            else snprintf(target, sizeof target, "%s/ok/victim2", base);
            r = syscall(SYS_rename, p, target);
            if (r == 0) { char back[2300]; snprintf(back, sizeof back, "%s/victim2", okdir); rename(back, okvictim); }
        } else if (!strcmp(op, "chmod")) {
            r = syscall(SYS_chmod, p, (i & 1) ? 0600 : 0640);
        } else {
            fprintf(stderr, "unknown race op %s\n", op);
            return 2;
        }
        if (r == 0) ok++;
        else if (errno == EACCES) denied++;
        else other++;
    }
    stop = 1;
    pthread_join(t, NULL);
    printf("done ok=%ld denied=%ld other=%ld\n", ok, denied, other);
    return 0;
}

int main(int argc, char **argv) {
    int i = 1;
    if (argc > 1 && (!strcmp(argv[1], "race-link") || !strcmp(argv[1], "race-buf"))) {
        if (argc < 5) { fprintf(stderr, "usage: %s race-link|race-buf OP BASE SECONDS\n", argv[0]); return 2; }
        return race(argv[1], argv[2], argv[3], atof(argv[4]));
    }
    if (i + 1 < argc && !strcmp(argv[i], "umask")) { umask(num(argv[i + 1])); i += 2; }
    if (i + 1 < argc && !strcmp(argv[i], "cd")) {
        if (chdir(argv[i + 1]) != 0) { fprintf(stderr, "cd %s: %s\n", argv[i + 1], strerror(errno)); return 2; }
        i += 2;
    }
    while (i < argc) {
        if (!strcmp(argv[i], ":")) { i++; continue; }
        int end = i;
        while (end < argc && strcmp(argv[end], ":")) end++;
        int used = run_op(argv + i, end - i);
        if (used < 0) { fprintf(stderr, "unknown op %s\n", argv[i]); return 2; }
        i += used;
    }
    return 0;
}
