/* Structures passed between actors and the kernel, and the user virtual memory layout.
 *
 * User virtual layout of every actor (TTBR0, 1 GiB; the kernel above is never reachable):
 *
 *   0x00000000 +-------------------------------+
 *              | unmapped (NULL page and more) |
 *   0x00010000 +-------------------------------+ ACTOR_IMAGE_VADDR
 *              | text, rodata   (RX, shared)   |  mapped from the system image
 *              | data, bss      (RW, XN)       |  fresh pages at every (re)start
 *              | heap           (RW, XN)       |  grows up with _sbrk, up to ACTOR_HEAP_MAX
 *   0x10000000 +-------------------------------+ ACTOR_RGN_VADDR
 *              | rgnAllocate(K_ANYWHERE)       |
 *   0x30000000 +-------------------------------+ ACTOR_PMM_VADDR
 *              | persistent blocks: address =  |  same address in every actor and run
 *              | ACTOR_PMM_VADDR + bank offset |
 *   0x3fe00000 +-------------------------------+ ACTOR_KEEP_VADDR
 *              | restart page (RW, XN)         |  zeroed at creation, kept by a restart
 *              |                               |  in place: the PMM client's retrieval cache
 *              | unmapped                      |
 *   0x3ffdf000 +-------------------------------+
 *              | guard page (unmapped)         |
 *   0x3ffe0000 +-------------------------------+ ACTOR_STACK_LOW_VADDR
 *              | stack (RW, XN), grows down    |
 *              | argv strings and vector       |
 *   0x3fff0000 +-------------------------------+ ACTOR_STACK_TOP_VADDR
 *              | unmapped                      |
 *   0x40000000 +-------------------------------+ kernel (PL1 only)
 *
 * TPIDRURO (user read-only) holds the actor's bank epoch: a count that changes whenever bank
 * pages are unmapped from it (SYS_BANK_UNMAP, a restart in place that drops its bank
 * mappings). While it stays the same, every bank mapping the actor saw is still there.
 */
#pragma once
#include <stdint.h>

#define ACTOR_PAGE_SIZE        4096u
#define ACTOR_IMAGE_VADDR      0x00010000u
#define ACTOR_HEAP_MAX         0x01000000u   /* 16 MiB of heap at most */
#define ACTOR_RGN_VADDR        0x10000000u
#define ACTOR_RGN_END_VADDR    0x30000000u
#define ACTOR_PMM_VADDR        0x30000000u
#define ACTOR_PMM_END_VADDR    0x3fe00000u
#define ACTOR_KEEP_VADDR       0x3fe00000u   /* the restart page (one page) */
#define ACTOR_STACK_TOP_VADDR  0x3fff0000u
#define ACTOR_STACK_SIZE       0x00010000u   /* 64 KiB; a guard page lies below */
#define ACTOR_STACK_LOW_VADDR  (ACTOR_STACK_TOP_VADDR - ACTOR_STACK_SIZE)
#define ACTOR_USER_TOP_VADDR   0x40000000u

#define ACTOR_SLOTS      64     /* actor table size: an aid's slot is aid % ACTOR_SLOTS */
#define ACTOR_NAME_MAX   16     /* image and actor names, NUL included */
#define ACTOR_ARGS_MAX   1024   /* argv strings, NULs included */
#define ACTOR_ARGC_MAX   32

/* Privileges granted per actor by the boot script (sysadm.ini) or inherited on spawn. */
#define PRIV_ACTORS  (1u << 0)  /* create and kill other actors */
#define PRIV_SERVER  (1u << 1)  /* own a well-known port */
#define PRIV_FAULTS  (1u << 2)  /* receive fault records */
#define PRIV_BANK    (1u << 3)  /* map persistent bank pages */
#define PRIV_SITE    (1u << 4)  /* request a site restart */
#define PRIV_CRITICAL (1u << 5) /* not restartable alone: its abnormal end is a site restart */
#define PRIV_DEVICE  (1u << 6)  /* map the board devices that user servers drive (SYS_DEVICE_MAP) */

/* Devices of SYS_DEVICE_MAP: those the board lists for user-mode drivers. */
#define DEVICE_NVRAM 1          /* the flash bank behind the NVRAM medium (CFI, read-array mode) */

/* Flags of SYS_CONSOLE_READ. */
#define CONSOLE_READ_NONBLOCK   1u  /* return 0 at once when nothing was typed */
#define CONSOLE_READ_BACKGROUND 2u  /* the console shell: read raw what is typed while no
                                       actor has the console, wait while one has it */
/* Modes of SYS_CONSOLE_MODE. */
#define CONSOLE_MODE_RAW        1u  /* no echo, no editing: every byte as typed */

