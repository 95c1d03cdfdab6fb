/* Test actor that commits the fault named by argv[1] (or just says it is alive with "ok").
   Before faulting it prints the address it is about to touch, so that a scenario can check
   the kernel's decoded fault line against it. */
#include <chorus.h>
#include <reprise/sys.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void kfaults_return(void) {}

/* A permanently undefined instruction (UDF.W) at the very start of a function, so that its
   address is the function's. */
__attribute__((naked, noinline)) static void kfaults_udf(void)
{
    __asm__ volatile(".inst.w 0xf7f0a000");
}

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

/* Says what is about to happen, and where, before it happens. */
static void kfaults_announce(const char *kind, uintptr_t addr)
{
    printf("kfaults: %s about to fault at 0x%08lx\n", kind, (unsigned long)addr);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    const char *kind = argc > 1 ? argv[1] : "ok";
    volatile uint32_t *p = NULL;
    if (!strcmp(kind, "ok")) {
        printf("kfaults: ok, alive\n");
        return 0;
    }
    if (!strcmp(kind, "tls") && argc > 2) {
        /* The user read/write thread id register (TPIDRURW): show what this actor found
           there, then leave VALUE in it. Another actor must never see that value. */
        uint32_t found, value = (uint32_t)strtoul(argv[2], NULL, 0);
        __asm__ volatile("mrc p15, 0, %0, c13, c0, 2" : "=r"(found));
        __asm__ volatile("mcr p15, 0, %0, c13, c0, 2" ::"r"(value));
        printf("kfaults: tls found 0x%08lx, left 0x%08lx\n", (unsigned long)found,
               (unsigned long)value);
        return 0;
    }
    if (!strcmp(kind, "read-unmapped") || !strcmp(kind, "write-unmapped"))
        p = (volatile uint32_t *)0x20000000;
    else if (!strcmp(kind, "null"))
        p = (volatile uint32_t *)0;
    else if (!strcmp(kind, "write-text"))
        p = (volatile uint32_t *)((uintptr_t)kfaults_return & ~1u);
    else if (!strcmp(kind, "kernel-read"))
        p = (volatile uint32_t *)0x40010000;     /* the kernel's text */
    else if (!strcmp(kind, "kernel-write"))
        p = (volatile uint32_t *)0x4fc00000;     /* the persistent bank, kernel-mapped */
    else if (!strcmp(kind, "device"))
        p = (volatile uint32_t *)0xf9000000;     /* the UART in the kernel's device window */

    if (p || !strcmp(kind, "null")) {
        kfaults_announce(kind, (uintptr_t)p);
        if (!strncmp(kind, "write", 5) || !strcmp(kind, "kernel-write") || !strcmp(kind, "device"))
            *p = 'X';
        else
            (void)*p;
    } else if (!strcmp(kind, "exec-stack")) {
        volatile uint16_t code[4] = { 0x4770, 0x4770, 0x4770, 0x4770 };  /* bx lr */
        void (*fn)(void) = (void (*)(void))((uintptr_t)code | 1);
        kfaults_announce(kind, (uintptr_t)code);
        fn();
    } else if (!strcmp(kind, "undef")) {
        kfaults_announce(kind, (uintptr_t)kfaults_udf & ~1u);
        kfaults_udf();
    } else if (!strcmp(kind, "stack-overflow")) {
        kfaults_announce(kind, ACTOR_STACK_LOW_VADDR - ACTOR_PAGE_SIZE);   /* the guard page */
        kfaults_recurse(0);
    } else if (!strcmp(kind, "reserved")) {
        KnRgnDesc rgn;
        memset(&rgn, 0, sizeof(rgn));
        rgn.options = K_ANYWHERE | K_RESERVED;
        rgn.size = (VmSize)vmPageSize();
        int res = rgnAllocate(K_MYACTOR, &rgn);
        printf("kfaults: reserved region at 0x%08lx, res=%d\n", (unsigned long)rgn.startAddr, res);
        p = (volatile uint32_t *)rgn.startAddr;
        kfaults_announce(kind, (uintptr_t)p);
        *p = 0xdeadbeef;
    } else {
        printf("kfaults: unknown kind %s\n", kind);
        return 2;
    }
    printf("kfaults: %s SURVIVED\n", kind);
    return 1;
}
