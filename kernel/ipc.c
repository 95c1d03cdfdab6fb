/* IPC: ports with synchronous call / receive / reply, and kernel messages (fault records).
 *
 * A call blocks the caller on the port's queue until the owner receives it; the owner
 * then holds a reply token (the caller's aid) and the caller waits for the reply. Short
 * messages travel in registers r1-r4; an optional buffer is copied by the kernel from
 * one address space to the other with the checked copy routines. An actor that ends
 * takes its ports with it: its callers, queued or waiting for a reply, get K_EDEAD.
 *
 * Fast path: a call that finds the owner waiting, and a reply-and-receive (SYS_IPC_REPLY_RECV)
 * that finds no message waiting, hand the CPU straight to the other side (sched_switch), and
 * a message without buffers touches no user memory. Each side's buffers are read and checked
 * once, when it calls or begins to receive, and kept in its struct actor; copies translate
 * each page once. Every actor lists the ports it owns and the callers owed its reply, so
 * that an ending actor releases its own and nothing else is looked at. */
#include <board.h>
#include <kernel/bootrec.h>
#include <kernel/ipc.h>
#include <kernel/sched.h>
#include <kernel/timer.h>
#include <reprise/errors.h>
#include <stddef.h>

#define PORTS_PER_ACTOR 8

struct port {
    int32_t id;                  /* generation * PORTS_MAX + slot; 0 when free */
    uint32_t gen;
    struct actor *owner;
    struct port *owner_next;                /* the owner's next port (actor.ipc_ports) */
    struct actor *callers, *callers_tail;   /* AB_CALL, in arrival order */
    struct actor *receiver;                 /* the owner, in AB_RECV */
    struct actor *kmsgs, *kmsgs_tail;       /* AS_ENDED actors with a record to deliver */
};

_Static_assert((uint64_t)BOOTREC_GEN_MAX * PORTS_MAX + PORTS_MAX - 1 <= 0x7fffffff,
               "a port id of any generation is a positive int32_t");

static struct port ports[PORTS_MAX];
static int32_t ipc_wellknown[PORT_WK_MAX + 1];
static int32_t ipc_fault_port;
static struct actor *ipc_idle_receiver;  /* waits in receive with IPC_RECV_IDLE ... */
static uint64_t ipc_idle_deadline;       /* ... until the CPU would idle, or this CNTVCT */
static struct actor *ipc_later;          /* AB_RECORD: has a record, runs when idle ... */
static uint64_t ipc_later_deadline;      /* ... or once this CNTVCT has passed */

static struct port *ipc_port(int32_t id)
{
    if (id <= 0)
        return NULL;
    struct port *p = &ports[id % PORTS_MAX];
    return p->id == id ? p : NULL;
}

/* Error for a port id that names no live port: K_EDEAD if it once did. */
static int ipc_port_error(int32_t id)
{
    if (id <= 0 || id % PORTS_MAX == 0)
        return K_EUNKNOWN;
    return (uint32_t)(id / PORTS_MAX) <= ports[id % PORTS_MAX].gen ? K_EDEAD : K_EUNKNOWN;
}

void ipc_port_create(struct actor *self, int32_t wellknown)
{
    if (wellknown < 0 || wellknown > PORT_WK_MAX) {
        self->tf.r[0] = (uint32_t)K_EINVAL;
        return;
    }
    if (wellknown && !(self->privs & PRIV_SERVER)) {
        self->tf.r[0] = (uint32_t)K_EPRIV;
        return;
    }
    if (wellknown && ipc_port(ipc_wellknown[wellknown])) {
        self->tf.r[0] = (uint32_t)K_EEXIST;
        return;
    }
    uint32_t owned = 0, slot = 1;
    for (const struct port *q = self->ipc_ports; q; q = q->owner_next)
        owned++;
    while (slot < PORTS_MAX && ports[slot].id)
        slot++;
    if (owned >= PORTS_PER_ACTOR || slot == PORTS_MAX) {
        self->tf.r[0] = (uint32_t)K_ETOOMUCH;
        return;
    }
    struct port *p = &ports[slot];
    uint32_t gen = actor_next_gen(p->gen);
    *p = (struct port){ .id = (int32_t)(gen * PORTS_MAX + slot), .gen = gen, .owner = self,
                        .owner_next = self->ipc_ports };
    self->ipc_ports = p;
    if (wellknown)
        ipc_wellknown[wellknown] = p->id;
    self->tf.r[0] = (uint32_t)p->id;
}

