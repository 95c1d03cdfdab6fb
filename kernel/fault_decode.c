/* Decoding of ARMv7 short-descriptor fault status registers (ARM ARM B3.13.3, B4.1.52/96). */
#include <kernel/fault.h>

struct fault_status fault_decode(uint32_t fsr, int is_data)
{
    struct fault_status st = { FAULT_OTHER, 0, 0, 0 };
    st.fs = (uint8_t)((fsr & 0xf) | ((fsr >> 6) & 0x10));
    st.write = is_data ? (uint8_t)((fsr >> 11) & 1) : 0;
    switch (st.fs) {
    case 0x01: st.cls = FAULT_ALIGNMENT; break;
    case 0x02: st.cls = FAULT_DEBUG; break;
    case 0x03: st.cls = FAULT_ACCESS_FLAG; st.level = 1; break;
    case 0x06: st.cls = FAULT_ACCESS_FLAG; st.level = 2; break;
    case 0x05: st.cls = FAULT_TRANSLATION; st.level = 1; break;
    case 0x07: st.cls = FAULT_TRANSLATION; st.level = 2; break;
    case 0x09: st.cls = FAULT_DOMAIN; st.level = 1; break;
    case 0x0b: st.cls = FAULT_DOMAIN; st.level = 2; break;
    case 0x0d: st.cls = FAULT_PERMISSION; st.level = 1; break;
    case 0x0f: st.cls = FAULT_PERMISSION; st.level = 2; break;
    case 0x08: case 0x19: st.cls = FAULT_EXTERNAL; break;
    case 0x0c: case 0x1c: st.cls = FAULT_EXTERNAL; st.level = 1; break; /* on a table walk */
    case 0x0e: case 0x1e: st.cls = FAULT_EXTERNAL; st.level = 2; break;
    case 0x16: case 0x18: st.cls = FAULT_EXTERNAL; break;               /* asynchronous */
    default:
        break;
    }
    /* Alignment faults and asynchronous aborts are reported only in the DFSR; in the IFSR
       those codes are reserved. */
    if (!is_data && (st.fs == 0x01 || st.fs == 0x16 || st.fs == 0x18)) {
        st.cls = FAULT_OTHER;
        st.level = 0;
    }
    return st;
}

const char *fault_class_name(enum fault_class cls)
{
    switch (cls) {
    case FAULT_ALIGNMENT: return "alignment fault";
    case FAULT_TRANSLATION: return "translation fault";
    case FAULT_PERMISSION: return "permission fault";
    case FAULT_ACCESS_FLAG: return "access flag fault";
    case FAULT_DOMAIN: return "domain fault";
    case FAULT_EXTERNAL: return "external abort";
    case FAULT_DEBUG: return "debug event";
    default: return "unknown fault";
    }
}
