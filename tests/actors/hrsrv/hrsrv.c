/* Restartable IPC server for the HR stale-id scenario: each run creates a fresh port and
   answers calls on it; its old port dies with the old incarnation.

     hrsrv: run N, aid A, port P
   Calls (first word): 1 -> reply N (the run number); 2 -> a data abort in the middle of the
   call (the caller gets K_EDEAD); anything else -> K_EINVAL. */
#include "../hrtest/hrtest.h"

int main(void)
{
    int aid = agetId();
    uint32_t *runs = hrt_block("hrsrv", "hrsrv", sizeof(*runs), HR_GROUP_KEY, HR_GROUP_KEYSIZE);
    if (!runs) {
        HR_EXIT_HDL();
        exit(1);
    }
    uint32_t run = ++*runs;
    int port = (int)sys_call1(SYS_PORT_CREATE, 0);
    printf("hrsrv: run %lu, aid %d, port %d\n", (unsigned long)run, aid, port);
    if (port < 0) {
        HR_EXIT_HDL();
        exit(1);
    }
    for (;;) {
        struct sys_ipc_ret m = sys_ipc_recv(port, NULL);
        if (m.status != K_OK)
            continue;
        if (m.w[0] == 2) {
            printf("hrsrv: crashing in a call from aid %lu\n", (unsigned long)m.r6);
            hrt_fault("data");
        }
        sys_ipc_reply(m.r5, m.w[0] == 1 ? run : (uint32_t)K_EINVAL, 0, 0, 0, NULL);
    }
}
