"""C_INIT console scenarios: the boot script on cold and warm boots, every command with good
and bad arguments, the messages without the PMM server or the HR controller, line editing,
and input that must not stop the console.

They boot tests/images/cinit.image: the PMM server, the HR controller and C_INIT (all at
boot; the servers are not critical there, so a scenario may kill them), ipcsrv (waits on
its port for ever: a live restartable actor), hello (the seed), nop and kfaults. The boot
script is tests/images/cinit.ini. Command output formats are documented in
apps/cinit/commands.c, the boot transcript in apps/cinit/cinit.c."""
import random
import struct
import re

import pytest

from reprise import ROOT

IMAGE = "cinit"
PROMPT = "cinit> "
USAGE_ALL = r"usage: <command> \[args\]; commands: help ls arun aps akill pmm hr restart"
NS = r"\d+ ns since power-on"
HEX = r"0x[0-9a-f]{8}"
WARM_SKIP = "sysadm: skipped (warm boot: HR restarts registered groups)"
HELLO_FAULT = (rf"data abort pc={HEX} addr={HEX} write, translation fault, reserved region")

# What cinit.ini runs, in order: (the echoed line, the lines it prints).
SCRIPT = [
    ("arun kfaults ok", [r"started kfaults, aid (?P<kfaults>\d+)"]),
    ("arun -g 1 hello", [r"started hello, aid (?P<hello>\d+), group 1"]),
    ("arun -g 2 ipcsrv", [r"started ipcsrv, aid (?P<ipcsrv>\d+), group 2"]),
    ("arun nop 3   # a comment after the command", [r"started nop, aid (?P<nop3>\d+)"]),
    ("arun nosuchimage", [r"arun: cannot start nosuchimage: error -4 \(K_EUNKNOWN\)"]),
    (None, [r"sysadm: line 11 too long \(at most 1023 characters\), skipped"]),
    ("arun nop 4", [r"started nop, aid (?P<nop4>\d+)"]),
]

APS_ROW = re.compile(r"^ *(\d+) (\S+) +(\S+) (\S+) +(\d+) +(\S+) +(\d+)$", re.MULTILINE)


# ---- helpers ------------------------------------------------------------------------------

def expect_line(m, pattern):
    """Waits for a whole line matching pattern; the line may also start right after a prompt
    (C_INIT echoes typed text there, and actors print there while it waits for input)."""
    __tracebackhide__ = True
    return m.expect(re.compile(rf"(?:^|(?<={re.escape(PROMPT)}))(?:{pattern})\n", re.MULTILINE))


def expect_any_order(m, *patterns):
    """Waits for whole lines matching every pattern, in any order (actors run concurrently);
    the console position moves past the last of them. Returns the matches, in pattern order."""
    __tracebackhide__ = True
    start, found = m.pos, []
    for p in patterns:
        m.pos = start
        found.append(expect_line(m, p))
    m.pos = max(f.end() for f in found)
    return found


def in_order(matches):
    """Tells whether matches came on the console in the order given."""
    return all(a.start() < b.start() for a, b in zip(matches, matches[1:]))


