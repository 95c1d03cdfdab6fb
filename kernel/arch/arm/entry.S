/* Boot entry, exception vectors, and the user trap entry/exit path (ARMv7-A, ARM state). */
#include <board.h>
#include <kernel/kstack.h>

#define MODE_USR 0x10
#define MODE_FIQ 0x11
#define MODE_IRQ 0x12
#define MODE_SVC 0x13
#define MODE_ABT 0x17
#define MODE_UND 0x1b
#define MODE_SYS 0x1f

/* Short-descriptor attributes (ARM ARM B3.5.1), kernel only (AP=01: PL0 no access). */
#define SECT_NORMAL 0x1141e   /* S, AP=01, TEX=001 C B (write-back write-allocate), XN */
#define PAGE_KTEXT  0x65e     /* small page: S, AP[2]=1 AP=01 (PL1 read-only), TEX=001 C B */
#define PAGE_KRO    0x65f     /* the same, XN */
#define PAGE_KDATA  0x45f     /* small page: S, AP=01 (PL1 read/write), TEX=001 C B, XN */
#define SECT_DEVICE 0x00416   /* AP=01, XN, B: shareable device */
#define DEV_WINDOW_VADDR 0xf0000000

/* Trap kinds passed to panic_trap (see kernel/include/kernel/panic.h). */
#define TRAP_UNDEF 0
#define TRAP_SVC   1
#define TRAP_PABT  2
#define TRAP_DABT  3
#define TRAP_IRQ   4
#define TRAP_FIQ   5

    .syntax unified
    .arm
    .cfi_sections .debug_frame              @ unwind tables for gdb (no .eh_frame)

    .section .text.boot, "ax"
    .global _start
_start:
    cpsid   aif
    mrc     p15, 0, r0, c0, c0, 5           @ MPIDR: only core 0 boots
    ands    r0, r0, #0xff
    bne     park

    cps     #MODE_IRQ
    ldr     sp, =__irq_stack_top
    cps     #MODE_ABT
    ldr     sp, =__abt_stack_top
    cps     #MODE_UND
    ldr     sp, =__und_stack_top
    cps     #MODE_FIQ
    ldr     sp, =__fiq_stack_top
    cps     #MODE_SVC
    ldr     sp, =__svc_stack_top

    ldr     r0, =__bss_start                @ zero .bss (a warm reset must not trust it),
    ldr     r1, =__bss_end                  @ 64 bytes a step: kernel.ld aligns both ends
    mov     r2, #0
    mov     r3, #0
    mov     r4, #0
    mov     r5, #0
    mov     r6, #0
    mov     r7, #0
    mov     r8, #0
    mov     r9, #0
    b       2f
1:  stmia   r0!, {r2-r9}
    stmia   r0!, {r2-r9}
2:  cmp     r0, r1
    blo     1b

    ldr     r0, =vectors
    mcr     p15, 0, r0, c12, c0, 0          @ VBAR

    /* Boot translation table: RAM identity-mapped (VA == PA, TTBR1 half) and execute-never,
       the low 256 MiB of device space at DEV_WINDOW_VADDR; then the first MiB, which holds
       the kernel image, in pages: text read-only and executable, rodata and the system
       image read-only, everything else read/write (W^X for the kernel too). */
    ldr     r0, =kernel_l1
    ldr     r1, =(BOARD_RAM_PADDR | SECT_NORMAL)
    add     r4, r0, #((BOARD_RAM_PADDR >> 20) * 4)
    mov     r2, #(BOARD_RAM_SIZE >> 20)
2:  str     r1, [r4], #4
    add     r1, r1, #0x100000
    subs    r2, r2, #1
    bne     2b
    ldr     r1, =SECT_DEVICE
    add     r4, r0, #((DEV_WINDOW_VADDR >> 20) * 4)
    mov     r2, #256
3:  str     r1, [r4], #4
    add     r1, r1, #0x100000
    subs    r2, r2, #1
    bne     3b
    ldr     r4, =kernel_l2
    ldr     r1, =BOARD_RAM_PADDR
    ldr     r5, =__kernel_start
    ldr     r6, =__text_end
    ldr     r7, =__rodata_end
    mov     r2, #256
