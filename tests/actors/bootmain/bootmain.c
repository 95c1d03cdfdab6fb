/* Cold boot bench (tests/images/benchboot.image): the first actor of the boot script prints
   cold_boot_main_ns, virtual time from power-on (CNTVCT 0) to its main. */
#include "../hrbench/hrbench.h"

int main(void)
{
    uint64_t t = counter_now();
    printf("\n");          /* C_INIT's prompt may end the console line so far */
    hrb_print("cold_boot_main_ns", hrb_ns(t));
    printf("bench: done\n");
    HR_EXIT_HDL();
    return 0;
}
