/* Kernel linker template: one image at the board's kernel address, VA == PA (TTBR1 half). */
#include <board.h>
#include <kernel/kstack.h>

OUTPUT_FORMAT("elf32-littlearm")
OUTPUT_ARCH(arm)
ENTRY(_start)

PHDRS
{
    text PT_LOAD FLAGS(5);
    rodata PT_LOAD FLAGS(4);
    data PT_LOAD FLAGS(6);
}

SECTIONS
{
    /* The kernel-mode stacks, each above an unmapped guard page, in the RAM below the
       kernel image (kernel/include/kernel/kstack.h draws them): addresses only, nothing of
       the ELF file, nothing loaded. */
    __irq_stack_bottom = BOARD_RAM_PADDR + KSTACK_GUARD_SIZE;
    __irq_stack_top = __irq_stack_bottom + KSTACK_MODE_SIZE;
    __abt_stack_bottom = __irq_stack_top + KSTACK_GUARD_SIZE;
    __abt_stack_top = __abt_stack_bottom + KSTACK_MODE_SIZE;
    __und_stack_bottom = __abt_stack_top + KSTACK_GUARD_SIZE;
    __und_stack_top = __und_stack_bottom + KSTACK_MODE_SIZE;
    __fiq_stack_bottom = __und_stack_top + KSTACK_GUARD_SIZE;
    __fiq_stack_top = __fiq_stack_bottom + KSTACK_MODE_SIZE;
    __svc_stack_bottom = __fiq_stack_top + KSTACK_GUARD_SIZE;
    __svc_stack_top = __svc_stack_bottom + KSTACK_SVC_SIZE;

    . = BOARD_KERNEL_PADDR;
    __kernel_start = .;
    .text : {
        KEEP(*(.text.boot))
        *(.text.vectors)
        *(.text .text.*)
    } :text
    . = ALIGN(4096);
    __text_end = .;

    .rodata : { *(.rodata .rodata.*) } :rodata
    /* The system image: actor ELF files and the boot script, page-aligned so
       actor text pages can be mapped from here without a copy. */
    . = ALIGN(4096);
    .sysimg : {
        __sysimg_start = .;
        KEEP(*(.sysimg))
        __sysimg_end = .;
    } :rodata
    . = ALIGN(4096);
    __rodata_end = .;

    .data : { *(.data .data.*) } :data
    .bss (NOLOAD) : {
        . = ALIGN(64);                  /* entry.S zeroes it 64 bytes a step */
        __bss_start = .;
        *(.bss.kernel_l1)               /* 16 KiB aligned, then 1 KiB: first, so no padding */
        *(.bss.kernel_l2)
        *(.bss .bss.* COMMON)
        . = ALIGN(64);
        __bss_end = .;
    } :data
    . = ALIGN(4096);
    __kernel_end = .;

    /DISCARD/ : { *(.ARM.exidx*) *(.ARM.extab*) *(.comment) *(.note*) }

    ASSERT(__kernel_end <= BOARD_BANK_PADDR, "kernel image overlaps the persistent bank")
    ASSERT(__kernel_start >= BOARD_RAM_PADDR, "kernel image below RAM")
    ASSERT(__svc_stack_top <= BOARD_KERNEL_PADDR, "kernel stacks overlap the kernel image")
    ASSERT(__text_end <= BOARD_RAM_PADDR + 0x100000, "kernel text past the first MiB (entry.S maps only it executable)")
}
