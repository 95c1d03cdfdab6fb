"""NVRAM scenarios: blocks of medium "NVRAM" committed with pmmSync survive power-off byte for
byte, uncommitted changes do not (and site restarts keep them), the same rules and errors as
RAM blocks, power cuts at random instants during allocation, pmmSync and free, and a damaged
flash file.

Each boots tests/images/nvram.image (the PMM server, the kdriver console shell, the nvt test
actor) on its own flash file (blank_nvram, a temporary file per test); a power-off is a new
QEMU process on the same file. The power-cut and damage logic is the torture campaign's
(tests/torture/powercut.py)."""
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "torture"))
import powercut  # noqa: E402
from common import Job  # noqa: E402
from reprise import blank_nvram, elf_symbol  # noqa: E402

BANK_PADDR = 0x4FC00000         # boards/virt: the bank; a block at 0x30000000 + bank offset
SAID = r"(?:^|(?<=> ))"


@pytest.fixture(autouse=True)
def virt_only(board):
    """The bank's physical address below is the virt board's."""
    if board.name != "virt":
        pytest.skip("bank addresses are those of the virt board")


@pytest.fixture
def flash(tmp_path, board):
    """A blank flash file of the test's own."""
    return blank_nvram(tmp_path / "nvram.img", board)


def power_on(boot, board, flash, nvram_line):
    """Boots the NVRAM image on the flash file; waits for the nvram line and kdriver."""
    m = boot(board.image("nvram"), nvram=flash)
    m.expect_line(nvram_line)
    m.expect("kdriver> ")
    return m


def run(m, command, *lines):
    """`run nvt ...` at kdriver's prompt: the actor's lines in order, then its end."""
    m.sendline(f"run {command}")
    found = [m.expect(f"{SAID}(?:{line})\n") for line in lines]
    m.expect(r"kdriver: \S+ ended\n")
    m.expect("kdriver> ")
    return found


def pattern(size, seed):
    """The bytes nvt's fill writes for seed (xorshift32 from seed * 2654435761 + 1)."""
    x, out = (seed * 2654435761 + 1) & 0xFFFFFFFF, bytearray(size)
    for i in range(size):
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        out[i] = x & 0xFF
    return bytes(out)


def fill(m, name, size, seed):
    """Writes seed's pattern into the working copy; returns its hash."""
    return run(m, f"nvt fill {name} {size} {seed}", rf"nvt: filled {name} ([0-9a-f]{{8}})")[0][1]


def check(m, name, size):
    """The block's hash and address (retrieving it)."""
    c = run(m, f"nvt check {name} {size}", rf"nvt: check {name} 0 ([0-9a-f]{{8}}) addr (0x[0-9a-f]+)")
    return c[0][1], int(c[0][2], 16)


def test_commit_survives_power_off(boot, board, flash):
    """A committed block is there byte for byte in a new QEMU process, at the same address;
    a change made after the commit is not, and the committed contents are whole."""
    m = power_on(boot, board, flash, r"pmm: nvram blank, initialised")
    committed = fill(m, "blk", 10000, 7)
    run(m, "nvt sync blk", r"nvt: sync blk 0")
    changed = fill(m, "blk", 10000, 8)
    assert changed != committed
    assert check(m, "blk", 10000)[0] == changed          # the working copy has the change
    _, addr = check(m, "blk", 10000)
    m.power_cycle()
    m.expect_line(r"pmm: nvram kept, 1 block")
    m.expect_line(r"pmm: nvram working copies: 1 restored, 0 dropped")
    m.expect("kdriver> ")
    digest, addr2 = check(m, "blk", 10000)
    assert (digest, addr2) == (committed, addr)
    assert m.read_phys(BANK_PADDR + addr - 0x30000000, 10000) == pattern(10000, 7)


def test_site_restart_loses_nothing(boot, board, flash):
    """A site restart keeps the working copy, uncommitted changes included; a power-off then
    brings back the committed contents."""
    m = power_on(boot, board, flash, r"pmm: nvram blank, initialised")
    committed = fill(m, "s", 4096, 1)
    run(m, "nvt sync s", r"nvt: sync s 0")
    changed = fill(m, "s", 4096, 2)
    m.sendline("run pmmsite restart")
    m.expect_line(r"boot: warm .*")
    m.expect_line(r"pmm: bank kept, 1 block")
    m.expect_line(r"pmm: nvram kept, 1 block")
    m.expect("kdriver> ")
    assert check(m, "s", 4096)[0] == changed
    m.power_cycle()
    m.expect_line(r"pmm: nvram kept, 1 block")
    m.expect("kdriver> ")
    assert check(m, "s", 4096)[0] == committed


def test_rules_and_errors(boot, board, flash):
    """pmmSync's errors, the RAM rules (keys, sizes, __SYS names) for NVRAM blocks, pmmSync
    of a RAM block (K_OK), a freed block gone after power-off."""
    m = power_on(boot, board, flash, r"pmm: nvram blank, initialised")
    run(m, "nvt errors", r"nvt: errors ok \(0 wrong\)")
    run(m, "nvt ramsync r1", r"nvt: ramsync r1 0")
    run(m, "nvt alloc gone 100", r"nvt: alloc gone 0 addr 0x3[0-9a-f]+")
    run(m, "nvt alloc kept 100", r"nvt: alloc kept 0 addr 0x3[0-9a-f]+")
    run(m, "nvt free gone", r"nvt: free gone 0")
    m.power_cycle()
    m.expect_line(r"pmm: nvram kept, 1 block")
    m.expect("kdriver> ")
    run(m, "nvt dump", r"nvt: block kept 100 [0-9a-f]{8}", r"nvt: dump done 1")


