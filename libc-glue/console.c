/* Newlib system calls on the console: file descriptors 0, 1 and 2, all three the serial line.
 *
 * Buffering is newlib's own: _fstat says "character device" and _isatty 1, so stdin and
 * stdout are line-buffered on first use (a read flushes stdout first) and stderr is
 * unbuffered. Only actors that use stdio link this file. */
#include <reent.h>
#include <string.h>
#include <sys/stat.h>
#include <reprise/sys.h>
#include "glue.h"

int _read(int fd, char *buf, int len);
int _write(int fd, const char *buf, int len);
int _close(int fd);
int _fstat(int fd, struct stat *st);
int _isatty(int fd);
int _lseek(int fd, int offset, int whence);

void __sinit(struct _reent *r);

/* console_stdio_init: newlib-nano makes stdin, stdout and stderr on first use, with malloc;
 * when the heap is full by then, it writes through the NULL it got. They are made here, at
 * start, while the heap is empty, so running out of memory is always a clean error (a
 * stream whose buffer cannot be allocated is unbuffered). Linked with stdio only. */
__attribute__((constructor(101))) static void console_stdio_init(void)
{
    __sinit(_REENT);
}

static int is_console(int fd)
{
    return fd >= 0 && fd <= 2;
}

/* _read: wait for at least one character, return what has arrived (up to len). The console
 * sends Enter as CR: it becomes LF here. No echo: that is the reader's business. */
int _read(int fd, char *buf, int len)
{
    if (!is_console(fd))
        return glue_errno(EBADF);
    if (len <= 0)
        return 0;
    long n = sys_call3(SYS_CONSOLE_READ, (long)buf, len, 0);
    if (n < 0)
        return glue_fail(n);
    for (long i = 0; i < n; i++)
        if (buf[i] == '\r')
            buf[i] = '\n';
    return (int)n;
}

/* _write: all len bytes to the console (the kernel turns "\n" into "\r\n"). */
int _write(int fd, const char *buf, int len)
{
    if (!is_console(fd))
        return glue_errno(EBADF);
    int done = 0;
    while (done < len) {
        long n = sys_call2(SYS_CONSOLE_WRITE, (long)(buf + done), len - done);
        if (n < 0)
            return done > 0 ? done : glue_fail(n);
        if (n == 0)
            break;
        done += (int)n;
    }
    return done;
}

/* _close: the console stays open; closing it succeeds. */
int _close(int fd)
{
    return is_console(fd) ? 0 : glue_errno(EBADF);
}

/* _fstat: the console is a character device (newlib then asks _isatty and line-buffers it). */
int _fstat(int fd, struct stat *st)
{
    if (!is_console(fd))
        return glue_errno(EBADF);
    memset(st, 0, sizeof(*st));
    st->st_mode = S_IFCHR | 0620;
    return 0;
}

/* _isatty: 1 for the console, else 0 with errno EBADF. */
int _isatty(int fd)
{
    if (!is_console(fd)) {
        glue_errno(EBADF);
        return 0;
    }
    return 1;
}

/* _lseek: a terminal cannot seek. */
int _lseek(int fd, int offset, int whence)
{
    (void)offset, (void)whence;
    return glue_errno(is_console(fd) ? ESPIPE : EBADF);
}
