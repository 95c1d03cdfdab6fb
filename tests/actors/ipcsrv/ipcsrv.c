/* Test IPC server on well-known port 5, answering with SYS_IPC_REPLY_RECV (a server's loop in
   one call). Ops, in the first message word:
     1 echo: words + 1, buffer upper-cased;
     2 die: exits without replying (its caller must get K_EDEAD);
     3 hold: keeps the call unanswered (so that a scenario can kill the caller meanwhile);
     4 release: answers the held call, then tells the releaser how that went (word 0);
     5 fast: words + 1, no buffer; while the third word says more such calls follow, the next
       receive takes no buffer either (the IPC fast path, both ways). */
#include <ctype.h>
#include <reprise/errors.h>
#include <reprise/sys.h>
#include <stdio.h>

#define IPCSRV_PORT 5

enum { IPCSRV_ECHO = 1, IPCSRV_DIE, IPCSRV_HOLD, IPCSRV_RELEASE, IPCSRV_FAST };

int main(void)
{
    char buf[256];
    uint32_t held_token = 0, held_aid = 0;
    int port = (int)sys_call1(SYS_PORT_CREATE, IPCSRV_PORT);
    printf("ipcsrv: port %d\n", port);
    if (port < 0)
        return 1;
    struct ipc_bufs b = { buf, 0, buf, sizeof(buf), 0 };
    struct sys_ipc_ret m = sys_ipc_recv(port, &b);
    for (;;) {
        if (m.status != K_OK) {
            printf("ipcsrv: recv failed %ld\n", m.status);
            return 1;
        }
        uint32_t token = m.r5, w[4] = { m.w[0] + 1, m.w[1] + 1, m.w[2] + 1, m.w[3] + 1 };
        struct ipc_bufs *next = &b;
        long st;
        b.send_len = 0;
        switch (m.w[0]) {
        case IPCSRV_DIE:
            printf("ipcsrv: dying in the middle of a call from aid %lu\n", (unsigned long)m.r6);
            return 0;
        case IPCSRV_HOLD:
            held_token = m.r5;
            held_aid = m.r6;
            printf("ipcsrv: holding the call from aid %lu\n", (unsigned long)held_aid);
            token = 0;          /* no reply now: only the next receive */
            break;
        case IPCSRV_RELEASE:
            st = held_token ? sys_ipc_reply(held_token, 0, 0, 0, 0, NULL) : K_EINVAL;
            if (st != K_OK)
                printf("ipcsrv: reply to aid %lu failed: %ld\n", (unsigned long)held_aid, st);
            else
                printf("ipcsrv: released the call from aid %lu\n", (unsigned long)held_aid);
            held_token = held_aid = 0;
            w[0] = (uint32_t)st;
            w[1] = w[2] = w[3] = 0;
            break;
        case IPCSRV_FAST:
            if (m.w[2])
                next = NULL;
            break;
        default:
            for (uint32_t i = 0; i < b.recv_len; i++)
                buf[i] = (char)toupper((unsigned char)buf[i]);
            b.send_len = b.recv_len;
            break;
        }
        uint32_t sender = m.r6;
        m = sys_ipc_reply_recv(token, w[0], w[1], w[2], w[3], next, port);
        if (m.status != K_OK) {     /* nothing received */
            printf("ipcsrv: reply to aid %lu or receive failed: %ld\n", (unsigned long)sender,
                   m.status);
            b.send_len = 0;
            m = sys_ipc_recv(port, &b);
        }
    }
}
