"""Post-mortem dumps: a restartable actor's abnormal end leaves a dump in HR's dump ring in the
bank (registers, fault, image name and build id, the top of its stack), which `hr dump` lists
and `hr dump N` prints, which a site restart keeps, which HR clears with a console line when it
is damaged, and which scripts/mkcore.py turns into a core file where gdb shows the crashed
actor's backtrace with source lines.

They boot tests/images/hr.image; the crashing actor is tests/actors/hrdeep, whose first run
takes a data abort three calls below main (main -> hrdeep_outer -> hrdeep_middle ->
hrdeep_crash) and whose restarted run ends cleanly."""
import re
import struct
import subprocess
import sys

from reprise import ROOT

PROMPT = "cinit> "
HEX8 = "[0-9a-f]{8}"
BANK = 0x4FC00000                   # boards/virt: the bank's physical address
DUMPS, SLOT = 0x12000, 256 + 4096   # HR's dump area (bank.h) and a slot (hr.dumpStack 4 KiB)
GDB_TIMEOUT = 120


def line(m, pattern):
    """Waits for a whole line matching pattern; it may start right after a prompt (C_INIT
    echoes typed text there, and actors print there while it waits for input)."""
    __tracebackhide__ = True
    return m.expect(re.compile(rf"(?:^|(?<={re.escape(PROMPT)}))(?:{pattern})\n", re.MULTILINE))


def cmd(m, text, *patterns):
    """Types a command, waits for its echo, each pattern as a whole line, then the next
    prompt; returns what the command printed."""
    __tracebackhide__ = True
    m.sendline(text)
    line(m, re.escape(text))
    start = m.pos
    for p in patterns:
        line(m, p)
    end = m.expect(re.escape(PROMPT))
    return m.text[start:end.start()]


def build_id(elf):
    """The GNU build id of an ELF file, in hex (readelf -n)."""
    out = subprocess.run(["arm-none-eabi-readelf", "-n", str(elf)], capture_output=True,
                         text=True, check=True).stdout
    return re.search(r"Build ID: ([0-9a-f]+)", out).group(1)


def crash_hrdeep(m):
    """Starts group 1 with hrdeep; returns the crash line's aid and pc once the restarted run
    has ended cleanly."""
    cmd(m, "arun -g 1 hrdeep", r"started hrdeep, aid \d+, group 1")
    start = m.pos
    line(m, "hrdeep: run 2, exiting")
    ended = line(m, "hr: group 1 ended cleanly")
    # HR restarts first and prints the crash line once the CPU is idle: before its next line.
    crash = re.compile(r"^hr: hrdeep \(aid (\d+), group 1\) data abort pc=0x([0-9a-f]{8}) "
                       r"addr=0x2000001c write, translation fault; restarting group 1 \(1/5\)$",
                       re.MULTILINE).search(m.text, start, ended.start())
    assert crash, m.text[start:ended.start()]
    return int(crash.group(1)), crash.group(2)