uint32_t ipc_ports_used(void)
{
    uint32_t n = 0;
    for (uint32_t i = 1; i < PORTS_MAX; i++)
        n += ports[i].id != 0;
    return n;
}

void ipc_port_lookup(struct actor *self, int32_t wellknown)
{
    if (wellknown <= 0 || wellknown > PORT_WK_MAX) {
        self->tf.r[0] = (uint32_t)K_EINVAL;
        return;
    }
    struct port *p = ipc_port(ipc_wellknown[wellknown]);
    self->tf.r[0] = p ? (uint32_t)p->id : (uint32_t)K_EUNKNOWN;
}

/* Reads and checks actor a's struct ipc_bufs at bufs (none when 0) into its ipc_send and
   ipc_recv fields: the areas must be usable now, so that no later step can fail on them.
   For a receive (recv set) the descriptor must be writable too: the kernel writes recv_len
   back into it. A call to a waiting receiver (now set) leaves its send area to the copy
   that follows at once, which checks it before anything changes. K_OK, or K_EFAULT /
   K_ENOMEM (vm_check), K_EINVAL (a length too big), and a's fields unchanged. */
static int ipc_take_bufs(struct actor *a, uaddr_t bufs, int recv, int now)
{
    struct ipc_bufs b;
    int err;
    if (!bufs) {
        a->ipc_send_len = a->ipc_recv_cap = 0;
        return K_OK;
    }
    if ((err = recv ? vm_copyin_writable(&a->vm, &b, bufs, sizeof(b))
                    : vm_copyin(&a->vm, &b, bufs, sizeof(b))))
        return err;
    if (b.send_len > IPC_BUF_MAX || b.recv_cap > IPC_BUF_MAX)
        return K_EINVAL;
    if ((!now && (err = vm_check(&a->vm, (uaddr_t)(uintptr_t)b.send, b.send_len, 0))) ||
        (err = vm_check(&a->vm, (uaddr_t)(uintptr_t)b.recv, b.recv_cap, 1)))
        return err;
    a->ipc_send = (uaddr_t)(uintptr_t)b.send;
    a->ipc_send_len = b.send_len;
    a->ipc_recv = (uaddr_t)(uintptr_t)b.recv;
    a->ipc_recv_cap = b.recv_cap;
    return K_OK;
}

static void ipc_set_recv_len(struct actor *a, uint32_t len)
{
    if (a->ipc_bufs)
        vm_copyout(&a->vm, a->ipc_bufs + offsetof(struct ipc_bufs, recv_len), &len, sizeof(len));
}

/* Takes caller c (in AB_REPLY) off the list of the calls its server owes a reply (a short
   list: the calls the server has received and not answered yet). */
static void ipc_owed_unlink(struct actor *c)
{
    struct actor **pp = &c->server->ipc_owed;
    while (*pp != c)
        pp = &(*pp)->ipc_owed_next;
    *pp = c->ipc_owed_next;
    c->ipc_owed_next = NULL;
    c->server = NULL;
}

/* Links caller c, now waiting for r's reply, into r's list of the calls it owes. */
static inline void ipc_owed_link(struct actor *c, struct actor *r)
{
    c->state = AS_BLOCKED;
    c->block = AB_REPLY;
    c->server = r;
    c->ipc_owed_next = r->ipc_owed;
    r->ipc_owed = c;
}

/* Hands caller c's message to the owner of p, which is waiting in receive; c then waits for
   the reply. The receiver is not woken here: the caller of this does it (sched_ready, or
   sched_switch to run it at once). Returns K_OK, or an error for the caller (its send buffer
   is bad or too big), leaving the receiver waiting. */