4:  ldr     r3, =PAGE_KDATA
    cmp     r1, r5
    blo     5f
    cmp     r1, r6
    ldrlo   r3, =PAGE_KTEXT
    blo     5f
    cmp     r1, r7
    ldrlo   r3, =PAGE_KRO
5:  orr     r3, r3, r1
    str     r3, [r4], #4
    add     r1, r1, #0x1000
    subs    r2, r2, #1
    bne     4b
    ldr     r4, =kernel_l2
    orr     r4, r4, #1                      @ first-level descriptor: page table, domain 0
    add     r5, r0, #((BOARD_RAM_PADDR >> 20) * 4)
    str     r4, [r5]

    mov     r1, #0
    mcr     p15, 0, r1, c8, c7, 0           @ TLBIALL
    mcr     p15, 0, r1, c7, c5, 0           @ ICIALLU
    mcr     p15, 0, r1, c7, c5, 6           @ BPIALL
    mcr     p15, 0, r1, c13, c0, 1          @ CONTEXTIDR = 0 (ASID 0: kernel only)
    mov     r1, #(2 | (1 << 4))             @ TTBCR: N=2 (TTBR0 below 1 GiB), PD0: no walks yet
    mcr     p15, 0, r1, c2, c0, 2
    orr     r1, r0, #0x4a                   @ table walks: inner/outer WBWA, shareable
    mcr     p15, 0, r1, c2, c0, 1           @ TTBR1 = kernel table
    mcr     p15, 0, r1, c2, c0, 0           @ TTBR0 (unused while PD0 is set)
    mov     r1, #1
    mcr     p15, 0, r1, c3, c0, 0           @ DACR: domain 0 client
    dsb
    isb
    mrc     p15, 0, r1, c1, c0, 0           @ SCTLR
    ldr     r2, =((1 << 1) | (1 << 13) | (1 << 28) | (1 << 29))
    bic     r1, r1, r2                      @ A, V (use VBAR), TRE, AFE off
    ldr     r2, =((1 << 0) | (1 << 2) | (1 << 11) | (1 << 12))
    orr     r1, r1, r2                      @ M, C, Z, I on
    mcr     p15, 0, r1, c1, c0, 0
    isb

    bl      kmain
park:
    wfi
    b       park

/* Exception vectors (ARM ARM B1.8.1). Exceptions from PL0 save the user registers into the
   current thread's trap frame: while a thread runs in user mode, the SVC stack pointer
   points just past its frame. The kernel itself runs with IRQs masked and never traps,
   so an exception taken from a privileged mode is a kernel fault and panics. */
    .section .text.vectors, "ax"
    .balign 32
    .global vectors
vectors:
    b       .                               @ reset (not taken through VBAR)
    b       vec_undef
    b       vec_svc
    b       vec_pabt
    b       vec_dabt
    b       .                               @ reserved
    b       vec_irq
    b       vec_fiq

/* Each vector is described to debuggers as an outermost frame (its return address, lr, is
   undefined): a kernel backtrace ends at the exception entry instead of unwinding into
   whatever the trapped mode's registers held. */
.macro VECTOR_START
    .cfi_startproc
    .cfi_undefined lr
.endm

/* Save the user registers below the SVC stack pointer (the thread's frame), switch to the
   kernel stack and call \handler(frame); it returns the frame of the thread to resume. */
.macro USER_ENTRY handler
    srsdb   sp!, #MODE_SVC
    cps     #MODE_SVC
    stmdb   sp, {r0-lr}^
    sub     r0, sp, #60
    ldr     sp, =__svc_stack_top
    bl      \handler
    b       trap_return
.endm

/* Branch to the kernel-fault path when the exception was taken from a privileged mode.
   r0 is kept in TPIDRPRW (PL1 only, otherwise unused), not on this mode's stack: that
   stack may be the one that overflowed. */
