#!/usr/bin/python3
"""Turns a post-mortem dump of HR's dump ring (hr/include/hr/dumps.h) into an ELF core file for
gdb: `gdb-multiarch build/virt/apps/NAME.elf CORE` shows the crashed actor's registers and
backtrace. The bank is read from a saved bank image (--bank FILE: the bank's bytes, as QMP's
pmemsave writes them) or from a running QEMU (--qmp SOCKET: a QMP server socket, for example
`make run QEMU_EXTRA='-qmp unix:/tmp/qmp.sock,server=on,wait=off'`).

    scripts/mkcore.py --qmp /tmp/qmp.sock --list          the dumps, oldest first
    scripts/mkcore.py --qmp /tmp/qmp.sock [--seq N] [-o CORE] [--elf ELF]

Without --seq the newest dump is taken. The core holds one NT_PRSTATUS note (r0-r15, cpsr)
and one PT_LOAD with the stack bytes the dump kept, at their user addresses; with --elf it also
holds the ELF's text and read-only data (so gdb needs nothing else), and the script checks that
the ELF's build id is the dump's. Python 3 from Debian only."""
import argparse
import json
import os
import re
import socket
import struct
import sys
import tempfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

BANK_HEADER_OFF = 0x1000
BANK_MAGIC, BANK_VERSION = 0x4B4E4252, 2           # pmm/include/pmm/bank.h
HDR_FMT = "<IIII Q ii IIIi 16I I III 20s 16s 88s I"  # struct hrdump_header
HDR_SIZE = 256
DUMP_MAGIC = 0x31504448                            # "HDP1"
KINDS = {1: "data abort", 2: "prefetch abort", 3: "undefined instruction", 4: "exit",
         5: "killed", 6: "panic", 7: "abort()"}
SIGNALS = {1: 11, 2: 11, 3: 4, 4: 0, 5: 9, 6: 6, 7: 6}   # SIGSEGV, SIGILL, SIGKILL, SIGABRT

assert struct.calcsize(HDR_FMT) == HDR_SIZE


def fail(msg):
    print(f"mkcore: {msg}", file=sys.stderr)
    sys.exit(1)


def board_define(board, name):
    """An integer #define of boards/<board>/board.h (U32(x) or a plain number)."""
    text = (ROOT / "boards" / board / "board.h").read_text()
    m = re.search(rf"^#define\s+{name}\s+(?:U32\()?(0x[0-9a-fA-F]+|\d+)", text, re.MULTILINE)
    if not m:
        fail(f"{name} not found in boards/{board}/board.h")
    return int(m.group(1), 0)


