/* Protection test actor (tests/qemu/test_protect.py, tests/images/protect.image): the victim's
   and the attacker's side of each attack on PMM and HR, one command a run; the image gives it
   several names (protvic, protatk, protpriv, protbig), each its own bank owner.

     hold NAME KEY VALUE   pmmAllocate NAME (one page) with KEY (HR_GROUP: HR_GROUP_KEY), store
                           VALUE, wait to be killed: "protect: hold NAME = VALUE"
     getfree NAME KEY      retrieve NAME with KEY, print its value, pmmFree it: the owner's
                           use: "protect: get NAME = V" "protect: free NAME: E"
     list SECRET           every block PMM lists to this actor, and whether any reply held the
                           bytes of SECRET: "protect: sees NAME owner O group G flags F" a
                           block, then "protect: list: N blocks, secret found K"
     steal NAME            retrievals of NAME with guessed keys: "protect: steal NAME: E E"
     free NAME             pmmFree: "protect: free NAME: E"
     fexec IMAGE           (restartable) hrfexecl IMAGE into its group, once, with the
                           arguments "notcinit privs" (argv[0] is the requester's choice):
                           "protect: fexec IMAGE: E"; in later runs "protect: fexec done";
                           then waits to be killed
     privs                 its privileges, and whether it may create an actor: "protect:
                           privileges 0xP, actor create E"; then a clean end
     hog SIZE KEY          blocks KEY.0, KEY.1... of SIZE bytes with KEY (HR_GROUP: HR_GROUP_KEY) until one is
                           refused: "protect: hog: N blocks, P pages, then E"; with HR_GROUP it
                           then waits to be killed (its group's end would free the blocks)
     freeall KEY           pmmFreeAll: "protect: freeall KEY: E"
   E is a K_* code as a number. */
#include <hr/hr.h>
#include <pmm/chPmm.h>
#include <pmm/proto.h>
#include <reprise/sys.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Fills a PmmName: medium "RAM", name zero padded. */
static void prot_name(PmmName *n, const char *name)
{
    memset(n, 0, sizeof(*n));
    strcpy(n->medium, "RAM");
    strncpy(n->name, name, sizeof(n->name) - 1);
}

/* pmmAllocate of name (size bytes) with a key given as text: "HR_GROUP" is HR_GROUP_KEY,
   others the string with its NUL. */
static int prot_alloc(VmAddr *a, const char *name, size_t size, const char *key)
{
    PmmName n;
    prot_name(&n, name);
    if (!strcmp(key, "HR_GROUP"))
        return pmmAllocate(a, &n, size, HR_GROUP_KEY, HR_GROUP_KEYSIZE);
    return pmmAllocate(a, &n, size, (char *)key, strlen(key) + 1);
}

static int prot_free(const char *name)
{
    PmmName n;
    prot_name(&n, name);
    return pmmFree(&n);
}

/* Sleeps until killed. */
static void prot_wait(void)
{
    for (;;)
        sys_call1(SYS_DELAY, 1000000);
}

/* Whether the n bytes at p hold the string s anywhere. */
static int prot_contains(const void *p, size_t n, const char *s)
{
    size_t k = strlen(s);
    for (size_t i = 0; k && i + k <= n; i++)
        if (!memcmp((const char *)p + i, s, k))
            return 1;
    return 0;
}

/* Lists what PMM shows this actor, looking for secret in every reply (blocks and quotas). */
static int prot_list(const char *secret)
{
    static struct pmm_block_info bi;
    static struct pmm_usage u;
    int port = (int)sys_call1(SYS_PORT_LOOKUP, PORT_WK_PMM), n = 0, found = 0;
    for (uint32_t i = 0;; i++) {
        memset(&bi, 0, sizeof(bi));
        struct ipc_bufs b = { 0, 0, &bi, sizeof(bi), 0 };
        struct sys_ipc_ret r = sys_ipc_call(port, PMM_OP_BLOCK_INFO, i, 0, 0, &b);
        if (r.status != K_OK || (int32_t)r.w[0] != K_OK)
            break;
        found += prot_contains(&bi, sizeof(bi), secret);
        bi.owner[sizeof(bi.owner) - 1] = '\0';
        printf("protect: sees %s owner %s group %ld flags %lu\n", bi.name.name, bi.owner,
               (long)bi.group, (unsigned long)bi.flags);
        n++;
    }
    for (uint32_t i = 0;; i++) {
        struct ipc_bufs b = { 0, 0, &u, sizeof(u), 0 };
        struct sys_ipc_ret r = sys_ipc_call(port, PMM_OP_USAGE, i, 0, 0, &b);
        if (r.status != K_OK || (int32_t)r.w[0] != K_OK)
            break;
        found += prot_contains(&u, sizeof(u), secret);
        printf("protect: quota %s group %ld: %lu of %lu pages, %lu of %lu blocks\n",
               u.image[0] ? u.image : "-", (long)u.group, (unsigned long)u.pages,
               (unsigned long)u.max_pages, (unsigned long)u.blocks, (unsigned long)u.max_blocks);
    }
    printf("protect: list: %d blocks, secret found %d\n", n, found);
    return 0;
}

