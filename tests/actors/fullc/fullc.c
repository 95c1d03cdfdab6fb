/* Test actor linked with the full newlib (app.mk: fullc_LIBC := full): 64-bit integers and
 * floating point in printf and strtod, which newlib-nano does not format. Prints
 * "fullc: <what printf made>" and "fullc: ok" when snprintf gave the expected strings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    char buf[128];
    volatile long long big = 123456789012LL;
    volatile double x = strtod("2.5e3", NULL);
    snprintf(buf, sizeof(buf), "%lld %llu %.3f %g %e", big, (unsigned long long)-1, x / 3, x, 0.5);
    printf("fullc: %s\n", buf);
    if (strcmp(buf, "123456789012 18446744073709551615 833.333 2500 5.000000e-01") != 0) {
        printf("fullc: FAIL\n");
        return 1;
    }
    printf("fullc: ok\n");
    return 0;
}
