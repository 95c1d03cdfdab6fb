/* Test actor: every system call with bad pointers and bad values must return its error
   and leave the kernel working. Prints one line per failed check and a summary. */
#include <chorus.h>
#include <reprise/rgn.h>
#include <reprise/sys.h>
#include <stdio.h>
#include <string.h>

static int sysbad_checks, sysbad_failed;

static void sysbad_expect(const char *what, long got, long want)
{
    sysbad_checks++;
    if (got != want) {
        sysbad_failed++;
        printf("sysbad: FAIL %s = %ld, expected %ld\n", what, got, want);
    }
}

int main(void)
{
    /* NULL, a kernel address, an unmapped one, and (for outputs) read-only text. */
    const long bad[] = { 0, 0x40010000, 0x20000000, 0x3ffff000 };
    const long text = (long)((uintptr_t)main & ~1u);
    char name[64];
    int port = (int)sys_call1(SYS_PORT_CREATE, 0);
    sysbad_expect("SYS_PORT_CREATE(0)", port > 0, 1);

    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        long b = bad[i];
        snprintf(name, sizeof(name), "CONSOLE_WRITE(0x%lx)", b);
        sysbad_expect(name, sys_call2(SYS_CONSOLE_WRITE, b, 10), K_EFAULT);
        snprintf(name, sizeof(name), "CONSOLE_READ(0x%lx)", b);
        sysbad_expect(name, sys_call3(SYS_CONSOLE_READ, b, 10, 1), K_EFAULT);
        snprintf(name, sizeof(name), "RGN_ALLOCATE(0x%lx)", b);
        sysbad_expect(name, sys_call2(SYS_RGN_ALLOCATE, 0, b), K_EFAULT);
        snprintf(name, sizeof(name), "RGN_FREE(0x%lx)", b);
        sysbad_expect(name, sys_call2(SYS_RGN_FREE, 0, b), K_EFAULT);
        snprintf(name, sizeof(name), "ACTOR_CREATE(0x%lx)", b);
        sysbad_expect(name, sys_call1(SYS_ACTOR_CREATE, b), K_EFAULT);
        snprintf(name, sizeof(name), "ACTOR_INFO(0x%lx)", b);
        sysbad_expect(name, sys_call2(SYS_ACTOR_INFO, 0, b), K_EFAULT);
        snprintf(name, sizeof(name), "IPC_CALL(bufs 0x%lx)", b);
        if (b)
            sysbad_expect(name, sys_ipc_call(port, 1, 2, 3, 4, (void *)b).status, K_EFAULT);
        snprintf(name, sizeof(name), "IPC_RECV(bufs 0x%lx)", b);
        if (b)
            sysbad_expect(name, sys_ipc_recv(port, (void *)b).status, K_EFAULT);
        snprintf(name, sizeof(name), "IMAGE_INFO(0x%lx)", b);
        sysbad_expect(name, sys_call2(SYS_IMAGE_INFO, 0, b), K_EFAULT);
        snprintf(name, sizeof(name), "BOOT_INFO(0x%lx)", b);
        sysbad_expect(name, sys_call1(SYS_BOOT_INFO, b), K_EFAULT);
        snprintf(name, sizeof(name), "MEM_INFO(0x%lx)", b);
        sysbad_expect(name, sys_call1(SYS_MEM_INFO, b), K_EFAULT);
    }
    /* Outputs into read-only text. */
    sysbad_expect("CONSOLE_READ(text)", sys_call3(SYS_CONSOLE_READ, text, 10, 1), K_EFAULT);
    sysbad_expect("RGN_ALLOCATE(text)", sys_call2(SYS_RGN_ALLOCATE, 0, text), K_EFAULT);
    sysbad_expect("ACTOR_INFO(text)", sys_call2(SYS_ACTOR_INFO, 0, text), K_EFAULT);
    sysbad_expect("MEM_INFO(text)", sys_call1(SYS_MEM_INFO, text), K_EFAULT);
    /* A pointer that starts mapped and runs into unmapped memory. */
    sysbad_expect("CONSOLE_WRITE(text, 64 MiB)", sys_call2(SYS_CONSOLE_WRITE, text, 0x4000000), K_EFAULT);
    /* Spawn descriptors whose inner pointer is bad. */
    struct actor_spawn sp;
    memset(&sp, 0, sizeof(sp));
    strcpy(sp.image, "nop");
    sp.argc = 1;
    sp.args_len = 4;
    sp.args = (const char *)0x20000000;
    sysbad_expect("ACTOR_CREATE(args unmapped)", sys_call1(SYS_ACTOR_CREATE, (long)&sp), K_EFAULT);
    /* IPC buffers whose inner pointers are bad. */
    struct ipc_bufs ib = { (const void *)0x40010000, 16, 0, 0, 0 };
    int other = (int)sys_call1(SYS_PORT_LOOKUP, 5);
    if (other > 0)
        sysbad_expect("IPC_CALL(send buffer in the kernel)", sys_ipc_call(other, 0, 0, 0, 0, &ib).status, K_EFAULT);

    /* Bad values. */
    sysbad_expect("unknown call 99", sys_call0(99), K_ENOTIMP);
    sysbad_expect("unknown call -1", sys_call0(-1), K_ENOTIMP);
    KnRgnDesc r;
    memset(&r, 0, sizeof(r));
    r.options = K_ANYWHERE | K_WRITABLE;
    sysbad_expect("rgnAllocate size 0", rgnAllocate(K_MYACTOR, &r), K_EINVAL);
    r.size = 0x7fffffff;
    sysbad_expect("rgnAllocate huge", rgnAllocate(K_MYACTOR, &r), K_EINVAL);
    r.size = 4096;
    r.options = K_ANYWHERE | K_WRITABLE | 0x1000;
    sysbad_expect("rgnAllocate unknown option", rgnAllocate(K_MYACTOR, &r), K_EINVAL);
    r.options = K_ANYWHERE | K_WRITABLE | K_EXECUTABLE;
    sysbad_expect("rgnAllocate W+X", rgnAllocate(K_MYACTOR, &r), K_EINVAL);
    r.options = K_WRITABLE;
    r.startAddr = 0x20000123;
    sysbad_expect("rgnAllocate misaligned", rgnAllocate(K_MYACTOR, &r), K_EINVAL);
    r.startAddr = 0x0;
    sysbad_expect("rgnAllocate page 0", rgnAllocate(K_MYACTOR, &r), K_EINVAL);
    r.startAddr = 0x3ffff000;
    r.size = 0x2000;
    sysbad_expect("rgnAllocate into the kernel", rgnAllocate(K_MYACTOR, &r), K_EINVAL);
    r.startAddr = 0x30000000;
    r.size = 4096;
    sysbad_expect("rgnAllocate in the PMM window", rgnAllocate(K_MYACTOR, &r), K_EINVAL);
    r.startAddr = (VmAddr)text & ~0xfffu;
    sysbad_expect("rgnAllocate over text", rgnAllocate(K_MYACTOR, &r), K_EEXIST);
    r.startAddr = 0x20000000;
    sysbad_expect("rgnAllocate fixed", rgnAllocate(K_MYACTOR, &r), K_OK);
    sysbad_expect("rgnAllocate same again", rgnAllocate(K_MYACTOR, &r), K_EEXIST);
    sysbad_expect("rgnFree it", rgnFree(K_MYACTOR, &r), K_OK);
    r.startAddr = (VmAddr)text & ~0xfffu;
    sysbad_expect("rgnFree text", rgnFree(K_MYACTOR, &r), K_EINVAL);
    r.options = 0x40;
    r.startAddr = 0x20000000;
    sysbad_expect("rgnFree bad option", rgnFree(K_MYACTOR, &r), K_EINVAL);
    KnCap other_actor = { 12345 };
    r.options = 0;
    sysbad_expect("rgnAllocate in an unknown actor", rgnAllocate(&other_actor, &r), K_EUNKNOWN);
    sysbad_expect("PORT_CREATE(99)", sys_call1(SYS_PORT_CREATE, 99), K_EINVAL);
    sysbad_expect("PORT_CREATE(well-known, no privilege)", sys_call1(SYS_PORT_CREATE, 1), K_EPRIV);
    sysbad_expect("PORT_LOOKUP(7)", sys_call1(SYS_PORT_LOOKUP, 7), K_EUNKNOWN);
    sysbad_expect("IPC_CALL(no such port)", sys_ipc_call(12345, 0, 0, 0, 0, NULL).status, K_EUNKNOWN);
    sysbad_expect("IPC_CALL(own port)", sys_ipc_call(port, 0, 0, 0, 0, NULL).status, K_EINVAL);
    sysbad_expect("IPC_REPLY(no caller)", sys_ipc_reply(12345, 0, 0, 0, 0, NULL), K_EDEAD);
    sysbad_expect("ACTOR_KILL(12345)", sys_call1(SYS_ACTOR_KILL, 12345), K_EUNKNOWN);
    strcpy(sp.image, "no-such-image");
    sp.args = "x";
    sp.args_len = 2;
    sysbad_expect("ACTOR_CREATE(unknown image)", sys_call1(SYS_ACTOR_CREATE, (long)&sp), K_EUNKNOWN);
    strcpy(sp.image, "nop");
    sp.privileges = PRIV_SITE;
    sysbad_expect("ACTOR_CREATE(more privileges)", sys_call1(SYS_ACTOR_CREATE, (long)&sp), K_EPRIV);
    sp.privileges = 0;
    sp.argc = 3;
    sysbad_expect("ACTOR_CREATE(argc mismatch)", sys_call1(SYS_ACTOR_CREATE, (long)&sp), K_EINVAL);
    sysbad_expect("SITE_RESTART", sys_call0(SYS_SITE_RESTART), K_EPRIV);
    sysbad_expect("FAULT_PORT_SET", sys_call1(SYS_FAULT_PORT_SET, port), K_EPRIV);
    sysbad_expect("BANK_MAP(boot record)", sys_call5(SYS_BANK_MAP, 0, 0, 0x30000000, 4096, 1), K_EINVAL);
    sysbad_expect("BANK_MAP(misaligned)", sys_call5(SYS_BANK_MAP, 0, 0x1800, 0x30000000, 4096, 1), K_EINVAL);
    sysbad_expect("BANK_MAP(past the bank)", sys_call5(SYS_BANK_MAP, 0, 0x3ff000, 0x30000000, 0x2000, 1), K_EINVAL);
    sysbad_expect("BANK_MAP(outside the window)", sys_call5(SYS_BANK_MAP, 0, 0x1000, 0x20000000, 4096, 1), K_EINVAL);
    sysbad_expect("BANK_UNMAP(0, 0)", sys_call2(SYS_BANK_UNMAP, 0, 0), K_EINVAL);
    sysbad_expect("IMAGE_INFO(999)", sys_call2(SYS_IMAGE_INFO, 999, (long)&r), K_EUNKNOWN);
    sysbad_expect("ACTOR_INFO(999)", sys_call2(SYS_ACTOR_INFO, 999, (long)&r), K_EUNKNOWN);

    printf("sysbad: %d checks, %d failed\n", sysbad_checks, sysbad_failed);
    return sysbad_failed;
}
