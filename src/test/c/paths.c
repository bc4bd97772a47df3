/* paths SUBCOMMAND DIR ...: path resolution at the kernel's limits, one result line each.
 *   chain DIR N          N symlinks l1 -> l2 -> ... -> lN -> file, then open DIR/l1 (40 follow, 41 is ELOOP)
 *   namelen DIR LEN      create DIR/<LEN bytes> (255 is the longest name, 256 is ENAMETOOLONG)
 *   pathlen DIR LEN      open a path of exactly LEN bytes made of "./" runs (4095 is the longest, 4096 ENAMETOOLONG)
 *   amplify DIR LINKS REPEAT OPENS
 *                        LINKS symlinks whose targets are REPEAT "d/.." components then the next link,
 *                        the last pointing to "file"; opens DIR/s0 OPENS times (the resolver's bound) */
#define _GNU_SOURCE
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

static char path[65536];

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: paths chain|namelen|pathlen|amplify DIR ...\n"); return 2; }
    const char *cmd = argv[1], *dir = argv[2];
    if (!strcmp(cmd, "chain")) {
        int n = atoi(argv[3]);
        snprintf(path, sizeof path, "%s/file", dir);
        close(open(path, O_CREAT | O_WRONLY, 0644));
        for (int i = n; i >= 1; i--) {
            char link[4096], target[64];
            snprintf(link, sizeof link, "%s/l%d", dir, i);
            if (i == n) snprintf(target, sizeof target, "file"); else snprintf(target, sizeof target, "l%d", i + 1);
            unlink(link);
            if (symlink(target, link) != 0) { perror("symlink"); return 2; }
        }
        snprintf(path, sizeof path, "%s/l1", dir);
        int fd = open(path, O_RDONLY);
        printf("chain %d: ", n);
        result("open", fd >= 0);
        return 0;
    }
    if (!strcmp(cmd, "namelen")) {
        int len = atoi(argv[3]);
        int n = snprintf(path, sizeof path, "%s/", dir);
        memset(path + n, 'n', len);
        path[n + len] = 0;
        int fd = open(path, O_CREAT | O_WRONLY, 0644);
        printf("name of %d bytes: ", len);
        result("create", fd >= 0);
        if (fd >= 0) unlink(path);
        return 0;
    }
    if (!strcmp(cmd, "pathlen")) {
        int len = atoi(argv[3]);
        snprintf(path, sizeof path, "%s/file", dir);
        close(open(path, O_CREAT | O_WRONLY, 0644));
        if (chdir(dir) != 0) { perror("chdir"); return 2; }
        /* "././.../file" of exactly len bytes (len - 4 must be even) */
        int pre = len - 4;
        for (int i = 0; i < pre; i += 2) memcpy(path + i, "./", 2);
        memcpy(path + pre, "file", 5);
        int fd = open(path, O_RDONLY);
        printf("path of %d bytes: ", len);
        result("open", fd >= 0);
        return 0;
    }
    if (!strcmp(cmd, "amplify")) {
        int links = atoi(argv[3]), repeat = atoi(argv[4]), opens = argc > 5 ? atoi(argv[5]) : 1;
        snprintf(path, sizeof path, "%s/d", dir);
        mkdir(path, 0755);
        snprintf(path, sizeof path, "%s/file", dir);
        close(open(path, O_CREAT | O_WRONLY, 0644));
        for (int i = 0; i < links; i++) {
            char target[8192];
            int n = 0;
            for (int k = 0; k < repeat; k++) n += snprintf(target + n, sizeof target - n, "d/../");
            if (i + 1 < links) snprintf(target + n, sizeof target - n, "s%d", i + 1);
            else snprintf(target + n, sizeof target - n, "file");
            snprintf(path, sizeof path, "%s/s%d", dir, i);
            unlink(path);
            if (symlink(target, path) != 0) { perror("symlink"); return 2; }
        }
        snprintf(path, sizeof path, "%s/s0", dir);
        int ok = 0;
        for (int i = 0; i < opens; i++) {
            int fd = open(path, O_RDONLY);
            if (fd >= 0) { ok++; close(fd); } else if (i == 0) { printf("amplify: "); result("open", 0); return 0; }
        }
        printf("amplify %d links x %d: opened %d/%d\n", links, repeat, ok, opens);
        return 0;
    }
    return 2;
}
