"""Damage to HR's structures in the bank, and to the PMM's directory beside them: each is found
at the next warm boot with a console line, and only the damaged structure is re-initialised
(the torture campaign tests/torture/corrupt.py does this at random; these are its fixed cases)."""
import re
import struct

BANK = 0x4FC00000
DIRECTORY = BANK + 0x2000           # pmm/include/pmm/bank.h: slot 0's entry
REGISTRY = BANK + 0xA000            # hr/include/hr/registry.h: copy A, then copy B at + 0x2000
CRASHLOG = BANK + 0xE000            # hr/include/hr/crashlog.h: 192-byte records


def _setup(boot, board):
    """The corrupt image with group 1 (hrcrash, waiting) and two crash-log records (sleep on:
    the gdb stub that writes the damage stops and resumes the guest)."""
    m = boot(board.image("corrupt"), icount="shift=0,align=off")
    m.expect("cinit> ")
    for gid, kind in ((2, "data"), (3, "undef")):
        m.sendline(f"arun -g {gid} hrcrash {kind}")
        m.expect("hrcrash: finished")
    m.sendline("arun -g 1 hrcrash kill")
    m.expect("hrcrash: waiting to be killed")
    return m


def _flip(m, paddr):
    """Changes one byte of guest memory."""
    m.write_phys(paddr, bytes([m.read_phys(paddr, 1)[0] ^ 0x5A]))


def _hr(m, prompted=False):
    """What the console's `hr` prints, once the boot's prompt has come (prompted: it has
    been read already)."""
    if not prompted:
        m.expect("cinit> ")
    m.sendline("hr")
    start = m.pos
    m.expect("cinit> ")
    return m.text[start:m.pos]


def test_damaged_crash_record_is_reported_and_skipped(boot, board):
    """HR says it skipped the record; `hr` shows the other one."""
    m = _setup(boot, board)
    _flip(m, CRASHLOG + 60)                         # record #1's name
    m.reset()
    # HR checks its crash log once the boot is over and the CPU idle: after C_INIT's prompt.
    m.expect(r"(?:^|(?<=cinit> ))hr: crash log: 1 record, seq 2\.\.2, 1 damaged slot skipped\n")
    out = _hr(m, prompted=True)
    assert "#1 " not in out and re.search(r"^  #2 .*undefined instruction", out, re.MULTILINE)


def test_damaged_registry_copy_is_reported_and_the_other_used(boot, board):
    """Damage to the older registry copy: HR names it and keeps the registry from the other."""
    m = _setup(boot, board)
    seqs = [struct.unpack("<I", m.read_phys(REGISTRY + c * 0x2000 + 8, 4))[0] for c in (0, 1)]
    older = 0 if seqs[0] < seqs[1] else 1
    _flip(m, REGISTRY + older * 0x2000 + 0x88)      # its group table
    m.reset()
    m.expect_line(rf"hr: registry kept, 1 group \(copy {'BA'[older]}, seq \d+\); "
                  rf"copy {'AB'[older]}: group table CRC mismatch")
    m.expect_line("hr: restarting group 1 after the site restart")


def test_damaged_directory_entry_keeps_the_registry_and_crash_log(boot, board):
    """The PMM re-initialises its directory, but not HR's areas: the group comes back and the
    crash log is whole."""
    m = _setup(boot, board)
    _flip(m, DIRECTORY + 16)                        # slot 0's name: hrcrash's block
    m.reset()
    m.expect_line(r"pmm: bank invalid \(entry 0 crc\), initialised")
    m.expect_line("hr: restarting group 1 after the site restart")
    out = _hr(m)
    assert re.search(r"^  #1 .*data abort", out, re.MULTILINE)
    assert re.search(r"^  #2 .*undefined instruction", out, re.MULTILINE)
