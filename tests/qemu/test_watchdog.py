"""Watchdogs, restart backoff and `hr resume`: a restartable actor that arms its watchdog and
then spins, or blocks for ever in IPC, restarts with a `hang` crash line; one that kicks in
time never restarts; hangs escalate to site restarts and the loop breaker as crashes do, and
`hr resume` starts the stopped group again; consecutive restarts of a group wait longer and
longer, up to the cap, and `hr` shows a waiting group; `aps` shows an armed watchdog.

They boot tests/images/watchdog.image (PMM, HR, C_INIT and tests/actors/hrwatch; its boot
script starts nothing). The policy's numbers come from the board's tunables (board.h); the
delays are measured in virtual time from the times hrwatch prints, under -icount."""
import re

import pytest
from test_hr import (HEX, KINDS, NS, PROMPT, Tunables, expect_banner, expect_line, output_of,
                     run, type_line)


@pytest.fixture
def tun(board):
    return Tunables(board)


@pytest.fixture
def console(boot, board):
    """Powers on the watchdog image and waits for C_INIT's prompt."""
    def power_on(**options):
        m = boot(board.image("watchdog"), **options)
        m.expect_line(rf"boot: cold, boot 1, bank marker written, {NS}")
        m.expect_line("cinit: type help for the commands")
        m.expect(re.escape(PROMPT))
        return m
    return power_on


def ns_of(t):
    """"S.NNNNNNNNN" seconds -> ns."""
    s, frac = t.split(".")
    return int(s) * 1_000_000_000 + int(frac)


def expect_run(m, run_no):
    """hrwatch's first line of run run_no; returns (aid, virtual time in ns)."""
    __tracebackhide__ = True
    aid, t = expect_line(m, rf"hrwatch: run {run_no} aid (\d+) t=(\d+\.\d{{9}})").groups()
    return aid, ns_of(t)


def expect_since(m, start, *patterns):
    """Waits for lines matching patterns, in order, after console position start, which may
    be before lines already matched: HR restarts first and prints its crash lines once the
    CPU is idle, among the restarted actor's lines. The position moves to the later of the
    last of them and where it was."""
    __tracebackhide__ = True
    after = m.pos
    m.pos = start
    found = [expect_line(m, p) for p in patterns]
    m.pos = max(m.pos, after)
    return found


def expect_calls(m, results):
    """hrwatch calls' lines, in order (each "CALL = RESULT"), then its "done"."""
    __tracebackhide__ = True
    for line in (*results, "done"):
        expect_line(m, re.escape(f"hrwatch: {line}"))


def hang(ms, doing):
    """HR's text for a watchdog that ran out while the actor was doing `doing`."""
    return rf"hang: no watchdog kick for {ms} ms, {doing} at pc={HEX}"


@pytest.mark.parametrize("how, doing", [("spin", "running"), ("block", "in a receive")])
def test_hang_restarts_group(console, tun, how, doing):
    """hrwatch arms a watchdog of 50 ms and then spins, or waits for ever in a receive on a
    port nobody calls: HR prints a `hang` crash line and restarts the group; the next run
    arms it and kicks it in time and is not restarted again. The crash log has the hang, at
    least one period and at most one tick more after the watchdog was armed (virtual time:
    the run's first line, just before it arms it, to the crash record); the kicking run is
    shown by `aps` with its watchdog; akill -g ends it."""
    m = console(icount=True)
    run(m, f"arun -g 1 hrwatch hang {how} 50 1", r"started hrwatch, aid \d+, group 1")
    aid, armed = expect_run(m, 1)
    expect_line(m, "hrwatch: run 1 armed 50 ms = 0")
    crash = (rf"hr: hrwatch \(aid {aid}, group 1\) {hang(50, doing)}; "
             rf"restarting group 1 \(1/{tun.max_restarts}\)")
    start = m.pos
    aid2, _ = expect_run(m, 2)
    expect_line(m, "hrwatch: run 2 armed 50 ms = 0")
    expect_line(m, "hrwatch: run 2 kicking")
    expect_since(m, start, crash)
    out = output_of(m, "aps")
    row = re.search(rf"^ +{aid2} hrwatch +1 .*  watchdog 50 ms, (\d+) ms left$", out, re.M)
    assert row and int(row.group(1)) <= 50, out
    out = output_of(m, "hr")
    rec = re.search(rf"^  #1 boot 1 t=(\d+\.\d{{6}})s hrwatch \(aid {aid}, group 1\) "
                    rf"{hang(50, doing)}; restarting group 1 \(1/\d+\)$", out, re.M)
    assert rec, out
    fired = (ns_of(rec.group(1) + "000") - armed) / 1e6
    assert 50 <= fired < 50 + tun.tick_ms + 1, f"fired {fired} ms after it was armed"
    assert "group 1: running, 1 restart, 1 member" in out, out
    run(m, "akill -g 1", "killed group 1")
    assert len(re.findall(r"^hr: hrwatch", m.text, re.M)) == 1, "one crash line"


