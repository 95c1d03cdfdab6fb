"""Torture campaign 7, power cuts: pulls the power (SIGKILL to QEMU) at random instants while
the nvt actor (tests/actors/nvt) allocates, writes + commits (pmmSync) and frees NVRAM blocks,
boots a new QEMU process on the same flash file and checks what the medium holds; then damages
the flash file and checks that the boot detects it.

A round: power on (tests/images/nvram.image with the job's flash file), expect `pmm: nvram
kept, N blocks`, list every NVRAM block with its size and FNV-1a hash (`nvt dump`), start
`nvt churn SEED STEPS` (blocks c0..c3; each step prints `begin OP NAME [SIZE HASH]`, what the
block holds committed once the step is done, then `done`), and cut the power after a random
wall-clock pause, or (every other two rounds) as soon as a `begin free` or `begin alloc` line
comes, so that cuts race the short operations too. The next round's dump must be exactly the state after the last step whose
`done` came out, or that state with the step in flight applied (old or new, never a mix,
never another block's bytes). Each cut is counted by where it fell: inside an allocation, a
pmmSync, a free, or between steps. Stale structures are never damaged on purpose.

Damage (the last rounds of a job): with the power off, 1-8 random bytes (each one changed)
go into one structure of the flash file that the state depends on, in turn: the head
segment's header, the current directory record, a page record in use (found by parsing the
file as pmm/include/pmm/nvram.h lays it out). The boot must say `pmm: nvram invalid (<what>),
initialised` and hold no block; the medium is then formatted cleanly (the next power-on says
`kept, 0 blocks`).

Figures: powercut_cuts_count (and _in_alloc, _in_sync, _in_free, _between_steps),
powercut_flight_undone and powercut_flight_done (the step in flight came back undone, done),
powercut_steps_done, powercut_records_lost (a dump that is neither state: must be 0),
powercut_invalid_boots (a cut that made the medium invalid: must be 0),
powercut_damages_count, powercut_damages_missed (must be 0)."""
from __future__ import annotations

import os
import re
import shutil
import struct
import tempfile
import time
import zlib

from common import Campaign, Job

import reprise

IMAGE = "nvram"
KEPT = re.compile(r"^pmm: nvram (?:kept, (\d+) blocks?|blank, initialised|"
                  r"invalid \((.*)\), initialised)\n", re.MULTILINE)
SAID = r"(?:^|(?<=> ))"
BLOCK = re.compile(SAID + r"nvt: block (\S+) (\d+) ([0-9a-f]{8})$", re.MULTILINE)
STEP = re.compile(SAID + r"nvt: step (\d+) (begin (alloc|sync|free) (\S+)(?: (\d+) ([0-9a-f]{8}))?|"
                  r"done)$", re.MULTILINE)
SEG_MAGIC, REC_MAGIC, COMMIT, NONE = 0x4753564E, 0x4352564E, 0x54494D43, 0xFFFFFFFF
ENTRY_SIZE = 112                # struct nvram_entry (pmm/include/pmm/nvram.h)


def _jobs(scale: str) -> list[dict]:
    """Full: 4 jobs of 30 cuts and 6 damages; smoke: one job of 4 cuts and 3 damages."""
    if scale == "smoke":
        return [{"cuts": 4, "damages": 3, "steps": 30}]
    return [{"cuts": 30, "damages": 6, "steps": 60} for _ in range(4)]


def segment_size(board: reprise.Board) -> int:
    """The erase block of the board's NVRAM flash, from board.h."""
    text = (board.dir / "board.h").read_text()
    return int(re.search(r"BOARD_NVRAM_BLOCK_SIZE\s+U32\((0x[0-9a-fA-F]+)\)", text)[1], 16)


