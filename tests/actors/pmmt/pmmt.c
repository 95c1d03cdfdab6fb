/* PMM test actor: one operation per run, from argv, printing results scenarios can match.
     set NAME SIZE KEY VALUE   allocate or retrieve, store VALUE in the first word
     get NAME SIZE KEY         allocate or retrieve, print the first word
     free NAME                 pmmFree
     freeall KEY               pmmFreeAll */
#include <pmm/chPmm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void pmmt_name(PmmName *n, const char *name)
{
    memset(n, 0, sizeof(*n));
    strcpy(n->medium, "RAM");
    strncpy(n->name, name, sizeof(n->name) - 1);
}

int main(int argc, char **argv)
{
    PmmName name;
    VmAddr addr = 0;
    if (argc >= 5 && (!strcmp(argv[1], "set") || !strcmp(argv[1], "get"))) {
        pmmt_name(&name, argv[2]);
        int res = pmmAllocate(&addr, &name, (size_t)atol(argv[3]), argv[4], strlen(argv[4]) + 1);
        if (res != K_OK) {
            printf("pmmt: %s %s: error %d\n", argv[1], argv[2], res);
            return 1;
        }
        volatile unsigned long *p = (volatile unsigned long *)addr;
        if (!strcmp(argv[1], "set") && argc >= 6)
            *p = strtoul(argv[5], NULL, 0);
        printf("pmmt: %s %s at 0x%08lx = %lu\n", argv[1], argv[2], (unsigned long)addr, *p);
        return 0;
    }
    if (argc >= 3 && !strcmp(argv[1], "free")) {
        pmmt_name(&name, argv[2]);
        printf("pmmt: free %s: %d\n", argv[2], pmmFree(&name));
        return 0;
    }
    if (argc >= 3 && !strcmp(argv[1], "freeall")) {
        printf("pmmt: freeall %s: %d\n", argv[2], pmmFreeAll(argv[2], strlen(argv[2]) + 1));
        return 0;
    }
    printf("pmmt: usage: set NAME SIZE KEY VALUE | get NAME SIZE KEY | free NAME | freeall KEY\n");
    return 2;
}
