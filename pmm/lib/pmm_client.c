/* PMM client library: pmmAllocate, pmmFree, pmmFreeAll, pmmSync over IPC to the PMM server.
   Caller pointers are checked with SYS_USER_COPY, so a bad one is K_EFAULT, never a fault. */
#include <pmm/proto.h>
#include <reprise/errors.h>
#include <reprise/sys.h>

static int pmm_port;

/* Calls the PMM server; finds its port again when it changed (after a site restart). */
static struct sys_ipc_ret pmm_call(uint32_t op, uint32_t w1, struct ipc_bufs *bufs)
{
    struct sys_ipc_ret r = { .status = K_EUNKNOWN };
    for (int attempt = 0; attempt < 2; attempt++) {
        if (pmm_port <= 0 || attempt)
            pmm_port = (int)sys_call1(SYS_PORT_LOOKUP, PORT_WK_PMM);
        if (pmm_port < 0)
            return (struct sys_ipc_ret){ .status = K_EUNKNOWN };
        r = sys_ipc_call(pmm_port, op, w1, 0, 0, bufs);
        if (r.status != K_EDEAD && r.status != K_EUNKNOWN)
            break;
    }
    if (r.status == K_OK)
        r.status = (long)(int32_t)r.w[0];
    return r;
}

KnError pmmAllocate(VmAddr *addr, PmmName *blockName, size_t memSize, PmmDelKey delKey,
                    size_t delKeySize)
{
    struct pmm_alloc_req req;
    if (delKeySize > PMM_KEY_SIZE)
        return K_EINVAL;
    /* The name is copied whole; of the key, what follows its bytes is zeroed. */
    memset(req.key + delKeySize, 0, PMM_KEY_SIZE - delKeySize);
    if (sys_user_copy(&req.name, blockName, sizeof(req.name)) || sys_user_copy(req.key, delKey, delKeySize))
        return K_EFAULT;
    req.key_len = (uint32_t)delKeySize;
    req.size = (uint32_t)memSize;
    /* *addr is offered as the reply buffer, which the server leaves empty: the kernel checks
       that it is writable before the request leaves (K_EFAULT, nothing sent), a check that
       costs less than another SYS_USER_COPY. */
    struct ipc_bufs b = { &req, sizeof(req), addr, sizeof(*addr), 0 };
    struct sys_ipc_ret r = pmm_call(PMM_OP_ALLOCATE, 0, &b);
    if (r.status == K_OK)
        *addr = (VmAddr)r.w[1];
    return (KnError)r.status;
}

int pmmFree(PmmName *blockName)
{
    PmmName name;
    if (sys_user_copy(&name, blockName, sizeof(name)))
        return K_EFAULT;
    struct ipc_bufs b = { &name, sizeof(name), 0, 0, 0 };
    return (int)pmm_call(PMM_OP_FREE, 0, &b).status;
}

int pmmFreeAll(PmmDelKey delKey, size_t delKeySize)
{
    char key[PMM_KEY_SIZE];
    if (delKeySize > PMM_KEY_SIZE)
        return K_EINVAL;
    if (sys_user_copy(key, delKey, delKeySize))
        return K_EFAULT;
    struct ipc_bufs b = { key, (uint32_t)delKeySize, 0, 0, 0 };
    return (int)pmm_call(PMM_OP_FREE_ALL, (uint32_t)delKeySize, &b).status;
}

/* pmmSync (a Reprise extension, chPmm.h): commits an NVRAM block, cleans a RAM block. */
int pmmSync(PmmName *blockName)
{
    PmmName name;
    if (sys_user_copy(&name, blockName, sizeof(name)))
        return K_EFAULT;
    struct ipc_bufs b = { &name, sizeof(name), 0, 0, 0 };
    return (int)pmm_call(PMM_OP_SYNC, 0, &b).status;
}
