"""Torture campaign "storm": restart storms. Several restart groups end abnormally at the same
instants in every way (data abort, undefined instruction, exit without HR_EXIT_HDL, killed
by `akill` on the console, killed with SYS_ACTOR_KILL or hit by SYS_ACTOR_INJECT from a
privileged actor), a parent's hrfexecl children crash, the console asks for site restarts,
and in some jobs the machine is reset at exact instants (inside a crash, inside HR's
crash-log append or group relaunch). The driver then checks, from the console and the crash
log (`hr`):

  - every abnormal end has exactly one HR crash line and one crash-log record (a crash that
    a reset or a site restart overtook before HR could see it is counted apart, as cut);
  - each crash line's decision is the policy's: the driver replays the policy (more than
    hr.maxRestarts=5 restarts of a group within hr.interval=10 s -> site restart) on the
    crash times of the log, and the loop breaker (more than hr.maxSiteRestarts=3 site
    restarts within 60 s -> groups not auto-started, a console line) on the boot banners'
    times; it engages every time it should and never when it should not;
  - nothing is started twice: each member of a group starts at most once more than the
    group has restarts (its crash lines, and its crashes that a reset cut before HR said
    them: HR restarts first and prints a crash line once the CPU is idle, so the line may
    come after the restarted members' first lines), counted from the group's start to its
    `akill -g` or the end of the boot; and `aps` and `hr` never show a member twice;
  - the console answers after every round.

The test actor is tests/actors/hrstorm (see its header): its members end on a 700 ms grid of
virtual time, so the times between two ends of a group never come near the 10 s window. One
typed command starts a whole round inside the guest (`hrstormk round`: it opens the gate,
the origin of the round's grid, and starts every group at once), and the driver types
nothing else until the round has settled, when every actor waits with no timer: the
kernel's tick stops when the CPU idles, so under -icount sleep=off virtual time stands still
while the host types, and a round starts, runs and ends at the same virtual instants in
every run of a seed. A round makes at most about 60 ends (the groups' LIMITs bound them
across site restarts too), so the crash log's ring of 85 records still holds every one when
the driver reads it (`hr`) at the end of the round. Jobs of kind "storm" run with -icount
sleep=off (virtual time exact, idle time skipped); jobs of kind "reset" use reset_at, which
needs sleep on (QEMU 7.2 does not resume from a gdb stop with sleep=off): while an actor
sleeps their virtual time follows the host's clock, landing a few microseconds late, which
is why every expectation is computed from the times the console and the crash log report
rather than from a schedule."""
from __future__ import annotations

import re
import time

from common import PROMPT, ROOT, Campaign, Shell
from reprise import ConsoleError, elf_symbol

IMAGE = "storm"
MAX_RESTARTS, INTERVAL_NS = 5, 10_000_000_000              # board.h BOARD_HR_*
MAX_SITE, SITE_INTERVAL_NS, SITE_HISTORY = 3, 60_000_000_000, 8
MARGIN_NS = 50_000_000          # a window edge closer than this to a decision: not judged
KINDS = ("data", "undef", "exit", "mixed")
KILLS = ("kill", "data", "undef")
CUT_NS = 50_000_000             # crashes this close in virtual time are "of the same instant"
KILLED = re.compile(r"(?:killed|injected) by \S+ \(aid \d+\)")
SETTLE_S = 180                  # wall time a round may take to settle: a hang detector only

