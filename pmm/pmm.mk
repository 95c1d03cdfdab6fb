# PMM: the server actor (pmm/server with the portable bank logic) and the client library
# that every actor links (pmmAllocate, pmmFree, pmmFreeAll, pmmSync); the server drives the
# NVRAM flash (pmm/server/cfi.c) with the portable layout pmm/nvram.c. Included by the Makefile.
LIBPMM := $(B)/user/libpmm.a
LIBPMMBANK := $(B)/user/libpmmbank.a
ACTOR_LIBS += $(LIBPMM)
pmm_CFLAGS := -Iboards/$(BOARD) -Ilib/include
pmm_LIBS := $(LIBPMMBANK)

$(LIBPMM): $(B)/user/pmm/lib/pmm_client.o
$(LIBPMMBANK): $(B)/user/pmm/bank.o $(B)/user/pmm/nvram.o $(B)/user/lib/crc32.o
$(eval $(call actor_rules,pmm,pmm/server,$(B)/apps/pmm.elf,$(B)/user/pmm/server))
