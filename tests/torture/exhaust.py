"""Torture campaign 5, exhaustion: a hog actor (tests/actors/exhog) takes every page of the
kernel's pool that ordinary actors may have (its own page quota, then pagers' quotas, down to
the pool's reserves), every actor slot, every port, every bank page and every bank block, one
kind or several in a seeded random order; while everything is taken the console (aps, pmm,
hr, ls, help, a failing arun and arun -g), the PMM server and HR must keep answering, the
hog's calls must have failed with the documented errors (K_ENOMEM for pages and bank pages,
K_ETOOMUCH for slots, ports and directory entries), and a restart group killed meanwhile
must come back (its restart may use the restart reserve). The last round starves a restart
group: it must keep running on the restart reserve. Then the hog ends (its sentinel is
killed and it exits, or it is killed with akill and its blocks are freed by `exhog free`, or
its group is killed with akill -g) and the kernel's and the bank's counts must be back to
the baseline. The hog's image has a bank quota above the bank (tests/images/exhaust.image),
but a hog in a restart group allocates HR_GROUP_KEY blocks, which stop at the group's quota
(board.h): that is then "all taken"."""
from __future__ import annotations

import re

from common import ROOT, Campaign, Job, Shell, count_differences

IMAGE = "exhaust"
KINDS = ("pages", "slots", "ports", "bank", "blocks")
K_ENOMEM, K_ETOOMUCH = -2, -7
# The errors that may end each grab (SPEC section 3 and 4, errors.h, chPmm.h): pages and
# bank pages run out with K_ENOMEM, tables (slots, ports, the block directory) with
# K_ETOOMUCH; creating an actor or mapping a block also needs pool pages (K_ENOMEM), and the
# pages grab needs slots for its pagers (K_ETOOMUCH).
DOCUMENTED = {
    "pages": {K_ENOMEM, K_ETOOMUCH},
    "slots": {K_ETOOMUCH, K_ENOMEM},
    "ports": {K_ETOOMUCH},
    "bank": {K_ENOMEM, K_ETOOMUCH},
    "blocks": {K_ETOOMUCH, K_ENOMEM},
}
LOW_PAGES = 64          # fewer free pool pages than this above the reserves: a new actor or
                        # mapping may not fit
_BOARD = (ROOT / "boards/virt/board.h").read_text()
# A restart group's bank quota (its HR_GROUP_KEY blocks): pages, blocks.
GROUP_PAGES, GROUP_BLOCKS = (int(re.search(rf"#define\s+BOARD_PMM_GROUP_{w}\s+(\d+)", _BOARD)[1])
                             for w in ("PAGES", "BLOCKS"))
BLOCK_PAGES_MIN = 4     # the hog's bank blocks are 4 pages or more: its last one may not fit
READY = (r"exhog: ready aid (\d+) group (-?\d+) sentinel (\d+) "
         + " ".join(rf"{k} (\d+)/(-?\d+)" for k in KINDS)
         + r" odd (\d+) deep (-?\d+) quota (\d+)/(\d+)")
# What must never appear: a kernel panic, a critical actor's end, a site restart (a new
# boot banner), a system actor deleted after a fault.
KERNEL_FAULT = re.compile(r"panic|^kernel: critical actor|^hr: .*: site restart$|^Reprise |"
                          r"^boot: |^(hr|kernel): (pmm|hr|cinit) \(aid", re.MULTILINE)
MIDKILL_MAX_US = 30000  # taking everything lasts about 25 ms of virtual time
COMMAND_TIMEOUT = 60    # a console that does not answer within this is dead (hang detector)
SCALES = {"smoke": (1, 7), "full": (4, 50)}     # jobs, rounds a job


def jobs(scale: str) -> list[dict]:
    """Each job boots one machine and plays its rounds on it (a new one after a finding)."""
    n, rounds = SCALES[scale]
    return [{"rounds": rounds} for _ in range(n)]


class Dead(Exception):
    """The console stopped answering."""


class Leaked(Exception):
    """The counts did not come back: the next rounds need a new machine."""


