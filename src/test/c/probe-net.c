/* Network probe for jsyd integration tests: one scenario per sub-command.
 * Prints a short result line ("ok ...", "err ENAME") and exits 0 unless the scenario itself broke. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static int report(int r) {
    if (r < 0) printf("err %s\n", strerrorname_np(errno));
    else printf("ok %d\n", r);
    return 0;
}

static socklen_t inet_addr_of(const char *ip, int port, struct sockaddr_storage *ss) {
    memset(ss, 0, sizeof *ss);
    if (strchr(ip, ':')) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(port);
        inet_pton(AF_INET6, ip, &s6->sin6_addr);
        return sizeof *s6;
    }
    struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
    s4->sin_family = AF_INET;
    s4->sin_port = htons(port);
    inet_pton(AF_INET, ip, &s4->sin_addr);
    return sizeof *s4;
}

/* connect IP PORT [nonblock]: TCP connect */
static int cmd_connect(char *ip, int port, int nonblock) {
    struct sockaddr_storage ss;
    socklen_t len = inet_addr_of(ip, port, &ss);
    int s = socket(ss.ss_family, SOCK_STREAM | (nonblock ? SOCK_NONBLOCK : 0), 0);
    return report(connect(s, (struct sockaddr *)&ss, len));
}

/* badlen connect|bind|sendto LEN: an IPv4 address 127.0.0.1:9 passed with length LEN */
static int cmd_badlen(char *op, int len) {
    struct sockaddr_storage ss;
    inet_addr_of("127.0.0.1", 9, &ss);
    int s = socket(AF_INET, !strcmp(op, "sendto") ? SOCK_DGRAM : SOCK_STREAM, 0);
    if (!strcmp(op, "connect")) return report(connect(s, (struct sockaddr *)&ss, len));
    if (!strcmp(op, "bind")) return report(bind(s, (struct sockaddr *)&ss, len));
    return report((int)sendto(s, "x", 1, 0, (struct sockaddr *)&ss, len));
}

/* badptr connect|bind|sendto: the address pointer points at an unmapped page */
static int cmd_badptr(char *op) {
    void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(p, 4096);
    int s = socket(AF_INET, !strcmp(op, "sendto") ? SOCK_DGRAM : SOCK_STREAM, 0);
    if (!strcmp(op, "connect")) return report(connect(s, p, 16));
    if (!strcmp(op, "bind")) return report(bind(s, p, 16));
    return report((int)sendto(s, "x", 1, 0, p, 16));
}

/* The race: one thread flips the port in the shared sockaddr while the main thread connects. */
static struct sockaddr_in race_addr;
static volatile int race_stop;
static int race_ports[2];

static void *flipper(void *arg) {
    (void)arg;
    unsigned i = 0;
    while (!race_stop) *(volatile in_port_t *)&race_addr.sin_port = htons(race_ports[i++ & 1]);
    return NULL;
}

/* race ALLOWED DENIED SECONDS: connect in a loop while the port flips; prints "ok CONNECTED DENIED OTHER" */
static int cmd_race(int allowed, int denied, int seconds) {
    race_ports[0] = allowed;
    race_ports[1] = denied;
    race_addr.sin_family = AF_INET;
    race_addr.sin_port = htons(allowed);
    inet_pton(AF_INET, "127.0.0.1", &race_addr.sin_addr);
    pthread_t t;
    pthread_create(&t, NULL, flipper, NULL);
    long ok = 0, eacces = 0, other = 0;
    time_t end = time(NULL) + seconds;
    while (time(NULL) < end) {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(s, (struct sockaddr *)&race_addr, sizeof race_addr) == 0) ok++;
        else if (errno == EACCES) eacces++;
        else other++;
        close(s);
    }
    race_stop = 1;
    pthread_join(t, NULL);
    printf("ok %ld %ld %ld\n", ok, eacces, other);
    return 0;
}

static volatile sig_atomic_t caught;
static void on_alarm(int sig) { (void)sig; caught++; }

