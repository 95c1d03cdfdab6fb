/* IPC: ports with synchronous call / receive / reply, and kernel messages (fault records).
 *
 * A call blocks the caller on the port's queue until the owner receives it; the owner
 * then holds a reply token (the caller's aid) and the caller waits for the reply. Short
 * messages travel in registers r1-r4; an optional buffer is copied by the kernel from
 * one address space to the other with the checked copy routines. An actor that ends
 * takes its ports with it: its callers, queued or waiting for a reply, get K_EDEAD. */
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
    uint32_t owned = 0, slot = 0;
    for (uint32_t i = 1; i < PORTS_MAX; i++) {
        if (ports[i].id && ports[i].owner == self)
            owned++;
        else if (!ports[i].id && !slot)
            slot = i;
    }
    if (owned >= PORTS_PER_ACTOR || !slot) {
        self->tf.r[0] = (uint32_t)K_ETOOMUCH;
        return;
    }
    struct port *p = &ports[slot];
    uint32_t gen = actor_next_gen(p->gen);
    *p = (struct port){ .id = (int32_t)(gen * PORTS_MAX + slot), .gen = gen, .owner = self };
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

/* Reads and checks a user struct ipc_bufs (all zero when bufs is 0). */
static int ipc_read_bufs(struct actor *a, uaddr_t bufs, struct ipc_bufs *out)
{
    *out = (struct ipc_bufs){ 0 };
    if (!bufs)
        return K_OK;
    int err = vm_copyin(&a->vm, out, bufs, sizeof(*out));
    if (err)
        return err;
    if (out->send_len > IPC_BUF_MAX || out->recv_cap > IPC_BUF_MAX)
        return K_EINVAL;
    /* Both areas must be usable now, so that no later step can fail on them. */
    if ((err = vm_check(&a->vm, (uaddr_t)(uintptr_t)out->send, out->send_len, 0)) ||
        (err = vm_check(&a->vm, (uaddr_t)(uintptr_t)out->recv, out->recv_cap, 1)))
        return err;
    return K_OK;
}

static void ipc_set_recv_len(struct actor *a, uint32_t len)
{
    if (a->ipc_bufs)
        vm_copyout(&a->vm, a->ipc_bufs + offsetof(struct ipc_bufs, recv_len), &len, sizeof(len));
}

/* Hands caller c's message to the owner of p, which is waiting in receive. Returns K_OK,
   or an error for the caller (its send buffer is bad or too big), leaving the receiver
   waiting. */
static int ipc_deliver(struct port *p, struct actor *c)
{
    struct actor *r = p->receiver;
    struct ipc_bufs cb, rb;
    int err = ipc_read_bufs(c, c->ipc_bufs, &cb);
    if (err)
        return err;
    if (ipc_read_bufs(r, r->ipc_bufs, &rb) != K_OK)
        rb = (struct ipc_bufs){ 0 };
    if (cb.send_len > rb.recv_cap)
        return K_EINVAL;
    if (cb.send_len &&
        (err = vm_copy_between(&r->vm, (uaddr_t)(uintptr_t)rb.recv, &c->vm,
                               (uaddr_t)(uintptr_t)cb.send, cb.send_len)) != K_OK)
        return err;
    ipc_set_recv_len(r, cb.send_len);
    for (int i = 1; i <= 4; i++)
        r->tf.r[i] = c->tf.r[i];
    r->tf.r[5] = (uint32_t)c->aid;     /* reply token */
    r->tf.r[6] = (uint32_t)c->aid;     /* sender */
    r->tf.r[0] = K_OK;
    p->receiver = NULL;
    if (ipc_idle_receiver == r)
        ipc_idle_receiver = NULL;
    sched_ready(r);
    c->state = AS_BLOCKED;
    c->block = AB_REPLY;
    c->server = r;
    return K_OK;
}

