/* IPC: ports with synchronous call / receive / reply; kernel messages (fault records). */
#pragma once
#include <kernel/actor.h>

#define PORTS_MAX 64

/* System calls (see uapi/reprise/syscall.h); each sets the caller's result registers. */
void ipc_port_create(struct actor *self, int32_t wellknown);
void ipc_port_lookup(struct actor *self, int32_t wellknown);
void ipc_call(struct actor *self, int32_t port, uaddr_t bufs);
void ipc_recv(struct actor *self, int32_t port, uaddr_t bufs, uint32_t flags);
void ipc_reply(struct actor *self, int32_t token, uaddr_t bufs);
void ipc_reply_recv(struct actor *self, int32_t token, uaddr_t bufs, int32_t port);
void ipc_fault_port_set(struct actor *self, int32_t port);

/* The IPC fast path, tried by trap_svc before the general calls: SYS_IPC_CALL without buffers
   to a port whose owner waits in receive, and SYS_IPC_REPLY_RECV without buffers that answers
   a waiting caller and finds no message queued. Each finishes the call (the other side runs
   next, sched_switch) and returns the frame to resume; NULL when the case is not theirs,
   with nothing changed. */
struct trapframe *ipc_fast_call(struct actor *self);
struct trapframe *ipc_fast_reply_recv(struct actor *self);

/* Ends the receive that a waits in with K_ETIMEOUT (its SYS_RECV_ALARM came). */
void ipc_recv_timeout(struct actor *a);
/* Ends the receive of the actor waiting with IPC_RECV_IDLE, if any, with K_ETIMEOUT: when
   idle is set (the scheduler found nothing else ready) or once its tick has passed (now,
   CNTVCT). Called by the scheduler; returns 1 when it woke the actor. */
int ipc_idle_wake(uint64_t now, int idle);
/* Whether a fault port is registered, and its owner (NULL without one). */
struct actor *ipc_fault_port_owner(void);
/* Queues ended actor a (its record) on the fault port; returns 0 when there is none. */
int ipc_post_fault(struct actor *a);
/* Whether the fault port's owner waits in receive on it with no record queued before: then
   a record given now (ipc_post_restarted) keeps its place among the others. */
int ipc_fault_ready(void);
/* Gives rec, the record of an actor the kernel restarted in place itself as aid (0 when
   that failed), to the fault port's owner, which waits (ipc_fault_ready): r5 of its
   receive is aid. The owner is not woken for it, so the restarted actor runs first: it
   runs when the CPU is idle, a tick later, or as soon as another message comes for it. */
void ipc_post_restarted(const struct fault_record *rec, int32_t aid);
/* Wakes the owner that holds a record given by ipc_post_restarted: when idle is set, or once
   its tick has passed (now, CNTVCT). Returns 1 when it woke it. */
int ipc_later_wake(uint64_t now, int idle);
/* Ports in use (of the PORTS_MAX - 1 there are). */
uint32_t ipc_ports_used(void);
/* Called by actor_end: a's ports die, its pending calls and waits are cancelled. */
void ipc_actor_gone(struct actor *a);