.macro FROM_USER_OR kind
    mcr     p15, 0, r0, c13, c0, 4          @ TPIDRPRW = r0
    mrs     r0, spsr
    tst     r0, #0xf                        @ user mode is 0x10: low four bits clear
    mrc     p15, 0, r0, c13, c0, 4
    bne     kernel_trap_\kind
.endm

vec_svc:
    VECTOR_START
    srsdb   sp!, #MODE_SVC
    stmdb   sp, {r0-lr}^
    sub     r0, sp, #60
    ldr     sp, =__svc_stack_top
    bl      trap_svc
    .global trap_return
    .type   trap_return, %function
trap_return:                                @ r0: frame of the thread to resume in user mode
    clrex                                   @ no exclusive reservation crosses actors
    mov     sp, r0
    ldmia   sp, {r0-lr}^
    nop
    add     sp, sp, #60
    rfeia   sp!
    .cfi_endproc

vec_undef:
    VECTOR_START
    FROM_USER_OR undef
    USER_ENTRY trap_undef
    .cfi_endproc

vec_pabt:
    VECTOR_START
    sub     lr, lr, #4
    FROM_USER_OR pabt
    USER_ENTRY trap_pabt
    .cfi_endproc

vec_dabt:
    VECTOR_START
    sub     lr, lr, #8
    FROM_USER_OR dabt
    USER_ENTRY trap_dabt
    .cfi_endproc

vec_irq:
    VECTOR_START
    sub     lr, lr, #4
    FROM_USER_OR irq
    USER_ENTRY trap_irq
    .cfi_endproc

vec_fiq:
    VECTOR_START
    sub     lr, lr, #4
    b       kernel_trap_fiq
    .cfi_endproc

/* Kernel fault: build a trap frame on this mode's own stack (r0-r12, sp, lr of the
   interrupted mode, pc, cpsr) and panic with it. A fault taken in this mode itself may have
   overflowed its stack (into the guard page): when sp is not inside the stack with room for
   the panic, it is kept in kstack_trap_sp and starts again from the top. */
.macro KERNEL_TRAP kind, mode, stack
kernel_trap_\kind:
    VECTOR_START
    mcr     p15, 0, r0, c13, c0, 4          @ TPIDRPRW = r0
    ldr     r0, =(__\stack\()_stack_bottom + KSTACK_PANIC_ROOM)
    cmp     sp, r0
    blo     1f
    ldr     r0, =__\stack\()_stack_top
    cmp     sp, r0
    bls     2f
1:  ldr     r0, =kstack_trap_sp
    str     sp, [r0]
    ldr     sp, =__\stack\()_stack_top
2:  mrc     p15, 0, r0, c13, c0, 4
    srsdb   sp!, #\mode
    sub     sp, sp, #8
    stmdb   sp!, {r0-r12}
    mrs     r0, spsr
    and     r0, r0, #0x1f
    cmp     r0, #MODE_USR
    moveq   r0, #MODE_SYS                   @ user registers are read from System mode
    orr     r0, r0, #0xc0                   @ IRQ and FIQ stay masked
    mrs     r1, cpsr
    msr     cpsr_c, r0
    mov     r2, sp
    mov     r3, lr
    msr     cpsr_c, r1
    add     r0, sp, #52
    stmia   r0, {r2, r3}
    mov     r0, sp
    mov     r1, #TRAP_\kind
    bl      panic_trap
    b       .
    .cfi_endproc
.endm

    .equ    TRAP_undef, TRAP_UNDEF
    .equ    TRAP_pabt, TRAP_PABT
    .equ    TRAP_dabt, TRAP_DABT
    .equ    TRAP_irq, TRAP_IRQ
    .equ    TRAP_fiq, TRAP_FIQ

    KERNEL_TRAP undef, MODE_UND, und
    KERNEL_TRAP pabt, MODE_ABT, abt
    KERNEL_TRAP dabt, MODE_ABT, abt
    KERNEL_TRAP irq, MODE_IRQ, irq
    KERNEL_TRAP fiq, MODE_FIQ, fiq
