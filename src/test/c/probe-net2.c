/* accept/accept4/getpeername probe for jsyd integration tests (NetAcceptIT): one scenario per
 * sub-command. Clients are forked children of the server, so the same run works natively and
 * under syd. Each accepted connection prints one "client ..." line (what the client saw) and then
 * one server line ("ok ..." or "err ENAME"). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static void die(const char *what) {
    printf("broken %s: %s\n", what, strerrorname_np(errno));
    exit(2);
}

/* Fills ss with the address described by spec for family fam ("4", "6", "unix"):
 * IP[:PORT] for IP families, a path or @abstract for unix. Returns its length. */
static socklen_t addr_of(const char *fam, const char *spec, struct sockaddr_storage *ss) {
    memset(ss, 0, sizeof *ss);
    if (!strcmp(fam, "unix")) {
        struct sockaddr_un *su = (struct sockaddr_un *)ss;
        su->sun_family = AF_UNIX;
        if (spec[0] == '@') {
            size_t n = strlen(spec + 1);
            memcpy(su->sun_path + 1, spec + 1, n);
            return offsetof(struct sockaddr_un, sun_path) + 1 + n;
        }
        strncpy(su->sun_path, spec, sizeof su->sun_path - 1);
        return sizeof *su;
    }
    char ip[64];
    int port = 0;
    snprintf(ip, sizeof ip, "%s", spec);
    char *colon = strrchr(ip, '!');
    if (colon) { *colon = 0; port = atoi(colon + 1); }
    if (!strcmp(fam, "6")) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(port);
        if (inet_pton(AF_INET6, ip, &s6->sin6_addr) != 1) die("inet_pton6");
        return sizeof *s6;
    }
    struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
    s4->sin_family = AF_INET;
    s4->sin_port = htons(port);
    if (inet_pton(AF_INET, ip, &s4->sin_addr) != 1) die("inet_pton4");
    return sizeof *s4;
}

static int domain_of(const char *fam) {
    return !strcmp(fam, "unix") ? AF_UNIX : !strcmp(fam, "6") ? AF_INET6 : AF_INET;
}

/* A listening stream socket on spec (port 0 for IP); its address (with the real port) in *ss. */
static int listener(const char *fam, const char *spec, struct sockaddr_storage *ss, socklen_t *len) {
    *len = addr_of(fam, spec, ss);
    int s = socket(domain_of(fam), SOCK_STREAM, 0);
    if (s < 0) die("socket");
    if (!strcmp(fam, "unix") && spec[0] != '@') unlink(spec);
    if (bind(s, (struct sockaddr *)ss, *len) < 0) die("bind");
    if (listen(s, 16) < 0) die("listen");
    if (strcmp(fam, "unix")) {
        *len = sizeof *ss;
        if (getsockname(s, (struct sockaddr *)ss, len) < 0) die("getsockname");
        /* clients of a wildcard listener connect to loopback */
        if (ss->ss_family == AF_INET6 && IN6_IS_ADDR_UNSPECIFIED(&((struct sockaddr_in6 *)ss)->sin6_addr))
            ((struct sockaddr_in6 *)ss)->sin6_addr = in6addr_loopback;
        if (ss->ss_family == AF_INET && ((struct sockaddr_in *)ss)->sin_addr.s_addr == INADDR_ANY)
            ((struct sockaddr_in *)ss)->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    }
    return s;
}

/* Forks a client: binds to src ("-": no bind), connects to the server, sleeps delay seconds
 * before connecting; prints what it reads ("client got hi", "client eof", "client err E"). */
