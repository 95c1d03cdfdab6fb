# Actors: libc-glue (crt0, newlib system calls, ChorusOS calls) and every actor linked with it.
# Included by the Makefile, which provides B, Q, msg, WARN, DEPFLAGS and CROSS.
#
#   apps/<name>/*.c         -> $(B)/apps/<name>.elf      (APPS: every folder with .c files)
#   tests/actors/<name>/*.c -> $(B)/actors/<name>.elf    (TEST_ACTORS)
#   EXTRA_APPS="DIR ..."    -> $(B)/apps/<basename DIR>.elf, from folders outside the tree;
#                              the Makefile packs them into the default image, and SYSADM=FILE
#                              replaces that image's boot script; their warnings are not
#                              errors unless WERROR=1
#
# An optional <folder>/app.mk holds per-actor settings, by folder name:
#   <name>_CFLAGS (compile), <name>_LDFLAGS (link), <name>_LIBS (archives linked first),
#   <name>_HEAP_MAX (the most malloc may take, e.g. 64M; default ACTOR_HEAP_MAX, 16 MiB;
#   it becomes the ELF's __reprise_heap_max symbol, which mkimage.py puts in the image entry
#   unless the manifest says heap=SIZE; the kernel enforces it).
#   <name>_LIBC := full: link the full newlib (printf with %lld and %f, scanf with floats;
#   larger, README "Write your own actor" gives sizes) instead of newlib-nano.
# Client libraries (PMM, HR) add their archive to ACTOR_LIBS; every actor links with it.

ACC := $(CROSS)gcc
comma := ,
AAR := $(CROSS)ar

# Thumb-2 for ARMv7-A without FPU selects newlib's thumb/v7-a/nofp multilib; nano.specs
# swaps in newlib-nano and its headers, so it must be on every compile and link line.
# --wrap=_realloc_r: libc-glue/realloc.c replaces nano's realloc, which reads past the block.
ACTOR_ARCH := -mthumb -march=armv7-a -mfloat-abi=soft --specs=nano.specs
ACTOR_INC := -Ilibc-glue/include -Ipmm/include -Ihr/include -Ikernel/include/uapi
# newlib's <time.h> declares clock_gettime, nanosleep, clock_nanosleep and CLOCK_MONOTONIC
# only for targets that claim POSIX timers and clock selection; libc-glue/time.c provides them.
ACTOR_POSIX := -D_POSIX_TIMERS=1 -D_POSIX_MONOTONIC_CLOCK=200112L -D_POSIX_CLOCK_SELECTION=200112L
ACTOR_CFLAGS := $(ACTOR_ARCH) -O2 -g -std=gnu11 -ffunction-sections -fdata-sections \
                $(WARN) $(ACTOR_INC) $(ACTOR_POSIX)
# A user's own actor (EXTRA_APPS) shows its warnings without failing on them; WERROR=1 makes
# them errors, as they are for the tree's own code.
EXTRA_APP_CFLAGS := $(filter-out -Werror,$(ACTOR_CFLAGS)) $(if $(filter 1,$(WERROR)),-Werror)
ACTOR_ASFLAGS := $(ACTOR_ARCH) -g $(ACTOR_INC)
ACTOR_LDS := linker/actor.ld
ACTOR_LDFLAGS := $(ACTOR_ARCH) -nostartfiles -static -T $(ACTOR_LDS) -Wl,--gc-sections \
                 -Wl,-z,max-page-size=4096 -Wl,--build-id -Wl,--fatal-warnings \
                 -Wl,--wrap=_realloc_r
ACTOR_LIBS +=
# The full newlib (<name>_LIBC := full): the same flags without nano.specs and the wrap.
ACTOR_CFLAGS_FULL = $(filter-out --specs=nano.specs,$(ACTOR_CFLAGS))
ACTOR_LDFLAGS_FULL = $(filter-out --specs=nano.specs -Wl$(comma)--wrap=_realloc_r,$(ACTOR_LDFLAGS))

