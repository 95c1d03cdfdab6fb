#!/usr/bin/env python3
"""Makes a crafted actor ELF for tests/qemu/test_protect_kernel.py: copies IN and adds one
PT_LOAD program header after the existing ones (actor ELF files have room for it before
their first segment at offset 0x1000).

usage: craft.py wild|ro IN OUT
  wild  a read-only segment with no file bytes at 0x0f000100 whose p_offset points far
        past the end of the file (the kernel once mapped image + p_offset unchecked)
  ro    a read-only segment at 0x0f000000 with 0x10 file bytes inside the file and 3 pages
        of memory: its last pages would be mapped from whatever follows the file"""
import struct
import sys

VADDR = {"wild": 0x0F000100, "ro": 0x0F000000}
PT_LOAD, PF_R = 1, 4


def main():
    kind, src, dst = sys.argv[1:4]
    data = bytearray(open(src, "rb").read())
    phoff, = struct.unpack_from("<I", data, 28)
    phentsize, phnum = struct.unpack_from("<HH", data, 42)
    at = phoff + phnum * phentsize
    if phentsize != 32 or at + 32 > 0x1000 or any(data[at:at + 32]):
        sys.exit(f"craft.py: {src}: no room for another program header")
    if kind == "wild":
        phdr = (PT_LOAD, 0x0FBF0100, VADDR[kind], VADDR[kind], 0, 0x10, PF_R, 0x1000)
    else:
        phdr = (PT_LOAD, 0x1000, VADDR[kind], VADDR[kind], 0x10, 0x3000, PF_R, 0x1000)
    struct.pack_into("<8I", data, at, *phdr)
    struct.pack_into("<H", data, 44, phnum + 1)
    open(dst, "wb").write(data)


if __name__ == "__main__":
    main()
