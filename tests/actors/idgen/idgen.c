/* Test actor of ids across boots (tests/qemu/test_protect_kernel.py): reuses one actor slot
   and one port slot more than 1024 times, keeps every id it saw in a persistent block, and
   after a site restart checks that no new id is one of them.

     idgen record N   spawns N children one after the other (each takes the same slot: it is
                      above idgen's priority, so it ends before the next is made); each child
                      creates a port and sends its id; keeps the N actor ids and N port ids
                      in the block "idgen": "idgen: recorded N aids (last A) and N ports
                      (last P)"
     idgen check      does the same again and compares: "idgen: check: N new aids, N new
                      ports, C collisions; stale aid E1, stale port E2" (E1: what killing the
                      last recorded aid gives, E2: what calling its last port gives), then
                      frees the block.
     idgen child P    (spawned) creates a port, sends its id to port P, exits. */
#include <chorus.h>
#include <pmm/chPmm.h>
#include <reprise/abi.h>
#include <reprise/errors.h>
#include <reprise/sys.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IDGEN_MAX 2048
#define IDGEN_CHILD_PRIO 12     /* above the default (8): a child runs to its end at once */

struct idgen_ids {
    uint32_t n;
    int32_t aids[IDGEN_MAX];
    int32_t ports[IDGEN_MAX];
};

static struct idgen_ids idgen_now;

/* Spawns one child reporting to port; returns its aid or K_E*. */
static int idgen_spawn(int port)
{
    static char args[32];
    struct actor_spawn sp;
    int len = snprintf(args, sizeof(args), "idgen%cchild%c%d", 0, 0, port) + 1;
    memset(&sp, 0, sizeof(sp));
    strcpy(sp.image, "idgen");
    sp.argc = 3;
    sp.args_len = (uint32_t)len;
    sp.args = args;
    sp.privileges = 0;
    sp.priority = IDGEN_CHILD_PRIO;
    return (int)sys_call1(SYS_ACTOR_CREATE, (long)&sp);
}

/* Makes n children one after the other and keeps their actor and port ids in *ids;
   returns 0 or the first error. */
static int idgen_run(uint32_t n, struct idgen_ids *ids)
{
    int port = (int)sys_call1(SYS_PORT_CREATE, 0);
    if (port < 0)
        return port;
    ids->n = 0;
    while (ids->n < n) {
        int aid = idgen_spawn(port);
        if (aid < 0)
            return aid;
        struct sys_ipc_ret m = sys_ipc_recv(port, NULL);
        if (m.status != K_OK || (int32_t)m.r6 != aid)
            return m.status != K_OK ? (int)m.status : K_EINVAL;
        ids->aids[ids->n] = aid;
        ids->ports[ids->n] = (int32_t)m.w[0];
        ids->n++;
        sys_ipc_reply(m.r5, 0, 0, 0, 0, NULL);
    }
    return 0;
}

/* The persistent block that keeps the recorded ids. */
static struct idgen_ids *idgen_block(void)
{
    PmmName name;
    VmAddr addr = 0;
    memset(&name, 0, sizeof(name));
    strcpy(name.medium, "RAM");
    strcpy(name.name, "idgen");
    if (pmmAllocate(&addr, &name, sizeof(struct idgen_ids), "idgen", 6) != K_OK)
        return NULL;
    return (struct idgen_ids *)addr;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    if (strcmp(mode, "child") == 0 && argc > 2) {
        int mine = (int)sys_call1(SYS_PORT_CREATE, 0);
        sys_ipc_call(atoi(argv[2]), (uint32_t)mine, 0, 0, 0, NULL);
        return 0;
    }
    struct idgen_ids *kept = idgen_block();
    if (!kept) {
        printf("idgen: no block\n");
        return 1;
    }
    if (strcmp(mode, "record") == 0 && argc > 2) {
        uint32_t n = (uint32_t)atoi(argv[2]);
        int r = idgen_run(n > IDGEN_MAX ? IDGEN_MAX : n, kept);
        printf("idgen: recorded %lu aids (last %ld) and %lu ports (last %ld), error %d\n",
               (unsigned long)kept->n, (long)kept->aids[kept->n - 1], (unsigned long)kept->n,
               (long)kept->ports[kept->n - 1], r);
        return 0;
    }
    if (strcmp(mode, "check") == 0) {
        int r = idgen_run(kept->n, &idgen_now);
        uint32_t collisions = 0;
        for (uint32_t i = 0; i < idgen_now.n; i++)
            for (uint32_t k = 0; k < kept->n; k++)
                collisions += (idgen_now.aids[i] == kept->aids[k]) +
                              (idgen_now.ports[i] == kept->ports[k]);
        long stale_aid = sys_call1(SYS_ACTOR_KILL, kept->aids[kept->n - 1]);
        struct sys_ipc_ret stale_port = sys_ipc_call(kept->ports[kept->n - 1], 0, 0, 0, 0, NULL);
        printf("idgen: check: %lu new aids, %lu new ports, %lu collisions; stale aid %ld, "
               "stale port %ld, error %d\n", (unsigned long)idgen_now.n,
               (unsigned long)idgen_now.n, (unsigned long)collisions, stale_aid,
               stale_port.status, r);
        PmmName name;
        memset(&name, 0, sizeof(name));
        strcpy(name.medium, "RAM");
        strcpy(name.name, "idgen");
        printf("idgen: block freed: %d\n", pmmFree(&name));
        return 0;
    }
    printf("usage: idgen record N | check | child PORT\n");
    return 2;
}
