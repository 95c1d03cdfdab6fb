/* ChorusOS kernel calls of <chorus.h> and <mem/chMem.h>: thin wrappers over Reprise system calls.
   Every pointer a wrapper reads or writes itself goes through sys_user_copy, so a bad one is
   K_EFAULT, never a fault (the kernel checks those it is given). */
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
    KnCap self = { agetId() };
    return sys_user_copy(actorCap, &self, sizeof(self));
}

int actorDelete(KnCap *actorCap)
{
    KnCap target = { 0 };
    if (actorCap && sys_user_copy(&target, actorCap, sizeof(target)))
        return K_EFAULT;
    return (int)sys_call1(SYS_ACTOR_KILL, actorCap ? target.aid : agetId());
}

/* threadDelay: SYS_DELAY takes microseconds in 32 bits (about 71 minutes), so longer waits
 * are cut in pieces; a wait that does not end is a loop of the longest ones. */
int threadDelay(KnTimeVal *waitLimit)
{
    KnTimeVal limit;
    if (waitLimit == K_NOTIMEOUT)
        for (;;)
            sys_call1(SYS_DELAY, (long)UINT32_MAX);
    if (waitLimit == K_NOBLOCK) {
        sys_call0(SYS_YIELD);
        return K_ETIMEOUT;
    }
    if (sys_user_copy(&limit, waitLimit, sizeof(limit)))
        return K_EFAULT;
    if (limit.tmSec < 0 || limit.tmNSec < 0 || limit.tmNSec >= 1000000000L)
        return K_EINVAL;
    uint64_t us = (uint64_t)limit.tmSec * 1000000u + ((uint32_t)limit.tmNSec + 999u) / 1000u;
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
    uint64_t now = counter_now();
    uint32_t hz = counter_hz();
    if (hz == 0)
        hz = 1;
    KnTimeVal t = { (long)(now / hz), (long)((now % hz) * 1000000000u / hz) };
    return sys_user_copy(time, &t, sizeof(t));
}

const char *kErrorName(int err)
{
    static const char *const names[] = {
        "K_OK", "K_EINVAL", "K_ENOMEM", "K_EFAULT", "K_EUNKNOWN", "K_EEXIST", "K_EPRIV",
        "K_ETOOMUCH", "K_EBUSY", "K_ENOTIMP", "K_EDEAD", "K_ETIMEOUT", "K_EIO",
    };
    _Static_assert(sizeof(names) / sizeof(names[0]) == 1 - K_EIO, "a name per code");
    if (err <= 0 && -err < (int)(sizeof(names) / sizeof(names[0])))
        return names[-err];
    return "K_E?";
}
