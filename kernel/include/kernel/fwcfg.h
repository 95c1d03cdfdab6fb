/* QEMU fw_cfg device: reads the boot options a scenario passes with -fw_cfg name=opt/... */
#pragma once
#include <stddef.h>

/* Copies the named fw_cfg file (NUL-terminated, truncated to n-1) into buf.
   Returns its length, or -1 when there is no such file. */
int fwcfg_read_file(const char *name, char *buf, size_t n);
