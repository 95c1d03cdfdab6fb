"""PMM scenarios: persistent blocks across runs, warm resets and cold boots, a damaged bank,
the bad inputs of SPEC 4, unmapping on free, many blocks, two actors at once, pmmFreeAll.

Each boots the PMM test image (tests/images/pmm.image: the PMM server, the kdriver console
shell, the pmmt test actor, and pmmt again as pmmsite with the site privilege) and types
kdriver commands such as `run pmmt set PM1 4096 KEY 42` (tests/actors/pmmt/pmmt.c)."""
import re
import struct

import pytest

BANK_PADDR = 0x4FC00000         # boards/virt: the last 4 MiB of RAM
HEADER = BANK_PADDR + 0x1000    # pmm/include/pmm/bank.h: BANK_HEADER_OFF
ROOTS = (BANK_PADDR + 0x1100, BANK_PADDR + 0x1140)
DIRECTORY = BANK_PADDR + 0x2000     # slot i's entry at DIRECTORY + 128 * i
FIRST_BLOCK = 0x3001A000        # ACTOR_PMM_VADDR + the data area's offset
ADDR = r"(0x[0-9a-f]{8})"
SAID = r"(?:^|(?<=> ))"             # actor output may follow the prompt kdriver already printed


@pytest.fixture(autouse=True)
def virt_only(board):
    """The bank's physical layout below is the virt board's."""
    if board.name != "virt":
        pytest.skip("bank addresses are those of the virt board")


def power_on(boot, board, bank="pmm: bank initialised"):
    """Boots the PMM image and waits for the PMM's bank line and kdriver's first prompt."""
    m = boot(board.image("pmm"))
    came_up(m, bank)
    return m


def came_up(m, bank):
    """After a boot: the PMM's bank line, then kdriver ready at its prompt."""
    m.expect_line(bank)
    m.expect_line(r"kdriver: ready, \d+ free pages")
    m.expect("kdriver> ")


def said(m, line):
    """Waits for an output line (regex), which may start right after a kdriver prompt."""
    return m.expect(f"{SAID}(?:{line})\n")


def typed(m, command, *lines):
    """Types a kdriver command, waits for each output line in turn, then for the prompt
    (after `start`, the started actor's lines may come later, after the prompt)."""
    m.sendline(command)
    found = [said(m, line) for line in lines]
    m.expect("kdriver> ")
    return found


def run(m, command, *lines):
    """`run IMAGE ARGS`: the actor starts, prints lines, and ends."""
    return typed(m, f"run {command}", r"kdriver: started \S+ as aid \d+", *lines,
                 r"kdriver: \S+ ended")[1:-1]


def start(m, command, *lines):
    """`start IMAGE ARGS`: the actor's id; lines it prints are waited for at once."""
    aid = int(typed(m, f"start {command}", r"kdriver: started \S+ as aid (\d+)")[0].group(1))
    for line in lines:
        said(m, line)
    return aid


def set_block(m, name, size, key, value):
    """`pmmt set`: allocates (or retrieves) a block, stores value; returns its address."""
    return run(m, f"pmmt set {name} {size} {key} {value}",
               rf"pmmt: set {name} at {ADDR} = {value}")[0].group(1)


def get_block(m, name, size, key, addr, value):
    """`pmmt get`: the block is at addr and holds value."""
    run(m, f"pmmt get {name} {size} {key}", rf"pmmt: get {name} at {addr} = {value}")


def stat(m, blocks, pages):
    """`pmmt stat`: the bank holds blocks blocks using pages data pages."""
    run(m, "pmmt stat", rf"pmmt: stat: 0, {blocks} blocks of 256, {pages} of 998 pages used, "
                        r"bank 4194304 bytes")


def warm_reset(m, bank):
    """QMP system_reset: a warm boot, then the PMM's bank line and the prompt."""
    m.reset()
    m.expect_line(r"boot: warm \(external reset\), boot \d+, bank marker kept, .*")
    came_up(m, bank)


def roots(m):
    """The two directory root copies: [(seq, blocks)] for copy 0 and 1 (struct bank_root)."""
    out = []
    for paddr in ROOTS:
        magic, copy, seq, blocks = struct.unpack("<IIQI", m.read_phys(paddr, 20))
        assert magic == 0x544F4F52 and copy == len(out), "root copy at its place"
        out.append((seq, blocks))
    return out


# ---- persistence ----------------------------------------------------------------------------

