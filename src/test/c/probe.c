/* Test probe for jsyd integration tests: one small program, one scenario per sub-command.
 * Prints a short result line and exits 0 when the scenario behaved as the test expects to read. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <pthread.h>

static volatile sig_atomic_t caught;
static void on_alarm(int sig) { (void)sig; caught++; }

static int set_handler(int restart) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sa.sa_flags = restart ? SA_RESTART : 0;
    return sigaction(SIGALRM, &sa, NULL);
}

/* open PATH [rdonly|wronly|rdwr|creat|trunc|excl|directory|nofollow|cloexec ...]: prints "ok FD" or "err ERRNO-NAME" */
static int cmd_open(int argc, char **argv) {
    int flags = 0;
    for (int i = 3; i < argc; i++) {
        if (!strcmp(argv[i], "wronly")) flags |= O_WRONLY;
        else if (!strcmp(argv[i], "rdwr")) flags |= O_RDWR;
        else if (!strcmp(argv[i], "creat")) flags |= O_CREAT;
        else if (!strcmp(argv[i], "trunc")) flags |= O_TRUNC;
        else if (!strcmp(argv[i], "excl")) flags |= O_EXCL;
        else if (!strcmp(argv[i], "directory")) flags |= O_DIRECTORY;
        else if (!strcmp(argv[i], "nofollow")) flags |= O_NOFOLLOW;
        else if (!strcmp(argv[i], "cloexec")) flags |= O_CLOEXEC;
    }
    int fd = open(argv[2], flags, 0666);
    if (fd < 0) { printf("err %s\n", strerrorname_np(errno)); return 1; }
    printf("ok %d\n", fd);
    return 0;
}

/* cloexec PATH: opens with and without O_CLOEXEC, prints the FD_CLOEXEC bits */
static int cmd_cloexec(char *path) {
    int a = open(path, O_RDONLY | O_CLOEXEC), b = open(path, O_RDONLY);
    if (a < 0 || b < 0) { printf("err %s\n", strerrorname_np(errno)); return 1; }
    printf("cloexec=%d plain=%d\n", (fcntl(a, F_GETFD) & FD_CLOEXEC) != 0, (fcntl(b, F_GETFD) & FD_CLOEXEC) != 0);
    return 0;
}

/* openloop N PATH: N × (open, read 1 byte, close); prints "opened N" */
static int cmd_openloop(long n, char *path) {
    long ok = 0;
    char c;
    for (long i = 0; i < n; i++) {
        int fd = open(path, O_RDONLY);
        if (fd < 0) { printf("fail at %ld: %s\n", i, strerrorname_np(errno)); return 1; }
        if (read(fd, &c, 1) != 1) { printf("short read at %ld\n", i); return 1; }
        close(fd);
        ok++;
    }
    printf("opened %ld\n", ok);
    return 0;
}

/* fifo-eintr PATH [QUIET_MS]: SIGALRM handler without SA_RESTART, (a quiet spell: no call for
 * QUIET_MS,) alarm(1), open the FIFO nobody writes: expects EINTR */
static int cmd_fifo_eintr(char *path, int quiet_ms) {
    if (set_handler(0)) return 2;
    if (quiet_ms > 0) usleep(quiet_ms * 1000);
    alarm(1);
    int fd = open(path, O_RDONLY);
    if (fd >= 0) { printf("opened?\n"); return 1; }
    printf("%s caught=%d\n", strerrorname_np(errno), caught);
    return errno == EINTR && caught == 1 ? 0 : 1;
}

/* fifo-restart PATH: SA_RESTART handler, alarm(1); a child opens the FIFO for writing after 2 s:
 * the open is restarted after the signal and succeeds. */
static int cmd_fifo_restart(char *path) {
    if (set_handler(1)) return 2;
    pid_t pid = fork();
    if (pid == 0) {
        sleep(2);
        int w = open(path, O_WRONLY);
        _exit(w < 0 ? 1 : 0);
    }
    alarm(1);
    int fd = open(path, O_RDONLY);
    int st = 0;
    waitpid(pid, &st, 0);
    if (fd < 0) { printf("%s caught=%d\n", strerrorname_np(errno), caught); return 1; }
    printf("restarted caught=%d\n", caught);
    return caught == 1 ? 0 : 1;
}

/* fifo-kicks N PATH: N blocking opens of the FIFO for reading while a thread keeps a caught
 * SIGALRM (SA_RESTART) pending for the reader, so the interrupter kicks the worker again and
 * again, and a child opens the FIFO for writing at random moments. Every open that succeeds must
 * give the FIFO; prints how many did and how many gave something else. */
