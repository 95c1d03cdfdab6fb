"""HR scenarios: restart groups after every kind of abnormal end, indirect members, clean
group ends and kills, the restart policy's escalation to site restarts and to no auto-start,
site restarts that do not come from HR (a fault in PMM or HR, a kernel panic, the console,
QMP), the crash log across them, and stale actor and port ids.

They boot tests/images/hr.image (PMM, HR, C_INIT and the test actors of tests/actors/hr*;
its boot script starts nothing) or tests/images/hrboot.image (the same servers; its boot
script starts group 1: `hrcrash kill boot-arg`, which waits in its first run and ends
cleanly in the next). The policy numbers come from the board's tunables (board.h)."""
import re
from pathlib import Path

import pytest
from reprise import elf_symbol

PROMPT = "cinit> "
NS = r"\d+ ns since power-on"
HEX = "0x[0-9a-f]{8}"
WARM_SKIP = "sysadm: skipped (warm boot: HR restarts registered groups)"

# hrcrash KIND: how HR's crash line describes the end of its first run.
KINDS = {
    "data": rf"data abort pc={HEX} addr=0x20000000 write, translation fault",
    "prefetch": r"prefetch abort pc=0x20000000 addr=0x20000000 execute, translation fault",
    "undef": rf"undefined instruction pc={HEX}",
    "exit": r"exit\(3\) without HR_EXIT_HDL",
    "kill": r"killed by cinit \(aid \d+\)",
}
DATA_INIT, BSS_INIT = "0x600d0001", "0x00000000"     # hrcrash's .data and .bss words
# The actor table's size (uapi/reprise/abi.h): an aid's slot is aid % ACTOR_SLOTS.
ACTOR_SLOTS = int(re.search(r"#define ACTOR_SLOTS\s+(\d+)", (
    Path(__file__).parents[2] / "kernel/include/uapi/reprise/abi.h").read_text()).group(1))

RUN = (r"hrcrash: run (?P<run>\d+), aid (?P<aid>\d+), group (?P<group>-?\d+), args (?P<args>.*), "
       rf"data (?P<data>{HEX}) bss (?P<bss>{HEX})")
AT = (rf"hrcrash: at text (?P<text_at>{HEX}) data (?P<data_at>{HEX}) bss (?P<bss_at>{HEX}) "
      rf"block (?P<block_at>{HEX})")


# ---- helpers ------------------------------------------------------------------------------

class Tunables:
    """The board's restart policy, backoff and tick (boards/<board>/board.h)."""

    def __init__(self, board):
        text = (board.dir / "board.h").read_text()

        def define(name):
            return int(re.search(rf"#define\s+BOARD_{name}\s+(\d+)", text).group(1))

        self.max_restarts = define("HR_MAX_RESTARTS")
        self.interval_ms = define("HR_INTERVAL_MS")
        self.max_site_restarts = define("HR_MAX_SITE_RESTARTS")
        self.site_interval_ms = define("HR_SITE_INTERVAL_MS")
        self.backoff_base_ms = define("HR_BACKOFF_BASE_MS")
        self.backoff_max_ms = define("HR_BACKOFF_MAX_MS")
        self.tick_ms = 1000 // define("TICK_HZ")

    def backoff_ms(self, n):
        """The documented wait before the n-th restart within the interval."""
        return 0 if n <= 1 else min(self.backoff_base_ms * 2 ** (n - 2), self.backoff_max_ms)

    def site_interval(self):
        """The interval as the policy's reason text writes it ("60 s" or "1500 ms")."""
        ms = self.site_interval_ms
        return f"{ms // 1000} s" if ms % 1000 == 0 else f"{ms} ms"


@pytest.fixture
def tun(board):
    return Tunables(board)


def expect_line(m, pattern):
    """Waits for a whole line matching pattern; the line may also start right after a prompt
    (C_INIT echoes typed text there, and actors print there while it waits for input)."""
    __tracebackhide__ = True
    return m.expect(re.compile(rf"(?:^|(?<={re.escape(PROMPT)}))(?:{pattern})\n", re.MULTILINE))


def expect_any_order(m, *patterns):
    """Waits for whole lines matching every pattern, in any order (actors and servers run
    concurrently); the console position moves past the last of them. Returns the matches."""
    __tracebackhide__ = True
    start, found = m.pos, []
    for p in patterns:
        m.pos = start
        found.append(expect_line(m, p))
    m.pos = max(f.end() for f in found)
    return found


def said_between(m, start, end, pattern):
    """HR restarts first and prints a crash line once the CPU is idle: the line comes after
    console position start and before position end (where HR's next line starts), anywhere
    among the restarted actors' lines. Returns its match."""
    __tracebackhide__ = True
    found = re.compile(rf"(?:^|(?<={re.escape(PROMPT)}))(?:{pattern})\n",
                       re.MULTILINE).search(m.text, start, end)
    assert found, f"no line {pattern!r} in {m.text[start:end]!r}"
    return found


def type_line(m, line):
    """Types a command and waits for C_INIT's echo of it."""
    __tracebackhide__ = True
    m.sendline(line)
    expect_line(m, re.escape(line))


def run(m, line, *outputs):
    """Types a command, expects its output lines in order, then the next prompt; returns
    the matches."""
    __tracebackhide__ = True
    type_line(m, line)
    matches = [expect_line(m, o) for o in outputs]
    m.expect(re.escape(PROMPT))
    return matches


def output_of(m, line):
    """Types a command and returns everything it prints up to the next prompt."""
    __tracebackhide__ = True
    type_line(m, line)
    start = m.pos
    end = m.expect(re.escape(PROMPT))
    return m.text[start:end.start()]


