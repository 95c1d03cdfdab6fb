#!/usr/bin/env python3
"""Packs actor ELF files and the boot script into a Reprise system image (kernel/include/kernel/sysimg.h).

usage:
  mkimage.py -o OUT [-v] [--script sysadm.ini] NAME=PATH[:OPTS] ...
  mkimage.py -o OUT [-v] [--build-dir DIR] --manifest FILE.image [--script FILE] [NAME=PATH[:OPTS] ...]
  mkimage.py --deps [--build-dir DIR] --manifest FILE.image     (prints the input files)

OPTS is a comma list of
  - privilege names: the PRIV_* bits of kernel/include/uapi/reprise/abi.h in lower case
    (actors,server,faults,bank,site,critical); none by default;
  - boot: the kernel starts this actor at boot (SYSIMG_FLAG_BOOT of sysimg.h);
  - prio=N: its priority when the kernel starts it, 1..31 (0, the default: the kernel's);
  - heap=SIZE: how far its heap may grow (bytes, or with a K or M suffix); without it, what
    the actor's app.mk set (<name>_HEAP_MAX, the ELF's __reprise_heap_max symbol), else
    the kernel's default (ACTOR_HEAP_MAX);
  - pages=N: how many pool pages its actors may own (stack, heap, regions and page tables
    together); without it, the board's default (BOARD_ACTOR_PAGE_QUOTA).
On the command line the path ends at the last ':' of the argument, so a path holding ':'
needs a trailing ':'.

A manifest (images/<name>.image) holds one item a line; '#' starts a comment:
  script PATH                   the boot script; PATH relative to the manifest's folder
  actor NAME PATH [OPTS]        an actor image; PATH relative to --build-dir (default: .)
for example:
  script default.ini
  actor  cinit  apps/cinit.elf  actors,site,boot,prio=10
  actor  hello  apps/hello.elf
Manifest actors come first, in order, then command-line ones. --script replaces the
manifest's script (make's SYSADM=FILE does this for the default image).

The image is the header page, then each ELF file on a page boundary, then the script,
padded with zeros to a whole page. The output depends only on the inputs.
"""
import argparse
import os
import re
import struct
import sys

PAGE = 4096
MAGIC = b"RPRSIMG1"
VERSION = 2
HEADER_FMT = "<8s6I"          # magic, version, count, image_size, script_offset, script_size, reserved
ENTRY_FMT = "<16s8I"          # name, offset, size, privileges, flags, heap_max, page_quota,
                              # reserved x 2
HEAP_SYMBOL = b"__reprise_heap_max"
TABLE_OFFSET = 32
MAX_ENTRIES = 64
NAME_MAX = 15                 # ACTOR_NAME_MAX - 1 (NUL)
TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
ABI_H = os.path.join(TOP, "kernel", "include", "uapi", "reprise", "abi.h")
SYSIMG_H = os.path.join(TOP, "kernel", "include", "kernel", "sysimg.h")

assert struct.calcsize(HEADER_FMT) == TABLE_OFFSET
assert struct.calcsize(ENTRY_FMT) == 48
assert TABLE_OFFSET + MAX_ENTRIES * 48 <= PAGE


def fail(msg):
    """Prints an error and exits with status 1."""
    sys.exit(f"mkimage: {msg}")


def read_header(path):
    """Returns the text of a kernel header, or exits."""
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError as e:
        fail(f"cannot read {path}: {e.strerror}")


def header_define(text, path, regex):
    """Returns the first group of regex in a header's text as an integer, or exits."""
    m = re.search(regex, text)
    if not m:
        fail(f"{path}: no match for {regex}")
    return int(m.group(1), 0)


def read_privileges():
    """Reads the PRIV_* bits from abi.h: {'actors': 1, 'server': 2, ...}."""
    text = read_header(ABI_H)
    privs = {m.group(1).lower(): 1 << int(m.group(2))
             for m in re.finditer(r"#define\s+PRIV_([A-Z]+)\s+\(1u\s*<<\s*(\d+)\)", text)}
    if not privs:
        fail(f"no PRIV_* definitions found in {ABI_H}")
    return privs


