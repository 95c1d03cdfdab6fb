"""Torture campaign 1, the system-call fuzzer: runs of tests/actors/fuzz, each from its own seed,
calling every system call number (and numbers out of range) with random and edge-case
arguments and sending random requests to the PMM server and the HR controller.

Half the jobs boot tests/images/fuzz.image (the fuzzer holds no privilege), half
tests/images/fuzzpriv.image (it holds actors, server, faults, bank and site, so the argument
checks of privileged calls are fuzzed too; what would end the run is neutered, see the
actor's header). A job starts one fuzzer run a seed from the C_INIT console. After each run:
the fuzzer printed its summary and exited with status 0, the console answers, a new actor
starts, and free pages, actor slots, ports, bank pages and blocks equal the baseline taken
after a warm-up. Anything else the console shows is a finding: a kernel panic, a "kernel:"
line that is not an actor's exit, a site restart (a new boot banner), an actor that faulted
without being injected, a line from HR or the PMM server, a run that does not end (a hang).
Without privileges the fuzzer ends each run with the protection attacks (listing, freeing and
retrieving another image's block, spawning through HR, killing another group): their victim,
protvic, holds block fz.victim in group 9 from before the baseline, so a victim's block freed
by an attack is also a leak, and each attack that succeeds is a wrong result.

Figures: fuzz_calls (system calls the fuzzers made), fuzz_priv_calls (those of the
privileged fuzzer), fuzz_fuzzed_calls (calls with fuzzed arguments), fuzz_server_calls
(requests to the PMM server and HR), fuzz_neutered_calls, fuzz_children_count (actors the
privileged fuzzer started), fuzz_seeds_count; and, all 0: fuzz_kernel_faults (runs during
which the kernel panicked, restarted the site or printed an unexpected line),
fuzz_hangs_count, fuzz_leaks_count, fuzz_actor_faults_count, fuzz_unexpected_lines_count,
fuzz_wrong_results_count (the fuzzer's oracle: a call that succeeded with a pointer it must
refuse, e.g. an output into a never-mapped page or the fuzzer's read-only text),
fuzz_uncovered_calls_count (system calls that never succeeded in a job, but for those the
fuzzer is not meant to make succeed: the fuzzer reaches past every call's checks)."""
from __future__ import annotations

import re

from common import ROOT, Campaign, Job, Shell, count_differences
from reprise import ConsoleError

SCALES = {
    # images, seeds a job, calls a seed
    "smoke": dict(jobs=("fuzz", "fuzzpriv"), seeds=3, calls=30000),
    "full": dict(jobs=("fuzz", "fuzzpriv", "fuzz", "fuzzpriv"), seeds=12, calls=250000),
}
DONE = re.compile(r"^fuzz: done ([^\n]*)\n", re.MULTILINE)
FIELD = re.compile(r"(\w+)=(\d+)")
# Lines the console may show while a fuzzer runs, and the findings among the others.
EXPECTED_KERNEL = re.compile(r"kernel: (?:(?:nop|fuzz) \(aid \d+\) exited with status -?\d+|"
                             r"\d+ of \d+ pages free, \d+ of \d+ actor slots used, "
                             r"\d+ of \d+ ports used|page reserve \d+ for the system, \d+ for "
                             r"restarts; quota \d+ pages by default)$")
INJECTED = re.compile(r"hr: (?:nop|fuzz) \(aid \d+\) .*, injected by fuzz \(aid \d+\); "
                      r"not restartable, deleted$")
KERNEL_FAULT = re.compile(r"KERNEL PANIC|system halted|kernel: site restart|kernel: critical actor|"
                          r"^Reprise |hr: previous run|^boot: ")
ACTOR_FAULT = re.compile(r"hr: \S+ \(aid \d+\) .*; not restartable, deleted$|; actor deleted$|"
                         r"^fuzz: FAIL (?!call )")
WRONG = re.compile(r"^fuzz: FAIL call ")
SERVER_LINE = re.compile(r"(?:^|[.> ])(?:hr|pmm|cinit): ")
# The victim of the unprivileged fuzzer's protection attacks (FUZZ_VICTIM* of the actor).
VICTIM, VICTIM_KEY, VICTIM_GID = "fz.victim", "FZ-SECRET-KEY", 9

