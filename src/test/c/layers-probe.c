/* Probe for the layers tests (ioctl sandboxing, memory limits, fd flags): one scenario per
 * sub-command, results on stdout as "ok ..." or the errno's name. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *ename(int e) {
    const char *n = strerrorname_np(e);
    return n ? n : "E?";
}

/* ioctl PATH REQUEST [ro|rw]: open PATH, ioctl(fd, REQUEST, buf) */
static int cmd_ioctl(const char *path, const char *req, const char *mode) {
    int flags = (mode && !strcmp(mode, "ro")) ? O_RDONLY : O_RDWR;
    int fd = open(path, flags | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) { printf("open %s\n", ename(errno)); return 1; }
    unsigned long r = strtoul(req, NULL, 0);
    char buf[4096] = {0};
    if (ioctl(fd, r, buf) < 0) printf("%s\n", ename(errno));
    else printf("ok\n");
    return 0;
}

/* mmap MB: an anonymous private mapping of MB MiB, every page touched */
static int cmd_mmap(long mb) {
    size_t len = (size_t)mb << 20;
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) { printf("mmap %s\n", ename(errno)); return 1; }
    for (size_t i = 0; i < len; i += 4096) p[i] = 1;
    printf("ok mmap %ld\n", mb);
    return 0;
}

/* brk MB: grow the heap by MB MiB with brk(2), every page touched */
static int cmd_brk(long mb) {
    char *start = (char *)syscall(SYS_brk, 0);
    char *want = start + ((size_t)mb << 20);
    char *got = (char *)syscall(SYS_brk, want);
    if (got != want) { printf("brk ENOMEM\n"); return 1; }
    for (char *q = start; q < want; q += 4096) *q = 1;
    printf("ok brk %ld\n", mb);
    return 0;
}

/* mremap MB TO: a 1 MiB mapping grown to TO MiB */
static int cmd_mremap(long from, long to) {
    char *p = mmap(NULL, (size_t)from << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) { printf("mmap %s\n", ename(errno)); return 1; }
    char *q = mremap(p, (size_t)from << 20, (size_t)to << 20, MREMAP_MAYMOVE);
    if (q == MAP_FAILED) { printf("mremap %s\n", ename(errno)); return 1; }
    for (size_t i = 0; i < ((size_t)to << 20); i += 4096) q[i] = 1;
    printf("ok mremap %ld\n", to);
    return 0;
}

/* malloc MB STEP: malloc STEP MiB at a time (touched) up to MB MiB; prints how far it got */
static int cmd_malloc(long mb, long step) {
    long got = 0;
    while (got < mb) {
        char *p = malloc((size_t)step << 20);
        if (!p) { printf("malloc failed at %ld\n", got); return 1; }
        memset(p, 1, (size_t)step << 20);
        got += step;
    }
    printf("ok malloc %ld\n", got);
    return 0;
}

/* fdflags PATH [w|a|r]: open PATH, print the fd number and whether it is close-on-exec, append */
static int cmd_fdflags(const char *path, const char *how) {
    int flags = !strcmp(how, "w") ? O_WRONLY : !strcmp(how, "a") ? (O_WRONLY | O_APPEND) : O_RDONLY;
    int fd = open(path, flags);
    if (fd < 0) { printf("open %s\n", ename(errno)); return 1; }
    int fdf = fcntl(fd, F_GETFD), fl = fcntl(fd, F_GETFL);
    printf("fd %d cloexec %d append %d\n", fd, (fdf & FD_CLOEXEC) != 0, (fl & O_APPEND) != 0);
    return 0;
}

/* pwrite PATH OFFSET TEXT: a positioned write (ignores O_APPEND's end only if the fd lacks it) */
static int cmd_pwrite(const char *path, long off, const char *text) {
    int fd = open(path, O_WRONLY);
    if (fd < 0) { printf("open %s\n", ename(errno)); return 1; }
    int fl = fcntl(fd, F_GETFL);
    if (fcntl(fd, F_SETFL, fl & ~O_APPEND) < 0) printf("setfl %s\n", ename(errno));
    if (pwrite(fd, text, strlen(text), off) < 0) { printf("pwrite %s\n", ename(errno)); return 1; }
    printf("ok append %d\n", (fcntl(fd, F_GETFL) & O_APPEND) != 0);
    return 0;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc < 2) return 2;
    const char *c = argv[1];
    if (!strcmp(c, "ioctl") && argc >= 4) return cmd_ioctl(argv[2], argv[3], argc > 4 ? argv[4] : NULL);
    if (!strcmp(c, "mmap") && argc == 3) return cmd_mmap(atol(argv[2]));
    if (!strcmp(c, "brk") && argc == 3) return cmd_brk(atol(argv[2]));
    if (!strcmp(c, "mremap") && argc == 4) return cmd_mremap(atol(argv[2]), atol(argv[3]));
    if (!strcmp(c, "malloc") && argc == 4) return cmd_malloc(atol(argv[2]), atol(argv[3]));
    if (!strcmp(c, "fdflags") && argc == 4) return cmd_fdflags(argv[2], argv[3]);
    if (!strcmp(c, "pwrite") && argc == 5) return cmd_pwrite(argv[2], atol(argv[3]), argv[4]);
    fprintf(stderr, "usage: layers-probe ioctl|mmap|brk|mremap|malloc|fdflags|pwrite ...\n");
    return 2;
}
