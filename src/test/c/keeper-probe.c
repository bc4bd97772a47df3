/* Keeper probe: attacks on the supervisor process itself, its log and its terminal, for
 * src/test/java/dev/jsyd/it/escape/{Keeper,Terminal,Log}EscapeIT. One attack per sub-command,
 * each printing result lines the test reads; the same program runs natively (the attack works)
 * and under syd (it is refused). "ok" = a call succeeded, "err ENAME" = it failed with that errno.
 *
 * pty-run is the harness for terminal attacks: it runs a command as a session leader on a fresh
 * pseudo-terminal (the command's controlling terminal, its stdio), reads everything the command
 * writes to it, and reports how the command ended and after how long ("status 2xx": the job was
 * stopped by signal xx, e.g. 222 for SIGTTOU). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static const char *en(int e) {
    const char *n = strerrorname_np(e);
    return n ? n : "E?";
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- fds: the open file descriptors, "0 1 2" ------------------------------------------------ */
static int cmd_fds(void) {
    DIR *d = opendir("/proc/self/fd");
    if (!d) { printf("err %s\n", en(errno)); return 1; }
    int self = dirfd(d), first = 1;
    struct dirent *e;
    int fds[1024], n = 0;
    while ((e = readdir(d)) != NULL && n < 1024) {
        if (e->d_name[0] == '.') continue;
        int fd = atoi(e->d_name);
        if (fd != self) fds[n++] = fd;
    }
    closedir(d);
    for (int i = 0; i < n; i++) /* readdir order is ascending on procfs, keep it */
        printf(first ? "%d" : " %d", fds[i]), first = 0;
    printf("\n");
    return 0;
}

/* ---- read-fd N: read what an inherited fd gives ---------------------------------------------- */
static int cmd_read_fd(int fd) {
    char buf[64];
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    if (n < 0 && errno == ESPIPE) n = read(fd, buf, sizeof buf - 1);
    if (n < 0) { printf("read %d err %s\n", fd, en(errno)); return 0; }
    buf[n] = 0;
    char *nl = strchr(buf, '\n');
    if (nl) *nl = 0;
    printf("read %d ok %s\n", fd, buf);
    return 0;
}

/* ---- write-fds LINE: write a forged record to every open fd but stdin/stdout ------------------- */
static int cmd_write_fds(const char *line) {
    int wrote = 0;
    for (int fd = 2; fd < 1024; fd++) {
        if (fcntl(fd, F_GETFD) < 0) continue;
        if (write(fd, line, strlen(line)) > 0 && write(fd, "\n", 1) == 1) wrote++;
    }
    printf("wrote %d\n", wrote);
    return 0;
}

/* ---- deny-flood N PATH: N opens of a denied file (N log records), quietly --------------------- */
static int cmd_deny_flood(long n, const char *path) {
    long denied = 0;
    for (long i = 0; i < n; i++) {
        int fd = open(path, O_RDONLY);
        if (fd >= 0) close(fd);
        else if (errno == EACCES) denied++;
    }
    printf("denied %ld\n", denied);
    return 0;
}

/* ---- tty-ioctls: the terminal ioctls that stall or change the shared terminal ----------------- */
static void report(const char *what, int r) { printf("%s %s\n", what, r == 0 ? "ok" : en(errno)); }

static int cmd_tty_ioctls(void) {
    int tty = open("/dev/tty", O_RDWR | O_NOCTTY);
    if (tty < 0) { printf("err tty %s\n", en(errno)); return 1; }
    int r = ioctl(tty, TCXONC, TCOOFF);
    int e = errno;
    if (r == 0) ioctl(tty, TCXONC, TCOON); /* natively: undo at once (before writing to it) */
    errno = e;
    report("tcooff", r);
    int ldisc = 0;
    if (ioctl(tty, TIOCGETD, &ldisc) != 0) printf("tiocgetd %s\n", en(errno));
    report("tiocsetd", ioctl(tty, TIOCSETD, &ldisc)); /* the same discipline again: harmless */
    return 0;
}

/* ---- tcooff-then-deny PATH: stop the terminal's output, then make the supervisor log ------------ */
static int cmd_tcooff_then_deny(const char *path) {
    int r = ioctl(2, TCXONC, TCOOFF);
    int e = errno;
    int fd = open(path, O_RDONLY); /* a denial: the supervisor writes a log record to the terminal */
    if (fd >= 0) close(fd);
    /* stdout is the stopped terminal too: report through a file given in the environment */
    const char *out = getenv("KEEPER_OUT");
    if (out) {
        FILE *f = fopen(out, "w");
        if (f) { fprintf(f, "tcooff %s\n", r == 0 ? "ok" : en(e)); fclose(f); }
    }
    sleep(60);
    return 0;
}