START = r"(?:^|(?<=cinit> ))"   # a whole line, or one an actor printed right after a prompt
LINES = {
    "boot": r"boot: (?:cold|warm \((?P<reason>[^)]*)\)), boot (?P<boot>\d+), bank marker \w+, "
            r"(?P<ns>\d+) ns since power-on",
    "start": r"hrstorm: g(?P<g>\d+) (?P<role>\w+) run (?P<run>\d+) aid (?P<aid>\d+)",
    "end": r"hrstorm: g(?P<g>\d+) (?P<role>\w+) run (?P<run>\d+) crash (?P<kind>\w+) t=(?P<t>\S+)",
    "kill": r"hrstormk: g(?P<g>\d+) (?P<how>\w+) aid (?P<aid>\d+) = (?P<res>-?\d+) t=(?P<t>\S+)",
    "akill": r"killed aid (?P<aid>\d+)",
    "hr": r"hr: (?P<name>\S+) \(aid (?P<aid>\d+), group (?P<g>\d+)\) (?P<text>.*?); "
          r"(?:restarting group \d+ \((?P<n>\d+)/\d+\)|group \d+ failed (?P<fn>\d+) times: "
          r"site restart)",
    "site": r"kernel: site restart \((?P<reason>[^)]*)\)",
    "break": r"hr: auto-restart stopped: .*",
    "killg": r"killed group (?P<g>\d+)",
    "refused": r"hr: site restart refused.*",
    "record": r"  #(?P<seq>\d+) boot (?P<boot>\d+) t=(?P<s>\d+)\.(?P<us>\d{6})s (?P<name>\S+) "
              r"\(aid (?P<aid>-?\d+)(?:, group (?P<g>-?\d+))?\) (?P<text>.*); (?P<action>.*)",
}
PATTERNS = {k: re.compile(v + "$") for k, v in LINES.items()}
LINE = re.compile(r"^(?:cinit> )*(.+)$", re.M)
ZERO = ("storm_crash_lines_missing", "storm_crash_lines_extra", "storm_log_entries_missing",
        "storm_log_entries_extra", "storm_escalations_missed", "storm_escalations_spurious",
        "storm_policy_mismatches_count", "storm_loop_breaks_missed",
        "storm_loop_breaks_spurious", "storm_double_starts_count", "storm_console_dead_count")


def jobs(scale: str) -> list[dict]:
    """Storm jobs (sleep=off, exact virtual time) and reset jobs (sleep on, reset_at)."""
    if scale == "smoke":
        return [{"kind": "storm", "rounds": 5}, {"kind": "reset", "rounds": 1, "resets": 1}]
    return ([{"kind": "storm", "rounds": 60} for _ in range(4)] +
            [{"kind": "reset", "rounds": 6, "resets": 3} for _ in range(2)])


# ---- the driver --------------------------------------------------------------------------------

def plan_round(rng, resets: bool) -> list[dict]:
    """The groups of one round: gid, mode and arguments, chosen by rng."""
    seed = rng.getrandbits(31)
    sync = rng.random() < 0.6           # one seed for all: every group ends at the same instants
    limit = (3, 6) if resets else (3, 10)
    groups, gid, more = [], 1, rng.randint(2, 5)
    if not resets and rng.random() < 0.3:
        # A crash loop (seed 0: the shortest pauses, so every 6th end escalates): site
        # restarts until the loop breaker stops it, 4 site restarts later.
        groups.append({"gid": gid, "mode": "crash",
                       "cmd": f"hrstorm crash {rng.choice(KINDS)} 0 {gid} 30"})
        gid, more, limit = gid + 1, rng.randint(1, 2), (3, 6)
    for _ in range(more):
        mode = rng.choice(("crash", "crash", "parent", "wait"))
        s = seed if sync else rng.getrandbits(31)
        if mode == "crash":
            groups.append({"gid": gid, "mode": mode,
                           "cmd": f"hrstorm crash {rng.choice(KINDS)} {s} {gid} "
                                  f"{rng.randint(*limit)}"})
        elif mode == "parent":
            groups.append({"gid": gid, "mode": mode, "children": rng.randint(1, 4),
                           "cmd": None})
            groups[-1]["cmd"] = (f"hrstorm parent {groups[-1]['children']} {s} {gid} "
                                 f"{rng.randint(*limit)}")
        else:
            killer = gid + 1
            groups.append({"gid": gid, "mode": mode, "cmd": f"hrstorm wait {gid}",
                           "killer": killer})
            groups.append({"gid": killer, "mode": "killer",
                           "cmd": f"hrstormk {rng.choice(KILLS)} {gid} "
                                  f"{rng.choice((700, 1400, 2100))} {rng.randint(*limit)}"})
            gid += 1
        gid += 1
    if rng.random() < 0.4:              # a group that the console kills
        # At most hr.maxRestarts kills, typed once the round has settled: they never decide
        # an escalation by themselves.
        groups.append({"gid": gid, "mode": "console", "cmd": f"hrstorm wait {gid}",
                       "kills": rng.randint(1, 5)})
    if not resets and rng.random() < 0.2:
        # A site restart mid-storm, asked for by hrstormk at an instant of the grid.
        groups.append({"gid": 0, "mode": "restart",
                       "cmd": f"hrstormk restart {rng.choice((2100, 2800, 3500))}"})
    return groups


