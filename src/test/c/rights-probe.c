/* Rights probe for RightsEscapeIT, SafeSetIdIT and SendRightsIT: does what a program without some
 * right tries, natively and under syd, and prints one result line ("ok ..." or "err ENAME").
 *
 *   rights-probe [STEP...] ACTION [ARG...]     (the actions are listed in main)
 *
 * Steps run first, in order, to give the program the identity under test:
 *   caps=HEX      keep only these capabilities: bounding set, inheritable and ambient dropped,
 *                 permitted = effective = HEX (what syd's launcher leaves a root program; under syd
 *                 it changes nothing)
 *   drop=N        take capability N out of the effective set
 *   gid=N         setgroups([N]) and setresgid(N, N, N)
 *   uid=N         setresuid(N, N, N)
 *   dir=PATH      open the directory PATH and keep it (for openat-held)
 * Before the steps the probe makes one notified call (open of "/"), so that under syd the
 * supervisor already knows its identity and must see it change.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <unistd.h>

static const char *en(int e) {
    const char *n = strerrorname_np(e);
    return n ? n : "E?";
}

static int result(int rc) {
    if (rc < 0) printf("err %s\n", en(errno));
    else printf("ok\n");
    return 0;
}

static void fail(const char *what) {
    printf("step %s failed: %s\n", what, en(errno));
    exit(3);
}

static void capsets(uint64_t eff, uint64_t prm) {
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2] = {{(uint32_t)eff, (uint32_t)prm, 0}, {(uint32_t)(eff >> 32), (uint32_t)(prm >> 32), 0}};
    if (syscall(SYS_capset, &h, d) != 0) fail("capset");
}

static uint64_t capget(int which) { /* 0 effective, 1 permitted */
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];
    if (syscall(SYS_capget, &h, d) != 0) fail("capget");
    return which == 0 ? ((uint64_t)d[1].effective << 32 | d[0].effective)
                      : ((uint64_t)d[1].permitted << 32 | d[0].permitted);
}

static int held_dir = -1;

static void step(const char *s) {
    if (!strncmp(s, "caps=", 5)) {
        uint64_t keep = strtoull(s + 5, NULL, 16);
        for (int cap = 0; cap < 64; cap++) {
            if (keep & (1ULL << cap)) continue;
            if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno == EINVAL) break;
        }
        prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
        uint64_t prm = capget(1) & keep;
        capsets(prm, prm);
    } else if (!strncmp(s, "drop=", 5)) {
        int cap = atoi(s + 5);
        capsets(capget(0) & ~(1ULL << cap), capget(1));
    } else if (!strncmp(s, "gid=", 4)) {
        gid_t g = (gid_t)atoi(s + 4);
        if (setgroups(1, &g) != 0) fail("setgroups");
        if (setresgid(g, g, g) != 0) fail("setresgid");
    } else if (!strncmp(s, "dir=", 4)) { /* a directory held open with the rights had so far (openat-held) */
        held_dir = open(s + 4, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (held_dir < 0) fail("open dir");
    } else if (!strncmp(s, "uid=", 4)) {
        uid_t u = (uid_t)atoi(s + 4);
        if (setresuid(u, u, u) != 0) fail("setresuid");
    } else {
        printf("unknown step %s\n", s);
        exit(2);
    }
}

/* open PATH r|w|rw: whether it opens (nothing is written) */
static int act_open(const char *path, const char *mode) {
    int flags = !strcmp(mode, "w") ? O_WRONLY : !strcmp(mode, "rw") ? O_RDWR : O_RDONLY;
    int fd = open(path, flags | O_NONBLOCK | O_CLOEXEC);
    if (fd >= 0) close(fd);
    return result(fd);
}

/* access PATH r|w: access(2) with the real ids */
static int act_access(const char *path, const char *mode) {
    return result(access(path, !strcmp(mode, "w") ? W_OK : R_OK));
}

