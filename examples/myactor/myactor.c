/* myactor: an example actor kept outside the tree's apps/, built and packed into the default
 * system image with `make EXTRA_APPS=examples/myactor SYSADM=examples/myactor/sysadm.ini run`
 * (the README's "Write your own actor" walks through it).
 *
 * Usage: myactor [NAME [COUNT]]. Greets NAME (default "world") COUNT times (default 1), a
 * tenth of a second apart, from a greeting built in a malloc'd buffer, then exits with
 * status COUNT so that the kernel's "exited with status" line shows it. Started with
 * `arun -g GID`, it is restartable: HR_EXIT_HDL() makes its end a clean one. */
#include <chorus.h>
#include <hr/hr.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    const char *who = argc > 1 ? argv[1] : "world";
    int count = argc > 2 ? atoi(argv[2]) : 1;
    KnTimeVal pause = { .tmSec = 0, .tmNSec = 100000000 };   /* 0.1 s */

    printf("myactor: aid %d, %d argument%s\n", agetId(), argc, argc == 1 ? "" : "s");
    char *greeting = malloc(strlen(who) + 16);
    if (!greeting) {
        printf("myactor: out of memory\n");
        return 1;
    }
    sprintf(greeting, "hello, %s!", who);
    for (int i = 1; i <= count; i++) {
        printf("myactor: %s (%d of %d)\n", greeting, i, count);
        threadDelay(&pause);
    }
    free(greeting);
    printf("myactor: done, exit %d\n", count);
    HR_EXIT_HDL();      /* a clean end: HR does not restart the group for this exit */
    return count;
}