def test_block_retrieved_when_the_image_runs_again(boot, board):
    """A block allocated by one run of pmmt is found by the next run of the same image at the
    same address with the same contents; a run that stores again sees its own value."""
    m = power_on(boot, board)
    addr = set_block(m, "PM1", 4096, "KEY", 42)
    assert addr == f"{FIRST_BLOCK:#010x}"
    get_block(m, "PM1", 4096, "KEY", addr, 42)
    assert set_block(m, "PM1", 4096, "KEY", 43) == addr
    get_block(m, "PM1", 4096, "KEY", addr, 43)
    run(m, "pmmt list", rf"pmmt: block PM1 size 4096 pages 1 at {addr} owner pmmt group 0 mappers 0",
        r"pmmt: list: 1 blocks, 1 of 998 pages used, consistent")


def test_block_survives_warm_reset_from_qmp(boot, board):
    """system_reset from outside keeps RAM: the PMM keeps the bank and the block is there."""
    m = power_on(boot, board)
    addr = set_block(m, "PM1", 4096, "KEY", 42)
    warm_reset(m, "pmm: bank kept, 1 block")
    get_block(m, "PM1", 4096, "KEY", addr, 42)


def test_block_survives_site_restart_from_psci(boot, board):
    """A site restart asked by an actor (SYS_SITE_RESTART: PSCI SYSTEM_RESET) keeps the bank."""
    m = power_on(boot, board)
    addr = set_block(m, "PM1", 4096, "KEY", 42)
    set_block(m, "PM2", 20000, "KEY", 7)
    m.sendline("run pmmsite restart")
    said(m, "pmmt: site restart")
    m.expect_line(r"kernel: site restart \(site restart requested\)")
    m.expect_line(r"boot: warm \(site restart requested\), boot 2, bank marker kept, .*")
    assert m.wait_event("RESET")["data"]["guest"] is True
    came_up(m, "pmm: bank kept, 2 blocks")
    get_block(m, "PM1", 4096, "KEY", addr, 42)
    get_block(m, "PM2", 20000, "KEY", ADDR, 7)


def test_cold_boot_starts_with_an_empty_bank(boot, board):
    """A new QEMU process has zeroed RAM: the bank is initialised, the old block is gone and
    the same name gives a new, zero-filled block."""
    m = power_on(boot, board)
    set_block(m, "PM1", 4096, "KEY", 42)
    warm_reset(m, "pmm: bank kept, 1 block")
    m.power_cycle()
    came_up(m, "pmm: bank initialised")
    stat(m, 0, 0)
    get_block(m, "PM1", 4096, "KEY", f"{FIRST_BLOCK:#010x}", 0)


# ---- a damaged bank -------------------------------------------------------------------------

@pytest.mark.parametrize("damage, reason", [
    pytest.param((0, b"\xa5" * 64), "header magic", id="magic"),      # all of it scribbled over
    pytest.param((8, b"\x00\x00\x10\x00"), "header crc", id="crc"),  # bank_size, CRC as it was
])
def test_damaged_header_reinitialises_the_bank(boot, board, damage, reason):
    """Garbage in the bank header (through the gdb stub): after a warm reset the PMM says
    what was wrong, starts with an empty bank, and that bank works and is kept."""
    m = power_on(boot, board)
    set_block(m, "PM1", 4096, "KEY", 42)
    offset, garbage = damage
    m.write_phys(HEADER + offset, garbage)
    warm_reset(m, rf"pmm: bank invalid \({reason}\), initialised")
    stat(m, 0, 0)
    get_block(m, "PM1", 4096, "KEY", f"{FIRST_BLOCK:#010x}", 0)
    set_block(m, "PM3", 4096, "KEY", 3)
    warm_reset(m, "pmm: bank kept, 2 blocks")


def test_damaged_directory_entry_reinitialises_the_bank(boot, board):
    """One byte of a live directory entry changed (slot 0, in its name): its CRC fails, the
    directory is not half trusted: the bank is re-initialised, empty and working."""
    m = power_on(boot, board)
    set_block(m, "PM1", 4096, "KEY", 42)
    set_block(m, "PM2", 4096, "KEY", 43)
    m.write_phys(DIRECTORY + 0x10, b"X")
    warm_reset(m, r"pmm: bank invalid \(entry 0 crc\), initialised")
    stat(m, 0, 0)
    set_block(m, "PM1", 4096, "KEY", 44)
    run(m, "pmmt list", r"pmmt: block PM1 .*", r"pmmt: list: 1 blocks, 1 of 998 pages used, consistent")