def expect_script(m, warm):
    """The boot script's transcript up to the prompt, then what the actors it started print
    (on a warm boot HR brings group 2 back itself). Returns the aids it printed."""
    __tracebackhide__ = True
    kind, boot = ("warm", r"\d+") if warm else ("cold", "1")
    aids = m.expect_line(rf"cinit: console aid (?P<cinit>\d+), {kind} boot {boot}").groupdict()
    m.expect_line("cinit: running sysadm.ini")
    for echo, output in SCRIPT:
        if echo is not None:
            m.expect_line(re.escape(f"sysadm: {echo}"))
        if warm and echo and echo.startswith("arun -g"):
            m.expect_line(re.escape(WARM_SKIP))
            continue
        for line in output:
            aids.update(m.expect_line(line).groupdict())
    m.expect_line(r"cinit: sysadm.ini done, 4 run, 2 skipped" if warm
                  else r"cinit: sysadm.ini done, 6 run, 0 skipped")
    m.expect_line("cinit: type help for the commands")
    done = [rf"kernel: kfaults \(aid {aids['kfaults']}\) exited with status 0",
            rf"kernel: nop \(aid {aids['nop3']}\) exited with status 3",
            rf"kernel: nop \(aid {aids['nop4']}\) exited with status 4",
            "kfaults: ok, alive", r"ipcsrv: port \d+"]
    if warm:
        expect_any_order(m, *done)
        return aids
    hello = expect_any_order(
        m, *done, "Hello world!",
        rf"hr: hello \(aid {aids['hello']}, group 1\) {HELLO_FAULT}; restarting group 1 \(1/5\)",
        r"The process has been restarted\.", r"Example finished\. Exit\.",
        r"hr: group 1 ended cleanly")[len(done):]
    # HR restarts first and says why once the CPU is idle: the crash line comes after the
    # crash, before HR's next line, anywhere among the restarted actor's.
    hello_first, crash, restarted, finished, ended = hello
    assert in_order([hello_first, restarted, finished, ended]), [h.group(0) for h in hello]
    assert in_order([hello_first, crash, ended]), [h.group(0) for h in hello]
    return aids


def type_line(m, line):
    """Types a command and waits for C_INIT's echo of it."""
    __tracebackhide__ = True
    m.sendline(line)
    expect_line(m, re.escape(line))


def run(m, line, *outputs):
    """Types a command, expects its output lines in order, then the next prompt; returns the
    matches of the output lines."""
    __tracebackhide__ = True
    type_line(m, line)
    matches = [m.expect_line(o) for o in outputs]
    m.expect(re.escape(PROMPT))
    return matches


def aps(m):
    """Runs aps; returns {aid: (name, group, state, pages, restarts, quota)}."""
    __tracebackhide__ = True
    type_line(m, "aps")
    head = m.expect_line(r"    aid name            group state   pages restarts  quota")
    end = m.expect_line(r"(\d+) actors?")
    rows = {int(r[0]): r[1:] for r in APS_ROW.findall(m.text[head.end():end.start()])}
    assert len(rows) == int(end.group(1)), m.text[head.start():end.end()]
    m.expect(re.escape(PROMPT))
    return rows


def aid_of(rows, name):
    """The aid of the one actor called name in an aps result."""
    aids = [aid for aid, row in rows.items() if row[0] == name]
    assert len(aids) == 1, f"{name}: {rows}"
    return aids[0]


@pytest.fixture
def console(boot, board):
    """Powers on the C_INIT test image and waits until the boot script and what it started
    are done; returns the machine (m.aids: the aids the script printed)."""
    def power_on():
        m = boot(board.image(IMAGE))
        m.expect_line(r"boot: cold, boot 1, .*")
        m.aids = expect_script(m, warm=False)
        return m
    return power_on


# ---- the boot script ----------------------------------------------------------------------

def test_cold_boot_runs_sysadm_ini(console):
    """Cold boot: C_INIT runs each command line of sysadm.ini, echoed as "sysadm: <line>";
    comments and blank lines are skipped silently, an over-long line is skipped with a
    message, the last line needs no newline. arun -g 1 hello runs the seed under HR:
    Hello world!, the hr: crash line, The process has been restarted., Example finished."""
    m = console()
    script = m.text[m.text.index("cinit: running sysadm.ini"):m.text.index("sysadm.ini done")]
    assert re.findall(r"^sysadm: (.*)$", script, re.MULTILINE) == [
        "arun kfaults ok", "arun -g 1 hello", "arun -g 2 ipcsrv",
        "arun nop 3   # a comment after the command", "arun nosuchimage",
        "line 11 too long (at most 1023 characters), skipped", "arun nop 4"]
    assert "indented comment" not in m.text
    run(m, "pmm", r"bank: 0 of \d+ pages used \(0 KiB of \d+ KiB\), 0 of \d+ blocks",
        "no blocks")                        # hello freed PM1


