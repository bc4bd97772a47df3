/* A JVM TI agent for KeeperEscapeIT: loaded through the attach mechanism, it runs inside the JVM
 * (the supervisor) and writes "INJECTED <pid>" to the file named by its options. */
#include <stdio.h>
#include <unistd.h>

int Agent_OnAttach(void *vm, char *options, void *reserved) {
    (void)vm;
    (void)reserved;
    FILE *f = fopen(options, "w");
    if (f) {
        fprintf(f, "INJECTED %d\n", (int)getpid());
        fclose(f);
    }
    return 0;
}