/* hrfexecl of image, once per group (a HR_GROUP_KEY block remembers it), argv[0] not its
   name. */
static int prot_fexec(const char *image)
{
    VmAddr a;
    int err = prot_alloc(&a, "fexec.done", 4, "HR_GROUP");
    if (err != K_OK) {
        printf("protect: fexec: no block: %d\n", err);
        HR_EXIT_HDL();
        return 1;
    }
    volatile uint32_t *done = (volatile uint32_t *)a;
    if (*done) {
        printf("protect: fexec done\n");
    } else {
        *done = 1;
        PmmName base;
        prot_name(&base, "fexec.child");
        printf("protect: fexec %s: %d\n", image, hrfexecl(&base, image, NULL, NULL, "notcinit", "privs",
                                                                NULL));
    }
    prot_wait();
    return 0;
}

/* Prints the caller's privileges (from the kernel) and tries a call that needs PRIV_ACTORS. */
static int prot_privs(void)
{
    struct actor_info self;
    struct actor_spawn sp;
    int aid = (int)sys_call0(SYS_ACTOR_SELF);
    memset(&self, 0, sizeof(self));
    sys_call2(SYS_ACTOR_INFO, aid % ACTOR_SLOTS - 1, (long)&self);
    memset(&sp, 0, sizeof(sp));      /* no image name: K_EUNKNOWN once allowed to try */
    printf("protect: privileges 0x%lx, actor create %ld\n", (unsigned long)self.privileges,
           sys_call1(SYS_ACTOR_CREATE, (long)&sp));
    HR_EXIT_HDL();
    return 0;
}

/* Allocates blocks of size bytes with key until PMM refuses one. */
static int prot_hog(size_t size, const char *key)
{
    int n = 0, err;
    unsigned long pages = 0;
    char name[32];
    VmAddr a;
    for (;;) {
        snprintf(name, sizeof(name), "%.20s.%d", key, n);
        err = prot_alloc(&a, name, size, key);
        if (err != K_OK)
            break;
        n++;
        pages += (size + 4095) / 4096;
    }
    printf("protect: hog: %d blocks, %lu pages, then %d\n", n, pages, err);
    if (!strcmp(key, "HR_GROUP"))
        prot_wait();
    HR_EXIT_HDL();
    return 0;
}

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : "";
    VmAddr a;
    if (!strcmp(cmd, "hold") && argc == 5) {
        int err = prot_alloc(&a, argv[2], 4096, argv[3]);
        if (err != K_OK) {
            printf("protect: hold %s: %d\n", argv[2], err);
            return 1;
        }
        *(volatile uint32_t *)a = (uint32_t)strtoul(argv[4], NULL, 0);
        printf("protect: hold %s = %s\n", argv[2], argv[4]);
        prot_wait();
    }
    if (!strcmp(cmd, "getfree") && argc == 4) {
        int err = prot_alloc(&a, argv[2], 4, argv[3]);
        if (err != K_OK)
            printf("protect: get %s: error %d\n", argv[2], err);
        else
            printf("protect: get %s = %lu\n", argv[2], (unsigned long)*(volatile uint32_t *)a);
        printf("protect: free %s: %d\n", argv[2], prot_free(argv[2]));
        HR_EXIT_HDL();
        return 0;
    }
    if (!strcmp(cmd, "list") && argc == 3)
        return prot_list(argv[2]);
    if (!strcmp(cmd, "steal") && argc == 3) {
        int e1 = prot_alloc(&a, argv[2], 4, ""), e2 = prot_alloc(&a, argv[2], 4, "guess");
        printf("protect: steal %s: %d %d\n", argv[2], e1, e2);
        return 0;
    }
    if (!strcmp(cmd, "free") && argc == 3) {
        printf("protect: free %s: %d\n", argv[2], prot_free(argv[2]));
        return 0;
    }
    if (!strcmp(cmd, "fexec") && argc == 3)
        return prot_fexec(argv[2]);
    if (!strcmp(cmd, "privs"))
        return prot_privs();
    if (!strcmp(cmd, "hog") && argc == 4)
        return prot_hog(strtoul(argv[2], NULL, 0), argv[3]);
    if (!strcmp(cmd, "freeall") && argc == 3) {
        printf("protect: freeall %s: %d\n", argv[2], pmmFreeAll(argv[2], strlen(argv[2]) + 1));
        return 0;
    }
    printf("protect: usage: hold|getfree|list|steal|free|fexec|privs|hog|freeall ...\n");
    return 2;
}