/* pagemap: the physical frame number of one of our pages as /proc/self/pagemap shows it (0 without CAP_SYS_ADMIN) */
static int act_pagemap(void) {
    volatile char *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    page[0] = 1;
    int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return result(-1);
    uint64_t entry;
    if (pread(fd, &entry, 8, ((uintptr_t)page / 4096) * 8) != 8) return result(-1);
    printf("ok present %d pfn %s\n", (int)(entry >> 63), (entry & ((1ULL << 55) - 1)) ? "nonzero" : "zero");
    return 0;
}

/* fanotify PATH: a FAN_MARK_FILESYSTEM mark (everyone's activity on that file system) on a group
 * any user may create (FAN_REPORT_FID) */
static int act_fanotify(const char *path) {
    int fd = fanotify_init(FAN_CLASS_NOTIF | FAN_REPORT_FID | FAN_CLOEXEC, O_RDONLY);
    if (fd < 0) { printf("init "); return result(-1); }
    return result(fanotify_mark(fd, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, FAN_OPEN, AT_FDCWD, path));
}

/* bind PORT: TCP on 127.0.0.1 */
static int act_bind(int port) {
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) return result(-1);
    int one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return result(bind(s, (struct sockaddr *)&a, sizeof a));
}

/* Sends one datagram on a UNIX socketpair whose receiver has SO_PASSCRED, with explicit
 * credentials when creds != NULL, and prints the credentials the receiver got. */
static int unix_creds(const struct ucred *creds) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) != 0) return result(-1);
    int one = 1;
    if (setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof one) != 0) return result(-1);
    char data = 'x';
    struct iovec iov = {&data, 1};
    union { char buf[CMSG_SPACE(sizeof(struct ucred))]; struct cmsghdr align; } u;
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
    if (creds) {
        memset(&u, 0, sizeof u);
        m.msg_control = u.buf;
        m.msg_controllen = sizeof u.buf;
        struct cmsghdr *c = CMSG_FIRSTHDR(&m);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_CREDENTIALS;
        c->cmsg_len = CMSG_LEN(sizeof(struct ucred));
        memcpy(CMSG_DATA(c), creds, sizeof *creds);
    }
    if (sendmsg(sv[0], &m, 0) < 0) return result(-1);
    struct msghdr in = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
    if (recvmsg(sv[1], &in, 0) < 0) return result(-1);
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&in); c; c = CMSG_NXTHDR(&in, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
            struct ucred got;
            memcpy(&got, CMSG_DATA(c), sizeof got);
            printf("ok pid %s uid %u gid %u\n", got.pid == getpid() ? "self" : got.pid == 1 ? "1" : "other",
                   got.uid, got.gid);
            return 0;
        }
    }
    printf("ok no credentials\n");
    return 0;
}

/* somark: a UDP datagram to 127.0.0.1:9 with SO_MARK as ancillary data (CAP_NET_RAW or CAP_NET_ADMIN) */
static int act_somark(void) {
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) return result(-1);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(9)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    char data = 'x';
    struct iovec iov = {&data, 1};
    union { char buf[CMSG_SPACE(sizeof(uint32_t))]; struct cmsghdr align; } u;
    memset(&u, 0, sizeof u);
    struct msghdr m = {.msg_name = &a, .msg_namelen = sizeof a, .msg_iov = &iov, .msg_iovlen = 1,
                       .msg_control = u.buf, .msg_controllen = sizeof u.buf};
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SO_MARK;
    c->cmsg_len = CMSG_LEN(sizeof(uint32_t));
    uint32_t mark = 7;
    memcpy(CMSG_DATA(c), &mark, sizeof mark);
    return result(sendmsg(s, &m, 0) < 0 ? -1 : 0);
}

/* rtaddr ADDR: RTM_NEWADDR ADDR/32 on lo over NETLINK_ROUTE (what `ip addr add` sends), with the
 * kernel as the destination address; prints the kernel's answer */
