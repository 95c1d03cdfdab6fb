# QEMU "virt" board: how to start the machine (the C facts are in board.h).
BOARD_RAM_MB := 256
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
