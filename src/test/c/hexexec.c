/* hexexec [-e HEX]... -- FILEHEX [ARGHEX]...: executes exactly the given bytes, hex-encoded so a
 * test can pass any byte (invalid UTF-8, newlines) whatever its own locale: the file, the argv
 * (argv[0] is the file) and the complete environment (only the -e entries). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *unhex(const char *h) {
    size_t n = strlen(h) / 2;
    char *s = malloc(n + 1);
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        if (sscanf(h + 2 * i, "%2x", &v) != 1) { fprintf(stderr, "hexexec: bad hex %s\n", h); exit(2); }
        s[i] = (char) v;
    }
    s[n] = 0;
    return s;
}

int main(int argc, char **argv) {
    char **env = calloc(argc + 1, sizeof *env), **args = calloc(argc + 1, sizeof *args);
    int ne = 0, na = 0, i = 1;
    for (; i < argc && strcmp(argv[i], "--"); i++) {
        if (!strcmp(argv[i], "-e") && i + 1 < argc) env[ne++] = unhex(argv[++i]);
    }
    for (i++; i < argc; i++) args[na++] = unhex(argv[i]);
    if (na == 0) { fprintf(stderr, "usage: hexexec [-e HEX]... -- FILEHEX [ARGHEX]...\n"); return 2; }
    execve(args[0], args, env);
    perror("hexexec: execve");
    return 127;
}
