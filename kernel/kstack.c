/* The kernel-mode stacks: their guard pages, and what a kernel fault says of an overflow. */
#include <arch/cpu.h>
#include <board.h>
#include <kernel/kstack.h>
#include <stddef.h>

extern char __irq_stack_bottom[], __irq_stack_top[], __abt_stack_bottom[], __abt_stack_top[];
extern char __und_stack_bottom[], __und_stack_top[], __fiq_stack_bottom[], __fiq_stack_top[];
extern char __svc_stack_bottom[], __svc_stack_top[];
extern uint32_t kernel_l2[256];

uint32_t kstack_trap_sp;

struct kstack {
    const char *name;
    uint32_t mode;      /* PSR_MODE_* that uses it */
    char *bottom;       /* its guard page is the page below */
    char *top;
};

static const struct kstack kstacks[] = {
    { "SVC", PSR_MODE_SVC, __svc_stack_bottom, __svc_stack_top },
    { "ABT", PSR_MODE_ABT, __abt_stack_bottom, __abt_stack_top },
    { "UND", PSR_MODE_UND, __und_stack_bottom, __und_stack_top },
    { "IRQ", PSR_MODE_IRQ, __irq_stack_bottom, __irq_stack_top },
    { "FIQ", PSR_MODE_FIQ, __fiq_stack_bottom, __fiq_stack_top },
};
#define KSTACKS (sizeof(kstacks) / sizeof(kstacks[0]))

void kstack_guard_init(void)
{
    for (uint32_t i = 0; i < KSTACKS; i++) {
        uint32_t guard = (uint32_t)(uintptr_t)kstacks[i].bottom - KSTACK_GUARD_SIZE;
        kernel_l2[(guard - BOARD_RAM_PADDR) / KSTACK_GUARD_SIZE] = 0;
    }
    cpu_dsb();
    cp15_write_tlbiall(0);
    cpu_dsb();
    cpu_isb();
}

const char *kstack_overflow(uint32_t addr, uint32_t mode, uint32_t sp)
{
    for (uint32_t i = 0; i < KSTACKS; i++) {
        uint32_t bottom = (uint32_t)(uintptr_t)kstacks[i].bottom;
        if (addr - (bottom - KSTACK_GUARD_SIZE) < KSTACK_GUARD_SIZE)
            return kstacks[i].name;
    }
    for (uint32_t i = 0; i < KSTACKS; i++)
        if (kstacks[i].mode == (mode & PSR_MODE_MASK) &&
            sp < (uint32_t)(uintptr_t)kstacks[i].bottom)
            return kstacks[i].name;
    return NULL;
}
