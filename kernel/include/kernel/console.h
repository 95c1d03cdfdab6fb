/* Kernel console: formatted output through a ring drained by the board UART's interrupt,
   typed input for one reader at a time (the foreground actor or the background reader, see
   kernel/console.c). */
#pragma once
#include <stdarg.h>
#include <stddef.h>

struct actor;

void console_init(void);
/* %u %x %d take 32-bit values (uint32_t is "long" on arm-none-eabi, so no format attribute). */
void kprintf(const char *fmt, ...);
void kvprintf(const char *fmt, va_list ap);

/* Called from the UART interrupt with each received character. */
void console_rx(char c);
/* Called from the UART interrupt when the transmitter takes more: refills it from the
   ring, lets waiting writers in. */
void console_tx(void);
/* For a panic or a reset (interrupts masked, the machine about to stop): sends what the
   ring holds, polled, and makes all later output polled. */
void console_sync(void);
/* The console-hold self test: on, the transmitter takes nothing more (as when a terminal
   stops reading) and the ring fills; off, output flows again. */
void console_hold(int on);
/* Called by actor_end: a no longer reads, nor holds the console. */
void console_actor_gone(struct actor *a);

/* System calls (uapi/reprise/syscall.h): SYS_CONSOLE_WRITE, SYS_CONSOLE_READ,
   SYS_CONSOLE_MODE; each sets the caller's result register. */
void console_sys_write(struct actor *self);
void console_sys_read(struct actor *self);
void console_sys_mode(struct actor *self);