static int ipc_deliver(struct port *p, struct actor *c)
{
    struct actor *r = p->receiver;
    uint32_t len = c->ipc_send_len;
    if (len) {
        if (len > r->ipc_recv_cap) {    /* a bad send area is still K_EFAULT first */
            int err = vm_check(&c->vm, c->ipc_send, len, 0);
            return err ? err : K_EINVAL;
        }
        int err = vm_copy_between(&r->vm, r->ipc_recv, &c->vm, c->ipc_send, len);
        if (err)
            return err;
    }
    ipc_set_recv_len(r, len);
    r->tf.r[1] = c->tf.r[1];
    r->tf.r[2] = c->tf.r[2];
    r->tf.r[3] = c->tf.r[3];
    r->tf.r[4] = c->tf.r[4];
    r->tf.r[5] = (uint32_t)c->aid;     /* reply token */
    r->tf.r[6] = (uint32_t)c->aid;     /* sender */
    r->tf.r[0] = K_OK;
    p->receiver = NULL;
    if (ipc_idle_receiver == r)
        ipc_idle_receiver = NULL;
    ipc_owed_link(c, r);
    return K_OK;
}

/* Hands ended actor e's record to the waiting owner of p, then frees e's slot. */
static void ipc_deliver_kmsg(struct port *p, struct actor *e)
{
    struct actor *r = p->receiver;
    uint32_t len = 0;
    if (r->ipc_recv_cap >= sizeof(e->rec) &&
        vm_copyout(&r->vm, r->ipc_recv, &e->rec, sizeof(e->rec)) == K_OK)
        len = sizeof(e->rec);
    ipc_set_recv_len(r, len);
    r->tf.r[1] = e->rec.kind;
    r->tf.r[2] = (uint32_t)e->rec.aid;
    r->tf.r[3] = (uint32_t)e->rec.group;
    r->tf.r[4] = (uint32_t)e->rec.status;
    r->tf.r[5] = 0;
    r->tf.r[6] = IPC_SENDER_KERNEL;
    r->tf.r[0] = K_OK;
    p->receiver = NULL;
    if (ipc_idle_receiver == r)
        ipc_idle_receiver = NULL;
    sched_ready(r);
    actor_delivered(e);
}

void ipc_call(struct actor *self, int32_t port, uaddr_t bufs)
{
    struct port *p = ipc_port(port);
    if (!p) {
        self->tf.r[0] = (uint32_t)ipc_port_error(port);
        return;
    }
    int err = ipc_take_bufs(self, bufs, 0, p->receiver != NULL);
    if (err) {
        self->tf.r[0] = (uint32_t)err;
        return;
    }
    if (p->owner == self) {
        self->tf.r[0] = (uint32_t)K_EINVAL;   /* would wait for itself forever */
        return;
    }
    self->ipc_bufs = bufs;
    self->wait_port = port;
    struct actor *r = p->receiver;
    if (r) {
        err = ipc_deliver(p, self);
        if (err)
            self->tf.r[0] = (uint32_t)err;
        else
            sched_switch(r);        /* the caller waits: the server runs now */
        return;
    }
    self->state = AS_BLOCKED;
    self->block = AB_CALL;
    self->qnext = NULL;
    if (p->callers_tail)
        p->callers_tail->qnext = self;
    else
        p->callers = self;
    p->callers_tail = self;
    if (p->owner == ipc_later)
        ipc_later_wake(0, 1);       /* it has more to do than the record it holds */
}

struct trapframe *ipc_fast_call(struct actor *self)
{
    int32_t id = (int32_t)self->tf.r[0];
    if (id <= 0 || self->tf.r[5])
        return NULL;
    struct port *p = &ports[(uint32_t)id % PORTS_MAX];
    struct actor *r = p->receiver;
    if (p->id != id || !r)
        return NULL;
    /* r, the owner, waits: it is not self, which runs. */
    r->tf.r[1] = self->tf.r[1];
    r->tf.r[2] = self->tf.r[2];
    r->tf.r[3] = self->tf.r[3];
    r->tf.r[4] = self->tf.r[4];
    r->tf.r[5] = (uint32_t)self->aid;
    r->tf.r[6] = (uint32_t)self->aid;
    r->tf.r[0] = K_OK;
    if (r->ipc_bufs)
        ipc_set_recv_len(r, 0);
    p->receiver = NULL;
    if (ipc_idle_receiver == r)
        ipc_idle_receiver = NULL;
    self->ipc_bufs = 0;
    self->ipc_send_len = self->ipc_recv_cap = 0;
    self->wait_port = id;
    ipc_owed_link(self, r);
    return sched_switch(r) ? &r->tf : sched_resume();
}

