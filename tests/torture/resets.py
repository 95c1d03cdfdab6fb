"""Torture campaign 2, warm resets at random instants: the ledger actor (tests/actors/ledger)
churns PMM blocks and records every step in the bank; the driver resets the machine (QMP
system_reset) at seeded instants and, after every warm boot, reads what the boot and the
ledger say.

An instant is (pc, hits, actor): the hits-th execution of pc while that actor runs
(Machine.stop_at), counted from a fixed point of the guest's own sequence, so a job re-runs
exactly from its seed. Each cycle starts with the guest held where the ledger, its check
done, begins to churn (ledger_churn) and resets it at one of:
  - inside an allocate or free: the PMM's bank store hook, its root commit or the CRC of an
    entry or a root, while the ledger churns (counted in reset_in_update_count);
  - in the ledger's own loop (between PMM calls, during a fill, while writing a record);
  - in the kernel, at the N-th system call the ledger makes;
and, in some cycles, again in the boot that follows: during the kernel's boot (its boot
record, its page allocator, actor creation), PMM start-up (bank_open, the CRCs of the
validation), HR start-up (registry and crash log) or the ledger's check.

After each cycle every boot must be warm and say `pmm: bank kept, N blocks`, HR must not
re-initialise its registry, and every check of the ledger must find every committed record
and every block (missing, wrong size or contents, or freed but still there: lost), the step
in flight done or undone but never half."""
from __future__ import annotations

import re

from common import Campaign, Job
from reprise import elf_symbol

IMAGE = "resets"
ICOUNT = "shift=0,align=off"        # sleep on: QEMU 7.2 does not resume from gdb with sleep=off
STEP_TIMEOUT = 120.0                # s, a hang detector only

BANNER = re.compile(r"^boot: (cold|warm)\b.*$", re.MULTILINE)
PMM_LINE = re.compile(r"(?:^|> )pmm: bank (kept, (\d+) blocks?|.*)$", re.MULTILINE)
VERDICT = re.compile(r"(?:^|> )ledger: (fresh, seed \d+|checked step (\d+), records (\d+) verified "
                     r"(\d+) lost, blocks (\d+) verified (\d+) lost, inflight ([a-z-]+))$",
                     re.MULTILINE)
BAD_LINES = re.compile(r"(?:^|> )(ledger: (?!fresh|checked).*|hr: registry invalid.*|"
                       r"hr: .*(restarting group|site restart|deleted).*(?<!after the site "
                       r"restart)|kernel: (panic|fault).*|.*PANIC.*)$", re.MULTILINE)

# Instants while the ledger churns: (where, elf, symbol, actor, most hits, in an update).
RUNNING = [
    ("pmm store", "apps/pmm.elf", "pmm_bank_store", "pmm", 60, True),
    ("pmm root commit", "apps/pmm.elf", "root_commit", "pmm", 30, True),
    ("pmm crc", "apps/pmm.elf", "crc32_update", "pmm", 60, True),
    ("pmm bank sync", None, "sysmem_bank_sync", "pmm", 60, True),
    ("ledger step", "actors/ledger.elf", "ledger_step", "ledger", 40, False),
    ("ledger fill", "actors/ledger.elf", "ledger_fill", "ledger", 20, False),
    ("ledger record", "actors/ledger.elf", "ledger_record", "ledger", 40, False),
    ("kernel svc", None, "trap_svc", "ledger", 300, False),
]
RUNNING_WEIGHTS = [14, 8, 10, 13, 10, 8, 8, 29]    # 45 % of these inside an update
# Instants in the boot after a reset.
BOOTING = [
    ("kernel page_alloc", None, "palloc_alloc", None, 60),
    ("kernel boot record", None, "bootrec_write", None, 1),
    ("kernel crc", None, "crc32_update", None, 2),
    ("kernel actor_create", None, "actor_create", None, 4),
    ("pmm bank_open", "apps/pmm.elf", "bank_open", "pmm", 1),
    ("pmm crc", "apps/pmm.elf", "crc32_update", "pmm", 20),
    ("hr registry", "apps/hr.elf", "hrreg_open", "hr", 1),
    ("hr crash log", "apps/hr.elf", "hrlog_open", "hr", 1),
    # HR's CRCs in a warm boot before the ledger churns: its registry's (header and sections
    # of the first copy, the second compared) and the commit of the boot's site restart;
    # the crash log's and the dumps' wait for an idle CPU.
    ("hr crc", "apps/hr.elf", "crc32_update", "hr", 5),
    ("ledger check", "actors/ledger.elf", "ledger_check", "ledger", 1),
    ("ledger record sums", "actors/ledger.elf", "ledger_sum", "ledger", 200),
]
BOOT_CHAIN = 0.4                    # share of cycles with a second reset in the next boot