/* eintr: a blocking sendmsg on a full UNIX datagram socket pair is interrupted by SIGALRM (no SA_RESTART) */
static int cmd_eintr(void) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) < 0) return report(-1);
    char buf[1024] = {0};
    fcntl(sv[0], F_SETFL, O_NONBLOCK);
    while (send(sv[0], buf, sizeof buf, 0) > 0) { }
    fcntl(sv[0], F_SETFL, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    alarm(1);
    struct iovec iov = {buf, sizeof buf};
    struct msghdr m = {0};
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    int r = (int)sendmsg(sv[0], &m, 0);
    int e = errno;
    printf("%s caught=%d\n", r < 0 ? strerrorname_np(e) : "sent", (int)caught);
    return 0;
}

/* sigpipe [nosignal]: sendmsg on a UNIX stream whose peer is closed */
static int cmd_sigpipe(int nosignal) {
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    close(sv[1]);
    struct iovec iov = {"x", 1};
    struct msghdr m = {0};
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    return report((int)sendmsg(sv[0], &m, nosignal ? MSG_NOSIGNAL : 0));
}

static int send_fds(int sock, int *fds, int n) {
    char data = 'm';
    struct iovec iov = {&data, 1};
    union { char buf[CMSG_SPACE(sizeof(int) * 8)]; struct cmsghdr align; } u;
    memset(&u, 0, sizeof u);
    struct msghdr m = {0};
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = u.buf;
    m.msg_controllen = CMSG_SPACE(sizeof(int) * n);
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * n);
    memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
    return (int)sendmsg(sock, &m, 0);
}

/* Receives one message; prints the path of each fd it carried. */
static void recv_fds(int sock) {
    char data;
    struct iovec iov = {&data, 1};
    union { char buf[CMSG_SPACE(sizeof(int) * 8)]; struct cmsghdr align; } u;
    struct msghdr m = {0};
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = u.buf;
    m.msg_controllen = sizeof u.buf;
    if (recvmsg(sock, &m, MSG_DONTWAIT) < 0) { printf("recv %s\n", strerrorname_np(errno)); return; }
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
        int n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (int i = 0; i < n; i++) {
            int fd;
            memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
            char link[256] = {0}, p[64];
            snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
            if (readlink(p, link, sizeof link - 1) < 0) strcpy(link, "?");
            printf("got %s\n", link);
        }
    }
}

/* sendfd file|dir|pipe|symlink|socket|path PATH: passes one fd of that kind over a UNIX socket pair */
static int cmd_sendfd(char *kind, char *path) {
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    int fd;
    if (!strcmp(kind, "file")) fd = open(path, O_RDONLY);
    else if (!strcmp(kind, "dir")) fd = open(path, O_RDONLY | O_DIRECTORY);
    else if (!strcmp(kind, "symlink")) fd = open(path, O_PATH | O_NOFOLLOW);
    else if (!strcmp(kind, "socket")) fd = socket(AF_UNIX, SOCK_STREAM, 0);
    else if (!strcmp(kind, "pipe")) { int p[2]; pipe(p); fd = p[0]; }
    else if (!strcmp(kind, "memfd")) fd = memfd_create("jsyd", 0);
    else if (!strcmp(kind, "secretmem")) fd = syscall(SYS_memfd_secret, 0);
    else if (!strcmp(kind, "bdev")) fd = open(path, O_PATH);
    else if (!strcmp(kind, "magiclink")) fd = open(path, O_PATH | O_NOFOLLOW);
    else fd = -1;
    if (fd < 0) { printf("setup %s\n", strerrorname_np(errno)); return 1; }
    int r = send_fds(sv[0], &fd, 1);
    report(r);
    if (r >= 0) recv_fds(sv[1]);
    return 0;
}

/* badfd: SCM_RIGHTS with an fd number the program does not have */
static int cmd_badfd(void) {
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    int fd = 999;
    return report(send_fds(sv[0], &fd, 1));
}

