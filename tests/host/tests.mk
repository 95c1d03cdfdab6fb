# Host unit tests: each test_<name>.c links with the portable sources named here.
HOST_TESTS := fmt crc32 fault_decode
test_fmt_SRCS := lib/fmt.c
test_crc32_SRCS := lib/crc32.c
test_fault_decode_SRCS := kernel/fault_decode.c