static int act_rtaddr(const char *addr) {
    int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (s < 0) return result(-1);
    struct {
        struct nlmsghdr n;
        struct ifaddrmsg ifa;
        struct rtattr rta;
        struct in_addr a;
    } req;
    memset(&req, 0, sizeof req);
    req.n.nlmsg_len = sizeof req;
    req.n.nlmsg_type = RTM_NEWADDR;
    req.n.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
    req.n.nlmsg_seq = 1;
    req.ifa.ifa_family = AF_INET;
    req.ifa.ifa_prefixlen = 32;
    req.ifa.ifa_index = 1; /* lo */
    req.rta.rta_type = IFA_LOCAL;
    req.rta.rta_len = RTA_LENGTH(sizeof(struct in_addr));
    inet_pton(AF_INET, addr, &req.a);
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    struct iovec iov = {&req, sizeof req};
    struct msghdr m = {.msg_name = &kernel, .msg_namelen = sizeof kernel, .msg_iov = &iov, .msg_iovlen = 1};
    if (sendmsg(s, &m, 0) < 0) return result(-1);
    char buf[4096];
    ssize_t n = recv(s, buf, sizeof buf, 0);
    if (n < (ssize_t)sizeof(struct nlmsghdr)) return result(-1);
    struct nlmsghdr *h = (struct nlmsghdr *)buf;
    if (h->nlmsg_type == NLMSG_ERROR) {
        int e = -((struct nlmsgerr *)NLMSG_DATA(h))->error;
        if (e == 0) printf("ok\n");
        else printf("err %s\n", en(e));
        return 0;
    }
    printf("ok type %d\n", h->nlmsg_type);
    return 0;
}

/* setid CALL ARG...: one raw set*id call (setuid, setgid, setresuid, setresgid, setfsuid, setgroups) */
static int act_setid(int argc, char **argv) {
    const char *c = argv[0];
    long a[3] = {0, 0, 0};
    for (int i = 1; i < argc && i <= 3; i++) a[i - 1] = atol(argv[i]);
    long r;
    if (!strcmp(c, "setuid")) r = syscall(SYS_setuid, a[0]);
    else if (!strcmp(c, "setgid")) r = syscall(SYS_setgid, a[0]);
    else if (!strcmp(c, "setresuid")) r = syscall(SYS_setresuid, a[0], a[1], a[2]);
    else if (!strcmp(c, "setresgid")) r = syscall(SYS_setresgid, a[0], a[1], a[2]);
    else if (!strcmp(c, "setfsuid")) {
        syscall(SYS_setfsuid, a[0]);
        printf("fsuid %ld\n", syscall(SYS_setfsuid, -1L));
        return 0;
    } else if (!strcmp(c, "setgroups")) {
        gid_t g[16];
        int n = argc - 1 > 16 ? 16 : argc - 1;
        for (int i = 0; i < n; i++) g[i] = (gid_t)atol(argv[i + 1]);
        r = syscall(SYS_setgroups, n, g);
    } else {
        printf("unknown call %s\n", c);
        return 2;
    }
    if (r < 0) return result(-1);
    uid_t ru, eu, su;
    getresuid(&ru, &eu, &su);
    gid_t g[16];
    int n = getgroups(16, g);
    printf("ok uid %u gid %u groups", eu, getegid());
    for (int i = 0; i < n; i++) printf(" %u", g[i]);
    printf("\n");
    return 0;
}

/* groups-race GOOD BAD FILE: setgroups([GOOD]) while a second thread flips the list between GOOD
 * and BAD; then, with the groups the thread really got, opens FILE (a notified call). Prints
 * "got BAD" when the raced list went through, then "opened" or the errno. */
static volatile gid_t race_list[1];
static atomic_int racing = 1;
static gid_t good, bad;

