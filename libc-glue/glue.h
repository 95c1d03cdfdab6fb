/* Private to libc-glue: what its system call files share. */
#pragma once
#include <errno.h>

/* Newlib's _write_r and friends clear this global, call _write, and copy it into the
 * program's errno (the per-reent one that the errno macro reads) when _write fails. */
extern int glue_newlib_errno __asm__("errno");

/* glue_errno: set errno for both paths into the glue: through the _r wrappers, and direct
 * calls such as isatty(); returns -1, the failure value of every newlib system call. */
static inline int glue_errno(int e)
{
    glue_newlib_errno = e;
    errno = e;
    return -1;
}

/* glue_fail: glue_errno with the errno value nearest to a negative K_E* code. */
int glue_fail(long kerr);