def _jobs(scale: str) -> list[dict]:
    """Full: 8 jobs of 95 cycles (about 1,060 resets); smoke: one job of 11 cycles."""
    if scale == "smoke":
        return [{"cycles": 11}]
    return [{"cycles": 95} for _ in range(8)]


class _Instants:
    """The addresses of every instant's pc, read once from the ELF files."""

    def __init__(self, job: Job):
        build = job.board.build_dir
        image = job.board.image(IMAGE)
        self.pc = {}
        for where, elf, sym, *_ in RUNNING + BOOTING:
            self.pc[where] = elf_symbol(build / elf if elf else image, sym)
        self.churn = elf_symbol(build / "actors/ledger.elf", "ledger_churn")


def _check_boots(job: Job, text: str, figures: dict, first: bool) -> None:
    """Checks the console of one cycle (every boot it holds and every check of the ledger)
    and adds up the ledger's figures."""
    banners = BANNER.findall(text)
    for i, kind in enumerate(banners):
        if kind == "cold" and not (first and i == 0):
            figures["reset_bank_lost_count"] += 1
            job.fail("a warm reset gave a cold boot (the kernel's boot record was lost)")
    for m in PMM_LINE.finditer(text):
        if not m.group(2) and not (first and m.group(1) == "initialised"):
            figures["reset_bank_lost_count"] += 1
            job.fail(f"the bank was not kept: {m.group(0)}")
    for m in BAD_LINES.finditer(text):
        job.fail(f"console: {m.group(0)}")
    for m in VERDICT.finditer(text):
        if m.group(2) is None:
            if not first:
                figures["reset_records_lost"] += 1
                job.fail("the ledger started afresh: its block is gone")
            continue
        figures["reset_checks_count"] += 1
        figures["reset_records_verified"] += int(m.group(3))
        figures["reset_records_lost"] += int(m.group(4))
        figures["reset_blocks_verified"] += int(m.group(5))
        figures["reset_blocks_lost"] += int(m.group(6))
        figures["reset_steps_count"] = max(figures["reset_steps_count"], int(m.group(2)))
        if int(m.group(4)) or int(m.group(6)):
            job.fail(f"ledger: {m.group(0)}")


def _run(job: Job) -> dict:
    figures = {name: 0 for name in (
        "reset_count", "reset_in_update_count", "reset_boot_count", "reset_checks_count",
        "reset_steps_count", "reset_records_verified", "reset_records_lost",
        "reset_blocks_verified", "reset_blocks_lost", "reset_bank_lost_count")}
    at = _Instants(job)
    rng = job.rng
    m = job.machine(IMAGE, icount=ICOUNT, timeout=STEP_TIMEOUT)
    m.expect("cinit> ")
    # Hold the guest (an instant it does not reach), type the command, then run it up to the
    # ledger's churn: from there on every instant is a point of the guest's own sequence.
    m.stop_at(at.churn, 1, actor="ledger", timeout=0)
    m.sendline(f"arun -g 1 ledger {rng.getrandbits(31)}")
    if not m.stop_at(at.churn, 1, actor="ledger"):
        raise AssertionError("the ledger did not start")
    m.expect(VERDICT)
    _check_boots(job, m.text[:m.pos], figures, first=True)

    for cycle in range(job.params["cycles"]):
        start = m.pos
        where, _, _, actor, most, in_update = rng.choices(RUNNING, RUNNING_WEIGHTS)[0]
        plan = [(where, actor, rng.randint(1, most), in_update)]
        if rng.random() < BOOT_CHAIN:
            where, _, _, actor, most = rng.choice(BOOTING)
            plan.append((where, actor, rng.randint(1, most), False))
        for i, (where, actor, hits, in_update) in enumerate(plan):
            job.log(f"cycle {cycle}: reset at {where}, hit {hits}")
            if not m.stop_at(at.pc[where], hits, actor=actor):
                raise AssertionError(f"cycle {cycle}: {where} hit {hits} never came")
            m.reset()
            figures["reset_count"] += 1
            figures["reset_in_update_count"] += in_update
            figures["reset_boot_count"] += i > 0
        if not m.stop_at(at.churn, 1, actor="ledger"):
            raise AssertionError(f"cycle {cycle}: the ledger did not come back")
        m.expect(VERDICT)
        _check_boots(job, m.text[start:m.pos], figures, first=False)
    return figures


CAMPAIGN = Campaign(
    name="reset",
    title="warm resets at random instants (ledger of PMM blocks)",
    jobs=_jobs,
    run=_run,
    zero=("reset_records_lost", "reset_blocks_lost", "reset_bank_lost_count"),
)