static pid_t client(const char *fam, const char *src, struct sockaddr_storage *srv, socklen_t srvlen, int delay) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) die("fork");
    if (pid > 0) return pid;
    if (delay) sleep(delay);
    struct sockaddr_in v4;
    if (!strcmp(fam, "6") && strchr(src, '.')) {
        /* an IPv4 client of a dual-stack server: the server sees ::ffff:a.b.c.d */
        memset(&v4, 0, sizeof v4);
        v4.sin_family = AF_INET;
        v4.sin_port = ((struct sockaddr_in6 *)srv)->sin6_port;
        v4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        srv = (struct sockaddr_storage *)&v4;
        srvlen = sizeof v4;
        fam = "4";
    }
    int c = socket(domain_of(fam), SOCK_STREAM, 0);
    if (c < 0) die("client socket");
    if (strcmp(src, "-")) {
        struct sockaddr_storage me;
        socklen_t mlen = addr_of(fam, src, &me);
        int one = 1;
        setsockopt(c, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (!strcmp(fam, "unix") && src[0] != '@') unlink(src);
        if (bind(c, (struct sockaddr *)&me, mlen) < 0) die("client bind");
    }
    if (connect(c, (struct sockaddr *)srv, srvlen) < 0) {
        printf("client connect %s\n", strerrorname_np(errno));
        exit(0);
    }
    struct timeval tv = {5, 0};
    setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[16];
    ssize_t n = read(c, buf, sizeof buf - 1);
    if (n > 0) { buf[n] = 0; printf("client got %s\n", buf); }
    else if (n == 0) printf("client eof\n");
    else printf("client err %s\n", strerrorname_np(errno));
    if (!strcmp(fam, "unix") && strcmp(src, "-") && src[0] != '@') {
        /* the peer name the client sees for the server */
        struct sockaddr_un pn;
        socklen_t pl = sizeof pn;
        if (getpeername(c, (struct sockaddr *)&pn, &pl) == 0) printf("client peer %s\n", pl > 2 ? pn.sun_path : "-");
    }
    fflush(stdout);
    _exit(0);
}

/* Accepts once on s and builds the result line in out. flags: "-", "c", "n", "cn", "x" (invalid
 * flag), "old" (accept(2)); lenspec: a number for *addrlen, "null" (NULL addr and addrlen),
 * "nolen" (addr but NULL addrlen). Writes "hi" to an accepted connection and closes it. */
