/* Partner of the kernel benchmarks (kbench): on well-known port KBSRV_PORT, "echo" answers
   every call at once with the words + 1 through SYS_IPC_REPLY_RECV (a server's loop in one
   call), "split" does the same with SYS_IPC_REPLY then SYS_IPC_RECV, anything else ("bulk") also
   sends back the call's buffer (up to 4 KiB) with SYS_IPC_REPLY_RECV; "yield" gives the processor away
   for ever. */
#include <reprise/errors.h>
#include <reprise/sys.h>
#include <stdio.h>
#include <string.h>

#define KBSRV_PORT 6

static char kbsrv_buf[IPC_BUF_MAX];

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "echo";
    if (!strcmp(mode, "yield")) {
        for (;;)
            sys_call0(SYS_YIELD);
    }
    int port = (int)sys_call1(SYS_PORT_CREATE, KBSRV_PORT);
    if (port < 0) {
        printf("kbsrv: no port: %d\n", port);
        return 1;
    }
    if (!strcmp(mode, "echo")) {
        struct sys_ipc_ret m = sys_ipc_recv(port, NULL);
        for (;;)
            m = sys_ipc_reply_recv(m.r5, m.w[0] + 1, m.w[1] + 1, m.w[2] + 1, m.w[3] + 1, NULL, port);
    }
    if (!strcmp(mode, "split")) {
        struct sys_ipc_ret m = sys_ipc_recv(port, NULL);
        for (;;) {
            sys_ipc_reply(m.r5, m.w[0] + 1, m.w[1] + 1, m.w[2] + 1, m.w[3] + 1, NULL);
            m = sys_ipc_recv(port, NULL);
        }
    }
    struct ipc_bufs b = { kbsrv_buf, 0, kbsrv_buf, sizeof(kbsrv_buf), 0 };
    struct sys_ipc_ret m = { .status = K_OK };
    for (;;) {
        b.send_len = m.status == K_OK ? b.recv_len : 0;
        m = sys_ipc_reply_recv(m.status == K_OK ? m.r5 : 0, m.w[0] + 1, m.w[1] + 1, m.w[2] + 1,
                               m.w[3] + 1, &b, port);
    }
}