/* badcmsg: a control message whose cmsg_len is shorter than its header */
static int cmd_badcmsg(void) {
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    char data = 'm';
    struct iovec iov = {&data, 1};
    union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
    memset(&u, 0, sizeof u);
    struct msghdr m = {0};
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = u.buf;
    m.msg_controllen = sizeof u.buf;
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = 8;
    return report((int)sendmsg(sv[0], &m, 0));
}

/* Flips the fd number inside the control buffer between two fds while the main thread sends. */
static int *flip_slot;
static int flip_fds[2];
static void *fd_flipper(void *arg) {
    (void)arg;
    unsigned i = 0;
    while (!race_stop) *(volatile int *)flip_slot = flip_fds[i++ & 1];
    return NULL;
}

/* fdrace ALLOWED DENIED SECONDS: SCM_RIGHTS of a file whose fd number flips; every fd received must be ALLOWED */
static int cmd_fdrace(char *allowed, char *denied, int seconds) {
    int sv[2];
    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
    flip_fds[0] = open(allowed, O_RDONLY);
    flip_fds[1] = open(denied, O_RDONLY);
    char data = 'm';
    struct iovec iov = {&data, 1};
    static union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
    struct msghdr m = {0};
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = u.buf;
    m.msg_controllen = sizeof u.buf;
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    flip_slot = (int *)CMSG_DATA(c);
    *flip_slot = flip_fds[0];
    pthread_t t;
    pthread_create(&t, NULL, fd_flipper, NULL);
    long sent = 0, eacces = 0, leaked = 0, other = 0;
    time_t end = time(NULL) + seconds;
    while (time(NULL) < end) {
        if (sendmsg(sv[0], &m, 0) < 0) { if (errno == EACCES) eacces++; else other++; continue; }
        sent++;
        char d;
        struct iovec riov = {&d, 1};
        union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } ru;
        struct msghdr rm = {0};
        rm.msg_iov = &riov;
        rm.msg_iovlen = 1;
        rm.msg_control = ru.buf;
        rm.msg_controllen = sizeof ru.buf;
        if (recvmsg(sv[1], &rm, 0) < 0) { other++; continue; }
        struct cmsghdr *rc = CMSG_FIRSTHDR(&rm);
        if (!rc) { other++; continue; }
        int fd;
        memcpy(&fd, CMSG_DATA(rc), sizeof fd);
        char link[256] = {0}, p[64];
        snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
        readlink(p, link, sizeof link - 1);
        if (strcmp(link, allowed)) leaked++;
        close(fd);
    }
    race_stop = 1;
    pthread_join(t, NULL);
    printf("ok %ld %ld %ld %ld\n", sent, eacces, leaked, other);
    return 0;
}

/* sendmmsg PORT1 PORT2 PORT3: three UDP datagrams to 127.0.0.1 on those ports; prints the count */
static int cmd_sendmmsg(int p1, int p2, int p3) {
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a[3];
    int ports[3] = {p1, p2, p3};
    struct mmsghdr v[3];
    struct iovec iov[3];
    memset(v, 0, sizeof v);
    for (int i = 0; i < 3; i++) {
        memset(&a[i], 0, sizeof a[i]);
        a[i].sin_family = AF_INET;
        a[i].sin_port = htons(ports[i]);
        inet_pton(AF_INET, "127.0.0.1", &a[i].sin_addr);
        iov[i].iov_base = "dgram";
        iov[i].iov_len = 5;
        v[i].msg_hdr.msg_name = &a[i];
        v[i].msg_hdr.msg_namelen = sizeof a[i];
        v[i].msg_hdr.msg_iov = &iov[i];
        v[i].msg_hdr.msg_iovlen = 1;
    }
    int r = sendmmsg(s, v, 3, 0);
    if (r < 0) return report(r);
    printf("ok %d lens %u %u %u\n", r, v[0].msg_len, v[1].msg_len, v[2].msg_len);
    return 0;
}