/* Natively: after TCOOFF every writer of the terminal blocks (this one, the supervisor, the shell). */
static int cmd_tcooff_then_write(void) {
    if (ioctl(2, TCXONC, TCOOFF) != 0) { printf("tcooff %s\n", en(errno)); return 1; }
    printf("written\n"); /* blocks here */
    return 0;
}

/* ---- sigttou-then-deny PATH: become the terminal's foreground with TOSTOP, then make the supervisor
 * (now in the background) write to the terminal: SIGTTOU stops a process that does not ignore it. */
static int cmd_sigttou_then_deny(const char *path) {
    sigset_t ttou;
    sigemptyset(&ttou);
    sigaddset(&ttou, SIGTTOU);
    sigprocmask(SIG_BLOCK, &ttou, NULL);
    int tty = open("/dev/tty", O_RDWR);
    if (tty < 0) { printf("err tty %s\n", en(errno)); return 1; }
    if (setpgid(0, 0) != 0) { printf("setpgid %s\n", en(errno)); return 1; }
    if (tcsetpgrp(tty, getpgrp()) != 0) { printf("tcsetpgrp %s\n", en(errno)); return 1; }
    struct termios t;
    tcgetattr(tty, &t);
    t.c_lflag |= TOSTOP;
    if (tcsetattr(tty, TCSANOW, &t) != 0) { printf("tostop %s\n", en(errno)); return 1; }
    printf("foreground ok\n");
    fflush(stdout);
    int fd = open(path, O_RDONLY);
    if (fd >= 0) close(fd);
    sleep(60);
    return 0;
}

/* Natively: the same against an ordinary parent that writes to the terminal after the child took it. */
static int cmd_sigttou_native(void) {
    int tty = open("/dev/tty", O_RDWR);
    if (tty < 0) { printf("err tty %s\n", en(errno)); return 1; }
    pid_t p = fork();
    if (p == 0) {
        signal(SIGTTOU, SIG_IGN);
        setpgid(0, 0);
        tcsetpgrp(tty, getpgrp());
        struct termios t;
        tcgetattr(tty, &t);
        t.c_lflag |= TOSTOP;
        tcsetattr(tty, TCSANOW, &t);
        sleep(60);
        _exit(0);
    }
    sleep(1);
    printf("parent writes\n"); /* the parent is in the background now: SIGTTOU stops it here */
    fflush(stdout);
    printf("parent wrote\n");
    kill(p, SIGKILL);
    return 0;
}

/* ---- listen-unbound 4|6: listen() on a TCP socket nobody bound ---------------------------------- */
static int cmd_listen_unbound(int v) {
    int s = socket(v == 6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
    if (s < 0) { printf("socket %s\n", en(errno)); return 1; }
    if (listen(s, 1) != 0) { printf("listen %s\n", en(errno)); return 0; }
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    getsockname(s, (struct sockaddr *)&ss, &len);
    int port = v == 6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port) : ntohs(((struct sockaddr_in *)&ss)->sin_port);
    printf("listen ok %s\n", port > 0 ? "port" : "noport");
    return 0;
}

/* ---- unix-autobind: the ways a UNIX socket gets a kernel-chosen abstract name ------------------- */
static void autobound(const char *what, int s, int r) {
    if (r != 0) { printf("%s %s\n", what, en(errno)); return; }
    struct sockaddr_un sun;
    socklen_t len = sizeof sun;
    getsockname(s, (struct sockaddr *)&sun, &len);
    printf("%s ok %s\n", what, len > sizeof(sa_family_t) && sun.sun_path[0] == 0 ? "autobound" : "unnamed");
}