def test_warm_reset_skips_group_runs(console):
    """A warm reset (QMP system_reset) boots warm: C_INIT runs sysadm.ini again but skips its
    arun -g lines, and HR brings group 2 (ipcsrv) back by itself; group 1 had ended."""
    m = console()
    start = m.pos                           # HR answers once it has ended group 1 for good:
    run(m, "hr", r"hr: auto-start on, .*", "crash log, oldest first:")
    assert re.findall(r"^group (\d+):", m.text[start:m.pos], re.MULTILINE) == ["2"]
    m.reset()                               # a reset from outside may come at any time
    m.expect_line(rf"boot: warm \(external reset\), boot 2, bank marker kept, {NS}")
    expect_script(m, warm=True)
    rows = aps(m)
    assert rows[aid_of(rows, "ipcsrv")][1] == "2"
    assert "hello" not in [row[0] for row in rows.values()]
    assert m.text.count("Hello world!") == 1


def test_restart_gives_warm_boot(console):
    """restart asks for a site restart: the kernel resets, the boot is warm and says it was
    requested, C_INIT skips the arun -g lines, HR brings group 2 back and counts the site
    restart; the crash log of boot 1 is still there."""
    m = console()
    type_line(m, "restart")
    m.expect_line("restart: site restart requested")
    m.expect_line(r"kernel: site restart \(site restart requested\)")
    m.expect_line(rf"boot: warm \(site restart requested\), boot 2, bank marker kept, {NS}")
    assert m.wait_event("RESET")["data"]["guest"] is True
    expect_script(m, warm=True)
    run(m, "hr", r"hr: auto-start on, 1 site restart recorded",
        r"group 2: running, 0 restarts, 1 member",
        r"  aid \d+ ipcsrv direct",
        "crash log, oldest first:",
        rf"  #1 boot 1 t=\d+\.\d{{6}}s hello \(aid \d+, group 1\) {HELLO_FAULT}; "
        r"restarting group 1 \(1/5\)")
    run(m, "restart now", "restart: too many arguments", "usage: restart")


# ---- commands -----------------------------------------------------------------------------

def test_help(console):
    """help lists every command with its usage; help <command> prints one usage line."""
    m = console()
    run(m, "help", "commands:",
        r"  help \[command\] +this list, or one command's usage",
        r"  ls +actors in the system image: .*",
        r"  arun \[-f\] \[-g gid\] name \[args\.\.\.\] +start an actor and print its aid .*",
        r"  aps +actors: aid, name, group, state, pages, restarts, quota",
        r"  akill \[-f\] aid \| akill -g gid +kill an actor .*",
        r"  pmm +persistent blocks: name, size, owner, group, mapped by; bank use and quotas",
        r"  hr \[resume \| dump \[N\]\] +restart groups: members, restarts, state, bank use; HR "
        r"state; crash log \(resume: auto-start on again; dump: the post-mortem dumps, or dump "
        r"N's registers and stack\)",
        r"  restart +site restart .*",
        r"editing: Left/Right/Home/End move, .*", r"  Up/Down recall earlier lines, .*",
        r"  ctrl-C cancels the line, or takes the console back from an actor reading it")
    run(m, "help akill", r"usage: akill \[-f\] aid \| akill -g gid")
    run(m, "help arun", r"usage: arun \[-f\] \[-g gid\] name \[args\.\.\.\]")
    run(m, "help nothere", "help: unknown command 'nothere'", r"usage: help \[command\]")
    run(m, "help ls aps", "help: too many arguments", r"usage: help \[command\]")


def packed_size(path):
    """Bytes of an actor file as mkimage packs it: up to the end of its last segment."""
    data = path.read_bytes()
    phoff, = struct.unpack_from("<I", data, 28)
    phnum, = struct.unpack_from("<H", data, 44)
    end = phoff + 32 * phnum
    for i in range(phnum):
        _, offset, _, _, filesz = struct.unpack_from("<5I", data, phoff + 32 * i)
        if filesz:
            end = max(end, offset + filesz)
    return end