def mkcore(*args):
    """Runs scripts/mkcore.py; returns its output (it must succeed)."""
    done = subprocess.run([sys.executable, str(ROOT / "scripts/mkcore.py"), *args],
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def test_crash_dump_survives_a_site_restart_and_gdb_reads_it(boot, board, tmp_path):
    """A crash a few calls deep leaves dump #1, written by HR once the CPU is idle (nothing
    asks HR for it before the site restart that follows); after the site restart `hr dump`
    lists it with the image's build id and `hr dump 1` prints the registers of the fault (pc
    is the crash line's) and the raw stack from sp; mkcore.py reads it from the running QEMU
    over QMP and from a saved bank image, and gdb's backtrace on the core file names the
    crashing function and every caller up to main, with source lines."""
    qmp = tmp_path / "qmp.sock"
    m = boot(board.image("hr"), extra_args=["-qmp", f"unix:{qmp},server=on,wait=off"])
    m.expect(re.escape(PROMPT))
    elf = board.build_dir / "actors" / "hrdeep.elf"
    bid = build_id(elf)
    aid, pc = crash_hrdeep(m)

    # No request to HR between the crash and the site restart: HR wrote the dump on its own,
    # when the CPU went idle after the restart.
    m.sendline("restart")
    line(m, "restart: site restart requested")
    line(m, r"boot: warm \(site restart requested\), boot 2, .*")
    m.expect(re.escape(PROMPT))

    listing = rf"  #1 boot 1 t=\d+\.\d{{6}}s hrdeep \(aid {aid}, group 1\) data abort pc=0x{pc} " \
              rf"addr=0x2000001c write, translation fault; (\d+) stack bytes, build id {bid}"
    out = cmd(m, "hr dump", "dumps, oldest first:", listing)
    assert len(re.findall(r"^  #\d+ ", out, re.MULTILINE)) == 1, out    # the clean end: none

    out = cmd(m, "hr dump 1", rf"dump #1 boot 1 t=\S+ hrdeep \(aid {aid}, group 1\) data abort.*",
              f"build id {bid}", rf"r0  {HEX8} r1  {HEX8} r2  {HEX8} r3  {HEX8}",
              rf"r4  {HEX8} r5  {HEX8} r6  {HEX8} r7  {HEX8}",
              rf"r8  {HEX8} r9  {HEX8} r10 {HEX8} r11 {HEX8}",
              rf"r12 {HEX8} sp  ({HEX8}) lr  {HEX8} pc  {pc}", rf"cpsr {HEX8}",
              rf"stack at ({HEX8}), (\d+) bytes:")
    sp = int(re.search(rf"sp  ({HEX8})", out).group(1), 16)
    at = re.search(rf"stack at ({HEX8}), (\d+) bytes:", out)
    assert int(at.group(1), 16) == sp, out
    length = int(at.group(2))
    assert 0 < length <= 4096 and sp + length <= 0x3FFF0000, out
    rows = re.findall(rf"^({HEX8}): {HEX8} {HEX8} {HEX8} {HEX8}$", out, re.MULTILINE)
    assert [int(r, 16) for r in rows] == list(range(sp, sp + length, 16)), out
    cmd(m, "hr dump 2", "hr: no dump #2")

    core = tmp_path / "core"
    out = mkcore("--qmp", str(qmp), "--elf", str(elf), "-o", str(core))
    assert re.search(rf"^#1 boot 1 .* hrdeep \(aid {aid}, group 1\) data abort", out,
                     re.MULTILINE), out
    bank = tmp_path / "bank.bin"
    bank.write_bytes(m.read_phys(BANK, 0x400000))
    out = mkcore("--bank", str(bank), "--list")
    assert re.fullmatch(rf"#1 boot 1 .* hrdeep \(aid {aid}, group 1\) .* build id {bid}\n", out), out
    mkcore("--bank", str(bank), "--seq", "1", "-o", str(tmp_path / "core2"))

    for c in (core, tmp_path / "core2"):
        gdb = subprocess.run(["gdb-multiarch", "-batch", "-nx", "-ex", "bt",
                              "-ex", "info registers pc sp", str(elf), str(c)],
                             capture_output=True, text=True, timeout=GDB_TIMEOUT, cwd=ROOT)
        bt = gdb.stdout + gdb.stderr
        frames = dict(re.findall(r"^#(\d+) +(?:0x[0-9a-f]+ in )?(\w+) \(.*\) at "
                                 r"tests/actors/hrdeep/hrdeep\.c:\d+$", bt, re.MULTILINE))
        assert frames == {"0": "hrdeep_crash", "1": "hrdeep_middle", "2": "hrdeep_outer",
                          "3": "main"}, bt
        assert re.search(rf"^pc +0x{int(pc, 16):x} ", bt, re.MULTILINE), bt
        assert re.search(rf"^sp +0x{sp:x} ", bt, re.MULTILINE), bt


def test_damaged_dump_is_cleared_with_a_line(boot, board):
    """A byte of a dump's stack changed in the bank: the next boot's HR finds its CRC wrong,
    says `hr: dumps: no dumps, 1 damaged dump cleared`, zeroes the slot, and `hr dump` lists
    nothing, and the next dump is #1 again, of boot 2. An actor that is not restartable leaves
    no dump."""
    m = boot(board.image("hr"))
    m.expect(re.escape(PROMPT))
    crash_hrdeep(m)
    cmd(m, "hr dump", "dumps, oldest first:", r"  #1 .* hrdeep .*")
    slot = m.read_phys(BANK + DUMPS, SLOT)
    assert struct.unpack_from("<II", slot, 0) == (0x31504448, 1), slot[:8].hex()
    stack_len = struct.unpack_from("<I", slot, 120)[0]
    m.write_phys(BANK + DUMPS + 256 + stack_len - 1, bytes([slot[256 + stack_len - 1] ^ 0x5A]))
    m.sendline("restart")
    line(m, "restart: site restart requested")
    line(m, r"boot: warm \(site restart requested\), boot 2, .*")
    # HR checks its dumps once the boot is over and the CPU idle: after C_INIT's prompt.
    line(m, "hr: dumps: no dumps, 1 damaged dump cleared")
    cmd(m, "hr dump", "dumps: none")
    assert m.read_phys(BANK + DUMPS, SLOT) == bytes(SLOT)

    cmd(m, "arun hello", r"started hello, aid \d+")
    line(m, r"hr: hello \(aid \d+\) data abort .*; not restartable, deleted")
    cmd(m, "hr dump", "dumps: none")
    crash_hrdeep(m)
    cmd(m, "hr dump", "dumps, oldest first:", r"  #1 boot 2 .* hrdeep .*")