@pytest.mark.parametrize("command, pc", [("alloc orphan 100", "nvram_create"),
                                         ("free orphan", "bank_free")])
def test_warm_reset_between_flash_and_bank(boot, board, flash, command, pc):
    """A warm reset between the bank's and the flash's halves of an allocation (the working
    copy is in the bank, the flash commit has not begun) or of a free (the flash dropped the
    block, the bank not yet): the boot drops the working copy the flash does not hold."""
    m = boot(board.image("nvram"), nvram=flash, icount="shift=0,align=off")
    m.expect_line(r"pmm: nvram blank, initialised")
    m.expect("kdriver> ")
    if command.startswith("free"):
        run(m, "nvt alloc orphan 100", r"nvt: alloc orphan 0 addr 0x3[0-9a-f]+")
    m.sendline(f"start nvt later 300 {command}")
    m.expect(r"kdriver: started nvt as aid \d+")
    pmm_elf = board.build_dir / "apps" / "pmm.elf"
    assert m.reset_at(elf_symbol(pmm_elf, pc), actor="pmm", timeout=30)
    m.expect_line(r"boot: warm \(external reset\), .*")
    m.expect_line(r"pmm: bank kept, 1 block")
    m.expect_line(r"pmm: nvram kept, 0 blocks")
    m.expect_line(r"pmm: nvram working copies: 0 restored, 1 dropped")
    m.expect("kdriver> ")
    run(m, "nvt dump", r"nvt: dump done 0")


def test_device_map(boot, board, flash):
    """SYS_DEVICE_MAP needs the device privilege; with it, the flash maps once, reads in
    read-array mode, and no system call accepts a pointer into it (device memory)."""
    m = power_on(boot, board, flash, r"pmm: nvram blank, initialised")
    run(m, "nvt devmap", r"nvt: devmap K_EPRIV")
    run(m, "nvdev devmap", r"nvt: devmap ok \(0 wrong\), magic 4753564e")
    run(m, "nvt dump", r"nvt: dump done 0")        # the PMM goes on


def test_pmm_lists_both_media(boot, board, flash):
    """C_INIT's pmm shows the NVRAM medium's line and NVRAM blocks beside RAM ones."""
    m = boot(board.image("nvcinit"), nvram=flash)
    m.expect_line(r"pmm: nvram blank, initialised")
    m.expect_line(r"cinit: type help for the commands")
    m.expect("cinit> ")
    for command, line in (("arun nvt fill nvblock 5000 3", r"nvt: filled nvblock [0-9a-f]{8}"),
                          ("arun nvt sync nvblock", r"nvt: sync nvblock 0")):
        m.sendline(command)
        m.expect(f"{SAID}{line}\n")
        m.expect_line(r"kernel: nvt \(aid \d+\) exited with status 0")
    m.sendline("pmm")
    m.expect_line(r"bank: 2 of \d+ pages used .*, 1 of \d+ blocks")
    m.expect_line(r"nvram: blocks 1 of 128, pages 2 of 1024 committed, 3 commits since boot, "
                  r"erase counts \d+-\d+ over 256 erase blocks")
    m.expect_line(r"NVRAM:nvblock +5000 nvt.? +- -")


def _job(board, tmp_path, seed, **params):
    return Job("powercut", 0, seed, params, board, tmp_path / "job.log")


def test_power_cuts(board, tmp_path, log_path):
    """Power cuts at random instants during allocations, pmmSync and frees: each boot finds
    the medium valid with the state before or after the step in flight."""
    job = _job(board, tmp_path, 2026, cuts=5, damages=0, steps=40)
    try:
        figures = powercut._run(job)
    finally:
        job.close()
        log_path.write_text((tmp_path / "job.log").read_text(errors="replace"))
    assert not job.failures, "\n".join(job.failures)
    assert figures["powercut_cuts_count"] == 5 and figures["powercut_steps_done"] > 0
    assert figures["powercut_records_lost"] == 0 and figures["powercut_invalid_boots"] == 0


def test_damaged_flash(board, tmp_path, log_path):
    """Random bytes in the head segment's header, the directory, a page record in use: each
    detected with a line and a clean re-initialisation."""
    job = _job(board, tmp_path, 7, cuts=0, damages=3, steps=0)
    try:
        figures = powercut._run(job)
    finally:
        job.close()
        text = (tmp_path / "job.log").read_text(errors="replace")
        log_path.write_text(text)
    assert not job.failures, "\n".join(job.failures)
    assert figures["powercut_damages_count"] == 3 and figures["powercut_damages_missed"] == 0
    whats = re.findall(r"^pmm: nvram invalid \((.*)\), initialised$", text, re.MULTILINE)
    assert len(whats) == 3, whats