static void accept_once(int s, const char *fam, const char *flags, const char *lenspec, char *out, size_t outsz) {
    unsigned char buf[160];
    memset(buf, 0xaa, sizeof buf);
    int fl = 0;
    if (strchr(flags, 'c')) fl |= SOCK_CLOEXEC;
    if (strchr(flags, 'n')) fl |= SOCK_NONBLOCK;
    if (strchr(flags, 'x')) fl |= 0x1;
    socklen_t len = 0;
    int inlen = 0;
    struct sockaddr *a = (struct sockaddr *)buf;
    socklen_t *lp = &len;
    if (!strcmp(lenspec, "null")) { a = NULL; lp = NULL; }
    else if (!strcmp(lenspec, "nolen")) lp = NULL;
    else { inlen = atoi(lenspec); len = (socklen_t)inlen; }
    int fd = !strcmp(flags, "old") ? (int)syscall(SYS_accept, s, a, lp) : (int)syscall(SYS_accept4, s, a, lp, fl);
    if (fd < 0) { snprintf(out, outsz, "err %s", strerrorname_np(errno)); return; }
    int cloexec = (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0;
    int nonblock = (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0;
    int n = snprintf(out, outsz, "ok cloexec=%d nonblock=%d", cloexec, nonblock);
    if (lp) {
        n += snprintf(out + n, outsz - n, " len=%d bytes=", (int)len);
        int show = inlen < 0 ? 4 : inlen + 4;
        if (show > 24) show = 24;
        for (int i = 0; i < show; i++) {
            /* an IP peer's port is ephemeral: masked where it was copied */
            if (strcmp(fam, "unix") && (i == 2 || i == 3) && i < inlen) n += snprintf(out + n, outsz - n, "pp");
            else n += snprintf(out + n, outsz - n, "%02x", buf[i]);
        }
        int copied = inlen < (int)len ? inlen : (int)len;
        if (!strcmp(fam, "unix") && copied > 2 && buf[2] != 0) {
            n += snprintf(out + n, outsz - n, " path=%.*s", copied - 2, (char *)buf + 2);
        } else if (!strcmp(fam, "unix") && copied > 2) {
            n += snprintf(out + n, outsz - n, " abstract=@%.*s", copied - 3, (char *)buf + 3);
        } else if (strcmp(fam, "unix") && copied >= (int)len && len > 0) {
            char ip[64];
            if (buf[0] == AF_INET) inet_ntop(AF_INET, buf + 4, ip, sizeof ip);
            else inet_ntop(AF_INET6, buf + 8, ip, sizeof ip);
            n += snprintf(out + n, outsz - n, " ip=%s", ip);
        }
    }
    if (write(fd, "hi", 2) != 2) die("write");
    close(fd);
}

/* serve FAM LISTEN FLAGS LEN [SRC...]: one accept per client source SRC; without SRC one accept
 * with no client. */
static int cmd_serve(int argc, char **argv) {
    const char *fam = argv[0];
    struct sockaddr_storage ss;
    socklen_t sl;
    int s = listener(fam, argv[1], &ss, &sl);
    if (strchr(argv[2], 'N')) fcntl(s, F_SETFL, O_NONBLOCK);
    char line[512];
    if (argc == 4) {
        accept_once(s, fam, argv[2], argv[3], line, sizeof line);
        printf("%s\n", line);
        return 0;
    }
    for (int i = 4; i < argc; i++) {
        pid_t pid = client(fam, argv[i], &ss, sl, 0);
        struct pollfd pf = {s, POLLIN, 0};
        if (poll(&pf, 1, 10000) == 0) {
            /* the client could not connect: no connection will come */
            waitpid(pid, NULL, 0);
            printf("server timeout\n");
            continue;
        }
        accept_once(s, fam, argv[2], argv[3], line, sizeof line);
        waitpid(pid, NULL, 0);
        printf("%s\n", line);
        fflush(stdout);
    }
    return 0;
}

static volatile sig_atomic_t alarms;
static void on_alarm(int sig) { (void)sig; alarms++; }

/* intr restart|norestart: a blocking accept interrupted by SIGALRM after 1 s; with SA_RESTART a
 * client connects after 2 s and the restarted accept returns it. */
static int cmd_intr(const char *mode) {
    struct sockaddr_storage ss;
    socklen_t sl;
    int s = listener("4", "127.0.0.1", &ss, &sl);
    struct sigaction sa = {0};
    sa.sa_handler = on_alarm;
    sa.sa_flags = !strcmp(mode, "restart") ? SA_RESTART : 0;
    sigaction(SIGALRM, &sa, NULL);
    pid_t pid = !strcmp(mode, "restart") ? client("4", "-", &ss, sl, 2) : -1;
    alarm(1);
    int fd = accept(s, NULL, NULL);
    int e = errno;
    if (fd >= 0) { if (write(fd, "hi", 2) != 2) die("write"); close(fd); }
    if (pid > 0) waitpid(pid, NULL, 0);
    if (fd < 0) printf("err %s alarms=%d\n", strerrorname_np(e), (int)alarms);
    else printf("ok alarms=%d\n", (int)alarms);
    return 0;
}

/* badfd: accept4 on a non-socket, a closed fd, a datagram socket, an unlistened stream socket */
static int cmd_badfd(void) {
    int devnull = open("/dev/null", O_RDONLY);
    printf("%d", (int)syscall(SYS_accept4, devnull, NULL, NULL, 0));
    printf(" %s\n", strerrorname_np(errno));
    printf("%d", (int)syscall(SYS_accept4, 999, NULL, NULL, 0));
    printf(" %s\n", strerrorname_np(errno));
    int d = socket(AF_INET, SOCK_DGRAM, 0);
    printf("%d", (int)syscall(SYS_accept4, d, NULL, NULL, 0));
    printf(" %s\n", strerrorname_np(errno));
    int t = socket(AF_INET, SOCK_STREAM, 0);
    printf("%d", (int)syscall(SYS_accept4, t, NULL, NULL, 0));
    printf(" %s\n", strerrorname_np(errno));
    return 0;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc >= 6 && !strcmp(argv[1], "serve")) return cmd_serve(argc - 2, argv + 2);
    if (argc == 3 && !strcmp(argv[1], "intr")) return cmd_intr(argv[2]);
    if (argc == 2 && !strcmp(argv[1], "badfd")) return cmd_badfd();
    fprintf(stderr, "usage: probe-net2 serve FAM LISTEN FLAGS LEN [SRC...] | intr restart|norestart | badfd\n");
    return 2;
}
