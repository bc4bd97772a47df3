/* thread-fdtables DIR THREADS ROUNDS: every thread unshares its fd table (CLONE_FILES), puts its
 * own file DIR/tN at the same fd number (100) as every other thread, and fstat()s that number
 * ROUNDS times, the threads running at once. Each answer must describe the thread's own file
 * (its inode), never another thread's: prints "calls C wrong W failed F" and exits 0 when W and
 * F are 0. A supervisor that took fd 100 from the wrong thread's table (a pidfd kept for one
 * thread and used for another) shows up as wrong answers. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *dir;
static int rounds;
static long calls, wrong, failed;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t start;

static void *work(void *arg) {
    long id = (long) arg, c = 0, w = 0, f = 0;
    char path[4096];
    snprintf(path, sizeof path, "%s/t%ld", dir, id);
    if (unshare(CLONE_FILES) != 0) { perror("unshare"); exit(2); }
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0 || dup2(fd, 100) != 100) { perror(path); exit(2); }
    struct stat own;
    if (fstat(fd, &own) != 0) { perror("fstat"); exit(2); }
    close(fd);
    pthread_barrier_wait(&start);
    for (int r = 0; r < rounds; r++) {
        struct stat st;
        c++;
        if (fstat(100, &st) != 0) f++;
        else if (st.st_ino != own.st_ino || st.st_dev != own.st_dev) w++;
    }
    pthread_mutex_lock(&lock);
    calls += c; wrong += w; failed += f;
    pthread_mutex_unlock(&lock);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: thread-fdtables DIR THREADS ROUNDS\n"); return 2; }
    dir = argv[1];
    int n = atoi(argv[2]);
    rounds = atoi(argv[3]);
    pthread_t t[64];
    if (n < 1 || n > 64) return 2;
    pthread_barrier_init(&start, NULL, (unsigned) n);
    for (long i = 0; i < n; i++) pthread_create(&t[i], NULL, work, (void *) i);
    for (int i = 0; i < n; i++) pthread_join(t[i], NULL);
    printf("calls %ld wrong %ld failed %ld\n", calls, wrong, failed);
    return wrong == 0 && failed == 0 ? 0 : 1;
}
