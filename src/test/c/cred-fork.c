/*
 * Credentials of new tasks, for the supervisor's kept credentials (Identities): each child makes
 * one notified call, open(FILE), right away, and exits with 0 when it opened the file or with the
 * errno. The parent prints what its children got, one word per group of children:
 * "ok", an errno name, or "mixed:OK/FAILED" when children of one group differ.
 *
 *   cred-fork setuid FILE      root: children forked before a setresuid to nobody (they wait
 *                              until it is done), then children forked after it
 *   cred-fork thread FILE      one thread becomes nobody alone (raw setresuid: per thread) and
 *                              forks, while the main thread, still root, forks too
 *   cred-fork capset FILE      root drops CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH (effective),
 *                              then forks; FILE is one root may open only with them
 *   cred-fork groups FILE GID  root: setgroups(GID) then nobody (uid and gid), then children
 *   cred-fork child FILE       root: children that become nobody themselves at once (raw
 *                              setresuid) before their open
 *   cred-fork exec FILE PROG   becomes nobody, then runs PROG open FILE (a setuid-root or
 *                              file-capability copy of this probe): prints PROG's line
 *   cred-fork capexec FILE PROG  root drops CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH (effective),
 *                              then runs PROG open FILE: root's exec gives them back
 *   cred-fork open FILE        prints "euid=N ok" or "euid=N ERRNO" for open(FILE)
 *
 * Before each fork the forking thread makes a notified call (open "/"), so that under syd its
 * credentials are kept when it forks.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>

#define CHILDREN 40

static const char *file;

static const char *name(int e) {
    switch (e) {
    case 0: return "ok";
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    default: return strerror(e);
    }
}

static int try_open(void) {
    int fd = open(file, O_RDONLY);
    if (fd < 0) return errno;
    close(fd);
    return 0;
}

static void touch_root(void) {
    int fd = open("/", O_RDONLY | O_DIRECTORY);
    if (fd >= 0) close(fd);
}

/* Forks one child that opens the file at once (after reading a byte from `gate` when >= 0). */
static pid_t child(int gate) {
    touch_root();
    pid_t p = fork();
    if (p == 0) {
        char c;
        if (gate >= 0 && read(gate, &c, 1) != 1) _exit(99);
        _exit(try_open());
    }
    return p;
}

/* Waits for the children and returns one word for them. */
static void report(const char *label, pid_t *kids, int n, char *out, size_t len) {
    int okc = 0, bad = 0, err = 0;
    for (int i = 0; i < n; i++) {
        int st;
        if (waitpid(kids[i], &st, 0) < 0 || !WIFEXITED(st)) { bad++; continue; }
        if (WEXITSTATUS(st) == 0) okc++; else { bad++; err = WEXITSTATUS(st); }
    }
    char word[64];
    if (bad == 0) snprintf(word, sizeof word, "ok");
    else if (okc == 0) snprintf(word, sizeof word, "%s", name(err));
    else snprintf(word, sizeof word, "mixed:%d/%d", okc, bad);
    size_t used = strlen(out);
    snprintf(out + used, len - used, "%s%s %s", used ? " " : "", label, word);
}

/* Waits for two groups of children and prints one line for both. */
static int print_two(const char *a, pid_t *ka, const char *b, pid_t *kb) {
    char out[256] = "";
    report(a, ka, CHILDREN, out, sizeof out);
    report(b, kb, CHILDREN, out, sizeof out);
    printf("%s\n", out);
    return 0;
}

static int become_nobody_with(gid_t g) {
    if (setgroups(1, &g) || setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534)) {
        printf("setid failed: %s\n", strerror(errno));
        return -1;
    }
    return 0;
}

static int become_nobody_all(void) { return become_nobody_with(65534); }


static int mode_setuid(void) {
    pid_t before[CHILDREN], after[CHILDREN];
    int gate[2];
    if (pipe(gate)) return 2;
    for (int i = 0; i < CHILDREN; i++) before[i] = child(gate[0]);
    if (become_nobody_all()) return 2;
    char ones[CHILDREN];
    memset(ones, 1, sizeof ones);
    if (write(gate[1], ones, sizeof ones) != sizeof ones) return 2;
    for (int i = 0; i < CHILDREN; i++) after[i] = child(-1);
    return print_two("before", before, "after", after);
}