def plan(job: Job, index: int) -> dict:
    """One round, drawn from the job's seed: the kinds the hog takes and their order, how
    the hog runs and ends, whether a restart group is killed while everything is taken, and
    the console commands tried meanwhile. The first rounds take one kind each, the next
    kills the hog midway (as do a quarter of the others), the last starves a restart group."""
    rng = job.rng
    if index == job.params["rounds"] - 1:
        kinds = ["pages"] + rng.sample([k for k in KINDS if k != "pages"], rng.randint(0, 4))
        rng.shuffle(kinds)
        return {"kinds": kinds, "starve": True, "midkill": None, "seed": rng.getrandbits(31)}
    if index == len(KINDS) or (index > len(KINDS) and rng.random() < 0.25):
        kinds = rng.sample(KINDS, rng.randint(1, len(KINDS)))
        return {"kinds": kinds, "starve": False, "midkill": rng.randint(50, MIDKILL_MAX_US),
                "seed": rng.getrandbits(31)}
    if index < len(KINDS):
        kinds = [KINDS[(index + job.index) % len(KINDS)]]
    elif rng.random() < 0.3:
        kinds = list(KINDS)
        rng.shuffle(kinds)
    else:
        kinds = rng.sample(KINDS, rng.randint(1, len(KINDS)))
    group = rng.random() < 0.5
    end = rng.choice(("exit", "akill-g") if group else ("exit", "akill"))
    probes = ["aps", "pmm", "hr", "ls", "help", "arun nop", "arun -g {g} nop"]
    rng.shuffle(probes)
    return {"kinds": kinds, "group": group, "end": end, "victim": rng.random() < 0.6,
            "seed": rng.getrandbits(31), "probes": probes, "starve": False, "midkill": None}


