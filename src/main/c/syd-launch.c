/*
 * syd-launch: the pre-exec launcher of jsyd. The only C in the product.
 *
 * Why it exists: a JVM cannot run Java code between fork and exec, so the few steps that must
 * happen inside the new process before the sandboxed program runs are done here. Every
 * decision is made in Java; this program only carries out what it is told, in this order:
 *
 *   0. argv is the program's own argv; the control socket's fd number and the file to execute
 *      come in JSYD_LAUNCH_FD and JSYD_LAUNCH_FILE, which are removed from the environment;
 *   1. read the launch message from the control socket:
 *        u32 magic 'JSYD', u32 expected parent pid, u32 flags, u32 filter length in bytes,
 *        then the BPF program (struct sock_filter[]) built by Java;
 *   2. PR_SET_PDEATHSIG(SIGKILL), then check the parent is still the supervisor (no race with
 *      its death), unblock all signals, mark the control socket close-on-exec;
 *   2b. hardening asked for in "flags" (docs/ESCAPES.md): NO_CORE (4) RLIMIT_CORE 0;
 *      DROP_CAPS (2) drop every capability but KEEP_CAPS from the bounding set (ignored without
 *      CAP_SETPCAP: then there is nothing to drop), clear the ambient and inheritable sets, so the
 *      program starts without them even as root; MDWE (1) PR_SET_MDWE(REFUSE_EXEC_GAIN), inherited
 *      across fork and exec (skipped where the kernel does not know it: EINVAL);
 *   3. PR_SET_NO_NEW_PRIVS; SCOPE (8): enter a Landlock domain that handles no file or network
 *      access but scopes signals (ABI 6): from here on no signal (SIGIO included) and no
 *      ptrace-mode access (pidfd_getfd, /proc/PID/fd, mem, process_vm_*) reaches a process outside
 *      the sandbox; then install the filter with
 *      SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
 *   4. send "L" + the listener's fd number with write(2) (always allowed in the kernel; a
 *      sendmsg(SCM_RIGHTS) could be notified and would deadlock) — the supervisor takes the
 *      listener with pidfd_getfd(2) — then wait for a one-byte acknowledgement;
 *   5. close its own copy of the listener and execvpe(JSYD_LAUNCH_FILE, argv, environ). The exec is
 *      already under the filter, so the first program is checked too. If it fails, send
 *      "E" + errno and exit 127; if it succeeds the control socket closes (close-on-exec), which
 *      the supervisor reads as end of file.
 *
 * Any failure before the exec is reported as "F" + errno + step, then exit 127.
 * Only async-signal-safe, allocation-free calls; no stdio.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

#ifndef PR_SET_MDWE
#define PR_SET_MDWE 65
#endif
#ifndef PR_MDWE_REFUSE_EXEC_GAIN
#define PR_MDWE_REFUSE_EXEC_GAIN 1
#endif

#define MAGIC 0x4459534aU /* "JSYD" little-endian */
#define FLAG_MDWE 1U
#define FLAG_DROP_CAPS 2U
#define FLAG_NO_CORE 4U
#define FLAG_SCOPE 8U

/* Landlock (linux/landlock.h of Linux 6.12; older headers lack "scoped"). */
struct scope_ruleset_attr {
    uint64_t handled_access_fs, handled_access_net, scoped;
};
#define LANDLOCK_SCOPE_SIGNAL (1ULL << 1)
#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset 444
#define SYS_landlock_restrict_self 446
#endif

/* Capabilities the program keeps (when it has them at all): ordinary root file work, signals,
 * set*id and low ports. Everything else (SYS_ADMIN, SYS_PTRACE, SYS_MODULE, NET_ADMIN, NET_RAW,
 * MKNOD, SETPCAP, SYS_RAWIO, BPF, PERFMON, ...) leaves the bounding set. */