static void *flipper(void *arg) {
    (void)arg;
    while (atomic_load(&racing)) {
        race_list[0] = bad;
        race_list[0] = good;
    }
    return NULL;
}

/* Starts the thread that flips race_list between GOOD and BAD. */
static pthread_t start_flipper(const char *g, const char *b) {
    good = (gid_t)atoi(g);
    bad = (gid_t)atoi(b);
    race_list[0] = good;
    pthread_t t;
    pthread_create(&t, NULL, flipper, NULL);
    return t;
}

static int act_groups_race(const char *g, const char *b, const char *file) {
    pthread_t t = start_flipper(g, b);
    int got = 0;
    for (int i = 0; i < 20000 && !got; i++) {
        if (syscall(SYS_setgroups, 1, (gid_t *)race_list) != 0) continue;
        gid_t now[4];
        int n = getgroups(4, now);
        got = n == 1 && now[0] == bad;
    }
    atomic_store(&racing, 0);
    pthread_join(t, NULL);
    if (!got) { printf("never raced\n"); return 0; }
    printf("got %u\n", bad);
    fflush(stdout);
    return act_open(file, "r");
}

/* groups-race-read GOOD BAD FILE: as groups-race, but the raced group is used at once, by a call
 * the policy under test leaves to the kernel (a read-only open with no read sandboxing): after each
 * setgroups that went through, FILE is opened and read. Prints "read CONTENT" when the raced group
 * opened it, else "never raced". */
static int act_groups_race_read(const char *g, const char *b, const char *file) {
    pthread_t t = start_flipper(g, b);
    char buf[64];
    ssize_t n = -1;
    for (int i = 0; i < 20000 && n < 0; i++) {
        if (syscall(SYS_setgroups, 1, (gid_t *)race_list) != 0) continue;
        int fd = (int)syscall(SYS_openat, AT_FDCWD, file, O_RDONLY | O_CLOEXEC);
        if (fd < 0) continue;
        n = read(fd, buf, sizeof buf - 1);
        close(fd);
    }
    atomic_store(&racing, 0);
    pthread_join(t, NULL);
    if (n < 0) { printf("never raced\n"); return 0; }
    buf[n] = 0;
    printf("read %s\n", buf);
    return 0;
}

/* threads FILE: a second thread drops CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from its own
 * effective set (capset is per thread) and opens FILE; then the main thread opens it. */
static const char *thread_file;
static char thread_result[32];

static void *dropper(void *arg) {
    (void)arg;
    capsets(capget(0) & ~((1ULL << 1) | (1ULL << 2)), capget(1));
    int fd = open(thread_file, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) { close(fd); snprintf(thread_result, sizeof thread_result, "ok"); }
    else snprintf(thread_result, sizeof thread_result, "err %s", en(errno));
    return NULL;
}

static int act_threads(const char *file) {
    thread_file = file;
    pthread_t t;
    pthread_create(&t, NULL, dropper, NULL);
    pthread_join(t, NULL);
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    int e = errno;
    if (fd >= 0) close(fd);
    printf("main %s%s thread %s\n", fd >= 0 ? "ok" : "err ", fd >= 0 ? "" : en(e), thread_result);
    return 0;
}

/* own DIR FILE: what a program that is not dumpable (it changed its uid) still does with its own
 * objects: a relative open after chdir(DIR) (the kernel starts at its cwd), its own /proc entries
 * (exe link, maps, an fd link). Prints one word per look. */