def read_flags():
    """Reads the entry flag layout from sysimg.h: (boot bit, priority shift, priority max)."""
    text = read_header(SYSIMG_H)
    boot = 1 << header_define(text, SYSIMG_H, r"#define\s+SYSIMG_FLAG_BOOT\s+\(1u\s*<<\s*(\d+)\)")
    shift = header_define(text, SYSIMG_H, r"#define\s+SYSIMG_FLAG_PRIO_SHIFT\s+(\d+)")
    pmax = header_define(text, SYSIMG_H,
                         r"#define\s+SYSIMG_FLAG_PRIO_MASK\s+\((0x[0-9a-fA-F]+)u?\s*<<")
    return boot, shift, pmax


class Options:
    """The privilege names and flag layout that OPTS lists are checked against."""

    def __init__(self):
        self.privs = read_privileges()
        self.boot, self.prio_shift, self.prio_max = read_flags()

    def known(self):
        """The accepted OPTS words, for messages and --help."""
        return ",".join(self.privs) + ",boot,prio=N,heap=SIZE,pages=N"

    def parse(self, plist, where):
        """Turns an OPTS list into (privilege bits, flag bits, heap bytes or None, page quota
        or 0), or exits naming where."""
        bits = fbits = quota = 0
        heap = None
        for p in filter(None, (p.strip() for p in plist.split(","))):
            if p.startswith("heap="):
                heap = parse_size(p[5:], where)
            elif p.startswith("pages="):
                quota = parse_quota(p[6:], where)
            elif p == "boot":
                fbits |= self.boot
            elif p.startswith("prio="):
                try:
                    prio = int(p[5:])
                except ValueError:
                    prio = -1
                if not 1 <= prio <= self.prio_max:
                    fail(f"{where}: priority '{p[5:]}' not in 1..{self.prio_max}")
                fbits = (fbits & ~(self.prio_max << self.prio_shift)) | (prio << self.prio_shift)
            elif p in self.privs:
                bits |= self.privs[p]
            else:
                fail(f"{where}: unknown option '{p}' (known: {self.known()})")
        return bits, fbits, heap, quota

    def describe(self, bits, fbits):
        """The OPTS list that gives bits and fbits, for -v."""
        words = [name for name, b in self.privs.items() if bits & b]
        if fbits & self.boot:
            words.append("boot")
        prio = (fbits >> self.prio_shift) & self.prio_max
        if prio:
            words.append(f"prio={prio}")
        return ",".join(words) or "-"


def parse_size(text, where):
    """A heap size: bytes, or a number with a K or M suffix; at most 1 GiB."""
    m = re.fullmatch(r"(\d+)([KM]?)", text)
    if not m:
        fail(f"{where}: heap size '{text}' is not N, NK or NM")
    size = int(m.group(1)) << {"": 0, "K": 10, "M": 20}[m.group(2)]
    if not 0 < size <= 1 << 30:
        fail(f"{where}: heap size '{text}' not in 1 byte..1 GiB")
    return size


def parse_quota(text, where):
    """A page quota: a number of pages, 1..SYSIMG_PAGE_QUOTA_LIMIT of sysimg.h (every page of
    the 1 GiB user space, and its tables)."""
    limit = (1 << 30) // PAGE + 1024
    if not text.isdigit() or not 0 < int(text) <= limit:
        fail(f"{where}: page quota '{text}' not in 1..{limit}")
    return int(text)


def elf_symbol(data, name):
    """The value of symbol name in an ELF file's symbol table, or None."""
    shoff, = struct.unpack_from("<I", data, 32)
    shentsize, shnum = struct.unpack_from("<HH", data, 46)
    if not shoff or shentsize != 40 or shoff + shnum * 40 > len(data):
        return None
    sections = [struct.unpack_from("<10I", data, shoff + 40 * i) for i in range(shnum)]
    for sh in sections:
        if sh[1] != 2 or sh[6] >= shnum:            # SHT_SYMTAB; sh_link: its string table
            continue
        strtab = sections[sh[6]]
        for off in range(sh[4], sh[4] + sh[5] - 15, 16):
            st_name, st_value = struct.unpack_from("<II", data, off)
            start = strtab[4] + st_name
            if data[start:start + len(name) + 1] == name + b"\0":
                return st_value
    return None