/* unixbind PATH: binds a UNIX stream socket and prints getsockname's path and the file mode */
static int cmd_unixbind(char *path) {
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a = {0};
    a.sun_family = AF_UNIX;
    strncpy(a.sun_path, path, sizeof a.sun_path - 1);
    if (bind(s, (struct sockaddr *)&a, sizeof a) < 0) return report(-1);
    struct sockaddr_un b = {0};
    socklen_t len = sizeof b;
    if (getsockname(s, (struct sockaddr *)&b, &len) < 0) return report(-1);
    struct stat st;
    stat(path, &st);
    printf("ok %s len=%d mode=%o\n", b.sun_path, (int)len, st.st_mode & 07777);
    return 0;
}

/* Swaps the directory "d" and the symlink "s" (to the denied directory) back and forth. */
static void *swapper(void *arg) {
    (void)arg;
    while (!race_stop) renameat2(AT_FDCWD, "d", AT_FDCWD, "s", RENAME_EXCHANGE);
    return NULL;
}

/* bindrace WORKDIR DENIED SECONDS: in WORKDIR, "d" is a directory and "s" a symlink to DENIED; a thread
 * exchanges them while the main thread binds d/sock-N; prints "ok BOUND DENIED OTHER" */
static int cmd_bindrace(char *work, char *denied, int seconds) {
    if (chdir(work) < 0 || mkdir("d", 0755) < 0 || symlink(denied, "s") < 0) { printf("setup %s\n", strerrorname_np(errno)); return 1; }
    pthread_t t;
    pthread_create(&t, NULL, swapper, NULL);
    long ok = 0, eacces = 0, other = 0, n = 0;
    time_t end = time(NULL) + seconds;
    while (time(NULL) < end) {
        int s = socket(AF_UNIX, SOCK_STREAM, 0);
        struct sockaddr_un a = {0};
        a.sun_family = AF_UNIX;
        snprintf(a.sun_path, sizeof a.sun_path, "d/sock-%ld", n++);
        if (bind(s, (struct sockaddr *)&a, sizeof a) == 0) ok++;
        else if (errno == EACCES) eacces++;
        else other++;
        close(s);
    }
    race_stop = 1;
    pthread_join(t, NULL);
    printf("ok %ld %ld %ld\n", ok, eacces, other);
    return 0;
}

/* fuzzmsg N: N sendmsg calls with random msghdrs (names, iovecs, control data) on a UNIX datagram pair;
 * prints each result, to be compared with a native run (same seed) */
static int cmd_fuzzmsg(int count) {
    int sv[2];
    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
    srand(42);
    static char buf[256];
    for (int i = 0; i < count; i++) {
        struct msghdr m;
        for (size_t k = 0; k < sizeof m; k++) ((unsigned char *)&m)[k] = rand();
        for (size_t k = 0; k < sizeof buf; k++) buf[k] = rand();
        switch (i % 5) {
        case 0: m.msg_name = buf; m.msg_namelen = rand() % 200; m.msg_iov = NULL; m.msg_iovlen = 0;
                m.msg_control = NULL; m.msg_controllen = 0; break;
        case 1: m.msg_name = NULL; m.msg_iov = (void *)buf; m.msg_iovlen = rand() % 4; m.msg_control = NULL;
                m.msg_controllen = 0; break;
        case 2: m.msg_name = NULL; m.msg_iov = NULL; m.msg_iovlen = 0; m.msg_control = buf;
                m.msg_controllen = rand() % 256; break;
        case 3: m.msg_name = NULL; m.msg_iov = NULL; m.msg_iovlen = 0; m.msg_control = buf; m.msg_controllen = 64;
                memset(buf, 0, 64); buf[0] = 16 + 4 * (rand() % 3); buf[8] = 1; buf[12] = rand() % 3; break;
        default: break; /* all random */
        }
        long r = syscall(SYS_sendmsg, sv[0], &m, rand() % 2 ? MSG_DONTWAIT : 0);
        printf("%d %ld %s\n", i, r, r < 0 ? strerrorname_np(errno) : "-");
        struct msghdr rm = {0};
        char d[8], c[256];
        struct iovec iv = {d, sizeof d};
        rm.msg_iov = &iv;
        rm.msg_iovlen = 1;
        rm.msg_control = c;
        rm.msg_controllen = sizeof c;
        while (recvmsg(sv[1], &rm, MSG_DONTWAIT | MSG_CMSG_CLOEXEC) >= 0) {
            for (struct cmsghdr *h = CMSG_FIRSTHDR(&rm); h; h = CMSG_NXTHDR(&rm, h))
                for (size_t k = 0; k < (h->cmsg_len - CMSG_LEN(0)) / sizeof(int); k++) close(((int *)CMSG_DATA(h))[k]);
            rm.msg_controllen = sizeof c;
        }
    }
    return 0;
}

