/* Page-sized zero fill and copy with 32-byte burst loads and stores, four to a loop turn. */
    .syntax unified
    .arm
    .text

/* void page_zero(void *page): r0 page-aligned kernel address. */
    .global page_zero
    .type   page_zero, %function
page_zero:
    push    {r4-r9}
    mov     r1, #0
    mov     r2, #0
    mov     r3, #0
    mov     r4, #0
    mov     r5, #0
    mov     r6, #0
    mov     r7, #0
    mov     r8, #0
    add     r9, r0, #4096
1:  stmia   r0!, {r1-r8}                  @ 128 bytes a turn: under -icount every
    stmia   r0!, {r1-r8}                  @ instruction counts alike, so the loop's
    stmia   r0!, {r1-r8}                  @ compare and branch come once per 128
    stmia   r0!, {r1-r8}
    cmp     r0, r9
    bne     1b
    pop     {r4-r9}
    bx      lr

/* void page_copy(void *dst, const void *src): both page-aligned kernel addresses. */
    .global page_copy
    .type   page_copy, %function
page_copy:
    push    {r4-r10}
    add     r10, r0, #4096
1:  ldmia   r1!, {r3-r9, r12}             @ 128 bytes a turn, as page_zero
    stmia   r0!, {r3-r9, r12}
    ldmia   r1!, {r3-r9, r12}
    stmia   r0!, {r3-r9, r12}
    ldmia   r1!, {r3-r9, r12}
    stmia   r0!, {r3-r9, r12}
    ldmia   r1!, {r3-r9, r12}
    stmia   r0!, {r3-r9, r12}
    cmp     r0, r10
    bne     1b
    pop     {r4-r10}
    bx      lr
