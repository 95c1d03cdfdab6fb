/* realloc for newlib-nano, linked in place of its own with -Wl,--wrap=_realloc_r.
 *
 * Nano's _realloc_r (newlib 3.3) copies the new size out of the old block, reading past its
 * end: harmless without an MMU, a data abort when the old block sits at the top of the heap
 * and the page after it is not mapped. It also always copies, so a block that keeps growing
 * needs twice its size. This one grows the last block of the heap in place, and otherwise
 * copies what the old block holds. */
#include <malloc.h>
#include <reent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define REALLOC_ALIGN 8         /* nano's MALLOC_ALIGN: chunk sizes stay multiples of it */

void *__wrap__realloc_r(struct _reent *r, void *ptr, size_t size);
void *_sbrk_r(struct _reent *r, ptrdiff_t incr);
void __malloc_lock(struct _reent *r);
void __malloc_unlock(struct _reent *r);

/* realloc_chunk_size: where nano-mallocr (newlib 3.3) keeps the size of ptr's chunk, in
 * bytes with its header: the word before ptr, or, when malloc padded ptr for alignment, the
 * word a negative offset stored there leads to. */
static long *realloc_chunk_size(void *ptr)
{
    long *size = (long *)ptr - 1;
    if (*size < 0)
        size = (long *)((char *)size + *size);
    return size;
}

/* realloc_grow_last: when ptr's chunk ends at the break (the last block of the heap), moves
 * the break so that the chunk holds size bytes from ptr; 1 if it did, 0 if not (another
 * block follows, or no memory). */
static int realloc_grow_last(struct _reent *r, void *ptr, size_t size)
{
    long *chunk = realloc_chunk_size(ptr);
    char *end = (char *)chunk + *chunk;
    size_t have = (size_t)(end - (char *)ptr);
    size_t grow = (size - have + REALLOC_ALIGN - 1) & ~(size_t)(REALLOC_ALIGN - 1);
    int done = 0;
    __malloc_lock(r);
    if (end == _sbrk_r(r, 0) && grow <= (size_t)INTPTR_MAX && _sbrk_r(r, (ptrdiff_t)grow) == end) {
        *chunk += (long)grow;
        done = 1;
    }
    __malloc_unlock(r);
    return done;
}

/* __wrap__realloc_r: realloc() and newlib's internal callers come here; returns the block
 * (ptr itself when it is large enough), or NULL with ptr untouched when memory runs out. */
void *__wrap__realloc_r(struct _reent *r, void *ptr, size_t size)
{
    if (!ptr)
        return _malloc_r(r, size);
    if (size == 0) {
        _free_r(r, ptr);
        return NULL;
    }
    size_t old = _malloc_usable_size_r(r, ptr);
    if (size <= old || realloc_grow_last(r, ptr, size))
        return ptr;
    void *mem = _malloc_r(r, size);
    if (mem) {
        memcpy(mem, ptr, old);
        _free_r(r, ptr);
    }
    return mem;
}