ACTOR_CRT0 := $(B)/libc-glue/crt0.o
LIBREPRISE := $(B)/libc-glue/libreprise.a
LIBREPRISE_FULL := $(B)/libc-glue-full/libreprise.a
LIBC_GLUE_OBJS := $(patsubst %.c,$(B)/%.o,$(wildcard libc-glue/*.c))
LIBC_GLUE_OBJS_FULL := $(patsubst libc-glue/%.c,$(B)/libc-glue-full/%.o,\
                         $(filter-out libc-glue/realloc.c,$(wildcard libc-glue/*.c)))

APPS := $(sort $(patsubst apps/%/,%,$(dir $(wildcard apps/*/*.c))))
TEST_ACTORS := $(sort $(patsubst tests/actors/%/,%,$(dir $(wildcard tests/actors/*/*.c))))
EXTRA_APP_DIRS := $(patsubst %/,%,$(EXTRA_APPS))
EXTRA_APP_NAMES := $(notdir $(EXTRA_APP_DIRS))

APP_ELFS := $(APPS:%=$(B)/apps/%.elf)
TEST_ACTOR_ELFS := $(TEST_ACTORS:%=$(B)/actors/%.elf)
EXTRA_APP_ELFS := $(EXTRA_APP_NAMES:%=$(B)/apps/%.elf)
ALL_ACTOR_ELFS := $(APP_ELFS) $(TEST_ACTOR_ELFS) $(EXTRA_APP_ELFS)

$(foreach d,$(EXTRA_APP_DIRS),$(if $(wildcard $(d)/*.c),,$(error EXTRA_APPS: no .c file in $(d))))
$(foreach n,$(sort $(EXTRA_APP_NAMES)),$(if $(filter $(n),$(APPS) pmm hr),\
  $(error EXTRA_APPS: $(n) is already the name of an actor of the tree)))
$(if $(SYSADM),$(if $(wildcard $(SYSADM)),,$(error SYSADM: no file $(SYSADM))))
$(if $(filter-out $(words $(EXTRA_APP_NAMES)),$(words $(sort $(EXTRA_APP_NAMES)))),\
  $(error EXTRA_APPS: two folders have the same name: $(EXTRA_APP_NAMES)))

-include $(wildcard apps/*/app.mk tests/actors/*/app.mk) $(wildcard $(EXTRA_APP_DIRS:%=%/app.mk))

.PHONY: apps
apps: $(ALL_ACTOR_ELFS)

# ---- libc-glue --------------------------------------------------------------------------------
$(B)/libc-glue/%.o: libc-glue/%.c
	$(call msg,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(ACC) $(ACTOR_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(B)/libc-glue/%.o: libc-glue/%.S
	$(call msg,AS,$<)
	@mkdir -p $(@D)
	$(Q)$(ACC) $(ACTOR_ASFLAGS) $(DEPFLAGS) -c $< -o $@

$(LIBREPRISE): $(LIBC_GLUE_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AAR) rcsD $@ $^

# The same for the full newlib: its struct _reent differs from nano's (_REENT_SMALL), so the
# glue is compiled again against its headers; realloc.c is nano's fix and stays out.
$(B)/libc-glue-full/%.o: libc-glue/%.c
	$(call msg,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(ACC) $(ACTOR_CFLAGS_FULL) $(DEPFLAGS) -c $< -o $@

$(LIBREPRISE_FULL): $(LIBC_GLUE_OBJS_FULL)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AAR) rcsD $@ $^

# ---- actors -----------------------------------------------------------------------------------
# actor_rules: name, source folder, ELF file, object folder, and optionally the compile flags
# (default ACTOR_CFLAGS). Libraries are listed with $$$$ so
# that ACTOR_LIBS and <name>_LIBS set after this file still count (secondary expansion).
# Editing the folder's app.mk rebuilds the actor.
define actor_rules
OBJS.$(3) := $(patsubst $(2)/%.c,$(4)/%.o,$(wildcard $(2)/*.c))
FULL.$(3) := $(filter full,$($(1)_LIBC))

$(4)/%.o: $(2)/%.c $(wildcard $(2)/app.mk)
	$$(call msg,CC,$$<)
	@mkdir -p $$(@D)
	$$(Q)$$(ACC) $$(if $$(FULL.$(3)),$$(filter-out --specs=nano.specs,$$(or $(5),$$(ACTOR_CFLAGS))),$$(or $(5),$$(ACTOR_CFLAGS))) \
		$$($(1)_CFLAGS) $$(DEPFLAGS) -c $$< -o $$@

$(3): $$(OBJS.$(3)) $$(ACTOR_CRT0) $$(if $$(FULL.$(3)),$$(LIBREPRISE_FULL),$$(LIBREPRISE)) \
     $$(ACTOR_LDS) $$$$($(1)_LIBS) $$$$(ACTOR_LIBS) $(wildcard $(2)/app.mk)
	$$(call msg,LD,$$@)
	@mkdir -p $$(@D)
	$$(Q)$$(ACC) $$(if $$(FULL.$(3)),$$(ACTOR_LDFLAGS_FULL),$$(ACTOR_LDFLAGS)) $$($(1)_LDFLAGS) \
		$$(if $$($(1)_HEAP_MAX),-Wl$$(comma)--defsym=__reprise_heap_max=$$($(1)_HEAP_MAX)) \
		$$(ACTOR_CRT0) $$(OBJS.$(3)) -Wl,--start-group $$($(1)_LIBS) $$(ACTOR_LIBS) \
		$$(if $$(FULL.$(3)),$$(LIBREPRISE_FULL),$$(LIBREPRISE)) -lm -lc -lgcc -Wl,--end-group \
		-Wl,-Map,$$(@:.elf=.map) -o $$@
endef

.SECONDEXPANSION:
$(foreach a,$(APPS),$(eval $(call actor_rules,$(a),apps/$(a),$(B)/apps/$(a).elf,$(B)/apps/$(a))))
$(foreach a,$(TEST_ACTORS),$(eval $(call actor_rules,$(a),tests/actors/$(a),$(B)/actors/$(a).elf,$(B)/actors/$(a))))
$(foreach d,$(EXTRA_APP_DIRS),$(eval $(call actor_rules,$(notdir $(d)),$(d),$(B)/apps/$(notdir $(d)).elf,$(B)/extra-apps/$(notdir $(d)),$$(EXTRA_APP_CFLAGS))))
