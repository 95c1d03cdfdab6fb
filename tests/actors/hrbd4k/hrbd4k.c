/* HR bench actor with 4 KiB of initialised writable data (.data, copied at every restart):
   one hot restart, crash instant -> restarted main.
     hrbd4k FIGURE   prints "bench: FIGURE <ns>" after its restart (restart_data_4k_ns). */
#include "../hrbench/hrbench.h"

#define HRBD_SIZE 4096

/* Non-zero initial bytes put the array in .data; main reads it so that it is kept. */
static volatile uint8_t hrbd_data[HRBD_SIZE] = { 1 };

int main(int argc, char **argv)
{
    uint64_t t = counter_now();
    hrbd_data[HRBD_SIZE - 1] = hrbd_data[0];
    hrb_restart_once(t, argc > 1 ? argv[1] : "restart_data_4k_ns");
}