def test_kicked_in_time_never_restarts(console):
    """hrwatch arms a watchdog of 100 ms and kicks it 12 times, 55 ms apart, working and
    sleeping between kicks (660 ms, more than six periods): no crash line, and the group
    ends cleanly after it stops the watchdog."""
    m = console(icount=True)
    run(m, "arun -g 2 hrwatch kick 100 12", r"started hrwatch, aid \d+, group 2")
    expect_run(m, 1)
    expect_line(m, "hrwatch: armed 100 ms = 0")
    expect_line(m, "hrwatch: kicked 12 times")
    expect_line(m, "hrwatch: stop = 0")
    expect_line(m, "hr: group 2 ended cleanly")
    assert "hr: hrwatch" not in m.text and "run 2" not in m.text
    run(m, "hr", r"hr: auto-start on, 0 site restarts recorded", "no groups", "crash log: empty")


def test_watchdog_calls(console):
    """The calls' errors: a plain actor may not arm a watchdog (K_EPRIV, -6), and kick or stop
    one it has not (K_EINVAL, -1); a restartable actor gets K_EINVAL for a period of 0 or above
    one hour, for an unknown operation, and for a kick or stop with none armed; arming,
    re-arming, kicking and stopping work; a stopped watchdog never fires. WATCHDOG_INFO
    describes the caller's watchdog (none: period 0), K_EFAULT (-3) for a bad pointer,
    K_EUNKNOWN (-4) for no such actor."""
    m = console(icount=True)
    run(m, "arun hrwatch calls", r"started hrwatch, aid \d+")
    expect_calls(m, ("start(0) = -6", "start(3600001) = -6", "kick = -1", "stop = -1",
                     "op 9 = -1", "start(3600000) = -6", "start(100) = -6",
                     "info = 0, period 0, left <= period 1", "info(NULL) = -3",
                     "info(aid -1) = -4", "kick = -1", "stop = -1", "kick = -1", "stop = -1"))
    run(m, "arun -g 3 hrwatch calls", r"started hrwatch, aid \d+, group 3")
    expect_calls(m, ("start(0) = -1", "start(3600001) = -1", "kick = -1", "stop = -1",
                     "op 9 = -1", "start(3600000) = 0", "start(100) = 0",
                     "info = 0, period 100, left <= period 1", "info(NULL) = -3",
                     "info(aid -1) = -4", "kick = 0", "stop = 0", "kick = -1", "stop = -1"))
    expect_line(m, "hr: group 3 ended cleanly")
    assert "hr: hrwatch" not in m.text


def test_backoff_grows_and_caps(console, tun):
    """hrwatch crashes in its first max_restarts runs: the first restart is immediate, each
    later one within the interval waits backoff_base * 2^(n-2), capped at backoff_max, at
    most one tick more (the waits are measured in virtual time, from the crash instant the
    actor prints to the next run's start); escalation does not come (max_restarts restarts);
    the crash lines are the usual ones."""
    m = console(icount=True)
    n = tun.max_restarts
    run(m, f"arun -g 1 hrwatch crash {n}", r"started hrwatch, aid \d+, group 1")
    waits = []
    aid, _ = expect_run(m, 1)
    start, crashes = m.pos, []
    for k in range(1, n + 1):
        crashed = ns_of(expect_line(m, rf"hrwatch: run {k} crash t=(\S+)").group(1))
        crashes.append(rf"hr: hrwatch \(aid {aid}, group 1\) {KINDS['data']}; "
                       rf"restarting group 1 \({k}/{n}\)")
        aid, started = expect_run(m, k + 1)
        waits.append((started - crashed) / 1e6)
    expect_line(m, rf"hrwatch: run {n + 1} steady")
    expect_since(m, start, *crashes)
    want = [tun.backoff_ms(k) for k in range(1, n + 1)]
    assert want[0] == 0 and want[-1] == tun.backoff_max_ms < 2 ** (n - 2) * tun.backoff_base_ms
    for k, (got, exp) in enumerate(zip(waits, want), 1):
        slack = tun.tick_ms + 2 if exp else 2       # tick precision, plus the restart itself
        assert exp <= got < exp + slack, f"restart {k}: waited {got} ms, documented {exp} ms"
    assert "site restart" not in m.text


