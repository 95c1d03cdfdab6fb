/* ChorusOS kernel calls of <chorus.h> and <mem/chMem.h>: thin wrappers over Reprise system calls. */
#include <chorus.h>
#include <reprise/abi.h>
#include <reprise/counter.h>
#include <reprise/sys.h>

/* The actor id a capability names for the region calls: 0 is the caller. */
static int cap_aid(const KnCap *cap)
{
    return cap ? cap->aid : 0;
}

int rgnAllocate(KnCap *actorCap, KnRgnDesc *rgnDesc)
{
    return (int)sys_call2(SYS_RGN_ALLOCATE, cap_aid(actorCap), (long)rgnDesc);
}

int rgnFree(KnCap *actorCap, KnRgnDesc *rgnDesc)
{
    return (int)sys_call2(SYS_RGN_FREE, cap_aid(actorCap), (long)rgnDesc);
}

int vmPageSize(void)
{
    return ACTOR_PAGE_SIZE;
}

int agetId(void)
{
    return (int)sys_call0(SYS_ACTOR_SELF);
}

int actorSelf(KnCap *actorCap)
{
    if (!actorCap)
        return K_EFAULT;
    actorCap->aid = agetId();
    return K_OK;
}

int actorDelete(KnCap *actorCap)
{
    int aid = actorCap ? actorCap->aid : agetId();
    return (int)sys_call1(SYS_ACTOR_KILL, aid);
}

/* threadDelay: SYS_DELAY takes microseconds in 32 bits (about 71 minutes), so longer waits
 * are cut in pieces; a wait that does not end is a loop of the longest ones. */
int threadDelay(KnTimeVal *waitLimit)
{
    if (waitLimit == K_NOTIMEOUT)
        for (;;)
            sys_call1(SYS_DELAY, (long)UINT32_MAX);
    if (waitLimit == K_NOBLOCK) {
        sys_call0(SYS_YIELD);
        return K_ETIMEOUT;
    }
    if (waitLimit->tmSec < 0 || waitLimit->tmNSec < 0 || waitLimit->tmNSec >= 1000000000L)
        return K_EINVAL;
    uint64_t us = (uint64_t)waitLimit->tmSec * 1000000u + ((uint32_t)waitLimit->tmNSec + 999u) / 1000u;
    if (us == 0)
        sys_call0(SYS_YIELD);
    while (us > 0) {
        uint32_t step = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
        sys_call1(SYS_DELAY, (long)step);
        us -= step;
    }
    return K_ETIMEOUT;
}

int sysTime(KnTimeVal *time)
{
    if (!time)
        return K_EFAULT;
    uint64_t now = counter_now();
    uint32_t hz = counter_hz();
    if (hz == 0)
        hz = 1;
    time->tmSec = (long)(now / hz);
    time->tmNSec = (long)((now % hz) * 1000000000u / hz);
    return K_OK;
}