class Round:
    """The driver of one round on a booted machine whose console is at its prompt."""

    def __init__(self, job: Job, sh: Shell, figures: dict, index: int):
        self.job, self.sh, self.m, self.f = job, sh, sh.m, figures
        self.index = index
        self.start = sh.m.pos

    def cmd(self, line: str) -> str:
        """A console command; a console that does not answer is dead."""
        try:
            return self.sh.cmd(line, COMMAND_TIMEOUT)
        except AssertionError as e:
            raise Dead(f"no prompt after '{line}': {str(e)[:200]}") from None

    def line_since(self, pattern: str, since: int, timeout: float = COMMAND_TIMEOUT) -> re.Match:
        """Waits for a line ending with pattern printed after console offset since (an
        actor's line may come before or after the prompt of the command that caused it, so
        it may start after a prompt)."""
        old, self.m.pos = self.m.pos, since
        try:
            return self.m.expect(f"(?:{pattern})\n", timeout)
        finally:
            self.m.pos = max(old, self.m.pos)

    def expect_line(self, pattern: str, since: int) -> re.Match:
        """line_since, where a line that never comes means the console is dead."""
        try:
            return self.line_since(pattern, since)
        except AssertionError:
            raise Dead(f"no line matching {pattern!r}") from None

    def wrong(self, what: str) -> None:
        """A call failed with an undocumented error, or succeeded where it could not."""
        self.f["exhaust_wrong_errors_count"] += 1
        self.job.fail(f"round {self.index}: {what}")

    def run(self, p: dict, baseline: dict) -> None:
        """A round: the victim group, the hog, the checks while everything is taken, the
        victim's crash, the hog's end, the counts back to the baseline."""
        gid_hog, gid_victim, gid_probe = (3 * self.index + 10 + k for k in range(3))
        victim = None
        if p["victim"]:
            since = self.m.pos
            self.cmd(f"arun -g {gid_victim} exhog victim")
            victim = int(self.expect_line(rf"exhog: victim up aid (\d+) group {gid_victim} "
                                          rf"port \d+", since)[1])
        order = ",".join(p["kinds"])
        line = f"arun -g {gid_hog} exhog hog {p['seed']} {order}" if p["group"] \
            else f"arun exhog hog {p['seed']} {order}"
        since = self.m.pos
        out = self.cmd(line)
        if "started exhog" not in out:
            self.wrong(f"'{line}' did not start the hog: {out.strip()}")
            return
        try:
            r = self.line_since(READY, since, 300)
        except AssertionError:
            raise Dead("the hog never said it was ready") from None
        hog, sentinel = int(r[1]), int(r[3])
        got = {k: (int(r[4 + 2 * i]), int(r[5 + 2 * i])) for i, k in enumerate(KINDS)}
        self.job.log(f"round {self.index}: hog {hog} took {got}")
        self.f["exhaust_pages_taken_pages"] += got["pages"][0]
        self.f["exhaust_slots_taken_count"] += got["slots"][0]
        self.f["exhaust_ports_taken_count"] += got["ports"][0]
        self.f["exhaust_bank_taken_pages"] += got["bank"][0]
        self.f["exhaust_blocks_taken_blocks"] += got["blocks"][0]

        held = self.check_taken(p, got, int(r[16]) >= int(r[17]))
        deep = int(r[15])
        if deep != (K_ENOMEM if held["empty"] else 0):
            self.wrong(f"a call with its output on an untouched stack page gave {deep} with "
                       f"{'no' if held['empty'] else 'some'} page the hog could have "
                       f"(quota {r[16]}/{r[17]})")
        self.probe(p, held, gid_probe)
        if victim:
            self.crash_victim(victim, gid_victim)
        self.end_hog(p, hog, sentinel, gid_hog, got)
        if victim:
            out = self.cmd(f"akill -g {gid_victim}")
            if f"killed group {gid_victim}" not in out:
                self.wrong(f"akill -g {gid_victim} (the victim's group): {out.strip()}")
        self.settle(baseline)

    def starve(self, p: dict, baseline: dict) -> int:
        """A restart group that needs pages while the hog drains the pool: ordinary actors
        (the hog and its pagers) stop at the pool's reserves, and the group, started by HR,
        takes its pages from the restart reserve, so it keeps running: no crash, no restart,
        no site restart. Once the hog has ended (its blocks freed) and the group is killed,
        the counts are the baseline. Returns the lines KERNEL_FAULT expects here (none)."""
        gid = 3 * self.index + 10
        since = self.m.pos
        self.cmd(f"arun -g {gid} exhog victim starve")
        self.expect_line(rf"exhog: victim up aid \d+ group {gid} port \d+", since)
        since = self.m.pos
        self.cmd(f"arun exhog hog {p['seed']} {','.join(p['kinds'])}")
        try:
            r = self.line_since(READY, since, 300)
        except AssertionError:
            raise Dead("the hog never said it was ready") from None
        self.f["exhaust_starve_rounds_count"] += 1
        for _ in range(3):      # the victim looks at the pool every 10 ms: give it time
            out = self.cmd("hr")
        if not re.search(rf"^group {gid}: running, 0 restarts", out, re.MULTILINE) or \
                re.search(rf"^hr: exhog \(aid \d+, group {gid}\)", self.m.text[since:],
                          re.MULTILINE):
            self.f["exhaust_victims_lost_count"] += 1
            self.job.fail(f"round {self.index}: the starving group {gid} did not keep running "
                          f"on the restart reserve: {out.strip()[-400:]}")
        out = self.cmd(f"akill {r[1]}")
        if f"killed aid {r[1]}" not in out:
            self.wrong(f"akill {r[1]} (the hog): {out.strip()}")
        out = self.cmd(f"akill -g {gid}")
        if f"killed group {gid}" not in out:
            self.wrong(f"akill -g {gid} (the starving group): {out.strip()}")
        self.free_after_kill(baseline)
        return 0

    def free_after_kill(self, baseline: dict) -> None:
        """After the hog was killed: `exhog free` finds none of its blocks left (its helpers
        end as they see it gone, so the start is tried again), then the counts settle back
        to the baseline."""
        for _ in range(3):
            since = self.m.pos
            if "started exhog" in self.cmd("arun exhog free"):
                self.expect_line(r"exhog: freed 0", since)
                break
        else:
            self.wrong("arun exhog free could not start after the hog was killed")
        self.settle(baseline)

    def midkill(self, p: dict, baseline: dict) -> None:
        """The hog is killed wherever it is after a seeded delay (by a helper above the
        servers' priority, so possibly while the PMM works on its request): what it held
        must come back, its blocks be freed by `exhog free`, nothing half-made be left."""
        since = self.m.pos
        self.cmd(f"arun exhog hog {p['seed']} {','.join(p['kinds'])} {p['midkill']}")
        k = self.expect_line(r"exhog: killer killed hog \d+: (-?\d+)", since)
        if int(k[1]) != 0:
            self.wrong(f"the killer could not kill the hog: {k[1]}")
        self.f["exhaust_midkill_rounds_count"] += 1
        self.f["exhaust_midkill_during_count"] += "exhog: ready" not in self.m.text[since:k.start()]
        self.free_after_kill(baseline)

    def check_taken(self, p: dict, got: dict, hog_full: bool) -> dict:
        """Reads the counts while the hog holds everything, checks that each grab ended for
        the reason its error says, and that a kind taken alone was taken whole. Pages are
        all taken when no more than the reserves are free; hog_full: the hog is at its own
        page quota (a block mapping, which needs a page table, may then fail)."""
        c = self.sh.counts() | self.totals()
        self.f["exhaust_console_calls_count"] += 2
        floor = c["reserve_pages"]
        pages_low = c["free_pages"] < floor + LOW_PAGES
        grouped = bool(p["group"])      # its blocks are its group's: the group quota ends it
        full = {
            "pages": c["free_pages"] <= floor,
            "slots": c["actors_used"] == c["actors_total"],
            "ports": c["ports_used"] == c["ports_total"],
            "bank": c["bank_pages_used"] == c["bank_pages_total"] or
                    (grouped and c["bank_pages_used"] > GROUP_PAGES - BLOCK_PAGES_MIN),
            "blocks": c["bank_blocks_used"] == c["bank_blocks_total"] or
                      (grouped and c["bank_blocks_used"] >= GROUP_BLOCKS),
        }
        for k in p["kinds"]:
            err = got[k][1]
            if err not in DOCUMENTED[k]:
                self.wrong(f"{k}: the grab ended with error {err}, documented: {DOCUMENTED[k]}")
                continue
            why = {  # what each error means, and what the counts must then show
                ("pages", K_ENOMEM): full["pages"],
                ("pages", K_ETOOMUCH): full["slots"],
                ("slots", K_ETOOMUCH): full["slots"],
                ("slots", K_ENOMEM): pages_low,
                ("ports", K_ETOOMUCH): full["ports"] or full["slots"] or pages_low,
                ("bank", K_ENOMEM): full["bank"] or pages_low or hog_full,
                ("bank", K_ETOOMUCH): full["blocks"],
                ("blocks", K_ETOOMUCH): full["blocks"],
                ("blocks", K_ENOMEM): full["bank"] or pages_low or hog_full,
            }[(k, err)]
            if not why:
                self.wrong(f"{k}: the grab ended with {err} while the counts say {c}")
        # The bank alone ends when its pages or its directory entries run out.
        taken = full["bank"] or full["blocks"] if p["kinds"] == ["bank"] else full[p["kinds"][0]]
        if len(p["kinds"]) == 1 and not taken:
            self.f["exhaust_shortfall_count"] += 1
            self.job.fail(f"round {self.index}: {p['kinds'][0]} taken alone but not all taken: {c}")
        return {"pages": full["pages"], "slots": full["slots"], "pages_low": pages_low,
                "empty": full["pages"] or hog_full}

    def totals(self) -> dict:
        """The sizes of the tables (from the same lines as the counts)."""
        out = self.cmd("aps")
        k = re.search(r"^kernel: \d+ of (\d+) pages free, \d+ of (\d+) actor slots used, "
                      r"\d+ of (\d+) ports used$", out, re.MULTILINE)
        res = re.search(r"^kernel: page reserve (\d+) for the system, (\d+) for restarts; ",
                        out, re.MULTILINE)
        out2 = self.cmd("pmm")
        b = re.search(r"^bank: \d+ of (\d+) pages used .*, \d+ of (\d+) blocks$", out2,
                      re.MULTILINE)
        if not k or not b or not res:
            raise Dead(f"aps or pmm printed no summary:\n{out}\n{out2}")
        return {"pages_total": int(k[1]), "actors_total": int(k[2]), "ports_total": int(k[3]),
                "bank_pages_total": int(b[1]), "bank_blocks_total": int(b[2]),
                "reserve_pages": int(res[1]) + int(res[2])}

    def probe(self, p: dict, held: dict, gid: int) -> None:
        """The console commands, in the round's order, while everything is taken: each must
        answer; arun must fail with the error of what is missing. A start through HR (arun
        -g) may use the restart reserve: it fails only when no slot is left."""
        expect_err = (K_ETOOMUCH if held["slots"] else K_ENOMEM if held["pages"] else None)
        for probe in p["probes"]:
            if "-g" in probe and not held["slots"]:
                continue    # nop would start in a group and exit: a restart loop
            line = probe.format(g=gid)
            out = self.cmd(line)
            self.f["exhaust_console_calls_count"] += 1
            ok = {
                "aps": lambda: "ports used" in out,
                "pmm": lambda: re.search(r"^bank: ", out, re.MULTILINE),
                "hr": lambda: "hr: auto-start on" in out and "crash log" in out,
                "ls": lambda: "5 images" in out,
                "help": lambda: "commands:" in out,
            }.get(probe.split()[0] if not probe.startswith("arun") else "arun")
            if ok:
                if not ok():
                    self.wrong(f"'{line}' answered oddly: {out.strip()[-300:]}")
                continue
            started = re.search(r"started nop, aid (\d+)", out)
            failed = re.search(r"arun: cannot start nop: error (-?\d+)", out)
            if expect_err is not None and ("-g" not in probe or expect_err == K_ETOOMUCH):
                if not failed or int(failed[1]) != expect_err:
                    self.wrong(f"'{line}' with everything taken: expected error {expect_err}, "
                               f"got: {out.strip()}")
            elif not started and not (held["pages_low"] and failed and int(failed[1]) == K_ENOMEM):
                self.wrong(f"'{line}' with room left: {out.strip()}")
            if failed and "-g" in probe:
                out = self.cmd("hr")
                if re.search(rf"^group {gid}:", out, re.MULTILINE):
                    self.wrong(f"a failed 'arun -g {gid}' left group {gid} registered")

    def crash_victim(self, victim: int, gid: int) -> None:
        """Kills the victim while everything is taken: HR must restart its group with what
        the victim's end released (its pages, its slot, its port) and print the crash line."""
        since = self.m.pos
        out = self.cmd(f"akill {victim}")
        if f"killed aid {victim}" not in out:
            self.wrong(f"akill {victim} (the victim): {out.strip()}")
            return
        try:
            self.line_since(rf"hr: exhog \(aid {victim}, group {gid}\) killed by .*; "
                            rf"restarting group {gid} \(\d+/\d+\)", since)
            self.line_since(rf"exhog: victim up aid \d+ group {gid} port \d+", since)
            self.f["exhaust_victim_restarts_count"] += 1
            out = self.cmd("hr")
            if not re.search(rf"^  #\d+ .* exhog \(aid {victim}, group {gid}\) killed by .*; "
                             rf"restarting group {gid}", out, re.MULTILINE):
                self.wrong(f"the victim's end (aid {victim}) is not in the crash log")
        except AssertionError:
            self.f["exhaust_victims_lost_count"] += 1
            self.job.fail(f"round {self.index}: victim group {gid} did not come back: "
                          f"{self.m.text[self.start:][-600:]}")

    def end_hog(self, p: dict, hog: int, sentinel: int, gid: int, got: dict) -> None:
        """Ends the hog the round's way, then checks the ways it ended."""
        since = self.m.pos
        if p["end"] == "exit":
            out = self.cmd(f"akill {sentinel}")
            if f"killed aid {sentinel}" not in out:
                self.wrong(f"akill {sentinel} (the sentinel): {out.strip()}")
            if p["group"]:
                self.expect_line(r"exhog: done", since)
                self.expect_line(rf"hr: group {gid} ended cleanly", since)
            else:
                self.expect_line(r"exhog: done, blocks freed: 0", since)
        elif p["end"] == "akill":
            out = self.cmd(f"akill {hog}")
            if f"killed aid {hog}" not in out:
                self.wrong(f"akill {hog} (the hog): {out.strip()}")
            if got["bank"][0] or got["blocks"][0]:
                out = self.cmd("arun exhog free")
                if "started exhog" not in out:
                    self.wrong(f"arun exhog free after the hog: {out.strip()}")
                self.expect_line(r"exhog: freed 0", since)
        else:
            out = self.cmd(f"akill -g {gid}")
            if f"killed group {gid}" not in out:
                self.wrong(f"akill -g {gid} (the hog's group): {out.strip()}")

    def settle(self, baseline: dict) -> None:
        """The counts must come back to the baseline (the hog's children end as they see it
        gone, in their own time: look a few times)."""
        diff = {}
        for _ in range(10):
            diff = count_differences(baseline, self.sh.counts())
            if not diff:
                return
        self.f["exhaust_leaks_count"] += 1
        self.job.fail(f"round {self.index}: counts not back to the baseline: {diff}")
        raise Leaked()


