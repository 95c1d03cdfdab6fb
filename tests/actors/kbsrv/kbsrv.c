/* Partner of the kernel benchmarks (kbench): "echo" answers every call on well-known port
   KBSRV_PORT at once with the words + 1; "yield" gives the processor away for ever. */
#include <reprise/errors.h>
#include <reprise/sys.h>
#include <stdio.h>
#include <string.h>

#define KBSRV_PORT 6

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
    struct sys_ipc_ret m = sys_ipc_recv(port, NULL);
    for (;;) {
        sys_ipc_reply(m.r5, m.w[0] + 1, m.w[1] + 1, m.w[2] + 1, m.w[3] + 1, NULL);
        m = sys_ipc_recv(port, NULL);
    }
}
