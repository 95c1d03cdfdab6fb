/* Unit tests of lib/fault.c: fault_decode against the ARM ARM short-descriptor DFSR/IFSR
   tables (ARMv7-A ARM B3.13.3, Tables B3-23 and B3-24; register layouts B4.1.52 DFSR,
   B4.1.96 IFSR), and fault_text, the words of the kernel's raw fault records. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <lib/fault.h>

#define FSR_FS4 (1u << 10)      /* FS[4] sits at bit 10, apart from FS[3:0] */
#define FSR_WNR (1u << 11)      /* DFSR only: the access was a write */

struct fs_row {
    enum fault_class data;      /* as a DFSR status */
    enum fault_class insn;      /* as an IFSR status */
    uint8_t level;
};

/* Every 5-bit status: its class as a data and as an instruction fault, and its level. */
static const struct fs_row fs_table[32] = {
    [0x00] = { FAULT_OTHER, FAULT_OTHER, 0 },
    [0x01] = { FAULT_ALIGNMENT, FAULT_OTHER, 0 },         /* alignment: DFSR only */
    [0x02] = { FAULT_DEBUG, FAULT_DEBUG, 0 },
    [0x03] = { FAULT_ACCESS_FLAG, FAULT_ACCESS_FLAG, 1 }, /* section */
    [0x04] = { FAULT_OTHER, FAULT_OTHER, 0 },             /* cache maintenance fault */
    [0x05] = { FAULT_TRANSLATION, FAULT_TRANSLATION, 1 },
    [0x06] = { FAULT_ACCESS_FLAG, FAULT_ACCESS_FLAG, 2 }, /* page */
    [0x07] = { FAULT_TRANSLATION, FAULT_TRANSLATION, 2 },
    [0x08] = { FAULT_EXTERNAL, FAULT_EXTERNAL, 0 },       /* synchronous, not on a walk */
    [0x09] = { FAULT_DOMAIN, FAULT_DOMAIN, 1 },
    [0x0a] = { FAULT_OTHER, FAULT_OTHER, 0 },
    [0x0b] = { FAULT_DOMAIN, FAULT_DOMAIN, 2 },
    [0x0c] = { FAULT_EXTERNAL, FAULT_EXTERNAL, 1 },       /* on the level 1 table walk */
    [0x0d] = { FAULT_PERMISSION, FAULT_PERMISSION, 1 },
    [0x0e] = { FAULT_EXTERNAL, FAULT_EXTERNAL, 2 },       /* on the level 2 table walk */
    [0x0f] = { FAULT_PERMISSION, FAULT_PERMISSION, 2 },
    [0x10] = { FAULT_OTHER, FAULT_OTHER, 0 },             /* TLB conflict abort */
    [0x11] = { FAULT_OTHER, FAULT_OTHER, 0 },
    [0x12] = { FAULT_OTHER, FAULT_OTHER, 0 },
    [0x13] = { FAULT_OTHER, FAULT_OTHER, 0 },
    [0x14] = { FAULT_OTHER, FAULT_OTHER, 0 },             /* IMPLEMENTATION DEFINED lockdown */
    [0x15] = { FAULT_OTHER, FAULT_OTHER, 0 },
    [0x16] = { FAULT_EXTERNAL, FAULT_OTHER, 0 },          /* asynchronous: DFSR only */
    [0x17] = { FAULT_OTHER, FAULT_OTHER, 0 },
    [0x18] = { FAULT_EXTERNAL, FAULT_OTHER, 0 },          /* asynchronous parity: DFSR only */
    [0x19] = { FAULT_EXTERNAL, FAULT_EXTERNAL, 0 },       /* synchronous parity on access */
    [0x1a] = { FAULT_OTHER, FAULT_OTHER, 0 },             /* IMPLEMENTATION DEFINED coproc */
    [0x1b] = { FAULT_OTHER, FAULT_OTHER, 0 },
    [0x1c] = { FAULT_EXTERNAL, FAULT_EXTERNAL, 1 },       /* parity on the level 1 walk */
    [0x1d] = { FAULT_OTHER, FAULT_OTHER, 0 },
    [0x1e] = { FAULT_EXTERNAL, FAULT_EXTERNAL, 2 },       /* parity on the level 2 walk */
    [0x1f] = { FAULT_OTHER, FAULT_OTHER, 0 },
};

