/* HR restart policy: when a failing group escalates to a site restart, how long its restarts
 * back off, and when a crash-looping site must come up without auto-starting restartable
 * groups. Portable, host-tested.
 *
 * Time is a uint64_t of nanoseconds of virtual time (hrpol_ticks_to_ns converts CNTVCT).
 * A restart recorded at time r is "within the window" at time now when now - r < interval
 * (a restart exactly one interval old has slid out), or when r > now: the counter went
 * backwards, which QEMU never does (CNTVCT keeps counting across a warm reset) but a real
 * board may do on reset. Such a restart is counted as recent, the safe side: a crash loop on a
 * board whose counter resets is still caught, at the price that after max_site_restarts + 1
 * site restarts that board stays in "no auto-start" until the history is cleared
 * (hrreg_site_clear); a real board needs a boot counter or an RTC to do better. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HRPOL_NS_PER_SEC        1000000000ull
#define HRPOL_NS_PER_MS         1000000ull

/* Limits on the tunables: a group keeps max_restarts + 1 timestamps, the registry keeps
   HRREG_SITE_HISTORY >= max_site_restarts + 1 site restart times. */
#define HRPOL_MAX_RESTARTS_LIMIT       15
#define HRPOL_MAX_SITE_RESTARTS_LIMIT  7
#define HRPOL_GROUP_HISTORY            (HRPOL_MAX_RESTARTS_LIMIT + 1)

/* SPEC section 5 defaults; the board's BOARD_HR_* values are passed to hrpol_tunables_init. */
#define HRPOL_DEFAULT_MAX_RESTARTS       5
#define HRPOL_DEFAULT_INTERVAL_MS        10000
#define HRPOL_DEFAULT_MAX_SITE_RESTARTS  3
#define HRPOL_DEFAULT_SITE_INTERVAL_MS   60000
/* Restart backoff (Reprise's own): the n-th restart within the interval waits
   base * 2^(n-2), at most max; the first is immediate. */
#define HRPOL_DEFAULT_BACKOFF_BASE_MS    100
#define HRPOL_DEFAULT_BACKOFF_MAX_MS     500

struct hrpol_tunables {
    uint32_t max_restarts;        /* group restarts allowed within interval_ns */
    uint32_t max_site_restarts;   /* site restarts allowed within site_interval_ns */
    uint64_t interval_ns;
    uint64_t site_interval_ns;
    uint64_t backoff_base_ns;     /* 0: no backoff */
    uint64_t backoff_max_ns;
};

/* Restart history of one group, in HR's volatile memory (a site restart starts it afresh). */
struct hrpol_group {
    uint64_t times[HRPOL_GROUP_HISTORY];   /* ring of the last restarts */
    uint32_t count;                        /* valid entries in times */
    uint32_t next;                         /* ring slot of the next restart */
};

enum hrpol_action {
    HRPOL_RESTART_GROUP = 1,     /* restart the group: crash line "(n/max)" */
    HRPOL_SITE_RESTART,          /* more than max restarts within the interval */
};

struct hrpol_decision {
    enum hrpol_action action;
    uint32_t n;                  /* restarts within the window, this one included */
    uint32_t max;                /* max_restarts, for "(n/max)" */
};

struct hrpol_site_decision {
    bool auto_start;             /* false: come up without auto-starting restartable groups */
    uint32_t n;                  /* site restarts within the site window */
};

/* Fills t from the board's tunables (milliseconds); K_OK, or K_EINVAL for a zero interval or a
   count above its limit. Called by HR at start-up with the BOARD_HR_* values. */
int hrpol_tunables_init(struct hrpol_tunables *t, uint32_t max_restarts, uint32_t interval_ms,
                        uint32_t max_site_restarts, uint32_t site_interval_ms);

/* Sets the restart backoff of t (hrpol_tunables_init leaves none) from the board's
   milliseconds; K_OK, or K_EINVAL when base > max or max > the group interval (a restart
   delayed past the interval would slide out of the window that counts it). Called by HR at
   start-up with the BOARD_HR_BACKOFF_* values. */
int hrpol_backoff_init(struct hrpol_tunables *t, uint32_t base_ms, uint32_t max_ms);

/* The wait before the n-th restart within the interval (n of a HRPOL_RESTART_GROUP
   decision): 0 for n <= 1, else backoff_base * 2^(n-2), at most backoff_max. HR asks only
   for n > 1, so that the first restart pays nothing for the backoff. */
uint64_t hrpol_backoff_ns(const struct hrpol_tunables *t, uint32_t n);

/* Counter ticks to ns without a division (HR converts every CNTVCT reading on its restart
   path): ns = ticks * mult >> shift, mult = 1e9 * 2^shift / hz with the largest shift that
   keeps mult in 32 bits. Exact when that quotient is whole (62.5 MHz: 16 ns a tick, shift
   27), otherwise off by less than one ns per 2^shift / (1e9 / hz) ticks. */
struct hrpol_clock {
    uint32_t mult;
    uint32_t shift;
};
/* Sets up c for a counter of hz ticks per second; K_EINVAL for hz 0 or above 2^32 / 1 ns
   resolution (c then converts everything to 0). */
int hrpol_clock_init(struct hrpol_clock *c, uint32_t hz);
/* Converts a counter value (CNTVCT) to ns. */
uint64_t hrpol_ticks_to_ns(const struct hrpol_clock *c, uint64_t ticks);

/* Empties a group's history: HR calls it when it registers or (re)starts a group. */
void hrpol_group_init(struct hrpol_group *g);

/* Records a restart of the group at now and decides: restart the group (n of max within the
   window; after hrpol_backoff_ns(t, n)) or escalate to a site restart (at once). Called by
   HR on every abnormal end in the group. */
struct hrpol_decision hrpol_group_restart(struct hrpol_group *g, const struct hrpol_tunables *t,
                                          uint64_t now);

/* Whether a restart of the group at any time from now would be made at once: neither
   escalated nor delayed by a backoff (the restarts within the window only get fewer as time
   passes). HR then lets the kernel make it (SYS_ACTOR_ARM). */
bool hrpol_restart_at_once(const struct hrpol_group *g, const struct hrpol_tunables *t,
                           uint64_t now);

/* When the group's window holds none of its restarts any more (0: it holds none now), from
   which time on hrpol_restart_at_once holds if the group does not restart before. */
uint64_t hrpol_quiet_at(const struct hrpol_group *g, const struct hrpol_tunables *t);

/* Decides at boot whether restartable groups may be auto-started, from the site restart times
   kept in the registry (times[0..count), any order, this boot's restart included) and now;
   writes the console reason, e.g. "4 site restarts within 60 s", to reason (n bytes,
   always NUL-terminated when n > 0). Called by HR once per boot. */
struct hrpol_site_decision hrpol_site_decide(const struct hrpol_tunables *t,
                                             const uint64_t *times, uint32_t count,
                                             uint64_t now, char *reason, size_t n);
