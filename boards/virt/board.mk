# QEMU "virt" board: how to start the machine (the C facts are in board.h).
# RAM in MiB; a variant board sets it first (boards/virt-1g), board.h says the same.
BOARD_RAM_MB ?= 256
BOARD_KERNEL_PADDR := 0x40010000
QEMU := qemu-system-arm
QEMU_MACHINE_FLAGS := -M virt -cpu cortex-a15 -m $(BOARD_RAM_MB)M -nic none
# The serial console on stdio, multiplexed with QEMU's monitor (Ctrl-a c; Ctrl-a x quits).
# signal=off: Ctrl-C goes to Reprise (which gives the console back to C_INIT) instead of
# ending QEMU.
QEMU_CONSOLE_FLAGS := -nographic -chardev stdio,id=console,mux=on,signal=off \
                      -serial chardev:console -mon chardev=console,mode=readline
QEMU_BOARD_FLAGS := $(QEMU_MACHINE_FLAGS) $(QEMU_CONSOLE_FLAGS)
# The NVRAM medium: a flash file on the second flash bank (board.h BOARD_NVRAM_*), all 0xff
# when new; $(1) is its path.
BOARD_NVRAM_BYTES := 67108864
QEMU_NVRAM_FLAGS = -drive if=pflash,format=raw,unit=1,file=$(1)
# The variant of this board with 1 GiB of RAM: `make bench` runs the site restart bench on it
# too (site_restart_1g_ns: a site restart must not grow with RAM).
BOARD_BENCH_1G := virt-1g
