/* Test actor behind the crafted ELF images of tests/qemu/test_protect_kernel.py (its app.mk
   makes elfwild.elf and elfro.elf from this file by adding a crafted program header): run
   as it is built it says so and exits; "elfbad peek" reads the word at ELFBAD_PEEK_VADDR,
   where the crafted images put their segment (were such an image accepted, the word would
   come from a page outside its file). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define ELFBAD_PEEK_VADDR 0x0f000100u   /* the crafted segment's address (craft.py) */

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "peek") == 0) {
        printf("elfbad: peek 0x%08lx\n", (unsigned long)*(volatile uint32_t *)ELFBAD_PEEK_VADDR);
        return 1;
    }
    printf("elfbad: running as built\n");
    return 0;
}