/* fuzzaddr N: N binds/connects of random addresses on UDP (IPv4, IPv6) and UNIX datagram sockets, run in
 * the current directory; UDP connects send nothing, UNIX paths stay relative without '/' or '.'; prints each result */
static int cmd_fuzzaddr(int count) {
    static const int domains[] = {AF_INET, AF_INET6, AF_UNIX};
    static const int families[] = {AF_UNSPEC, AF_UNIX, AF_INET, AF_INET6, 77};
    srand(7);
    for (int i = 0; i < count; i++) {
        int d = domains[rand() % 3];
        unsigned char a[132];
        for (size_t k = 0; k < sizeof a; k++) a[k] = rand();
        int fam = families[rand() % 5];
        a[0] = fam;
        a[1] = 0;
        int len = rand() % 131;
        if (fam == AF_UNIX) {
            if (rand() % 2) a[2] = 0; /* abstract */
            else for (int k = 2; k < 132; k++) if (a[k] == '/' || a[k] == '.' || (k == 2 && a[k] < 'A')) a[k] = 'a' + k % 26;
        }
        int s = socket(d, SOCK_DGRAM, 0);
        int bindop = rand() % 2;
        int r = bindop ? bind(s, (struct sockaddr *)a, len) : connect(s, (struct sockaddr *)a, len);
        printf("%d %s %d %d %d %s\n", i, bindop ? "bind" : "connect", d, fam, len, r < 0 ? strerrorname_np(errno) : "ok");
        close(s);
    }
    return 0;
}

/* socket DOMAIN TYPE PROTO */
static int cmd_socket(int d, int t, int p) { return report(socket(d, t, p)); }

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc < 2) return 2;
    char *c = argv[1];
    if (!strcmp(c, "connect") && argc >= 4) return cmd_connect(argv[2], atoi(argv[3]), argc > 4);
    if (!strcmp(c, "badlen") && argc == 4) return cmd_badlen(argv[2], atoi(argv[3]));
    if (!strcmp(c, "badptr") && argc == 3) return cmd_badptr(argv[2]);
    if (!strcmp(c, "race") && argc == 5) return cmd_race(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]));
    if (!strcmp(c, "eintr")) return cmd_eintr();
    if (!strcmp(c, "sigpipe")) return cmd_sigpipe(argc > 2);
    if (!strcmp(c, "sendfd") && argc == 4) return cmd_sendfd(argv[2], argv[3]);
    if (!strcmp(c, "badfd")) return cmd_badfd();
    if (!strcmp(c, "badcmsg")) return cmd_badcmsg();
    if (!strcmp(c, "fdrace") && argc == 5) return cmd_fdrace(argv[2], argv[3], atoi(argv[4]));
    if (!strcmp(c, "sendmmsg") && argc == 5) return cmd_sendmmsg(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]));
    if (!strcmp(c, "unixbind") && argc == 3) return cmd_unixbind(argv[2]);
    if (!strcmp(c, "bindrace") && argc == 5) return cmd_bindrace(argv[2], argv[3], atoi(argv[4]));
    if (!strcmp(c, "fuzzmsg") && argc == 3) return cmd_fuzzmsg(atoi(argv[2]));
    if (!strcmp(c, "fuzzaddr") && argc == 3) return cmd_fuzzaddr(atoi(argv[2]));
    if (!strcmp(c, "socket") && argc == 5) return cmd_socket(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]));
    fprintf(stderr, "probe-net: bad command\n");
    return 2;
}
