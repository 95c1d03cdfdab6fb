"""Torture campaign 6, bank corruption: damages one bank structure at a seeded offset with
seeded bytes through the gdb stub, warm-resets, and checks that the boot detects it with a
console line and re-initialises what was damaged, and only that.

Each damage starts from a new machine in the same state (made in about a second): the ledger
actor (tests/actors/ledger) made 40 steps of PMM blocks and idles, three hrcrash groups
crashed once each (three crash-log records and three dumps) and ended cleanly, and group 9 (hrcrash, with a
block of its group) was killed last, so that the last update of both the directory root and
the registry is that kill. What each damage must give (design.md, "Crash consistency"; the
registry and crash log in hr/include/hr/*.h):

  header        `pmm: bank invalid (header ...), initialised`: the directory is emptied (the
                ledger starts afresh); HR's registry and crash log are kept.
  entry         a live directory entry: `pmm: bank invalid (entry N ...|entries ...), init-
                ialised`, never a bank kept with that entry; registry and crash log kept.
  root (older)  one of the two directory roots, the one the last update did not write:
                `pmm: note: directory copy C bad, copy D used`; the bank is kept as it was.
  root (newer)  the root the last update wrote: the same note, and the bank is the state
                before that update, whole (group 9's block is back): two copies can only fall
                back one update.
  registry      one registry copy (`hr: registry kept, ...; copy X: <why>`): the older one
  (older/newer) changes nothing, the newer one takes the registry one update back (group 9
                is registered again and HR restarts it).
  crash record  one record of the crash log: `hr: crash log: ..., 1 damaged slot skipped`;
                that record is gone, every other one kept.
  dump          one post-mortem dump (header or the stack bytes it kept; hr/include/hr/
                dumps.h): `hr: dumps: ..., 1 damaged dump cleared`; that dump is gone from
                `hr dump`, every other one kept.

Damage that changes no byte is drawn again. A damage is detected when its line comes; it is
half-trusted when the line comes but the state is not exactly the expected one (or the bank
is kept over a damaged entry or header); a crash is a kernel panic, a crash line of HR, or a
console that stops answering."""
from __future__ import annotations

import re
import struct

from common import Campaign, Job, Shell

IMAGE = "corrupt"
ICOUNT = "shift=0,align=off"        # sleep on: the gdb stub stops and resumes the guest
BANK = 0x4FC00000                   # boards/virt: the bank's physical address
HEADER, ROOTS, ROOT_SIZE, DIRECTORY, ENTRY = 0x1000, 0x1100, 0x40, 0x2000, 128
REGISTRY, REG_COPY, REG_ARGS = 0xA000, 0x2000, 0xD90
CRASHLOG, RECORD, RECORD_MAGIC = 0xE000, 192, 0x31474C48
DUMPS, DUMP_SLOTS, DUMP_SLOT, DUMP_MAGIC = 0x12000, 4, 256 + 4096, 0x31504448   # hr.dumps 4
LEDGER_STEPS = 40
KINDS = ("header", "entry", "root-older", "root-newer", "registry-older", "registry-newer",
         "crash-record", "dump")

BANNER = re.compile(r"^boot: (cold|warm)\b.*$", re.MULTILINE)
CRASHES = re.compile(r"(?:^|> )(kernel: .*(panic|fault).*|hr: .*; (restarting group|site "
                     r"restart|not restartable).*|hr: previous run.*|.*PANIC.*)$", re.MULTILINE)


def _jobs(scale: str) -> list[dict]:
    """Full: 6 jobs of 50 damages (300); smoke: one job of 10 (each kind at least once)."""
    if scale == "smoke":
        return [{"damages": 10}]
    return [{"damages": 50} for _ in range(6)]


def _groups(hr_out: str) -> list[str]:
    """The registry as `hr` shows it: group lines, and member lines without their aids."""
    out = []
    for line in hr_out.splitlines():
        if line.startswith("group "):
            out.append(line)
        elif line.startswith("  aid "):
            out.append(re.sub(r"^  aid \S+ ", "  ", line))
    return out