class StormShell(Shell):
    """The console in a storm: a site restart prints a prompt of its own at any time, so a
    command's output is what follows the echo of the command, up to the next prompt. Actors'
    lines may cut into the echo (C_INIT echoes as it reads)."""

    def cmd(self, line: str, timeout: float | None = None) -> str:
        self.m.sendline(line)
        echo = r"(?:[^\n]*\n)*?".join(re.escape(c) for c in line)
        self.m.expect(START + echo + "\n", timeout or self.timeout)
        start = self.m.pos
        self.m.expect(re.escape(PROMPT), timeout or self.timeout)
        return self.m.text[start:self.m.pos - len(PROMPT)]


def boot_text(m) -> str:
    """The console since the last boot banner."""
    i = max(m.text.rfind("boot: warm"), m.text.rfind("boot: cold"))
    return m.text[i:]


def settled(m, groups: list[dict], since: int) -> bool:
    """True when nothing of the round can end any more: HR stopped auto-starting, or every
    group is quiet in this boot, ended, or waits without a killer that still runs."""
    text = m.text[since:]
    now = boot_text(m)
    now = now if len(now) < len(text) else text     # this boot, this round
    if "hr: auto-restart stopped" in now:
        return True
    ended = {int(g) for g in re.findall(r"hr: group (\d+) (?:ended cleanly|: no actor)", text)}
    for g in groups:
        gid = g["gid"]
        if gid in ended or g["mode"] == "console":
            continue
        if g["mode"] in ("crash", "parent") and f"hrstorm: g{gid} quiet" not in now:
            return False
        if g["mode"] == "wait" and g["killer"] not in ended:
            return False
        if g["mode"] == "killer" and gid not in ended:
            return False
    return True


def wait_settled(m, groups, since) -> None:
    """Reads the console until the round has settled; a storm that never does is a hang."""
    deadline = time.monotonic() + SETTLE_S
    while not settled(m, groups, since):
        if time.monotonic() > deadline:
            raise ConsoleError(f"{m.name}: the storm did not settle in {SETTLE_S} s")
        m._read_some(0.5)          # reads the console on (the storm runs meanwhile)


def group_members(out: str) -> dict:
    """`hr` output -> {gid: (state, [member names with aids])}."""
    groups, cur = {}, None
    for line in out.splitlines():
        g = re.match(r"group (\d+): (\w+), \d+ restarts?, \d+ members?", line)
        if g:
            cur = int(g[1])
            groups[cur] = (g[2], [])
        elif cur is not None and (a := re.match(r"  aid (\S+) (\S+) (\w+)", line)):
            groups[cur][1].append(a[1])
    return groups


