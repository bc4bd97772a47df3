// Probe for the stat, readlink, getdents and xattr families: one scenario per sub-command, one
// line of output each, so a run under syd can be compared with a native run. Several commands
// may be given in one run, separated by "--":  probe-stat stat /a -- lstat /b -- ...
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

static const char *ename(int e) {
    switch (e) {
    case EPERM: return "EPERM"; case ENOENT: return "ENOENT"; case EBADF: return "EBADF";
    case EACCES: return "EACCES"; case EFAULT: return "EFAULT"; case EEXIST: return "EEXIST";
    case ENOTDIR: return "ENOTDIR"; case EISDIR: return "EISDIR"; case EINVAL: return "EINVAL";
    case ERANGE: return "ERANGE"; case ENAMETOOLONG: return "ENAMETOOLONG"; case ELOOP: return "ELOOP";
    case ENODATA: return "ENODATA"; case EOPNOTSUPP: return "EOPNOTSUPP"; case E2BIG: return "E2BIG";
    case ENOSYS: return "ENOSYS"; case EROFS: return "EROFS";
    default: { static char b[32]; snprintf(b, sizeof b, "E%d", e); return b; }
    }
}

static int err(void) { printf("err %s\n", ename(errno)); return 0; }

// Directory fd argument: "cwd" = AT_FDCWD, "bad" = 999, "-" = AT_FDCWD, else a path opened O_RDONLY|O_DIRECTORY
// ("path:" prefix opens O_PATH instead, "file:" opens anything O_RDONLY).
static int dirfd_of(const char *s) {
    if (!strcmp(s, "cwd") || !strcmp(s, "-")) return AT_FDCWD;
    if (!strcmp(s, "bad")) return 999;
    if (!strncmp(s, "path:", 5)) return open(s + 5, O_PATH | O_NOFOLLOW);
    if (!strncmp(s, "file:", 5)) return open(s + 5, O_RDONLY);
    return open(s, O_RDONLY | O_DIRECTORY);
}

static int atflags(const char *s) {
    int f = 0;
    if (strstr(s, "nofollow")) f |= AT_SYMLINK_NOFOLLOW;
    if (strstr(s, "empty")) f |= AT_EMPTY_PATH;
    if (strstr(s, "eaccess")) f |= AT_EACCESS;
    if (strstr(s, "bogus")) f |= 0x80000;
    return f;
}

static const char *path_arg(const char *s) { return !strcmp(s, "NULL") ? NULL : !strcmp(s, "EMPTY") ? "" : s; }

static void print_stat(const struct stat *st) {
    printf("ok mode=%o size=%lld ino=%llu nlink=%llu uid=%u dev=%llx\n", st->st_mode, (long long) st->st_size,
           (unsigned long long) st->st_ino, (unsigned long long) st->st_nlink, st->st_uid, (unsigned long long) st->st_dev);
}

static int names_cmp(const void *a, const void *b) { return strcmp(*(char *const *) a, *(char *const *) b); }

// race-fd-clone: a task sharing the fd table (clone CLONE_FILES) flips fd 9 between two files.
struct fdflip { volatile int stop, flips; int a, b; };
static int flip_fd(void *arg) {
    struct fdflip *f = arg;
    while (!f->stop) { dup2(f->a, 9); dup2(f->b, 9); f->flips++; }
    return 0;
}

static void *sleeper(void *arg) { (void) arg; for (;;) pause(); return NULL; }

struct race { volatile int stop; char *buf; const char *a, *b; };

static void *flip(void *p) {
    struct race *r = p;
    while (!r->stop) { strcpy(r->buf, r->a); strcpy(r->buf, r->b); }
    return NULL;
}