def pmm_rows(m):
    """Runs pmm; returns {block name: (size, owner image, group)} (keys are never shown)."""
    __tracebackhide__ = True
    out = output_of(m, "pmm")
    return {r[0]: r[1:] for r in re.findall(r"^(\S+) +(\d+) (\S+) +(\S+) .*$", out, re.MULTILINE)
            if r[0] not in ("name", "bank:")}


def expect_banner(m, boot_kind, n):
    """The boot line of a warm boot n whose reason is boot_kind, e.g. "site restart requested"."""
    __tracebackhide__ = True
    m.expect_line(rf"boot: warm \({re.escape(boot_kind)}\), boot {n}, bank marker kept, {NS}")


def expect_run(m, run_no):
    """hrcrash's two lines for run run_no; returns their fields."""
    __tracebackhide__ = True
    fields = expect_line(m, RUN).groupdict()
    assert int(fields["run"]) == run_no, fields
    fields.update(expect_line(m, AT).groupdict())
    return fields


def check_restarted(first, second, args):
    """What a restart renews (actor id, .data, .bss) and what it keeps (arguments, group,
    addresses of text, data, bss and the persistent block)."""
    assert second["aid"] != first["aid"], "a restarted actor gets a new actor id"
    for f in (first, second):
        assert f["args"] == args and f["group"] == "1"
        assert (f["data"], f["bss"]) == (DATA_INIT, BSS_INIT), ".data and .bss are fresh"
    for where in ("text_at", "data_at", "bss_at", "block_at"):
        assert first[where] == second[where], f"{where} moved across the restart"


@pytest.fixture
def hr_console(boot, board):
    """Powers on an HR test image and waits for C_INIT's prompt after its boot script."""
    def power_on(image="hr", **options):
        m = boot(board.image(image), **options)
        m.expect_line(rf"boot: cold, boot 1, bank marker written, {NS}")
        m.expect_line("pmm: bank initialised")
        m.expect_line("cinit: type help for the commands")
        m.expect(re.escape(PROMPT))
        return m
    return power_on


def start_waiting_group(m):
    """On hrboot.image: the boot script's group 1 (hrcrash kill boot-arg), waiting in its
    first run. Returns hrcrash's fields."""
    __tracebackhide__ = True
    assert "sysadm: arun -g 1 hrcrash kill boot-arg" in m.text
    started = re.search(r"started hrcrash, aid (\d+), group 1", m.text)
    assert started, m.text
    first = expect_run(m, 1)
    assert first["aid"] == started.group(1)
    expect_line(m, "hrcrash: waiting to be killed")
    return first


def expect_group_back(m, first, args, boot_kind):
    """After a site restart that HR did not ask for: the warm boot keeps the bank and its
    block, HR restarts group 1 by itself (C_INIT skips its arun -g line), and hrcrash's
    second run finds its note, then ends the group cleanly."""
    __tracebackhide__ = True
    expect_banner(m, boot_kind, 2)
    m.expect_line(r"pmm: bank kept, 1 block")
    m.expect_line("hr: restarting group 1 after the site restart")
    second = expect_run(m, 2)
    check_restarted(first, second, args)
    expect_line(m, re.escape(f"hrcrash: note 'run 1 was aid {first['aid']}, args {args}'"))
    expect_line(m, "hrcrash: finished")
    expect_line(m, "hr: group 1 ended cleanly")
    warm = m.text[m.text.rindex("boot: warm"):]
    assert WARM_SKIP in warm and "started hrcrash" not in warm
    return second


# ---- each abnormal end restarts the group ---------------------------------------------------

@pytest.mark.parametrize("kind", list(KINDS))
def test_abnormal_end_restarts_group(hr_console, tun, kind):
    """arun -g 1 hrcrash KIND: the first run ends abnormally (a data abort, a prefetch abort,
    an undefined instruction, exit() without HR_EXIT_HDL, or akill of its aid); HR prints
    one crash line and restarts the group: a new actor id, the same arguments and addresses,
    fresh .data and .bss, and the persistent block written by the first run. The second run
    ends cleanly, which ends the group and frees its HR_GROUP_KEY block; the crash log has
    the one record."""
    m = hr_console()
    args = f"{kind} alpha beta"
    run(m, f"arun -g 1 hrcrash {args}", r"started hrcrash, aid \d+, group 1")
    first = expect_run(m, 1)
    crash = (rf"hr: hrcrash \(aid {first['aid']}, group 1\) {KINDS[kind]}; "
             rf"restarting group 1 \(1/{tun.max_restarts}\)")
    start = m.pos
    if kind == "kill":
        expect_line(m, "hrcrash: waiting to be killed")
        type_line(m, f"akill {first['aid']}")
        expect_line(m, f"killed aid {first['aid']}")
    second = expect_run(m, 2)
    check_restarted(first, second, args)
    expect_line(m, re.escape(f"hrcrash: note 'run 1 was aid {first['aid']}, args {args}'"))
    expect_line(m, "hrcrash: finished")
    ended = expect_line(m, "hr: group 1 ended cleanly")
    said_between(m, start, ended.start(), crash)
    assert len(re.findall(r"^hr: hrcrash", m.text, re.MULTILINE)) == 1, "one crash line"

    run(m, "pmm", r"bank: 0 of \d+ pages used .*, 0 of \d+ blocks", "no blocks")
    run(m, "hr", "hr: auto-start on, 0 site restarts recorded", "no groups",
        "crash log, oldest first:",
        rf"  #1 boot 1 t=\d+\.\d{{6}}s hrcrash \(aid {first['aid']}, group 1\) {KINDS[kind]}; "
        rf"restarting group 1 \(1/{tun.max_restarts}\)")