/* Flags of SYS_IPC_RECV. */
#define IPC_RECV_IDLE 1u        /* with no message: return K_ETIMEOUT as soon as no other actor
                                   is ready to run, or one tick later at the latest (HR uses it
                                   to write post-mortem dumps after the restart, not before) */

/* Well-known ports. */
#define PORT_WK_PMM   1
#define PORT_WK_HR    2
#define PORT_WK_MAX   8

/* Spawn with the privileges the system image gives that actor, as far as the caller has them. */
#define ACTOR_PRIVS_IMAGE 0xffffffffu

/* Arguments of SYS_ACTOR_CREATE. args holds argc NUL-terminated strings back to back. */
struct actor_spawn {
    char image[ACTOR_NAME_MAX];
    uint32_t argc;
    uint32_t args_len;
    const char *args;
    uint32_t privileges;        /* a subset of the caller's, or ACTOR_PRIVS_IMAGE */
    uint32_t priority;          /* 0: the image's (manifest prio=N), else the default; 1..31,
                                   higher runs first */
    int32_t group;              /* restart group recorded for the console; 0 = none */
    uint32_t flags;             /* ACTOR_SPAWN_* */
};
/* The new actor does not run until its creator (or another PRIV_ACTORS actor) releases it
   with SYS_ACTOR_RELEASE: the console prints "started ..." before the actor's first line. */
#define ACTOR_SPAWN_HELD 1u

enum actor_state {
    ACTOR_READY = 1,
    ACTOR_BLOCKED,
    ACTOR_STOPPED,    /* faulted, waiting for the fault port's decision */
    ACTOR_ZOMBIE,     /* ended, exit status not yet collected */
};

struct actor_info {
    int32_t aid;
    char name[ACTOR_NAME_MAX];
    uint32_t state;
    int32_t group;
    uint32_t priority;
    uint32_t pages;             /* physical pages the actor owns */
    uint32_t privileges;
    uint32_t page_quota;        /* pages it may own at most (stack, heap, regions, tables) */
    uint32_t flags;             /* ACTOR_INFO_* */
};
#define ACTOR_INFO_ARMED 1u     /* the kernel restarts it itself at its next abnormal end
                                   (SYS_ACTOR_ARM) */

/* SYS_ACTOR_STOP flags. */
#define ACTOR_STOP_HOLD         1u  /* the slot outlives the owner's receives (a group restart
                                       whose member will start it again, hrfexec) */

/* Operations of SYS_WATCHDOG (hrWatchdogStart, hrWatchdogKick, hrWatchdogStop in <hr/hr.h>). */
#define WATCHDOG_START          1u  /* arm with a period of 1..WATCHDOG_PERIOD_MAX_MS ms */
#define WATCHDOG_KICK           2u  /* the period starts again from now */
#define WATCHDOG_STOP           3u  /* disarm */
#define WATCHDOG_INFO           4u  /* an actor's watchdog, into a struct watchdog_info (aps) */
#define WATCHDOG_PERIOD_MAX_MS  3600000u    /* one hour */

struct watchdog_info {
    uint32_t period_ms;         /* its armed watchdog's period, 0 when none */
    uint32_t left_ms;           /* time left before it fires (0: at the next tick) */
};

struct image_info {
    char name[ACTOR_NAME_MAX];
    uint32_t size;              /* bytes of the ELF file */
    uint32_t text_bytes;
    uint32_t data_bytes;
    uint32_t bss_bytes;
    uint32_t privileges;        /* PRIV_* the image gives its actors */
    uint32_t bank_pages;        /* its quota in the persistent bank (manifest bank=PAGES/BLOCKS); */
    uint32_t bank_blocks;       /* 0: the board's default */
};


/* What the kernel's fixed tables hold: the page pool, actor slots and ports (slots of
   ended actors whose record waits for the fault port count as used). Of the free pages,
   the last reserve_system_pages are only for the system actors (PMM, HR, the console), the
   reserve_restart_pages before them also for actors HR (re)starts in restart groups: any
   other actor gets K_ENOMEM while no more than their sum is free. */
struct mem_info {
    uint32_t free_pages;
    uint32_t total_pages;
    uint32_t actors_used;
    uint32_t actors_total;
    uint32_t ports_used;
    uint32_t ports_total;
    uint32_t reserve_system_pages;
    uint32_t reserve_restart_pages;
    uint32_t default_page_quota;    /* pages an actor may own unless its image says */
};

/* Optional buffers of an IPC message, copied by the kernel between address spaces. */
struct ipc_bufs {
    const void *send;
    uint32_t send_len;
    void *recv;
    uint32_t recv_cap;
    uint32_t recv_len;          /* set by SYS_IPC_RECV */
};
#define IPC_BUF_MAX 4096

