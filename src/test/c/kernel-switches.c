/*
 * Calls that only a kernel-side protection refuses (the filter or MDWE), each relaxed by a
 * trace/allow_unsafe_* switch. Usage: kernel-switches OP... with OP one of
 *   wx-mmap      mmap anonymous memory readable, writable and executable (W^X)
 *   wx-gain      mmap read-write, then mprotect it to read-exec (memory gaining exec, W^X)
 *   personality  personality(PER_LINUX | ADDR_NO_RANDOMIZE) (setarch -R)
 *   uring        io_uring_setup (refused row: io_uring)
 *   keyring      keyctl(KEYCTL_GET_KEYRING_ID, session keyring) (refused row: keyring)
 * Prints "OP ok" or "OP: ERRNO-NAME" for each; exits 0 when all succeeded, else 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <unistd.h>

static int run(const char *op) {
    if (!strcmp(op, "wx-mmap")) {
        void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        return p == MAP_FAILED ? -1 : 0;
    }
    if (!strcmp(op, "wx-gain")) {
        unsigned char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) return -1;
        p[0] = 0xc3; /* ret */
        if (mprotect(p, 4096, PROT_READ | PROT_EXEC) != 0) return -1;
        ((void (*)(void)) p)();
        return 0;
    }
    if (!strcmp(op, "personality")) {
        return personality(PER_LINUX | ADDR_NO_RANDOMIZE) < 0 ? -1 : 0;
    }
    if (!strcmp(op, "uring")) {
        unsigned char params[120];
        memset(params, 0, sizeof params);
        long fd = syscall(425 /* io_uring_setup */, 1, params);
        if (fd < 0) return -1;
        close((int) fd);
        return 0;
    }
    if (!strcmp(op, "keyring")) {
        return syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* KEY_SPEC_SESSION_KEYRING */, 1) < 0 ? -1 : 0;
    }
    errno = EINVAL;
    return -1;
}

int main(int argc, char **argv) {
    int failed = 0;
    for (int i = 1; i < argc; i++) {
        if (run(argv[i]) == 0) {
            printf("%s ok\n", argv[i]);
        } else {
            printf("%s: %s\n", argv[i], strerrorname_np(errno));
            failed = 1;
        }
    }
    return failed;
}
