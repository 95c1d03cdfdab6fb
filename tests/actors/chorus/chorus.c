/* Test actor for <chorus.h> alone (no stdio): region calls, actor calls; the exit status
 * says which check failed (0: all passed), as `arun`'s wait or the console reports it. */
#include <chorus.h>

int main(void)
{
    KnRgnDesc rgn;
    KnCap self;
    char *p;

    if (vmPageSize() != 4096)
        exit(1);
    if (actorSelf(&self) != K_OK || self.aid != agetId() || agetId() <= 0)
        exit(2);

    bzero(&rgn, sizeof(rgn));
    rgn.size = 3 * vmPageSize();
    rgn.options = K_ANYWHERE | K_WRITABLE | K_FILLZERO;
    if (rgnAllocate(K_MYACTOR, &rgn) != K_OK)
        exit(3);
    if (rgn.endAddr != rgn.startAddr + rgn.size || rgn.startAddr % vmPageSize() != 0)
        exit(4);
    p = (char *)rgn.startAddr;
    if (p[0] != 0 || p[rgn.size - 1] != 0)
        exit(5);
    strcpy(p, "persistent?");
    if (strcmp(p, "persistent?") != 0)
        exit(6);
    rgn.options = 0;                    /* rgnFree: 0, or K_FREEALL alone */
    if (rgnFree(K_MYprocess, &rgn) != K_OK)
        exit(7);

    bzero(&rgn, sizeof(rgn));
    rgn.size = vmPageSize();
    rgn.options = K_ANYWHERE | K_RESERVED;
    if (rgnAllocate(K_MYprocess, &rgn) != K_OK)
        exit(8);
    rgn.options = 0;
    if (rgnFree(K_MYACTOR, &rgn) != K_OK)
        exit(9);

    KnRgnDesc bad = { .startAddr = 0x40000000, .size = 4096, .options = K_WRITABLE };
    if (rgnAllocate(K_MYACTOR, &bad) == K_OK)
        exit(10);

    KnTimeVal t0, t1, wait = { .tmSec = 0, .tmNSec = 2000000 };
    if (sysTime(&t0) != K_OK)
        exit(11);
    if (threadDelay(&wait) != K_ETIMEOUT)
        exit(12);
    if (sysTime(&t1) != K_OK)
        exit(13);
    if ((t1.tmSec - t0.tmSec) * 1000000000L + (t1.tmNSec - t0.tmNSec) < 2000000L)
        exit(14);
    return 0;
}