static int act_own(const char *dir, const char *file) {
    char buf[256];
    printf("dumpable %d", prctl(PR_GET_DUMPABLE));
    printf(" chdir %s", chdir(dir) == 0 ? "ok" : en(errno));
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    printf(" relative %s", fd >= 0 ? "ok" : en(errno));
    printf(" exe %s", readlink("/proc/self/exe", buf, sizeof buf) > 0 ? "ok" : en(errno));
    int maps = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    printf(" maps %s", maps >= 0 ? "ok" : en(errno));
    snprintf(buf, sizeof buf, "/proc/self/fd/%d", fd);
    char link[256];
    printf(" fdlink %s\n", fd >= 0 && readlink(buf, link, sizeof link) > 0 ? "ok" : en(errno));
    return 0;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    int warm = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (warm >= 0) close(warm);
    int i = 1;
    for (; i < argc && strchr(argv[i], '=') && argv[i][0] != '/'; i++) step(argv[i]);
    if (i >= argc) { printf("usage: rights-probe [STEP...] ACTION [ARG...]\n"); return 2; }
    const char *act = argv[i];
    char **arg = argv + i + 1;
    int n = argc - i - 1;
    if (!strcmp(act, "open") && n == 2) return act_open(arg[0], arg[1]);
    if (!strcmp(act, "openat-held") && n == 1) { /* openat(the dir= directory, NAME): no walk to it */
        int fd = openat(held_dir, arg[0], O_RDONLY | O_CLOEXEC);
        if (fd >= 0) close(fd);
        return result(fd);
    }
    if (!strcmp(act, "access") && n == 2) return act_access(arg[0], arg[1]);
    if (!strcmp(act, "pagemap")) return act_pagemap();
    if (!strcmp(act, "procmem") && n == 1) {
        char p[64];
        snprintf(p, sizeof p, "/proc/%s/mem", arg[0]);
        return act_open(p, "rw");
    }
    if (!strcmp(act, "setxattr") && n == 3) return result(setxattr(arg[0], arg[1], arg[2], strlen(arg[2]), 0));
    if (!strcmp(act, "setcap") && n == 1) { /* file capabilities: CAP_NET_RAW permitted (VFS_CAP_REVISION_2) */
        uint32_t v[5] = {0x02000000, 1u << 13, 0, 0, 0};
        return result(setxattr(arg[0], "security.capability", v, sizeof v, 0));
    }
    if (!strcmp(act, "getxattr") && n == 2) {
        char v[256];
        ssize_t r = getxattr(arg[0], arg[1], v, sizeof v);
        return result(r < 0 ? -1 : 0);
    }
    if (!strcmp(act, "fanotify") && n == 1) return act_fanotify(arg[0]);
    if (!strcmp(act, "mknod") && n == 1) return result(mknod(arg[0], S_IFCHR | 0600, makedev(1, 3)));
    if (!strcmp(act, "bind") && n == 1) return act_bind(atoi(arg[0]));
    if (!strcmp(act, "chown") && n == 2) return result(chown(arg[0], (uid_t)atoi(arg[1]), (gid_t)-1));
    if (!strcmp(act, "creds") && n == 3) {
        struct ucred c = {.pid = !strcmp(arg[0], "self") ? getpid() : atoi(arg[0]), .uid = (uid_t)atol(arg[1]),
                          .gid = (gid_t)atol(arg[2])};
        return unix_creds(&c);
    }
    if (!strcmp(act, "implicit-creds")) return unix_creds(NULL);
    if (!strcmp(act, "somark")) return act_somark();
    if (!strcmp(act, "rtaddr") && n == 1) return act_rtaddr(arg[0]);
    if (!strcmp(act, "setid") && n >= 1) return act_setid(n, arg);
    if (!strcmp(act, "groups-race") && n == 3) return act_groups_race(arg[0], arg[1], arg[2]);
    if (!strcmp(act, "groups-race-read") && n == 3) return act_groups_race_read(arg[0], arg[1], arg[2]);
    if (!strcmp(act, "threads") && n == 1) return act_threads(arg[0]);
    if (!strcmp(act, "own") && n == 2) return act_own(arg[0], arg[1]);
    if (!strcmp(act, "exec") && n >= 1) {
        execvp(arg[0], arg);
        return result(-1);
    }
    printf("unknown action %s\n", act);
    return 2;
}