# ---- direct and indirect members ---------------------------------------------------------

def test_indirect_crash_restarts_whole_group(hr_console, tun):
    """arun -g 2 hrgroup: the direct actor spawns child1 and child2 with hrfexecl; they join
    its group. child2 crashes: HR stops all three and restarts hrgroup, which spawns both
    children again; all three come back with new ids in group 2, then end cleanly, and the
    group ends."""
    m = hr_console()
    run(m, "arun -g 2 hrgroup", r"started hrgroup, aid \d+, group 2")
    parent = expect_line(m, r"hrgroup: run 1, aid (\d+), group 2").group(1)
    spawned1, spawned2, child1, child2 = (f.group(1) for f in expect_any_order(
        m, r"hrgroup: spawned child1, aid (\d+)", r"hrgroup: spawned child2, aid (\d+)",
        r"hrchild: child1 run 1, aid (\d+), group 2", r"hrchild: child2 run 1, aid (\d+), group 2"))
    assert (spawned1, spawned2) == (child1, child2)
    start = m.pos
    end = expect_line(m, "hr: group 2 ended cleanly")
    said_between(m, start, end.start(), rf"hr: hrchild \(aid {child2}, group 2\) {KINDS['data']}; "
                                        rf"restarting group 2 \(1/{tun.max_restarts}\)")

    after = m.text[start:end.start()]
    parent2 = re.findall(r"^hrgroup: run 2, aid (\d+), group 2$", after, re.MULTILINE)
    spawned = dict(re.findall(r"^hrgroup: spawned (child\d), aid (\d+)$", after, re.MULTILINE))
    runs = dict(re.findall(r"(child\d) run 2, aid (\d+), group 2$", after, re.MULTILINE))
    assert len(parent2) == 1 and parent2[0] != parent, after
    assert spawned == runs and set(runs) == {"child1", "child2"}, after
    assert not {child1, child2} & set(runs.values()), "indirect members get new ids"
    for line in ("hrgroup: finished", "hrchild: child1 finished", "hrchild: child2 finished"):
        assert re.search(rf"^{line}$", after, re.MULTILINE), after
    assert "run 3" not in m.text and len(re.findall("^hr: hrchild", m.text, re.MULTILINE)) == 1

    out = output_of(m, "aps")
    assert "hrgroup" not in out and "hrchild" not in out, out
    run(m, "pmm", r"bank: 0 of \d+ pages used .*", "no blocks")


def slots_used(m):
    """The kernel's count of actor slots in use, from aps (ended slots kept or held
    included)."""
    return int(re.search(r"(\d+) of \d+ actor slots used", output_of(m, "aps")).group(1))


def test_group_restart_restarts_children_in_their_held_slots(hr_console):
    """child2 crashes: HR holds child1's slot (SYS_ACTOR_STOP, ACTOR_STOP_HOLD) while it
    restarts hrgroup, whose hrfexecl of child1 restarts that slot in place: the same slot
    with a new id, its block mapped before it asks. child2, whose end was the crash, is
    created anew: its block is not mapped until it asks."""
    m = hr_console()
    run(m, "arun -g 2 hrgroup", r"started hrgroup, aid \d+, group 2")
    child1 = expect_line(m, r"hrchild: child1 run 1, aid (\d+), group 2").group(1)
    expect_line(m, r"hrchild: child2 run 1, aid \d+, group 2")
    start = m.pos
    end = expect_line(m, "hr: group 2 ended cleanly")
    after = m.text[start:end.start()]
    child1_again = re.search(r"^hrchild: child1 run 2, aid (\d+), group 2$", after, re.MULTILINE)
    assert child1_again, after
    new1 = int(child1_again.group(1))
    assert new1 != int(child1) and new1 % ACTOR_SLOTS == int(child1) % ACTOR_SLOTS, after
    assert re.search(r"^hrchild: child1 held its block: yes$", after, re.MULTILINE), after
    assert re.search(r"^hrchild: child2 held its block: no$", after, re.MULTILINE), after


def test_held_slot_not_started_again_is_freed(hr_console):
    """hrgroup once spawns its children in its first run only: after child2's crash the
    restarted hrgroup asks for no child, and child1's held slot is freed once the CPU is
    idle. The kernel's slot count is back to the servers, the console and hrgroup."""
    m = hr_console()
    before = slots_used(m)
    run(m, "arun -g 3 hrgroup once", r"started hrgroup, aid \d+, group 3")
    expect_line(m, r"hrchild: child1 run 1, aid \d+, group 3")
    expect_any_order(m, rf"hr: hrchild \(aid \d+, group 3\) {KINDS['data']}; "
                        r"restarting group 3 \(1/\d+\)", r"hrgroup: run 2, aid \d+, group 3")
    assert slots_used(m) == before + 1
    assert "hrchild" not in output_of(m, "aps")
    run(m, "akill -g 3", "killed group 3")
    assert slots_used(m) == before


# ---- clean ends and kills ----------------------------------------------------------------

