/* Kernel linker template: one image at the board's kernel address, VA == PA (TTBR1 half). */
#include <board.h>

OUTPUT_FORMAT("elf32-littlearm")
OUTPUT_ARCH(arm)
ENTRY(_start)

#define KERNEL_STACK_SIZE 16384
#define MODE_STACK_SIZE   4096

PHDRS
{
    text PT_LOAD FLAGS(5);
    rodata PT_LOAD FLAGS(4);
    data PT_LOAD FLAGS(6);
}

SECTIONS
{
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
        . = ALIGN(16);
        __bss_start = .;
        *(.bss .bss.* COMMON)
        . = ALIGN(16);
        __bss_end = .;
    } :data
    .stacks (NOLOAD) : {
        . = ALIGN(4096);
        . += MODE_STACK_SIZE; __irq_stack_top = .;
        . += MODE_STACK_SIZE; __abt_stack_top = .;
        . += MODE_STACK_SIZE; __und_stack_top = .;
        . += MODE_STACK_SIZE; __fiq_stack_top = .;
        . += KERNEL_STACK_SIZE; __svc_stack_top = .;
    } :data
    . = ALIGN(4096);
    __kernel_end = .;

    /DISCARD/ : { *(.ARM.exidx*) *(.ARM.extab*) *(.comment) *(.note*) }

    ASSERT(__kernel_end <= BOARD_BANK_PADDR, "kernel image overlaps the persistent bank")
    ASSERT(__kernel_start >= BOARD_RAM_PADDR, "kernel image below RAM")
    ASSERT(__text_end <= BOARD_RAM_PADDR + 0x100000, "kernel text past the first MiB (entry.S maps only it executable)")
}