static pid_t kicks_reader;
static void *kicks_pester(void *arg) {
    (void)arg;
    for (;;) {
        syscall(SYS_tgkill, getpid(), kicks_reader, SIGALRM);
        usleep(2000);
    }
    return NULL;
}

static int cmd_fifo_kicks(long n, char *path) {
    pid_t w = fork();
    if (w == 0) {
        srand(getpid());
        for (;;) {
            usleep(1000 + rand() % 9000);
            int fd = open(path, O_WRONLY);
            if (fd >= 0) close(fd);
        }
    }
    if (set_handler(1)) return 2;
    kicks_reader = syscall(SYS_gettid);
    pthread_t t;
    pthread_create(&t, NULL, kicks_pester, NULL);
    long fifo = 0, other = 0;
    for (long i = 0; i < n; i++) {
        int fd = open(path, O_RDONLY);
        if (fd < 0) continue;
        struct stat st;
        if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode)) fifo++;
        else other++;
        close(fd);
    }
    kill(w, SIGKILL);
    printf("fifo=%ld other=%ld\n", fifo, other);
    return 0;
}

/* exec-race N ALLOWED DENIED: N children; in each, a second thread flips the path buffer between
 * ALLOWED and DENIED while the main thread execs it. Prints how many children ended which way:
 * "ran-denied" counts children where DENIED actually ran (exit 42 expected from it). */
static char race_buf[256];
static const char *race_a, *race_b;
static void *flipper(void *arg) {
    (void)arg;
    for (;;) {
        strcpy(race_buf, race_a);
        strcpy(race_buf, race_b);
    }
    return NULL;
}

static int cmd_exec_race(long n, const char *allowed, const char *denied) {
    race_a = allowed;
    race_b = denied;
    long ran_denied = 0, ran_allowed = 0, killed = 0, refused = 0;
    for (long i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            strcpy(race_buf, allowed);
            pthread_t t;
            pthread_create(&t, NULL, flipper, NULL);
            for (volatile int spin = 0; spin < 100000; spin++) { }
            for (int k = 0; k < 200; k++) {
                char *argv[] = {race_buf, NULL};
                execv(race_buf, argv);
            }
            _exit(99); /* every attempt refused */
        }
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

/* chdir-race N ALLOWED DENIED: a second thread flips the path buffer between ALLOWED and DENIED
 * while the main thread chdirs to it, opens "f" (a notified call) and reads its cwd. Prints
 * "in-denied" and exits 42 as soon as the cwd is DENIED after all that; else "never-in-denied". */
static char cd_buf[256];
static const char *cd_a, *cd_b;
static void *cd_flipper(void *arg) {
    (void)arg;
    for (;;) { strcpy(cd_buf, cd_a); strcpy(cd_buf, cd_b); }
    return NULL;
}

static int cmd_chdir_race(long n, const char *allowed, const char *denied) {
    cd_a = allowed;
    cd_b = denied;
    strcpy(cd_buf, allowed);
    pthread_t t;
    pthread_create(&t, NULL, cd_flipper, NULL);
    char cwd[512];
    for (long i = 0; i < n; i++) {
        if (syscall(SYS_chdir, cd_buf) != 0) continue;
        int fd = open("f", O_RDONLY);
        if (fd >= 0) close(fd);
        if (getcwd(cwd, sizeof cwd) && strcmp(cwd, denied) == 0) {
            printf("in-denied\n");
            return 42;
        }
        if (chdir("/") != 0) return 2;
    }
    printf("never-in-denied\n");
    return 0;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc < 2) return 2;
    if (!strcmp(argv[1], "open") && argc >= 3) return cmd_open(argc, argv);
    if (!strcmp(argv[1], "cloexec") && argc == 3) return cmd_cloexec(argv[2]);
    if (!strcmp(argv[1], "openloop") && argc == 4) return cmd_openloop(atol(argv[2]), argv[3]);
    if (!strcmp(argv[1], "fifo-eintr") && (argc == 3 || argc == 4)) return cmd_fifo_eintr(argv[2], argc == 4 ? atoi(argv[3]) : 0);
    if (!strcmp(argv[1], "fifo-restart") && argc == 3) return cmd_fifo_restart(argv[2]);
    if (!strcmp(argv[1], "fifo-kicks") && argc == 4) return cmd_fifo_kicks(atol(argv[2]), argv[3]);
    if (!strcmp(argv[1], "chdir-race") && argc == 5) return cmd_chdir_race(atol(argv[2]), argv[3], argv[4]);
    if (!strcmp(argv[1], "exec-race") && argc == 5) return cmd_exec_race(atol(argv[2]), argv[3], argv[4]);
    fprintf(stderr, "probe: unknown scenario\n");
    return 2;
}