def test_clean_group_end_frees_group_blocks(hr_console):
    """hrblocks holds grp4 (key HR_GROUP_KEY) and keep4 (its own key), then calls HR_EXIT_HDL
    and exit(0): the group ends cleanly, grp4 is freed, keep4 is kept."""
    m = hr_console()
    run(m, "arun -g 4 hrblocks exit", r"started hrblocks, aid \d+, group 4")
    expect_line(m, rf"hrblocks: run 1, aid \d+, group 4, grp4 at {HEX}, keep4 at {HEX}")
    expect_line(m, "hrblocks: ending cleanly")
    expect_line(m, "hr: group 4 ended cleanly")
    assert pmm_rows(m) == {"keep4": ("100", "hrblocks", "-")}
    run(m, "hr", "hr: auto-start on, 0 site restarts recorded", "no groups", "crash log: empty")


def test_akill_group_frees_group_blocks_without_restart(hr_console):
    """akill -g 5 kills the members of group 5 and unregisters it: grp5 is freed, keep5 kept,
    and nothing is restarted (no crash line, no actor, nothing more on the console)."""
    m = hr_console()
    run(m, "arun -g 5 hrblocks wait", r"started hrblocks, aid \d+, group 5")
    aid = expect_line(m, rf"hrblocks: run 1, aid (\d+), group 5, grp5 at {HEX}, keep5 at {HEX}").group(1)
    expect_line(m, "hrblocks: waiting")
    assert pmm_rows(m) == {"grp5": ("8192", "hrblocks", "5"),
                           "keep5": ("100", "hrblocks", "-")}
    run(m, "akill -g 5", "killed group 5")
    assert pmm_rows(m) == {"keep5": ("100", "hrblocks", "-")}
    assert "hrblocks" not in output_of(m, "aps")
    run(m, "hr", "hr: auto-start on, 0 site restarts recorded", "no groups", "crash log: empty")
    m.expect_silence(1.0)
    assert "hr: hrblocks" not in m.text and "run 2" not in m.text
    run(m, f"akill {aid}", rf"akill: cannot kill aid {aid}: error -4 \(K_EUNKNOWN\)")


def test_restarted_actor_has_its_blocks_back_from_the_cache(hr_console, tun):
    """A restart in place keeps hrcache's bank mappings: PMM lists "ca" as held by the new
    incarnation before it asks for it, and both blocks come back at the same addresses with
    their marks. Its retrieval cache never answers with anything stale: an entry damaged in
    the restart page is not trusted; the holder's pmmFree works (PMM asks the kernel who holds
    it); after the free, "cx" takes cb's pages, and "cb" asked again is a new zeroed block,
    never cx."""
    m = hr_console()
    run(m, "arun -g 6 hrcache", r"started hrcache, aid \d+, group 6")
    ca, cb = expect_line(m, rf"hrcache: run 1, ca at ({HEX}), cb at ({HEX})").groups()
    start = m.pos
    expect_line(m, "hr: group 6 ended cleanly")    # after every line below: HR says all first
    m.pos = start
    held, back, _, damaged, freed, last = expect_any_order(
        m, r"hrcache: run 2, holds ca before retrieval: (\w+)",
        rf"hrcache: run 2, ca at ({HEX}), cb at ({HEX}), marks (\w+)",
        rf"hr: hrcache \(aid \d+, group 6\) {KINDS['data']}; restarting group 6 "
        rf"\(1/{tun.max_restarts}\)",
        rf"hrcache: damaged entry: ca at ({HEX})",
        r"hrcache: free cb: (-?\d+)",
        rf"hrcache: cx at ({HEX}), cb again at ({HEX}), mark (\d+)")
    assert held.group(1) == "yes"
    assert back.groups() == (ca, cb, "ok")
    assert damaged.group(1) == ca
    assert freed.group(1) == "0"
    cx, cb2, mark = last.groups()
    assert cx == cb, "cx takes the freed block's pages, so a stale cache entry would name it"
    assert cb2 != cx and mark == "0"


def test_kernel_restarts_an_armed_single_member_group(hr_console, tun):
    """HR arms a group of one direct member (SYS_ACTOR_ARM) while its next restart would be
    made at once: the kernel then restarts it in place at the fault and HR hears of it
    afterwards, with the same crash line, count and group. The new incarnation is not armed
    while a second restart within the window would wait for its backoff; once the restart
    has left the window (real time: under -icount an idle console would skip the window) it
    is armed again. A group of two is not armed."""
    m = hr_console()
    run(m, "arun -g 6 hrblocks wait", r"started hrblocks, aid \d+, group 6")
    aid1 = expect_line(m, rf"hrblocks: run 1, aid (\d+), group 6, grp6 at {HEX}, keep6 at {HEX}")[1]
    expect_line(m, "hrblocks: waiting")
    run(m, "arun hrctl armed hrblocks", r"started hrctl, aid \d+")
    expect_line(m, rf"hrctl: hrblocks \(aid {aid1}\) armed Y")
    type_line(m, f"akill {aid1}")
    start = m.pos
    aid2 = expect_line(m, rf"hrblocks: run 2, aid (\d+), group 6, grp6 at {HEX}, keep6 at {HEX}")[1]
    expect_line(m, "hrblocks: waiting")
    m.pos = start
    expect_line(m, rf"hr: hrblocks \(aid {aid1}, group 6\) {KINDS['kill']}; restarting group 6 "
                   rf"\(1/{tun.max_restarts}\)")
    run(m, "arun hrctl group " + aid2, r"started hrctl, aid \d+")
    expect_line(m, rf"hrctl: hrGetActorGroup\({aid2}\) = 6")
    run(m, "arun hrctl armed hrblocks", r"started hrctl, aid \d+")
    expect_line(m, rf"hrctl: hrblocks \(aid {aid2}\) armed {'N' if tun.backoff_base_ms else 'Y'}")
    run(m, f"arun hrctl sleep {tun.interval_ms + 500}", r"started hrctl, aid \d+")
    expect_line(m, rf"hrctl: slept {tun.interval_ms + 500} ms")
    run(m, "arun hrctl armed hrblocks", r"started hrctl, aid \d+")
    expect_line(m, rf"hrctl: hrblocks \(aid {aid2}\) armed Y")
    run(m, "akill -g 6", "killed group 6")

    run(m, "arun -g 7 hrblocks wait", r"started hrblocks, aid \d+, group 7")
    expect_line(m, "hrblocks: waiting")
    run(m, "arun -g 7 hrcrash kill", r"started hrcrash, aid \d+, group 7")
    expect_line(m, "hrcrash: waiting to be killed")
    run(m, "arun hrctl armed hrblocks", r"started hrctl, aid \d+")
    expect_line(m, r"hrctl: hrblocks \(aid \d+\) armed N")
    run(m, "akill -g 7", "killed group 7")


