/* Helpers shared by the HR test actors (tests/actors/hr*): persistent blocks by name (and
   whether the caller holds one), actor lookup by name, sleeping, and the faults the
   scenarios make an actor take. Header only:
   this folder holds no .c file, so it is not an actor itself. */
#pragma once
#include <chorus.h>
#include <hr/hr.h>
#include <pmm/chPmm.h>
#include <pmm/proto.h>
#include <reprise/abi.h>
#include <reprise/sys.h>
#include <stdio.h>
#include <string.h>

#define HRT_UNMAPPED_VADDR 0x20000000u   /* inside the rgnAllocate area: nothing mapped there */

/* Allocates or retrieves block name (size bytes) with key (a string, its NUL included) and
   returns its address; prints the error and returns NULL when that fails. */
static inline void *hrt_block(const char *who, const char *name, size_t size, const char *key,
                              size_t key_size)
{
    PmmName n;
    VmAddr addr = 0;
    memset(&n, 0, sizeof(n));
    strcpy(n.medium, "RAM");
    size_t len = strnlen(name, sizeof(n.name) - 1);
    memcpy(n.name, name, len);
    int res = pmmAllocate(&addr, &n, size, (char *)key, key_size);
    if (res != K_OK) {
        printf("%s: pmmAllocate(%s) failed: %d\n", who, name, res);
        return NULL;
    }
    return (void *)addr;
}

/* Whether the PMM server lists block name as held by the caller (PMM_BLOCK_HELD: the
   kernel's word on its mappings): asked before the caller retrieves it, it says whether a
   restart in place brought the block back mapped. */
static inline int hrt_block_held(const char *name)
{
    static struct pmm_block_info b;
    int port = (int)sys_call1(SYS_PORT_LOOKUP, PORT_WK_PMM);
    for (uint32_t i = 0; port > 0; i++) {
        struct ipc_bufs bufs = { 0, 0, &b, sizeof(b), 0 };
        struct sys_ipc_ret r = sys_ipc_call(port, PMM_OP_BLOCK_INFO, i, 0, 0, &bufs);
        if (r.status != K_OK || (int32_t)r.w[0] != K_OK)
            return 0;
        if (!strcmp(b.name.name, name))
            return (b.flags & PMM_BLOCK_HELD) != 0;
    }
    return 0;
}

/* Sleeps ms milliseconds (virtual time). */
static inline void hrt_sleep_ms(uint32_t ms)
{
    sys_call1(SYS_DELAY, (long)ms * 1000);
}

/* Waits for ever (until HR or the console ends the actor). */
static inline void hrt_wait_forever(void)
{
    for (;;)
        hrt_sleep_ms(1000);
}

/* The aid of the live actor called name, or 0. */
static inline int hrt_find_aid(const char *name)
{
    struct actor_info info;
    for (int i = 0; sys_call2(SYS_ACTOR_INFO, i, (long)&info) == K_OK; i++)
        if (info.aid && !strncmp(info.name, name, sizeof(info.name)))
            return info.aid;
    return 0;
}

/* Takes the fault named kind: "data" (write to an unmapped page), "prefetch" (jump to one),
   "undef" (a permanently undefined instruction). Returns only for an unknown kind. */
static inline void hrt_fault(const char *kind)
{
    if (!strcmp(kind, "data")) {
        *(volatile uint32_t *)HRT_UNMAPPED_VADDR = 0xdeadbeef;
    } else if (!strcmp(kind, "prefetch")) {
        void (*fn)(void) = (void (*)(void))(HRT_UNMAPPED_VADDR | 1u);   /* Thumb */
        fn();
    } else if (!strcmp(kind, "undef")) {
        __asm__ volatile(".inst.w 0xf7f0a000");   /* UDF.W: permanently undefined */
    }
}
