/* Boot-time self tests chosen by a scenario through fw_cfg (opt/reprise/selftest):
   deliberate kernel faults for the panic path (at boot, or one second later from the timer
   interrupt with the actors running), kernel stack overflows (every mode's stack at boot,
   the SVC stack from the timer interrupt), an address-space teardown that must free only
   the space's own pages, the bank's dirty-page bookkeeping, the kernel taking back a slot
   held for a group restart when it needs the slot or pages, a PSCI warm reset on a cold
   boot, and console output held back for a second (the ring fills, writers wait). Only
   QEMU's command line reaches them; no actor can. */
#include <arch/cpu.h>
#include <kernel/actor.h>
#include <kernel/bank.h>
#include <kernel/bootrec.h>
#include <kernel/console.h>
#include <board.h>
#include <kernel/fwcfg.h>
#include <kernel/memmap.h>
#include <kernel/page.h>
#include <kernel/reset.h>
#include <kernel/selftest.h>
#include <kernel/timer.h>
#include <kernel/vm.h>
#include <reprise/errors.h>
#include <stdint.h>
#include <string.h>

/* Fault addresses go through a volatile so the compiler cannot reason about them. */
static volatile uintptr_t selftest_addr;
/* kfault-late, kstack-late, console-hold: CNTVCT at which the timer interrupt takes a
   kernel fault, overflows the kernel stack or lets console output go (0: not armed), and
   which of the three. */
static uint64_t selftest_late_at;
static enum { SELFTEST_LATE_FAULT, SELFTEST_LATE_OVERFLOW, SELFTEST_LATE_RELEASE } selftest_late;
/* A recursion bound the compiler cannot see through; 0: none. */
static volatile uint32_t selftest_depth_max;

uint32_t selftest_recurse(uint32_t depth);

/* Recurses with a 256-byte frame until the stack overflows into its guard page (the data
   abort panics); called in the mode whose stack is to overflow. */
uint32_t selftest_recurse(uint32_t depth)
{
    volatile uint8_t frame[256];
    frame[0] = (uint8_t)depth;
    if (selftest_depth_max && depth == selftest_depth_max)
        return 0;
    return selftest_recurse(depth + 1) + frame[0];
}

/* vm-teardown: a space whose tables map, outside every region (which makes teardown walk
   every table), a page of another space, an image page and a bank page, besides a page of
   its own: its teardown must free its own page and tables and nothing else. Slots 62 and
   63's ASIDs are free at boot. */
static void __attribute__((cold)) selftest_teardown(void)
{
    static struct vm_space mine, other;
    if (vm_space_init(&mine, 62, 16, 0) != 0 || vm_space_init(&other, 63, 16, 0) != 0) {
        kprintf("selftest: teardown: no pages\n");
        return;
    }
    uint32_t foreign = vm_page_alloc(&other, 0);
    vm_map(&mine, 0x00400000, foreign, VM_R | VM_X);
    vm_map(&mine, 0x00401000, virt_to_phys(__sysimg_start), VM_R);
    vm_map(&mine, 0x00402000, BOARD_BANK_PADDR + 0x1000, VM_R | VM_W);
    vm_map_fresh(&mine, 0x00403000, 0x00404000, VM_R | VM_W, 1);
    uint32_t before = page_free_count();
    vm_space_destroy(&mine);
    kprintf("selftest: teardown freed %u pages, another space's page %s\n",
            page_free_count() - before, page_owned_by(foreign, 63) ? "kept" : "freed");
    vm_space_destroy(&other);
}

/* bank-dirty: two bank pages mapped writable into a space and read-only into another; a
   write through the kernel's checked copy (what an actor's write fault does too, through
   vm_bank_write) makes only the page written dirty, and a read-only mapping stays
   unwritable. The bytes written are those read: the bank is unchanged. Runs at boot,
   before any actor. */