def test_hrkillgroup(hr_console):
    """hrKillGroup(gid) from an actor: with the actors privilege it kills any group at once
    (blocks of HR_GROUP_KEY freed, others kept, no restart); a gid not in use is not an
    error, privileged or not; a restartable actor may kill its own group but not another
    (K_EPRIV); killing its own group ends it, without restart."""
    m = hr_console()
    run(m, "arun -g 6 hrblocks wait", r"started hrblocks, aid \d+, group 6")
    expect_line(m, "hrblocks: waiting")
    run(m, "arun hrctl killgroup 6", r"started hrctl, aid \d+")
    expect_line(m, r"hrctl: hrKillGroup\(6\) = 0")
    assert pmm_rows(m) == {"keep6": ("100", "hrblocks", "-")}
    assert "hrblocks" not in output_of(m, "aps")

    run(m, "arun hrctl killgroup 77", r"started hrctl, aid \d+")
    expect_line(m, r"hrctl: hrKillGroup\(77\) = 0")
    run(m, "arun hrctlu killgroup 78", r"started hrctlu, aid \d+")
    expect_line(m, r"hrctl: hrKillGroup\(78\) = 0")

    run(m, "arun -g 7 hrblocks wait", r"started hrblocks, aid \d+, group 7")
    expect_line(m, "hrblocks: waiting")
    run(m, "arun -g 8 hrctlu killgroup 7", r"started hrctlu, aid \d+, group 8")
    expect_line(m, r"hrctl: hrKillGroup\(7\) = -6")
    expect_line(m, "hr: group 8 ended cleanly")
    run(m, "hr", r"hr: auto-start on, 0 site restarts recorded",
        r"group 7: running, 0 restarts, 1 member", r"  aid \d+ hrblocks direct")

    run(m, "arun -g 9 hrblocks selfkill", r"started hrblocks, aid \d+, group 9")
    expect_line(m, "hrblocks: killing group 9")
    out = output_of(m, "hr")
    assert "group 7: running" in out and "group 9" not in out, out
    assert pmm_rows(m) == {"keep6": ("100", "hrblocks", "-"),
                           "grp7": ("8192", "hrblocks", "7"),
                           "keep7": ("100", "hrblocks", "-"),
                           "keep9": ("100", "hrblocks", "-")}
    assert "still alive" not in m.text and "hr: hrblocks" not in m.text


# ---- stale ids ---------------------------------------------------------------------------

def test_stale_ids_after_restart(hr_console, tun):
    """hrsrv answers calls on a port it creates in each run. A call that makes it crash gets
    K_EDEAD; after the restart a call to the old incarnation's port gets K_EDEAD (-10), the
    new port answers, and the old actor id is unknown to akill and SYS_ACTOR_KILL
    (K_EUNKNOWN, -4) and to hrGetActorGroup (-1)."""
    m = hr_console()
    run(m, "arun -g 3 hrsrv", r"started hrsrv, aid \d+, group 3")
    aid1, port1 = expect_line(m, r"hrsrv: run 1, aid (\d+), port (\d+)").groups()
    run(m, f"arun hrctl call {port1} 1", r"started hrctl, aid \d+")
    expect_line(m, rf"hrctl: call port {port1} op 1: status 0, reply 1")

    run(m, f"arun hrctl call {port1} 2", r"started hrctl, aid \d+")
    _, _, _, run2 = expect_any_order(
        m, r"hrsrv: crashing in a call from aid \d+",
        rf"hrctl: call port {port1} op 2: status -10, reply 0",
        rf"hr: hrsrv \(aid {aid1}, group 3\) {KINDS['data']}; restarting group 3 "
        rf"\(1/{tun.max_restarts}\)",
        r"hrsrv: run 2, aid (\d+), port (\d+)")
    aid2, port2 = run2.groups()
    assert aid2 != aid1 and port2 != port1

    run(m, f"arun hrctl call {port1} 1", r"started hrctl, aid \d+")
    expect_line(m, rf"hrctl: call port {port1} op 1: status -10, reply 0")
    run(m, f"arun hrctl call {port2} 1", r"started hrctl, aid \d+")
    expect_line(m, rf"hrctl: call port {port2} op 1: status 0, reply 2")
    run(m, f"akill {aid1}", rf"akill: cannot kill aid {aid1}: error -4 \(K_EUNKNOWN\)")
    run(m, f"arun hrctl kill {aid1}", r"started hrctl, aid \d+")
    expect_line(m, rf"hrctl: kill aid {aid1}: -4")
    run(m, f"arun hrctl group {aid1}", r"started hrctl, aid \d+")
    expect_line(m, rf"hrctl: hrGetActorGroup\({aid1}\) = -1")
    run(m, f"arun hrctl group {aid2}", r"started hrctl, aid \d+")
    expect_line(m, rf"hrctl: hrGetActorGroup\({aid2}\) = 3")
    run(m, "akill -g 3", "killed group 3")


