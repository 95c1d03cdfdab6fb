# Host unit tests: each test_<name>.c links with the portable sources named here.
HOST_TESTS := fmt crc32 fault
test_fmt_SRCS := lib/fmt.c
test_crc32_SRCS := lib/crc32.c
test_fault_SRCS := lib/fault.c lib/fmt.c
HOST_TESTS += elf sysimg palloc tty outring
test_tty_SRCS := kernel/tty.c
test_outring_SRCS :=
test_elf_SRCS := kernel/elf.c lib/fmt.c
test_sysimg_SRCS := kernel/sysimg.c lib/fmt.c
test_palloc_SRCS := kernel/palloc.c
# HR's portable logic (restart policy, group registry, crash log, dump ring); headers in hr/include.
HOST_TESTS += hr_policy hr_registry hr_crashlog hr_dumps
test_hr_policy_SRCS := hr/policy.c lib/fmt.c
test_hr_registry_SRCS := hr/registry.c lib/crc32.c lib/fmt.c
test_hr_crashlog_SRCS := hr/crashlog.c lib/crc32.c lib/fmt.c
test_hr_dumps_SRCS := hr/dumps.c lib/crc32.c lib/fmt.c
$(B)/host/test_hr_%: HOST_CFLAGS += -Ihr/include
HOST_TESTS += bank
test_bank_SRCS := pmm/bank.c lib/crc32.c
$(B)/host/test_bank: HOST_CFLAGS += -Ipmm/include
# C_INIT's portable parts: command-line words and the line editor; headers in apps/cinit.
HOST_TESTS += cinit_words cinit_lineedit
test_cinit_words_SRCS := apps/cinit/words.c
test_cinit_lineedit_SRCS := apps/cinit/lineedit.c
$(B)/host/test_cinit_%: HOST_CFLAGS += -Iapps/cinit
# The NVRAM medium's flash layout (pmm/nvram.c) on a simulated flash.
HOST_TESTS += nvram
test_nvram_SRCS := pmm/nvram.c lib/crc32.c
$(B)/host/test_nvram: HOST_CFLAGS += -Ipmm/include
# The PMM client's retrieval cache (header only).
HOST_TESTS += pmm_cache
test_pmm_cache_SRCS :=
$(B)/host/test_pmm_cache: HOST_CFLAGS += -Ipmm/include
