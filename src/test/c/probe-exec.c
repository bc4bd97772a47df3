/* Exec-integrity and W^X attack probes for the escape suite (ExecIntegrityEscapeIT, WxAliasEscapeIT,
 * ExecKindIT). Each sub-command is one attack or one observation; it prints what happened, one
 * line per step, with errno names, and never crashes on a refusal. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MREMAP_MAYMOVE
#define MREMAP_MAYMOVE 1
#endif
#ifndef F_GET_SEALS
#define F_GET_SEALS 1034
#endif
#ifndef SHM_EXEC
#define SHM_EXEC 0100000
#endif

static const char *en(int e) {
    switch (e) {
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case EBADF: return "EBADF";
    case EINVAL: return "EINVAL";
    case ENOENT: return "ENOENT";
    case ENOEXEC: return "ENOEXEC";
    case ENOSYS: return "ENOSYS";
    default: return strerror(e);
    }
}

/* x86_64: mov eax, imm32; ret */
static void code(unsigned char *p, int value) {
    p[0] = 0xb8;
    memcpy(p + 1, &value, 4);
    p[5] = 0xc3;
}

typedef int (*fn)(void);

/* wx-shared-alias: an executable shared anonymous mapping, a second view of its pages made with
 * mremap(old_size=0), that view made writable, code written through it, run through the first. */
static int cmd_wx_shared_alias(void) {
    unsigned char *x = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (x == MAP_FAILED) { printf("mmap-shared-exec %s\n", en(errno)); return 0; }
    unsigned char *w = mremap(x, 0, 4096, MREMAP_MAYMOVE);
    if (w == MAP_FAILED) { printf("mremap %s\n", en(errno)); return 0; }
    if (mprotect(w, 4096, PROT_READ | PROT_WRITE) != 0) { printf("mprotect-alias %s\n", en(errno)); return 0; }
    code(w, 42);
    printf("ran %d\n", ((fn)x)());
    return 0;
}

/* wx-memfd-alias SHARED|PRIVATE: a memfd mapped executable (shared or private) and writable
 * (shared) at once; code written through the writable view, run through the executable one. */
static int cmd_wx_memfd_alias(const char *kind) {
    int fd = (int)syscall(SYS_memfd_create, "jit", 0);
    if (fd < 0) { printf("memfd %s\n", en(errno)); return 0; }
    if (ftruncate(fd, 4096) != 0) { printf("ftruncate %s\n", en(errno)); return 0; }
    int flags = strcmp(kind, "SHARED") == 0 ? MAP_SHARED : MAP_PRIVATE;
    unsigned char *x = mmap(NULL, 4096, PROT_READ | PROT_EXEC, flags, fd, 0);
    if (x == MAP_FAILED) { printf("mmap-exec %s\n", en(errno)); return 0; }
    unsigned char *w = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (w == MAP_FAILED) { printf("mmap-write %s\n", en(errno)); return 0; }
    code(w, 42);
    printf("ran %d\n", ((fn)x)());
    return 0;
}

/* wx-file-alias FILE: as wx-memfd-alias PRIVATE with a file the program may write. */
static int cmd_wx_file_alias(const char *file) {
    int fd = open(file, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) { printf("open %s\n", en(errno)); return 0; }
    if (ftruncate(fd, 4096) != 0) { printf("ftruncate %s\n", en(errno)); return 0; }
    unsigned char *x = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
    if (x == MAP_FAILED) { printf("mmap-exec %s\n", en(errno)); return 0; }
    unsigned char buf[8];
    code(buf, 42);
    if (pwrite(fd, buf, 6, 0) != 6) { printf("pwrite %s\n", en(errno)); return 0; }
    printf("ran %d\n", ((fn)x)());
    return 0;
}

__attribute__((noinline)) static int victim(void) { return 1; }

