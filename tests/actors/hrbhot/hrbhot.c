/* HR bench actor, hello-sized: one hot restart, crash instant -> restarted main.
     hrbhot FIGURE        prints "bench: FIGURE <ns>" after its restart (hot_restart_ns).
     hrbhot FIGURE dump   the hot restart as if the crash's post-mortem dump were written on
                          its path (hot_restart_dump_ns): crash instant -> restarted main, plus
                          the time of a request that makes HR write that dump at once (HR
                          otherwise waits for an idle CPU), which includes an IPC round trip.
                          A request first (HR_OP_STATUS) lets HR count the restart in its
                          registry, which is not the dump's cost. */
#include "../hrbench/hrbench.h"
#include <hr/dumps.h>

/* The dump measurement, called first thing in main with the CNTVCT read at main's entry:
   like hrb_restart_once, plus the time HR takes to answer a request that makes it write the
   crash's dump. */
static void hrbhot_dump_once(uint64_t t_main, const char *figure)
{
    static struct hrdump_header h;
    static struct hr_status s;
    struct hrb_state *st = hrb_block(figure, HR_GROUP_KEY, HR_GROUP_KEYSIZE);
    if (st && ++st->runs == 1) {
        st->t_crash = counter_now();
        hrb_crash();
    }
    int port = (int)sys_call1(SYS_PORT_LOOKUP, PORT_WK_HR);
    struct ipc_bufs sbufs = { 0, 0, &s, sizeof(s), 0 };
    sys_ipc_call(port, HR_OP_STATUS, 0, 0, 0, &sbufs);
    struct ipc_bufs bufs = { 0, 0, &h, sizeof(h), 0 };
    uint64_t t0 = counter_now();
    struct sys_ipc_ret r = sys_ipc_call(port, HR_OP_DUMP_INFO, 0, 0, 0, &bufs);
    uint64_t t1 = counter_now();
    if (st && r.status == K_OK && (int32_t)r.w[0] == K_OK)
        hrb_print(figure, hrb_ns(t_main - st->t_crash) + hrb_ns(t1 - t0));
    else
        printf("hrbhot: no dump to read: %ld %ld\n", (long)r.status, (long)(int32_t)r.w[0]);
    HR_EXIT_HDL();
    exit(st ? 0 : 1);
}

int main(int argc, char **argv)
{
    uint64_t t = counter_now();
    const char *figure = argc > 1 ? argv[1] : "hot_restart_ns";
    if (argc > 2 && !strcmp(argv[2], "dump"))
        hrbhot_dump_once(t, figure);
    hrb_restart_once(t, figure);
}
