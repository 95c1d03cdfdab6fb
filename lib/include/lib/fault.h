/* Fault records in words: decoding of ARMv7 short-descriptor fault status registers (ARM ARM
   B4.1.52, B4.1.96) and the text of a kernel fault record (struct fault_record). */
#pragma once
#include <reprise/abi.h>
#include <stddef.h>
#include <stdint.h>

enum fault_class {
    FAULT_ALIGNMENT,
    FAULT_TRANSLATION,
    FAULT_PERMISSION,
    FAULT_ACCESS_FLAG,
    FAULT_DOMAIN,
    FAULT_EXTERNAL,
    FAULT_DEBUG,
    FAULT_OTHER,
};

struct fault_status {
    enum fault_class cls;
    uint8_t fs;         /* the 5-bit fault status field */
    uint8_t level;      /* 1 = section/L1, 2 = page/L2, 0 when not applicable */
    uint8_t write;      /* data aborts: WnR */
};

/* Decodes a DFSR (is_data = 1) or IFSR (is_data = 0) value. */
struct fault_status fault_decode(uint32_t fsr, int is_data);
/* Short text for a class, e.g. "translation fault". */
const char *fault_class_name(enum fault_class cls);
/* The words of rec, e.g. "data abort pc=0x00010040 addr=0x00000000 write, translation fault"
   or "killed by cinit (aid 3)", into buf (always NUL-terminated when size > 0); returns the
   full length, as snprintf. */
int fault_text(char *buf, size_t size, const struct fault_record *rec);