static pid_t thread_kids[CHILDREN];
static int thread_err;

static void *nobody_thread(void *arg) {
    (void)arg;
    /* Raw calls: only this thread changes (glibc's setresuid would change every thread). */
    if (syscall(SYS_setresgid, 65534, 65534, 65534) || syscall(SYS_setresuid, 65534, 65534, 65534)) {
        thread_err = errno;
        return NULL;
    }
    for (int i = 0; i < CHILDREN; i++) thread_kids[i] = child(-1);
    return NULL;
}

static int mode_thread(void) {
    pid_t mine[CHILDREN];
    pthread_t t;
    if (pthread_create(&t, NULL, nobody_thread, NULL)) return 2;
    for (int i = 0; i < CHILDREN; i++) mine[i] = child(-1);
    pthread_join(t, NULL);
    if (thread_err) {
        printf("thread setid failed: %s\n", strerror(thread_err));
        return 2;
    }
    return print_two("main", mine, "thread", thread_kids);
}

static int mode_groups(gid_t g) {
    if (become_nobody_with(g)) return 2;
    pid_t kids[CHILDREN];
    for (int i = 0; i < CHILDREN; i++) kids[i] = child(-1);
    char out[256] = "";
    report("children", kids, CHILDREN, out, sizeof out);
    printf("%s\n", out);
    return 0;
}

static int mode_child(void) {
    pid_t kids[CHILDREN];
    for (int i = 0; i < CHILDREN; i++) {
        touch_root();
        kids[i] = fork();
        if (kids[i] == 0) {
            if (syscall(SYS_setresgid, 65534, 65534, 65534) || syscall(SYS_setresuid, 65534, 65534, 65534)) _exit(98);
            _exit(try_open());
        }
    }
    char out[256] = "";
    report("children", kids, CHILDREN, out, sizeof out);
    printf("%s\n", out);
    return 0;
}

static int drop_dac(void) {
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];
    if (syscall(SYS_capget, &h, d)) return -1;
    d[0].effective &= ~((1u << CAP_DAC_OVERRIDE) | (1u << CAP_DAC_READ_SEARCH));
    if (syscall(SYS_capset, &h, d)) {
        printf("capset failed: %s\n", strerror(errno));
        return -1;
    }
    return 0;
}

static int mode_capset(void) {
    pid_t before[CHILDREN], after[CHILDREN];
    for (int i = 0; i < CHILDREN; i++) before[i] = child(-1);
    if (drop_dac()) return 2;
    for (int i = 0; i < CHILDREN; i++) after[i] = child(-1);
    return print_two("before", before, "after", after);
}

static int mode_exec(const char *prog) {
    touch_root();
    if (become_nobody_all()) return 2;
    touch_root(); /* kept as nobody under syd */
    fflush(stdout);
    execl(prog, prog, "open", file, (char *)NULL);
    printf("exec failed: %s\n", strerror(errno));
    return 2;
}

static int mode_capexec(const char *prog) {
    touch_root();
    if (drop_dac()) return 2;
    printf("dropped %s\n", name(try_open())); /* kept without the capabilities under syd */
    execl(prog, prog, "open", file, (char *)NULL);
    printf("exec failed: %s\n", strerror(errno));
    return 2;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc < 3) {
        fprintf(stderr, "usage: cred-fork MODE FILE [PROG]\n");
        return 2;
    }
    file = argv[2];
    if (!strcmp(argv[1], "setuid")) return mode_setuid();
    if (!strcmp(argv[1], "thread")) return mode_thread();
    if (!strcmp(argv[1], "capset")) return mode_capset();
    if (!strcmp(argv[1], "child")) return mode_child();
    if (!strcmp(argv[1], "groups") && argc > 3) return mode_groups((gid_t)atol(argv[3]));
    if (!strcmp(argv[1], "exec") && argc > 3) return mode_exec(argv[3]);
    if (!strcmp(argv[1], "capexec") && argc > 3) return mode_capexec(argv[3]);
    if (!strcmp(argv[1], "open")) {
        printf("euid=%d %s\n", (int)geteuid(), name(try_open()));
        return 0;
    }
    fprintf(stderr, "unknown mode %s\n", argv[1]);
    return 2;
}
