/* Indirect member of the HR group scenario, spawned by hrgroup with hrfexecl.

     hrchild NAME MODE   MODE: wait (wait in the first run) or crash (data abort 100 ms into
                         the first run, once every member is up); later runs end cleanly.

     hrchild: NAME held its block: yes|no      (runs after the first, before it asks for it)
     hrchild: NAME run N, aid A, group G
     hrchild: NAME finished */
#include "../hrtest/hrtest.h"

int main(int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : "child";
    const char *mode = argc > 2 ? argv[2] : "wait";
    char block[32];
    int aid = agetId();
    snprintf(block, sizeof(block), "hrchild.%s", name);
    int held = hrt_block_held(block);
    uint32_t *runs = hrt_block("hrchild", block, sizeof(*runs), HR_GROUP_KEY, HR_GROUP_KEYSIZE);
    if (!runs) {
        HR_EXIT_HDL();
        exit(1);
    }
    uint32_t run = ++*runs;
    if (run > 1)
        printf("hrchild: %s held its block: %s\n", name, held ? "yes" : "no");
    printf("hrchild: %s run %lu, aid %d, group %d\n", name, (unsigned long)run, aid,
           hrGetActorGroup(aid));
    if (run == 1) {
        if (!strcmp(mode, "crash")) {
            hrt_sleep_ms(100);
            hrt_fault("data");
        }
        hrt_wait_forever();
    }
    printf("hrchild: %s finished\n", name);
    HR_EXIT_HDL();
    exit(0);
}