# System call numbers in order, from the ABI header: every call must succeed at least once in
# a job (okmask of the summaries), but for those the fuzzer never makes succeed: the neutered
# ones, and with no privilege those that need one or a caller to receive from.
SYSCALLS = [n for n in re.findall(r"^\s*(SYS_\w+)\s*[,=]", (ROOT / "kernel/include/uapi/reprise/"
                                  "syscall.h").read_text(), re.MULTILINE) if n != "SYS_COUNT"]
# SYS_ACTOR_DUMP succeeds only for a dump the kernel keeps, which HR takes as soon as it can.
# SYS_DEVICE_MAP: the fuzzer never holds PRIV_DEVICE (the flash is the PMM server's).
# SYS_ACTOR_STOP, SYS_ACTOR_RESTART and SYS_ACTOR_ARM: the fault port's owner's alone (HR),
# K_EPRIV for all else.
NEVER_OK = {"SYS_EXIT", "SYS_FAULT_PORT_SET", "SYS_BANK_UNMAP", "SYS_SITE_RESTART",
            "SYS_ACTOR_DUMP", "SYS_DEVICE_MAP", "SYS_ACTOR_STOP", "SYS_ACTOR_RESTART",
            "SYS_ACTOR_ARM"}
NEVER_OK_UNPRIVILEGED = NEVER_OK | {"SYS_ACTOR_CREATE", "SYS_ACTOR_KILL", "SYS_ACTOR_INJECT",
                                    "SYS_ACTOR_RELEASE",
                                    "SYS_IPC_RECV", "SYS_IPC_REPLY", "SYS_IPC_REPLY_RECV",
                                    "SYS_BANK_MAP", "SYS_BANK_SYNC", "SYS_BANK_HOLDERS"}


def jobs(scale: str) -> list[dict]:
    """Half the jobs without privileges, half with every one; seeds and calls by scale."""
    s = SCALES[scale]
    return [dict(image=image, seeds=s["seeds"], calls=s["calls"]) for image in s["jobs"]]


def _scan(job: Job, text: str, figures: dict) -> None:
    """Sorts what the console showed during a run into findings (a kernel fault counts once
    a run, each line of it is written out)."""
    kernel_fault = 0
    for line in text.splitlines():
        line = line.lstrip(".")
        if line.startswith("cinit> "):
            line = line[len("cinit> "):].lstrip(".")
        if not line or DONE.match(line):
            continue
        if KERNEL_FAULT.search(line):
            kernel_fault = 1
            job.fail(f"kernel fault: {line}")
        elif WRONG.match(line):
            job.fail(f"wrong result: {line}")
        elif INJECTED.search(line):
            continue
        elif ACTOR_FAULT.search(line):
            figures["fuzz_actor_faults_count"] += 1
            job.fail(f"actor fault: {line}")
        elif "kernel: " in line:
            if not EXPECTED_KERNEL.search(line):
                kernel_fault = 1
                job.fail(f"unexpected kernel line: {line}")
        elif SERVER_LINE.search(line):
            figures["fuzz_unexpected_lines_count"] += 1
            job.fail(f"unexpected line: {line}")
    figures["fuzz_kernel_faults"] += kernel_fault


def _nop(sh: Shell) -> None:
    """Starts nop from the console and waits for its end: a new actor starts."""
    out = sh.cmd("arun nop")
    started = re.search(r"started nop, aid (\d+)", out)
    if not started:
        raise AssertionError(f"arun nop failed: {out!r}")
    sh.m.expect(rf"kernel: nop \(aid {started[1]}\) exited with status 0\n")


