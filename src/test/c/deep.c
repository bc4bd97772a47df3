/* deep DIR LEVELS: walks LEVELS directories of 200-byte names below DIR with *at calls relative
 * to a directory fd (the whole path grows far past PATH_MAX, which only paths passed in one string
 * are limited to), makes and inspects files at the bottom (create, write, fstat, fstatat,
 * listing, rename, a denied-or-not "secret" open, fchdir and a cwd-relative open), then removes
 * everything. One line per step; exits 0 when the walk itself succeeded. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void result(const char *label, int ok) {
    if (ok) printf("%s ok\n", label);
    else printf("%s %s\n", label, strerrorname_np(errno));
}

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: deep DIR LEVELS\n"); return 2; }
    int levels = atoi(argv[2]);
    char name[201];
    memset(name, 'd', 200);
    name[200] = 0;
    int fd = open(argv[1], O_RDONLY | O_DIRECTORY);
    if (fd < 0) { perror("open DIR"); return 2; }
    size_t total = strlen(argv[1]);
    for (int i = 0; i < levels; i++) {
        name[0] = 'a' + i % 26;
        if (mkdirat(fd, name, 0755) != 0) { printf("mkdirat level %d (%zu bytes) %s\n", i, total, strerrorname_np(errno)); return 1; }
        int next = openat(fd, name, O_RDONLY | O_DIRECTORY);
        if (next < 0) { printf("openat level %d (%zu bytes) %s\n", i, total, strerrorname_np(errno)); return 1; }
        close(fd);
        fd = next;
        total += 201;
    }
    printf("walked %d levels, %zu bytes\n", levels, total);
    int f = openat(fd, "file", O_CREAT | O_WRONLY | O_TRUNC, 0644);
    result("create", f >= 0);
    if (f >= 0) {
        result("write", write(f, "hello", 5) == 5);
        struct stat st;
        if (fstat(f, &st) == 0) printf("fstat ok %lld\n", (long long) st.st_size); else result("fstat", 0);
        result("fchmod", fchmod(f, 0600) == 0);
        close(f);
    }
    struct stat st;
    if (fstatat(fd, "file", &st, 0) == 0) printf("fstatat ok %o\n", st.st_mode & 0777); else result("fstatat", 0);
    int sec = openat(fd, "secret", O_CREAT | O_WRONLY, 0644);
    if (sec >= 0) close(sec);
    sec = openat(fd, "secret", O_RDONLY);
    result("open secret", sec >= 0);
    if (sec >= 0) close(sec);
    int d2 = dup(fd);
    lseek(d2, 0, SEEK_SET);
    DIR *d = fdopendir(d2);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d))) if (e->d_name[0] != '.') n++;
    if (d) closedir(d);
    printf("listed %d\n", n);
    result("renameat", renameat(fd, "file", fd, "file2") == 0);
    result("fchdir", fchdir(fd) == 0);
    int c = open("cwd-file", O_CREAT | O_WRONLY, 0644);
    result("open cwd-relative", c >= 0);
    if (c >= 0) close(c);
    result("unlink cwd-relative", unlink("cwd-file") == 0);
    result("unlinkat", unlinkat(fd, "file2", 0) == 0 && unlinkat(fd, "secret", 0) == 0);
    int removed = 0;
    for (int i = levels - 1; i >= 0; i--) {
        int parent = openat(fd, "..", O_RDONLY | O_DIRECTORY);
        name[0] = 'a' + i % 26;
        if (parent < 0 || unlinkat(parent, name, AT_REMOVEDIR) != 0) break;
        close(fd);
        fd = parent;
        removed++;
    }
    printf("removed %d levels\n", removed);
    return 0;
}
