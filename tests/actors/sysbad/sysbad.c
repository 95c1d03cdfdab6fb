/* Test actor: every system call with bad pointers and bad values must return its error
   and leave the kernel working. Prints one line per failed check and a summary.
   "sysbad caller PORT" is the helper it spawns to have a call to reply to. */
#include <chorus.h>
#include <reprise/rgn.h>
#include <reprise/sys.h>
#include <stdio.h>
#include <string.h>

#define SYSBAD_BAD_MAX 6

static int sysbad_checks, sysbad_failed;

static void sysbad_expect(const char *what, long got, long want)
{
    sysbad_checks++;
    if (got != want) {
        sysbad_failed++;
        printf("sysbad: FAIL %s = %ld, expected %ld\n", what, got, want);
    }
}

/* Waits until actor aid has ended (its slot no longer names it). */
static void sysbad_wait(int aid)
{
    struct actor_info info;
    while (sys_call2(SYS_ACTOR_INFO, aid % ACTOR_SLOTS - 1, (long)&info) == K_OK && info.aid == aid)
        sys_call1(SYS_DELAY, 1000);
}

/* Starts "sysbad caller PORT", which calls PORT once; returns its aid. */
static int sysbad_spawn_caller(int port)
{
    char args[32];
    int n = snprintf(args, sizeof(args), "sysbad%ccaller%c%d", 0, 0, port);
    struct actor_spawn sp;
    memset(&sp, 0, sizeof(sp));
    strcpy(sp.image, "sysbad");
    sp.argc = 3;
    sp.args_len = (uint32_t)n + 1;
    sp.args = args;
    sp.privileges = 0;
    return (int)sys_call1(SYS_ACTOR_CREATE, (long)&sp);
}

