"""Torture campaigns' common parts: the campaign and job types, seeds, and the console shell.

A campaign (one module of this folder, with a CAMPAIGN object) splits its work into jobs; a
job boots its own QEMU machines, runs with its own seed and returns figures. Figures are
summed over a campaign's jobs; the names listed in `zero` must add up to 0 (a kernel fault,
a lost record, a leaked page...), and every failure a job finds is also written out in words.
`make torture` (scripts/torture.py) runs every job at full scale in parallel; `make test`
runs the smoke scale of each campaign (tests/qemu/test_torture.py)."""
from __future__ import annotations

import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "qemu"))
from reprise import Board, Machine  # noqa: E402

SCALES = ("smoke", "full")


def job_seed(seed: int, campaign: str, index: int) -> int:
    """The seed of one job, derived from the run's seed (stable across Python runs)."""
    return random.Random(f"{seed}:{campaign}:{index}").getrandbits(31)


@dataclass
class Campaign:
    """name: the prefix of its figures; jobs(scale) -> the params of each job (a list of
    dicts); run(job) -> the job's figures; zero: figures that must add up to 0."""
    name: str
    title: str
    jobs: Callable[[str], list[dict]]
    run: Callable[["Job"], dict]
    zero: tuple[str, ...]


@dataclass
class Job:
    """One job of a campaign: its seed, its parameters, its log, the machines it boots."""
    campaign: str
    index: int
    seed: int
    params: dict
    board: Board
    log_path: Path
    failures: list[str] = field(default_factory=list)
    machines: list[Machine] = field(default_factory=list)

    def __post_init__(self):
        self.rng = random.Random(self.seed)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)

    @property
    def label(self) -> str:
        return f"{self.campaign} job {self.index} (seed {self.seed})"

    def log(self, text: str) -> None:
        """Adds a line of the driver's own to the job's log, between the consoles."""
        with open(self.log_path, "a", encoding="utf-8") as f:
            f.write(f"==== torture: {text}\n")

    def fail(self, what: str) -> None:
        """Records a finding: a failure of the system under test, in words."""
        self.failures.append(f"{self.label}: {what}")
        self.log(f"FAILURE: {what}")

    def machine(self, image: str, **options) -> Machine:
        """Powers on a new QEMU machine booting build/<board>/images/<image>.elf, logging into
        the job's log; every machine of the job is killed when the job ends."""
        m = Machine(self.board, self.board.image(image), log_path=self.log_path,
                    name=f"{self.campaign} job {self.index} machine {len(self.machines) + 1}",
                    **options)
        self.machines.append(m)
        return m.start()

    def close(self) -> None:
        for m in self.machines:
            m.kill()


def run_job(campaign: Campaign, index: int, seed: int, params: dict, board: Board,
            log_path: Path) -> tuple[dict, list[str]]:
    """Runs one job, logging to the end of log_path; returns its figures and its failures.
    An exception (a hang, QEMU ending, a console that stops answering) is a failure."""
    job = Job(campaign.name, index, seed, params, board, log_path)
    job.log(f"{job.label} params {params}")
    figures: dict = {}
    try:
        figures = campaign.run(job)
    except Exception as e:          # noqa: BLE001 -- every error is a finding, reported
        job.fail(f"{type(e).__name__}: {e}")
    finally:
        job.close()
    missing = [z for z in campaign.zero if z not in figures]
    if missing and not job.failures:
        job.fail(f"figures {missing} not reported")
    return figures, job.failures


# ---- the C_INIT console ----------------------------------------------------------------

PROMPT = "cinit> "
KERNEL_LINE = re.compile(r"^kernel: (\d+) of (\d+) pages free, (\d+) of (\d+) actor slots used, "
                         r"(\d+) of (\d+) ports used$", re.MULTILINE)
BANK_LINE = re.compile(r"^bank: (\d+) of (\d+) pages used \(\d+ KiB of \d+ KiB\), (\d+) of (\d+) "
                       r"blocks$", re.MULTILINE)


class Shell:
    """C_INIT's console on machine m: types a command at the prompt and returns what was
    printed up to the next prompt (actors' lines may be mixed in)."""

    def __init__(self, m: Machine, timeout: float | None = None):
        self.m = m
        self.timeout = timeout

    def prompt(self, timeout: float | None = None) -> None:
        """Waits for the next prompt."""
        self.m.expect(re.escape(PROMPT), timeout or self.timeout)

    def cmd(self, line: str, timeout: float | None = None) -> str:
        """At a prompt already seen: types line, returns the output from C_INIT's echo of it
        up to the next prompt (a prompt C_INIT showed again meanwhile, when an actor gave the
        console back, is not mistaken for the command's end)."""
        self.m.sendline(line)
        self.m.expect(re.escape(line) + r"\n", timeout or self.timeout)
        start = self.m.pos
        self.m.expect(re.escape(PROMPT), timeout or self.timeout)
        return self.m.text[start:self.m.pos - len(PROMPT)]

    def kernel_counts(self) -> dict:
        """free_pages, actors_used, ports_used, from the `aps` footer."""
        out = self.cmd("aps")
        k = KERNEL_LINE.search(out)
        if not k:
            raise AssertionError(f"aps printed no kernel line:\n{out}")
        return {"free_pages": int(k[1]), "actors_used": int(k[3]), "ports_used": int(k[5])}

    def bank_counts(self) -> dict:
        """bank_pages_used, bank_blocks_used, from the `pmm` summary."""
        out = self.cmd("pmm")
        b = BANK_LINE.search(out)
        if not b:
            raise AssertionError(f"pmm printed no bank line:\n{out}")
        return {"bank_pages_used": int(b[1]), "bank_blocks_used": int(b[3])}

    def counts(self) -> dict:
        """Everything a leak would show: kernel tables and the bank."""
        return {**self.kernel_counts(), **self.bank_counts()}


def count_differences(before: dict, after: dict) -> dict:
    """{name: after - before} for the counts that changed."""
    return {k: after[k] - before[k] for k in before if after.get(k) != before[k]}
