/* HR bench actor, hello-sized: one hot restart, crash instant -> restarted main.
     hrbhot FIGURE   prints "bench: FIGURE <ns>" after its restart (hot_restart_ns). */
#include "../hrbench/hrbench.h"

int main(int argc, char **argv)
{
    uint64_t t = counter_now();
    hrb_restart_once(t, argc > 1 ? argv[1] : "hot_restart_ns");
}