def check_name(name, where):
    """Exits unless name is 1..15 printable ASCII characters without spaces."""
    if not name:
        fail(f"{where}: empty name")
    if not all(0x21 <= ord(c) <= 0x7e for c in name):
        fail(f"{where}: '{name}': names are printable ASCII without spaces")
    if len(name) > NAME_MAX:
        fail(f"{where}: '{name}': name longer than {NAME_MAX} characters")


def parse_spec(spec, opts):
    """Splits a command-line NAME=PATH[:OPTS] into (name, path, privileges, flags, heap,
    quota, where)."""
    where = f"'{spec}'"
    name, eq, rest = spec.partition("=")
    if not eq or not rest:
        fail(f"{where}: expected NAME=PATH[:OPTS]")
    check_name(name, where)
    path, colon, plist = rest.rpartition(":")
    if not colon:
        path, plist = rest, ""
    if not path:
        fail(f"{where}: empty path")
    return (name, path) + opts.parse(plist, where) + (where,)


def parse_manifest(path, build_dir, opts):
    """Reads a manifest: returns (script path or None, [(name, path, privileges, flags, heap,
    quota, where)]), paths resolved as the module docstring says."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except (OSError, UnicodeDecodeError) as e:
        fail(f"cannot read manifest {path}: {getattr(e, 'strerror', None) or e}")
    script, entries = None, []
    for no, line in enumerate(lines, 1):
        where = f"{path}:{no}"
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        if words[0] == "script" and len(words) == 2:
            if script is not None:
                fail(f"{where}: a second script")
            script = os.path.join(os.path.dirname(path), words[1])
        elif words[0] == "actor" and len(words) in (3, 4):
            check_name(words[1], where)
            elf = os.path.join(build_dir, words[2])
            plist = words[3] if len(words) == 4 else ""
            entries.append((words[1], elf) + opts.parse(plist, where) + (where,))
        else:
            fail(f"{where}: expected 'script PATH' or 'actor NAME PATH [OPTS]'")
    return script, entries


def read_elf(name, path, where):
    """Reads an actor file and checks it looks like a 32-bit little-endian ARM ELF; returns
    what loading needs and the heap limit its app.mk set (None: none)."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        fail(f"{where}: {name}: cannot read {path}: {e.strerror}")
    if not data:
        fail(f"{where}: {name}: {path} is empty")
    if len(data) < 52 or data[:4] != b"\x7fELF":
        fail(f"{where}: {name}: {path} is not an ELF file")
    machine = struct.unpack_from("<H", data, 18)[0]
    if data[4] != 1 or data[5] != 1 or machine != 40:
        fail(f"{where}: {name}: {path} is not a 32-bit little-endian ARM ELF file")
    return loadable_part(data), elf_symbol(data, HEAP_SYMBOL)


def loadable_part(data):
    """Keeps what loading needs: the file up to the end of its last segment, without the
    section headers, symbols and debug information that follow (the build folder keeps
    the full ELF for gdb). The kernel's loader reads only the program headers."""
    phoff, = struct.unpack_from("<I", data, 28)
    phentsize, phnum = struct.unpack_from("<HH", data, 42)
    if phentsize != 32 or phoff + phnum * 32 > len(data):
        return data     # malformed: packed as it is, the kernel's loader will say why
    end = phoff + phnum * 32
    for i in range(phnum):
        p_type, p_offset, _, _, p_filesz = struct.unpack_from("<5I", data, phoff + 32 * i)
        if p_filesz:
            end = max(end, p_offset + p_filesz)
    if end > len(data):
        return data
    out = bytearray(data[:end])
    struct.pack_into("<I", out, 32, 0)          # e_shoff
    struct.pack_into("<HHH", out, 46, 0, 0, 0)  # e_shentsize, e_shnum, e_shstrndx
    return bytes(out)


