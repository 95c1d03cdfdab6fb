# HR: the controller actor (hr/server with the portable policy, registry and crash log) and
# the client library that every actor links (HR_EXIT_HDL, hrfexec*...). Included by the Makefile.
LIBHR := $(B)/user/libhr.a
LIBHRCORE := $(B)/user/libhrcore.a
ACTOR_LIBS += $(LIBHR)
hr_CFLAGS := -Iboards/$(BOARD) -Ilib/include
hr_LIBS := $(LIBHRCORE)

$(LIBHR): $(patsubst %.c,$(B)/user/%.o,$(wildcard hr/lib/*.c))
$(LIBHRCORE): $(B)/user/hr/policy.o $(B)/user/hr/registry.o $(B)/user/hr/crashlog.o $(B)/user/hr/dumps.o $(B)/user/lib/crc32.o $(B)/user/lib/fmt.o $(B)/user/lib/fault.o
$(eval $(call actor_rules,hr,hr/server,$(B)/apps/hr.elf,$(B)/user/hr/server))