struct trapframe *ipc_fast_reply_recv(struct actor *self)
{
    int32_t token = (int32_t)self->tf.r[0], id = (int32_t)self->tf.r[6];
    if (id <= 0 || self->tf.r[5] || actor_any_kept())  /* kept slots: see sys_ipc_recv */
        return NULL;
    struct port *p = &ports[(uint32_t)id % PORTS_MAX];
    if (p->id != id || p->owner != self || p->callers || p->kmsgs)
        return NULL;
    /* The caller token names waits for self's reply exactly when it is on self's list. */
    struct actor **pp = &self->ipc_owed, *c;
    while ((c = *pp) && c->aid != token)
        pp = &c->ipc_owed_next;
    if (!c)
        return NULL;
    c->tf.r[1] = self->tf.r[1];
    c->tf.r[2] = self->tf.r[2];
    c->tf.r[3] = self->tf.r[3];
    c->tf.r[4] = self->tf.r[4];
    c->tf.r[5] = 0;
    c->tf.r[0] = K_OK;
    *pp = c->ipc_owed_next;
    c->ipc_owed_next = NULL;
    c->server = NULL;
    self->ipc_bufs = 0;
    self->ipc_send_len = self->ipc_recv_cap = 0;
    self->wait_port = id;
    self->state = AS_BLOCKED;
    self->block = AB_RECV;
    p->receiver = self;
    return sched_switch(c) ? &c->tf : sched_resume();
}

/* self, the owner of p with its buffers taken, waits in receive on p: a record or a queued
   call is delivered at once (self stays ready), else it blocks. Returns 1 when it blocked. */
static int ipc_wait(struct actor *self, struct port *p, uaddr_t bufs, uint32_t flags)
{
    self->ipc_bufs = bufs;
    self->wait_port = p->id;
    self->state = AS_BLOCKED;
    self->block = AB_RECV;
    p->receiver = self;
    if (p->kmsgs) {
        struct actor *e = p->kmsgs;
        p->kmsgs = e->qnext;
        if (!p->kmsgs)
            p->kmsgs_tail = NULL;
        ipc_deliver_kmsg(p, e);
        return 0;
    }
    while (p->callers && p->receiver) {
        struct actor *c = p->callers;
        p->callers = c->qnext;
        if (!p->callers)
            p->callers_tail = NULL;
        c->qnext = NULL;
        int err = ipc_deliver(p, c);
        if (err) {
            c->tf.r[0] = (uint32_t)err;    /* the caller's fault: fail its call */
            sched_ready(c);
        } else {
            sched_ready(self);
        }
    }
    if (p->receiver != self)
        return 0;
    /* Nothing came: with IPC_RECV_IDLE the wait also ends when the CPU would idle. Only the
       fault port's owner may wait so, hence one actor at a time. */
    if (flags & IPC_RECV_IDLE) {
        ipc_idle_receiver = self;
        ipc_idle_deadline = timer_now() + timer_hz() / BOARD_TICK_HZ;
    }
    return 1;
}

void ipc_recv(struct actor *self, int32_t port, uaddr_t bufs, uint32_t flags)
{
    struct port *p = ipc_port(port);
    if (flags & ~IPC_RECV_IDLE) {
        self->tf.r[0] = (uint32_t)K_EINVAL;
        return;
    }
    if ((flags & IPC_RECV_IDLE) && ipc_fault_port_owner() != self) {
        self->tf.r[0] = (uint32_t)K_EPRIV;     /* the fault port owner's (HR's) only */
        return;
    }
    if (!p) {
        self->tf.r[0] = (uint32_t)ipc_port_error(port);
        return;
    }
    if (p->owner != self) {
        self->tf.r[0] = (uint32_t)K_EPRIV;
        return;
    }
    int err = ipc_take_bufs(self, bufs, 1, 0);
    if (err) {
        self->tf.r[0] = (uint32_t)err;
        return;
    }
    ipc_wait(self, p, bufs, flags);
}

int ipc_later_wake(uint64_t now, int idle)
{
    struct actor *r = ipc_later;
    if (!r || (!idle && now < ipc_later_deadline))
        return 0;
    ipc_later = NULL;
    sched_ready(r);
    return 1;
}

int ipc_fault_ready(void)
{
    struct port *p = ipc_port(ipc_fault_port);
    return p && p->receiver && !p->kmsgs;
}

