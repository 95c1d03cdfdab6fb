# Reprise: the one entry point. `make help` lists the targets.
BOARD ?= virt
.DEFAULT_GOAL := all
B := build/$(BOARD)
include boards/$(BOARD)/board.mk

ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-7s %s\n' $(1) $(2)
endif

CROSS ?= arm-none-eabi-
KCC := $(CROSS)gcc
OBJCOPY := $(CROSS)objcopy
SIZE := $(CROSS)size
HOSTCC ?= gcc
PYTHON := /usr/bin/python3
GDB := gdb-multiarch

BUILD_ID := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
WARN := -Wall -Wextra -Werror
DEPFLAGS = -MMD -MP

# ---- kernel -------------------------------------------------------------------------------
KINC := -Ikernel/include -Ikernel/include/uapi -Ikernel/arch/arm/include -Iboards/$(BOARD) -Ilib/include
KCFLAGS := -mcpu=cortex-a15 -mtune=cortex-a7 -mthumb -mfloat-abi=soft -ffreestanding -fno-common -fno-pie \
           -O2 -g -std=gnu11 $(WARN) $(KINC)
KASFLAGS := -mcpu=cortex-a15 -marm -g $(KINC)
KLDFLAGS := -nostdlib -static -Wl,--gc-sections -Wl,--no-warn-rwx-segments \
            -Wl,-z,max-page-size=4096