def test_hr_shows_waiting_group(console, tun):
    """While a group waits for its restart, `hr` says so and when; then the group restarts.
    Real time here (under -icount an idle guest skips the wait): the command is typed when
    the crash line of the longest wait (backoff_max) comes out. Should the host be too slow
    to type it within that wait, the group is killed and the crash loop tried again."""
    m = console()
    n = tun.max_restarts
    for attempt in range(3):
        run(m, f"arun -g 1 hrwatch crash {n}", r"started hrwatch, aid \d+, group 1")
        expect_line(m, rf"hr: hrwatch \(aid \d+, group 1\) .*; restarting group 1 \({n}/{n}\)")
        out = output_of(m, "hr")
        if "group 1: waiting" in out:
            break
        assert re.search(rf"^group 1: running, {n} restarts, 1 member$", out, re.M), out
        run(m, "akill -g 1", "killed group 1")
    when = re.search(rf"^group 1: waiting, {n} restarts, 0 members; restart at "
                     rf"t=\d+\.\d{{6}}s, in (\d+) ms$", out, re.M)
    assert when and int(when.group(1)) <= tun.backoff_max_ms, out
    m.expect(rf"hrwatch: run {n + 1} steady\n")
    assert re.search(r"^group 1: running", output_of(m, "hr"), re.M)


def test_hang_escalates_loop_breaker_and_resume(console, tun):
    """hrwatch hangs (blocked in a receive, watchdog of 20 ms) in its first runs: hangs count
    as crashes, so each boot makes max_restarts restarts and a site restart, and after more
    than max_site_restarts site restarts within the site interval HR stops auto-starting.
    `hr resume` turns it back on and starts the registered group: its next run kicks in time
    and stays; the loop breaker counts afresh, and `hr resume` again says there is nothing to
    resume."""
    m = console(icount=True)
    n, sites = tun.max_restarts, tun.max_site_restarts + 1
    hangs = sites * (n + 1)
    run(m, f"arun -g 1 hrwatch hang block 20 {hangs}", r"started hrwatch, aid \d+, group 1")
    line = rf"hr: hrwatch \(aid \d+, group 1\) {hang(20, 'in a receive')}; "
    for boot_no in range(1, sites + 1):
        if boot_no > 1:
            expect_banner(m, "site restart requested", boot_no)
            m.expect_line("hr: restarting group 1 after the site restart")
        for k in range(1, n + 1):
            m.expect_line(line + rf"restarting group 1 \({k}/{n}\)")
        m.expect_line(line + rf"group 1 failed {n + 1} times: site restart")
        m.expect_line(r"kernel: site restart \(site restart requested\)")
    expect_banner(m, "site restart requested", sites + 1)
    why = f"{sites} site restarts within {tun.site_interval_ms // 1000} s"
    m.expect_line(rf"hr: auto-restart stopped: {why}; 1 group kept in the registry, not started")
    m.expect_line("cinit: type help for the commands")
    m.expect(re.escape(PROMPT))
    assert "hrwatch: run" not in m.text[m.text.rindex("boot: warm"):]
    run(m, "hr", rf"hr: auto-start off \({why}\), {sites} site restarts recorded",
        rf"group 1: stopped, {sites * n} restarts, 0 members")

    type_line(m, "hr resume")
    expect_line(m, "hr: restarting group 1 on hr resume")
    expect_line(m, "hr resume: auto-start on, 1 group started")
    expect_run(m, hangs + 1)
    expect_line(m, rf"hrwatch: run {hangs + 1} armed 20 ms = 0")
    expect_line(m, rf"hrwatch: run {hangs + 1} kicking")
    run(m, "hr", rf"hr: auto-start on, {sites} site restarts recorded",
        rf"group 1: running, {sites * n} restarts, 1 member", r"  aid \d+ hrwatch direct")
    run(m, "hr resume", "hr resume: auto-start is on already")
    # The history was forgotten: one more site restart brings the group back by itself.
    type_line(m, "restart")
    expect_banner(m, "site restart requested", sites + 2)
    m.expect_line("hr: restarting group 1 after the site restart")
    expect_run(m, hangs + 2)
    run(m, "akill -g 1", "killed group 1")