def qmp_read_bank(path, paddr, size):
    """The bank's bytes from a running QEMU: QMP pmemsave into a temporary file."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(path)
    except OSError as e:
        fail(f"cannot connect to QMP at {path}: {e.strerror}")
    f = sock.makefile("rw")

    def command(name, **arguments):
        f.write(json.dumps({"execute": name, "arguments": arguments}) + "\n")
        f.flush()
        while True:
            reply = json.loads(f.readline())
            if "error" in reply:
                fail(f"QMP {name}: {reply['error'].get('desc', reply['error'])}")
            if "return" in reply:
                return reply["return"]

    json.loads(f.readline())    # the greeting
    command("qmp_capabilities")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "bank.bin")
        command("pmemsave", val=paddr, size=size, filename=out)
        data = Path(out).read_bytes()
    sock.close()
    return data


def dump_area(bank):
    """(offset, size) of HR's dump area, from the bank's header: it follows the crash log."""
    (magic, version, _size, _blocks, _r0, _r1, _rs, _dir, _es, _reg, _regs, log, log_size,
     data_off, _pages, _crc) = struct.unpack_from("<16I", bank, BANK_HEADER_OFF)
    if magic != BANK_MAGIC or version != BANK_VERSION:
        fail(f"no bank of layout {BANK_VERSION} here (magic {magic:#x}, version {version})")
    return log + log_size, data_off - (log + log_size)


def read_dumps(bank, slots, stack_cap):
    """The valid dumps of the ring, oldest first: (header dict, stack bytes)."""
    off, size = dump_area(bank)
    slot_size = HDR_SIZE + stack_cap
    dumps = []
    for i in range(min(slots, size // slot_size)):
        base = off + i * slot_size
        f = struct.unpack_from(HDR_FMT, bank, base)
        h = dict(zip(("magic", "seq", "boot", "kind", "time_ns", "aid", "group", "pc", "addr",
                      "fsr", "status"), f[:11]))
        h["r"], h["cpsr"] = list(f[11:27]), f[27]
        h["stack_vaddr"], h["stack_len"], h["build_id_len"] = f[28:31]
        h["build_id"] = f[31][:min(h["build_id_len"], 20)]
        h["name"] = f[32].split(b"\0")[0].decode("ascii", "replace")
        h["text"] = f[33].split(b"\0")[0].decode("ascii", "replace")
        crc = f[34]
        if h["magic"] != DUMP_MAGIC or h["stack_len"] > stack_cap:
            continue
        stack = bank[base + HDR_SIZE:base + HDR_SIZE + h["stack_len"]]
        if zlib.crc32(bank[base:base + HDR_SIZE - 4] + stack) != crc:
            print(f"mkcore: dump in slot {i} is damaged (CRC), skipped", file=sys.stderr)
            continue
        dumps.append((h, stack))
    return sorted(dumps, key=lambda d: d[0]["seq"])


def elf_build_id(data):
    """The GNU build id of an ELF file (from its PT_NOTE segments), or None."""
    phoff, = struct.unpack_from("<I", data, 28)
    phnum, = struct.unpack_from("<H", data, 44)
    for i in range(phnum):
        p_type, p_offset, _, _, p_filesz = struct.unpack_from("<5I", data, phoff + 32 * i)
        off, end = p_offset, p_offset + p_filesz
        while p_type == 4 and end - off >= 12:
            namesz, descsz, ntype = struct.unpack_from("<3I", data, off)
            name = data[off + 12:off + 12 + namesz]
            desc_off = off + 12 + (namesz + 3 & ~3)
            if ntype == 3 and name == b"GNU\0":
                return data[desc_off:desc_off + descsz]
            off = desc_off + (descsz + 3 & ~3)
    return None


def elf_text(data):
    """The non-writable PT_LOAD segments of an ELF file: [(vaddr, bytes)]."""
    phoff, = struct.unpack_from("<I", data, 28)
    phnum, = struct.unpack_from("<H", data, 44)
    out = []
    for i in range(phnum):
        p_type, p_offset, p_vaddr, _, p_filesz, _, p_flags, _ = struct.unpack_from(
            "<8I", data, phoff + 32 * i)
        if p_type == 1 and not p_flags & 2 and p_filesz:
            out.append((p_vaddr, data[p_offset:p_offset + p_filesz]))
    return out


def note(name, ntype, desc):
    """One ELF note, name and descriptor padded to 4 bytes."""
    n = name.encode() + b"\0"
    return (struct.pack("<3I", len(n), len(desc), ntype) + n + b"\0" * (-len(n) % 4) + desc +
            b"\0" * (-len(desc) % 4))


def prstatus(h):
    """An ARM Linux struct elf_prstatus (148 bytes): the signal, the actor's aid as the pid,
    r0-r15, cpsr and orig_r0."""
    sig = SIGNALS.get(h["kind"], 11)
    return (struct.pack("<3i h2x 2I 4i 8I", sig, 0, 0, sig, 0, 0, h["aid"], 0, h["aid"],
                        h["aid"], *([0] * 8)) +
            struct.pack("<18I", *h["r"], h["cpsr"], h["r"][0]) + struct.pack("<i", 0))


def write_core(path, h, stack, segments):
    """An ELF32 ARM core file: PT_NOTE (NT_PRSTATUS) then one PT_LOAD per (vaddr, bytes)."""
    notes = note("CORE", 1, prstatus(h))
    loads = [(h["stack_vaddr"], stack)] + segments
    phnum = 1 + len(loads)
    off = 52 + 32 * phnum
    phdrs = struct.pack("<8I", 4, off, 0, 0, len(notes), 0, 4, 4)
    off += len(notes)
    body = notes
    for vaddr, data in loads:
        pad = -off % 4096
        body += b"\0" * pad
        off += pad
        flags = 6 if vaddr == h["stack_vaddr"] else 5       # the stack RW, the text R X
        phdrs += struct.pack("<8I", 1, off, vaddr, 0, len(data), len(data), flags, 4096)
        body += data
        off += len(data)
    ident = b"\x7fELF" + bytes([1, 1, 1, 0]) + b"\0" * 8
    ehdr = ident + struct.pack("<HHIIIIIHHHHHH", 4, 40, 1, 0, 52, 0, 0x05000000, 52, 32, phnum,
                               40, 0, 0)
    Path(path).write_bytes(ehdr + phdrs + body)


def describe(h):
    """One line for a dump, as `hr dump` says it."""
    t = h["time_ns"]
    return (f"#{h['seq']} boot {h['boot']} t={t // 10**9}.{t % 10**9 // 1000:06d}s {h['name']} "
            f"(aid {h['aid']}, group {h['group']}) {h['text']}; {h['stack_len']} stack bytes, "
            f"build id {h['build_id'].hex() or 'none'}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--board", default="virt")
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--bank", help="a saved bank image (the bank's bytes)")
    src.add_argument("--qmp", help="QMP server socket of a running QEMU")
    ap.add_argument("--list", action="store_true", help="list the dumps and stop")
    ap.add_argument("--seq", type=int, help="the dump's number (hr dump); default the newest")
    ap.add_argument("--elf", help="the actor's ELF file: its build id is checked and its text "
                                  "goes into the core")
    ap.add_argument("-o", "--out", help="core file (default build/<board>/core.<name>.<seq>)")
    args = ap.parse_args()

    bank_paddr = board_define(args.board, "BOARD_RAM_PADDR") + board_define(
        args.board, "BOARD_RAM_SIZE") - board_define(args.board, "BOARD_BANK_SIZE")
    bank_size = board_define(args.board, "BOARD_BANK_SIZE")
    bank = (Path(args.bank).read_bytes() if args.bank
            else qmp_read_bank(args.qmp, bank_paddr, bank_size))
    if len(bank) < BANK_HEADER_OFF + 64:
        fail("the bank image is too short")
    dumps = read_dumps(bank, board_define(args.board, "BOARD_HR_DUMPS"),
                       board_define(args.board, "BOARD_HR_DUMP_STACK"))
    if args.list:
        print("\n".join(describe(h) for h, _ in dumps) if dumps else "no dumps")
        return
    if not dumps:
        fail("no dumps in the bank")
    chosen = [d for d in dumps if args.seq is None or d[0]["seq"] == args.seq]
    if not chosen:
        fail(f"no dump #{args.seq} (dumps: {', '.join(str(h['seq']) for h, _ in dumps)})")
    h, stack = chosen[-1]
    segments = []
    if args.elf:
        data = Path(args.elf).read_bytes()
        bid = elf_build_id(data)
        if h["build_id"] and bid != h["build_id"]:
            print(f"mkcore: warning: {args.elf} has build id {bid.hex() if bid else 'none'}, "
                  f"the dump {h['build_id'].hex()}: not the ELF that crashed", file=sys.stderr)
        segments = elf_text(data)
    out = Path(args.out) if args.out else (ROOT / "build" / args.board /
                                           f"core.{h['name']}.{h['seq']}")
    write_core(out, h, stack, segments)
    shown = os.path.relpath(out) if not os.path.relpath(out).startswith("..") else out
    print(f"{describe(h)}\ncore file: {shown}")


if __name__ == "__main__":
    main()