def structures(data: bytes, seg: int) -> dict:
    """The structures the current state depends on, as (offset, length): 'segment' (the head's
    header), 'directory' (the current directory record), 'page' (page records in use)."""
    heads = []
    for s in range(len(data) // seg):
        h = struct.unpack_from("<9I", data, s * seg)
        if h[0] == SEG_MAGIC and h[8] == COMMIT and zlib.crc32(data[s * seg:s * seg + 28]) == h[7]:
            heads.append((h[2], s, h[4]))
    seq, head, dir_off = max(heads)
    off = head * seg + 64
    while off + 24 <= (head + 1) * seg:
        magic, kind, length, _ = struct.unpack_from("<4I", data, off)
        if (magic != REC_MAGIC or off + 24 + length > (head + 1) * seg
                or struct.unpack_from("<I", data, off + 20 + length)[0] != COMMIT):
            break
        if kind == 2:
            dir_off = off
        off += 24 + length
    length = struct.unpack_from("<I", data, dir_off + 8)[0]
    _, nblocks, _, _ = struct.unpack_from("<4I", data, dir_off + 16)
    pages, p = [], dir_off + 32
    for _ in range(nblocks):
        npages = struct.unpack_from("<I", data, p + 8)[0]
        locs = struct.unpack_from(f"<{npages}I", data, p + ENTRY_SIZE)
        pages += [(loc, 24 + 8 + 4096) for loc in locs if loc]
        p += ENTRY_SIZE + 4 * npages
    return {"segment": [(head * seg, 36)], "directory": [(dir_off, 24 + length)], "page": pages}


def power_on(job: Job, path: str) -> tuple[reprise.Machine, re.Match]:
    """Boots the NVRAM image on the flash file; returns the machine and its nvram line."""
    m = job.machine(IMAGE, nvram=path)
    line = m.expect(KEPT)
    m.expect("kdriver> ")
    return m, line


def dump(m: reprise.Machine) -> dict:
    """{name: (size, hash)} of every NVRAM block (nvt dump)."""
    m.sendline("run nvt dump")
    start = m.pos
    m.expect(SAID + r"nvt: dump done (\d+)\n")
    text = m.text[start:m.pos]
    m.expect("kdriver> ")
    return {b[0]: (int(b[1]), b[2]) for b in BLOCK.findall(text)}


def replay(state: dict, text: str) -> tuple[dict, tuple | None, int]:
    """Applies the churn's steps that said done to state; returns the new state, the step in
    flight (op, name, size, hash) or None, and the number of steps done."""
    state, flight, done = dict(state), None, 0
    for s in STEP.finditer(text):
        if s[2] == "done":
            state = apply(state, flight)
            flight, done = None, done + 1
        else:
            flight = (s[3], s[4], int(s[5]) if s[5] else 0, s[6])
    return state, flight, done


def apply(state: dict, step: tuple | None) -> dict:
    """The state once step is done."""
    state = dict(state)
    if step:
        op, name, size, digest = step
        if op == "free":
            state.pop(name, None)
        else:
            state[name] = (size, digest)
    return state


def _damage(job: Job, path: str, seg: int, kind: str) -> bool:
    """Writes 1-8 changed random bytes into one structure of kind; False when there is none."""
    with open(path, "r+b") as f:
        data = f.read()
        found = structures(data, seg)[kind]
        if not found:
            return False
        off, length = job.rng.choice(found)
        for _ in range(job.rng.randint(1, 8)):
            at = off + job.rng.randrange(length)
            f.seek(at)
            f.write(bytes([data[at] ^ job.rng.randint(1, 255)]))
        job.log(f"damaged {kind} at 0x{off:x} ({length} bytes)")
    return True


def _run(job: Job) -> dict:
    """Cuts the power during churns, then damages the medium; see the module's docstring."""
    p = job.params
    fig = {k: 0 for k in ("powercut_cuts_count", "powercut_cuts_in_alloc", "powercut_cuts_in_sync",
                          "powercut_cuts_in_free", "powercut_cuts_between_steps",
                          "powercut_flight_undone", "powercut_flight_done",
                          "powercut_steps_done", "powercut_records_lost",
                          "powercut_invalid_boots", "powercut_damages_count",
                          "powercut_damages_missed")}
    tmp = tempfile.mkdtemp(prefix="reprise-nvram-")
    path = str(reprise.blank_nvram(os.path.join(tmp, "nvram.img"), job.board))
    seg = segment_size(job.board)
    try:
        m, _ = power_on(job, path)
        state = dump(m)
        for cut in range(p["cuts"]):
            m.sendline(f"start nvt churn {job.rng.getrandbits(31) or 1} {p['steps']}")
            m.expect(r"kdriver: started nvt as aid \d+")
            start = m.pos
            aim = ("pause", "free", "alloc")[cut % 3]
            if aim == "pause":
                time.sleep(job.rng.uniform(0.0, 1.5))
            else:
                try:        # the cut races the operation that the line announces
                    m.expect(SAID + rf"nvt: step \d+ begin {aim} ", timeout=20)
                except reprise.ConsoleError:
                    pass
            m.power_cut()
            after, flight, done = replay(state, m.text[start:])
            fig["powercut_cuts_count"] += 1
            fig["powercut_steps_done"] += done
            fig[f"powercut_cuts_in_{flight[0]}" if flight else "powercut_cuts_between_steps"] += 1
            m, line = power_on(job, path)
            if line[1] is None:
                fig["powercut_invalid_boots"] += 1
                job.fail(f"cut {cut}: the medium came back as {line[0]!r}")
            got = dump(m)
            if flight and got == after:
                fig["powercut_flight_undone"] += 1
            elif flight and got == apply(after, flight):
                fig["powercut_flight_done"] += 1
            if got != after and got != apply(after, flight):
                fig["powercut_records_lost"] += 1
                job.fail(f"cut {cut} in {flight}: got {got}, want {after} or that step done")
            state = got
        kinds = ("segment", "directory", "page")
        for d in range(p["damages"]):
            if not state:
                m.sendline(f"run nvt fill c{d % 4} {4096 * (1 + d % 3)} {d + 1}")
                m.expect(r"kdriver: nvt ended")
                m.sendline(f"run nvt sync c{d % 4}")
                m.expect(r"kdriver: nvt ended")
                m.expect("kdriver> ")
            m.power_cut()
            if not _damage(job, path, seg, kinds[d % len(kinds)]):
                continue
            fig["powercut_damages_count"] += 1
            m, line = power_on(job, path)
            got = dump(m)
            if line[2] is None or got:
                fig["powercut_damages_missed"] += 1
                job.fail(f"damage {d} ({kinds[d % len(kinds)]}): {line[0]!r}, blocks {got}")
            m.power_cut()
            m, line = power_on(job, path)
            if line[0] != "pmm: nvram kept, 0 blocks\n":
                job.fail(f"damage {d}: not cleanly formatted: {line[0]!r}")
            state = dump(m)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return fig


CAMPAIGN = Campaign(
    name="powercut",
    title="NVRAM power cuts and flash damage",
    jobs=_jobs,
    run=_run,
    zero=("powercut_records_lost", "powercut_invalid_boots", "powercut_damages_missed"),
)
