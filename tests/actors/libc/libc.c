/* Test actor for libc-glue: printf, malloc, heap exhaustion, argv, stdin, errno, exit status.
 *
 * Usage: libc [exit=N] [nostdin] [notime] [words...], or libc oomfirst (fill the heap, then
 * printf: "libc: printf after the heap ran out ok"), or libc abort ("libc: calling abort()"). Every line starts with "libc: ";
 * self-checks print "ok" or "FAIL ..." and the last line before exit is
 * "libc: done, exit N". A QEMU scenario waits for "libc: ready for a line", types one,
 * and expects "libc: line [what it typed]". Expected transcript (exit=3 a b):
 *   libc: constructor ran
 *   libc: printf [  42] [-7  ] [ff] [00C0FFEE] [hello] [hi    |] [x] [-123456789] [4000000000] [0x1234] [%]
 *   libc: printf [4294967295] [0042] [+5] [  0xff] [FF] [hel] [ y] [  -99] [7fffffff] [0xbeef0] [100%]
 *   libc: printf ok
 *   libc: argc=4
 *   libc: argv[0]=libc ... argv[3]=b
 *   libc: pid=<aid> ok
 *   libc: stderr unbuffered
 *   libc: linebuf ok
 *   libc: errno ok
 *   libc: malloc stress ok
 *   libc: heap exhausted at <K> KiB, errno ENOMEM ok
 *   libc: heap reuse ok
 *   libc: libm ok
 *   libc: time ok
 *   libc: wall time <seconds since 1970>
 *   libc: ready for a line
 *   libc: line [<the line typed>]
 *   libc: done, exit 3
 *   libc: atexit handler
 *   libc: destructor ran */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static int constructed;
static int failures;

__attribute__((constructor)) static void libc_test_constructor(void)
{
    constructed = 1;
}

__attribute__((destructor)) static void libc_test_destructor(void)
{
    printf("libc: destructor ran\n");
}

static void libc_test_atexit(void)
{
    printf("libc: atexit handler\n");
}

static void fail(const char *what)
{
    failures++;
    printf("libc: FAIL %s\n", what);
}

