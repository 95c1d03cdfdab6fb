/* memcpy and memset for the kernel: 32-byte ldm/stm bursts, then words, then bytes. Under
   -icount every instruction costs the same, so a burst moves 32 bytes for four. */
    .syntax unified
    .arm
    .text

/* void *memcpy(void *dst, const void *src, size_t n): bursts when both are word aligned;
   otherwise single words (ARMv7-A's ldr and str take any address in Normal memory with
   SCTLR.A clear, as the kernel runs; the console ring's write position is anywhere). */
    .global memcpy
    .type   memcpy, %function
memcpy:
    push    {r0, r4-r10, lr}
    orr     r12, r0, r1
    tst     r12, #3
    bne     6f
    subs    r2, r2, #32
    blo     2f
1:  ldmia   r1!, {r3-r10}
    stmia   r0!, {r3-r10}
    subs    r2, r2, #32
    bhs     1b
2:  adds    r2, r2, #28                     @ n - 4 of what is left
    blo     4f
5:  ldr     r3, [r1], #4
    str     r3, [r0], #4
    subs    r2, r2, #4
    bhs     5b
4:  adds    r2, r2, #4                      @ the bytes left (0..3)
3:  subs    r2, r2, #1
    ldrbhs  r3, [r1], #1
    strbhs  r3, [r0], #1
    bhs     3b
    pop     {r0, r4-r10, pc}
6:  subs    r2, r2, #4                      @ misaligned: words, then the bytes left
    blo     4b
7:  ldr     r3, [r1], #4
    str     r3, [r0], #4
    subs    r2, r2, #4
    bhs     7b
    b       4b
    .size   memcpy, . - memcpy

/* void *memset(void *dst, int c, size_t n): bursts when dst is word aligned. */
    .global memset
    .type   memset, %function
memset:
    push    {r0, r4-r9, lr}
    and     r1, r1, #0xff
    orr     r1, r1, r1, lsl #8
    orr     r1, r1, r1, lsl #16
    tst     r0, #3
    bne     3f
    mov     r3, r1
    mov     r4, r1
    mov     r5, r1
    mov     r6, r1
    mov     r7, r1
    mov     r8, r1
    mov     r9, r1
    mov     r12, r1
    subs    r2, r2, #32
    blo     2f
1:  stmia   r0!, {r3-r9, r12}
    subs    r2, r2, #32
    bhs     1b
2:  adds    r2, r2, #28
    blo     4f
5:  str     r1, [r0], #4
    subs    r2, r2, #4
    bhs     5b
4:  adds    r2, r2, #4
3:  subs    r2, r2, #1
    strbhs  r1, [r0], #1
    bhs     3b
    pop     {r0, r4-r9, pc}
    .size   memset, . - memset
