/* bytes-probe DIR NAME: what a program sees and does with the name NAME (any bytes) under DIR,
 * one line per step, names in hex so any byte shows: its argv and the environment variable
 * JSYD_NAME, create/stat/rename/list of DIR/NAME, a UNIX socket bound at DIR/s/NAME (when the
 * path fits in sun_path), and opening DIR/deny/NAME (which a test's rule may deny). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static void hex(const char *label, const char *s) {
    printf("%s ", label);
    for (const unsigned char *p = (const unsigned char *) s; *p; p++) printf("%02x", *p);
    printf("\n");
}

static void result(const char *label, int ok) {
    if (ok) printf("%s ok\n", label);
    else printf("%s %s\n", label, strerrorname_np(errno));
}

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: bytes-probe DIR NAME\n"); return 2; }
    const char *dir = argv[1], *name = argv[2];
    char path[8192], sub[8192], deny[8192];
    hex("argv", name);
    const char *env = getenv("JSYD_NAME");
    if (env) hex("env", env); else printf("env unset\n");
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(sub, sizeof sub, "%s/sub/%s", dir, name);
    snprintf(deny, sizeof deny, "%s/deny/%s", dir, name);
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    result("create", fd >= 0);
    if (fd >= 0) { result("write", write(fd, "abc", 3) == 3); close(fd); }
    struct stat st;
    int r = stat(path, &st);
    if (r == 0) printf("stat ok %lld\n", (long long) st.st_size); else result("stat", 0);
    char subdir[8192];
    snprintf(subdir, sizeof subdir, "%s/sub", dir);
    mkdir(subdir, 0755);
    result("rename", rename(path, sub) == 0);
    DIR *d = opendir(subdir);
    if (!d) result("list", 0);
    else {
        struct dirent *e;
        while ((e = readdir(d))) if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) hex("list", e->d_name);
        closedir(d);
    }
    char sdir[8192], spath[16384];
    snprintf(sdir, sizeof sdir, "%s/s", dir);
    mkdir(sdir, 0755);
    snprintf(spath, sizeof spath, "%s/%s", sdir, name);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(spath) >= sizeof sa.sun_path) printf("socket long\n");
    else {
        strcpy(sa.sun_path, spath);
        int s = socket(AF_UNIX, SOCK_STREAM, 0);
        result("bind", bind(s, (struct sockaddr *) &sa, sizeof sa) == 0);
        struct stat ss;
        result("socket-stat", stat(spath, &ss) == 0 && S_ISSOCK(ss.st_mode));
        close(s);
        unlink(spath);
    }
    fd = open(deny, O_RDONLY);
    result("open-deny", fd >= 0);
    if (fd >= 0) close(fd);
    return 0;
}
