/* Restartable test actor for the HR scenarios: shows what a restart renews (.data, .bss, the
   actor id) and what it keeps (arguments, addresses, a persistent block), then ends the way
   argv[1] says.

     hrcrash KIND [ARGS...]   KIND: data, prefetch, undef (take that fault), exit (exit(3)
                              without HR_EXIT_HDL), kill (wait to be killed), always (take a
                              data abort in every run); the first run ends so, the next one
                              ends cleanly ("finished"), except for always.

   Each run prints
     hrcrash: run N, aid A, group G, args KIND ARGS..., data 0x600d0001 bss 0x00000000
     hrcrash: at text 0x... data 0x... bss 0x... block 0x...
   and from the second run on
     hrcrash: note 'run N-1 was aid A, args KIND ARGS...'   (written by the run before)
   The run counter and the note live in block "hrcrash" (key HR_GROUP_KEY). After reading
   them, the run sets .data and .bss to other values: a restart that reused them would show. */
#include "../hrtest/hrtest.h"

#define HRCRASH_DATA_INIT 0x600d0001u

struct hrcrash_state {
    uint32_t runs;
    char note[120];
};

static volatile uint32_t hrcrash_data = HRCRASH_DATA_INIT;   /* .data */
static volatile uint32_t hrcrash_bss;                        /* .bss */

/* Joins argv[1..argc) with spaces into out (size bytes). */
static void hrcrash_args(int argc, char **argv, char *out, size_t size)
{
    size_t len = 0;
    out[0] = '\0';
    for (int i = 1; i < argc && len + 1 < size; i++)
        len += (size_t)snprintf(out + len, size - len, "%s%s", i > 1 ? " " : "", argv[i]);
}

int main(int argc, char **argv)
{
    char args[96];
    const char *kind = argc > 1 ? argv[1] : "data";
    int aid = agetId();
    hrcrash_args(argc, argv, args, sizeof(args));
    struct hrcrash_state *st = hrt_block("hrcrash", "hrcrash", sizeof(*st), HR_GROUP_KEY,
                                         HR_GROUP_KEYSIZE);
    if (!st) {
        HR_EXIT_HDL();
        exit(1);
    }
    uint32_t run = ++st->runs;
    printf("hrcrash: run %lu, aid %d, group %d, args %s, data 0x%08lx bss 0x%08lx\n",
           (unsigned long)run, aid, hrGetActorGroup(aid), args, (unsigned long)hrcrash_data,
           (unsigned long)hrcrash_bss);
    printf("hrcrash: at text 0x%08lx data 0x%08lx bss 0x%08lx block 0x%08lx\n",
           (unsigned long)(uintptr_t)main, (unsigned long)(uintptr_t)&hrcrash_data,
           (unsigned long)(uintptr_t)&hrcrash_bss, (unsigned long)(uintptr_t)st);
    if (run > 1)
        printf("hrcrash: note '%s'\n", st->note);
    snprintf(st->note, sizeof(st->note), "run %lu was aid %d, args %s", (unsigned long)run, aid,
             args);
    hrcrash_data = 0xbad0da7a;
    hrcrash_bss = 0xbad0b55;

    if (run > 1 && strcmp(kind, "always")) {
        printf("hrcrash: finished\n");
        HR_EXIT_HDL();
        exit(0);
    }
    if (!strcmp(kind, "exit"))
        exit(3);
    if (!strcmp(kind, "kill")) {
        printf("hrcrash: waiting to be killed\n");
        hrt_wait_forever();
    }
    hrt_fault(!strcmp(kind, "always") ? "data" : kind);
    printf("hrcrash: unknown kind %s\n", kind);
    HR_EXIT_HDL();
    return 2;
}