def test_ls_lists_the_system_image(console):
    """ls: every actor of the image in manifest order, with its packed size (the ELF file
    without section headers and debug information) and the bytes of its text, data, bss."""
    m = console()
    manifest = ROOT / "tests" / "images" / f"{IMAGE}.image"
    actors = [line.split()[1:3] for line in manifest.read_text().splitlines()
              if line.startswith("actor ")]
    build = ROOT / "build" / "virt"
    rows = run(m, "ls", r"name +size +text +data +bss",
               *[rf"({re.escape(name)}) +(\d+) +(\d+) +(\d+) +(\d+)" for name, _ in actors],
               rf"{len(actors)} images")[1:-1]
    for (name, path), row in zip(actors, rows):
        size, text, data, bss = map(int, row.groups()[1:])
        assert size == packed_size(build / path), name
        assert 0 < text < size and 0 < data < size, name   # bss takes no file space
    run(m, "ls -l", "ls: too many arguments", "usage: ls")


def test_arun_starts_actors(console):
    """arun name [args]: starts an image actor (no group) with those arguments and prints
    its aid; a fault in it is HR's to report, and it is not restarted. A second C_INIT
    refuses to run."""
    m = console()
    aid = int(run(m, "arun nop 7", r"started nop, aid (\d+)")[0].group(1))
    expect_line(m, rf"kernel: nop \(aid {aid}\) exited with status 7")
    aid = int(run(m, "arun kfaults null", r"started kfaults, aid (\d+)")[0].group(1))
    expect_line(m, "kfaults: null about to fault.*")
    expect_line(m, rf"hr: kfaults \(aid {aid}\) data abort pc={HEX} addr=0x00000000 read, "
                   r"translation fault.*")
    # The second console runs at the first one's priority: its lines and the prompt may
    # come in any order.
    run(m, "arun cinit", rf"arun: cinit already runs \(aid {m.aids['cinit']}\): a second "
                         r"server or console cannot work \(arun -f .*\)")
    type_line(m, "arun -f cinit")
    started = expect_line(m, r"started cinit, aid (\d+)")
    aid = int(started.group(1))
    m.pos = started.start()
    expect_any_order(m, rf"cinit: a console already runs \(aid {m.aids['cinit']}\)",
                     rf"kernel: cinit \(aid {aid}\) exited with status 1")
    run(m, "arun nosuch 1 2", r"arun: cannot start nosuch: error -4 \(K_EUNKNOWN\)")
    run(m, "arun -g 3 nosuch", r"arun: cannot start nosuch: error -4 \(K_EUNKNOWN\)")
    run(m, "hr", r"hr: auto-start on, .*", r"group 2: .*", r"  aid \d+ ipcsrv direct",
        "crash log, oldest first:")        # no group 3 was left behind


ARUN_BAD = [
    ("arun", "arun: missing actor name"),
    ("arun -g", "arun: missing group id"),
    ("arun -g x nop", "arun: bad group id 'x'"),
    ("arun -g 0 nop", "arun: bad group id '0'"),
    ("arun -g -3 nop", "arun: bad group id '-3'"),
    ("arun -g 99999999999 nop", "arun: bad group id '99999999999'"),
    ("arun -g 1", "arun: missing actor name"),
    ("arun -q nop", "arun: unknown option '-q'"),
    ("arun averyveryverylongname", "arun: actor name too long 'averyveryverylongname'"),
]


def test_arun_bad_arguments(console):
    """arun with missing or bad arguments: what is wrong, then the usage line; nothing
    starts."""
    m = console()
    start = len(m.text)
    for line, output in ARUN_BAD:
        run(m, line, re.escape(output), r"usage: arun \[-f\] \[-g gid\] name \[args\.\.\.\]")
    assert "started" not in m.text[start:]


