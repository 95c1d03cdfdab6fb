/* Actors: an address space and one thread, created from a system image ELF file. */
#pragma once
#include <arch/cpu.h>
#include <kernel/sysimg.h>
#include <kernel/vm.h>
#include <reprise/abi.h>
#include <stdint.h>
#include <string.h>

struct port;

#define ACTORS_MAX ACTOR_SLOTS   /* slots; slot 0 is never used, so aid 0 means "none" */
#define ACTOR_PRIO_LEVELS 32
#define ACTOR_PRIO_DEFAULT 8

enum actor_slot_state {
    AS_FREE = 0,
    AS_READY,
    AS_BLOCKED,
    AS_ENDED,                    /* gone; its record waits on the fault port, or its slot is
                                    kept for a restart in place (kept) */
};

enum actor_block {
    AB_NONE = 0,
    AB_RECV,                     /* waiting for a message on wait_port */
    AB_CALL,                     /* queued on wait_port's callers */
    AB_REPLY,                    /* received by server, waiting for its reply */
    AB_DELAY,                    /* sleeping until wake_at */
    AB_CONSOLE,                  /* waiting for console input */
    AB_CONSOLE_OUT,              /* waiting for room in the console's output ring */
    AB_HELD,                     /* created with ACTOR_SPAWN_HELD, not yet released */
    AB_RECORD,                   /* the fault port's owner with a record of an actor the kernel
                                    restarted itself: it runs when the CPU is idle, a tick
                                    later, or when another message comes (kernel/ipc.c) */
};

struct actor {
    struct trapframe tf;         /* user registers: must stay first (entry.S) */
    int32_t aid;                 /* generation * ACTORS_MAX + slot; 0 when the slot is free */
    char name[ACTOR_NAME_MAX];   /* word aligned: copied whole on every end and restart */
    uint8_t state;               /* enum actor_slot_state */
    uint8_t block;               /* enum actor_block */
    uint8_t prio;
    uint8_t kept;                /* AS_ENDED: tables, text and data pages kept for a restart in
                                    place (actor_restart): ACTOR_KEPT until the fault port's
                                    owner's next receive, ACTOR_HELD until the owner restarts or
                                    kills it, or the kernel needs the slot or its pages */
    uint8_t arm;                 /* 1 + its entry of actor_arms: the kernel restarts it itself
                                    at its next abnormal end (SYS_ACTOR_ARM); 0: not armed */
    uint8_t con_raw;             /* reads the console raw (SYS_CONSOLE_MODE) */
    uint8_t con_detached;        /* ctrl-C took the console from it: its reads fail */
    uint32_t privs;
    int32_t group;
    uint32_t gen;
    uint32_t tpidrurw;           /* the user read/write thread id register, while not running */
    uint32_t bank_epoch;         /* its TPIDRURO: changes whenever bank pages leave its space
                                    (uapi/reprise/abi.h); kept across a restart in place */
    uint32_t heap_end;           /* the data region (its heap) may not grow past this address */
    uint32_t heap_base;          /* where the heap starts: the end of the last data segment's pages */
    const struct sysimg_file *image;
    struct vm_space vm;
    struct actor *qnext;         /* run queue, port queue, sleep list or console writers link */
    uint64_t wake_at;            /* AB_DELAY: CNTVCT deadline */
    int32_t wait_port;           /* AB_RECV, AB_CALL: port id */
    struct actor *server;        /* AB_REPLY: the actor that owes the reply */
    uaddr_t ipc_bufs;            /* AB_RECV, AB_CALL, AB_REPLY: user struct ipc_bufs, or 0 */
    uaddr_t ipc_send;            /* ... its send area and receive area, as read and checked */
    uint32_t ipc_send_len;       /*     when it called or began to receive (kernel/ipc.c) */
    uaddr_t ipc_recv;
    uint32_t ipc_recv_cap;
    struct port *ipc_ports;      /* the ports it owns (kernel/ipc.c links them) */
    struct actor *ipc_owed;      /* the callers in AB_REPLY waiting for its reply ... */
    struct actor *ipc_owed_next; /* ... linked through this */
    uaddr_t con_buf;             /* AB_CONSOLE: destination and size; AB_CONSOLE_OUT: source */
    uint32_t con_len;
    struct fault_record rec;     /* AS_ENDED: what the fault port will receive */
};
_Static_assert(__builtin_offsetof(struct actor, tf) == 0, "entry.S needs the frame first");

/* Validates and caches every image of the embedded system image; called once by kmain. */
void actor_images_init(void);
/* The system image (for `ls`). */
const struct sysimg *actor_sysimg(void);
/* The parsed ELF of image file f (cached at boot), or NULL when it did not validate. */
const struct elf_image *actor_image_elf(const struct sysimg_file *f);

