# QEMU "virt" board: how to start the machine (the C facts are in board.h).
BOARD_RAM_MB := 256
BOARD_KERNEL_PADDR := 0x40010000
QEMU := qemu-system-arm
QEMU_BOARD_FLAGS := -M virt -cpu cortex-a15 -m $(BOARD_RAM_MB)M -nographic -nic none