def run(job: Job) -> dict:
    """One job: boots its image, warms up, takes the baseline, then one fuzzer run a seed,
    each checked as the module's docstring says."""
    p = job.params
    figures = dict(fuzz_calls=0, fuzz_priv_calls=0, fuzz_fuzzed_calls=0, fuzz_server_calls=0,
                   fuzz_neutered_calls=0, fuzz_children_count=0, fuzz_seeds_count=0,
                   fuzz_kernel_faults=0, fuzz_hangs_count=0, fuzz_leaks_count=0,
                   fuzz_actor_faults_count=0, fuzz_unexpected_lines_count=0,
                   fuzz_wrong_results_count=0, fuzz_uncovered_calls_count=0)
    m = job.machine(p["image"], icount=True, timeout=60)
    sh = Shell(m)
    sh.prompt()
    if p["image"] == "fuzz":
        out = sh.cmd(f"arun -g {VICTIM_GID} protvic hold {VICTIM} {VICTIM_KEY} 5")
        if not re.search(r"started protvic, aid \d+, group", out):
            raise AssertionError(f"the victim did not start: {out!r}")
        m.expect(rf"protect: hold {VICTIM} = 5\n")
    # Warm-up: what C_INIT and the servers allocate on first use is not a leak.
    sh.cmd("aps")
    sh.cmd("pmm")
    sh.cmd("hr")
    _nop(sh)
    baseline = sh.counts()
    job.log(f"baseline {baseline}")
    ok_mask, privileged = 0, False
    for _ in range(p["seeds"]):
        seed = job.rng.getrandbits(31) or 1
        start = len(m.text)
        m.sendline(f"arun fuzz run {seed} {p['calls']}")
        try:
            aid = m.expect(r"started fuzz, aid (\d+)\n")[1]
            sh.prompt()
            # Hang detection only: a run of 250,000 calls takes a few seconds.
            done = m.expect(DONE, timeout=120 + p["calls"] / 2000)
            status = int(m.expect(rf"kernel: fuzz \(aid {aid}\) exited with status (-?\d+)\n")[1])
        except ConsoleError as e:
            _scan(job, m.text[start:], figures)
            figures["fuzz_hangs_count"] += 1
            job.fail(f"seed {seed}: no end of the run: {str(e).splitlines()[0]}")
            break
        summary = dict((k, int(v)) for k, v in FIELD.findall(done[1]))
        job.log(f"seed {seed}: {done[1]}")
        figures["fuzz_seeds_count"] += 1
        figures["fuzz_calls"] += summary["calls"]
        figures["fuzz_priv_calls"] += summary["calls"] if summary["priv"] else 0
        figures["fuzz_fuzzed_calls"] += summary["fuzzed"]
        figures["fuzz_server_calls"] += summary["server"]
        figures["fuzz_neutered_calls"] += summary["neutered"]
        figures["fuzz_children_count"] += summary["children"]
        figures["fuzz_wrong_results_count"] += summary["wrong"]
        ok_mask |= summary["okmask"] | summary["okmask2"] << 32
        privileged = summary["priv"] != 0
        if status != 0:
            figures["fuzz_actor_faults_count"] += 1
            job.fail(f"seed {seed}: the fuzzer exited with status {status}")
        # The console answers, a new actor starts, and nothing leaked.
        _nop(sh)
        counts = sh.counts()
        _scan(job, m.text[start:], figures)
        diff = count_differences(baseline, counts)
        if diff:
            figures["fuzz_leaks_count"] += 1
            job.fail(f"seed {seed}: counts differ from the baseline: {diff}")
            baseline = counts
        if figures["fuzz_kernel_faults"]:
            break       # the machine restarted or halted: the next runs would prove nothing
    if figures["fuzz_seeds_count"] == p["seeds"]:
        never = NEVER_OK if privileged else NEVER_OK_UNPRIVILEGED
        missing = [n for i, n in enumerate(SYSCALLS) if n not in never and not ok_mask >> i & 1]
        if missing:
            figures["fuzz_uncovered_calls_count"] = len(missing)
            job.fail(f"calls that never succeeded: {', '.join(missing)}")
    return figures


CAMPAIGN = Campaign(
    name="fuzz",
    title="system-call fuzzer",
    jobs=jobs,
    run=run,
    zero=("fuzz_kernel_faults", "fuzz_hangs_count", "fuzz_leaks_count", "fuzz_actor_faults_count",
          "fuzz_unexpected_lines_count", "fuzz_wrong_results_count", "fuzz_uncovered_calls_count"),
)
