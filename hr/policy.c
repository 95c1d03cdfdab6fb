/* HR restart policy: sliding windows of group restarts and of site restarts, restart backoff
   (see hr/policy.h). */
#include <hr/policy.h>
#include <lib/fmt.h>
#include <reprise/errors.h>
#include <string.h>

/* True when a restart at time r still counts at now: less than interval old, or recorded
   "in the future" (the counter went backwards: counted as recent, see hr/policy.h). */
static bool hrpol_within(uint64_t r, uint64_t now, uint64_t interval)
{
    return r > now || now - r < interval;
}

/* Converts the board's tunables to ns and checks their ranges; HR calls it at start-up.
   Returns K_OK or K_EINVAL. */
int hrpol_tunables_init(struct hrpol_tunables *t, uint32_t max_restarts, uint32_t interval_ms,
                        uint32_t max_site_restarts, uint32_t site_interval_ms)
{
    if (!t || max_restarts > HRPOL_MAX_RESTARTS_LIMIT ||
        max_site_restarts > HRPOL_MAX_SITE_RESTARTS_LIMIT || interval_ms == 0 ||
        site_interval_ms == 0)
        return K_EINVAL;
    t->max_restarts = max_restarts;
    t->max_site_restarts = max_site_restarts;
    t->interval_ns = (uint64_t)interval_ms * HRPOL_NS_PER_MS;
    t->site_interval_ns = (uint64_t)site_interval_ms * HRPOL_NS_PER_MS;
    t->backoff_base_ns = 0;
    t->backoff_max_ns = 0;
    return K_OK;
}

/* Sets the backoff of t in ns after checking base <= max <= interval; HR calls it at
   start-up. Returns K_OK or K_EINVAL (t unchanged). */
int hrpol_backoff_init(struct hrpol_tunables *t, uint32_t base_ms, uint32_t max_ms)
{
    if (!t || base_ms > max_ms || (uint64_t)max_ms * HRPOL_NS_PER_MS > t->interval_ns)
        return K_EINVAL;
    t->backoff_base_ns = (uint64_t)base_ms * HRPOL_NS_PER_MS;
    t->backoff_max_ns = (uint64_t)max_ms * HRPOL_NS_PER_MS;
    return K_OK;
}

/* base * 2^(n-2) capped at max, doubling step by step so that nothing overflows; 0 for the
   first restart. Called by HR for a group restart that is not the first in the window. */
uint64_t hrpol_backoff_ns(const struct hrpol_tunables *t, uint32_t n)
{
    uint64_t d = t->backoff_base_ns;
    if (n <= 1)
        return 0;
    for (uint32_t i = 2; i < n && d < t->backoff_max_ns; i++)
        d *= 2;
    return d < t->backoff_max_ns ? d : t->backoff_max_ns;
}

int hrpol_clock_init(struct hrpol_clock *c, uint32_t hz)
{
    c->mult = 0;
    c->shift = 0;
    if (hz == 0)
        return K_EINVAL;
    /* The largest shift whose multiplier fits 32 bits: the most precise one. */
    uint32_t shift = 32;
    while (shift > 0 && (HRPOL_NS_PER_SEC << shift) / hz > UINT32_MAX)
        shift--;
    c->mult = (uint32_t)((HRPOL_NS_PER_SEC << shift) / hz);
    c->shift = shift;
    return c->mult ? K_OK : K_EINVAL;
}

uint64_t hrpol_ticks_to_ns(const struct hrpol_clock *c, uint64_t ticks)
{
    /* Two 32 x 32-bit products: no division, no overflow before ~584 years of ns. */
    uint64_t lo = (uint64_t)(uint32_t)ticks * c->mult;
    uint64_t hi = (ticks >> 32) * c->mult;
    return (lo >> c->shift) + (c->shift ? hi << (32 - c->shift) : hi << 32);
}

/* Empties a group's restart history; HR calls it when a group is (re)registered. */
void hrpol_group_init(struct hrpol_group *g)
{
    memset(g, 0, sizeof(*g));
}

/* Records a restart at now in the group's ring and counts the ones within the interval;
   HR calls it on every abnormal end. Returns the action and "n/max". */
struct hrpol_decision hrpol_group_restart(struct hrpol_group *g, const struct hrpol_tunables *t,
                                          uint64_t now)
{
    uint32_t keep = t->max_restarts + 1;   /* enough to see "more than max_restarts" */
    struct hrpol_decision d = { HRPOL_RESTART_GROUP, 0, t->max_restarts };

    if (keep > HRPOL_GROUP_HISTORY)
        keep = HRPOL_GROUP_HISTORY;
    if (g->next >= keep || g->count > keep)
        hrpol_group_init(g);
    g->times[g->next] = now;
    g->next = g->next + 1 == keep ? 0 : g->next + 1;
    if (g->count < keep)
        g->count++;
    for (uint32_t i = 0; i < g->count; i++)
        if (hrpol_within(g->times[i], now, t->interval_ns))
            d.n++;
    if (d.n > t->max_restarts)
        d.action = HRPOL_SITE_RESTART;
    return d;
}

bool hrpol_restart_at_once(const struct hrpol_group *g, const struct hrpol_tunables *t,
                           uint64_t now)
{
    uint32_t n = 1;     /* the next restart itself */
    for (uint32_t i = 0; i < g->count && i < HRPOL_GROUP_HISTORY; i++)
        n += hrpol_within(g->times[i], now, t->interval_ns);
    return n <= t->max_restarts && (n == 1 || !t->backoff_base_ns);
}

uint64_t hrpol_quiet_at(const struct hrpol_group *g, const struct hrpol_tunables *t)
{
    uint64_t last = 0;
    for (uint32_t i = 0; i < g->count && i < HRPOL_GROUP_HISTORY; i++)
        if (g->times[i] > last)
            last = g->times[i];
    return g->count ? last + t->interval_ns : 0;
}

/* Counts the site restarts within the site interval and decides whether groups may be
   auto-started; HR calls it once per boot. Returns the decision, the reason in reason. */
struct hrpol_site_decision hrpol_site_decide(const struct hrpol_tunables *t,
                                             const uint64_t *times, uint32_t count,
                                             uint64_t now, char *reason, size_t n)
{
    struct hrpol_site_decision d = { true, 0 };

    for (uint32_t i = 0; i < count; i++)
        if (hrpol_within(times[i], now, t->site_interval_ns))
            d.n++;
    d.auto_start = d.n <= t->max_site_restarts;
    /* The interval as "60 s", or "1500 ms" when it is not whole seconds. */
    int whole = t->site_interval_ns % HRPOL_NS_PER_SEC == 0;
    if (reason)
        fmt_snprintf(reason, n, "%u site restart%s within %llu %s", (unsigned)d.n,
                     d.n == 1 ? "" : "s",
                     (unsigned long long)(t->site_interval_ns / (whole ? HRPOL_NS_PER_SEC : HRPOL_NS_PER_MS)),
                     whole ? "s" : "ms");
    return d;
}