/* wx-proc-mem: code written over a function of the program through /proc/self/mem. */
static int cmd_wx_proc_mem(void) {
    int fd = open("/proc/self/mem", O_RDWR);
    if (fd < 0) { printf("open %s\n", en(errno)); return 0; }
    unsigned char buf[8];
    code(buf, 42);
    if (pwrite(fd, buf, 6, (off_t)(unsigned long)&victim) != 6) { printf("pwrite %s\n", en(errno)); return 0; }
    int (*volatile f)(void) = victim;
    printf("ran %d\n", f());
    return 0;
}

/* wx-shm: System V shared memory attached writable and executable. */
static int cmd_wx_shm(void) {
    int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
    if (id < 0) { printf("shmget %s\n", en(errno)); return 0; }
    unsigned char *w = shmat(id, NULL, 0);
    unsigned char *x = shmat(id, NULL, SHM_RDONLY | SHM_EXEC);
    shmctl(id, IPC_RMID, NULL);
    if (w == (void *)-1) { printf("shmat %s\n", en(errno)); return 0; }
    if (x == (void *)-1) { printf("shmat-exec %s\n", en(errno)); return 0; }
    code(w, 42);
    printf("ran %d\n", ((fn)x)());
    return 0;
}

/* memfd-mode: a memfd as the program creates it: executable bits and seals. */
static int cmd_memfd_mode(void) {
    int fd = (int)syscall(SYS_memfd_create, "m", 0);
    if (fd < 0) { printf("memfd %s\n", en(errno)); return 0; }
    struct stat st;
    fstat(fd, &st);
    printf("mode %o seals %d\n", st.st_mode & 0777, fcntl(fd, F_GET_SEALS));
    int s = (int)syscall(SYS_memfd_create, "s", 2 /* MFD_ALLOW_SEALING */);
    printf("sealable %d\n", fcntl(s, F_ADD_SEALS, 4 /* F_SEAL_GROW */) == 0);
    printf("fchmod-x %s\n", fchmod(fd, 0755) == 0 ? "ok" : en(errno));
    return 0;
}

/* dlopen LIB: loads a shared library (mmap PROT_EXEC of its file). */
static int cmd_dlopen(const char *lib) {
    void *h = dlopen(lib, RTLD_NOW);
    printf("dlopen %s\n", h ? "ok" : "failed");
    if (!h) fprintf(stderr, "%s\n", dlerror());
    return 0;
}

/* mmap-exec FILE: maps FILE executable (private) and runs its first bytes as code. */
static int cmd_mmap_exec(const char *file) {
    int fd = open(file, O_RDONLY);
    if (fd < 0) { printf("open %s\n", en(errno)); return 0; }
    unsigned char *x = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
    if (x == MAP_FAILED) { printf("mmap-exec %s\n", en(errno)); return 0; }
    printf("ran %d\n", ((fn)x)());
    return 0;
}

/* The fd-swap races: a second thread keeps putting the DENIED file on fd SLOT and the ALLOWED
 * one back, while the main thread executes or maps fd SLOT. */
static volatile int swap_slot, swap_a, swap_d;
static void *swapper(void *arg) {
    (void)arg;
    for (;;) {
        dup2(swap_d, swap_slot);
        dup2(swap_a, swap_slot);
    }
    return NULL;
}

static void start_swapper(const char *allowed, const char *denied) {
    swap_a = open(allowed, O_RDONLY);
    swap_d = open(denied, O_RDONLY);
    swap_slot = 100;
    dup2(swap_a, swap_slot);
    pthread_t t;
    pthread_create(&t, NULL, swapper, NULL);
}

/* The same swapper as a separate process sharing the fd table: clone(CLONE_FILES | SIGCHLD),
 * which the kernel reports to a tracer as a fork. It dies with its parent. */
static int swapper_process(void *arg) {
    (void)arg;
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    swapper(NULL);
    return 0;
}

static void start_swapper_process(const char *allowed, const char *denied) {
    static char stack[65536] __attribute__((aligned(16)));
    swap_a = open(allowed, O_RDONLY);
    swap_d = open(denied, O_RDONLY);
    swap_slot = 100;
    dup2(swap_a, swap_slot);
    clone(swapper_process, stack + sizeof stack, CLONE_FILES | SIGCHLD, NULL);
}