static int cmd_unix_autobind(void) {
    /* a peer to send to and connect to */
    int peer = socket(AF_UNIX, SOCK_DGRAM, 0);
    struct sockaddr_un pa = {.sun_family = AF_UNIX};
    snprintf(pa.sun_path + 1, sizeof pa.sun_path - 1, "keeper-peer-%d", getpid());
    socklen_t plen = offsetof(struct sockaddr_un, sun_path) + 1 + strlen(pa.sun_path + 1);
    if (bind(peer, (struct sockaddr *)&pa, plen) != 0) { printf("peer %s\n", en(errno)); return 1; }
    int one = 1;

    int s = socket(AF_UNIX, SOCK_DGRAM, 0);
    struct sockaddr_un fam = {.sun_family = AF_UNIX};
    autobound("bind-family-only", s, bind(s, (struct sockaddr *)&fam, sizeof(sa_family_t)));
    close(s);

    s = socket(AF_UNIX, SOCK_DGRAM, 0);
    setsockopt(s, SOL_SOCKET, SO_PASSCRED, &one, sizeof one);
    autobound("sendto-passcred", s, sendto(s, "x", 1, 0, (struct sockaddr *)&pa, plen) == 1 ? 0 : -1);
    close(s);

    s = socket(AF_UNIX, SOCK_DGRAM, 0);
    setsockopt(s, SOL_SOCKET, SO_PASSCRED, &one, sizeof one);
    autobound("connect-passcred", s, connect(s, (struct sockaddr *)&pa, plen));
    close(s);

    s = socket(AF_UNIX, SOCK_DGRAM, 0);
    autobound("sendto-plain", s, sendto(s, "x", 1, 0, (struct sockaddr *)&pa, plen) == 1 ? 0 : -1);
    close(s);
    return 0;
}

/* ---- pty-run [-stop] LIMIT cmd...: run cmd on a fresh pty, report "status N after Ms" ----------- */
static int cmd_pty_run(int argc, char **argv) {
    int i = 2, stop = 0;
    if (i < argc && !strcmp(argv[i], "-stop")) { stop = 1; i++; }
    if (i + 1 >= argc) return 2;
    double limit = atof(argv[i++]);
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    if (m < 0 || grantpt(m) != 0 || unlockpt(m) != 0) { printf("err pty %s\n", en(errno)); return 1; }
    const char *name = ptsname(m);
    int keep = open(name, O_RDWR | O_NOCTTY); /* the harness's own handle on the terminal */
    if (keep < 0) { printf("err pts %s\n", en(errno)); return 1; }
    if (stop && ioctl(keep, TCXONC, TCOOFF) != 0) { printf("err tcooff %s\n", en(errno)); return 1; }
    double t0 = now();
    pid_t p = fork();
    if (p == 0) {
        /* a minimal login shell: session leader owning the terminal, running the command as a
         * foreground job in its own process group (so the job is not orphaned: job control applies) */
        setsid();
        int s = open(name, O_RDWR); /* becomes the controlling terminal */
        if (s < 0) _exit(126);
        ioctl(s, TIOCSCTTY, 0);
        close(m), close(keep);
        signal(SIGTTOU, SIG_IGN);
        pid_t job = fork();
        if (job == 0) {
            setpgid(0, 0);
            tcsetpgrp(s, getpgrp());
            signal(SIGTTOU, SIG_DFL);
            dup2(s, 0), dup2(s, 1), dup2(s, 2);
            if (s > 2) close(s);
            execvp(argv[i], argv + i);
            _exit(127);
        }
        setpgid(job, job);
        int st;
        waitpid(job, &st, WUNTRACED);
        if (WIFSTOPPED(st)) { /* no fg here: a stopped job is reported as 200 + the stop signal */
            kill(-job, SIGKILL);
            _exit(200 + WSTOPSIG(st));
        }
        _exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
    }
    /* read (and drop) what the command writes, until it ends or the limit passes */
    int status = 0, done = 0;
    while (!done) {
        struct pollfd pfd = {.fd = m, .events = POLLIN};
        poll(&pfd, 1, 50);
        if (pfd.revents & POLLIN) {
            char buf[4096];
            ssize_t n = read(m, buf, sizeof buf);
            if (n > 0) fwrite(buf, 1, n, stdout);
        }
        if (waitpid(p, &status, WNOHANG) == p) done = 1;
        else if (now() - t0 > limit) {
            printf("timeout after %.0fms\n", (now() - t0) * 1000);
            kill(-p, SIGKILL);
            kill(p, SIGKILL);
            waitpid(p, &status, 0);
            ioctl(keep, TCXONC, TCOON);
            return 0;
        }
    }
    ioctl(keep, TCXONC, TCOON);
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    printf("status %d after %.0fms\n", code, (now() - t0) * 1000);
    return 0;
}

/* True when task TID is a thread of process PID (its Tgid), so that a signal never goes astray. */
static int thread_of(int tid, int pid) {
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", tid);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    int tgid = -1;
    while (fgets(line, sizeof line, f)) if (sscanf(line, "Tgid: %d", &tgid) == 1) break;
    fclose(f);
    return tgid == pid;
}

