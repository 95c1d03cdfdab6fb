/* ARMv7-A CPU helpers: modes, PSR bits, CP15 and generic-timer register accessors. */
#pragma once
#include <stdint.h>

#define PSR_MODE_USR  0x10u
#define PSR_MODE_FIQ  0x11u
#define PSR_MODE_IRQ  0x12u
#define PSR_MODE_SVC  0x13u
#define PSR_MODE_ABT  0x17u
#define PSR_MODE_UND  0x1bu
#define PSR_MODE_SYS  0x1fu
#define PSR_MODE_MASK 0x1fu
#define PSR_T         (1u << 5)
#define PSR_F         (1u << 6)
#define PSR_I         (1u << 7)

/* Registers saved on every entry from user mode; the order is fixed by entry.S. */
struct trapframe {
    uint32_t r[13];
    uint32_t sp;
    uint32_t lr;
    uint32_t pc;
    uint32_t cpsr;
};
_Static_assert(sizeof(struct trapframe) == 68, "entry.S relies on a 68-byte trap frame");

#define CP15_READ(name, op1, crn, crm, op2)                                          \
    static inline uint32_t cp15_read_##name(void)                                    \
    {                                                                                \
        uint32_t v;                                                                  \
        __asm__ volatile("mrc p15, " #op1 ", %0, " #crn ", " #crm ", " #op2 : "=r"(v)); \
        return v;                                                                    \
    }
#define CP15_WRITE(name, op1, crn, crm, op2)                                         \
    static inline void cp15_write_##name(uint32_t v)                                 \
    {                                                                                \
        __asm__ volatile("mcr p15, " #op1 ", %0, " #crn ", " #crm ", " #op2 ::"r"(v) : "memory"); \
    }

CP15_READ(midr, 0, c0, c0, 0)
CP15_READ(sctlr, 0, c1, c0, 0)
CP15_WRITE(sctlr, 0, c1, c0, 0)
CP15_READ(dfsr, 0, c5, c0, 0)
CP15_READ(ifsr, 0, c5, c0, 1)
CP15_READ(dfar, 0, c6, c0, 0)
CP15_READ(ifar, 0, c6, c0, 2)
CP15_READ(ttbr0, 0, c2, c0, 0)
CP15_WRITE(ttbr0, 0, c2, c0, 0)
CP15_READ(ttbcr, 0, c2, c0, 2)
CP15_WRITE(ttbcr, 0, c2, c0, 2)
CP15_WRITE(contextidr, 0, c13, c0, 1)
CP15_WRITE(tpidruro, 0, c13, c0, 3)
CP15_READ(tpidrurw, 0, c13, c0, 2)
CP15_WRITE(tpidrurw, 0, c13, c0, 2)
CP15_READ(cpacr, 0, c1, c0, 2)
CP15_WRITE(cpacr, 0, c1, c0, 2)
CP15_READ(cntfrq, 0, c14, c0, 0)
CP15_WRITE(cntkctl, 0, c14, c1, 0)
CP15_WRITE(cntv_ctl, 0, c14, c3, 1)
CP15_WRITE(tlbiall, 0, c8, c7, 0)
CP15_WRITE(tlbiasid, 0, c8, c7, 2)
CP15_WRITE(tlbimva, 0, c8, c7, 1)
CP15_WRITE(iciallu, 0, c7, c5, 0)
CP15_WRITE(bpiall, 0, c7, c5, 6)
CP15_WRITE(dccmvac, 0, c7, c10, 1)
CP15_WRITE(ats1cur, 0, c7, c8, 2)
CP15_READ(par, 0, c7, c4, 0)

static inline uint64_t cpu_cntvct(void)
{
    uint32_t lo, hi;
    __asm__ volatile("isb; mrrc p15, 1, %0, %1, c14" : "=r"(lo), "=r"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static inline void cpu_cntv_cval_write(uint64_t v)
{
    __asm__ volatile("mcrr p15, 3, %0, %1, c14" ::"r"((uint32_t)v), "r"((uint32_t)(v >> 32)));
}

static inline void cpu_dsb(void) { __asm__ volatile("dsb" ::: "memory"); }
static inline void cpu_isb(void) { __asm__ volatile("isb" ::: "memory"); }
static inline void cpu_wfi(void) { __asm__ volatile("dsb; wfi" ::: "memory"); }

#define CPU_DCACHE_LINE_SIZE 64u   /* Cortex-A15 L1/L2 data cache line */

CP15_WRITE(dccmvau, 0, c7, c11, 1)

/* Makes instructions written through the data side at [addr, addr + size) visible to the
   instruction side: clean to the point of unification, invalidate the I-cache and branch
   predictor (ARM ARM B2.2.9). */
static inline void cpu_sync_icache_range(uint32_t addr, uint32_t size)
{
    for (uint32_t a = addr & ~(CPU_DCACHE_LINE_SIZE - 1); a < addr + size; a += CPU_DCACHE_LINE_SIZE)
        cp15_write_dccmvau(a);
    cpu_dsb();
    cp15_write_iciallu(0);
    cp15_write_bpiall(0);
    cpu_dsb();
    cpu_isb();
}

/* Cleans [addr, addr + size) (kernel addresses) from the data cache to the point of
   coherency and waits (ARM ARM B4.2.1 DCCMVAC), so the bytes are in RAM. */
static inline void cpu_dcache_clean_range(uint32_t addr, uint32_t size)
{
    for (uint32_t a = addr & ~(CPU_DCACHE_LINE_SIZE - 1); a < addr + size; a += CPU_DCACHE_LINE_SIZE)
        cp15_write_dccmvac(a);
    cpu_dsb();
}