int main(int argc, char **argv)
{
    if (argc > 2 && !strcmp(argv[1], "caller")) {
        char small[8];
        struct ipc_bufs b = { 0, 0, small, sizeof(small), 0 };
        return (int)sys_ipc_call(atoi(argv[2]), 0, 0, 0, 0, &b).status;
    }
    const long text = (long)((uintptr_t)main & ~1u);
    char name[80];
    int port = (int)sys_call1(SYS_PORT_CREATE, 0);
    sysbad_expect("SYS_PORT_CREATE(0)", port > 0, 1);

    /* A region with no memory behind it is as bad a pointer as any. */
    KnRgnDesc res;
    memset(&res, 0, sizeof(res));
    res.options = K_ANYWHERE | K_RESERVED;
    res.size = ACTOR_PAGE_SIZE;
    sysbad_expect("rgnAllocate(K_RESERVED)", rgnAllocate(K_MYACTOR, &res), K_OK);

    /* NULL, a kernel address, an unmapped one, past the stack top, the stack guard page,
       a K_RESERVED region; and (for outputs) read-only text, checked below. */
    const long bad[SYSBAD_BAD_MAX] = { 0, 0x40010000, 0x20000000, 0x3ffff000,
                                       ACTOR_STACK_LOW_VADDR - ACTOR_PAGE_SIZE,
                                       (long)res.startAddr };
    for (unsigned i = 0; i < SYSBAD_BAD_MAX; i++) {
        long b = bad[i];
        struct ipc_bufs ib;
#define BAD(call, expr)                                                  \
        do {                                                             \
            snprintf(name, sizeof(name), "%s(0x%lx)", call, b);          \
            sysbad_expect(name, (expr), K_EFAULT);                       \
        } while (0)
        BAD("CONSOLE_WRITE", sys_call2(SYS_CONSOLE_WRITE, b, 10));
        BAD("CONSOLE_READ", sys_call3(SYS_CONSOLE_READ, b, 10, 1));
        BAD("RGN_ALLOCATE", sys_call2(SYS_RGN_ALLOCATE, 0, b));
        BAD("RGN_FREE", sys_call2(SYS_RGN_FREE, 0, b));
        BAD("ACTOR_CREATE", sys_call1(SYS_ACTOR_CREATE, b));
        BAD("ACTOR_INFO", sys_call2(SYS_ACTOR_INFO, 0, b));
        BAD("IMAGE_INFO", sys_call2(SYS_IMAGE_INFO, 0, b));
        BAD("BOOT_INFO", sys_call1(SYS_BOOT_INFO, b));
        BAD("MEM_INFO", sys_call1(SYS_MEM_INFO, b));
        BAD("BOOT_SCRIPT", sys_call3(SYS_BOOT_SCRIPT, 0, b, 10));
        BAD("BANK_HOLDERS", sys_call5(SYS_BANK_HOLDERS, 0x1000, 4096, 0, b, 4));
        BAD("USER_COPY dst", sys_call3(SYS_USER_COPY, b, text, 4));
        BAD("USER_COPY src", sys_call3(SYS_USER_COPY, (long)name, b, 4));
        if (b) {        /* a NULL ipc_bufs means "no buffers" */
            BAD("IPC_CALL bufs", sys_ipc_call(port, 1, 2, 3, 4, (void *)b).status);
            BAD("IPC_RECV bufs", sys_ipc_recv(port, (void *)b).status);
            BAD("IPC_REPLY_RECV bufs", sys_ipc_reply_recv(0, 0, 0, 0, 0, (void *)b, port).status);
        }
        ib = (struct ipc_bufs){ (const void *)b, 16, 0, 0, 0 };
        BAD("IPC_CALL send", sys_ipc_call(port, 0, 0, 0, 0, &ib).status);
        BAD("IPC_REPLY_RECV send", sys_ipc_reply_recv(0, 0, 0, 0, 0, &ib, port).status);
        ib = (struct ipc_bufs){ 0, 0, (void *)b, 16, 0 };
        BAD("IPC_CALL recv", sys_ipc_call(port, 0, 0, 0, 0, &ib).status);
        BAD("IPC_RECV recv", sys_ipc_recv(port, &ib).status);
        BAD("IPC_REPLY_RECV recv", sys_ipc_reply_recv(0, 0, 0, 0, 0, &ib, port).status);
#undef BAD
    }
    /* Outputs into read-only text. */
    sysbad_expect("CONSOLE_READ(text)", sys_call3(SYS_CONSOLE_READ, text, 10, 1), K_EFAULT);
    sysbad_expect("RGN_ALLOCATE(text)", sys_call2(SYS_RGN_ALLOCATE, 0, text), K_EFAULT);
    sysbad_expect("ACTOR_INFO(text)", sys_call2(SYS_ACTOR_INFO, 0, text), K_EFAULT);
    sysbad_expect("IMAGE_INFO(text)", sys_call2(SYS_IMAGE_INFO, 0, text), K_EFAULT);
    sysbad_expect("BOOT_INFO(text)", sys_call1(SYS_BOOT_INFO, text), K_EFAULT);
    sysbad_expect("MEM_INFO(text)", sys_call1(SYS_MEM_INFO, text), K_EFAULT);
    sysbad_expect("BOOT_SCRIPT(text)", sys_call3(SYS_BOOT_SCRIPT, 0, text, 10), K_EFAULT);
    sysbad_expect("USER_COPY(to text)", sys_call3(SYS_USER_COPY, text, (long)name, 4), K_EFAULT);
    static const struct ipc_bufs ro_bufs;       /* in .rodata: recv_len cannot be set */
    sysbad_expect("IPC_RECV(bufs in rodata)", sys_ipc_recv(port, (void *)&ro_bufs).status, K_EFAULT);
    struct ipc_bufs ro = { 0, 0, (void *)text, 16, 0 };
    sysbad_expect("IPC_CALL(recv into text)", sys_ipc_call(port, 0, 0, 0, 0, &ro).status, K_EFAULT);
    sysbad_expect("IPC_RECV(recv into text)", sys_ipc_recv(port, &ro).status, K_EFAULT);
    sysbad_expect("IPC_REPLY_RECV(bufs in rodata)",
                  sys_ipc_reply_recv(0, 0, 0, 0, 0, (void *)&ro_bufs, port).status, K_EFAULT);
    sysbad_expect("IPC_REPLY_RECV(recv into text)",
                  sys_ipc_reply_recv(0, 0, 0, 0, 0, &ro, port).status, K_EFAULT);
    /* A pointer that starts mapped and runs into unmapped memory. */
    sysbad_expect("CONSOLE_WRITE(text, 64 MiB)", sys_call2(SYS_CONSOLE_WRITE, text, 0x4000000), K_EFAULT);
    sysbad_expect("USER_COPY(wraps around)", sys_call3(SYS_USER_COPY, (long)name, text, -16), K_EFAULT);
    /* Spawn descriptors whose inner pointer is bad. */
    struct actor_spawn sp;
    memset(&sp, 0, sizeof(sp));
    strcpy(sp.image, "nop");
    sp.argc = 1;
    sp.args_len = 4;
    sp.args = (const char *)0x20000000;
    sysbad_expect("ACTOR_CREATE(args unmapped)", sys_call1(SYS_ACTOR_CREATE, (long)&sp), K_EFAULT);
    sp.args = (const char *)0x40010000;
    sysbad_expect("ACTOR_CREATE(args in the kernel)", sys_call1(SYS_ACTOR_CREATE, (long)&sp), K_EFAULT);

    /* A reply needs a caller: a child calls our port; its reply buffers must be good too. */
    int child = sysbad_spawn_caller(port);
    sysbad_expect("ACTOR_CREATE(sysbad caller)", child > 0, 1);
    struct sys_ipc_ret m = sys_ipc_recv(port, NULL);
    sysbad_expect("IPC_RECV(the child's call)", m.status, K_OK);
    sysbad_expect("IPC_RECV sender", (long)m.r6, child);
    for (unsigned i = 1; i < SYSBAD_BAD_MAX; i++) {
        struct ipc_bufs rb = { (const void *)bad[i], 4, 0, 0, 0 };
        snprintf(name, sizeof(name), "IPC_REPLY(bufs 0x%lx)", bad[i]);
        sysbad_expect(name, sys_ipc_reply(m.r5, 0, 0, 0, 0, (void *)bad[i]), K_EFAULT);
        snprintf(name, sizeof(name), "IPC_REPLY(send 0x%lx)", bad[i]);
        sysbad_expect(name, sys_ipc_reply(m.r5, 0, 0, 0, 0, &rb), K_EFAULT);
    }
    struct ipc_bufs big = { name, 64, 0, 0, 0 };
    sysbad_expect("IPC_REPLY(more than the caller takes)", sys_ipc_reply(m.r5, 0, 0, 0, 0, &big), K_EINVAL);
    /* SYS_IPC_REPLY_RECV: a reply that fails receives nothing (the call would wait for ever
       otherwise: no second caller comes), and leaves the caller waiting. */
    struct ipc_bufs rr = { (const void *)bad[2], 4, 0, 0, 0 };
    sysbad_expect("IPC_REPLY_RECV(send unmapped)",
                  sys_ipc_reply_recv(m.r5, 0, 0, 0, 0, &rr, port).status, K_EFAULT);
    sysbad_expect("IPC_REPLY_RECV(more than the caller takes)",
                  sys_ipc_reply_recv(m.r5, 0, 0, 0, 0, &big, port).status, K_EINVAL);
    sysbad_expect("IPC_REPLY_RECV(a token of no caller)",
                  sys_ipc_reply_recv(12345, 0, 0, 0, 0, NULL, port).status, K_EDEAD);
    sysbad_expect("IPC_REPLY_RECV(no such port)",
                  sys_ipc_reply_recv(m.r5, 0, 0, 0, 0, NULL, 12345).status, K_EUNKNOWN);
    sysbad_expect("IPC_REPLY(the child's call)", sys_ipc_reply(m.r5, 0, 0, 0, 0, NULL), K_OK);
    sysbad_wait(child);         /* so that it is gone when this actor ends */

    /* Bad values. */
    sysbad_expect("unknown call 99", sys_call0(99), K_ENOTIMP);
    sysbad_expect("unknown call SYS_COUNT", sys_call0(SYS_COUNT), K_ENOTIMP);
    sysbad_expect("unknown call -1", sys_call0(-1), K_ENOTIMP);
    KnRgnDesc r;
    memset(&r, 0, sizeof(r));
    r.options = K_ANYWHERE | K_WRITABLE;
    sysbad_expect("rgnAllocate size 0", rgnAllocate(K_MYACTOR, &r), K_EINVAL);
    r.size = 0x7fffffff;
    sysbad_expect("rgnAllocate huge", rgnAllocate(K_MYACTOR, &r), K_EINVAL);
    r.size = 0x10000000;
    sysbad_expect("rgnAllocate more than the machine has", rgnAllocate(K_MYACTOR, &r), K_ENOMEM);
    r.size = 4096;
    r.options = K_ANYWHERE | K_WRITABLE | 0x1000;
    sysbad_expect("rgnAllocate unknown option", rgnAllocate(K_MYACTOR, &r), K_EINVAL);
    r.options = K_ANYWHERE | K_WRITABLE | K_EXECUTABLE;
    sysbad_expect("rgnAllocate W+X", rgnAllocate(K_MYACTOR, &r), K_EINVAL);
    r.options = K_ANYWHERE | K_FREEALL;
    sysbad_expect("rgnAllocate K_FREEALL", rgnAllocate(K_MYACTOR, &r), K_EINVAL);
    r.options = K_WRITABLE;
    r.startAddr = 0x20000123;
    sysbad_expect("rgnAllocate misaligned", rgnAllocate(K_MYACTOR, &r), K_EINVAL);
    r.startAddr = 0x0;
    sysbad_expect("rgnAllocate page 0", rgnAllocate(K_MYACTOR, &r), K_EINVAL);
    r.startAddr = 0x3ffff000;
    r.size = 0x2000;
    sysbad_expect("rgnAllocate into the kernel", rgnAllocate(K_MYACTOR, &r), K_EINVAL);
    r.startAddr = 0xfffff000;
    sysbad_expect("rgnAllocate wrapping around", rgnAllocate(K_MYACTOR, &r), K_EINVAL);
    r.startAddr = 0x30000000;
    r.size = 4096;
    sysbad_expect("rgnAllocate in the PMM window", rgnAllocate(K_MYACTOR, &r), K_EINVAL);
    r.startAddr = (VmAddr)text & ~0xfffu;
    sysbad_expect("rgnAllocate over text", rgnAllocate(K_MYACTOR, &r), K_EEXIST);
    r.startAddr = ACTOR_STACK_LOW_VADDR;
    sysbad_expect("rgnAllocate over the stack", rgnAllocate(K_MYACTOR, &r), K_EEXIST);
    r.startAddr = 0x20000000;
    sysbad_expect("rgnAllocate fixed", rgnAllocate(K_MYACTOR, &r), K_OK);
    sysbad_expect("rgnAllocate same again", rgnAllocate(K_MYACTOR, &r), K_EEXIST);
    r.options = 0;
    sysbad_expect("rgnFree it", rgnFree(K_MYACTOR, &r), K_OK);
    r.startAddr = (VmAddr)text & ~0xfffu;
    sysbad_expect("rgnFree text", rgnFree(K_MYACTOR, &r), K_EINVAL);
    r.startAddr = ACTOR_STACK_LOW_VADDR;
    sysbad_expect("rgnFree the stack", rgnFree(K_MYACTOR, &r), K_EINVAL);
    r.options = 0x40;
    r.startAddr = 0x20000000;
    sysbad_expect("rgnFree bad option", rgnFree(K_MYACTOR, &r), K_EINVAL);
    r.options = 0;
    r.startAddr = 0x20000800;
    sysbad_expect("rgnFree misaligned", rgnFree(K_MYACTOR, &r), K_EINVAL);
    r.startAddr = 0x20000000;
    r.size = 0;
    sysbad_expect("rgnFree size 0", rgnFree(K_MYACTOR, &r), K_EINVAL);
    r.size = 4096;
    KnCap other_actor = { 12345 };
    sysbad_expect("rgnAllocate in an unknown actor", rgnAllocate(&other_actor, &r), K_EUNKNOWN);
    sysbad_expect("rgnFree in an unknown actor", rgnFree(&other_actor, &r), K_EUNKNOWN);
    sysbad_expect("PORT_CREATE(99)", sys_call1(SYS_PORT_CREATE, 99), K_EINVAL);
    sysbad_expect("PORT_CREATE(-1)", sys_call1(SYS_PORT_CREATE, -1), K_EINVAL);
    sysbad_expect("PORT_CREATE(well-known, no privilege)", sys_call1(SYS_PORT_CREATE, 1), K_EPRIV);
    int more = 1;
    while (more < 8 && sys_call1(SYS_PORT_CREATE, 0) > 0)
        more++;
    sysbad_expect("PORT_CREATE: eight ports", more, 8);
    sysbad_expect("PORT_CREATE(a ninth)", sys_call1(SYS_PORT_CREATE, 0), K_ETOOMUCH);
    sysbad_expect("PORT_LOOKUP(0)", sys_call1(SYS_PORT_LOOKUP, 0), K_EINVAL);
    sysbad_expect("PORT_LOOKUP(99)", sys_call1(SYS_PORT_LOOKUP, 99), K_EINVAL);
    sysbad_expect("PORT_LOOKUP(7)", sys_call1(SYS_PORT_LOOKUP, 7), K_EUNKNOWN);
    sysbad_expect("IPC_CALL(no such port)", sys_ipc_call(12345, 0, 0, 0, 0, NULL).status, K_EUNKNOWN);
    sysbad_expect("IPC_CALL(port 0)", sys_ipc_call(0, 0, 0, 0, 0, NULL).status, K_EUNKNOWN);
    sysbad_expect("IPC_CALL(own port)", sys_ipc_call(port, 0, 0, 0, 0, NULL).status, K_EINVAL);
    struct ipc_bufs huge = { name, IPC_BUF_MAX + 1, 0, 0, 0 };
    sysbad_expect("IPC_CALL(send > IPC_BUF_MAX)", sys_ipc_call(port, 0, 0, 0, 0, &huge).status, K_EINVAL);
    sysbad_expect("IPC_RECV(no such port)", sys_ipc_recv(12345, NULL).status, K_EUNKNOWN);
    sysbad_expect("IPC_RECV(unknown flag)", sys_ipc_recv_flags(port, NULL, 2).status, K_EINVAL);
    sysbad_expect("IPC_RECV(IPC_RECV_IDLE, not the fault port's owner)",
                  sys_ipc_recv_flags(port, NULL, IPC_RECV_IDLE).status, K_EPRIV);
    static struct actor_dump dump;
    sysbad_expect("ACTOR_DUMP(no faults privilege)",
                  sys_call4(SYS_ACTOR_DUMP, agetId(), (long)&dump, 0, 0), K_EPRIV);
    sysbad_expect("IPC_REPLY(no caller)", sys_ipc_reply(12345, 0, 0, 0, 0, NULL), K_EDEAD);
    sysbad_expect("ACTOR_KILL(12345)", sys_call1(SYS_ACTOR_KILL, 12345), K_EUNKNOWN);
    sysbad_expect("ACTOR_KILL(0)", sys_call1(SYS_ACTOR_KILL, 0), K_EUNKNOWN);
    sysbad_expect("ACTOR_INJECT(12345)", sys_call2(SYS_ACTOR_INJECT, 12345, FAULT_KIND_DATA_ABORT), K_EUNKNOWN);
    sysbad_expect("ACTOR_INJECT(self, kind 99)", sys_call2(SYS_ACTOR_INJECT, agetId(), 99), K_EINVAL);
    sysbad_expect("ACTOR_INJECT(self, exit)", sys_call2(SYS_ACTOR_INJECT, agetId(), FAULT_KIND_EXIT), K_EINVAL);
    strcpy(sp.image, "no-such-image");
    sp.args = "x";
    sp.args_len = 2;
    sysbad_expect("ACTOR_CREATE(unknown image)", sys_call1(SYS_ACTOR_CREATE, (long)&sp), K_EUNKNOWN);
    memset(sp.image, 'n', sizeof(sp.image));
    sysbad_expect("ACTOR_CREATE(image name without NUL)", sys_call1(SYS_ACTOR_CREATE, (long)&sp), K_EINVAL);
    strcpy(sp.image, "nop");
    sp.privileges = PRIV_SITE;
    sysbad_expect("ACTOR_CREATE(more privileges)", sys_call1(SYS_ACTOR_CREATE, (long)&sp), K_EPRIV);
    sp.privileges = 0;
    sp.argc = 3;
    sysbad_expect("ACTOR_CREATE(argc mismatch)", sys_call1(SYS_ACTOR_CREATE, (long)&sp), K_EINVAL);
    sp.argc = 1;
    sp.args = "xy";
    sp.args_len = 2;
    sysbad_expect("ACTOR_CREATE(args without NUL)", sys_call1(SYS_ACTOR_CREATE, (long)&sp), K_EINVAL);
    sp.args_len = ACTOR_ARGS_MAX + 1;
    sysbad_expect("ACTOR_CREATE(args too long)", sys_call1(SYS_ACTOR_CREATE, (long)&sp), K_EINVAL);
    sp.args = "x";
    sp.args_len = 2;
    sp.priority = 99;
    sysbad_expect("ACTOR_CREATE(priority 99)", sys_call1(SYS_ACTOR_CREATE, (long)&sp), K_EINVAL);
    sp.priority = 0;
    sp.flags = 0x80;
    sysbad_expect("ACTOR_CREATE(unknown flag)", sys_call1(SYS_ACTOR_CREATE, (long)&sp), K_EINVAL);
    /* A held actor runs only once released, and only once. It runs below this actor, so that
       it cannot run and end between the two releases (a tick would otherwise let it). */
    sp.flags = ACTOR_SPAWN_HELD;
    sp.priority = 1;
    int held = (int)sys_call1(SYS_ACTOR_CREATE, (long)&sp);
    sysbad_expect("ACTOR_CREATE(held)", held > 0, 1);
    struct actor_info hi;
    sysbad_expect("ACTOR_INFO(held)", sys_call2(SYS_ACTOR_INFO, held % ACTOR_SLOTS - 1, (long)&hi), K_OK);
    sysbad_expect("held actor blocked", hi.aid == held && hi.state == ACTOR_BLOCKED, 1);
    sysbad_expect("ACTOR_RELEASE(held)", sys_call1(SYS_ACTOR_RELEASE, held), K_OK);
    sysbad_expect("ACTOR_RELEASE(again)", sys_call1(SYS_ACTOR_RELEASE, held), K_EINVAL);
    sysbad_wait(held);
    sysbad_expect("ACTOR_RELEASE(ended)", sys_call1(SYS_ACTOR_RELEASE, held), K_EUNKNOWN);
    sysbad_expect("ACTOR_RELEASE(self)", sys_call1(SYS_ACTOR_RELEASE, agetId()), K_EINVAL);
    sysbad_expect("CONSOLE_MODE(bad mode)", sys_call1(SYS_CONSOLE_MODE, 6), K_EINVAL);
    sysbad_expect("SITE_RESTART", sys_call0(SYS_SITE_RESTART), K_EPRIV);
    sysbad_expect("FAULT_PORT_SET", sys_call1(SYS_FAULT_PORT_SET, port), K_EPRIV);
    sysbad_expect("ACTOR_ARM(self)", sys_call2(SYS_ACTOR_ARM, agetId(), 0), K_EPRIV);
    sysbad_expect("BANK_MAP(boot record)", sys_call5(SYS_BANK_MAP, 0, 0, 0x30000000, 4096, 1), K_EINVAL);
    sysbad_expect("BANK_MAP(misaligned)", sys_call5(SYS_BANK_MAP, 0, 0x1800, 0x30000000, 4096, 1), K_EINVAL);
    sysbad_expect("BANK_MAP(past the bank)", sys_call5(SYS_BANK_MAP, 0, 0x3ff000, 0x30000000, 0x2000, 1), K_EINVAL);
    sysbad_expect("BANK_MAP(outside the window)", sys_call5(SYS_BANK_MAP, 0, 0x1000, 0x20000000, 4096, 1), K_EINVAL);
    sysbad_expect("BANK_MAP(unknown actor)", sys_call5(SYS_BANK_MAP, 12345, 0x1000, 0x30000000, 4096, 1), K_EUNKNOWN);
    sysbad_expect("BANK_UNMAP(0, 0)", sys_call2(SYS_BANK_UNMAP, 0, 0), K_EINVAL);
    sysbad_expect("BANK_HOLDERS(text)", sys_call5(SYS_BANK_HOLDERS, 0x1000, 4096, 0, text, 4), K_EFAULT);
    sysbad_expect("BANK_HOLDERS(boot record)", sys_call5(SYS_BANK_HOLDERS, 0, 4096, 0, 0, 0), K_EINVAL);
    sysbad_expect("BANK_HOLDERS(past the bank)", sys_call5(SYS_BANK_HOLDERS, 0x3ff000, 0x2000, 0, 0, 0), K_EINVAL);
    sysbad_expect("BANK_HOLDERS(aid -1)", sys_call5(SYS_BANK_HOLDERS, 0x1000, 4096, -1, 0, 0), K_EINVAL);
    sysbad_expect("BANK_HOLDERS(max 65)", sys_call5(SYS_BANK_HOLDERS, 0x1000, 4096, 0, (long)&r, 65), K_EINVAL);
    sysbad_expect("IMAGE_INFO(999)", sys_call2(SYS_IMAGE_INFO, 999, (long)&r), K_EUNKNOWN);
    sysbad_expect("IMAGE_INFO(-1)", sys_call2(SYS_IMAGE_INFO, -1, (long)&r), K_EUNKNOWN);
    sysbad_expect("ACTOR_INFO(999)", sys_call2(SYS_ACTOR_INFO, 999, (long)&r), K_EUNKNOWN);
    sysbad_expect("ACTOR_INFO(-1)", sys_call2(SYS_ACTOR_INFO, -1, (long)&r), K_EUNKNOWN);
    sysbad_expect("BOOT_SCRIPT(past the end)", sys_call3(SYS_BOOT_SCRIPT, 0x7fffffff, 0, 10), 0);

    printf("sysbad: %d checks, %d failed\n", sysbad_checks, sysbad_failed);
    return sysbad_failed;
}