def read_script(path):
    """Reads the boot script, which may hold no NUL byte."""
    try:
        with open(path, "rb") as f:
            script = f.read()
    except OSError as e:
        fail(f"cannot read script {path}: {e.strerror}")
    if b"\0" in script:
        fail(f"script {path} contains a NUL byte")
    return script


def align(n):
    """Rounds n up to a page."""
    return (n + PAGE - 1) // PAGE * PAGE


def build(entries, script):
    """Lays out the image: entries is [(name, data, privileges, flags, heap bytes or 0, page
    quota or 0)], script bytes or None."""
    body = bytearray()
    table = bytearray()
    offset = PAGE
    for name, data, bits, fbits, heap, quota in entries:
        table += struct.pack(ENTRY_FMT, name.encode("ascii"), offset, len(data), bits, fbits,
                             heap, quota, 0, 0)
        body += data + bytes(align(len(data)) - len(data))
        offset += align(len(data))
    script_offset, script_size = (offset, len(script)) if script else (0, 0)
    if script:
        body += script
    image_size = align(PAGE + len(body))
    header = struct.pack(HEADER_FMT, MAGIC, VERSION, len(entries), image_size, script_offset,
                         script_size, 0)
    page0 = header + table
    image = page0 + bytes(PAGE - len(page0)) + body
    return image + bytes(image_size - len(image))


def main():
    opts = Options()
    ap = argparse.ArgumentParser(description="Pack actor ELF files and the boot script "
                                 "into a Reprise system image (see the script's docstring).")
    ap.add_argument("-o", "--output", help="image file to write")
    ap.add_argument("--script", help="boot script (sysadm.ini) to include; replaces the "
                    "manifest's")
    ap.add_argument("--manifest", help="image manifest (images/<name>.image)")
    ap.add_argument("--build-dir", default=".", help="where manifest actor paths start")
    ap.add_argument("--deps", action="store_true",
                    help="print the manifest's input files instead of building")
    ap.add_argument("-v", "--verbose", action="store_true", help="print the table")
    ap.add_argument("entries", nargs="*", metavar="NAME=PATH[:OPTS]",
                    help="OPTS: comma list of " + opts.known())
    args = ap.parse_args()

    script_path, specs = None, []
    if args.manifest:
        script_path, specs = parse_manifest(args.manifest, args.build_dir, opts)
    if args.script:
        script_path = args.script
    specs += [parse_spec(s, opts) for s in args.entries]
    if args.deps:
        print(" ".join([s[1] for s in specs] + ([script_path] if script_path else [])))
        return
    if not args.output:
        fail("-o OUT is required")
    if not specs and not script_path:
        fail("nothing to pack: give actors, a script or a manifest")
    if len(specs) > MAX_ENTRIES:
        fail(f"{len(specs)} actors, at most {MAX_ENTRIES}")

    entries, seen = [], set()
    for name, path, bits, fbits, heap, quota, where in specs:
        if name in seen:
            fail(f"{where}: duplicate name '{name}'")
        seen.add(name)
        data, elf_heap = read_elf(name, path, where)
        entries.append((name, data, bits, fbits, heap or elf_heap or 0, quota))
    script = read_script(script_path) if script_path else None

    image = build(entries, script)
    if len(image) > 0xffffffff:
        fail("image larger than 4 GiB")
    tmp = args.output + ".tmp"
    with open(tmp, "wb") as f:
        f.write(image)
    os.replace(tmp, args.output)

    if args.verbose:
        offset = PAGE
        for name, data, bits, fbits, heap, quota in entries:
            print(f"  {name:<15} 0x{offset:08x} {len(data):8d}  {opts.describe(bits, fbits)}"
                  + (f",heap={heap}" if heap else "") + (f",pages={quota}" if quota else ""))
            offset += align(len(data))
        if script:
            print(f"  {'(script)':<15} 0x{offset:08x} {len(script):8d}")
        print(f"  image {len(image)} bytes -> {args.output}")


if __name__ == "__main__":
    main()