/* Tags a decoded field with its FS, so that a failure reads "0x1601 != 0x1600": FS 0x16. */
#define TAG(fs, v) (((unsigned)(fs) << 8) | (unsigned)(v))

/* The register value that carries a 5-bit status: FS[3:0] in bits 3:0, FS[4] in bit 10. */
static uint32_t fsr_of(unsigned fs)
{
    return (fs & 0xfu) | ((fs & 0x10u) ? FSR_FS4 : 0u);
}

static void test_every_status_code_as_data_abort(void **state)
{
    (void)state;
    for (unsigned fs = 0; fs < 32; fs++) {
        struct fault_status st = fault_decode(fsr_of(fs), 1);
        assert_int_equal(st.fs, fs);
        assert_int_equal(TAG(fs, st.cls), TAG(fs, fs_table[fs].data));
        assert_int_equal(TAG(fs, st.level), TAG(fs, fs_table[fs].level));
        assert_int_equal(TAG(fs, st.write), TAG(fs, 0));
    }
}

static void test_every_status_code_as_prefetch_abort(void **state)
{
    (void)state;
    for (unsigned fs = 0; fs < 32; fs++) {
        struct fault_status st = fault_decode(fsr_of(fs), 0);
        assert_int_equal(st.fs, fs);
        assert_int_equal(TAG(fs, st.cls), TAG(fs, fs_table[fs].insn));
        assert_int_equal(TAG(fs, st.level), TAG(fs, fs_table[fs].level));
        assert_int_equal(TAG(fs, st.write), TAG(fs, 0));
    }
}

static void test_bit10_is_fs4_not_fs3(void **state)
{
    (void)state;
    /* 0x405: FS = 0b10101, not the level 1 translation fault 0b00101. */
    struct fault_status st = fault_decode(0x405, 1);
    assert_int_equal(st.fs, 0x15);
    assert_int_equal(st.cls, FAULT_OTHER);
    /* 0x406 is the asynchronous external abort, 0x006 the page access flag fault. */
    assert_int_equal(fault_decode(0x406, 1).cls, FAULT_EXTERNAL);
    assert_int_equal(fault_decode(0x006, 1).cls, FAULT_ACCESS_FLAG);
    /* Bits 9:4 (LPAE, domain) lie between FS[3:0] and FS[4]; they do not change FS. */
    assert_int_equal(fault_decode(0x3f5, 1).fs, 0x05);
    assert_int_equal(fault_decode(0x7f5, 1).fs, 0x15);
}

static void test_write_not_read(void **state)
{
    (void)state;
    struct fault_status w = fault_decode(FSR_WNR | 0x05, 1);
    assert_int_equal(w.write, 1);
    assert_int_equal(w.cls, FAULT_TRANSLATION);
    assert_int_equal(w.level, 1);
    assert_int_equal(w.fs, 0x05);
    assert_int_equal(fault_decode(0x805, 1).write, 1);      /* the kfault-write DFSR */
    assert_int_equal(fault_decode(0x005, 1).write, 0);      /* the kfault-read DFSR */
    assert_int_equal(fault_decode(FSR_WNR | FSR_FS4 | 0x06, 1).write, 1);
    /* Bit 11 of the IFSR is not WnR: an instruction fetch is never a write. */
    assert_int_equal(fault_decode(FSR_WNR | 0x05, 0).write, 0);
    assert_int_equal(fault_decode(FSR_WNR | 0x05, 0).cls, FAULT_TRANSLATION);
}

