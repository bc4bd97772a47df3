/* send-loop: the program of bench/send-loop.sh. Sends N one-byte datagrams with sendmsg(2) and
 * prints the ns per call, for each kind:
 *   udp   to 127.0.0.1 (the address is checked: net/connect)
 *   unix  on a UNIX datagram socketpair (no address; sendmsg is emulated for its control data)
 *   creds the same with SCM_CREDENTIALS of the program's own pid and ids
 * A reader thread drains the receiving sockets so the sends never block.
 *   send-loop [N]   (default 20000) */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

static void *drain(void *arg) {
    int fd = *(int *)arg;
    char b[16];
    while (recv(fd, b, sizeof b, 0) >= 0) {}
    return NULL;
}

static void loop(const char *kind, int s, struct msghdr *m, int n) {
    double t = now();
    for (int i = 0; i < n; i++) {
        if (sendmsg(s, m, 0) < 0) { perror(kind); exit(1); }
    }
    printf("%s %.0f\n", kind, (now() - t) / n);
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 20000;
    char data = 'x';
    struct iovec iov = {&data, 1};

    int rx = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t l = sizeof a;
    bind(rx, (struct sockaddr *)&a, l);
    getsockname(rx, (struct sockaddr *)&a, &l);
    pthread_t t1;
    pthread_create(&t1, NULL, drain, &rx);
    int tx = socket(AF_INET, SOCK_DGRAM, 0);
    struct msghdr m = {.msg_name = &a, .msg_namelen = sizeof a, .msg_iov = &iov, .msg_iovlen = 1};
    loop("udp", tx, &m, n);

    int sv[2];
    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
    pthread_t t2;
    pthread_create(&t2, NULL, drain, &sv[1]);
    struct msghdr u = {.msg_iov = &iov, .msg_iovlen = 1};
    loop("unix", sv[0], &u, n);

    union { char buf[CMSG_SPACE(sizeof(struct ucred))]; struct cmsghdr align; } c;
    memset(&c, 0, sizeof c);
    u.msg_control = c.buf;
    u.msg_controllen = sizeof c.buf;
    struct cmsghdr *h = CMSG_FIRSTHDR(&u);
    h->cmsg_level = SOL_SOCKET;
    h->cmsg_type = SCM_CREDENTIALS;
    h->cmsg_len = CMSG_LEN(sizeof(struct ucred));
    struct ucred cr = {getpid(), getuid(), getgid()};
    memcpy(CMSG_DATA(h), &cr, sizeof cr);
    loop("creds", sv[0], &u, n);
    return 0;
}