# ---- escalation --------------------------------------------------------------------------

def test_crash_loop_escalates_to_site_restart_then_no_auto_start(hr_console, tun):
    """hrcrash always takes a data abort in every run. Each boot: max_restarts group
    restarts, then the next crash asks for a site restart; after the warm boot HR restarts
    the group by itself. After more than max_site_restarts site restarts within the site
    interval the system comes up without auto-starting the group and says why; the console,
    the bank (with the group's block) and the crash log, which holds every crash of every
    boot, stay available."""
    m = hr_console()
    run(m, "arun -g 1 hrcrash always", r"started hrcrash, aid \d+, group 1")
    n, sites = tun.max_restarts, tun.max_site_restarts + 1
    line = rf"hr: hrcrash \(aid \d+, group 1\) {KINDS['data']}; "
    for boot_no in range(1, sites + 1):
        if boot_no > 1:
            expect_banner(m, "site restart requested", boot_no)
            m.expect_line("pmm: bank kept, 1 block")
            m.expect_line("hr: restarting group 1 after the site restart")
        for k in range(1, n + 1):
            m.expect_line(line + rf"restarting group 1 \({k}/{n}\)")
        m.expect_line(line + rf"group 1 failed {n + 1} times: site restart")
        m.expect_line(r"kernel: site restart \(site restart requested\)")
    expect_banner(m, "site restart requested", sites + 1)
    m.expect_line("pmm: bank kept, 1 block")
    why = f"{sites} site restarts within {tun.site_interval()}"
    m.expect_line(rf"hr: auto-restart stopped: {why}; 1 group kept in the registry, not started")
    m.expect_line("cinit: type help for the commands")
    m.expect(re.escape(PROMPT))
    last = m.text[m.text.rindex("boot: warm"):]
    assert "hrcrash: run" not in last and "hr: restarting" not in last

    crashes = sites * (n + 1)
    run(m, "hr", rf"hr: auto-start off \({why}\), {sites} site restarts recorded",
        rf"group 1: stopped, {sites * n} restarts, 0 members", "crash log, oldest first:",
        *[rf"  #{(b - 1) * (n + 1) + k} boot {b} t=\d+\.\d{{6}}s hrcrash \(aid \d+, group 1\) "
          rf"{KINDS['data']}; "
          + (rf"restarting group 1 \({k}/{n}\)" if k <= n
             else rf"group 1 failed {n + 1} times: site restart")    # as the live line said
          for b in range(1, sites + 1) for k in range(1, n + 2)])
    assert len(re.findall(rf"(?:^|{PROMPT})hrcrash: run \d+", m.text, re.MULTILINE)) == crashes
    assert "hrcrash" not in output_of(m, "aps")
    assert pmm_rows(m) == {"hrcrash": ("124", "hrcrash", "1")}
    # The stopped group stays as it is: nothing can be added to it until akill -g.
    run(m, "arun -g 1 hrsrv", r"arun: cannot start hrsrv: error -8 \(K_EBUSY\)")
    run(m, "akill -g 1", "killed group 1")
    run(m, "arun -g 1 hrsrv", r"started hrsrv, aid \d+, group 1")


# ---- site restarts HR did not ask for -------------------------------------------------------

@pytest.mark.parametrize("target", ["pmm", "hr"])
def test_fault_in_critical_actor_is_a_site_restart(hr_console, target):
    """A fault injected into the PMM server or the HR controller (SYS_ACTOR_INJECT, from
    hrctl) cannot be survived by restarting one actor: the kernel says so and makes a site
    restart; the bank is kept with its block, and HR brings group 1 back by itself."""
    m = hr_console("hrboot")
    first = start_waiting_group(m)
    assert pmm_rows(m) == {"hrcrash": ("124", "hrcrash", "1")}
    type_line(m, f"arun hrctl inject {target} data")
    ctl = expect_line(m, r"started hrctl, aid (\d+)").group(1)
    aid = expect_line(m, rf"hrctl: injecting data into {target} \(aid (\d+)\)").group(1)
    m.expect_line(rf"kernel: critical actor {target} \(aid {aid}\) data abort pc={HEX}, "
                  rf"injected by hrctl \(aid {ctl}\)")
    m.expect_line(r"kernel: site restart \(critical actor failed\)")
    expect_group_back(m, first, "kill boot-arg", "critical actor failed")
    assert m.wait_event("RESET")["data"]["guest"] is True
    # The kernel's boot record kept the fault: HR gives it its crash line and log record.
    assert re.search(rf"^hr: previous run: {target} \(aid {aid}\) data abort pc={HEX}, injected by "
                     rf"hrctl \(aid {ctl}\); site restart$", m.text, re.M), m.text
    run(m, "hr", "hr: auto-start on, 1 site restart recorded", "no groups",
        "crash log, oldest first:",
        rf"  #1 boot 1 t=[\d.]+s {target} \(aid {aid}\) data abort pc={HEX}, "
        rf"injected by hrctl \(aid {ctl}\); site restart")
    run(m, "pmm", r"bank: 0 of \d+ pages used .*", "no blocks")