/* SIGQUIT to process PID through F_SETOWN + F_SETSIG + O_ASYNC on a pipe, naming one of its
 * threads (tids PID+1..PID+4096 whose Tgid is PID) as the owner: the kernel signals the owner's
 * whole thread group. */
static int sigquit_by_setown(int pid) {
    for (int tid = pid + 1; tid <= pid + 4096; tid++) {
        if (!thread_of(tid, pid)) continue;
        int p[2];
        if (pipe(p) != 0) return 0;
        int ok = fcntl(p[0], F_SETOWN, tid) == 0 && fcntl(p[0], F_SETSIG, SIGQUIT) == 0 &&
                 fcntl(p[0], F_SETFL, O_ASYNC | O_NONBLOCK) == 0 && write(p[1], "x", 1) == 1;
        close(p[0]), close(p[1]);
        if (ok) return 1;
    }
    return 0;
}

/* ---- attach PID LIB MARKER: the JDK attach mechanism against JVM PID, loading a native agent -----
 * Creates the trigger file, sends SIGQUIT (kill, else F_SETOWN), waits for the JVM's attach
 * socket, asks it to load LIB with MARKER as options; prints the JVM's answer. PID 0: the parent. */
static int cmd_attach(int pid, const char *lib, const char *marker) {
    if (pid == 0) pid = getppid();
    char trigger[64], sock[64];
    snprintf(trigger, sizeof trigger, "/tmp/.attach_pid%d", pid);
    snprintf(sock, sizeof sock, "/tmp/.java_pid%d", pid);
    int t = open(trigger, O_CREAT | O_WRONLY, 0600);
    if (t < 0) { printf("trigger %s\n", en(errno)); return 0; }
    close(t);
    int r = kill(pid, SIGQUIT);
    printf("sigquit %s\n", r == 0 ? "ok" : en(errno));
    if (r != 0) printf("sigquit by setown %s\n", sigquit_by_setown(pid) ? "ok" : en(errno));
    struct stat st;
    double t0 = now();
    while (stat(sock, &st) != 0 && now() - t0 < 15) usleep(20000);
    unlink(trigger);
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    strncpy(sun.sun_path, sock, sizeof sun.sun_path - 1);
    if (connect(s, (struct sockaddr *)&sun, sizeof sun) != 0) { printf("attach %s\n", en(errno)); return 0; }
    /* protocol 1: version, command, three arguments, each NUL-terminated */
    char req[1024];
    int n = 0;
    const char *parts[] = {"1", "load", lib, "true", marker};
    for (int k = 0; k < 5; k++) n += snprintf(req + n, sizeof req - n, "%s", parts[k]) + 1;
    if (write(s, req, n) != n) { printf("attach write %s\n", en(errno)); return 0; }
    char resp[256];
    ssize_t got = read(s, resp, sizeof resp - 1);
    if (got < 0) got = 0;
    resp[got] = 0;
    for (char *c = resp; *c; c++) if (*c == '\n') *c = ' ';
    printf("attach answered %s\n", resp);
    return 0;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 2) return 2;
    const char *c = argv[1];
    if (!strcmp(c, "fds")) return cmd_fds();
    if (!strcmp(c, "read-fd") && argc == 3) return cmd_read_fd(atoi(argv[2]));
    if (!strcmp(c, "write-fds") && argc == 3) return cmd_write_fds(argv[2]);
    if (!strcmp(c, "deny-flood") && argc == 4) return cmd_deny_flood(atol(argv[2]), argv[3]);
    if (!strcmp(c, "tty-ioctls")) return cmd_tty_ioctls();
    if (!strcmp(c, "tcooff-then-deny") && argc == 3) return cmd_tcooff_then_deny(argv[2]);
    if (!strcmp(c, "tcooff-then-write")) return cmd_tcooff_then_write();
    if (!strcmp(c, "sigttou-then-deny") && argc == 3) return cmd_sigttou_then_deny(argv[2]);
    if (!strcmp(c, "sigttou-native")) return cmd_sigttou_native();
    if (!strcmp(c, "listen-unbound") && argc == 3) return cmd_listen_unbound(atoi(argv[2]));
    if (!strcmp(c, "unix-autobind")) return cmd_unix_autobind();
    if (!strcmp(c, "pty-run")) return cmd_pty_run(argc, argv);
    if (!strcmp(c, "attach") && argc == 5) return cmd_attach(atoi(argv[2]), argv[3], argv[4]);
    printf("unknown command\n");
    return 2;
}
