/* System call numbers and register convention: the user/kernel ABI.
 *
 * "svc #0" with the call number in r7 and arguments in r0-r5. The result is in r0
 * (K_OK or a value >= 0 on success, a negative K_E* code on failure); IPC calls also
 * return message words in r1-r4 and a length or token in r5, r6. r7 is clobbered.
 *
 * A pointer argument the caller may not use gives K_EFAULT. One on a demand-zero stack page
 * the caller never touched gives K_ENOMEM when the page pool is empty (the pointer is good,
 * memory ran out). Running out of a kernel table gives K_ETOOMUCH, out of pages K_ENOMEM. */
#pragma once

enum sys_number {
    SYS_NULL = 0,          /* () -> K_OK; the cheapest round trip, for benchmarks */
    SYS_EXIT,              /* (int status) -> does not return */
    SYS_CONSOLE_WRITE,     /* (const char *buf, size_t len) -> bytes written (at most 4096 a call) */
    SYS_CONSOLE_READ,      /* (char *buf, size_t len, uint32_t flags) -> bytes read: a whole line at
                              most in cooked mode, 0 at ctrl-D (end of file); blocks for >= 1
                              unless CONSOLE_READ_NONBLOCK. The first read makes the caller the
                              console's foreground (it gets what is typed until it ends or
                              ctrl-C); K_EBUSY while another actor has it, or after ctrl-C */
    SYS_ACTOR_SELF,        /* () -> the caller's actor id */
    SYS_DELAY,             /* (uint32_t microseconds) -> K_OK after at least that long */
    SYS_YIELD,             /* () -> K_OK */
    SYS_RGN_ALLOCATE,      /* (int aid, KnRgnDesc *rgn) -> K_OK, rgn->startAddr/endAddr set;
                              K_ENOMEM: not enough free pages (or no such gap for K_ANYWHERE) */
    SYS_RGN_FREE,          /* (int aid, KnRgnDesc *rgn) -> K_OK */
    SYS_ACTOR_CREATE,      /* (const struct actor_spawn *spec) -> new actor id  [PRIV_ACTORS];
                              K_ETOOMUCH: no free actor slot, K_ENOMEM: not enough pages */
    SYS_ACTOR_KILL,        /* (int aid) -> K_OK  [PRIV_ACTORS, or aid is the caller]; the fault
                              port hears of it, unless its owner did the killing */
    SYS_ACTOR_INFO,        /* (int index, struct actor_info *out) -> K_OK; K_EUNKNOWN past the end */
    SYS_PORT_CREATE,       /* (int wellknown) -> port id; wellknown != 0 needs PRIV_SERVER;
                              K_ETOOMUCH: the port table is full, or the caller owns 8 ports */
    SYS_PORT_LOOKUP,       /* (int wellknown) -> port id of that well-known port */
    SYS_IPC_CALL,          /* (int port, w0, w1, w2, w3, const struct ipc_bufs *bufs)
                              -> r0 status, r1-r4 reply words, r5 reply bytes received */
    SYS_IPC_RECV,          /* (int port, struct ipc_bufs *bufs)
                              -> r0 K_OK, r1-r4 words, r5 reply token, r6 sender aid;
                                 the received byte count is in bufs->recv_len. Sender aid 0
                                 is the kernel: a struct fault_record in the buffer, no reply */
    SYS_IPC_REPLY,         /* (int token, w0, w1, w2, w3, const struct ipc_bufs *bufs) -> K_OK */
    SYS_FAULT_PORT_SET,    /* (int port) -> K_OK; fault records go there  [PRIV_FAULTS] */
    SYS_BANK_MAP,          /* (int aid, uint32_t bank_off, uint32_t vaddr, uint32_t size, int writable)
                              -> K_OK  [PRIV_BANK] */
    SYS_BANK_UNMAP,        /* (uint32_t bank_off, uint32_t size) -> K_OK; from every actor but the
                              caller  [PRIV_BANK] */
    SYS_BANK_SYNC,         /* (uint32_t bank_off, uint32_t size) -> K_OK: cleans those bank bytes from
                              the data cache to memory and waits (DSB)  [PRIV_BANK] */
    SYS_SITE_RESTART,      /* () -> does not return  [PRIV_SITE] */
    SYS_IMAGE_INFO,        /* (int index, struct image_info *out) -> K_OK; K_EUNKNOWN past the end */
    SYS_BOOT_INFO,         /* (struct boot_info *out) -> K_OK */
    SYS_MEM_INFO,          /* (struct mem_info *out) -> K_OK: pages, actor slots, ports */
    SYS_BOOT_SCRIPT,       /* (uint32_t offset, char *buf, size_t len) -> bytes of the system image's
                              boot script (sysadm.ini) copied from offset; 0 at the end */
    SYS_ACTOR_INJECT,      /* (int aid, int kind) -> K_OK: aid ends as if it had taken a fault of
                              that FAULT_KIND_* at its current pc (fault injection)  [PRIV_ACTORS,
                              or aid 0 / the caller: itself, FAULT_KIND_ABORT too (abort())] */
    SYS_USER_COPY,         /* (void *dst, const void *src, size_t len) -> K_OK or K_EFAULT, nothing
                              copied: a checked memcpy, so libraries can test caller pointers */
    SYS_CONSOLE_MODE,      /* (uint32_t mode) -> the previous mode: CONSOLE_MODE_RAW (bytes as typed,
                              no echo) or 0 (cooked: echo, line editing, whole lines) */
    SYS_ACTOR_RELEASE,     /* (int aid) -> K_OK: a held actor (ACTOR_SPAWN_HELD) starts running; K_EINVAL
                              when it is not held  [PRIV_ACTORS] */
    SYS_DEVICE_MAP,        /* (int device, uint32_t vaddr) -> the device's size in bytes: maps the
                              whole of a DEVICE_* into the caller at vaddr (page aligned, in the
                              rgnAllocate range), read/write, device memory, never executable;
                              K_EUNKNOWN: the board has no such device  [PRIV_DEVICE] */
    SYS_COUNT
};