#define KEEP_CAPS ((1ULL << CAP_CHOWN) | (1ULL << CAP_DAC_OVERRIDE) | (1ULL << CAP_DAC_READ_SEARCH) | \
                   (1ULL << CAP_FOWNER) | (1ULL << CAP_FSETID) | (1ULL << CAP_KILL) | (1ULL << CAP_SETGID) | \
                   (1ULL << CAP_SETUID) | (1ULL << CAP_NET_BIND_SERVICE))

static int drop_caps(void) {
    for (int cap = 0; cap < 64; cap++) {
        if (KEEP_CAPS & (1ULL << cap)) continue;
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) {
            if (errno == EINVAL) break; /* past the last capability this kernel knows */
            if (errno != EPERM) return -1;
        }
    }
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) return -1;
    struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct data[2];
    if (syscall(SYS_capget, &hdr, data) != 0) return -1;
    data[0].inheritable = 0;
    data[1].inheritable = 0;
    if (syscall(SYS_capset, &hdr, data) != 0) return -1;
    return 0;
}
#define MAX_INSNS 4096

extern char **environ;

static int ctl = -1;

static int read_full(int fd, void *buf, size_t len) {
    char *p = buf;
    while (len > 0) {
        ssize_t n = read(fd, p, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static void report(char tag, int err, int step) {
    uint32_t msg[3] = {(uint32_t)tag, (uint32_t)err, (uint32_t)step};
    ssize_t ignored = write(ctl, msg, sizeof msg);
    (void)ignored;
}

static void fail(int step) {
    report('F', errno, step);
    _exit(127);
}

static struct sock_filter insns[MAX_INSNS];

int main(int argc, char **argv) {
    if (argc < 1 || argv[0] == NULL) _exit(127);
    const char *fdvar = getenv("JSYD_LAUNCH_FD");
    const char *filevar = getenv("JSYD_LAUNCH_FILE");
    if (fdvar == NULL || filevar == NULL) _exit(127);
    ctl = atoi(fdvar);
    /* keep the file name: unsetenv only removes the pointer from environ, the string stays */
    const char *file = filevar;
    unsetenv("JSYD_LAUNCH_FD");
    unsetenv("JSYD_LAUNCH_FILE");

    uint32_t head[4];
    if (read_full(ctl, head, sizeof head) != 0 || head[0] != MAGIC) _exit(127);
    uint32_t len = head[3];
    if (len == 0 || len % sizeof(struct sock_filter) != 0 || len > sizeof insns) fail(1);
    if (read_full(ctl, insns, len) != 0) fail(1);

    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) fail(2);
    if ((uint32_t)getppid() != head[1]) _exit(127); /* the supervisor is already gone */
    sigset_t none;
    sigemptyset(&none);
    if (sigprocmask(SIG_SETMASK, &none, NULL) != 0) fail(3);
    if (fcntl(ctl, F_SETFD, FD_CLOEXEC) != 0) fail(4);

    uint32_t flags = head[2];
    if (flags & FLAG_NO_CORE) {
        struct rlimit none = {0, 0};
        if (setrlimit(RLIMIT_CORE, &none) != 0) fail(7);
    }
    if ((flags & FLAG_DROP_CAPS) && drop_caps() != 0) fail(8);
    if ((flags & FLAG_MDWE) && prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0) != 0 && errno != EINVAL) fail(9);

    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail(5);
    if (flags & FLAG_SCOPE) {
        struct scope_ruleset_attr attr = {0, 0, LANDLOCK_SCOPE_SIGNAL};
        long rs = syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0);
        if (rs < 0 || syscall(SYS_landlock_restrict_self, rs, 0) != 0) fail(10);
        close((int)rs);
    }
    struct sock_fprog prog = {.len = (unsigned short)(len / sizeof(struct sock_filter)), .filter = insns};
    long listener = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
                            SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, &prog);
    if (listener < 0) fail(6);

    /* From here on every syscall is filtered: only write, read, close, execve, exit_group. */
    report('L', (int)listener, 0);
    char ack;
    if (read_full(ctl, &ack, 1) != 0) _exit(127);
    close((int)listener);

    execvpe(file, argv, environ);
    report('E', errno, 0);
    _exit(127);
}