def test_restartable_group(console):
    """arun -g runs the seed in a new group 3 through HR; aps shows groups and restart
    counts; killing a member makes HR restart its group (a new aid, 1 restart); akill -g
    ends a group for good; hr shows groups, members and the crash log, oldest first."""
    m = console()
    aid = int(run(m, "arun -g 3 hello", r"started hello, aid (\d+), group 3")[0].group(1))
    expect_line(m, "Hello world!")
    expect_any_order(m, rf"hr: hello \(aid {aid}, group 3\) {HELLO_FAULT}; restarting group 3 \(1/5\)",
                     r"The process has been restarted\.", r"Example finished\. Exit\.")

    rows = aps(m)
    srv = aid_of(rows, "ipcsrv")
    assert rows[srv][1:3] == ("2", "blocked") and rows[srv][4] == "0"
    type_line(m, f"akill {srv}")             # HR may speak before the console does
    expect_any_order(m, f"killed aid {srv}", r"ipcsrv: port \d+",
                     rf"hr: ipcsrv \(aid {srv}, group 2\) killed by cinit .*; "
                     r"restarting group 2 \(1/5\)")
    rows = aps(m)
    new = aid_of(rows, "ipcsrv")
    assert new != srv and rows[new][1] == "2" and rows[new][4] == "1"

    run(m, "hr", r"hr: auto-start on, 0 site restarts recorded",
        r"group 2: running, 1 restart, 1 member",
        rf"  aid {new} ipcsrv direct",
        "crash log, oldest first:",
        rf"  #1 boot 1 t=\d+\.\d{{6}}s hello \(aid {m.aids['hello']}, group 1\) {HELLO_FAULT}; "
        r"restarting group 1 \(1/5\)",
        rf"  #2 boot 1 t=\d+\.\d{{6}}s hello \(aid {aid}, group 3\) {HELLO_FAULT}; "
        r"restarting group 3 \(1/5\)",
        rf"  #3 boot 1 t=\d+\.\d{{6}}s ipcsrv \(aid {srv}, group 2\) killed by cinit .*; "
        r"restarting group 2 \(1/5\)")

    run(m, "akill -g 2", "killed group 2")
    assert "ipcsrv" not in [row[0] for row in aps(m).values()]
    run(m, "akill -g 2", "akill: no restart group 2")
    run(m, "hr", r"hr: auto-start on, .*", "no groups", "crash log, oldest first:")
    run(m, "hr groups", "hr: unknown argument 'groups'", r"usage: hr \[resume \| dump \[N\]\]")
    run(m, "hr resume now", "hr: too many arguments", r"usage: hr \[resume \| dump \[N\]\]")
    run(m, "hr resume", "hr resume: auto-start is on already")
    run(m, "hr dump 1 2", "hr: too many arguments", r"usage: hr \[resume \| dump \[N\]\]")
    run(m, "hr dump x", "hr: bad dump number 'x'", r"usage: hr \[resume \| dump \[N\]\]")


def test_aps_and_akill(console):
    """aps lists live actors (aid, name, group, state, pages, restarts); akill kills one,
    which then leaves the list; killing it again, or the console itself, is refused."""
    m = console()
    rows = aps(m)
    assert sorted(row[0] for row in rows.values()) == ["cinit", "hr", "ipcsrv", "pmm"]
    me, pmm = aid_of(rows, "cinit"), aid_of(rows, "pmm")
    assert me == int(m.aids["cinit"])
    assert rows[me][1:3] == ("-", "ready") and rows[me][4] == "-"
    assert rows[pmm][1:3] == ("-", "blocked")
    assert all(int(row[3]) > 0 for row in rows.values())

    run(m, f"akill {pmm}", f"killed aid {pmm}")
    assert sorted(row[0] for row in aps(m).values()) == ["cinit", "hr", "ipcsrv"]
    run(m, f"akill {pmm}", rf"akill: cannot kill aid {pmm}: error -4 \(K_EUNKNOWN\)")
    run(m, f"akill {me}", f"akill: aid {me} is this console")
    run(m, "aps -a", "aps: too many arguments", "usage: aps")


