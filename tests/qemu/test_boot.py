"""Boot scenarios: the banner, kernel panics from the fault self tests, warm and cold boots."""
import re
import subprocess

import pytest
from reprise import elf_symbol

# What each board's banner says about itself (boards/<board>/board.h).
BANNER_FACTS = {
    "virt": {
        "cpu": "cortex-a15",
        "ram": "ram 0x40000000-0x4fffffff (256 MiB), bank 0x4fc00000-0x4fffffff (4096 KiB)",
    },
}

COLD = r"cold, boot 1, bank marker written, \d+ ns since power-on"
NS = r"\d+ ns since power-on"


def expect_banner(m, board, boot):
    """The three banner lines: build and board, RAM and bank, then `boot: <boot regex>`."""
    facts = BANNER_FACTS[board.name]
    m.expect_line(rf"Reprise \S+, board {board.name} \({facts['cpu']}\)")
    m.expect_line(re.escape(facts["ram"]))
    m.expect_line(f"boot: {boot}")


@pytest.fixture(autouse=True)
def known_board(board):
    """These scenarios check exact banner text: skip boards without facts above."""
    if board.name not in BANNER_FACTS:
        pytest.skip(f"no banner facts for board {board.name}")


def test_cold_boot_banner(boot, board):
    """Power on: the banner names the build, the board and CPU, RAM and bank, and a cold boot."""
    m = boot()
    expect_banner(m, board, COLD)


# Self test -> (trap, pc in the header or None, decoded fault line or None for no fault line).
KERNEL_FAULTS = {
    "kfault-read": ("data abort", None,
                    r"read at 0x00000010, translation fault \(level 1\), DFSR=0x00000005"),
    "kfault-write": ("data abort", None,
                     r"write at 0x3ffff000, translation fault \(level 1\), DFSR=0x00000805"),
    "kfault-exec": ("prefetch abort", 0x00100000,
                    r"execute at 0x00100000, translation fault \(level 1\), IFSR=0x00000005"),
    "kfault-align": ("data abort", None,
                     r"read at 0x40010001, alignment fault, DFSR=0x00000001"),
    "kfault-undef": ("undefined instruction", None, None),
    # W^X in the kernel's own image: text is read-only, data is execute-never.
    "kfault-text-write": ("data abort", None,
                          r"write at 0x400[0-9a-f]{5}, permission fault \(level 2\), DFSR=0x0000080f"),
    "kfault-exec-data": ("prefetch abort", None,
                         r"execute at 0x400[0-9a-f]{5}, permission fault \(level 2\), IFSR=0x0000000f"),
}
def registers(*names):
    """A register dump line: "  r0 =0x00000000  r1 =0x..." (names padded to 3 columns)."""
    return "".join(f"  {name:<3}=0x[0-9a-f]{{8}}" for name in names)


UDF_T16 = 0xde00        # the kernel is Thumb-2: kfault-undef executes the 16-bit "udf #0"
PSR_T = 1 << 5
PSR_MODE_SVC = 0x13


@pytest.mark.parametrize("selftest", list(KERNEL_FAULTS))
def test_kernel_fault_panics_and_halts(boot, board, selftest):
    """A fault in the kernel prints a readable panic (trap, mode, registers, decoded fault),
    then the machine stops: QEMU keeps running, nothing more is printed, no reset happens."""
    trap, want_pc, fault = KERNEL_FAULTS[selftest]
    m = boot(selftest=selftest)
    expect_banner(m, board, COLD)
    m.expect_line(f"selftest: {selftest}")

    head = m.expect_line(rf"\*\*\* KERNEL PANIC: {trap} in (\w+) mode at pc=(0x[0-9a-f]{{8}})")
    assert head.group(1) == "SVC"
    pc = int(head.group(2), 16)
    if want_pc is not None:
        assert pc == want_pc

    m.expect_line(registers("r0", "r1", "r2", "r3"))
    m.expect_line(registers("r4", "r5", "r6", "r7"))
    m.expect_line(registers("r8", "r9", "r10", "r11"))
    m.expect_line(registers("r12"))
    regs = m.expect_line(r"  sp =(0x[0-9a-f]{8})  lr =(0x[0-9a-f]{8})  "
                         r"pc =(0x[0-9a-f]{8})  cpsr=(0x[0-9a-f]{8})")
    assert int(regs.group(3), 16) == pc
    assert int(regs.group(4), 16) & 0x1f == PSR_MODE_SVC
    if fault is not None:
        m.expect_line(f"  fault: {fault}")
    m.expect_line(r"\*\*\* system halted")

    if selftest == "kfault-undef":
        assert int(regs.group(4), 16) & PSR_T, "the kernel runs in Thumb state"
        assert m.x(pc & ~3)[0] >> (8 * (pc & 2)) & 0xffff == UDF_T16, \
            "pc names the undefined instruction itself"
    m.expect_silence(seconds=1.0)
    assert m.qmp("query-status")["status"] == "running"
    assert m.events("RESET") == []


