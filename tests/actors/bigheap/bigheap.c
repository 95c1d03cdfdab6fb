/* Test actor for the heap: realloc grows the last block in place, and app.mk's
 * bigheap_HEAP_MAX (40M) sets how far the heap goes. Prints "bigheap: realloc in place to
 * <n> MiB ok" (the block never moved, its bytes kept), then "bigheap: heap limit <k> KiB". */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIB (1024u * 1024u)
#define GROW_TO_MIB 30u

int main(void)
{
    size_t size = MIB;
    unsigned char *block = malloc(size);
    if (!block) {
        printf("bigheap: FAIL malloc of 1 MiB\n");
        return 1;
    }
    memset(block, 0xa5, size);
    while (size < GROW_TO_MIB * MIB) {
        unsigned char *grown = realloc(block, size + MIB);
        if (grown != block) {
            printf("bigheap: FAIL realloc to %u MiB %s\n", (unsigned)(size / MIB) + 1,
                   grown ? "moved the block" : "failed");
            return 1;
        }
        memset(block + size, 0xa5, MIB);
        size += MIB;
    }
    for (size_t i = 0; i < size; i += 4096)
        if (block[i] != 0xa5 || block[i + 4095] != 0xa5) {
            printf("bigheap: FAIL bytes lost at %u\n", (unsigned)i);
            return 1;
        }
    printf("bigheap: realloc in place to %u MiB ok\n", (unsigned)(size / MIB));
    size_t total = size;
    while (malloc(65536))
        total += 65536;
    printf("bigheap: heap limit %u KiB\n", (unsigned)(total / 1024));
    return 0;
}