static void __attribute__((cold)) selftest_bank_dirty(void)
{
    static struct vm_space a, b;
    const uint32_t va = 0x30000000u, off = 0x00200000u;     /* an aligned bank stretch */
    uint32_t word = 0, before = bank_dirty_count();
    if (vm_space_init(&a, 62, 16, 0) != 0 || vm_space_init(&b, 63, 16, 0) != 0 ||
        vm_region_add(&a, va, va + 2 * VM_PAGE_SIZE, VM_RGN_BANK, VM_R | VM_W, 0, off) ||
        vm_map_bank(&a, va, off, 2 * VM_PAGE_SIZE, VM_R | VM_W) ||
        vm_region_add(&b, va, va + 2 * VM_PAGE_SIZE, VM_RGN_BANK, VM_R, 0, off) ||
        vm_map_bank(&b, va, off, 2 * VM_PAGE_SIZE, VM_R)) {
        kprintf("selftest: bank-dirty: no pages\n");
        return;
    }
    int read = vm_copyin(&a, &word, va, sizeof(word));
    int wrote = vm_copyout(&a, va, &word, sizeof(word));
    int ro = vm_copyout(&b, va, &word, sizeof(word));
    kprintf("selftest: bank-dirty: %u dirty at boot, read %d, write %d, then %u dirty "
            "(page 0 %s, page 1 %s), write through a read-only mapping %d\n", before, read,
            wrote, bank_dirty_count(), bank_page_dirty(off) ? "dirty" : "clean",
            bank_page_dirty(off + VM_PAGE_SIZE) ? "dirty" : "clean", ro);
    vm_space_destroy(&a);
    vm_space_destroy(&b);
}

/* held-release: a slot held for a group restart (SYS_ACTOR_STOP, ACTOR_STOP_HOLD) never
   makes anything fail that would succeed without it. With the actor table full, one slot
   held, a creation takes that slot; with one held again, a page reclaim that asks for more
   than is free frees it. Runs at boot, before any actor, with actors of the first image in
   group 1 that never run. */
static void __attribute__((cold)) selftest_held_release(void)
{
    static struct actor *made[ACTORS_MAX];
    const struct sysimg_file *f = sysimg_at(actor_sysimg(), 0);
    uint32_t n = 0, free_before = page_free_count();
    int err = K_OK;
    while (f && n < ACTORS_MAX && (made[n] = actor_create(f, 1, f->name, strlen(f->name) + 1,
                                                          0, 0, 1, ACTOR_CREATE_BOOT, &err)))
        n++;
    if (n < 2 || err != K_ETOOMUCH) {
        kprintf("selftest: held-release: %u created, then error %d\n", n, err);
        return;
    }
    struct actor *held = made[0];
    int32_t held_aid = held->aid;
    actor_end(held, NULL, ACTOR_HELD);
    made[0] = actor_create(f, 1, f->name, strlen(f->name) + 1, 0, 0, 1, ACTOR_CREATE_BOOT, &err);
    kprintf("selftest: held-release: table full (%u), one held: creation %s, held slot %s\n",
            n, made[0] ? "ok" : "failed", actor_by_aid(held_aid) ? "kept" : "freed");
    held = made[1];
    held_aid = held->aid;
    actor_end(held, NULL, ACTOR_HELD);
    made[1] = NULL;
    uint32_t free_held = page_free_count();
    int got = page_reclaim(page_pool.free_count + page_zeroed_count);
    kprintf("selftest: held-release: reclaim %s, %u pages back, held slot %s\n",
            got ? "ok" : "failed", page_free_count() - free_held,
            actor_by_aid(held_aid) ? "kept" : "freed");
    for (uint32_t i = 0; i < n; i++)
        if (made[i])
            actor_end(made[i], NULL, 0);
    kprintf("selftest: held-release: all ended, pages %s\n",
            page_free_count() == free_before ? "back" : "lost");
}

/* Switches to PSR mode mode (interrupts masked) and overflows that mode's stack. */
static void selftest_overflow_in(uint32_t mode)
{
    __asm__ volatile("msr cpsr_c, %0\n\t"
                     "mov r0, #0\n\t"
                     "bl selftest_recurse"
                     :: "r"(mode | 0xc0u) : "r0", "r1", "r2", "r3", "r12", "lr", "memory", "cc");
}

