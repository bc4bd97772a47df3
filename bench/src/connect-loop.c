/* connect-loop: the client and the server of bench/connect-loop.sh.
 *   connect-loop server PORTFILE   listen on 127.0.0.1:0, write the port to PORTFILE, accept and
 *                                  close connections until killed
 *   connect-loop client PORT [N]   N (default 20000) times socket + connect + close to
 *                                  127.0.0.1:PORT; prints the loop's wall time in ms
 * The client closes with SO_LINGER {1, 0} (a reset, no TIME_WAIT), so 200 000 connects in a row
 * do not run out of ephemeral ports. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int server(const char *portfile) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t l = sizeof a;
    if (bind(s, (struct sockaddr *)&a, l) < 0 || listen(s, 4096) < 0 || getsockname(s, (struct sockaddr *)&a, &l) < 0) {
        perror("server");
        return 1;
    }
    FILE *f = fopen(portfile, "w");
    if (!f) { perror(portfile); return 1; }
    fprintf(f, "%d\n", ntohs(a.sin_port));
    fclose(f);
    for (;;) {
        int c = accept(s, NULL, NULL);
        if (c >= 0) close(c);
        else if (errno != EINTR && errno != ECONNABORTED) { perror("accept"); return 1; }
    }
}

static int client(int port, long n) {
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    struct linger lg = {1, 0};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long i = 0; i < n; i++) {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        if (s < 0) { perror("socket"); return 1; }
        setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        if (connect(s, (struct sockaddr *)&a, sizeof a) < 0) { fprintf(stderr, "connect %ld: %s\n", i, strerror(errno)); return 1; }
        close(s);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("%.1f\n", (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 3 && !strcmp(argv[1], "server")) return server(argv[2]);
    if ((argc == 3 || argc == 4) && !strcmp(argv[1], "client")) return client(atoi(argv[2]), argc == 4 ? atol(argv[3]) : 20000);
    fprintf(stderr, "usage: connect-loop server PORTFILE | client PORT [N]\n");
    return 2;
}