def boot(job: Job) -> tuple[Shell, dict]:
    """A new machine at its prompt, and its baseline counts."""
    for m in job.machines:
        m.kill()
    m = job.machine(IMAGE, icount=True, timeout=COMMAND_TIMEOUT)
    sh = Shell(m, COMMAND_TIMEOUT)
    sh.prompt()
    return sh, sh.counts()


def run(job: Job) -> dict:
    """Plays the job's rounds; a dead console or a leak ends its machine (a new one follows)."""
    f = {name: 0 for name in (
        "exhaust_rounds_count", "exhaust_console_calls_count", "exhaust_pages_taken_pages",
        "exhaust_slots_taken_count", "exhaust_ports_taken_count", "exhaust_bank_taken_pages",
        "exhaust_blocks_taken_blocks", "exhaust_victim_restarts_count",
        "exhaust_starve_rounds_count",
        "exhaust_midkill_rounds_count", "exhaust_midkill_during_count",
        *CAMPAIGN.zero)}
    sh, baseline = boot(job)
    for index in range(job.params["rounds"]):
        p = plan(job, index)
        job.log(f"round {index}: {p}")
        rnd = Round(job, sh, f, index)
        expected = 0
        try:
            if p["starve"]:
                expected = rnd.starve(p, baseline)
            elif p["midkill"] is not None:
                rnd.midkill(p, baseline)
            else:
                rnd.run(p, baseline)
        except (Dead, Leaked) as e:
            if isinstance(e, Dead):
                f["exhaust_console_dead_count"] += 1
                job.fail(f"round {index}: console dead: {e}")
            faults = KERNEL_FAULT.findall(sh.m.text[rnd.start:])
            f["exhaust_kernel_faults"] += len(faults)
            sh, baseline = boot(job)
            f["exhaust_rounds_count"] += 1
            continue
        odd = re.findall(r"exhog: odd: .*", sh.m.text[rnd.start:])
        if odd:
            f["exhaust_wrong_errors_count"] += len(odd)
            job.fail(f"round {index}: undocumented errors: {odd}")
        faults = KERNEL_FAULT.findall(sh.m.text[rnd.start:])
        if len(faults) != expected:
            f["exhaust_kernel_faults"] += abs(len(faults) - expected)
            job.fail(f"round {index}: kernel faults {faults} ({expected} expected)")
        f["exhaust_rounds_count"] += 1
    return f


CAMPAIGN = Campaign(
    name="exhaust",
    title="exhaustion: pages, slots, ports, bank pages, blocks",
    jobs=jobs,
    run=run,
    zero=("exhaust_console_dead_count", "exhaust_wrong_errors_count", "exhaust_leaks_count",
          "exhaust_kernel_faults", "exhaust_shortfall_count", "exhaust_victims_lost_count"),
)