def test_kernel_panic_is_a_site_restart(hr_console):
    """The kfault-late self test takes a kernel fault one second after a cold boot, with
    group 1 running: the kernel prints its panic, then makes a site restart (HR runs), and
    HR brings the group back after the warm boot."""
    m = hr_console("hrboot", selftest="kfault-late")
    first = start_waiting_group(m)
    m.expect_line("selftest: kernel fault in the timer interrupt")
    m.expect_line(rf"\*\*\* KERNEL PANIC: data abort in \w+ mode at pc={HEX}")
    m.expect_line(r"kernel: site restart \(kernel panic\)")
    expect_group_back(m, first, "kill boot-arg", "kernel panic")
    assert re.search(rf"^hr: previous run: kernel \(aid 0\) kernel panic: data abort in \w+ mode "
                     rf"pc={HEX} addr=0x00000010 read, translation fault; site restart$", m.text, re.M)
    run(m, "hr", "hr: auto-start on, 1 site restart recorded", "no groups",
        "crash log, oldest first:",
        rf"  #1 boot 1 t=[\d.]+s kernel \(aid 0\) kernel panic: data abort .*; site restart")


@pytest.mark.parametrize("how", ["console", "qmp"])
def test_site_restart_brings_every_group_back(hr_console, how):
    """A site restart from the console (`restart`, PSCI from inside) or a warm reset from
    outside (QMP system_reset): HR restarts every registered group from the registry in the
    bank, here group 1 from the boot script and group 2 typed at the console. Only the
    site restart counts in the site restart history."""
    m = hr_console("hrboot")
    start_waiting_group(m)
    run(m, "arun -g 2 hrblocks wait", r"started hrblocks, aid \d+, group 2")
    expect_line(m, rf"hrblocks: run 1, aid \d+, group 2, grp2 at ({HEX}), keep2 at {HEX}")
    if how == "console":
        type_line(m, "restart")
        m.expect_line("restart: site restart requested")
        m.expect_line(r"kernel: site restart \(site restart requested\)")
        kind, recorded = "site restart requested", "1 site restart recorded"
    else:
        m.reset()
        kind, recorded = "external reset", "0 site restarts recorded"
    expect_banner(m, kind, 2)
    m.expect_line("pmm: bank kept, 3 blocks")
    expect_any_order(m, "hr: restarting group 1 after the site restart",
                     "hr: restarting group 2 after the site restart")
    expect_any_order(m, rf"hrblocks: run 2, aid \d+, group 2, grp2 at {HEX}, keep2 at {HEX}",
                     "hrcrash: finished", "hr: group 1 ended cleanly")
    out = output_of(m, "hr")
    assert f"hr: auto-start on, {recorded}" in out and "group 2: running" in out, out
    assert "group 1" not in out, out


# ---- without a PMM server -------------------------------------------------------------------

def test_without_pmm_groups_restart_for_the_boot_only(boot, board, tun):
    """tests/images/hrnopmm.image has no PMM server: HR says that its registry and crash log
    are in its own memory, and still runs groups: a clean end ends the group, a fault
    (injected by hrctl into itself) restarts it until the policy asks for a site restart;
    after it nothing is restarted, and the crash log starts empty."""
    m = boot(board.image("hrnopmm"))
    memory_only = ("hr: no PMM server: registry and crash log in HR's memory, "
                   "lost on a site restart")
    m.expect_line(re.escape(memory_only))
    m.expect_line("cinit: type help for the commands")
    run(m, "arun -g 1 hrctl bogus", r"started hrctl, aid \d+, group 1")
    expect_line(m, r"hrctl: usage: .*")
    expect_line(m, "hr: group 1 ended cleanly")
    run(m, "arun -g 2 hrctl inject hrctl data", r"started hrctl, aid \d+, group 2")
    n = tun.max_restarts
    injected = rf"data abort pc={HEX}, injected by hrctl \(aid (\d+)\)"
    for k in range(1, n + 1):
        crash = expect_line(m, rf"hr: hrctl \(aid (\d+), group 2\) {injected}; "
                               rf"restarting group 2 \({k}/{n}\)")
        assert crash.group(1) == crash.group(2), "hrctl injects the fault into itself"
    expect_line(m, rf"hr: hrctl \(aid \d+, group 2\) {injected}; group 2 failed {n + 1} times: "
                   "site restart")
    m.expect_line(r"kernel: site restart \(site restart requested\)")
    expect_banner(m, "site restart requested", 2)
    m.expect_line(re.escape(memory_only))
    m.expect_line("cinit: type help for the commands")
    run(m, "hr", "hr: auto-start on, 0 site restarts recorded", "no groups", "crash log: empty")
    assert "hrctl: injecting" not in m.text[m.text.rindex("boot: warm"):]


# ---- the seed ----------------------------------------------------------------------------------

def test_default_image_runs_the_seed_under_hr(boot, board, tun):
    """make run's image: C_INIT runs `arun -g 1 hello`; the seed prints its first message,
    takes a data abort at its K_RESERVED page (one HR crash line), is restarted, finds its
    counter in block PM1, frees it and ends cleanly, so the group ends and PM1 is gone."""
    m = boot(board.kernel)
    m.expect_line(rf"boot: cold, boot 1, bank marker written, {NS}")
    m.expect_line("sysadm: arun -g 1 hello")
    aid = m.expect_line(r"started hello, aid (\d+), group 1").group(1)
    start = expect_line(m, "Hello world!").end()
    expect_line(m, "The process has been restarted.")
    expect_line(m, "Example finished. Exit.")
    ended = expect_line(m, "hr: group 1 ended cleanly")
    said_between(m, start, ended.start(),
                 rf"hr: hello \(aid {aid}, group 1\) data abort pc={HEX} addr={HEX} write, "
                 rf"translation fault, reserved region; restarting group 1 \(1/{tun.max_restarts}\)")
    run(m, "pmm", r"bank: 0 of \d+ pages used .*", "no blocks")
    assert len(re.findall(r"^hr: hello", m.text, re.MULTILINE)) == 1


