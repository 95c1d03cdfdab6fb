"""Console input for actors, on the C_INIT test image: an actor that reads stdin gets every
line typed to it whole (never the shell), with echo and line editing, or raw bytes if it
asks; ctrl-D is its end of file; ctrl-C gives the console back to C_INIT at any time.

The test actor is tests/actors/echoer: it prints each line it reads as
"echoer: [<line>] <n> characters" ("echoer raw": the byte codes of each read)."""
import re

from test_cinit import (PROMPT, console, expect_any_order, expect_line, run,  # noqa: F401
                        type_line)

CTRL_C, CTRL_D, CTRL_U, ESC = "\x03", "\x04", "\x15", "\x1b"


def start_echoer(m, args=""):
    """`arun echoer ARGS` at the prompt; returns its aid once it is ready to read."""
    type_line(m, f"arun echoer {args}".strip())
    aid = int(expect_line(m, r"started echoer, aid (\d+)").group(1))
    expect_line(m, "echoer: ready")
    return aid


def echoed(m, line, count):
    __tracebackhide__ = True
    return expect_line(m, rf"echoer: \[{re.escape(line)}\] {count} characters")


def test_lines_go_whole_to_the_reading_actor(console):
    """Lines typed in one burst, commands among them, all reach the actor whole and in
    order, echoed by the kernel; none runs as a shell command."""
    m = console()
    start_echoer(m)
    mark = m.pos
    m.send("one\rtwo three\raps\rhelp\rpmm\r")
    for line in ("one", "two three", "aps", "help", "pmm"):
        # The kernel echoes the burst as it comes in, so the echo of a later line may stand
        # in front of the actor's output on the same console line.
        m.expect(rf"echoer: \[{re.escape(line)}\] {len(line)} characters\n")
    after = m.text[mark:]
    assert "unknown command" not in after and "commands:" not in after, after
    assert not re.search(r"^ *aid name", after, re.MULTILINE), after
    assert re.search(r"^two three$", after, re.MULTILINE), "the kernel echoes typed lines"


def test_line_editing_for_actors(console):
    """Backspace, ctrl-U, arrow keys (escape sequences consumed whole), UTF-8, and a line
    longer than 1023 characters, which stops growing there (a bell for each extra key)."""
    m = console()
    start_echoer(m)
    m.send("abc\b\bX\r")
    echoed(m, "aX", 2)
    m.send(f"junk{CTRL_U}ok\r")
    echoed(m, "ok", 2)
    m.send(f"{ESC}[A{ESC}[Dup{ESC}[3;5~\r")
    echoed(m, "up", 2)
    m.send("été\r")
    echoed(m, "été", 5)
    m.send("x" * 1500 + "\r")
    echoed(m, "x" * 1023, 1023)


def test_ctrl_d_is_end_of_file(console):
    """Ctrl-D on an empty line: the actor's read returns end of file; after it ends, what
    is typed goes to the shell again."""
    m = console()
    aid = start_echoer(m)
    m.send(CTRL_D)
    expect_line(m, "echoer: end of file")
    expect_line(m, rf"kernel: echoer \(aid {aid}\) exited with status 0")
    run(m, "ls", r"name +size +text +data +bss")


def test_ctrl_c_gives_the_console_back(console):
    """Ctrl-C while an actor reads: C_INIT prompts again and takes what is typed; the
    actor's pending read fails (EBUSY) and it keeps running (aps lists it) until killed."""
    m = console()
    aid = start_echoer(m)
    m.send("half a line" + CTRL_C)
    mark = m.pos
    expect_line(m, "echoer: read failed: EBUSY")
    m.pos = mark
    m.expect(re.escape("^C\n" + PROMPT))      # C_INIT's prompt; the actor's line may come after
    type_line(m, "aps")
    expect_line(m, rf" *{aid} echoer +- +blocked .*")
    m.expect(re.escape(PROMPT))
    run(m, f"akill {aid}", rf"killed aid {aid}")
    assert "[half a line]" not in m.text


def test_raw_mode_bytes_as_typed(console):
    """An actor that asks for raw input gets every byte as typed (escape sequences too),
    without echo; ctrl-C still gives the console back."""
    m = console()
    start_echoer(m, "raw")
    mark = m.pos
    m.send(f"ab{ESC}[A\x7f")
    codes = []
    while len(codes) < 6:
        codes += expect_line(m, r"echoer: raw((?: [0-9a-f]{2})+)").group(1).split()
    assert codes == ["61", "62", "1b", "5b", "41", "7f"]
    assert not re.search(r"^ab", m.text[mark:], re.MULTILINE), "no echo in raw mode"
    m.send(CTRL_C)
    mark = m.pos
    expect_line(m, "echoer: read failed: EBUSY")
    m.pos = mark
    m.expect(re.escape("^C\n" + PROMPT))
    run(m, "ls", r"name +size +text +data +bss")


def test_started_line_comes_before_the_actor(console):
    """arun prints "started ..." before the new actor's first output, even when the actor
    runs at a higher priority than the console (hinop: nop at priority 15, which ends at
    once): the actor is held until the line is out."""
    m = console()
    type_line(m, "arun hinop 5")
    started = expect_line(m, r"started hinop, aid (\d+)")
    ended = expect_line(m, rf"kernel: hinop \(aid {started.group(1)}\) exited with status 5")
    assert started.start() < ended.start()
    assert "kernel: hinop" not in m.text[:started.start()]


def test_abort_reported_by_hr(console):
    """Under HR, abort() is a crash like any other: one crash line naming abort(), and the
    crash log says the same."""
    m = console()
    type_line(m, "arun libc abort")
    aid = int(expect_line(m, r"started libc, aid (\d+)").group(1))
    expect_line(m, rf"hr: libc \(aid {aid}\) abort\(\) called, pc=0x[0-9a-f]{{8}}; not "
                   r"restartable, deleted")
    type_line(m, "hr")
    expect_line(m, rf"  #\d+ boot 1 t=\S+ libc \(aid {aid}\) abort\(\) called, pc=0x[0-9a-f]{{8}}; "
                   r"not restartable, deleted")
