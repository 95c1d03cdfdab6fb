/* Test IPC server on well-known port 5. Ops, in the first message word:
     1 echo: words + 1, buffer upper-cased;
     2 die: exits without replying (its caller must get K_EDEAD);
     3 hold: keeps the call unanswered (so that a scenario can kill the caller meanwhile);
     4 release: answers the held call, then tells the releaser how that went (word 0). */
#include <ctype.h>
#include <reprise/errors.h>
#include <reprise/sys.h>
#include <stdio.h>

#define IPCSRV_PORT 5

enum { IPCSRV_ECHO = 1, IPCSRV_DIE, IPCSRV_HOLD, IPCSRV_RELEASE };

int main(void)
{
    char buf[256];
    uint32_t held_token = 0, held_aid = 0;
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
        long st;
        switch (m.w[0]) {
        case IPCSRV_DIE:
            printf("ipcsrv: dying in the middle of a call from aid %lu\n", (unsigned long)m.r6);
            return 0;
        case IPCSRV_HOLD:
            held_token = m.r5;
            held_aid = m.r6;
            printf("ipcsrv: holding the call from aid %lu\n", (unsigned long)held_aid);
            continue;
        case IPCSRV_RELEASE:
            st = held_token ? sys_ipc_reply(held_token, 0, 0, 0, 0, NULL) : K_EINVAL;
            if (st != K_OK)
                printf("ipcsrv: reply to aid %lu failed: %ld\n", (unsigned long)held_aid, st);
            else
                printf("ipcsrv: released the call from aid %lu\n", (unsigned long)held_aid);
            held_token = held_aid = 0;
            sys_ipc_reply(m.r5, (uint32_t)st, 0, 0, 0, NULL);
            continue;
        default:
            break;
        }
        for (uint32_t i = 0; i < b.recv_len; i++)
            buf[i] = (char)toupper((unsigned char)buf[i]);
        struct ipc_bufs r = { buf, b.recv_len, 0, 0, 0 };
        st = sys_ipc_reply(m.r5, m.w[0] + 1, m.w[1] + 1, m.w[2] + 1, m.w[3] + 1, &r);
        if (st != K_OK)
            printf("ipcsrv: reply to aid %lu failed: %ld\n", (unsigned long)m.r6, st);
    }
}
