/* Test actor for isolation: "set V" stores V in a global and holds it while sleeping;
   "show" prints the same global (same address, another actor): it must be untouched. */
#include <reprise/sys.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile long isolate_value = 7;

int main(int argc, char **argv)
{
    if (argc > 2 && !strcmp(argv[1], "set")) {
        isolate_value = atol(argv[2]);
        printf("isolate: set %ld at %p\n", isolate_value, (void *)&isolate_value);
        sys_call1(SYS_DELAY, 200000);
        printf("isolate: still %ld\n", isolate_value);
        return 0;
    }
    printf("isolate: show %ld at %p\n", isolate_value, (void *)&isolate_value);
    return 0;
}
