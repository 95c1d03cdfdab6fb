/* QEMU "virt" with 1 GiB of RAM (board.mk: -m 1024M); every other fact is boards/virt's. */
#pragma once
#define BOARD_RAM_SIZE          U32(0x40000000)            /* 1 GiB */
#include "../virt/board.h"
