/* realloc for newlib-nano, linked in place of its own with -Wl,--wrap=_realloc_r.
 *
 * Nano's _realloc_r (newlib 3.3) copies the new size out of the old block, reading past its
 * end: harmless without an MMU, a data abort when the old block sits at the top of the heap
 * and the page after it is not mapped. This one copies what the old block holds. */
#include <malloc.h>
#include <reent.h>
#include <stdlib.h>
#include <string.h>

void *__wrap__realloc_r(struct _reent *r, void *ptr, size_t size);

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
    if (size <= old)
        return ptr;
    void *mem = _malloc_r(r, size);
    if (mem) {
        memcpy(mem, ptr, old);
        _free_r(r, ptr);
    }
    return mem;
}