AKILL_BAD = [
    ("akill", "akill: missing actor id"),
    ("akill abc", "akill: bad actor id 'abc'"),
    ("akill 0", "akill: bad actor id '0'"),
    ("akill -5", "akill: bad actor id '-5'"),
    ("akill 12x", "akill: bad actor id '12x'"),
    ("akill 4294967362", "akill: bad actor id '4294967362'"),
    ("akill 65 66", "akill: too many arguments"),
    ("akill -g", "akill: missing group id"),
    ("akill -g zero", "akill: bad group id 'zero'"),
    ("akill -g 0", "akill: bad group id '0'"),
    ("akill -g 1 2", "akill: too many arguments"),
]


def test_akill_bad_arguments(console):
    """akill with missing or bad arguments: what is wrong, then the usage line; nothing is
    killed."""
    m = console()
    for line, output in AKILL_BAD:
        run(m, line, re.escape(output), r"usage: akill \[-f\] aid \| akill -g gid")
    assert len(aps(m)) == 4


def test_pmm_blocks(console):
    """pmm shows the bank use, each block (name, size, owner image, group, mapped by; never its
    key) and each owner's use against its quota. hello run
    by hand, outside any group: its first run allocates PM1 and dies on the reserved page
    (not restarted); the second finds the counter, frees PM1 and exits cleanly."""
    m = console()
    aid = int(run(m, "arun hello", r"started hello, aid (\d+)")[0].group(1))
    expect_line(m, "Hello world!")
    expect_line(m, rf"hr: hello \(aid {aid}\) {HELLO_FAULT}.*")
    run(m, "pmm", r"bank: 1 of \d+ pages used \(4 KiB of \d+ KiB\), 1 of \d+ blocks",
        r"name +size owner +group mapped by",
        r"PM1 +4 hello +- -", r"quota hello: 1 of \d+ pages, 1 of \d+ blocks")
    assert "HELLO_GROUP" not in m.text

    aid = int(run(m, "arun hello", r"started hello, aid (\d+)")[0].group(1))
    expect_line(m, r"The process has been restarted\.")
    expect_line(m, r"Example finished\. Exit\.")
    expect_line(m, rf"kernel: hello \(aid {aid}\) exited with status 0")
    run(m, "pmm", r"bank: 0 of \d+ pages used .*", "no blocks")
    run(m, "pmm all", "pmm: too many arguments", "usage: pmm")


def test_commands_without_servers(console):
    """Without the PMM server or the HR controller, the commands that need them say so and
    the console goes on; aps shows no restart counts without HR."""
    m = console()
    rows = aps(m)
    pmm, hr = aid_of(rows, "pmm"), aid_of(rows, "hr")
    run(m, f"akill {pmm}", f"killed aid {pmm}")
    run(m, "pmm", "pmm: PMM server not running")
    run(m, f"akill {hr}", f"killed aid {hr}")
    run(m, "hr", "hr: HR controller not running")
    run(m, "arun -g 1 nop", "arun: HR controller not running")
    run(m, "akill -g 2", "akill: HR controller not running")
    rows = aps(m)
    assert rows[aid_of(rows, "ipcsrv")][1::3] == ("2", "-")
    aid = int(run(m, "arun nop 5", r"started nop, aid (\d+)")[0].group(1))
    expect_line(m, rf"kernel: nop \(aid {aid}\) exited with status 5")


# ---- input ----------------------------------------------------------------------------------

