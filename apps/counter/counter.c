/* Demo: a counter that keeps counting across restarts. Its count lives in a persistent
   block of its restart group, so a site restart (`restart` on the console) or a crash
   does not lose it. Usage: arun -g GID counter [interval-ms] [limit] */
#include <hr/hr.h>
#include <stdio.h>
#include <stdlib.h>

struct counter_state {
    unsigned long count;
    unsigned long starts;
};

int main(int argc, char **argv)
{
    PmmName name;
    struct counter_state *st;
    long interval_ms = argc > 1 ? atol(argv[1]) : 2000;
    unsigned long limit = argc > 2 ? strtoul(argv[2], NULL, 0) : 0;
    KnTimeVal delay = { interval_ms / 1000, (interval_ms % 1000) * 1000000 };

    bzero(&name, sizeof(name));
    strcpy(name.medium, "RAM");
    strcpy(name.name, "COUNTER");
    int res = pmmAllocate((VmAddr *)&st, &name, sizeof(*st), HR_GROUP_KEY, HR_GROUP_KEYSIZE);
    if (res != K_OK) {
        printf("counter: cannot get its block: %d\n", res);
        HR_EXIT_HDL();
        exit(1);
    }
    st->starts++;
    if (st->starts == 1)
        printf("counter: starting at 0\n");
    else
        printf("counter: resumed at %lu (start %lu)\n", st->count, st->starts);
    while (!limit || st->count < limit) {
        threadDelay(&delay);
        st->count++;
        printf("counter: %lu\n", st->count);
    }
    printf("counter: reached %lu, done\n", st->count);
    HR_EXIT_HDL();
    return 0;
}