void ipc_post_restarted(const struct fault_record *rec, int32_t aid)
{
    struct port *p = ipc_port(ipc_fault_port);
    struct actor *r = p->receiver;
    uint32_t len = 0;
    if (r->ipc_recv_cap >= sizeof(*rec) &&
        vm_copyout(&r->vm, r->ipc_recv, rec, sizeof(*rec)) == K_OK)
        len = sizeof(*rec);
    ipc_set_recv_len(r, len);
    r->tf.r[1] = rec->kind;
    r->tf.r[2] = (uint32_t)rec->aid;
    r->tf.r[3] = (uint32_t)rec->group;
    r->tf.r[4] = (uint32_t)rec->status;
    r->tf.r[5] = (uint32_t)aid;
    r->tf.r[6] = IPC_SENDER_KERNEL;
    r->tf.r[0] = K_OK;
    p->receiver = NULL;
    if (ipc_idle_receiver == r)
        ipc_idle_receiver = NULL;
    if (aid <= 0) {
        sched_ready(r);             /* the restart failed: the owner has work now */
        return;
    }
    r->block = AB_RECORD;
    ipc_later = r;
    ipc_later_deadline = timer_now() + timer_hz() / BOARD_TICK_HZ;
}

int ipc_idle_wake(uint64_t now, int idle)
{
    struct actor *r = ipc_idle_receiver;
    if (!r || (!idle && now < ipc_idle_deadline))
        return 0;
    ipc_idle_receiver = NULL;
    struct port *p = ipc_port(r->wait_port);
    if (p && p->receiver == r)
        p->receiver = NULL;
    ipc_set_recv_len(r, 0);
    r->tf.r[0] = (uint32_t)K_ETIMEOUT;
    sched_ready(r);
    return 1;
}

/* Ends a's receive with K_ETIMEOUT: its receive alarm came (deadline_tick). */
void ipc_recv_timeout(struct actor *a)
{
    struct port *p = ipc_port(a->wait_port);
    if (p && p->receiver == a)
        p->receiver = NULL;
    a->tf.r[0] = (uint32_t)K_ETIMEOUT;
    sched_ready(a);
}

/* Wakes actor c with error err in r0: its call ends. */
static void ipc_fail(struct actor *c, int err)
{
    c->tf.r[0] = (uint32_t)err;
    if (c->server)
        ipc_owed_unlink(c);
    sched_ready(c);
}

/* Ends the call of the caller that token names with self's words r1-r4 and self's send area
   (read from bufs first when read is set; else already taken). Returns that caller, its
   results set but not yet woken, or NULL with *err: K_EDEAD (it ended), K_EINVAL (it waits
   for no reply of self's, or the reply is larger than it takes: it keeps waiting and self
   may reply again), or the copy's error (its call then ends with that error too). */
static struct actor *ipc_answer(struct actor *self, int32_t token, uaddr_t bufs, int read,
                                int *err)
{
    struct actor *c = actor_by_aid(token);
    if (!c) {
        *err = K_EDEAD;
        return NULL;
    }
    if (c->state != AS_BLOCKED || c->block != AB_REPLY || c->server != self) {
        *err = K_EINVAL;
        return NULL;
    }
    if (read && (*err = ipc_take_bufs(self, bufs, 0, 0)) != K_OK)
        return NULL;
    uint32_t len = self->ipc_send_len;
    if (len > c->ipc_recv_cap) {
        *err = K_EINVAL;
        return NULL;
    }
    /* The caller's areas were checked at the call, but a privileged actor may have changed
       its memory since: then the call ends with the error rather than leave the caller
       waiting for a reply that cannot come. */
    if (len && (*err = vm_copy_between(&c->vm, c->ipc_recv, &self->vm, self->ipc_send, len))) {
        ipc_fail(c, *err);
        return NULL;
    }
    c->tf.r[1] = self->tf.r[1];
    c->tf.r[2] = self->tf.r[2];
    c->tf.r[3] = self->tf.r[3];
    c->tf.r[4] = self->tf.r[4];
    c->tf.r[5] = len;
    c->tf.r[0] = K_OK;
    ipc_owed_unlink(c);
    *err = K_OK;
    return c;
}

void ipc_reply(struct actor *self, int32_t token, uaddr_t bufs)
{
    int err;
    struct actor *c = ipc_answer(self, token, bufs, 1, &err);
    if (c)
        sched_ready(c);
    self->tf.r[0] = (uint32_t)err;
}

