/* Inline "svc #0" wrappers: the user side of the system call convention of <reprise/syscall.h>.
 *
 * The call number goes in r7, arguments in r0-r5, the result comes back in r0; IPC calls
 * also return r1-r6 (struct sys_ipc_ret); SYS_IPC_REPLY_RECV takes a seventh argument in r6.
 * r7 is the Thumb frame pointer at -O0, so it is never named as an operand or a clobber: each
 * wrapper saves it in a scratch register around the svc and puts it back, which also covers
 * the kernel clobbering r7. The kernel preserves every other register that is not a result. */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <reprise/abi.h>
#include <reprise/syscall.h>

#define SYS_SVC_ASM "mov %[save], r7\n\tmov r7, %[nr]\n\tsvc #0\n\tmov r7, %[save]"

/* sys_call0..sys_call6: calls with 0-6 arguments and one result (K_OK, a value >= 0, or K_E*). */
static inline long sys_call0(long n)
{
    register long r0 __asm__("r0");
    long save;
    __asm__ volatile(SYS_SVC_ASM
                     : "=r"(r0), [save] "=&r"(save)
                     : [nr] "rI"(n)
                     : "memory");
    return r0;
}

static inline long sys_call1(long n, long a0)
{
    register long r0 __asm__("r0") = a0;
    long save;
    __asm__ volatile(SYS_SVC_ASM
                     : "+r"(r0), [save] "=&r"(save)
                     : [nr] "rI"(n)
                     : "memory");
    return r0;
}

static inline long sys_call2(long n, long a0, long a1)
{
    register long r0 __asm__("r0") = a0;
    register long r1 __asm__("r1") = a1;
    long save;
    __asm__ volatile(SYS_SVC_ASM
                     : "+r"(r0), [save] "=&r"(save)
                     : [nr] "rI"(n), "r"(r1)
                     : "memory");
    return r0;
}

static inline long sys_call3(long n, long a0, long a1, long a2)
{
    register long r0 __asm__("r0") = a0;
    register long r1 __asm__("r1") = a1;
    register long r2 __asm__("r2") = a2;
    long save;
    __asm__ volatile(SYS_SVC_ASM
                     : "+r"(r0), [save] "=&r"(save)
                     : [nr] "rI"(n), "r"(r1), "r"(r2)
                     : "memory");
    return r0;
}

static inline long sys_call4(long n, long a0, long a1, long a2, long a3)
{
    register long r0 __asm__("r0") = a0;
    register long r1 __asm__("r1") = a1;
    register long r2 __asm__("r2") = a2;
    register long r3 __asm__("r3") = a3;
    long save;
    __asm__ volatile(SYS_SVC_ASM
                     : "+r"(r0), [save] "=&r"(save)
                     : [nr] "rI"(n), "r"(r1), "r"(r2), "r"(r3)
                     : "memory");
    return r0;
}

static inline long sys_call5(long n, long a0, long a1, long a2, long a3, long a4)
{
    register long r0 __asm__("r0") = a0;
    register long r1 __asm__("r1") = a1;
    register long r2 __asm__("r2") = a2;
    register long r3 __asm__("r3") = a3;
    register long r4 __asm__("r4") = a4;
    long save;
    __asm__ volatile(SYS_SVC_ASM
                     : "+r"(r0), [save] "=&r"(save)
                     : [nr] "rI"(n), "r"(r1), "r"(r2), "r"(r3), "r"(r4)
                     : "memory");
    return r0;
}

static inline long sys_call6(long n, long a0, long a1, long a2, long a3, long a4, long a5)
{
    register long r0 __asm__("r0") = a0;
    register long r1 __asm__("r1") = a1;
    register long r2 __asm__("r2") = a2;
    register long r3 __asm__("r3") = a3;
    register long r4 __asm__("r4") = a4;
    register long r5 __asm__("r5") = a5;
    long save;
    __asm__ volatile(SYS_SVC_ASM
                     : "+r"(r0), [save] "=&r"(save)
                     : [nr] "rI"(n), "r"(r1), "r"(r2), "r"(r3), "r"(r4), "r"(r5)
                     : "memory");
    return r0;
}

/* sys_user_copy: a checked memcpy within the caller; K_OK, or K_EFAULT and nothing copied
 * when either range is not the caller's memory (a library's guard against bad pointers). */
static inline int sys_user_copy(void *dst, const void *src, size_t n)
{
    return (int)sys_call3(SYS_USER_COPY, (long)dst, (long)src, (long)n);
}

/* sys_plain_range: 1 when [p, p + n) lies where the caller certainly has memory, so that a
 * library may use it directly without sys_user_copy's kernel entry: its text and rodata (not
 * for writing), its data and bss, its stack above sp (inline), or its heap pages (asked of
 * libc-glue/syscalls.c, which knows how far the heap is mapped). 0 says nothing: check with
 * sys_user_copy then. */
