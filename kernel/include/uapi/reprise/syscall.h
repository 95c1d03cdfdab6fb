/* System call numbers and register convention: the user/kernel ABI.
 *
 * "svc #0" with the call number in r7 and arguments in r0-r5 (SYS_IPC_REPLY_RECV: r0-r6). The result is in r0
 * (K_OK or a value >= 0 on success, a negative K_E* code on failure); IPC calls also
 * return message words in r1-r4 and a length or token in r5, r6. r7 is clobbered.
 *
 * A pointer argument the caller may not use gives K_EFAULT. One on a demand-zero stack page
 * the caller never touched gives K_ENOMEM when the page pool is empty (the pointer is good,
 * memory ran out). Running out of a kernel table gives K_ETOOMUCH, out of pages K_ENOMEM:
 * the pool's free pages down to its reserves (struct mem_info), or the actor's page quota
 * (struct actor_info: pages it owns, stack, heap, regions and page tables together). */
#pragma once

enum sys_number {
    SYS_NULL = 0,          /* () -> K_OK; the cheapest round trip, for benchmarks */
    SYS_EXIT,              /* (int status) -> does not return */
    SYS_CONSOLE_WRITE,     /* (const char *buf, size_t len) -> bytes written (at most 4096 a call,
                              whole: blocks until the console's output ring has room for them) */
    SYS_CONSOLE_READ,      /* (char *buf, size_t len, uint32_t flags) -> bytes read: a whole line at
                              most in cooked mode, 0 at ctrl-D (end of file); blocks for >= 1
                              unless CONSOLE_READ_NONBLOCK. The first read makes the caller the
                              console's foreground (it gets what is typed until it ends or
                              ctrl-C); K_EBUSY while another actor has it, or after ctrl-C */
    SYS_ACTOR_SELF,        /* () -> the caller's actor id */
    SYS_DELAY,             /* (uint32_t microseconds) -> K_OK after at least that long */
    SYS_YIELD,             /* () -> K_OK */
    SYS_RGN_ALLOCATE,      /* (int aid, KnRgnDesc *rgn) -> K_OK, rgn->startAddr/endAddr set;
                              K_ENOMEM: not enough free pages, more than the actor's page
                              quota (nothing changed), or no such gap for K_ANYWHERE */
    SYS_RGN_FREE,          /* (int aid, KnRgnDesc *rgn) -> K_OK */
    SYS_ACTOR_CREATE,      /* (const struct actor_spawn *spec) -> new actor id  [PRIV_ACTORS];
                              K_ETOOMUCH: no free actor slot, K_ENOMEM: not enough pages */
    SYS_ACTOR_KILL,        /* (int aid) -> K_OK  [PRIV_ACTORS, or aid is the caller]; the fault
                              port hears of it, unless its owner did the killing. The fault
                              port's owner also frees a kept slot with it (SYS_ACTOR_STOP) */
    SYS_ACTOR_INFO,        /* (int index, struct actor_info *out) -> K_OK; K_EUNKNOWN past the end */
    SYS_PORT_CREATE,       /* (int wellknown) -> port id; wellknown != 0 needs PRIV_SERVER;
                              K_ETOOMUCH: the port table is full, or the caller owns 8 ports */
    SYS_PORT_LOOKUP,       /* (int wellknown) -> port id of that well-known port */
    SYS_IPC_CALL,          /* (int port, w0, w1, w2, w3, const struct ipc_bufs *bufs)
                              -> r0 status, r1-r4 reply words, r5 reply bytes received */
    SYS_IPC_RECV,          /* (int port, struct ipc_bufs *bufs, uint32_t flags)
                              -> r0 K_OK, r1-r4 words, r5 reply token, r6 sender aid;
                                 the received byte count is in bufs->recv_len. Sender aid 0
                                 is the kernel: a struct fault_record in the buffer, no reply,
                                 r5 the new id of an actor the kernel restarted (SYS_ACTOR_ARM).
                                 flags: 0 or IPC_RECV_IDLE (K_ETIMEOUT when the CPU would go
                                 idle, or after a tick, with no message; K_EPRIV for any
                                 actor but the fault port's owner) */
    SYS_IPC_REPLY,         /* (int token, w0, w1, w2, w3, const struct ipc_bufs *bufs) -> K_OK */
    SYS_FAULT_PORT_SET,    /* (int port) -> K_OK; fault records go there  [PRIV_FAULTS] */
    SYS_BANK_MAP,          /* (int aid, uint32_t bank_off, uint32_t vaddr, uint32_t size, int writable)
                              -> K_OK  [PRIV_BANK] */
    SYS_BANK_UNMAP,        /* (uint32_t bank_off, uint32_t size) -> K_OK; from every actor but the
                              caller, slots kept for a restart in place too; the bank epoch
                              (TPIDRURO) of each that lost a mapping changes  [PRIV_BANK] */
    SYS_BANK_SYNC,         /* (uint32_t bank_off, uint32_t size) -> K_OK: cleans those bank bytes from
                              the data cache to memory and waits (DSB)  [PRIV_BANK] */
    SYS_SITE_RESTART,      /* () -> does not return  [PRIV_SITE]. With a fault port, the caller
                              ends with a FAULT_KIND_SITE_REQUEST record and the port's owner
                              (HR) restarts the site after the records before it */
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
    SYS_DELAY_UNTIL,       /* (uint32_t lo, uint32_t hi) -> K_OK once the virtual counter (CNTVCT, see
                              <reprise/counter.h>) has reached hi:lo; at once when it has */
    SYS_WATCHDOG,          /* (uint32_t op, uint32_t period_ms | int aid, struct watchdog_info *out) -> K_OK.
                              WATCHDOG_START arms the caller's watchdog (K_EPRIV unless the caller is
                              restartable: in a restart group, with a fault port registered;
                              K_EINVAL for a period of 0 or above WATCHDOG_PERIOD_MAX_MS),
                              WATCHDOG_KICK starts its period again, WATCHDOG_STOP disarms it (both
                              K_EINVAL when none is armed); WATCHDOG_INFO (aid, out) describes
                              actor aid's (0: the caller's; K_EUNKNOWN for no such actor); another
                              op is K_EINVAL. Once a period has passed since the last start or
                              kick (at most one scheduler tick late) the kernel ends the caller
                              with a FAULT_KIND_HANG record, as for a fault. A new incarnation has none */
    SYS_RECV_ALARM,        /* (uint32_t us) -> K_OK: a receive (SYS_IPC_RECV) that the caller waits in
                              us microseconds from now (at most one scheduler tick late), or a
                              tick later when it is not receiving then, ends with K_ETIMEOUT and
                              the alarm is gone; 0 cancels the alarm */
    SYS_ACTOR_DUMP,        /* (int aid, struct actor_dump *out, void *stack, size_t cap) -> stack bytes
                              copied to stack (at most cap), the rest in *out; the kernel then
                              forgets that dump. K_EUNKNOWN: no dump kept for aid. The kernel
                              keeps one for a restartable actor that ends with a record for the
                              fault port (BOARD_HR_DUMP_STACK bytes of stack from sp), until
                              this call (of 8 dumps kept, the oldest goes first)  [PRIV_FAULTS] */
    SYS_DEVICE_MAP,        /* (int device, uint32_t vaddr) -> the device's size in bytes: maps the
                              whole of a DEVICE_* into the caller at vaddr (page aligned, in the
                              rgnAllocate range), read/write, device memory, never executable;
                              K_EUNKNOWN: the board has no such device  [PRIV_DEVICE] */
    SYS_IPC_REPLY_RECV,    /* (int token, w0, w1, w2, w3, struct ipc_bufs *bufs; r6: int port)
                              -> as SYS_IPC_RECV (flags 0). A server's loop in one call: replies
                              to token as SYS_IPC_REPLY with w0-w3 and bufs->send (token 0: no
                              reply), then receives on port into bufs->recv. Its arguments are
                              all checked first; on any error but K_ETIMEOUT nothing was
                              received, and the reply was made only if the error is not the
                              reply's (the caller of a reply that did not fit, K_EINVAL, still
                              waits: answer it with SYS_IPC_REPLY, then receive again) */
    SYS_ACTOR_STOP,        /* (int aid, uint32_t flags) -> K_OK: ends a member of a restart group
                              with no record and keeps its slot (tables, text, data pages) for
                              SYS_ACTOR_RESTART until the caller's next receive, which frees what
                              it did not restart (as for an actor whose record it received), or
                              with ACTOR_STOP_HOLD until the caller restarts or kills it (the
                              kernel frees a held slot itself when it needs the slot or its
                              pages); SYS_ACTOR_KILL frees it at once. K_EINVAL: not in a group,
                              or unknown flags  [the fault port's owner] */
    SYS_ACTOR_RESTART,     /* (int aid, const struct actor_spawn *spec) -> new actor id: restarts in
                              place the kept actor aid (stopped, or ended with a record the caller
                              received) as spec says, which must name its image and a group: the
                              same slot, tables, text and restart page (ACTOR_KEEP_VADDR); .data
                              copied again, .bss zeroed, heap, stack and regions dropped, a new id.
                              Its bank mappings stay when spec keeps its privileges and group, and
                              are dropped otherwise (the bank epoch, TPIDRURO, changes). K_EUNKNOWN: aid
                              is not kept; K_EINVAL: another image or no group (nothing changed);
                              K_ENOMEM: out of pages (the slot is then freed)
                              [the fault port's owner] */
    SYS_BANK_HOLDERS,      /* (uint32_t bank_off, uint32_t size, int aid, int32_t *out, uint32_t max)
                              -> how many live actors but the caller have a page of those bank
                              bytes mapped (aid > 0: whether actor aid has, 0 or 1); the first max
                              of their aids go to out (NULL when max is 0). K_EINVAL: a range
                              SYS_BANK_MAP would refuse, aid < 0, max > ACTOR_SLOTS  [PRIV_BANK] */
    SYS_ACTOR_ARM,         /* (int aid, const struct actor_spawn *spec) -> K_OK: arms live actor aid
                              (in a restart group) for one restart in place by the kernel itself,
                              as spec says (its image, its group, as for SYS_ACTOR_RESTART), at
                              its next abnormal end that goes to the fault port (not a site
                              request), when the port's owner waits with no record queued
                              before. The owner then receives the record with r5 the new id, and
                              is not woken for it: it runs when the CPU is idle, a tick later, or
                              when another message comes for it. One restart per arming; spec
                              NULL disarms. K_EUNKNOWN: no such live actor; K_EINVAL: another
                              image or group; K_ETOOMUCH: 16 actors are armed, or the arguments
                              take over 256 bytes  [the fault port's owner] */
    SYS_COUNT
};
