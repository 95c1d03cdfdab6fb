"""Torture campaign "leak": thousands of restart cycles of a small restart group, then the
kernel's pages, actor slots and ports and the bank's pages and blocks must be back to the
baseline; the same across a site restart.

The group is `hrleak PERIOD` (tests/actors/hrleak): each incarnation holds a block of
HR_GROUP_KEY, a block of an ordinary key, allocates and frees a third, creates a port,
allocates a region and heap and spawns an hrfexecl child (a port, heap), then ends
abnormally (data abort, undefined instruction, exit without HR_EXIT_HDL, in turn), so every
kind of resource goes through HR's restart path. Each incarnation sleeps 2.1 s of virtual
time before it ends, so at most 5 restarts fall within the policy's 10 s and it never
escalates (any escalation is counted, and must be 0). Every PERIOD-th incarnation waits
instead ("steady"): the driver takes the counts there (the same state every time: the
group up, one parent and its child) and kills it from the console (`akill`, one more kind of
end) to go on. The baseline is taken at the first steady point, after PERIOD warm-up cycles
and after the console ran `aps` and `pmm` once (C_INIT's own pages grow at first use).
Then `restart` on the console: after the warm boot HR restores the group, and at its next
steady points the counts must still equal the baseline (leak_site_*)."""
import re

from common import Campaign, Shell, count_differences

IMAGE = "storm"
CYCLES = {"smoke": (100, 3), "full": (1000, 5)}   # scale: (PERIOD, steady points per job)
JOBS = {"smoke": 1, "full": 2}
START = r"(?:^|(?<=cinit> ))"    # a line, or one that an actor printed after a prompt
STEADY = START + r"hrleak: steady run {run} aid (\d+)\n"   # whole: a cut line gives a cut aid
CRASH = re.compile(START + r"hr: hrleak \(aid \d+, group 1\) .*; restarting group 1 \(\d+/\d+\)$", re.M)
ESCALATION = re.compile(START + r"hr: hrleak .*: site restart$", re.M)
COMPLAINT = re.compile(START + r"hrleak: (?!steady).*$", re.M)
FIGURES = {"free_pages": "pages", "actors_used": "actor_slots", "ports_used": "ports",
           "bank_pages_used": "bank_pages", "bank_blocks_used": "blocks"}


def jobs(scale: str) -> list[dict]:
    """Jobs of PERIOD cycles between steady points; full: 2 jobs of 7 periods of 1,000."""
    period, points = CYCLES[scale]
    return [{"period": period, "points": points} for _ in range(JOBS[scale])]


def leaked(base: dict, now: dict) -> dict:
    """What a leak would show: pages that are no longer free, slots, ports, bank pages and
    blocks more than at the baseline (negative: fewer)."""
    return {FIGURES[k]: (base[k] - now[k]) if k == "free_pages" else (now[k] - base[k])
            for k in FIGURES}


def run(job) -> dict:
    """Baseline, cycles with counts at each steady point, a site restart, more cycles."""
    period, points = job.params["period"], job.params["points"]
    m = job.machine(IMAGE, icount=True, timeout=600)
    sh = Shell(m, timeout=120)
    sh.prompt()
    sh.cmd(f"arun -g 1 hrleak {period}")
    run_no = period

    def steady() -> None:
        """Waits for the steady incarnation of run_no; its aid in steady.aid."""
        steady.aid = m.expect(STEADY.format(run=run_no), 600).group(1)

    def go_on() -> None:
        """Kills the steady incarnation: the cycles go on up to the next steady point."""
        nonlocal run_no
        sh.cmd(f"akill {steady.aid}")
        run_no += period

    steady()
    sh.counts()                                  # C_INIT's first use of aps and pmm
    base = sh.counts()
    base_run = run_no
    job.log(f"baseline at run {run_no}: {base}")
    start = m.pos
    for point in range(points):
        go_on()
        steady()
        now = sh.counts()
        if count_differences(base, now):
            job.fail(f"at run {run_no}: {count_differences(base, now)} against the baseline")
    figures = {f"leak_{k}": v for k, v in leaked(base, now).items()}

    # The same after a site restart: HR restores the group from the registry.
    m.sendline("restart")
    m.expect(START + r"hr: restarting group 1 after the site restart$")
    sh.prompt()
    run_no += period                     # the killed steady run does not count as a crash
    steady()
    sh.counts()
    after = sh.counts()
    go_on()
    steady()
    now = sh.counts()
    for label, c in (("after the site restart", after), ("a period later", now)):
        if count_differences(base, c):
            job.fail(f"{label}, run {run_no}: {count_differences(base, c)} against the baseline")
    figures.update({f"leak_site_{k}": v for k, v in leaked(base, now).items()})

    text = m.text[start:]
    cycles = len(CRASH.findall(text))
    # Every run from the baseline's to the last steady one ended with a crash line, but the
    # steady run that the site restart ended.
    expected = run_no - base_run - 1
    if cycles != expected:
        job.fail(f"{cycles} crash lines for {expected} abnormal ends")
    figures["leak_restart_cycles"] = cycles
    figures["leak_escalations_count"] = len(ESCALATION.findall(text))
    complaints = COMPLAINT.findall(text)
    if complaints:
        job.fail(f"the group complained {len(complaints)} times, first {complaints[0]!r}")
    return figures


CAMPAIGN = Campaign(
    name="leak",
    title="Leaks: restart cycles of a small group, counts back to the baseline",
    jobs=jobs,
    run=run,
    zero=("leak_pages", "leak_actor_slots", "leak_ports", "leak_bank_pages", "leak_blocks",
          "leak_site_pages", "leak_site_actor_slots", "leak_site_ports", "leak_site_bank_pages",
          "leak_site_blocks", "leak_escalations_count"),
)