/* Messages from the kernel arrive with sender aid IPC_SENDER_KERNEL and need no reply. */
#define IPC_SENDER_KERNEL 0

/* A fault record as delivered to the fault port: words in the message, details in the buffer. */
enum fault_kind {
    FAULT_KIND_DATA_ABORT = 1,
    FAULT_KIND_PREFETCH_ABORT,
    FAULT_KIND_UNDEFINED,
    FAULT_KIND_EXIT,            /* not a fault: the actor exited (status in status) */
    FAULT_KIND_KILLED,
    FAULT_KIND_PANIC,           /* the kernel panicked (boot_info.last_end only) */
    FAULT_KIND_ABORT,           /* the actor called abort() */
    FAULT_KIND_HANG,            /* its watchdog was not kicked within its period */
    FAULT_KIND_SITE_REQUEST,    /* it asked for a site restart (SYS_SITE_RESTART): the fault
                                   port's owner makes it, once it has said and written what
                                   waits (crash lines, records) */
};

struct fault_record {
    int32_t aid;
    char name[ACTOR_NAME_MAX];
    int32_t group;
    uint32_t kind;              /* enum fault_kind */
    uint32_t pc;
    uint32_t addr;              /* DFAR/IFAR; 0 for undefined instructions */
    uint32_t fsr;               /* DFSR/IFSR as read */
    uint32_t write;             /* data aborts: 1 for a write */
    int32_t status;             /* FAULT_KIND_EXIT: the exit status */
    uint64_t time;              /* CNTVCT when the kernel stopped the actor */
    uint32_t where;             /* aborts: FAULT_WHERE_*, what the address was to the actor */
    uint32_t period_ms;         /* FAULT_KIND_HANG: the watchdog's period */
    uint32_t doing;             /* FAULT_KIND_HANG: FAULT_DOING_*, what the actor was doing */
    int32_t by_aid;             /* FAULT_KIND_KILLED and injected faults: who did it; else 0 */
    char by_name[ACTOR_NAME_MAX];
    char text[80];              /* FAULT_KIND_PANIC: what the kernel said; empty otherwise */
};
/* The kernel records raw fields only: the words of a record (e.g. "data abort pc=0x...
   addr=0x... write, translation fault") are made by fault_text (lib/fault.h) off the
   restart path. */
enum fault_where {
    FAULT_WHERE_NONE = 0,
    FAULT_WHERE_KERNEL,         /* a kernel address */
    FAULT_WHERE_GUARD,          /* the page under the stack */
    FAULT_WHERE_RESERVED,       /* a reserved region (rgnAllocate K_RESERVED) */
    FAULT_WHERE_STACK_QUOTA,    /* a stack page over the actor's page quota */
    FAULT_WHERE_STACK_NOPAGE,   /* a stack page the pool had none for */
};
enum fault_doing {
    FAULT_DOING_RUNNING = 0,
    FAULT_DOING_RECV,
    FAULT_DOING_CALL,
    FAULT_DOING_SLEEP,
    FAULT_DOING_CONSOLE,
    FAULT_DOING_HELD,
    FAULT_DOING_CONSOLE_OUT,
};

/* A post-mortem dump (SYS_ACTOR_DUMP): what the kernel kept of a restartable actor that ended
   abnormally, taken before its address space was torn down. */
#define ACTOR_BUILD_ID_MAX 20   /* a GNU build id (SHA-1) */
struct actor_dump {
    int32_t aid;
    uint32_t r[16];             /* r0-r12, sp, lr, pc; pc is the faulting instruction for an
                                   abort or an undefined instruction */
    uint32_t cpsr;
    uint32_t stack_vaddr;       /* user address of the first stack byte kept: sp */
    uint32_t stack_len;         /* bytes kept from sp up (the stack's top end is the limit) */
    uint32_t build_id_len;      /* 0 when the image has no GNU build id note */
    uint8_t build_id[ACTOR_BUILD_ID_MAX];
};

struct boot_info {
    uint32_t kind;              /* 0 cold, 1 warm */
    uint32_t boot_count;
    uint32_t last_reset_reason;
    uint32_t bank_paddr;
    uint32_t bank_size;
    uint32_t timer_hz;          /* CNTVCT frequency */
    struct fault_record last_end; /* what ended the previous run, when the kernel knows (a
                                     critical actor's fault, a panic); kind 0 otherwise */
    uint32_t rtc_seconds;       /* wall time: the real-time clock's seconds since 1970 ... */
    uint64_t rtc_count;         /* ... at this CNTVCT count; rtc_seconds 0: no clock */
};