def run(job) -> dict:
    """One job: rounds of storms (and resets), then the whole console checked at once."""
    resets = job.params["kind"] == "reset"
    icount = "shift=0,align=off" if resets else True
    m = job.machine(IMAGE, icount=icount, timeout=120)
    sh = StormShell(m, timeout=60)
    rng = job.rng
    dead = 0
    reset_count = 0
    problems: list[str] = []
    try:
        sh.prompt()
        for rnd in range(job.params["rounds"]):
            groups = plan_round(rng, resets)
            job.log(f"round {rnd}: {[g['cmd'] for g in groups]}")
            since = m.pos
            # One command starts the whole round inside the guest (hrstormk round): the
            # groups start at one instant of virtual time whatever the host's typing speed.
            specs = " ".join(f'"{g["gid"]} {g["cmd"]}"' for g in groups)
            sh.cmd(f"arun hrstormk round {specs}")
            if resets:
                for _ in range(job.params["resets"]):
                    where = rng.choice((("actors/hrstorm.elf", "hrstorm_end", "hrstorm"),
                                        ("apps/hr.elf", "hrlog_append", "hr"),
                                        ("apps/hr.elf", "hr_group_relaunch", "hr")))
                    pc = elf_symbol(ROOT / "build" / job.board.name / where[0], where[1])
                    hits = rng.randint(1, 3)
                    if m.reset_at(pc, hits, actor=where[2], timeout=20):
                        reset_count += 1
                        job.log(f"reset at {where[1]} hit {hits}")
                        # The next breakpoint goes in once this reset's boot is over, whatever
                        # the host has read of it yet: it never lands in that boot in one run
                        # and after it in another.
                        m.expect(r"boot: warm \(external reset\)", 60)
                        m.expect(re.escape("cinit: type help for the commands"), 60)
            elif any(g["mode"] == "restart" for g in groups):
                # hrstormk's site restart, or an escalation that came first and took the
                # (not restartable) hrstormk with it: either way a site restart.
                m.expect(r"kernel: site restart \(", 60)
                m.expect(r"cinit: type help for the commands\n", 60)
            wait_settled(m, groups, since)
            for g in groups:
                if g["mode"] != "console":
                    continue
                for _ in range(g["kills"]):
                    # Whole lines only: a line still arriving would give a cut aid.
                    aid = re.findall(START + rf"hrstorm: g{g['gid']} w run \d+ aid (\d+)\r?\n",
                                     boot_text(m), re.M)
                    if not aid or "hr: auto-restart stopped" in boot_text(m):
                        break
                    out = sh.cmd(f"akill {aid[-1]}")
                    if "killed aid" not in out:
                        break
                    m.expect(START + rf"hrstorm: g{g['gid']} w run \d+ aid \d+\r?\n|"
                             r"cinit: type help for the commands\r?\n", 30)
                    if "cinit: type help" in m.text[m.pos - 40:m.pos]:
                        break
            sh.cmd("arun hrstorm go 0")
            out = sh.cmd("hr")
            problems += check_members(out, sh.cmd("aps"), groups)
            for gid in sorted(group_members(out)):
                sh.cmd(f"akill -g {gid}")
            if "auto-start off" in out:
                sh.cmd("arun hrstorm sleep 61000")
                m.expect(START + r"hrstorm: slept 61000$", 300)
        sh.cmd("hr")
    except ConsoleError as e:
        dead += 1
        job.fail(f"console stopped answering: {str(e)[:400]}")
    figures = check(m.text, job)
    figures["storm_console_dead_count"] = dead
    figures["storm_resets_count"] = reset_count
    figures["storm_double_starts_count"] += len(problems)
    for p in problems:
        job.fail(p)
    return figures


def check_members(hr_out: str, aps_out: str, groups: list[dict]) -> list[str]:
    """At the end of a round: no member twice in `hr`, no more live hrstorm actors of a group
    in `aps` than it has members."""
    problems = []
    members = group_members(hr_out)
    for gid, (state, aids) in members.items():
        live = [a for a in aids if a != "-"]
        if len(set(live)) != len(live):
            problems.append(f"hr shows a member of group {gid} twice: {aids}")
    want = {g["gid"]: 1 + g.get("children", 0) for g in groups}
    for gid, n in want.items():
        rows = re.findall(rf"^\s*\d+ hrstorm\S* +{gid} ", aps_out, re.M)
        if len(rows) > n:
            problems.append(f"aps shows {len(rows)} actors of group {gid}, which has {n}")
    return problems


# ---- the checker -----------------------------------------------------------------------------