def test_hrfexec_rules(hr_console):
    """hrfexec* may only be called by a restartable actor (K_EPRIV otherwise); the base
    name's medium must be "RAM" (K_EINVAL); a good call starts the child in the caller's
    group, and akill -g ends both."""
    m = hr_console()
    run(m, "arun hrctlu fexec RAM c1", r"started hrctlu, aid \d+")
    expect_line(m, r"hrctl: hrfexecl\(RAM/c1, hrchild\) = -6")
    run(m, "arun -g 9 hrctlu fexec ROM c1", r"started hrctlu, aid \d+, group 9")
    expect_line(m, r"hrctl: hrfexecl\(ROM/c1, hrchild\) = -1")
    expect_line(m, "hr: group 9 ended cleanly")
    run(m, "arun -g 9 hrctlu fexec RAM c1", r"started hrctlu, aid \d+, group 9")
    expect_any_order(m, r"hrctl: hrfexecl\(RAM/c1, hrchild\) = 0",
                     r"hrchild: fexec run 1, aid \d+, group 9")
    run(m, "akill -g 9", r"killed group 9")
    assert "hrchild" not in output_of(m, "aps")


def test_failed_start_leaves_no_trace_and_clean_ends_are_final(hr_console):
    """An arun -g whose image cannot start leaves nothing in the group's registry entry, so
    the group's next restart does not try it again; a direct actor that ended cleanly
    (HR_EXIT_HDL, exit) is not started again by a group restart or a site restart."""
    m = hr_console()
    first = run(m, "arun -g 1 hrsrv", r"started hrsrv, aid (\d+), group 1")[0].group(1)
    run(m, "arun -g 1 nosuch", r"arun: cannot start nosuch: error -4 \(K_EUNKNOWN\)")
    run(m, "arun -g 1 hrctl group 0", r"started hrctl, aid \d+, group 1")
    expect_line(m, r"hrctl: hrGetActorGroup\(0\) = -1")
    type_line(m, f"akill {first}")
    expect_any_order(m, rf"killed aid {first}",
                     rf"hr: hrsrv \(aid {first}, group 1\) killed by cinit \(aid \d+\); "
                     r"restarting group 1 \(1/\d+\)", r"hrsrv: run 2, aid \d+, port \d+")
    run(m, "hr", r"hr: auto-start on, .*", r"group 1: running, 1 restart, 1 member",
        r"  aid \d+ hrsrv direct")
    type_line(m, "restart")
    m.expect_line(r"kernel: site restart \(site restart requested\)")
    m.expect_line("hr: restarting group 1 after the site restart")
    m.expect_line("cinit: type help for the commands")
    m.expect(re.escape(PROMPT))
    after = m.text[m.text.index("kernel: site restart"):]
    assert "cannot restart nosuch" not in m.text
    assert "hrctl:" not in after and "started hrctl" not in after
    run(m, "hr", r"hr: auto-start on, .*", r"group 1: running, 1 restart, 1 member",
        r"  aid \d+ hrsrv direct")


def test_reply_that_does_not_fit_fails_the_call(hr_console):
    """A call to HR whose answer does not fit its reply buffer (none here) returns K_EINVAL
    instead of leaving the caller waiting."""
    m = hr_console()
    port = re.search(r"^hr: port (\d+)", m.text, re.M)
    hr_port = int(port.group(1)) if port else 66
    run(m, f"arun hrctl call {hr_port} 8", r"started hrctl, aid \d+")
    expect_line(m, rf"hrctl: call port {hr_port} op 8: status 0, reply -1")


def test_reset_inside_crash_log_append(boot, board):
    """A warm reset at the instant HR starts appending a crash record (reset_at on HR's
    hrlog_append; the same virtual pc runs in the crashing actor too, so the harness must
    step off each hit that is not HR's): after the warm boot the log holds no torn record,
    HR brings the group back by itself, and the next crash is logged as usual."""
    m = boot(board.image("storm"), icount="shift=0,align=off")
    m.expect_line("cinit: type help for the commands")
    m.expect(re.escape(PROMPT))
    run(m, "arun -g 1 hrstorm crash data 3 1 3", r"started hrstorm, aid \d+, group 1")
    run(m, "arun hrstorm go 1", r"started hrstorm, aid \d+")
    hr_elf = board.build_dir / "apps" / "hr.elf"
    assert m.reset_at(elf_symbol(hr_elf, "hrlog_append"), actor="hr", timeout=30)
    m.expect_line(r"boot: warm \(external reset\), boot 2, bank marker kept, \d+ ns since power-on")
    m.expect_line("hr: restarting group 1 after the site restart")
    start = m.pos
    expect_line(m, r"hrstorm: g1 quiet")
    out = output_of(m, "hr")    # HR prints the crash lines still waiting before it answers
    crashes = re.findall(r"^hr: hrstorm \(aid (\d+), group 1\) .*; restarting group 1 \(\d/\d+\)$",
                         m.text[start:m.pos], re.M)
    records = re.findall(r"^  #\d+ boot (\d) .*\(aid (\d+), group 1\)", out, re.M)
    assert crashes and records == [("2", aid) for aid in crashes], out
