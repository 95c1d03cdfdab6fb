/* Kernel panic: print the mode, registers and decoded fault, then stop the machine. */
#include <arch/cpu.h>
#include <kernel/console.h>
#include <lib/fault.h>
#include <kernel/ipc.h>
#include <kernel/kstack.h>
#include <kernel/panic.h>
#include <kernel/reset.h>
#include <lib/fmt.h>
#include <string.h>

/* The mode whose stack each trap's handler runs on (entry.S). */
static const uint32_t panic_trap_modes[] = {
    [TRAP_UNDEF] = PSR_MODE_UND,
    [TRAP_SVC] = PSR_MODE_SVC,
    [TRAP_PABT] = PSR_MODE_ABT,
    [TRAP_DABT] = PSR_MODE_ABT,
    [TRAP_IRQ] = PSR_MODE_IRQ,
    [TRAP_FIQ] = PSR_MODE_FIQ,
};

static const char *const panic_trap_names[] = {
    [TRAP_UNDEF] = "undefined instruction",
    [TRAP_SVC] = "supervisor call",
    [TRAP_PABT] = "prefetch abort",
    [TRAP_DABT] = "data abort",
    [TRAP_IRQ] = "interrupt",
    [TRAP_FIQ] = "fast interrupt",
};

const char *panic_mode_name(uint32_t psr)
{
    switch (psr & PSR_MODE_MASK) {
    case PSR_MODE_USR: return "USR";
    case PSR_MODE_FIQ: return "FIQ";
    case PSR_MODE_IRQ: return "IRQ";
    case PSR_MODE_SVC: return "SVC";
    case PSR_MODE_ABT: return "ABT";
    case PSR_MODE_UND: return "UND";
    case PSR_MODE_SYS: return "SYS";
    default: return "???";
    }
}

/* Stops after a panic: a site restart once the HR controller runs (it brings the groups
   back, and logs what the boot record says of the panic), otherwise a halt, so that a
   boot-time fault cannot loop. */
static void panic_halt(const struct fault_record *rec) __attribute__((noreturn));
static void panic_halt(const struct fault_record *rec)
{
    if (ipc_fault_port_owner()) {
        bootrec_set_end(rec);
        board_reset(RESET_PANIC);
    }
    kprintf("*** system halted\n");
    for (;;)
        cpu_wfi();
}

/* The record of a panic for the boot record: the kernel as the actor, the message. */
static void panic_record(struct fault_record *rec, uint32_t pc, uint32_t addr, uint32_t fsr)
{
    memset(rec, 0, sizeof(*rec));
    memcpy(rec->name, "kernel", 7);
    rec->kind = FAULT_KIND_PANIC;
    rec->pc = pc;
    rec->addr = addr;
    rec->fsr = fsr;
    rec->time = cpu_cntvct();
}

void panic(const char *fmt, ...)
{
    __asm__ volatile("cpsid if");
    console_sync();             /* everything printed before the panic, then its text */
    struct fault_record rec;
    panic_record(&rec, 0, 0, 0);
    va_list ap;
    va_start(ap, fmt);
    kprintf("\n*** KERNEL PANIC: ");
    kvprintf(fmt, ap);
    kprintf("\n");
    va_end(ap);
    va_start(ap, fmt);
    char msg[96];
    fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    fmt_snprintf(rec.text, sizeof(rec.text), "%s", msg);
    panic_halt(&rec);
}

void panic_trap(struct trapframe *tf, enum trap_kind kind)
{
    struct fault_record rec;
    console_sync();             /* everything printed before the panic, then its text */
    if (kind == TRAP_UNDEF)
        tf->pc -= (tf->cpsr & PSR_T) ? 2 : 4;
    /* An access to a guard page, a trapped mode's sp below its stack, or the handler's own
       stack found overflowed by entry.S: a kernel stack overflow, said as such. */
    uint32_t far = kind == TRAP_DABT ? cp15_read_dfar() : kind == TRAP_PABT ? cp15_read_ifar() : 0;
    const char *over = kstack_overflow(far, tf->cpsr, tf->sp);
    if (kstack_trap_sp && (tf->cpsr & PSR_MODE_MASK) == panic_trap_modes[kind])
        tf->sp = kstack_trap_sp;    /* the frame read the sp entry.S started again from */
    if (!over && kstack_trap_sp)
        over = kstack_overflow(0, panic_trap_modes[kind], 0);
    if (over)
        kprintf("\n*** KERNEL PANIC: kernel stack overflow (%s stack): %s in %s mode at "
                "pc=0x%08x\n", over, panic_trap_names[kind], panic_mode_name(tf->cpsr), tf->pc);
    else
        kprintf("\n*** KERNEL PANIC: %s in %s mode at pc=0x%08x\n", panic_trap_names[kind],
                panic_mode_name(tf->cpsr), tf->pc);
    for (int i = 0; i < 13; i++)
        kprintf("  r%-2d=0x%08x%s", i, tf->r[i], i % 4 == 3 ? "\n" : "");
    kprintf("\n  sp =0x%08x  lr =0x%08x  pc =0x%08x  cpsr=0x%08x\n", tf->sp, tf->lr, tf->pc,
            tf->cpsr);
    if (kind == TRAP_DABT || kind == TRAP_PABT) {
        int is_data = kind == TRAP_DABT;
        uint32_t fsr = is_data ? cp15_read_dfsr() : cp15_read_ifsr();
        uint32_t far = is_data ? cp15_read_dfar() : cp15_read_ifar();
        struct fault_status st = fault_decode(fsr, is_data);
        kprintf("  fault: %s at 0x%08x, %s", is_data ? (st.write ? "write" : "read") : "execute",
                far, fault_class_name(st.cls));
        if (st.level)
            kprintf(" (level %u)", st.level);
        kprintf(", %s=0x%08x\n", is_data ? "DFSR" : "IFSR", fsr);
        panic_record(&rec, tf->pc, far, fsr);
        fmt_snprintf(rec.text, sizeof(rec.text), "%s in %s mode pc=0x%08x addr=0x%08x %s, %s",
                     panic_trap_names[kind], panic_mode_name(tf->cpsr), tf->pc, far,
                     is_data ? (st.write ? "write" : "read") : "execute", fault_class_name(st.cls));
    } else {
        panic_record(&rec, tf->pc, far, 0);
        fmt_snprintf(rec.text, sizeof(rec.text), "%s in %s mode pc=0x%08x",
                     panic_trap_names[kind], panic_mode_name(tf->cpsr), tf->pc);
    }
    if (over)
        fmt_snprintf(rec.text, sizeof(rec.text), "kernel stack overflow (%s stack) "
                     "in %s mode pc=0x%08x addr=0x%08x", over, panic_mode_name(tf->cpsr), tf->pc,
                     far);
    panic_halt(&rec);
}
