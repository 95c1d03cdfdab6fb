/* HR bench driver of tests/images/benchhrsite.image (boot actor, lowest priority, actors and
   site privileges): site restart, reset request -> every group back in main.

   Cold boot: starts HRBSITE_GROUPS restart groups of one hrbsmem each (as `arun -g` does),
   waits until all are in main, records the request instant in block "hrbsite" and asks for
   a site restart. Warm boot: HR restarts the groups by itself; once all are back in main it
   prints "bench: site_restart_ns <ns>", kills the groups and prints "bench: done". */
#include "../hrbench/hrbench.h"

#define HRBSITE_GROUPS  4
#define HRBSITE_KEY     "HRBSITE"
#define HRBSITE_WAIT_MS 20000

/* Waits (up to HRBSITE_WAIT_MS) until n members have noted their main entry in st. */
static int hrbsite_wait_up(volatile struct hrb_state *st, uint32_t n)
{
    for (int ms = 0; st->up < n; ms++) {
        if (ms == HRBSITE_WAIT_MS) {
            printf("hrbsite: only %lu of %lu groups came up\n", (unsigned long)st->up,
                   (unsigned long)n);
            return 0;
        }
        sys_call1(SYS_DELAY, 1000);
    }
    return 1;
}

/* Starts hrbsmem as the direct actor of group gid through HR (HR_OP_RUN); aid or K_E*. */
static int hrbsite_run(int port, int gid)
{
    static struct hr_exec_req req;
    memset(&req, 0, sizeof(req));
    strcpy(req.image, "hrbsmem");
    strcpy(req.args, "hrbsmem");
    req.argc = 1;
    req.args_len = sizeof("hrbsmem");
    struct ipc_bufs bufs = { &req, sizeof(req), 0, 0, 0 };
    struct sys_ipc_ret r = sys_ipc_call(port, HR_OP_RUN, (uint32_t)gid, 0, 0, &bufs);
    return r.status != K_OK ? (int)r.status : (int)(int32_t)r.w[0];
}

int main(void)
{
    struct boot_info bi;
    int port;
    sys_call1(SYS_BOOT_INFO, (long)&bi);
    while ((port = (int)sys_call1(SYS_PORT_LOOKUP, PORT_WK_HR)) < 0)
        sys_call1(SYS_DELAY, 1000);
    struct hrb_state *st = hrb_block("hrbsite", HRBSITE_KEY, sizeof(HRBSITE_KEY));
    if (!st)
        return 1;
    if (bi.kind == 0) {
        for (int gid = 1; gid <= HRBSITE_GROUPS; gid++) {
            int aid = hrbsite_run(port, gid);
            if (aid < 0)
                printf("hrbsite: cannot start group %d: %d\n", gid, aid);
        }
        if (!hrbsite_wait_up(st, HRBSITE_GROUPS))
            return 1;
        st->up = 0;
        st->t_last = 0;
        st->t_crash = counter_now();
        long err = sys_call0(SYS_SITE_RESTART);
        printf("hrbsite: site restart refused: %ld\n", err);
        return 1;
    }
    if (hrbsite_wait_up(st, HRBSITE_GROUPS))
        hrb_print("site_restart_ns", hrb_ns(st->t_last - st->t_crash));
    for (int gid = 1; gid <= HRBSITE_GROUPS; gid++)
        hrKillGroup(gid);
    printf("bench: done\n");
    return 0;
}