def _crashlog(hr_out: str) -> dict[int, str]:
    """The crash log as `hr` shows it: {seq: line}."""
    return {int(m[1]): m[0] for m in re.finditer(r"^  #(\d+) .*$", hr_out, re.MULTILINE)}


def _dumps(dump_out: str) -> dict[int, str]:
    """The dumps as `hr dump` lists them: {seq: line}."""
    return {int(m[1]): m[0] for m in re.finditer(r"^  #(\d+) .*$", dump_out, re.MULTILINE)}


def _blocks(pmm_out: str) -> list[tuple]:
    """The blocks as `pmm` lists them: (name, size, key, group), sorted; not who maps them."""
    out = []
    for line in pmm_out.splitlines():
        f = line.split()
        if len(f) >= 4 and f[1].isdigit() and not line.startswith("bank:"):
            out.append(tuple(f[:4]))
    return sorted(out)


class _Setup:
    """The state every damage starts from, and what `hr` and `pmm` showed before and after the
    last update (the kill of group 9)."""

    def __init__(self, job: Job, seed: int):
        self.m = m = job.machine(IMAGE, icount=ICOUNT)
        self.sh = sh = Shell(m)
        sh.prompt()
        sh.cmd(f"arun -g 1 ledger {seed} {LEDGER_STEPS}")
        m.expect(f"ledger: idle at step {LEDGER_STEPS}")
        for gid, kind in ((2, "data"), (3, "undef"), (4, "exit")):
            sh.cmd(f"arun -g {gid} hrcrash {kind}")
            m.expect("hrcrash: finished")
        sh.cmd("arun -g 9 hrcrash kill")
        m.expect("hrcrash: waiting to be killed")
        self.hr_before, self.pmm_before = sh.cmd("hr"), sh.cmd("pmm")
        out = sh.cmd("akill -g 9")
        if "killed group 9" not in out:
            raise AssertionError(f"akill -g 9: {out}")
        self.hr_after, self.pmm_after = sh.cmd("hr"), sh.cmd("pmm")
        self.dumps_after = sh.cmd("hr dump")
        if len(_dumps(self.dumps_after)) != 3:
            raise AssertionError(f"hr dump: {self.dumps_after}")


