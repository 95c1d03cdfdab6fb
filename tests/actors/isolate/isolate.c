/* Test actor for isolation between address spaces. Every instance has the same global at
   the same virtual address:
     set V             stores V there, then waits on a port of its own until "show" calls it,
                       and prints the global again: still V, whatever the other one wrote;
     show [PORT AID]   prints the global (the image's 7, not V), writes 99 into it, tries to
                       reach actor AID's memory through the kernel (rgnAllocate, rgnFree in
                       it: K_EPRIV), then calls PORT so that "set" looks again. */
#include <chorus.h>
#include <reprise/sys.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile long isolate_value = 7;

/* "set V": holds V until a message on its port, then says what it holds. */
static int isolate_set(long v)
{
    int port = (int)sys_call1(SYS_PORT_CREATE, 0);
    isolate_value = v;
    printf("isolate: set %ld at %p, port %d\n", isolate_value, (void *)&isolate_value, port);
    if (port < 0)
        return 1;
    struct sys_ipc_ret m = sys_ipc_recv(port, NULL);
    printf("isolate: still %ld at %p\n", isolate_value, (void *)&isolate_value);
    sys_ipc_reply(m.r5, (uint32_t)isolate_value, 0, 0, 0, NULL);
    return 0;
}

/* "show [PORT AID]": reads and writes its own copy, then pokes at actor AID. */
static int isolate_show(int port, int aid)
{
    printf("isolate: show %ld at %p\n", isolate_value, (void *)&isolate_value);
    isolate_value = 99;
    printf("isolate: wrote %ld at %p\n", isolate_value, (void *)&isolate_value);
    if (aid) {
        KnCap other = { aid };
        KnRgnDesc r;
        memset(&r, 0, sizeof(r));
        r.startAddr = (VmAddr)((uintptr_t)&isolate_value & ~(uintptr_t)(ACTOR_PAGE_SIZE - 1));
        r.size = ACTOR_PAGE_SIZE;
        r.options = K_WRITABLE;
        printf("isolate: rgnAllocate in aid %d: %d\n", aid, rgnAllocate(&other, &r));
        r.options = 0;
        printf("isolate: rgnFree in aid %d: %d\n", aid, rgnFree(&other, &r));
    }
    if (port) {
        struct sys_ipc_ret m = sys_ipc_call(port, 0, 0, 0, 0, NULL);
        printf("isolate: set says %ld (status %ld); mine is %ld\n", (long)m.w[0], m.status,
               isolate_value);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 2 && !strcmp(argv[1], "set"))
        return isolate_set(atol(argv[2]));
    return isolate_show(argc > 2 ? atoi(argv[2]) : 0, argc > 3 ? atoi(argv[3]) : 0);
}