def test_damaged_older_root_copy_keeps_the_bank(boot, board):
    """Garbage over the older directory root copy: the bank is kept from the newer one, with
    a note; the next update rewrites the bad copy, and the note is gone at the next reset."""
    m = power_on(boot, board)
    addr1 = set_block(m, "PM1", 4096, "KEY", 42)
    addr2 = set_block(m, "PM2", 4096, "KEY", 43)
    (seq0, _), (seq1, _) = roots(m)
    older, newer = (0, 1) if seq0 < seq1 else (1, 0)
    m.write_phys(ROOTS[older], b"\x5a" * 48)
    warm_reset(m, "pmm: bank kept, 2 blocks")
    assert re.search(rf"^pmm: note: directory copy {older} bad, copy {newer} used$",
                     m.text, re.MULTILINE)
    get_block(m, "PM1", 4096, "KEY", addr1, 42)
    get_block(m, "PM2", 4096, "KEY", addr2, 43)
    run(m, "pmmt free PM2 KEY", "pmmt: free PM2: 0")
    warm_reset(m, "pmm: bank kept, 1 block")
    assert m.text.count("pmm: note:") == 1, "both root copies are good again"


def test_damaged_newer_root_copy_takes_the_last_update_back(boot, board):
    """Garbage over the newer root copy: the older copy is a whole earlier state, so the bank
    is kept as it was before the last update (PM2's allocation), with a note."""
    m = power_on(boot, board)
    addr1 = set_block(m, "PM1", 4096, "KEY", 42)
    set_block(m, "PM2", 4096, "KEY", 43)
    (seq0, _), (seq1, _) = roots(m)
    older, newer = (0, 1) if seq0 < seq1 else (1, 0)
    m.write_phys(ROOTS[newer] + 8, b"\xff")             # one byte of its sequence number
    warm_reset(m, "pmm: bank kept, 1 block")
    assert re.search(rf"^pmm: note: directory copy {newer} bad, copy {older} used$",
                     m.text, re.MULTILINE)
    get_block(m, "PM1", 4096, "KEY", addr1, 42)
    run(m, "pmmt list", r"pmmt: block PM1 .*", r"pmmt: list: 1 blocks, 1 of 998 pages used, consistent")


# ---- bad input --------------------------------------------------------------------------------

def test_every_bad_input_is_refused_and_changes_nothing(boot, board):
    """SPEC 4's bad inputs, each with its code and the bank unchanged after it (pmmt errors:
    medium, name, sizes, keys, __SYS and HR_GROUP_KEY, retrievals that do not match, bank
    full, pointers outside the caller, pmmFree/pmmFreeAll, the raw protocol), then the
    directory full (K_ETOOMUCH) with 256 blocks."""
    m = power_on(boot, board)
    set_block(m, "e.foreign", 4096, "fkey", 7)
    run(m, "pmmt errors e.foreign fkey", r"pmmt: errors: \d+ checks, 0 failed")
    stat(m, 1, 1)
    typed(m, "cycles 16 pmmt fill full 16", *[r"pmmt: fill full: 16 allocated, .*"] * 15,
          r"pmmt: fill full: 15 allocated, full240\.\.full254, error -7",
          r"kdriver: 16 cycles of pmmt, 0 failed, .*")
    run(m, "pmmt full", r"pmmt: full: \d+ checks, 0 failed")
    run(m, "pmmt drain full", r"pmmt: drain full: 255 freed, 0 failed, 1 blocks left, 1 pages used")
    get_block(m, "e.foreign", 4096, "fkey", f"{FIRST_BLOCK:#010x}", 7)


# ---- free unmaps ----------------------------------------------------------------------------

