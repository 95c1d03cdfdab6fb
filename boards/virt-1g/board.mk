# QEMU "virt" with 1 GiB of RAM: the virt board in all else (make bench measures its site
# restart, site_restart_1g_ns; `make BOARD=virt-1g run` boots it).
BOARD_RAM_MB := 1024
include boards/virt/board.mk