def _pick(job: Job, m, kind: str) -> tuple[int, int, str]:
    """Where to damage: (bank offset, length of the structure, what it is) for kind."""
    rng = job.rng
    roots = [m.read_phys(BANK + ROOTS + c * ROOT_SIZE, ROOT_SIZE) for c in (0, 1)]
    seqs = [struct.unpack_from("<Q", r, 8)[0] for r in roots]
    cur = 1 if seqs[1] > seqs[0] else 0
    if kind == "header":
        return HEADER, 64, "header"
    if kind in ("root-older", "root-newer"):
        c = cur if kind == "root-newer" else 1 - cur
        return ROOTS + c * ROOT_SIZE, ROOT_SIZE, f"root copy {c}"
    if kind == "entry":
        words = struct.unpack_from("<8I", roots[cur], 32)
        live = [s for s in range(256) if words[s // 32] >> (s % 32) & 1]
        s = rng.choice(live)
        return DIRECTORY + s * ENTRY, ENTRY, f"entry {s}"
    if kind in ("registry-older", "registry-newer"):
        hdrs = [m.read_phys(BANK + REGISTRY + c * REG_COPY, 64) for c in (0, 1)]
        rseq = [struct.unpack_from("<I", h, 8)[0] for h in hdrs]
        newer = 1 if (rseq[1] - rseq[0]) & 0xFFFFFFFF < 0x80000000 and rseq[1] != rseq[0] else 0
        c = newer if kind == "registry-newer" else 1 - newer
        used = REG_ARGS + struct.unpack_from("<I", hdrs[c], 24)[0]
        return REGISTRY + c * REG_COPY, used, f"registry copy {'AB'[c]}"
    if kind == "dump":
        ring = m.read_phys(BANK + DUMPS, DUMP_SLOTS * DUMP_SLOT)
        slots = [i for i in range(DUMP_SLOTS)
                 if struct.unpack_from("<I", ring, i * DUMP_SLOT)[0] == DUMP_MAGIC]
        i = rng.choice(slots)
        seq = struct.unpack_from("<I", ring, i * DUMP_SLOT + 4)[0]
        stack_len = struct.unpack_from("<I", ring, i * DUMP_SLOT + 120)[0]
        # What the CRC covers: the header and the stack bytes kept, not the slot's spare room.
        return DUMPS + i * DUMP_SLOT, 256 + stack_len, f"dump #{seq}"
    log = m.read_phys(BANK + CRASHLOG, 85 * RECORD)
    slots = [i for i in range(85) if struct.unpack_from("<I", log, i * RECORD)[0] == RECORD_MAGIC]
    i = rng.choice(slots)
    seq = struct.unpack_from("<I", log, i * RECORD + 4)[0]
    return CRASHLOG + i * RECORD, RECORD, f"crash record #{seq}"


def _damage(job: Job, m, base: int, size: int) -> tuple[int, bytes, bytes]:
    """Writes 1 to 8 random bytes at a random offset of [base, base + size), changing at
    least one byte; returns (offset, old bytes, new bytes)."""
    rng = job.rng
    length = min(rng.choice((1, 1, 2, 4, 8)), size)
    off = base + rng.randrange(size - length + 1)
    old = m.read_phys(BANK + off, length)
    new = old
    while new == old:
        new = bytes(rng.getrandbits(8) for _ in range(length))
    m.write_phys(BANK + off, new)
    return off, old, new


def _one(job: Job, index: int, figures: dict) -> None:
    """One damage on a new machine, then the warm boot and the checks."""
    kind = job.params["order"][index]
    s = _Setup(job, job.rng.getrandbits(31))
    m, sh = s.m, s.sh
    base, size, what = _pick(job, m, kind)
    off, old, new = _damage(job, m, base, size)
    label = f"damage {index}: {what}, bank offset {off:#x}: {old.hex()} -> {new.hex()}"
    job.log(label)
    figures["corrupt_damages_count"] += 1
    figures[f"corrupt_{kind.split('-')[0].replace('crash', 'crashlog')}_count"] += 1
    start = len(m.text)
    m.reset()
    try:
        m.expect(BANNER)
        m.expect(r"cinit> ")
        restored_9 = kind == "registry-newer"     # HR starts group 9 again
        for want in ([r"ledger: (checked|fresh).*\n", rf"ledger: idle at step {LEDGER_STEPS}"] +
                     ([r"hrcrash: waiting to be killed"] if restored_9 else [])):
            if not re.search(want, m.text[start:]):
                m.expect(want)
        hr_out, pmm_out, dump_out = sh.cmd("hr"), sh.cmd("pmm"), sh.cmd("hr dump")
    except AssertionError as e:
        figures["corrupt_crashes_count"] += 1
        job.fail(f"{label}: the boot or the console did not come back: "
                 f"{str(e).splitlines()[0]}")
        m.kill()
        return
    seg = m.text[start:]
    crash = CRASHES.search(seg)
    boots = BANNER.findall(seg)
    if crash or boots != ["warm"]:
        figures["corrupt_crashes_count"] += 1
        job.fail(f"{label}: {crash[0] if crash else f'boots {boots} instead of one warm boot'}")

    pmm_line = re.search(r"pmm: bank (kept, \d+ blocks|invalid \((.*)\), initialised|.*)\n", seg)
    pmm_line = pmm_line[0].strip() if pmm_line else "(no pmm line)"
    note = re.search(r"pmm: note: directory copy (\d) bad, copy (\d) used", seg)
    reg_line = re.search(r"hr: registry (kept, .*|invalid .*)\n", seg)
    log_line = re.search(r"hr: crash log: .*, (\d+) damaged slots? skipped", seg)
    dump_line = re.search(r"hr: dumps: .*, (\d+) damaged dumps? cleared", seg)
    fresh = "ledger: fresh" in seg
    groups, blocks, crashes = _groups(hr_out), _blocks(pmm_out), _crashlog(hr_out)
    want_groups, want_blocks = _groups(s.hr_after), _blocks(s.pmm_after)
    want_crashes = _crashlog(s.hr_after)
    dumps, want_dumps = _dumps(dump_out), _dumps(s.dumps_after)

    if kind in ("header", "entry"):
        what = "header" if kind == "header" else "(entry|entries)"
        detected = re.match(rf"pmm: bank invalid \({what} ", pmm_line) is not None
        ok = detected and fresh and not reg_line and not log_line and not dump_line
    elif kind.startswith("root"):
        c = int(what[-1])
        detected = note is not None and int(note[1]) == c and pmm_line.startswith("pmm: bank kept")
        if kind == "root-newer":
            want_blocks = _blocks(s.pmm_before)
        ok = detected and not fresh and not reg_line and not log_line and not dump_line
    elif kind.startswith("registry"):
        letter = what[-1]
        detected = reg_line is not None and f"copy {letter}: " in reg_line[0] and \
            reg_line[0].startswith("hr: registry kept")
        if kind == "registry-newer":
            want_groups = _groups(s.hr_before)
            want_blocks = _blocks(s.pmm_before)
        ok = (detected and not fresh and pmm_line.startswith("pmm: bank kept") and not log_line
              and not dump_line)
    elif kind == "dump":
        seq = int(what.split("#")[1])
        detected = dump_line is not None and dump_line[1] == "1"
        want_dumps = {k: v for k, v in want_dumps.items() if k != seq}
        ok = (detected and not fresh and pmm_line.startswith("pmm: bank kept") and not reg_line
              and not log_line)
    else:
        seq = int(what.split("#")[1])
        detected = log_line is not None and log_line[1] == "1"
        want_crashes = {k: v for k, v in want_crashes.items() if k != seq}
        ok = (detected and not fresh and pmm_line.startswith("pmm: bank kept") and not reg_line
              and not dump_line)
    if not detected:
        figures["corrupt_undetected_count"] += 1
        job.fail(f"{label}: not detected; boot said {pmm_line!r}, "
                 f"{reg_line[0].strip() if reg_line else 'no registry line'}, "
                 f"{log_line[0] if log_line else 'no crash log line'}, "
                 f"{dump_line[0] if dump_line else 'no dumps line'}")
    else:
        figures["corrupt_detected_count"] += 1
        diffs = [name for name, got, want in (("groups", groups, want_groups),
                                              ("blocks", blocks, want_blocks),
                                              ("crash log", crashes, want_crashes),
                                              ("dumps", dumps, want_dumps))
                 if got != want]
        if not ok or diffs:
            figures["corrupt_half_trusted_count"] += 1
            job.fail(f"{label}: detected, but the state is not the expected one "
                     f"(differs: {', '.join(diffs) or 'lines'}; pmm {pmm_line!r})")
    m.kill()


def _run(job: Job) -> dict:
    figures = {name: 0 for name in (
        "corrupt_damages_count", "corrupt_detected_count", "corrupt_undetected_count",
        "corrupt_crashes_count", "corrupt_half_trusted_count", "corrupt_header_count",
        "corrupt_entry_count", "corrupt_root_count", "corrupt_registry_count",
        "corrupt_crashlog_count", "corrupt_dump_count")}
    order = []
    while len(order) < job.params["damages"]:
        kinds = list(KINDS)
        job.rng.shuffle(kinds)
        order += kinds
    job.params["order"] = order
    for index in range(job.params["damages"]):
        _one(job, index, figures)
    return figures


CAMPAIGN = Campaign(
    name="corrupt",
    title="bank corruption (header, roots, entries, registry, crash log, dumps)",
    jobs=_jobs,
    run=_run,
    zero=("corrupt_undetected_count", "corrupt_crashes_count", "corrupt_half_trusted_count"),
)