def test_free_unmaps_the_block_from_another_actor(boot, board):
    """An actor holds block H mapped; another (which retrieved it with its key, so it may
    free it) frees it and a third gets the same pages as block N. The holder's next write faults (the kernel prints the data abort) and N keeps
    its contents: freed pages are never reachable through an old mapping."""
    m = power_on(boot, board)
    addr = set_block(m, "H", 4096, "hkey", 7)
    holder = start(m, "pmmt hold H 4096 hkey N", rf"pmmt: hold H at {addr} = 7, waiting for N")
    run(m, "pmmt free H hkey", "pmmt: free H: 0")
    assert set_block(m, "N", 4096, "nkey", 9) == addr
    typed(m, f"wait {holder}", f"kdriver: {holder} ended")
    after_free = m.text[m.text.index("pmmt: free H: 0"):]       # the holder's lines come
    assert re.search(rf"{SAID}pmmt: hold H: writing {addr}\n", after_free, re.M)    # any time
    assert re.search(rf"{SAID}kernel: pmmt \(aid {holder}\) data abort pc=0x[0-9a-f]{{8}} "
                     rf"addr={addr} write, translation fault; actor deleted$", after_free, re.M)
    assert "still mapped" not in m.text
    get_block(m, "N", 4096, "nkey", addr, 9)


# ---- many blocks ----------------------------------------------------------------------------

def test_256_blocks_allocated_listed_and_freed(boot, board):
    """16 runs of 16 allocations fill the directory (256 blocks of 1-3 pages); the listing is
    consistent; a warm reset keeps all 256; one actor frees them all; pages back to 0. Then
    one actor allocates 256 blocks (all mapped in it at once), finds each listed at its
    address, and frees them."""
    m = power_on(boot, board)
    typed(m, "cycles 16 pmmt fill blk 16", *[r"pmmt: fill blk: 16 allocated, .*"] * 16,
          r"kdriver: 16 cycles of pmmt, 0 failed, .*")
    pages = sum(1 + k % 3 for k in range(256))
    run(m, "pmmt list blk", *[rf"pmmt: block blk{k} size {4096 * (1 + k % 3)} .*" for k in range(256)],
        rf"pmmt: list: 256 blocks \(256 of key blk\), {pages} of 998 pages used, consistent")
    warm_reset(m, "pmm: bank kept, 256 blocks")
    stat(m, 256, pages)
    run(m, "pmmt drain blk", "pmmt: drain blk: 256 freed, 0 failed, 0 blocks left, 0 pages used")
    run(m, "pmmt many 256", r"pmmt: many 256: allocated 256, listed 256, freed 256, used pages 0 -> 256 -> 0",
        r"pmmt: many: \d+ checks, 0 failed")
    stat(m, 0, 0)


# ---- two actors at once ---------------------------------------------------------------------

def test_two_actors_allocating_and_freeing_keep_the_directory_consistent(boot, board):
    """Two stress actors allocate, check and free blocks in turns (each call yields to the
    other); neither sees another's data in its blocks; afterwards only the block from before
    is left, the directory is consistent and the used pages are those of before."""
    m = power_on(boot, board)
    set_block(m, "keep", 8192, "kkey", 5)
    stat(m, 1, 2)
    first = start(m, "pmmt stress a 300")
    m.sendline("run pmmt stress b 300")
    ends = sorted(said(m, r"pmmt: stress ([ab]): 300 rounds, (\d+) switches, \d+ checks, 0 failed")
                  .groups() for _ in "ab")
    assert [who for who, _ in ends] == ["a", "b"]
    assert all(int(switches) > 0 for _, switches in ends), "the two actors' calls alternated"
    typed(m, f"wait {first}", f"kdriver: {first} ended")
    run(m, "pmmt list", r"pmmt: block keep size 8192 .*",
        r"pmmt: list: 1 blocks, 2 of 998 pages used, consistent")
    get_block(m, "keep", 8192, "kkey", f"{FIRST_BLOCK:#010x}", 5)


# ---- pmmFreeAll -----------------------------------------------------------------------------

def test_free_all_returns_the_bank_pages(boot, board):
    """Blocks of one key from separate runs, one of another key: pmmFreeAll frees those of
    the key only, and the bank's used pages come back to where they started."""
    m = power_on(boot, board)
    stat(m, 0, 0)
    set_block(m, "fa1", 8192, "K", 1)
    set_block(m, "fa2", 4096, "K", 2)
    set_block(m, "other", 4096, "O", 3)
    stat(m, 3, 4)
    run(m, "pmmt freeall K", "pmmt: freeall K: 0")
    stat(m, 1, 1)
    run(m, "pmmt freeallcheck fk 12", r"pmmt: freeallcheck fk: 12 freed, used pages 1 -> \d+ -> 1",
        r"pmmt: freeallcheck: \d+ checks, 0 failed")
    run(m, "pmmt free other O", "pmmt: free other: 0")
    stat(m, 0, 0)