/* Runs N children of `child`; prints how each ended: exit 42 = the DENIED one ran, 0 = the
 * ALLOWED one ran, 99 = every attempt refused, other = killed. */
static int children(long n, void (*child)(const char *, const char *), const char *a, const char *d) {
    long ran_denied = 0, ran_allowed = 0, killed = 0, refused = 0;
    for (long i = 0; i < n; i++) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) { child(a, d); _exit(99); }
        int st = 0;
        waitpid(pid, &st, 0);
        if (WIFEXITED(st) && WEXITSTATUS(st) == 42) ran_denied++;
        else if (WIFEXITED(st) && WEXITSTATUS(st) == 0) ran_allowed++;
        else if (WIFEXITED(st) && WEXITSTATUS(st) == 99) refused++;
        else killed++;
    }
    printf("ran-denied=%ld ran-allowed=%ld killed=%ld refused=%ld\n", ran_denied, ran_allowed, killed, refused);
    return 0;
}

/* fexec-race: execveat(SLOT, "", AT_EMPTY_PATH) of scripts (the ALLOWED script exits 0, the
 * DENIED one 42) while the swapper runs. */
static void fexec_child(const char *a, const char *d) {
    start_swapper(a, d);
    for (volatile int spin = 0; spin < 100000; spin++) { }
    char *argv[] = {"script", NULL};
    for (int k = 0; k < 200; k++) syscall(SYS_execveat, swap_slot, "", argv, (char *[]){NULL}, AT_EMPTY_PATH);
}

/* mmap-race: mmap(PROT_EXEC) of SLOT, running the mapped code (the ALLOWED file's returns 0, the
 * DENIED file's 42), while the swapper runs. */
static void mmap_child(const char *a, const char *d) {
    start_swapper(a, d);
    for (int k = 0; k < 2000; k++) {
        unsigned char *x = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, swap_slot, 0);
        if (x == MAP_FAILED) continue;
        int v = ((fn)x)();
        if (v == 42) _exit(42);
        munmap(x, 4096);
    }
    _exit(0);
}

/* mmap-race-files: mmap-race with the swapper in a process sharing the fd table. */
static void mmap_files_child(const char *a, const char *d) {
    start_swapper_process(a, d);
    for (int k = 0; k < 2000; k++) {
        unsigned char *x = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, swap_slot, 0);
        if (x == MAP_FAILED) continue;
        int v = ((fn)x)();
        if (v == 42) _exit(42);
        munmap(x, 4096);
    }
    _exit(0);
}

/* crash: dies of SIGSEGV. */
static int cmd_crash(void) {
    raise(SIGSEGV);
    return 0;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc < 2) return 2;
    const char *c = argv[1];
    if (!strcmp(c, "wx-shared-alias")) return cmd_wx_shared_alias();
    if (!strcmp(c, "wx-memfd-alias") && argc == 3) return cmd_wx_memfd_alias(argv[2]);
    if (!strcmp(c, "wx-file-alias") && argc == 3) return cmd_wx_file_alias(argv[2]);
    if (!strcmp(c, "wx-proc-mem")) return cmd_wx_proc_mem();
    if (!strcmp(c, "wx-shm")) return cmd_wx_shm();
    if (!strcmp(c, "memfd-mode")) return cmd_memfd_mode();
    if (!strcmp(c, "dlopen") && argc == 3) return cmd_dlopen(argv[2]);
    if (!strcmp(c, "mmap-exec") && argc == 3) return cmd_mmap_exec(argv[2]);
    if (!strcmp(c, "fexec-race") && argc == 5) return children(atol(argv[2]), fexec_child, argv[3], argv[4]);
    if (!strcmp(c, "mmap-race") && argc == 5) return children(atol(argv[2]), mmap_child, argv[3], argv[4]);
    if (!strcmp(c, "mmap-race-files") && argc == 5) return children(atol(argv[2]), mmap_files_child, argv[3], argv[4]);
    if (!strcmp(c, "crash")) return cmd_crash();
    printf("unknown command\n");
    return 2;
}