/* Hands ended actor e's record to the waiting owner of p, then frees e's slot. */
static void ipc_deliver_kmsg(struct port *p, struct actor *e)
{
    struct actor *r = p->receiver;
    struct ipc_bufs rb;
    uint32_t len = 0;
    if (ipc_read_bufs(r, r->ipc_bufs, &rb) == K_OK && rb.recv_cap >= sizeof(e->rec) &&
        vm_copyout(&r->vm, (uaddr_t)(uintptr_t)rb.recv, &e->rec, sizeof(e->rec)) == K_OK)
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
    struct ipc_bufs cb;
    int err = ipc_read_bufs(self, bufs, &cb);
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
    if (p->receiver) {
        err = ipc_deliver(p, self);
        if (err)
            self->tf.r[0] = (uint32_t)err;
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
    struct ipc_bufs rb;
    /* The kernel writes recv_len back into bufs: it must be writable too. */
    int err = bufs ? vm_check(&self->vm, bufs, sizeof(rb), 1) : K_OK;
    if (!err)
        err = ipc_read_bufs(self, bufs, &rb);
    if (err) {
        self->tf.r[0] = (uint32_t)err;
        return;
    }
    self->ipc_bufs = bufs;
    self->wait_port = port;
    self->state = AS_BLOCKED;
    self->block = AB_RECV;
    p->receiver = self;
    if (p->kmsgs) {
        struct actor *e = p->kmsgs;
        p->kmsgs = e->qnext;
        if (!p->kmsgs)
            p->kmsgs_tail = NULL;
        ipc_deliver_kmsg(p, e);
        return;
    }
    while (p->callers && p->receiver) {
        struct actor *c = p->callers;
        p->callers = c->qnext;
        if (!p->callers)
            p->callers_tail = NULL;
        c->qnext = NULL;
        err = ipc_deliver(p, c);
        if (err) {
            c->tf.r[0] = (uint32_t)err;    /* the caller's fault: fail its call */
            sched_ready(c);
        }
    }
    /* Nothing came: with IPC_RECV_IDLE the wait also ends when the CPU would idle. Only the
       fault port's owner may wait so, hence one actor at a time. */
    if (p->receiver == self && (flags & IPC_RECV_IDLE)) {
        ipc_idle_receiver = self;
        ipc_idle_deadline = timer_now() + timer_hz() / BOARD_TICK_HZ;
    }
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

/* Wakes actor c with error err in r0. */
static void ipc_fail(struct actor *c, int err)
{
    c->tf.r[0] = (uint32_t)err;
    c->server = NULL;
    sched_ready(c);
}

void ipc_reply(struct actor *self, int32_t token, uaddr_t bufs)
{
    struct actor *c = actor_by_aid(token);
    if (!c) {
        self->tf.r[0] = (uint32_t)K_EDEAD;
        return;
    }
    if (c->state != AS_BLOCKED || c->block != AB_REPLY || c->server != self) {
        self->tf.r[0] = (uint32_t)K_EINVAL;
        return;
    }
    struct ipc_bufs sb, cb;
    int err = ipc_read_bufs(self, bufs, &sb);
    if (err) {
        self->tf.r[0] = (uint32_t)err;
        return;
    }
    /* The caller's buffers were checked at the call, but a privileged actor may have
       changed its memory since: then the call ends with the error rather than leave the
       caller waiting for a reply that cannot come. A reply larger than the caller takes
       is the server's mistake: the caller keeps waiting and the server may reply again. */
    err = ipc_read_bufs(c, c->ipc_bufs, &cb);
    if (!err && sb.send_len > cb.recv_cap) {
        self->tf.r[0] = (uint32_t)K_EINVAL;
        return;
    }
    if (!err && sb.send_len)
        err = vm_copy_between(&c->vm, (uaddr_t)(uintptr_t)cb.recv, &self->vm,
                              (uaddr_t)(uintptr_t)sb.send, sb.send_len);
    if (err) {
        ipc_fail(c, err);
        self->tf.r[0] = (uint32_t)err;
        return;
    }
    for (int i = 1; i <= 4; i++)
        c->tf.r[i] = self->tf.r[i];
    c->tf.r[5] = sb.send_len;
    c->tf.r[0] = K_OK;
    c->server = NULL;
    sched_ready(c);
    self->tf.r[0] = K_OK;
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
    return 1;
}


void ipc_actor_gone(struct actor *a)
{
    if (ipc_idle_receiver == a)
        ipc_idle_receiver = NULL;
    /* Leave any queue a waits in. */
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
    /* Callers waiting for a's reply learn that it died. */
    for (uint32_t i = 1; i < ACTORS_MAX; i++) {
        struct actor *c = actor_at(i);
        if (c && c->state == AS_BLOCKED && c->block == AB_REPLY && c->server == a)
            ipc_fail(c, K_EDEAD);
    }
    /* a's ports die with it. */
    for (uint32_t i = 1; i < PORTS_MAX; i++) {
        struct port *p = &ports[i];
        if (!p->id || p->owner != a)
            continue;
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
}