static int selftest_is(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

__attribute__((cold)) void selftest_run(void)
{
    char name[32];
    if (fwcfg_read_file("opt/reprise/selftest", name, sizeof(name)) < 0)
        return;
    kprintf("selftest: %s\n", name);
    if (selftest_is(name, "kfault-read")) {
        selftest_addr = 0x00000010u;
        (void)*(volatile uint32_t *)selftest_addr;
    } else if (selftest_is(name, "kfault-write")) {
        selftest_addr = 0x3ffff000u;
        *(volatile uint32_t *)selftest_addr = 0xdeadbeef;
    } else if (selftest_is(name, "kfault-align")) {
        cp15_write_sctlr(cp15_read_sctlr() | 2u);   /* SCTLR.A: check alignment */
        cpu_isb();
        selftest_addr = 0x40010001u;
        (void)*(volatile uint32_t *)selftest_addr;
    } else if (selftest_is(name, "kfault-exec")) {
        selftest_addr = 0x00100000u;
        ((void (*)(void))selftest_addr)();
    } else if (selftest_is(name, "kfault-text-write")) {
        selftest_addr = (uintptr_t)selftest_run & ~3u;     /* kernel text is read-only */
        *(volatile uint32_t *)selftest_addr = 0xe7f000f0;
    } else if (selftest_is(name, "kfault-exec-data")) {
        selftest_addr = (uintptr_t)&selftest_late_at;      /* kernel data is execute-never */
        ((void (*)(void))selftest_addr)();
    } else if (selftest_is(name, "kfault-undef")) {
        __asm__ volatile("udf #0");             /* permanently undefined */
    } else if (selftest_is(name, "vm-teardown")) {
        selftest_teardown();
    } else if (selftest_is(name, "bank-dirty")) {
        selftest_bank_dirty();
    } else if (selftest_is(name, "held-release")) {
        selftest_held_release();
    } else if (selftest_is(name, "kstack-svc")) {
        selftest_recurse(0);
    } else if (selftest_is(name, "kstack-abt")) {
        selftest_overflow_in(PSR_MODE_ABT);
    } else if (selftest_is(name, "kstack-und")) {
        selftest_overflow_in(PSR_MODE_UND);
    } else if (selftest_is(name, "kstack-irq")) {
        selftest_overflow_in(PSR_MODE_IRQ);
    } else if (selftest_is(name, "kstack-fiq")) {
        selftest_overflow_in(PSR_MODE_FIQ);
    } else if (selftest_is(name, "kfault-late") || selftest_is(name, "kstack-late")) {
        selftest_late = selftest_is(name, "kstack-late") ? SELFTEST_LATE_OVERFLOW
                                                         : SELFTEST_LATE_FAULT;
        if (bootrec_state()->kind == BOOT_COLD)
            selftest_late_at = timer_now() + timer_hz();   /* one second after boot */
    } else if (selftest_is(name, "console-hold")) {
        /* The transmitter takes nothing for a second, as a terminal that stopped reading:
           the actors' writes fill the ring and then wait for room. */
        console_hold(1);
        selftest_late = SELFTEST_LATE_RELEASE;
        selftest_late_at = timer_now() + timer_hz();
    } else if (selftest_is(name, "psci-reset")) {
        if (bootrec_state()->kind == BOOT_COLD)
            board_reset(RESET_REQUESTED);
    } else {
        kprintf("selftest: unknown test '%s'\n", name);
    }
}

uint64_t selftest_deadline(void)
{
    return selftest_late_at ? selftest_late_at : ~0ull;
}

void selftest_tick(uint64_t now)
{
    if (selftest_late_at && now >= selftest_late_at) {
        selftest_late_at = 0;
        if (selftest_late == SELFTEST_LATE_RELEASE) {
            /* The ring is still nearly full (one FIFO's worth went): this line makes the
               kernel send its oldest bytes itself, polled. */
            console_hold(0);
            kprintf("selftest: console released\n");
            return;
        }
        if (selftest_late == SELFTEST_LATE_OVERFLOW) {
            kprintf("selftest: kernel stack overflow in the timer interrupt\n");
            selftest_recurse(0);
        }
        kprintf("selftest: kernel fault in the timer interrupt\n");
        selftest_addr = 0x00000010u;
        (void)*(volatile uint32_t *)selftest_addr;
    }
}