def test_unknown_commands_and_blank_lines(console):
    """An unknown command gets a usage line listing the commands; blank lines and comments
    do nothing; too many words are refused."""
    m = console()
    run(m, "foo bar", "unknown command 'foo'", USAGE_ALL)
    run(m, "LS", "unknown command 'LS'", USAGE_ALL)
    type_line(m, "")
    m.expect(re.escape(PROMPT))
    type_line(m, "   # just a comment")
    m.expect(re.escape(PROMPT))
    run(m, " ".join(["w"] * 40), r"w: too many words \(at most 35\)", USAGE_ALL)
    run(m, "arun nop " + " ".join(["a"] * 34), r"arun: too many words \(at most 35\)",
        r"usage: arun \[-f\] \[-g gid\] name \[args\.\.\.\]")
    m.sendline("help\t ls\t")    # Tab completes: help and a blank; no image is "ls...": a bell
    expect_line(m, re.escape("help  ls\a"))
    m.expect_line("usage: ls")
    m.expect(re.escape(PROMPT))


def test_line_editing(console):
    """C_INIT edits what it reads: backspace (0x7f or 0x08) erases the last character on
    screen with "\\b \\b" (never the prompt), ctrl-U the whole line, Left/Right/Home/End
    move the cursor and typing inserts there, Up recalls earlier lines, Tab completes
    commands and image names, Esc alone is ignored (the key after it counts), UTF-8 passes
    through, CR, LF and CR LF are one Enter, and a line over 1023 characters is refused."""
    m = console()
    m.send("\x7f\x08lx\x7fs\r")
    expect_line(m, re.escape("lx\b \bs"))
    m.expect_line(r"name +size +text +data +bss")
    m.expect(re.escape(PROMPT))

    m.send("hx\x08elp arun\r")
    expect_line(m, re.escape("hx\b \belp arun"))
    m.expect_line(r"usage: arun \[-f\] \[-g gid\] name \[args\.\.\.\]")
    m.expect(re.escape(PROMPT))
    m.send("garbage\x15help ls\r")
    m.expect_line("usage: ls")
    m.expect(re.escape(PROMPT))

    m.send("hlp pm\x1b[H\x1b[Ce\x1b[Fm\r")          # Home, Right, insert; End, append
    m.expect_line("usage: pmm")
    m.expect(re.escape(PROMPT))
    m.send("\x1b[A\x1b[A\r")                         # Up twice: "help ls" again
    m.expect_line("usage: ls")
    m.expect(re.escape(PROMPT))
    m.send("he\tarun\r")                              # Tab completes the command
    m.expect_line(r"usage: arun .*")
    m.expect(re.escape(PROMPT))
    m.send("arun hin\t5\r")                           # and an image name after it
    aid = m.expect_line(r"started hinop, aid (\d+)").group(1)
    m.expect_line(rf"kernel: hinop \(aid {aid}\) exited with status 5")
    m.send("\x1baps\r")                               # Esc, then aps: aps runs
    m.expect_line(r" +aid name +group state +pages restarts +quota")
    m.expect_line(r"kernel: .*")
    m.send("help \u00e9t\u00e9\r")
    m.expect_line("help: unknown command '\u00e9t\u00e9'")
    m.expect(re.escape(PROMPT))
    m.send("help pmm\r\n")
    m.expect_line("usage: pmm")
    m.send("help pmm\n")
    expect_line(m, re.escape("help pmm"))    # right after the prompt: CR LF was one Enter
    m.expect_line("usage: pmm")
    m.expect(re.escape(PROMPT))

    m.send("z" * 1100 + "\r")
    m.expect_line(r"line too long \(at most 1023 characters\), not run")
    m.send("z" * 1023 + "\r")
    m.expect_line(f"unknown command '{'z' * 1023}'")
    m.expect_line(USAGE_ALL)
    run(m, "help restart", "usage: restart")


