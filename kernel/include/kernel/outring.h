/* Console output ring: what the kernel and the actors have written and the UART has not yet
 * taken, in order (kernel/console.c fills it, the PL011 transmit interrupt drains it).
 *
 * Portable (host-tested). The ring holds the bytes as written; each '\n' goes out as "\r\n"
 * (outring_pop gives the '\r' first), so that the room a write needs is its length. */
#pragma once
#include <stdint.h>

#define OUTRING_SIZE 8192       /* a power of two; at least two of the largest console writes */

struct outring {
    char buf[OUTRING_SIZE];
    uint32_t head, tail;        /* free-running indices into buf: written, sent */
    uint8_t cr_sent;            /* the '\r' of the '\n' at tail is out already */
};

/* Bytes written and not yet sent. */
static inline uint32_t outring_used(const struct outring *r)
{
    return r->head - r->tail;
}

/* Bytes that may be written now. */
static inline uint32_t outring_room(const struct outring *r)
{
    return OUTRING_SIZE - outring_used(r);
}

/* Appends one byte; the caller has checked the room. */
static inline void outring_push(struct outring *r, char c)
{
    r->buf[r->head++ % OUTRING_SIZE] = c;
}

/* The next byte to send, taken from the ring ('\r', then '\n', for a '\n'); the ring must
   not be empty. */
static inline char outring_pop(struct outring *r)
{
    char c = r->buf[r->tail % OUTRING_SIZE];
    if (c == '\n' && !r->cr_sent) {
        r->cr_sent = 1;
        return '\r';
    }
    r->cr_sent = 0;
    r->tail++;
    return c;
}

/* Sends at most room bytes through put ('\r' and '\n' are two), as many as the ring holds;
   returns whether it still holds some. Inline with the device's own put, the loop stays in
   registers (the transmit interrupt runs it). */
static inline int outring_send(struct outring *r, uint32_t room, void (*put)(char))
{
    uint32_t tail = r->tail, head = r->head;
    if (r->cr_sent && room) {
        put('\n');             /* the '\n' whose '\r' went last time */
        tail++;
        room--;
        r->cr_sent = 0;
    }
    /* Room left = (end - tail) + slack: one place a byte, and a '\r' takes the slack first. */
    uint32_t end = tail + (head - tail < room ? head - tail : room);
    uint32_t slack = room - (end - tail);
    while (tail != end) {
        char c = r->buf[tail % OUTRING_SIZE];
        if (__builtin_expect(c == '\n', 0)) {
            put('\r');
            if (slack) {
                slack--;
            } else if (--end == tail) {
                r->cr_sent = 1; /* no room left for the '\n' itself */
                break;
            }
        }
        put(c);
        tail++;
    }
    r->tail = tail;
    return tail != head;
}

/* Where the next n bytes written go (n at most the room): the first *first of them at the
   address returned, the rest at the start of buf (past the wrap). They are sent only once
   outring_commit says they are written, so that a write goes in whole or not at all. */
static inline char *outring_space(struct outring *r, uint32_t n, uint32_t *first)
{
    uint32_t at = r->head % OUTRING_SIZE;
    *first = n < OUTRING_SIZE - at ? n : OUTRING_SIZE - at;
    return r->buf + at;
}

/* Makes the n bytes written at outring_space part of what is to be sent. */
static inline void outring_commit(struct outring *r, uint32_t n)
{
    r->head += n;
}