static void test_other_bits_ignored(void **state)
{
    (void)state;
    /* ExT (12), CM (13), and bits above: the class comes from FS alone. */
    uint32_t noise = (1u << 12) | (1u << 13) | 0xffffc000u;
    for (unsigned fs = 0; fs < 32; fs++) {
        struct fault_status d = fault_decode(noise | fsr_of(fs), 1);
        assert_int_equal(d.fs, fs);
        assert_int_equal(TAG(fs, d.cls), TAG(fs, fs_table[fs].data));
        assert_int_equal(TAG(fs, d.level), TAG(fs, fs_table[fs].level));
        struct fault_status i = fault_decode(noise | fsr_of(fs), 0);
        assert_int_equal(TAG(fs, i.cls), TAG(fs, fs_table[fs].insn));
    }
}

static void test_panic_examples(void **state)
{
    (void)state;
    /* The values the kernel fault self tests produce on QEMU. */
    struct fault_status st = fault_decode(0x00000005, 1);
    assert_int_equal(st.cls, FAULT_TRANSLATION);
    assert_int_equal(st.level, 1);
    st = fault_decode(0x00000001, 1);
    assert_int_equal(st.cls, FAULT_ALIGNMENT);
    assert_int_equal(st.level, 0);
    st = fault_decode(0x00000005, 0);
    assert_int_equal(st.cls, FAULT_TRANSLATION);
    assert_int_equal(st.level, 1);
    /* A page-level permission fault on a write (a write to a read-only page). */
    st = fault_decode(0x0000080f, 1);
    assert_int_equal(st.cls, FAULT_PERMISSION);
    assert_int_equal(st.level, 2);
    assert_int_equal(st.write, 1);
}

static void test_class_names(void **state)
{
    (void)state;
    assert_string_equal(fault_class_name(FAULT_ALIGNMENT), "alignment fault");
    assert_string_equal(fault_class_name(FAULT_TRANSLATION), "translation fault");
    assert_string_equal(fault_class_name(FAULT_PERMISSION), "permission fault");
    assert_string_equal(fault_class_name(FAULT_ACCESS_FLAG), "access flag fault");
    assert_string_equal(fault_class_name(FAULT_DOMAIN), "domain fault");
    assert_string_equal(fault_class_name(FAULT_EXTERNAL), "external abort");
    assert_string_equal(fault_class_name(FAULT_DEBUG), "debug event");
    assert_string_equal(fault_class_name(FAULT_OTHER), "unknown fault");
    assert_string_equal(fault_class_name((enum fault_class)99), "unknown fault");
}

/* A record of kind for actor "victim" at pc 0x10040. */
static struct fault_record rec_of(uint32_t kind)
{
    struct fault_record r;
    memset(&r, 0, sizeof(r));
    r.aid = 68;
    strcpy(r.name, "victim");
    r.group = 1;
    r.kind = kind;
    r.pc = 0x10040;
    return r;
}

static void expect_text(const struct fault_record *r, const char *want)
{
    char buf[128];
    assert_int_equal(fault_text(buf, sizeof(buf), r), (int)strlen(want));
    assert_string_equal(buf, want);
}

static void test_text_of_aborts(void **state)
{
    (void)state;
    struct fault_record r = rec_of(FAULT_KIND_DATA_ABORT);
    r.addr = 0x10000000;
    r.fsr = FSR_WNR | 0x07;
    r.write = 1;
    r.where = FAULT_WHERE_RESERVED;
    expect_text(&r, "data abort pc=0x00010040 addr=0x10000000 write, translation fault, reserved region");
    r.where = FAULT_WHERE_NONE;
    r.write = 0;
    r.fsr = 0x0f;
    expect_text(&r, "data abort pc=0x00010040 addr=0x10000000 read, permission fault");
    r.addr = 0xc0000000;
    r.where = FAULT_WHERE_KERNEL;
    expect_text(&r, "data abort pc=0x00010040 addr=0xc0000000 read, permission fault, kernel address");
    const char *where[] = { [FAULT_WHERE_GUARD] = ", stack guard page",
                            [FAULT_WHERE_STACK_QUOTA] = ", stack page over the page quota",
                            [FAULT_WHERE_STACK_NOPAGE] = ", no free page for the stack" };
    for (uint32_t w = FAULT_WHERE_GUARD; w <= FAULT_WHERE_STACK_NOPAGE; w++) {
        if (!where[w])
            continue;
        char want[128], buf[128];
        r.where = w;
        snprintf(want, sizeof(want), "data abort pc=0x00010040 addr=0xc0000000 read, permission fault%s",
                 where[w]);
        fault_text(buf, sizeof(buf), &r);
        assert_string_equal(buf, want);
    }
    r.where = 77;   /* a code this build does not know */
    expect_text(&r, "data abort pc=0x00010040 addr=0xc0000000 read, permission fault?");
    r = rec_of(FAULT_KIND_PREFETCH_ABORT);
    r.addr = 0x00100000;
    r.fsr = 0x05;
    r.write = 1;    /* an instruction fetch is said as an execute, whatever write says */
    expect_text(&r, "prefetch abort pc=0x00010040 addr=0x00100000 execute, translation fault");
    r = rec_of(FAULT_KIND_UNDEFINED);
    expect_text(&r, "undefined instruction pc=0x00010040");
}

