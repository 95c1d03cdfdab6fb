/* HR bench driver (boot actor of tests/images/benchhr.image, lowest priority, actors
   privilege): starts each bench as a restart group through the HR controller, as `arun -g`
   does, and waits for the group to end before the next; then prints "bench: done".
   The bench actors print their own figures. */
#include "../hrbench/hrbench.h"

#define HRBDRIVE_WAIT_MS 20000     /* a bench group that lasts longer is reported and left */
#define HRBDRIVE_SETTLE_US 20000   /* idle time before each bench */

struct hrbdrive_bench {
    const char *image;
    const char *args[3];           /* after argv[0], NULL-terminated */
};

static const struct hrbdrive_bench hrbdrive_benches[] = {
    { "hrbhot", { "hot_restart_ns", NULL } },
    { "hrbhot", { "hot_restart_dump_ns", "dump", NULL } },
    { "hrbgroup", { "group_restart_1_ns", "1", NULL } },
    { "hrbgroup", { "group_restart_4_ns", "4", NULL } },
    { "hrbgroup", { "group_restart_16_ns", "16", NULL } },
    { "hrbd4k", { "restart_data_4k_ns", NULL } },
    { "hrbd64k", { "restart_data_64k_ns", NULL } },
    { "hrbd1m", { "restart_data_1m_ns", NULL } },
    { "hrbkick", { "watchdog_kick_ns", NULL } },
    { "hrbstate", { "restart_state_1_ns", "1", NULL } },
    { "hrbstate", { "restart_state_4_ns", "4", NULL } },
    { "hrbstate", { "restart_state_16_ns", "16", NULL } },
};

/* The HR controller's port, waiting for it to come up. */
static int hrbdrive_hr_port(void)
{
    int port;
    while ((port = (int)sys_call1(SYS_PORT_LOOKUP, PORT_WK_HR)) < 0)
        sys_call1(SYS_DELAY, 1000);
    return port;
}

/* Starts bench b as the only direct actor of group gid (HR_OP_RUN); returns the aid or K_E*. */
static int hrbdrive_run(int port, int gid, const struct hrbdrive_bench *b)
{
    static struct hr_exec_req req;
    memset(&req, 0, sizeof(req));
    strncpy(req.image, b->image, sizeof(req.image) - 1);
    const char *argv0 = b->image;
    for (int i = -1; i < 0 || b->args[i]; i++) {
        const char *a = i < 0 ? argv0 : b->args[i];
        size_t l = strlen(a) + 1;
        memcpy(req.args + req.args_len, a, l);
        req.args_len += (uint32_t)l;
        req.argc++;
    }
    struct ipc_bufs bufs = { &req, sizeof(req), 0, 0, 0 };
    struct sys_ipc_ret r = sys_ipc_call(port, HR_OP_RUN, (uint32_t)gid, 0, 0, &bufs);
    return r.status != K_OK ? (int)r.status : (int)(int32_t)r.w[0];
}

/* Tells whether HR still knows group gid. */
static int hrbdrive_group_alive(int port, int gid)
{
    static struct hr_group_info g;
    for (uint32_t i = 0; i < 64; i++) {
        struct ipc_bufs bufs = { 0, 0, &g, sizeof(g), 0 };
        struct sys_ipc_ret r = sys_ipc_call(port, HR_OP_GROUP_INFO, i, 0, 0, &bufs);
        if (r.status != K_OK || (int32_t)r.w[0] != K_OK)
            return 0;
        if (g.gid == gid)
            return 1;
    }
    return 0;
}

int main(void)
{
    int port = hrbdrive_hr_port();
    int n = (int)(sizeof(hrbdrive_benches) / sizeof(hrbdrive_benches[0]));
    for (int i = 0; i < n; i++) {
        int gid = i + 1;
        /* Each bench starts from an idle system, as a crash in service does: what the CPU
           does while idle (HR's reports of the bench before, the pages the kernel zeroes
           ahead) is done, and not inside the next bench's window. */
        sys_call1(SYS_DELAY, HRBDRIVE_SETTLE_US);
        int aid = hrbdrive_run(port, gid, &hrbdrive_benches[i]);
        if (aid < 0) {
            printf("hrbdrive: cannot start %s: %d\n", hrbdrive_benches[i].image, aid);
            continue;
        }
        int ms = 0;
        while (hrbdrive_group_alive(port, gid) && ms < HRBDRIVE_WAIT_MS) {
            sys_call1(SYS_DELAY, 5000);
            ms += 5;
        }
        if (ms >= HRBDRIVE_WAIT_MS)
            printf("hrbdrive: group %d (%s) did not end\n", gid, hrbdrive_benches[i].image);
    }
    printf("bench: done\n");
    return 0;
}