/* check_fmt: format with vsnprintf and compare with want; prints the difference. */
__attribute__((format(printf, 2, 3))) static void check_fmt(const char *want, const char *fmt, ...)
{
    char got[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(got, sizeof(got), fmt, ap);
    va_end(ap);
    if (strcmp(got, want) != 0) {
        failures++;
        printf("libc: FAIL printf \"%s\": got [%s] want [%s]\n", fmt, got, want);
    }
}

static void test_printf(void)
{
    int before = failures;
    printf("libc: printf [%4d] [%-4d] [%x] [%08X] [%s] [%-6s|] [%c] [%ld] [%lu] [%p] [%%]\n",
           42, -7, 255u, 0xc0ffeeu, "hello", "hi", 'x', -123456789L, 4000000000UL,
           (void *)0x1234);
    printf("libc: printf [%u] [%04d] [%+d] [%#6x] [%X] [%.3s] [%2c] [%5ld] [%lx] [%p] [%d%%]\n",
           4294967295u, 42, 5, 255u, 255u, "hello", 'y', -99L, 0x7fffffffL, (void *)0xbeef0, 100);
    check_fmt("[  42]", "[%4d]", 42);
    check_fmt("[-7  ]", "[%-4d]", -7);
    check_fmt("[0042]", "[%04d]", 42);
    check_fmt("[+5]", "[%+d]", 5);
    check_fmt("[4294967295]", "[%u]", 4294967295u);
    check_fmt("[ff] [FF] [0xff]", "[%x] [%X] [%#x]", 255u, 255u, 255u);
    check_fmt("[00C0FFEE]", "[%08X]", 0xc0ffeeu);
    check_fmt("[hello] [   hi] [hi   |]", "[%s] [%5s] [%-5s|]", "hello", "hi", "hi");
    check_fmt("[hel]", "[%.3s]", "hello");
    check_fmt("[x] [ y]", "[%c] [%2c]", 'x', 'y');
    check_fmt("[-123456789] [4000000000] [7fffffff]", "[%ld] [%lu] [%lx]", -123456789L,
              4000000000UL, 0x7fffffffL);
    check_fmt("[0x1234]", "[%p]", (void *)0x1234);
    check_fmt("[%] [100%]", "[%%] [%d%%]", 100);
    check_fmt("[-2147483648]", "[%d]", INT_MIN);
    if (failures == before)
        printf("libc: printf ok\n");
}

static void test_argv(int argc, char **argv)
{
    printf("libc: argc=%d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("libc: argv[%d]=%s\n", i, argv[i]);
    if (argv[argc] != NULL)
        fail("argv[argc] is not NULL");
}

static void test_process(void)
{
    int pid = getpid();
    if (pid > 0)
        printf("libc: pid=%d ok\n", pid);
    else
        fail("getpid");
}

/* stdout holds "libc: linebuf " until its newline; stderr goes out at once. */
static void test_buffering(void)
{
    printf("libc: linebuf ");
    fprintf(stderr, "libc: stderr unbuffered\n");
    printf("ok\n");
}

static void test_errno(void)
{
    int before = failures;
    errno = 0;
    if (write(5, "x", 1) != -1 || errno != EBADF)
        fail("write(5) is not EBADF");
    errno = 0;
    if (lseek(1, 0, SEEK_SET) != -1 || errno != ESPIPE)
        fail("lseek(1) is not ESPIPE");
    if (!isatty(1) || !isatty(0) || isatty(7))
        fail("isatty");
    errno = 0;
    if (fopen("/nothing", "r") != NULL || errno != ENOENT)
        fail("fopen is not ENOENT");
    errno = 0;
    if (kill(99999, SIGTERM) != -1 || errno != ESRCH)      /* K_EUNKNOWN from the kernel */
        fail("kill(99999) is not ESRCH");
    if (failures == before)
        printf("libc: errno ok\n");
}

static uint32_t rng_state = 12345;

static uint32_t rng(void)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return rng_state >> 8;
}

/* malloc and free blocks of random sizes in random order, checking their contents. */
static void test_malloc_stress(void)
{
    enum { SLOTS = 64, ROUNDS = 4000 };
    static unsigned char *slot[SLOTS];
    static size_t slot_size[SLOTS];
    int before = failures;

    for (int round = 0; round < ROUNDS && failures == before; round++) {
        int i = (int)(rng() % SLOTS);
        if (slot[i]) {
            for (size_t k = 0; k < slot_size[i]; k++)
                if (slot[i][k] != (unsigned char)(i + k)) {
                    fail("malloc stress: block overwritten");
                    break;
                }
            free(slot[i]);
            slot[i] = NULL;
        } else {
            slot_size[i] = 1 + rng() % (rng() % 8 == 0 ? 20000 : 300);
            slot[i] = malloc(slot_size[i]);
            if (!slot[i]) {
                fail("malloc stress: NULL");
                break;
            }
            for (size_t k = 0; k < slot_size[i]; k++)
                slot[i][k] = (unsigned char)(i + k);
        }
    }
    for (int i = 0; i < SLOTS; i++) {
        free(slot[i]);
        slot[i] = NULL;
    }
    char *p = calloc(1000, 4);
    if (!p || p[0] != 0 || p[3999] != 0)
        fail("calloc");
    p = realloc(p, 100000);
    if (!p)
        fail("realloc");
    free(p);
    if (failures == before)
        printf("libc: malloc stress ok\n");
}

/* Take blocks of growing size until malloc says no (the heap limit or the machine's
 * memory), touching every page; then give them all back and allocate again. */
static void test_heap_exhaustion(void)
{
    enum { MAX_BLOCKS = 1024 };
    static char *block[MAX_BLOCKS];
    size_t total = 0;
    int n = 0;

    errno = 0;
    for (n = 0; n < MAX_BLOCKS; n++) {
        size_t size = (size_t)(n + 1) * 16384;
        block[n] = malloc(size);
        if (!block[n])
            break;
        for (size_t k = 0; k < size; k += 4096)
            block[n][k] = (char)n;
        block[n][size - 1] = (char)n;
        total += size;
    }
    if (n == MAX_BLOCKS)
        fail("heap never ran out");
    else if (errno != ENOMEM)
        fail("heap exhaustion errno is not ENOMEM");
    else
        printf("libc: heap exhausted at %lu KiB, errno ENOMEM ok\n", (unsigned long)(total / 1024));

    int bad = 0;
    for (int i = 0; i < n; i++) {
        if (block[i][0] != (char)i)
            bad = 1;
        free(block[i]);
        block[i] = NULL;
    }
    char *again = malloc(total / 2);
    if (bad)
        fail("heap blocks overwritten");
    else if (!again)
        fail("malloc after freeing everything");
    else
        printf("libc: heap reuse ok\n");
    free(again);
}

static void test_time(void)
{
    struct timeval a, b;
    if (gettimeofday(&a, NULL) != 0)
        fail("gettimeofday");
    clock_t c0 = clock();
    for (volatile int i = 0; i < 100000; i++)
        ;
    if (gettimeofday(&b, NULL) != 0)
        fail("gettimeofday");
    uint64_t ua = (uint64_t)a.tv_sec * 1000000u + (uint64_t)a.tv_usec;
    uint64_t ub = (uint64_t)b.tv_sec * 1000000u + (uint64_t)b.tv_usec;
    if (ub < ua || b.tv_usec >= 1000000 || clock() < c0 || c0 == (clock_t)-1)
        fail("time goes backwards");
    else
        printf("libc: time ok\n");
}

/* libm is linked: the functions Lua needed first, with exact results. */
static void test_math(volatile double two)
{
    if (floor(two + 0.5) != 2.0 || fmod(7.5, two) != 1.5 || pow(two, 10.0) != 1024.0 ||
        fabs(sqrt(two) * sqrt(two) - two) > 1e-12)
        fail("libm");
    else
        printf("libc: libm ok\n");
}

/* The POSIX clocks and sleeps: CLOCK_MONOTONIC counts through a sleep, CLOCK_REALTIME and
 * time() agree, bad arguments are EINVAL or EFAULT; the wall time is printed for the
 * scenario to compare with the host's clock. */
static void test_clocks(void)
{
    struct timespec t0, t1, rt, bad = { 0, -1 }, nap = { 0, 2000000 };
    if (clock_gettime(CLOCK_MONOTONIC, &t0) != 0 || nanosleep(&nap, NULL) != 0 ||
        usleep(1000) != 0 || sleep(0) != 0 || clock_gettime(CLOCK_MONOTONIC, &t1) != 0) {
        fail("clocks and sleeps");
        return;
    }
    int64_t slept = (int64_t)(t1.tv_sec - t0.tv_sec) * 1000000000 + (t1.tv_nsec - t0.tv_nsec);
    if (slept < 3000000)
        fail("nanosleep and usleep slept less than asked");
    errno = 0;
    if (nanosleep(&bad, NULL) != -1 || errno != EINVAL)
        fail("nanosleep of a negative interval");
    errno = 0;
    if (nanosleep((struct timespec *)0x1234, NULL) != -1 || errno != EFAULT)
        fail("nanosleep of a bad pointer");
    /* clock_nanosleep: until an absolute time of either clock, never before it; a time
       already past returns at once; errors are returned, not set in errno. */
    struct timespec due = t1, t2;
    due.tv_nsec += 5000000;
    if (due.tv_nsec >= 1000000000) {
        due.tv_sec++;
        due.tv_nsec -= 1000000000;
    }
    if (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, NULL) != 0 ||
        clock_gettime(CLOCK_MONOTONIC, &t2) != 0 || t2.tv_sec < due.tv_sec ||
        (t2.tv_sec == due.tv_sec && t2.tv_nsec < due.tv_nsec))
        fail("clock_nanosleep woke before its CLOCK_MONOTONIC time");
    if (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t0, NULL) != 0)
        fail("clock_nanosleep until a time past");
    if (clock_gettime(CLOCK_REALTIME, &rt) != 0)
        fail("clock_gettime(CLOCK_REALTIME)");
    rt.tv_sec += 1;
    if (clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &rt, NULL) != 0 || time(NULL) < rt.tv_sec)
        fail("clock_nanosleep woke before its CLOCK_REALTIME time");
    if (clock_nanosleep(CLOCK_MONOTONIC, 0, &nap, NULL) != 0)
        fail("clock_nanosleep for an interval");
    if (clock_nanosleep((clockid_t)99, 0, &nap, NULL) != EINVAL ||
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &bad, NULL) != EINVAL ||
        clock_nanosleep(CLOCK_MONOTONIC, 0, (struct timespec *)0x1234, NULL) != EFAULT)
        fail("clock_nanosleep's errors");
    errno = 0;
    if (clock_gettime((clockid_t)99, &rt) != -1 || errno != EINVAL)
        fail("clock_gettime of an unknown clock");
    errno = 0;
    if (clock_gettime(CLOCK_REALTIME, (struct timespec *)0x1234) != -1 || errno != EFAULT)
        fail("clock_gettime into a bad pointer");
    if (clock_gettime(CLOCK_REALTIME, &rt) != 0 || rt.tv_sec - time(NULL) > 1 ||
        time(NULL) - rt.tv_sec > 1)
        fail("CLOCK_REALTIME and time() disagree");
    printf("libc: wall time %lu\n", (unsigned long)rt.tv_sec);
}

