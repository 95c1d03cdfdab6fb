/* Test actor for <chorus.h> alone (no stdio): region calls, actor calls, time; the exit
 * status says which check failed (0: all passed), as the kernel's "exited with status N"
 * console line reports it. Checks, by status:
 *   1-2 vmPageSize, actorSelf, agetId          3-9 rgnAllocate/rgnFree, K_ANYWHERE, K_RESERVED
 *   10 a fixed address outside the actor area  11-14 sysTime and threadDelay
 *   15-19 rgnFree(K_FREEALL) frees every rgnAllocate region and leaves the malloc heap alone
 *   (a freed heap would fault: the kernel then prints a data abort, not a status)
 *   20-25 every call given a pointer it cannot use returns K_EFAULT (a fault would end the
 *   actor with a data abort instead)            26 kErrorName */
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

    /* The heap grows past the data pages (_sbrk maps them with rgnAllocate at fixed
     * addresses), then K_FREEALL: the regions go, the heap stays. */
    enum { HEAP_BYTES = 256 * 1024 };
    unsigned char *heap = malloc(HEAP_BYTES);
    if (!heap)
        exit(15);
    memset(heap, 0x5a, HEAP_BYTES);
    KnRgnDesc r1 = { .size = 2 * vmPageSize(), .options = K_ANYWHERE | K_WRITABLE };
    KnRgnDesc r2 = { .size = vmPageSize(), .options = K_ANYWHERE | K_RESERVED };
    if (rgnAllocate(K_MYACTOR, &r1) != K_OK || rgnAllocate(K_MYACTOR, &r2) != K_OK)
        exit(16);
    KnRgnDesc all = { .options = K_FREEALL };
    if (rgnFree(K_MYACTOR, &all) != K_OK)
        exit(17);
    for (int i = 0; i < HEAP_BYTES; i += 1024)
        if (heap[i] != 0x5a || heap[i + 1023] != 0x5a)
            exit(18);
    KnRgnDesc again = { .startAddr = r1.startAddr, .size = r1.size, .options = K_WRITABLE };
    if (rgnAllocate(K_MYACTOR, &again) != K_OK)     /* K_EEXIST if r1 were still there */
        exit(19);
    free(heap);

    KnTimeVal *const wild = (KnTimeVal *)0x1234;
    if (sysTime(wild) != K_EFAULT || sysTime(NULL) != K_EFAULT)
        exit(20);
    if (sysTime((KnTimeVal *)(uintptr_t)main) != K_EFAULT)     /* read-only text */
        exit(21);
    if (threadDelay(wild) != K_EFAULT)
        exit(22);
    if (actorSelf((KnCap *)0x1234) != K_EFAULT || actorSelf(NULL) != K_EFAULT)
        exit(23);
    if (actorDelete((KnCap *)0x1234) != K_EFAULT)
        exit(24);
    if (rgnAllocate(K_MYACTOR, (KnRgnDesc *)0x1234) != K_EFAULT)
        exit(25);
    if (strcmp(kErrorName(K_EFAULT), "K_EFAULT") || strcmp(kErrorName(K_OK), "K_OK") ||
        strcmp(kErrorName(K_ETIMEOUT), "K_ETIMEOUT") || strcmp(kErrorName(-99), "K_E?") ||
        strcmp(kErrorName(1), "K_E?"))
        exit(26);
    return 0;
}