static void test_text_of_other_ends(void **state)
{
    (void)state;
    struct fault_record r = rec_of(FAULT_KIND_EXIT);
    r.status = -3;
    expect_text(&r, "exit(-3)");
    r = rec_of(FAULT_KIND_KILLED);
    r.by_aid = 67;
    memcpy(r.by_name, "cinit", 6);
    expect_text(&r, "killed by cinit (aid 67)");
    memset(r.by_name, 'x', sizeof(r.by_name));     /* a full name has no NUL */
    expect_text(&r, "killed by xxxxxxxxxxxxxxxx (aid 67)");
    r = rec_of(FAULT_KIND_DATA_ABORT);
    r.by_aid = 70;
    memcpy(r.by_name, "storm", 6);
    expect_text(&r, "data abort pc=0x00010040, injected by storm (aid 70)");
    r = rec_of(FAULT_KIND_ABORT);
    expect_text(&r, "abort() called, pc=0x00010040");
    r = rec_of(FAULT_KIND_HANG);
    r.period_ms = 50;
    r.doing = FAULT_DOING_RECV;
    expect_text(&r, "hang: no watchdog kick for 50 ms, in a receive at pc=0x00010040");
    r.doing = FAULT_DOING_CONSOLE_OUT;
    expect_text(&r, "hang: no watchdog kick for 50 ms, writing the console at pc=0x00010040");
    r.doing = FAULT_DOING_RUNNING;
    expect_text(&r, "hang: no watchdog kick for 50 ms, running at pc=0x00010040");
    r = rec_of(FAULT_KIND_PANIC);
    memset(r.text, 'p', sizeof(r.text));           /* no NUL: all 80 characters, no more */
    char buf[128], want[128] = "kernel panic: ";
    memset(want + 14, 'p', sizeof(r.text));
    want[14 + sizeof(r.text)] = '\0';
    fault_text(buf, sizeof(buf), &r);
    assert_string_equal(buf, want);
    r = rec_of(FAULT_KIND_SITE_REQUEST);
    expect_text(&r, "asked for a site restart");
    r = rec_of(99);
    expect_text(&r, "unknown end 99");
}

static void test_text_truncates(void **state)
{
    (void)state;
    struct fault_record r = rec_of(FAULT_KIND_UNDEFINED);
    char buf[10];
    assert_int_equal(fault_text(buf, sizeof(buf), &r), 35);
    assert_string_equal(buf, "undefined");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_status_code_as_data_abort),
        cmocka_unit_test(test_every_status_code_as_prefetch_abort),
        cmocka_unit_test(test_bit10_is_fs4_not_fs3),
        cmocka_unit_test(test_write_not_read),
        cmocka_unit_test(test_other_bits_ignored),
        cmocka_unit_test(test_panic_examples),
        cmocka_unit_test(test_class_names),
        cmocka_unit_test(test_text_of_aborts),
        cmocka_unit_test(test_text_of_other_ends),
        cmocka_unit_test(test_text_truncates),
    };
    return cmocka_run_group_tests_name("fault", tests, NULL, NULL);
}