def test_warm_reset_from_qmp_keeps_bank(boot, board):
    """system_reset from outside: RAM is kept, so the next boots are warm (external reset),
    counting boot 2, then boot 3."""
    m = boot()
    expect_banner(m, board, COLD)

    m.reset()
    assert m.wait_event("RESET")["data"] == {"guest": False, "reason": "host-qmp-system-reset"}
    expect_banner(m, board, rf"warm \(external reset\), boot 2, bank marker kept, {NS}")

    m.reset()
    expect_banner(m, board, rf"warm \(external reset\), boot 3, bank marker kept, {NS}")


def test_warm_reset_from_psci(boot, board):
    """The psci-reset self test asks for a site restart on a cold boot: PSCI SYSTEM_RESET
    from the guest, then a warm boot that says why."""
    m = boot(selftest="psci-reset")
    expect_banner(m, board, COLD)
    m.expect_line("selftest: psci-reset")
    m.expect_line(r"kernel: site restart \(site restart requested\)")

    expect_banner(m, board, rf"warm \(site restart requested\), boot 2, bank marker kept, {NS}")
    assert m.wait_event("RESET")["data"]["guest"] is True
    m.expect_line("selftest: psci-reset")       # on a warm boot it does nothing more


def test_power_cycle_after_warm_reset_is_cold(boot, board):
    """A warm reset keeps the bank, but a new QEMU process starts with zeroed RAM: cold, boot 1."""
    m = boot()
    expect_banner(m, board, COLD)
    m.reset()
    expect_banner(m, board, rf"warm \(external reset\), boot 2, bank marker kept, {NS}")

    m.power_cycle()
    expect_banner(m, board, COLD)


def test_damaged_bank_marker_boots_cold(boot, board):
    """A bank marker that fails its check is not trusted: after a warm reset the kernel
    says cold, boot 1, and writes a new marker, which the next reset keeps."""
    m = boot()
    expect_banner(m, board, COLD)
    bank = int(re.search(r"bank (0x[0-9a-f]+)-", m.text).group(1), 16)

    m.write_phys(bank, b"\xa5" * 64)                # scribble over the marker (gdb stub),
    m.write_phys(bank + 2048, b"\xa5" * 64)         # both copies of it
    m.reset()
    expect_banner(m, board, COLD)

    m.reset()
    expect_banner(m, board, rf"warm \(external reset\), boot 2, bank marker kept, {NS}")


def test_banner_time_after_five_minutes(boot, board):
    """The banner's time since power-on stays right past 2^64 / 1e9 counter ticks (~295 s at
    62.5 MHz), where ticks * 1e9 overflowed: an actor sleeps 300 s of virtual time (-icount
    with sleep=off skips the idle time), then a site restart's banner says at least 300 s.
    Found by the storm torture campaign, whose loop-breaker replay reads these times."""
    m = boot(board.image("storm"), icount=True)
    m.expect_line("cinit: type help for the commands")
    m.sendline("arun hrstorm sleep 300000")
    m.expect_line(r"(?:cinit> )*hrstorm: slept 300000", timeout=120)
    m.sendline("restart")
    ns = m.expect_line(r"boot: warm \(site restart requested\), boot 2, bank marker kept, "
                       r"(\d+) ns since power-on").group(1)
    assert 300_000_000_000 <= int(ns) < 400_000_000_000, ns


def _after_call(elf, function, callee):
    """The address of the instruction after function's call to callee (objdump)."""
    out = subprocess.run(["arm-none-eabi-objdump", "-d", f"--disassemble={function}", str(elf)],
                         check=True, capture_output=True, text=True).stdout
    lines = [ln for ln in out.splitlines() if re.match(r"^\s*[0-9a-f]+:\t", ln)]
    for i, ln in enumerate(lines):
        if re.search(rf"\bblx?\s+[0-9a-f]+ <{callee}>", ln):     # blx: an ARM callee
            return int(lines[i + 1].split(":")[0], 16)
    raise AssertionError(f"{function} does not call {callee}")


@pytest.mark.parametrize("instant", ["second crc", "copy written, crc not"])
def test_reset_while_the_boot_record_is_written_keeps_the_boot_warm(boot, board, instant):
    """A warm reset in the middle of the kernel's update of its boot record, at boot: the
    record that was there stays whole (the update writes the other copy), so the next boot is
    still warm and counts on from it. (With one copy rewritten in place, a reset before its new
    CRC made the next boot cold, and the PMM wiped the bank.)"""
    m = boot(icount="shift=0,align=off")        # sleep on: the gdb stub resumes the guest
    expect_banner(m, board, COLD)
    if instant == "second crc":                 # the first checks the record, the second seals
        pc, hits = elf_symbol(m.kernel, "crc32_update"), 2
    else:
        pc, hits = _after_call(m.kernel, "bootrec_write", "memcpy"), 1
    m.stop_at(pc, 1, timeout=0)                 # holds the guest: the reset's boot starts held
    m.reset()
    assert m.stop_at(pc, hits)
    m.reset()
    m.resume()
    expect_banner(m, board, rf"warm \(external reset\), boot 2, bank marker kept, {NS}")