void ipc_reply_recv(struct actor *self, int32_t token, uaddr_t bufs, int32_t port)
{
    struct port *p = ipc_port(port);
    int err = K_OK;
    struct actor *c = NULL;
    /* The receive's arguments first: once the reply is made, the receive cannot fail. */
    if (!p)
        err = ipc_port_error(port);
    else if (p->owner != self)
        err = K_EPRIV;
    else
        err = ipc_take_bufs(self, bufs, 1, 0);
    if (err == K_OK && token)
        c = ipc_answer(self, token, bufs, 0, &err);
    if (err) {
        self->tf.r[0] = (uint32_t)err;
        return;
    }
    if (!ipc_wait(self, p, bufs, 0)) {
        if (c)
            sched_ready(c);         /* a message was waiting: self goes on, c queues */
    } else if (c) {
        sched_switch(c);            /* self waits: the caller runs now */
    }
}

void ipc_fault_port_set(struct actor *self, int32_t port)
{
    struct port *p = ipc_port(port);
    if (!(self->privs & PRIV_FAULTS))
        self->tf.r[0] = (uint32_t)K_EPRIV;
    else if (!p)
        self->tf.r[0] = (uint32_t)ipc_port_error(port);
    else if (p->owner != self)
        self->tf.r[0] = (uint32_t)K_EPRIV;
    else {
        /* Records still queued on the old fault port follow to the new one. */
        struct port *old = ipc_port(ipc_fault_port);
        if (old && old != p && old->kmsgs) {
            if (p->kmsgs_tail)
                p->kmsgs_tail->qnext = old->kmsgs;
            else
                p->kmsgs = old->kmsgs;
            p->kmsgs_tail = old->kmsgs_tail;
            old->kmsgs = old->kmsgs_tail = NULL;
        }
        ipc_fault_port = port;
        self->tf.r[0] = K_OK;
    }
}

struct actor *ipc_fault_port_owner(void)
{
    struct port *p = ipc_port(ipc_fault_port);
    return p ? p->owner : NULL;
}

int ipc_post_fault(struct actor *a)
{
    struct port *p = ipc_port(ipc_fault_port);
    if (!p)
        return 0;
    a->qnext = NULL;
    if (p->receiver) {
        ipc_deliver_kmsg(p, a);
        return 1;
    }
    if (p->kmsgs_tail)
        p->kmsgs_tail->qnext = a;
    else
        p->kmsgs = a;
    p->kmsgs_tail = a;
    if (p->owner == ipc_later)
        ipc_later_wake(0, 1);       /* it has more to do than the record it holds */
    return 1;
}


void ipc_actor_gone(struct actor *a)
{
    if (ipc_idle_receiver == a)
        ipc_idle_receiver = NULL;
    if (ipc_later == a)
        ipc_later = NULL;
    /* Leave any queue a waits in, and the list of the server that owes it a reply. */
    if (a->block == AB_CALL) {
        struct port *p = ipc_port(a->wait_port);
        if (p) {
            struct actor **pp = &p->callers, *prev = NULL;
            while (*pp && *pp != a) {
                prev = *pp;
                pp = &(*pp)->qnext;
            }
            if (*pp) {
                *pp = a->qnext;
                if (p->callers_tail == a)
                    p->callers_tail = prev;
            }
        }
    }
    if (a->server)
        ipc_owed_unlink(a);
    /* Callers waiting for a's reply learn that it died. */
    while (a->ipc_owed)
        ipc_fail(a->ipc_owed, K_EDEAD);
    /* a's ports die with it. */
    for (struct port *p = a->ipc_ports; p; p = p->owner_next) {
        while (p->callers) {
            struct actor *c = p->callers;
            p->callers = c->qnext;
            c->qnext = NULL;
            ipc_fail(c, K_EDEAD);
        }
        while (p->kmsgs) {
            struct actor *e = p->kmsgs;
            p->kmsgs = e->qnext;
            actor_release(e);
        }
        for (int w = 1; w <= PORT_WK_MAX; w++)
            if (ipc_wellknown[w] == p->id)
                ipc_wellknown[w] = 0;
        if (ipc_fault_port == p->id)
            ipc_fault_port = 0;
        p->id = 0;
        p->owner = NULL;
        p->receiver = NULL;
        p->callers_tail = p->kmsgs_tail = NULL;
    }
    a->ipc_ports = NULL;
}