def test_quoted_arguments(console):
    """arun words split as a shell does: quotes keep blanks and '#', a backslash keeps the
    next character; 31 arguments (the kernel's 32 words with the name) all arrive; an open
    quote is refused."""
    m = console()
    type_line(m, """arun libc nostdin notime "a b" 'c#d' e\\ f""")
    m.expect_line(r"started libc, aid \d+")
    m.expect_lines(r"libc: argc=6", r"libc: argv\[3\]=a b", r"libc: argv\[4\]=c#d",
                   r"libc: argv\[5\]=e f")
    m.expect_line(r"kernel: libc \(aid \d+\) exited with status 0")
    words = " ".join(f"w{i}" for i in range(29))
    type_line(m, f"arun libc nostdin notime {words}")
    m.expect_lines(r"libc: argc=32", r"libc: argv\[31\]=w28")
    m.expect_line(r"kernel: libc \(aid \d+\) exited with status 0")
    run(m, "arun libc 'open", r"arun: a quote is not closed", r"usage: arun .*")


def test_random_input_never_stops_the_console(console):
    """Lines made of command words, options, numbers and junk (seeded, so repeatable): each
    gets an answer and a new prompt, and the console still works after them. They kill
    nothing and start no restartable group (a failing group would end in a site restart)."""
    m = console()
    words = ["help", "ls", "arun", "aps", "akill", "pmm", "hr", "-g", "-x", "-", "0", "1",
             "-1", "65", "nop", "kfaults", "ok", "nosuch", "cinit", "%s%n%x", "''", "\"",
             "\\", "9" * 12, "a" * 40, ";", "|", "*"]
    rng = random.Random(1234)
    for _ in range(60):
        line = [rng.choice(words) for _ in range(rng.randint(1, 6))]
        if line[0] == "akill":
            line = ["akill", "999999"]
        if line[0] == "arun" and line[1:2] == ["-g"]:
            line[1] = "-q"
        m.sendline(" ".join(line))
        m.expect(re.escape(PROMPT))
    rows = aps(m)
    assert {"cinit", "hr", "pmm", "ipcsrv"} <= {row[0] for row in rows.values()}
    run(m, "help ls", "usage: ls")


def test_actor_reads_a_line_while_the_console_waits(boot, board):
    """C_INIT reads the console in the background: an actor started with arun that reads
    stdin gets the next typed line, then C_INIT has the console again."""
    m = boot(board.image("cinit"))
    m.expect("cinit> ")
    m.sendline("arun libc nostdin-not notime")
    m.expect_line(r"started libc, aid \d+")
    m.expect(r"libc: ready for a line\r?\n")
    m.sendline("typed for the actor")
    m.expect(r"libc: line \[typed for the actor\]")
    m.expect(r"kernel: libc \(aid \d+\) exited with status 0")
    m.sendline("help ls")
    m.expect_line(r"usage: ls")


def test_typos_never_reset_the_machine(boot, board):
    """On the default image, where PMM and HR are critical: akill of either is refused with
    why (its end would restart the site), and so is arun of a second PMM, HR or console,
    with or without -g; the forced forms do what they say (akill -f hr: a site restart)."""
    m = boot(board.kernel)
    m.expect(re.escape(PROMPT))
    rows = aps(m)
    pmm, hr = aid_of(rows, "pmm"), aid_of(rows, "hr")
    for aid, name in ((pmm, "pmm"), (hr, "hr")):
        run(m, f"akill {aid}", rf"akill: {name} \(aid {aid}\) is critical: its end restarts "
                               r"the site \(akill -f kills it all the same\)")
    cinit = aid_of(rows, "cinit")
    for line, name, aid in (("arun pmm", "pmm", pmm), ("arun -g 2 pmm", "pmm", pmm),
                            ("arun hr", "hr", hr), ("arun cinit", "cinit", cinit)):
        run(m, line, rf"arun: {name} already runs \(aid {aid}\): a second server or "
                     r"console cannot work \(arun -f starts it all the same\)")
    assert m.text.count("boot: ") == 1 and "critical actor" not in m.text
    type_line(m, f"akill -f {hr}")
    m.expect_line(rf"kernel: critical actor hr \(aid {hr}\) killed by cinit .*")
    m.expect_line(r"boot: warm \(critical actor failed\), boot 2, .*")