static void *swap_link(void *p) {
    struct race *r = p;
    // r->a: a symlink to the secret, r->b: a plain file; both renamed over r->buf in turn.
    char tmp1[4096], tmp2[4096];
    snprintf(tmp1, sizeof tmp1, "%s.l", r->buf);
    snprintf(tmp2, sizeof tmp2, "%s.f", r->buf);
    while (!r->stop) {
        unlink(tmp1); symlink(r->a, tmp1); rename(tmp1, r->buf);
        int fd = open(tmp2, O_CREAT | O_WRONLY | O_TRUNC, 0644); if (fd >= 0) { write(fd, "ab", 2); close(fd); }
        rename(tmp2, r->buf);
    }
    return NULL;
}

static int run(int argc, char **argv) {
    const char *cmd = argv[0];
    struct stat st;
    if (!strcmp(cmd, "stat")) { if (stat(path_arg(argv[1]), &st) < 0) return err();
    print_stat(&st); return 0; }
    if (!strcmp(cmd, "lstat")) { if (lstat(path_arg(argv[1]), &st) < 0) return err();
    print_stat(&st); return 0; }
    if (!strcmp(cmd, "raw-stat")) { // the stat syscall itself (glibc may use newfstatat)
        if (syscall(SYS_stat, path_arg(argv[1]), &st) < 0) return err();
        print_stat(&st); return 0;
    }
    if (!strcmp(cmd, "raw-lstat")) { if (syscall(SYS_lstat, path_arg(argv[1]), &st) < 0) return err();
    print_stat(&st); return 0; }
    if (!strcmp(cmd, "fstatat")) { // fstatat DIR PATH FLAGS
        int d = dirfd_of(argv[1]);
        if (syscall(SYS_newfstatat, d, path_arg(argv[2]), &st, atflags(argv[3])) < 0) return err();
        print_stat(&st); return 0;
    }
    if (!strcmp(cmd, "fstat-empty")) { // glibc fstat on an fd opened from PATH (O_PATH when "path:")
        int d = dirfd_of(argv[1]);
        if (d < 0) return err();
        if (fstat(d, &st) < 0) return err();
        print_stat(&st); return 0;
    }
    if (!strcmp(cmd, "fstat-fd")) { // glibc fstat on an inherited fd number
        if (fstat(atoi(argv[1]), &st) < 0) return err();
        print_stat(&st); return 0;
    }
    if (!strcmp(cmd, "spawn-thread")) { // a second thread that only sleeps: the process has created a task
        pthread_t t;
        if (pthread_create(&t, NULL, sleeper, NULL) != 0) return err();
        printf("ok\n"); return 0;
    }
    if (!strcmp(cmd, "race-fd-clone")) { // race-fd-clone HIDDEN_FD ALLOWED_FD N: fstat(9) while a clone flips it
        static struct fdflip f;
        static char stack[65536];
        int n = atoi(argv[3]), ok = 0, leaked = 0;
        f.a = atoi(argv[1]); f.b = atoi(argv[2]);
        dup2(f.b, 9);
        pid_t child = clone(flip_fd, stack + sizeof stack, CLONE_FILES | CLONE_VM | SIGCHLD, &f);
        if (child < 0) return err();
        while (f.flips < 10) sched_yield(); // the flipping runs
        for (int i = 0; i < n; i++) {
            if (fstat(9, &st) == 0) {
                ok++;
                if (st.st_size == 3) leaked++;
            }
            if (i % 16 == 0) sched_yield(); // on one CPU too, the flips interleave with the calls
        }
        f.stop = 1;
        waitpid(child, NULL, 0);
        printf("ok>0=%d leaked=%d\n", ok > 0, leaked);
        return 0;
    }
    if (!strcmp(cmd, "stat-efault")) { if (syscall(SYS_stat, argv[1], (void *) 8) < 0) return err();
    printf("ok\n"); return 0; }
    if (!strcmp(cmd, "statx")) { // statx DIR PATH FLAGS MASK
        struct statx sx;
        memset(&sx, 0xa5, sizeof sx);
        unsigned mask = strtoul(argv[4], NULL, 0);
        if (syscall(SYS_statx, dirfd_of(argv[1]), path_arg(argv[2]), atflags(argv[3]), mask, &sx) < 0) return err();
        unsigned long long tail;
        memcpy(&tail, (char *) &sx + 248, 8); // the end of the 256-byte struct: written by the kernel too
        printf("ok mask=%x mode=%o size=%llu ino=%llu nlink=%u uid=%u blksize=%u tail=%llx\n", sx.stx_mask & mask,
               sx.stx_mode, (unsigned long long) sx.stx_size, (unsigned long long) sx.stx_ino, sx.stx_nlink,
               sx.stx_uid, sx.stx_blksize, tail);
        return 0;
    }
    if (!strcmp(cmd, "statfs")) {
        struct statfs sf;
        if (statfs(path_arg(argv[1]), &sf) < 0) return err();
        printf("ok type=%lx bsize=%ld namelen=%ld blocks=%ld flags=%lx\n", (long) sf.f_type, (long) sf.f_bsize,
               (long) sf.f_namelen, (long) sf.f_blocks, (long) sf.f_flags);
        return 0;
    }
    if (!strcmp(cmd, "access")) { if (syscall(SYS_access, path_arg(argv[1]), atoi(argv[2])) < 0) return err();
    printf("ok\n"); return 0; }
    if (!strcmp(cmd, "faccessat")) {
        if (syscall(SYS_faccessat, dirfd_of(argv[1]), path_arg(argv[2]), atoi(argv[3])) < 0) return err();
        printf("ok\n"); return 0;
    }
    if (!strcmp(cmd, "faccessat2")) {
        if (syscall(SYS_faccessat2, dirfd_of(argv[1]), path_arg(argv[2]), atoi(argv[3]), atflags(argv[4])) < 0) return err();
        printf("ok\n"); return 0;
    }
    if (!strcmp(cmd, "readlink") || !strcmp(cmd, "readlinkat")) { // readlink PATH SIZE | readlinkat DIR PATH SIZE
        char buf[8192];
        memset(buf, '#', sizeof buf);
        int at = !strcmp(cmd, "readlinkat");
        size_t size = strtoul(argv[at ? 3 : 2], NULL, 0);
        long n = at ? syscall(SYS_readlinkat, dirfd_of(argv[1]), path_arg(argv[2]), buf, size)
                    : syscall(SYS_readlink, path_arg(argv[1]), buf, size);
        if (n < 0) return err();
        printf("ok n=%ld [%.*s] next=%c\n", n, (int) n, buf, buf[n]);
        return 0;
    }
    if (!strcmp(cmd, "selfcheck")) { // /proc/self and /proc/thread-self read as this process and thread
        char buf[256], want[256];
        long n = readlink("/proc/self", buf, sizeof buf - 1);
        buf[n < 0 ? 0 : n] = 0;
        snprintf(want, sizeof want, "%d", getpid());
        int self = !strcmp(buf, want);
        n = readlink("/proc/thread-self", buf, sizeof buf - 1);
        buf[n < 0 ? 0 : n] = 0;
        snprintf(want, sizeof want, "%d/task/%ld", getpid(), (long) syscall(SYS_gettid));
        int thread = !strcmp(buf, want);
        struct stat a, b;
        int exe = stat("/proc/self/exe", &a) == 0 && stat(argv[1], &b) == 0 && a.st_ino == b.st_ino;
        printf("self=%d thread-self=%d exe=%d\n", self, thread, exe);
        return 0;
    }
    if (!strcmp(cmd, "readlink-efault")) { if (syscall(SYS_readlink, argv[1], (void *) 8, 100) < 0) return err();
    printf("ok\n"); return 0; }
    if (!strcmp(cmd, "ls") || !strcmp(cmd, "ls-old")) { // ls DIR BUFSIZE: sorted names (getdents64 or getdents)
        int fd = open(argv[1], O_RDONLY | O_DIRECTORY);
        if (fd < 0) return err();
        int old = !strcmp(cmd, "ls-old");
        size_t bsz = strtoul(argv[2], NULL, 0);
        char *buf = malloc(bsz + 1);
        char *names[4096];
        int n = 0, calls = 0;
        for (;;) {
            long r = syscall(old ? SYS_getdents : SYS_getdents64, fd, buf, bsz);
            if (r < 0) { free(buf); return err(); }
            if (r == 0) break;
            calls++;
            for (long off = 0; off < r;) {
                unsigned short reclen = *(unsigned short *) (buf + off + 16);
                const char *name = buf + off + (old ? 18 : 19);
                if (n < 4096) names[n++] = strdup(name);
                off += reclen;
            }
        }
        qsort(names, n, sizeof *names, names_cmp);
        printf("ok");
        for (int i = 0; i < n; i++) printf(" %s", names[i]);
        printf("\n");
        free(buf);
        return 0;
    }
    if (!strcmp(cmd, "getdents-small")) { // a buffer too small for any entry
        int fd = open(argv[1], O_RDONLY | O_DIRECTORY);
        char buf[8];
        if (syscall(SYS_getdents64, fd, buf, sizeof buf) < 0) return err();
        printf("ok\n"); return 0;
    }
    if (!strcmp(cmd, "getdents-efault")) { // a bad buffer, then a good one: nothing lost
        int fd = open(argv[1], O_RDONLY | O_DIRECTORY);
        char buf[32768];
        long r = syscall(SYS_getdents64, fd, (void *) 8, 4096);
        int e = errno;
        long r2 = syscall(SYS_getdents64, fd, buf, sizeof buf);
        int count = 0;
        for (long off = 0; off < r2; off += *(unsigned short *) (buf + off + 16)) count++;
        printf("first=%s then=%d\n", r < 0 ? ename(e) : "ok", count);
        return 0;
    }
    if (!strcmp(cmd, "getdents-file")) { // a regular file: ENOTDIR; an O_PATH fd: EBADF
        int fd = open(argv[1], !strcmp(argv[2], "path") ? O_PATH : O_RDONLY);
        char buf[4096];
        if (syscall(SYS_getdents64, fd, buf, sizeof buf) < 0) return err();
        printf("ok\n"); return 0;
    }
    if (!strcmp(cmd, "getxattr") || !strcmp(cmd, "lgetxattr")) { // getxattr PATH NAME SIZE
        char buf[70000];
        size_t size = strtoul(argv[3], NULL, 0);
        ssize_t n = !strcmp(cmd, "getxattr") ? getxattr(path_arg(argv[1]), argv[2], size ? buf : NULL, size)
                                             : lgetxattr(path_arg(argv[1]), argv[2], size ? buf : NULL, size);
        if (n < 0) return err();
        printf("ok n=%zd [%.*s]\n", n, size ? (int) n : 0, buf);
        return 0;
    }
    if (!strcmp(cmd, "fgetxattr")) {
        char buf[4096];
        int fd = dirfd_of(argv[1]);
        ssize_t n = fgetxattr(fd, argv[2], buf, sizeof buf);
        if (n < 0) return err();
        printf("ok n=%zd [%.*s]\n", n, (int) n, buf);
        return 0;
    }
    if (!strcmp(cmd, "listxattr") || !strcmp(cmd, "llistxattr") || !strcmp(cmd, "flistxattr")) { // listxattr PATH SIZE
        char buf[70000];
        size_t size = strtoul(argv[2], NULL, 0);
        ssize_t n = !strcmp(cmd, "listxattr") ? listxattr(path_arg(argv[1]), size ? buf : NULL, size)
                  : !strcmp(cmd, "llistxattr") ? llistxattr(path_arg(argv[1]), size ? buf : NULL, size)
                  : flistxattr(dirfd_of(argv[1]), size ? buf : NULL, size);
        if (n < 0) return err();
        printf("ok n=%zd", n);
        if (size) for (ssize_t i = 0; i < n; i += strlen(buf + i) + 1) printf(" %s", buf + i);
        printf("\n");
        return 0;
    }
    if (!strcmp(cmd, "setxattr") || !strcmp(cmd, "lsetxattr") || !strcmp(cmd, "fsetxattr")) { // setxattr PATH NAME VALUE FLAGS
        int flags = atoi(argv[4]);
        int r = !strcmp(cmd, "setxattr") ? setxattr(argv[1], argv[2], argv[3], strlen(argv[3]), flags)
              : !strcmp(cmd, "lsetxattr") ? lsetxattr(argv[1], argv[2], argv[3], strlen(argv[3]), flags)
              : fsetxattr(dirfd_of(argv[1]), argv[2], argv[3], strlen(argv[3]), flags);
        if (r < 0) return err();
        printf("ok\n"); return 0;
    }
    if (!strcmp(cmd, "setxattr-big")) { // a value over XATTR_SIZE_MAX
        static char big[70000];
        if (setxattr(argv[1], "user.big", big, sizeof big, 0) < 0) return err();
        printf("ok\n"); return 0;
    }
    if (!strcmp(cmd, "xattr-longname")) { // a 300-byte name
        char name[301];
        memset(name, 'n', 300); memcpy(name, "user.", 5); name[300] = 0;
        if (getxattr(argv[1], name, NULL, 0) < 0) return err();
        printf("ok\n"); return 0;
    }
    if (!strcmp(cmd, "removexattr") || !strcmp(cmd, "lremovexattr") || !strcmp(cmd, "fremovexattr")) {
        int r = !strcmp(cmd, "removexattr") ? removexattr(argv[1], argv[2])
              : !strcmp(cmd, "lremovexattr") ? lremovexattr(argv[1], argv[2])
              : fremovexattr(dirfd_of(argv[1]), argv[2]);
        if (r < 0) return err();
        printf("ok\n"); return 0;
    }
    if (!strcmp(cmd, "race-path")) { // race-path ALLOWED HIDDEN N: another thread flips the path buffer
        static char buf[4096];
        struct race r = {0, buf, argv[1], argv[2]};
        struct stat hidden;
        int n = atoi(argv[3]), leaked = 0, ok = 0;
        strcpy(buf, argv[1]);
        int have_hidden = stat(argv[2], &hidden) == 0; // natively visible; under syd absent
        pthread_t t;
        pthread_create(&t, NULL, flip, &r);
        for (int i = 0; i < n; i++) {
            if (stat(buf, &st) == 0) {
                ok++;
                if (st.st_size == 3) leaked++;
            }
        }
        r.stop = 1;
        pthread_join(t, NULL);
        printf("hidden-visible=%d ok>0=%d leaked=%d\n", have_hidden, ok > 0, leaked);
        return 0;
    }
    if (!strcmp(cmd, "race-link")) { // race-link PATH SECRET N: PATH is swapped between a file and a symlink to SECRET
        struct race r = {0, argv[1], argv[2], NULL};
        int n = atoi(argv[3]), leaked = 0;
        pthread_t t;
        pthread_create(&t, NULL, swap_link, &r);
        for (int i = 0; i < n; i++) {
            if (stat(argv[1], &st) == 0 && st.st_size == 3) leaked++;
            char b[16];
            if (getxattr(argv[1], "user.secret", b, sizeof b) >= 0) leaked++;
        }
        r.stop = 1;
        pthread_join(t, NULL);
        printf("leaked=%d\n", leaked);
        return 0;
    }
    fprintf(stderr, "probe-stat: unknown command %s\n", cmd);
    return 2;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    int i = 1;
    while (i < argc) {
        int j = i;
        while (j < argc && strcmp(argv[j], "--")) j++;
        argv[j < argc ? j : argc] = NULL;
        int rc = run(j - i, argv + i);
        if (rc) return rc;
        i = j + 1;
    }
    return 0;
}