/* How an actor is created (actor_create's how): by HR, the fault port's owner (a start or
   restart of a restart group), or by the kernel at boot. Either may take the creation's
   pages from the pool's reserves (kernel/vm.h). */
#define ACTOR_CREATE_BY_HR  1u
#define ACTOR_CREATE_BOOT   2u

/* Creates an actor from image file f with argc strings in args (args_len bytes): loads it,
   sets up its stack and arguments and makes it ready. Its pool pages are limited by the
   image's page quota (manifest pages=, else BOARD_ACTOR_PAGE_QUOTA). Returns the actor or
   NULL with *err set (K_ENOMEM: no pages, or more than the quota; K_ETOOMUCH no free slot,
   K_EINVAL bad image or arguments). */
struct actor *actor_create(const struct sysimg_file *f, uint32_t argc, const char *args,
                           uint32_t args_len, uint32_t privs, uint32_t prio, int32_t group,
                           uint32_t how, int *err);
/* The live (or ended) actor with this id, or NULL when the id is stale or unused. */
struct actor *actor_by_aid(int32_t aid);
/* Slot i (1..ACTORS_MAX-1), for listing; NULL when free. */
struct actor *actor_at(uint32_t i);
/* Slots in use, ended actors waiting for the fault port included (of ACTORS_MAX - 1). */
uint32_t actor_slots_used(void);

/* Copies an actor or image name (ACTOR_NAME_MAX bytes, both places word aligned: the
   struct actor, fault record and dump fields) inline, four words, with no call. */
static inline void actor_name_copy(char *dst, const char *src)
{
    memcpy(__builtin_assume_aligned(dst, 4), __builtin_assume_aligned(src, 4), ACTOR_NAME_MAX);
}

/* How a slot is kept for a restart in place (struct actor's kept). */
#define ACTOR_KEPT 1u
#define ACTOR_HELD 2u

/* Ends actor a: cancels what it waits for and releases its ports. With a record (rec !=
   NULL) and a fault port, the slot stays AS_ENDED until the port's owner receives the
   record, and a restartable actor leaves a post-mortem dump (kernel/dump.h) and keeps its
   address space for a restart in place; with keep ACTOR_KEPT or ACTOR_HELD (the fault port's
   owner stopping a group member: SYS_ACTOR_STOP) it is kept so at once, with no record;
   otherwise it is freed now. */
void actor_end(struct actor *a, const struct fault_record *rec, uint32_t keep);
/* The fault port's owner received a's record: a restartable actor's slot is kept for a
   restart in place, any other's freed. */
void actor_delivered(struct actor *a);
/* When receiver is the fault port's owner, frees every slot kept (not held) that it did not
   restart in place: called at each receive with slots kept (actor_any_kept), so that a slot
   is kept only while the owner decides. */
void actor_discard_kept(const struct actor *receiver);
/* Frees the held slot held longest, if any (when the kernel needs a slot or pages):
   returns 1 if it freed one. */
int actor_release_held(void);
/* Whether any slot is kept (the IPC fast path leaves those receives to the general one). */
extern struct actor *actor_kept_list;
static inline int actor_any_kept(void)
{
    return actor_kept_list != NULL;
}
/* Restarts kept actor a in place as a new incarnation of image f (its own image): the
   same slot, page tables, text mappings, region layout and restart page; .data copied
   again, .bss and the rest of its pages zeroed, heap, stack, regions and device mappings
   dropped, bank mappings too unless privs and group are the ones it had (the bank epoch
   then changes), registers reset, a new id. Returns a, or NULL with *err set (the slot is
   then freed). */
struct actor *actor_restart(struct actor *a, const struct sysimg_file *f, uint32_t argc,
                            const char *args, uint32_t args_len, uint32_t privs, uint32_t prio,
                            int32_t group, int *err);
/* Frees the slot of an ended actor: its address space if it kept one, then the slot. */
void actor_release(struct actor *a);
/* Arms live restartable actor a for one restart in place by the kernel itself, at its next
   abnormal end that goes to the fault port, as image f (its own), args and the rest say
   (image, group and privileges checked by the caller); args NULL disarms. K_OK, K_EINVAL
   (bad arguments or priority), or K_ETOOMUCH (16 actors armed, or arguments over 256
   bytes). */
int actor_arm(struct actor *a, uint32_t argc, const char *args, uint32_t args_len,
              uint32_t privs, uint32_t prio, int32_t group);
/* The generation that follows gen in a slot (of actors or ports; gen 0: the slot's first
   in this boot). Generations only grow within a boot, and each boot's start above every
   generation the earlier boots gave, however often their slots were reused (the boot
   record's lease), so an id kept in the bank never names another actor or port later. */
uint32_t actor_next_gen(uint32_t gen);
