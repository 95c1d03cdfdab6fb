/* Test IPC server on well-known port 5: op 1 echoes (words + 1, buffer upper-cased),
   op 2 exits without replying (its caller must get K_EDEAD), op 3 replies after 100 ms. */
#include <ctype.h>
#include <reprise/errors.h>
#include <reprise/sys.h>
#include <stdio.h>

#define IPCSRV_PORT 5

int main(void)
{
    char buf[256];
    int port = (int)sys_call1(SYS_PORT_CREATE, IPCSRV_PORT);
    printf("ipcsrv: port %d\n", port);
    if (port < 0)
        return 1;
    for (;;) {
        struct ipc_bufs b = { 0, 0, buf, sizeof(buf), 0 };
        struct sys_ipc_ret m = sys_ipc_recv(port, &b);
        if (m.status != K_OK) {
            printf("ipcsrv: recv failed %ld\n", m.status);
            return 1;
        }
        if (m.w[0] == 2) {
            printf("ipcsrv: dying in the middle of a call from aid %lu\n", (unsigned long)m.r6);
            return 0;
        }
        if (m.w[0] == 3)
            sys_call1(SYS_DELAY, 100000);
        for (uint32_t i = 0; i < b.recv_len; i++)
            buf[i] = (char)toupper((unsigned char)buf[i]);
        struct ipc_bufs r = { buf, b.recv_len, 0, 0, 0 };
        long st = sys_ipc_reply(m.r5, m.w[0] + 1, m.w[1] + 1, m.w[2] + 1, m.w[3] + 1, &r);
        if (st != K_OK)
            printf("ipcsrv: reply to aid %lu failed: %ld\n", (unsigned long)m.r6, st);
    }
}