def ns_of(t: str) -> int:
    """"S.NNNNNNNNN" seconds -> ns."""
    s, _, frac = t.partition(".")
    return int(s) * 1_000_000_000 + int(frac.ljust(9, "0")[:9])


def parse(text: str) -> list[tuple[str, dict, int]]:
    """The console's events in order: (kind, fields, position). An event may end a line that
    starts with part of a command's echo (C_INIT echoes typed text as it reads it)."""
    out = []
    for line in LINE.finditer(text):
        for kind, pattern in PATTERNS.items():
            e = pattern.search(line.group(1))
            if e:
                fields = {k: v for k, v in e.groupdict().items() if v is not None}
                out.append((kind, fields, line.start(1) + e.start()))
                break
    return out


def policy_n(times: list[int], now: int) -> tuple[int, bool]:
    """The policy's count of restarts within the window at now (its ring keeps the last
    max_restarts + 1), and whether a time lies too near the window's edge to judge."""
    last = times[-(MAX_RESTARTS + 1):]
    n = sum(1 for t in last if now - t < INTERVAL_NS)
    near = any(abs(now - t - INTERVAL_NS) < MARGIN_NS for t in last)
    return n, near


def check(text: str, job) -> dict:
    """Checks a job's whole console (see the module's docstring); returns its figures and
    records every finding with job.fail."""
    f = {k: 0 for k in ZERO}
    f.update(storm_crashes_count=0, storm_crashes_cut_count=0, storm_escalations_expected=0,
             storm_escalations_count=0, storm_loop_breaks_expected=0, storm_loop_breaks_count=0,
             storm_undecidable_count=0)
    events = parse(text)
    boot = 0
    member = {}                 # (boot, aid) -> (gid, role)
    role_aid = {}               # (boot, gid, role, run) -> aid
    crashes = {}                # (boot, aid) -> (position, virtual time in ns or None)
    lines = {}                  # (boot, aid) -> [fields of HR crash lines]
    records = {}                # seq -> fields
    boots = []                  # (boot, reason, ns, position)
    breaks = set()
    starts = {}                 # (boot, gid, role) -> [(position, run, aid)] of its starts
    killgs = {}                 # (boot, gid) -> positions of `akill -g gid`
    hr_pos = {}                 # boot -> positions of HR crash lines
    for kind, e, pos in events:
        if kind == "boot":
            boot = int(e["boot"])
            boots.append((boot, e.get("reason", "cold"), int(e["ns"]), pos))
        elif kind == "start":
            gid = int(e["g"])
            member[(boot, e["aid"])] = (gid, e["role"])
            role_aid[(boot, gid, e["role"], e["run"])] = e["aid"]
            starts.setdefault((boot, gid, e["role"]), []).append((pos, e["run"], e["aid"]))
        elif kind == "end":
            aid = role_aid.get((boot, int(e["g"]), e["role"], e["run"]))
            if aid:
                crashes[(boot, aid)] = (pos, ns_of(e["t"]))
        elif kind == "kill" and e["res"] == "0":
            crashes.setdefault((boot, e["aid"]), (pos, ns_of(e["t"])))
        elif kind == "akill" and (boot, e["aid"]) in member:
            crashes.setdefault((boot, e["aid"]), (pos, None))
        elif kind == "hr":
            if KILLED.search(e["text"]):     # the kernel's words: a kill or an injection,
                crashes.setdefault((boot, e["aid"]), (pos, None))   # also when the killer
                                                                    # could not print it
            lines.setdefault((boot, e["aid"]), []).append({**e, "_pos": pos})
            hr_pos.setdefault(boot, []).append(pos)
        elif kind == "killg":
            killgs.setdefault((boot, int(e["g"])), []).append(pos)
        elif kind == "break":
            breaks.add(boot)
        elif kind == "refused":
            job.fail(f"boot {boot}: {text[pos:text.find(chr(10), pos)]}")
        elif kind == "record":
            records[int(e["seq"])] = e

    by_key = {}
    for r in records.values():
        by_key.setdefault((int(r["boot"]), r["aid"]), []).append(r)

    def when(key):
        """The crash's virtual time: the actor's own, else the crash log's (kills)."""
        t = crashes[key][1]
        if t is None and by_key.get(key):
            r = by_key[key][0]
            t = int(r["s"]) * 1_000_000_000 + int(r["us"]) * 1000
        return t

    # Every crash: one line. An end that the end of its boot overtook is counted as cut: an
    # actor says "crash" just before its fault, and may be preempted between the two by a
    # site restart (another group's escalation at the same instant, the console's `restart`)
    # or a reset; so may HR between a crash line and its record. Such a crash is one that no
    # crash line of that boot follows in time: none is for a crash that came later (by
    # virtual time; by console position only when neither time is known). A kill whose time
    # is unknown (the killer's line and the log record lost to the reset) proves nothing: HR
    # takes ends in the order they came, and the kill may have come first.
    last_boot = boots[-1][0] if boots else 1
    cut = set()                 # crashes the end of their boot overtook
    for key, (pos, _) in crashes.items():
        n = len(lines.get(key, []))
        t = when(key)
        later = [k for k in lines if k[0] == key[0] and k in crashes and
                 (when(k) - t > CUT_NS if t is not None and when(k) is not None
                  else t is None and when(k) is None and crashes[k][0] > pos)]
        if n == 0 and key[0] != last_boot and not later:
            f["storm_crashes_cut_count"] += 1
            cut.add(key)
            continue
        f["storm_crashes_count"] += 1
        if n == 1:
            continue
        elif n == 0:
            f["storm_crash_lines_missing"] += 1
            job.fail(f"boot {key[0]}: aid {key[1]} ended abnormally, no crash line")
        elif n > 1:
            f["storm_crash_lines_extra"] += n - 1
            job.fail(f"boot {key[0]}: aid {key[1]} has {n} crash lines")
    for key, ls in lines.items():
        if key not in crashes and key in member:
            f["storm_crash_lines_extra"] += len(ls)
            job.fail(f"boot {key[0]}: crash line for aid {key[1]}, which did not crash")

    # Nothing started twice: in each stretch of a boot between `akill -g`s of its group, a
    # member starts at most once more than the group has crash lines and cut crashes there.
    def stretch(b, gid, pos):
        return sum(1 for k in killgs.get((b, gid), []) if k < pos)
    restarts = {}               # (boot, gid, stretch) -> crash lines and cut crashes
    for key, ls in lines.items():
        if key in member:
            for e in ls:
                k = (key[0], int(e["g"]), stretch(key[0], int(e["g"]), e["_pos"]))
                restarts[k] = restarts.get(k, 0) + 1
    for key in cut:
        if key in member:
            gid = member[key][0]
            k = (key[0], gid, stretch(key[0], gid, crashes[key][0]))
            restarts[k] = restarts.get(k, 0) + 1
    for (b, gid, role), ss in starts.items():
        count = {}
        for pos, run, aid in ss:
            k = (b, gid, stretch(b, gid, pos))
            count[k] = count.get(k, 0) + 1
            if count[k] > restarts.get(k, 0) + 1:
                f["storm_double_starts_count"] += 1
                job.fail(f"boot {b}: group {gid} member {role} started more often than its "
                         f"group restarted (run {run}, aid {aid})")

    # Every crash line: one record (the ring holds 85; the driver reads it every round).
    for key, ls in lines.items():
        recs = by_key.get(key, [])
        if len(recs) < len(ls) and cut_by_reset(boots, hr_pos, key[0], ls, lines):
            f["storm_crashes_cut_count"] += 1
        elif len(recs) < len(ls):
            f["storm_log_entries_missing"] += len(ls) - len(recs)
            job.fail(f"boot {key[0]}: aid {key[1]}: {len(ls)} crash lines, {len(recs)} "
                     f"crash-log records")
        elif len(recs) > len(ls):
            f["storm_log_entries_extra"] += len(recs) - len(ls)
            job.fail(f"boot {key[0]}: aid {key[1]}: {len(recs)} crash-log records for "
                     f"{len(ls)} crash lines")
    seqs = sorted(records)
    if seqs and seqs != list(range(seqs[0], seqs[-1] + 1)):
        gaps = sorted(set(range(seqs[0], seqs[-1] + 1)) - set(seqs))
        f["storm_log_entries_missing"] += len(gaps)
        job.fail(f"crash-log sequence numbers missing: {gaps[:20]}")

    # The policy, replayed on the logged crash times, group by group and boot by boot.
    history = {}                # (boot, gid) -> crash times
    for kind, e, pos in events:
        if kind == "killg":
            history.pop((boot_at(boots, pos), int(e["g"])), None)
        if kind != "hr" or (b := boot_at(boots, pos), e["aid"]) not in member:
            continue
        recs = by_key.get((b, e["aid"]))
        if not recs:
            continue
        t = int(recs[0]["s"]) * 1_000_000_000 + int(recs[0]["us"]) * 1000
        times = history.setdefault((b, int(e["g"])), [])
        times.append(t)
        n, near = policy_n(times, t)
        escalate = n > MAX_RESTARTS
        did = e.get("fn") is not None
        f["storm_escalations_count"] += did
        if near:
            f["storm_undecidable_count"] += 1
            continue
        f["storm_escalations_expected"] += escalate
        if escalate and not did:
            f["storm_escalations_missed"] += 1
            job.fail(f"boot {b}: group {e['g']} restarted ({e.get('n')}/5) after {n} restarts "
                     f"within 10 s: the site restart was missed")
        elif did and not escalate:
            f["storm_escalations_spurious"] += 1
            job.fail(f"boot {b}: group {e['g']} escalated after {n} restarts within 10 s")
        elif int(e.get("fn") or e.get("n")) != n:
            f["storm_policy_mismatches_count"] += 1
            job.fail(f"boot {b}: group {e['g']}: HR counted {e.get('fn') or e.get('n')} "
                     f"restarts within 10 s, the log's times {n}")

    # The loop breaker, replayed on the boot banners' times.
    site_times: list[int] = []
    for b, reason, ns, pos in boots:
        if reason == "cold":
            continue
        if reason != "external reset":
            site_times = (site_times + [ns])[-SITE_HISTORY:]
        n = sum(1 for t in site_times if ns - t < SITE_INTERVAL_NS)
        near = any(abs(ns - t - SITE_INTERVAL_NS) < MARGIN_NS for t in site_times)
        did = b in breaks
        f["storm_loop_breaks_count"] += did
        if near:
            f["storm_undecidable_count"] += 1
            continue
        expected = n > MAX_SITE
        f["storm_loop_breaks_expected"] += expected
        if expected and not did:
            f["storm_loop_breaks_missed"] += 1
            job.fail(f"boot {b}: {n} site restarts within 60 s, groups auto-started")
        elif did and not expected:
            f["storm_loop_breaks_spurious"] += 1
            job.fail(f"boot {b}: auto-start stopped after {n} site restarts within 60 s")
    return f


def cut_by_reset(boots, hr_pos, b: int, ls, lines) -> bool:
    """True when the crash line ls of boot b is that boot's last and the next boot is an
    external reset: the reset may have come between the line and the record."""
    nxt = [r for n, r, _, _ in boots if n == b + 1]
    return bool(nxt) and nxt[0] == "external reset" and len(ls) == 1 and \
        ls[0]["_pos"] == max(hr_pos[b])


def boot_at(boots, pos: int) -> int:
    """The boot whose console holds position pos."""
    b = 1
    for n, _, _, p in boots:
        if p <= pos:
            b = n
    return b


CAMPAIGN = Campaign(
    name="storm",
    title="Restart storms: one crash line and record each, escalations and loop breaks exact",
    jobs=jobs,
    run=run,
    zero=ZERO,
)
