/* Test actor that commits the fault named by argv[1] (or just says it is alive with "ok"). */
#include <chorus.h>
#include <reprise/sys.h>
#include <stdio.h>
#include <string.h>

static void kfaults_return(void) {}

static volatile int kfaults_limit = 1 << 30;

/* Recurses until the stack runs into its guard page (the limit is never reached). */
static int kfaults_recurse(int depth)
{
    volatile char pad[512];
    pad[0] = (char)depth;
    if (depth >= kfaults_limit)
        return 0;
    return kfaults_recurse(depth + 1) + pad[0];
}

int main(int argc, char **argv)
{
    const char *kind = argc > 1 ? argv[1] : "ok";
    volatile uint32_t *p;
    if (!strcmp(kind, "ok")) {
        printf("kfaults: ok, alive\n");
        return 0;
    }
    printf("kfaults: %s about to fault\n", kind);
    if (!strcmp(kind, "read-unmapped")) {
        p = (volatile uint32_t *)0x20000000;
        (void)*p;
    } else if (!strcmp(kind, "write-unmapped")) {
        p = (volatile uint32_t *)0x20000000;
        *p = 1;
    } else if (!strcmp(kind, "null")) {
        p = (volatile uint32_t *)0;
        (void)*p;
    } else if (!strcmp(kind, "write-text")) {
        p = (volatile uint32_t *)((uintptr_t)kfaults_return & ~1u);
        *p = 0;
    } else if (!strcmp(kind, "exec-stack")) {
        volatile uint16_t code[4] = { 0x4770, 0x4770, 0x4770, 0x4770 };  /* bx lr */
        void (*fn)(void) = (void (*)(void))((uintptr_t)code | 1);
        fn();
    } else if (!strcmp(kind, "kernel-read")) {
        p = (volatile uint32_t *)0x40010000;
        (void)*p;
    } else if (!strcmp(kind, "kernel-write")) {
        p = (volatile uint32_t *)0x4fc00000;
        *p = 0;
    } else if (!strcmp(kind, "device")) {
        p = (volatile uint32_t *)0xf9000000;   /* the UART in the kernel's device window */
        *p = 'X';
    } else if (!strcmp(kind, "undef")) {
        __asm__ volatile(".inst.w 0xf7f0a000");   /* permanently undefined (UDF.W) */
    } else if (!strcmp(kind, "stack-overflow")) {
        kfaults_recurse(0);
    } else if (!strcmp(kind, "reserved")) {
        KnRgnDesc rgn;
        memset(&rgn, 0, sizeof(rgn));
        rgn.options = K_ANYWHERE | K_RESERVED;
        rgn.size = (VmSize)vmPageSize();
        int res = rgnAllocate(K_MYACTOR, &rgn);
        printf("kfaults: reserved region at 0x%08lx, res=%d\n", (unsigned long)rgn.startAddr, res);
        p = (volatile uint32_t *)rgn.startAddr;
        *p = 0xdeadbeef;
    } else {
        printf("kfaults: unknown kind %s\n", kind);
        return 2;
    }
    printf("kfaults: %s SURVIVED\n", kind);
    return 1;
}