int sys_plain_heap(uintptr_t a, uintptr_t end);
static inline int sys_plain_range(const void *p, size_t n, int write)
{
    /* The image's bounds (linker/actor.ld): text and rodata, then data and bss. */
    extern char __image_start[], __text_end[], __data_start[], end[];
    uintptr_t a = (uintptr_t)p, e = a + n, sp;
    __asm__("mov %0, sp" : "=r"(sp));
    if (e < a)
        return 0;
    if (a >= sp)
        return e <= ACTOR_STACK_TOP_VADDR;
    if (a >= (uintptr_t)__data_start)
        return e <= (uintptr_t)end || sys_plain_heap(a, e);
    return !write && a >= (uintptr_t)__image_start && e <= (uintptr_t)__text_end;
}

/* What an IPC call leaves in r0-r6. */
struct sys_ipc_ret {
    long status;            /* r0: K_OK or a K_E* code */
    uint32_t w[4];          /* r1-r4: the message words */
    uint32_t r5;            /* SYS_IPC_CALL: reply bytes received; SYS_IPC_RECV: reply token */
    uint32_t r6;            /* SYS_IPC_RECV: the sender's actor id */
};

/* sys_ipc6: a call with up to six arguments that returns r0-r6; the base of the IPC helpers. */
static inline struct sys_ipc_ret sys_ipc6(long n, long a0, long a1, long a2, long a3, long a4,
                                          long a5)
{
    register long r0 __asm__("r0") = a0;
    register long r1 __asm__("r1") = a1;
    register long r2 __asm__("r2") = a2;
    register long r3 __asm__("r3") = a3;
    register long r4 __asm__("r4") = a4;
    register long r5 __asm__("r5") = a5;
    register long r6 __asm__("r6");
    long save;
    __asm__ volatile(SYS_SVC_ASM
                     : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r4), "+r"(r5), "=r"(r6),
                       [save] "=&r"(save)
                     : [nr] "rI"(n)
                     : "memory");
    return (struct sys_ipc_ret){ r0, { r1, r2, r3, r4 }, r5, r6 };
}

/* sys_ipc_call: send four words (and bufs->send) to port, wait for the reply words (and bufs->recv). */
static inline struct sys_ipc_ret sys_ipc_call(int port, uint32_t w0, uint32_t w1, uint32_t w2,
                                              uint32_t w3, const struct ipc_bufs *bufs)
{
    return sys_ipc6(SYS_IPC_CALL, port, (long)w0, (long)w1, (long)w2, (long)w3, (long)bufs);
}

/* sys_ipc_recv: wait for a message on port; r5 is the token to reply with, r6 the sender. */
static inline struct sys_ipc_ret sys_ipc_recv(int port, struct ipc_bufs *bufs)
{
    return sys_ipc6(SYS_IPC_RECV, port, (long)bufs, 0, 0, 0, 0);
}

/* sys_ipc_recv_flags: sys_ipc_recv with flags (IPC_RECV_IDLE: status K_ETIMEOUT when nothing
   came before the CPU would idle, or within a tick). */
static inline struct sys_ipc_ret sys_ipc_recv_flags(int port, struct ipc_bufs *bufs,
                                                    uint32_t flags)
{
    return sys_ipc6(SYS_IPC_RECV, port, (long)bufs, (long)flags, 0, 0, 0);
}

/* sys_ipc_reply: answer the message that gave token; returns K_OK or K_E* (K_EDEAD: caller gone). */
static inline long sys_ipc_reply(uint32_t token, uint32_t w0, uint32_t w1, uint32_t w2,
                                 uint32_t w3, const struct ipc_bufs *bufs)
{
    return sys_call6(SYS_IPC_REPLY, (long)token, (long)w0, (long)w1, (long)w2, (long)w3,
                     (long)bufs);
}

/* sys_ipc_reply_recv: a server's loop in one call: answer token (0: none) with four words and
   bufs->send, then wait for the next message on port into bufs->recv (as sys_ipc_recv). On an
   error but K_ETIMEOUT nothing was received (see SYS_IPC_REPLY_RECV). */
static inline struct sys_ipc_ret sys_ipc_reply_recv(uint32_t token, uint32_t w0, uint32_t w1,
                                                    uint32_t w2, uint32_t w3,
                                                    struct ipc_bufs *bufs, int port)
{
    register long r0 __asm__("r0") = (long)token;
    register long r1 __asm__("r1") = (long)w0;
    register long r2 __asm__("r2") = (long)w1;
    register long r3 __asm__("r3") = (long)w2;
    register long r4 __asm__("r4") = (long)w3;
    register long r5 __asm__("r5") = (long)bufs;
    register long r6 __asm__("r6") = port;
    long save;
    __asm__ volatile(SYS_SVC_ASM
                     : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r4), "+r"(r5), "+r"(r6),
                       [save] "=&r"(save)
                     : [nr] "rI"((long)SYS_IPC_REPLY_RECV)
                     : "memory");
    return (struct sys_ipc_ret){ r0, { r1, r2, r3, r4 }, r5, r6 };
}
