/* Actor entry: from the kernel's argc/argv to exit(main(argc, argv, environ)).
 *
 * The kernel enters _start in user mode with r0 = argc, r1 = argv (strings and vector in the
 * stack area), sp 8-byte aligned below them, .data loaded and .bss zeroed. _start is ARM
 * code, so the entry address is even and the kernel need not set CPSR.T; the C code it
 * calls is Thumb-2 (bl becomes blx at link time). */
    .syntax unified
    .arm

    .section .text._start, "ax", %progbits
    .global _start
    .type _start, %function
_start:
    mov     r4, r0                  @ argc
    mov     r5, r1                  @ argv
    bic     r6, sp, #7              @ keep the AAPCS 8-byte stack alignment whatever we got
    mov     sp, r6
    mov     fp, #0                  @ end of the frame chain for debuggers
    mov     lr, #0
    ldr     r0, =__fini_array_start @ destructors run at exit(), when there are any
    ldr     r1, =__fini_array_end   @ (__libc_fini_array would call only _fini, empty)
    cmp     r0, r1
    beq     1f
    ldr     r0, =__libc_fini_array
    bl      atexit
1:
    bl      __libc_init_array       @ preinit_array, _init, init_array (constructors)
    mov     r0, r4
    mov     r1, r5
    ldr     r2, =environ            @ envp: newlib's environment, empty
    ldr     r2, [r2]
    bl      main
    bl      exit                    @ does not return
    .size _start, . - _start

/* __libc_init_array and __libc_fini_array call _init and _fini, which crti.o and crtn.o
 * provide in a hosted link; actors are linked with -nostartfiles and have nothing to add. */
    .section .text._init, "ax", %progbits
    .global _init
    .type _init, %function
_init:
    bx      lr
    .size _init, . - _init

    .section .text._fini, "ax", %progbits
    .global _fini
    .type _fini, %function
_fini:
    bx      lr
    .size _fini, . - _fini
