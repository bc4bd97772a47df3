/* threads-fd DIR THREADS ROUNDS: every thread makes fd-based calls on its own objects in DIR
 * (open, fstat, ftruncate, fchmod, a directory listing, a UNIX socket bound, connected and
 * accepted), ROUNDS times. Prints one line per call kind with the number of successes and the
 * first error, then "total OK/ALL"; exits 0 when every call succeeded. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

enum { OPEN, FSTAT, FTRUNCATE, FCHMOD, LISTDIR, BIND, CONNECT, ACCEPT, KINDS };
static const char *names[KINDS] = {"open", "fstat", "ftruncate", "fchmod", "listdir", "bind", "connect", "accept4"};
static long ok[KINDS], tried[KINDS];
static int first_err[KINDS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static const char *dir;
static int rounds;

static void note(int kind, int success) {
    int e = errno;
    pthread_mutex_lock(&lock);
    tried[kind]++;
    if (success) ok[kind]++;
    else if (!first_err[kind]) first_err[kind] = e ? e : -1;
    pthread_mutex_unlock(&lock);
}

static void *work(void *arg) {
    long id = (long) arg;
    char path[4096], sock[108];
    snprintf(path, sizeof path, "%s/f%ld", dir, id);
    snprintf(sock, sizeof sock, "%s/s%ld", dir, id);
    for (int r = 0; r < rounds; r++) {
        errno = 0;
        int fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0644);
        note(OPEN, fd >= 0);
        if (fd >= 0) {
            struct stat st;
            note(FSTAT, fstat(fd, &st) == 0);
            note(FTRUNCATE, ftruncate(fd, r + 1) == 0);
            note(FCHMOD, fchmod(fd, 0600) == 0);
            close(fd);
        }
        DIR *d = opendir(dir);
        int n = 0;
        if (d) {
            errno = 0;
            while (readdir(d)) n++;
            closedir(d);
        }
        note(LISTDIR, d != NULL && n >= 2);
        unlink(sock);
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        strcpy(sa.sun_path, sock);
        int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int b = l >= 0 && bind(l, (struct sockaddr *) &sa, sizeof sa) == 0 && listen(l, 4) == 0;
        note(BIND, b);
        int c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int cn = b && c >= 0 && connect(c, (struct sockaddr *) &sa, sizeof sa) == 0;
        note(CONNECT, cn);
        int a = cn ? accept4(l, NULL, NULL, SOCK_CLOEXEC) : -1;
        note(ACCEPT, a >= 0);
        if (a >= 0) close(a);
        if (c >= 0) close(c);
        if (l >= 0) close(l);
        unlink(sock);
    }
    unlink(path);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: threads-fd DIR THREADS ROUNDS\n"); return 2; }
    dir = argv[1];
    int threads = atoi(argv[2]);
    if (threads > 256) threads = 256;
    rounds = atoi(argv[3]);
    pthread_t t[256];
    for (long i = 0; i < threads; i++) pthread_create(&t[i], NULL, work, (void *) i);
    for (long i = 0; i < threads; i++) pthread_join(t[i], NULL);
    long all = 0, good = 0;
    for (int k = 0; k < KINDS; k++) {
        printf("%s %ld/%ld%s%s\n", names[k], ok[k], tried[k], first_err[k] > 0 ? " " : "",
               first_err[k] > 0 ? strerrorname_np(first_err[k]) : "");
        all += tried[k];
        good += ok[k];
    }
    printf("total %ld/%ld\n", good, all);
    return good == all ? 0 : 1;
}
