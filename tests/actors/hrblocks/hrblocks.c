/* HR test actor for group ends: holds a block of its group G, "grpG" (key HR_GROUP_KEY), and
   one of its own key, "keepG" (key HRBLOCKS_KEEP), then ends as argv[1] says.

     hrblocks MODE   MODE: exit (HR_EXIT_HDL, exit(0): the group ends cleanly), wait (wait to
                     be killed with its group), selfkill (hrKillGroup of its own group)

     hrblocks: run N, aid A, group G, grpG at X, keepG at Y
     hrblocks: ending cleanly | waiting | killing group G */
#include "../hrtest/hrtest.h"

#define HRBLOCKS_KEY "HRBLOCKS_KEEP"

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "exit";
    int aid = agetId();
    int gid = hrGetActorGroup(aid);
    char grp_name[16], keep_name[16];
    snprintf(grp_name, sizeof(grp_name), "grp%d", gid);
    snprintf(keep_name, sizeof(keep_name), "keep%d", gid);
    uint32_t *grp = hrt_block("hrblocks", grp_name, 8192, HR_GROUP_KEY, HR_GROUP_KEYSIZE);
    uint32_t *keep = hrt_block("hrblocks", keep_name, 100, HRBLOCKS_KEY, sizeof(HRBLOCKS_KEY));
    if (!grp || !keep) {
        HR_EXIT_HDL();
        exit(1);
    }
    uint32_t run = ++grp[0];
    keep[0]++;
    printf("hrblocks: run %lu, aid %d, group %d, %s at 0x%08lx, %s at 0x%08lx\n",
           (unsigned long)run, aid, gid, grp_name, (unsigned long)(uintptr_t)grp, keep_name,
           (unsigned long)(uintptr_t)keep);
    if (!strcmp(mode, "wait")) {
        printf("hrblocks: waiting\n");
        hrt_wait_forever();
    }
    if (!strcmp(mode, "selfkill")) {
        printf("hrblocks: killing group %d\n", gid);
        int res = hrKillGroup(gid);
        printf("hrblocks: still alive after hrKillGroup: %d\n", res);   /* must not happen */
        hrt_wait_forever();
    }
    printf("hrblocks: ending cleanly\n");
    HR_EXIT_HDL();
    exit(0);
}
