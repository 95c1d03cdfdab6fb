/* Newlib system calls of a Reprise actor: exit, heap, process id, kill, and the absent file system. */
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>
#include <chorus.h>
#include <reprise/abi.h>
#include <reprise/sys.h>
#include "glue.h"

/* The linker script puts `end` right after .bss: the heap starts there. */
extern char end[];

void *_sbrk(ptrdiff_t incr);
int _getpid(void);
int _kill(int pid, int sig);
void _exit(int status);
int _open(const char *path, int flags, int mode);
int _stat(const char *path, struct stat *st);
int _unlink(const char *path);
int _link(const char *old, const char *new);
int _fork(void);
int _wait(int *status);
int _execve(const char *path, char *const argv[], char *const envp[]);

/* glue_fail: map a K_E* code onto the nearest errno value (EIO for one it does not know);
 * returns -1. A table rather than a switch: every actor with stdio links this. */
int glue_fail(long kerr)
{
    static const unsigned char errno_of[] = {
        [-K_EINVAL] = EINVAL,   [-K_ENOMEM] = ENOMEM,     [-K_EFAULT] = EFAULT,
        [-K_EUNKNOWN] = ESRCH,  [-K_EEXIST] = EEXIST,     [-K_EPRIV] = EPERM,
        [-K_ETOOMUCH] = EAGAIN, [-K_EBUSY] = EBUSY,       [-K_ENOTIMP] = ENOSYS,
        [-K_EDEAD] = ESRCH,     [-K_ETIMEOUT] = ETIMEDOUT, [-K_EIO] = EIO,
    };
    _Static_assert(ETIMEDOUT < 256 && ENOSYS < 256, "errno values fit the table");
    if (kerr < 0 && kerr > -(long)sizeof(errno_of) && errno_of[-kerr])
        return glue_errno(errno_of[-kerr]);
    return glue_errno(EIO);
}

static uintptr_t page_up(uintptr_t a)
{
    return (a + ACTOR_PAGE_SIZE - 1) & ~(uintptr_t)(ACTOR_PAGE_SIZE - 1);
}

/* The heap: [end, heap_brk) is in use; pages are mapped up to heap_mapped. The kernel maps
 * .bss to the end of its last page; more pages come from rgnAllocate at fixed addresses,
 * which the kernel refuses (K_ENOMEM) past the image's heap limit: ACTOR_HEAP_MAX, the
 * manifest's heap=SIZE, or app.mk's <name>_HEAP_MAX (a symbol mkimage.py reads). */
static uintptr_t heap_brk;
static uintptr_t heap_mapped;

/* _sbrk: move the break by incr bytes (malloc's only source of memory); returns the old
 * break, or (void *)-1 with errno ENOMEM when the limit or the machine's memory is reached. */
void *_sbrk(ptrdiff_t incr)
{
    if (heap_brk == 0) {
        heap_brk = (uintptr_t)end;
        heap_mapped = page_up(heap_brk);
    }
    uintptr_t old = heap_brk;
    uintptr_t limit = ACTOR_RGN_VADDR;     /* the kernel refuses growth past the image's limit */

    if (incr < 0) {
        if ((uintptr_t)-incr > old - (uintptr_t)end) {
            glue_errno(EINVAL);
            return (void *)-1;
        }
        heap_brk = old + incr;          /* the pages stay mapped for the next growth */
        return (void *)old;
    }
    if ((uintptr_t)incr > limit - old) {
        glue_errno(ENOMEM);
        return (void *)-1;
    }
    uintptr_t brk = old + (uintptr_t)incr;
    if (brk > heap_mapped) {
        KnRgnDesc rgn = {
            .startAddr = heap_mapped,
            .size = page_up(brk) - heap_mapped,
            .options = K_WRITABLE | K_FILLZERO,
        };
        if (rgnAllocate(K_MYACTOR, &rgn) != K_OK) {
            glue_errno(ENOMEM);
            return (void *)-1;
        }
        heap_mapped = page_up(brk);
    }
    heap_brk = brk;
    return (void *)old;
}

int sys_plain_heap(uintptr_t a, uintptr_t e)
{
    (void)a;
    return e <= (heap_mapped ? heap_mapped : page_up((uintptr_t)end));
}

/* _exit: end the actor with status; exit() calls it after atexit handlers and stdio flush. */
void _exit(int status)
{
    for (;;)
        sys_call1(SYS_EXIT, status);
}

/* _getpid: the caller's actor id. */
int _getpid(void)
{
    return (int)sys_call0(SYS_ACTOR_SELF);
}

/* _kill: kill actor pid, whatever sig is (abort() and raise() come here); sig 0, the
 * existence check, succeeds without checking. Killing oneself does not return; SIGABRT to
 * oneself (abort()) is an abnormal end that says so: "abort() called" in the kernel's or
 * HR's line, and HR restarts a restartable actor's group as after a crash. */
int _kill(int pid, int sig)
{
    if (sig == 0)
        return 0;
    if (sig == SIGABRT && pid == _getpid())
        sys_call2(SYS_ACTOR_INJECT, 0, FAULT_KIND_ABORT);
    long r = sys_call1(SYS_ACTOR_KILL, pid);
    return r < 0 ? glue_fail(r) : 0;
}

/* There is no file system: the calls below fail as POSIX says they do without one. */

int _open(const char *path, int flags, int mode)
{
    (void)path, (void)flags, (void)mode;
    return glue_errno(ENOENT);
}

int _stat(const char *path, struct stat *st)
{
    (void)path, (void)st;
    return glue_errno(ENOENT);
}

int _unlink(const char *path)
{
    (void)path;
    return glue_errno(ENOENT);
}

int _link(const char *old, const char *new)
{
    (void)old, (void)new;
    return glue_errno(ENOENT);
}

int _fork(void)
{
    return glue_errno(ENOSYS);
}

int _wait(int *status)
{
    (void)status;
    return glue_errno(ECHILD);
}

int _execve(const char *path, char *const argv[], char *const envp[])
{
    (void)path, (void)argv, (void)envp;
    return glue_errno(ENOSYS);
}