/* Fills the heap, then uses stdio for the first time: it must print, not fault. */
static int test_oom_first(void)
{
    while (malloc(65536))
        ;
    while (malloc(64))
        ;
    printf("libc: printf after the heap ran out ok\n");
    return 0;
}

static void test_stdin(void)
{
    char line[128];
    printf("libc: ready for a line\n");
    if (!fgets(line, sizeof(line), stdin)) {
        fail("fgets");
        return;
    }
    line[strcspn(line, "\n")] = '\0';
    printf("libc: line [%s]\n", line);
}

int main(int argc, char **argv)
{
    int status = 0, use_stdin = 1, use_time = 1;

    if (argc == 2 && strcmp(argv[1], "oomfirst") == 0)
        return test_oom_first();
    if (argc == 2 && strcmp(argv[1], "abort") == 0) {
        printf("libc: calling abort()\n");
        abort();
    }
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "exit=", 5) == 0)
            status = atoi(argv[i] + 5);
        else if (strcmp(argv[i], "nostdin") == 0)
            use_stdin = 0;
        else if (strcmp(argv[i], "notime") == 0)
            use_time = 0;
    }
    atexit(libc_test_atexit);

    if (constructed)
        printf("libc: constructor ran\n");
    else
        fail("constructor did not run");
    test_printf();
    test_argv(argc, argv);
    test_process();
    test_buffering();
    test_errno();
    test_malloc_stress();
    test_heap_exhaustion();
    test_math(2.0);
    if (use_time) {
        test_time();
        test_clocks();
    }
    if (use_stdin)
        test_stdin();
    if (failures)
        printf("libc: %d failures\n", failures);
    printf("libc: done, exit %d\n", status);
    return status;
}
