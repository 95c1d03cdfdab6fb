/* Test IPC client of ipcsrv:
     echo TEXT    four words and TEXT; prints the reply;
     die          the server exits in the middle of the call: K_EDEAD;
     slow         the server holds the call (a scenario kills this client, or the server);
     release      asks the server to answer the held call; prints how that went;
     fast N       N calls of four words and no buffer (the IPC fast path); prints how many
                  replies were wrong;
     steal        a reply-and-receive on the server's port (not its own: K_EPRIV);
     stale PORT   calls a port id whose server is gone: K_EDEAD. */
#include <reprise/errors.h>
#include <reprise/sys.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    const char *op = argc > 1 ? argv[1] : "echo";
    char reply[64] = { 0 };
    if (!strcmp(op, "stale") && argc > 2) {
        int port = atoi(argv[2]);
        struct sys_ipc_ret r = sys_ipc_call(port, 1, 0, 0, 0, NULL);
        printf("ipccli: call to old port %d returned %ld\n", port, r.status);
        return 0;
    }
    int port = (int)sys_call1(SYS_PORT_LOOKUP, 5);
    printf("ipccli: server port %d\n", port);
    if (!strcmp(op, "echo")) {
        const char *text = argc > 2 ? argv[2] : "hello";
        struct ipc_bufs b = { text, (uint32_t)strlen(text), reply, sizeof(reply) - 1, 0 };
        struct sys_ipc_ret r = sys_ipc_call(port, 1, 10, 20, 30, &b);
        printf("ipccli: echo status %ld words %lu %lu %lu %lu bytes %lu '%s'\n", r.status,
               (unsigned long)r.w[0], (unsigned long)r.w[1], (unsigned long)r.w[2],
               (unsigned long)r.w[3], (unsigned long)r.r5, reply);
    } else if (!strcmp(op, "die")) {
        struct sys_ipc_ret r = sys_ipc_call(port, 2, 0, 0, 0, NULL);
        printf("ipccli: call to a server that died returned %ld\n", r.status);
    } else if (!strcmp(op, "slow")) {
        printf("ipccli: waiting for a slow reply\n");
        struct sys_ipc_ret r = sys_ipc_call(port, 3, 0, 0, 0, NULL);
        printf("ipccli: slow reply %ld\n", r.status);
    } else if (!strcmp(op, "release")) {
        struct sys_ipc_ret r = sys_ipc_call(port, 4, 0, 0, 0, NULL);
        printf("ipccli: release status %ld, held reply %ld\n", r.status, (long)(int32_t)r.w[0]);
    } else if (!strcmp(op, "fast")) {
        uint32_t n = argc > 2 ? (uint32_t)atoi(argv[2]) : 100, wrong = 0;
        for (uint32_t i = 0; i < n; i++) {
            struct sys_ipc_ret r = sys_ipc_call(port, 5, i, n - 1 - i, 0x7000 + i, NULL);
            wrong += r.status != K_OK || r.w[0] != 6 || r.w[1] != i + 1 || r.w[2] != n - i ||
                     r.w[3] != 0x7001 + i || r.r5 != 0;
        }
        printf("ipccli: %lu fast calls, %lu wrong\n", (unsigned long)n, (unsigned long)wrong);
    } else if (!strcmp(op, "steal")) {
        struct sys_ipc_ret r = sys_ipc_reply_recv(0, 0, 0, 0, 0, NULL, port);
        printf("ipccli: reply-and-receive on the server's port returned %ld\n", r.status);
    } else {
        printf("ipccli: unknown op %s\n", op);
        return 2;
    }
    return 0;
}