KERNEL_SRCS := $(wildcard kernel/*.c kernel/drivers/*.c kernel/arch/arm/*.c) lib/fmt.c lib/crc32.c lib/fault.c
KERNEL_ASMS := $(wildcard kernel/arch/arm/*.S)
KERNEL_OBJS := $(KERNEL_SRCS:%.c=$(B)/%.o) $(KERNEL_ASMS:%.S=$(B)/%.o)
KERNEL_LDS := $(B)/linker/kernel.ld
KERNEL_ELF := $(B)/reprise.elf

# Code that runs once or only on the way down (boot, parsing the image, panics, self tests,
# formatting) is compiled for size: 4 KB less kernel text, nothing slower on a path that
# `make bench` measures.
KERNEL_COLD := kernel/panic.c kernel/selftest.c kernel/main.c kernel/bootrec.c kernel/sysimg.c \
               kernel/elf.c kernel/kstack.c kernel/drivers/fwcfg.c kernel/drivers/rtc.c \
               lib/fmt.c lib/fault.c
$(KERNEL_COLD:%.c=$(B)/%.o): KCFLAGS += -Os
$(B)/kernel/main.o: KCFLAGS += -DBUILD_ID='"$(BUILD_ID)"'
# The banner names the build: main.o follows the build id (rewritten only when it changes).
$(B)/kernel/main.o: $(B)/build-id
$(B)/build-id: FORCE
	@mkdir -p $(@D)
	@echo '$(BUILD_ID)' | cmp -s - $@ || echo '$(BUILD_ID)' > $@

# The kernel's objects follow its flags: a change of KCFLAGS rebuilds them (kcflags is
# rewritten only when the flags change).
$(B)/kcflags: FORCE
	@mkdir -p $(@D)
	@echo '$(KCFLAGS)' | cmp -s - $@ || echo '$(KCFLAGS)' > $@

$(B)/kernel/%.o: kernel/%.c $(B)/kcflags
	$(call msg,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(KCC) $(KCFLAGS) $(DEPFLAGS) -c $< -o $@

$(B)/lib/%.o: lib/%.c $(B)/kcflags
	$(call msg,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(KCC) $(KCFLAGS) $(DEPFLAGS) -c $< -o $@

$(B)/kernel/%.o: kernel/%.S
	$(call msg,AS,$<)
	@mkdir -p $(@D)
	$(Q)$(KCC) $(KASFLAGS) $(DEPFLAGS) -c $< -o $@

$(KERNEL_LDS): linker/kernel.ld.S boards/$(BOARD)/board.h
	$(call msg,CPP,$<)
	@mkdir -p $(@D)
	$(Q)$(KCC) -E -P -x c -D__LINKER__ $(KINC) $(DEPFLAGS) -MT $@ $< -o $@

# ---- actors and system images -------------------------------------------------------------
include apps.mk

# User-mode libraries outside apps/: portable code compiled for actors into $(B)/user/.
$(B)/user/%.o: %.c
	$(call msg,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(ACC) $(ACTOR_CFLAGS) -Ilib/include -Ipmm/include -Ihr/include $(DEPFLAGS) -c $< -o $@

$(B)/user/%.a:
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AAR) rcsD $@ $^

include pmm/pmm.mk
include hr/hr.mk

# A system image is described by a manifest, images/<name>.image or tests/images/<name>.image:
# its boot script and the actors it holds (format in scripts/mkimage.py). Each image links
# with the kernel into $(B)/images/<name>.elf; `default` is the one `make run` boots.
IMAGE_MANIFESTS := $(wildcard images/*.image tests/images/*.image)
IMAGES := $(basename $(notdir $(IMAGE_MANIFESTS)))
IMAGE_ELFS := $(IMAGES:%=$(B)/images/%.elf)
image_manifest = $(filter %/$(1).image,$(IMAGE_MANIFESTS))
image_deps = $(shell $(PYTHON) scripts/mkimage.py --deps --build-dir $(B) --manifest $(1))

# EXTRA_APPS="DIR ..." SYSADM=FILE (apps.mk): the default image also holds the outside actors
# and boots with FILE in place of its script. default.args keeps both, rewritten only when
# they change, so that changing them rebuilds the image.
IMAGE_ARGS.default := $(foreach n,$(EXTRA_APP_NAMES),$(n)=$(B)/apps/$(n).elf) $(if $(SYSADM),--script $(SYSADM))
IMAGE_DEPS.default := $(EXTRA_APP_ELFS) $(SYSADM) $(B)/images/default.args

$(B)/images/default.args: FORCE
	@mkdir -p $(@D)
	@printf '%s\n' '$(strip $(IMAGE_ARGS.default))' | cmp -s - $@ || printf '%s\n' '$(strip $(IMAGE_ARGS.default))' > $@

FORCE:

define image_rules
$(B)/images/$(1).img: $(call image_manifest,$(1)) $(call image_deps,$(call image_manifest,$(1))) scripts/mkimage.py $$(IMAGE_DEPS.$(1))
	$$(call msg,IMAGE,$$@)
	@mkdir -p $$(@D)
	$$(Q)$$(PYTHON) scripts/mkimage.py -o $$@ --build-dir $(B) --manifest $$< $$(IMAGE_ARGS.$(1))

$(B)/images/$(1).o: $(B)/images/$(1).img linker/sysimg.S
	$$(call msg,AS,$$@)
	$$(Q)$$(KCC) $$(KASFLAGS) -DSYSIMG_FILE='"$$<"' -c linker/sysimg.S -o $$@

$(B)/images/$(1).elf: $$(KERNEL_OBJS) $$(KERNEL_LDS) $(B)/images/$(1).o
	$$(call msg,LD,$$@)
	$$(Q)$$(KCC) $$(KCFLAGS) $$(KLDFLAGS) -T $$(KERNEL_LDS) $$(KERNEL_OBJS) $(B)/images/$(1).o -lgcc -o $$@
endef
$(foreach i,$(IMAGES),$(eval $(call image_rules,$(i))))

$(KERNEL_ELF): $(B)/images/default.elf
	$(Q)cp $< $@

# The kernel alone, with an empty system image: what `make bench` measures for size.
$(B)/kernel.elf: $(KERNEL_OBJS) $(KERNEL_LDS)
	$(call msg,LD,$@)
	$(Q)$(KCC) $(KCFLAGS) $(KLDFLAGS) -T $(KERNEL_LDS) $(KERNEL_OBJS) -lgcc -o $@

# ---- host unit tests ----------------------------------------------------------------------
HOST_CFLAGS := -std=gnu11 -g -O1 $(WARN) -fsanitize=address,undefined -fno-omit-frame-pointer \
               -Ikernel/include -Ikernel/include/uapi -Ilib/include -Itests/host
include tests/host/tests.mk
HOST_TEST_BINS := $(HOST_TESTS:%=$(B)/host/test_%)

# A test links several sources in one command: their headers are listed first, every source's
# (one -MF file would keep the last source's only).
define host_test_rule
$(B)/host/test_$(1): tests/host/test_$(1).c $$(test_$(1)_SRCS)
	$$(call msg,HOSTCC,$$@)
	@mkdir -p $$(@D)
	$$(Q)$$(HOSTCC) $$(HOST_CFLAGS) -MM -MP -MT $$@ $$(filter %.c,$$^) > $$@.d
	$$(Q)$$(HOSTCC) $$(HOST_CFLAGS) $$(filter %.c,$$^) -lcmocka -o $$@
endef
$(foreach t,$(HOST_TESTS),$(eval $(call host_test_rule,$(t))))

# ---- running ------------------------------------------------------------------------------
QEMU_FLAGS := $(QEMU_BOARD_FLAGS) $(QEMU_EXTRA)
# The NVRAM medium's flash file: created blank (all 0xff) on first use, kept by `make clean`;
# `make clean-nvram` (or `make distclean`) removes it. NVRAM=path uses another file.
NVRAM ?= $(B)/nvram.img

$(NVRAM):
	$(call msg,NVRAM,$@)
	@mkdir -p $(@D)
	$(Q)head -c $(BOARD_NVRAM_BYTES) /dev/zero | tr '\000' '\377' > $@.tmp && mv $@.tmp $@

.PHONY: all image run test test-host test-qemu bench torture debug debug-server gdb clean \
        clean-nvram distclean help setup-check

all: $(KERNEL_ELF) $(B)/kernel.elf $(IMAGE_ELFS) apps

image: $(KERNEL_ELF)

setup-check:
	@scripts/setup --check 2>/dev/null || scripts/setup

run: setup-check
	@$(MAKE) --no-print-directory all $(NVRAM)
	$(QEMU) $(QEMU_FLAGS) $(call QEMU_NVRAM_FLAGS,$(NVRAM)) -kernel $(KERNEL_ELF)

test: setup-check
	@$(MAKE) --no-print-directory test-host test-qemu

# The ELF and system image parsers also read a real actor and a real image of this build.
test-host: $(HOST_TEST_BINS) $(B)/apps/hello.elf $(B)/images/default.img
	$(Q)set -e; for t in $(HOST_TEST_BINS); do echo "  TEST    $$t"; \
	  ELF_TEST_FILE=$(B)/apps/hello.elf SYSIMG_TEST_FILE=$(B)/images/default.img $$t; done

test-qemu: all
	$(Q)$(PYTHON) -m pytest -q -n $(shell nproc) tests/qemu --board=$(BOARD)

# A board with a 1 GiB variant (board.mk BOARD_BENCH_1G) has its site restart bench built and
# run on that variant too: site_restart_1g_ns.
bench: setup-check
	@$(MAKE) --no-print-directory all
	$(if $(BOARD_BENCH_1G),@$(MAKE) --no-print-directory BOARD=$(BOARD_BENCH_1G) \
	  build/$(BOARD_BENCH_1G)/images/benchhrsite.elf)
	$(Q)$(PYTHON) scripts/bench.py --board=$(BOARD) --kernel=$(B)/kernel.elf --out=$(B)/bench.json \
	  $(if $(BOARD_BENCH_1G),--board-1g=$(BOARD_BENCH_1G))

# SEED=N re-runs a run exactly; ONLY="fuzz resets" runs only those campaigns.
torture: setup-check
	@$(MAKE) --no-print-directory all
	$(Q)$(PYTHON) scripts/torture.py --board=$(BOARD) --out=$(B)/torture.json

# The QEMU of `make debug` ends with gdb however gdb ends: the recipe ignores Ctrl-C (gdb
# takes it to stop the guest) and kills QEMU when gdb exits; a QEMU left by a killed make is
# ended by the next `make debug` before it starts its own.
debug: setup-check
	@$(MAKE) --no-print-directory all $(NVRAM)
	$(Q)pid=$$(cat $(B)/debug-qemu.pid 2>/dev/null) && kill $$pid 2>/dev/null; \
	 rm -f $(B)/debug-qemu.pid; \
	 $(QEMU) $(QEMU_MACHINE_FLAGS) $(QEMU_EXTRA) $(call QEMU_NVRAM_FLAGS,$(NVRAM)) -kernel $(KERNEL_ELF) -S -gdb tcp::1234 \
		-display none -monitor none -serial file:$(B)/debug-console.log \
		-daemonize -pidfile $(B)/debug-qemu.pid || exit 1; \
	 trap 'kill $$(cat $(B)/debug-qemu.pid) 2>/dev/null; rm -f $(B)/debug-qemu.pid' EXIT; \
	 trap '' INT; \
	 echo "console output goes to $(B)/debug-console.log"; \
	 $(GDB) -q -x scripts/gdbinit $(KERNEL_ELF)

debug-server: all $(NVRAM)
	$(QEMU) $(QEMU_FLAGS) $(call QEMU_NVRAM_FLAGS,$(NVRAM)) -kernel $(KERNEL_ELF) -S -gdb tcp::1234

gdb:
	$(GDB) -q -x scripts/gdbinit $(KERNEL_ELF)

# clean keeps every board's NVRAM flash file (what NVRAM blocks committed survives it).
clean:
	$(Q)if [ -d build ]; then find build -mindepth 1 -maxdepth 1 ! -type d -exec rm -f {} +; \
	  find build -mindepth 2 -maxdepth 2 ! -name nvram.img -exec rm -rf {} +; fi

clean-nvram:
	rm -f $(NVRAM)

distclean:
	rm -rf build

help:
	@echo "Reprise make targets (BOARD=$(BOARD), V=1 for full commands):"
	@echo "  all           build the kernel, actors and every system image into $(B)/"
	@echo "  image         build the default system image into $(KERNEL_ELF)"
	@echo "  run           boot in QEMU on the serial console (QEMU_EXTRA='...' adds flags; Ctrl-a x quits)"
	@echo "                EXTRA_APPS=\"DIR ...\" SYSADM=FILE (run, image, test): outside actors in the"
	@echo "                default image, booted with that boot script (README: Write your own actor);"
	@echo "                WERROR=1 makes their warnings errors"
	@echo "  test          host unit tests, then the QEMU scenarios"
	@echo "  bench         exact figures under -icount; table and $(B)/bench.json"
	@echo "  torture       every torture campaign at full count; table and $(B)/torture.json"
	@echo "                (SEED=N repeats a run, ONLY=\"NAME ...\" picks campaigns)"
	@echo "  debug         QEMU paused with its gdb stub, gdb-multiarch attached"
	@echo "  debug-server  QEMU paused with its gdb stub (then 'make gdb' in a second terminal)"
	@echo "  gdb           gdb-multiarch attached to a running debug-server"
	@echo "  clean         remove build/ but the NVRAM flash file ($(NVRAM), NVRAM=path for another)"
	@echo "  clean-nvram   remove the NVRAM flash file: NVRAM blocks start empty"
	@echo "  distclean     remove build/, flash file included"

-include $(shell find build -name '*.d' 2>/dev/null)
