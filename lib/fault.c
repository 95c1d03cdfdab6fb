/* Fault records in words: decoding of ARMv7 short-descriptor fault status registers (ARM ARM
   B3.13.3, B4.1.52/96) and the text of a kernel fault record, made off the restart path. */
#include <lib/fault.h>
#include <lib/fmt.h>

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

static const char *const fault_kind_names[] = {
    [FAULT_KIND_DATA_ABORT] = "data abort",
    [FAULT_KIND_PREFETCH_ABORT] = "prefetch abort",
    [FAULT_KIND_UNDEFINED] = "undefined instruction",
};

static const char *const fault_where_names[] = {
    [FAULT_WHERE_NONE] = "",
    [FAULT_WHERE_KERNEL] = ", kernel address",
    [FAULT_WHERE_GUARD] = ", stack guard page",
    [FAULT_WHERE_RESERVED] = ", reserved region",
    [FAULT_WHERE_STACK_QUOTA] = ", stack page over the page quota",
    [FAULT_WHERE_STACK_NOPAGE] = ", no free page for the stack",
};

static const char *const fault_doing_names[] = {
    [FAULT_DOING_RUNNING] = "running",
    [FAULT_DOING_RECV] = "in a receive",
    [FAULT_DOING_CALL] = "in a call",
    [FAULT_DOING_SLEEP] = "sleeping",
    [FAULT_DOING_CONSOLE] = "reading the console",
    [FAULT_DOING_HELD] = "held",
    [FAULT_DOING_CONSOLE_OUT] = "writing the console",
};

#define FAULT_NAMED(table, i) ((i) < sizeof(table) / sizeof(table[0]) && table[i] ? table[i] : "?")

int fault_text(char *buf, size_t size, const struct fault_record *rec)
{
    char by[ACTOR_NAME_MAX + 1];
    for (size_t i = 0; i < ACTOR_NAME_MAX; i++)
        by[i] = rec->by_name[i];
    by[ACTOR_NAME_MAX] = '\0';
    switch (rec->kind) {
    case FAULT_KIND_EXIT:
        return fmt_snprintf(buf, size, "exit(%ld)", (long)rec->status);
    case FAULT_KIND_KILLED:
        return fmt_snprintf(buf, size, "killed by %s (aid %ld)", by, (long)rec->by_aid);
    case FAULT_KIND_ABORT:
        return fmt_snprintf(buf, size, "abort() called, pc=0x%08lx", (unsigned long)rec->pc);
    case FAULT_KIND_HANG:
        return fmt_snprintf(buf, size, "hang: no watchdog kick for %lu ms, %s at pc=0x%08lx",
                            (unsigned long)rec->period_ms,
                            FAULT_NAMED(fault_doing_names, rec->doing), (unsigned long)rec->pc);
    case FAULT_KIND_SITE_REQUEST:
        return fmt_snprintf(buf, size, "asked for a site restart");
    case FAULT_KIND_PANIC: {
        char text[sizeof(rec->text) + 1];
        for (size_t i = 0; i < sizeof(rec->text); i++)
            text[i] = rec->text[i];
        text[sizeof(rec->text)] = '\0';
        return fmt_snprintf(buf, size, "kernel panic: %s", text);
    }
    case FAULT_KIND_DATA_ABORT:
    case FAULT_KIND_PREFETCH_ABORT:
    case FAULT_KIND_UNDEFINED:
        break;
    default:
        return fmt_snprintf(buf, size, "unknown end %lu", (unsigned long)rec->kind);
    }
    const char *kind = fault_kind_names[rec->kind];
    if (rec->by_aid)
        return fmt_snprintf(buf, size, "%s pc=0x%08lx, injected by %s (aid %ld)", kind,
                            (unsigned long)rec->pc, by, (long)rec->by_aid);
    if (rec->kind == FAULT_KIND_UNDEFINED)
        return fmt_snprintf(buf, size, "%s pc=0x%08lx", kind, (unsigned long)rec->pc);
    struct fault_status st = fault_decode(rec->fsr, rec->kind == FAULT_KIND_DATA_ABORT);
    return fmt_snprintf(buf, size, "%s pc=0x%08lx addr=0x%08lx %s, %s%s", kind,
                        (unsigned long)rec->pc, (unsigned long)rec->addr,
                        rec->kind == FAULT_KIND_PREFETCH_ABORT ? "execute" : rec->write ? "write" : "read",
                        fault_class_name(st.cls), FAULT_NAMED(fault_where_names, rec->where));
}
