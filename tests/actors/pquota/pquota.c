/* Test actor of the page quota and the pool's reserves (tests/qemu/test_protect_kernel.py).

     pquota grab [hold]   takes pages with rgnAllocate (chunks halved on K_ENOMEM) until a
                          one-page region is refused; checks that every refusal was K_ENOMEM
                          and changed nothing (pages owned the same), that it never owns more
                          than its quota, and that after freeing its last region it can take
                          it again (its own use goes on). Prints "pquota: took N pages, owns P of Q, refusals R all
                          K_ENOMEM unchanged: yes|no, again after a free: E", then with hold
                          sleeps until killed, else exits.
     pquota stack         grows its stack a page at a time until a page is refused (with a
                          small quota: the fault says "stack page over the page quota").
     pquota sleep         "pquota: sleeping aid A group G", then sleeps for ever (a restart
                          group member that must come back however drained the pool is). */
#include <chorus.h>
#include <hr/hr.h>
#include <reprise/abi.h>
#include <reprise/errors.h>
#include <reprise/sys.h>
#include <stdio.h>
#include <string.h>

#define PQUOTA_CHUNK_MAX 16384u

/* The caller's own actor_info (pages owned, quota); 0 on success. */
static int pquota_info(struct actor_info *info)
{
    int aid = agetId();
    return (int)sys_call2(SYS_ACTOR_INFO, aid % ACTOR_SLOTS - 1, (long)info);
}

/* grab: see the header. */
static int pquota_grab(int hold)
{
    struct actor_info before, after;
    int got = 0, refusals = 0, unchanged = 1;
    uint32_t last_start = 0, last_size = 0;
    for (uint32_t chunk = PQUOTA_CHUNK_MAX; chunk; chunk /= 2) {
        for (;;) {
            KnRgnDesc rgn;
            memset(&rgn, 0, sizeof(rgn));
            rgn.size = chunk * ACTOR_PAGE_SIZE;
            rgn.options = K_ANYWHERE | K_WRITABLE | K_FILLZERO;
            pquota_info(&before);
            int r = rgnAllocate(K_MYACTOR, &rgn);
            pquota_info(&after);
            if (r != K_OK) {
                refusals++;
                if (r != K_ENOMEM || after.pages != before.pages)
                    unchanged = 0;
                break;
            }
            got += (int)chunk;
            last_start = rgn.startAddr;
            last_size = rgn.size;
        }
    }
    pquota_info(&after);
    if (after.pages > after.page_quota)
        unchanged = 0;
    int again = K_EINVAL;
    if (last_size) {
        KnRgnDesc rgn = { .startAddr = last_start, .size = last_size };
        rgnFree(K_MYACTOR, &rgn);
        memset(&rgn, 0, sizeof(rgn));
        rgn.size = last_size;
        rgn.options = K_ANYWHERE | K_WRITABLE | K_FILLZERO;
        again = rgnAllocate(K_MYACTOR, &rgn);
    }
    printf("pquota: took %d pages, owns %lu of %lu, refusals %d all K_ENOMEM unchanged: %s, "
           "again after a free: %d\n", got, (unsigned long)after.pages,
           (unsigned long)after.page_quota, refusals, unchanged ? "yes" : "no", again);
    fflush(stdout);
    while (hold)
        sys_call1(SYS_DELAY, 1000000);
    return 0;
}

/* Never reached: a depth bound the compiler cannot see through. */
static volatile int pquota_depth_max = 1 << 30;

/* stack: touches one more stack page each time round, deeper and deeper. */
static int __attribute__((noinline)) pquota_stack(int depth)
{
    volatile char page[ACTOR_PAGE_SIZE - 64];
    page[0] = (char)depth;
    if (depth == pquota_depth_max)
        return 0;
    if (depth % 4 == 0) {
        printf("pquota: stack %d pages deep\n", depth);
        fflush(stdout);
    }
    return pquota_stack(depth + 1) + page[0];
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    if (strcmp(mode, "grab") == 0)
        return pquota_grab(argc > 2 && strcmp(argv[2], "hold") == 0);
    if (strcmp(mode, "stack") == 0)
        return pquota_stack(1);
    if (strcmp(mode, "sleep") == 0) {
        int aid = agetId();
        printf("pquota: sleeping aid %d group %d\n", aid, hrGetActorGroup(aid));
        fflush(stdout);
        for (;;)
            sys_call1(SYS_DELAY, 1000000);
    }
    printf("usage: pquota grab [hold] | stack | sleep\n");
    return 2;
}
