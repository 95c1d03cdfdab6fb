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


# ---- the output ring: tests/images/conring.image under the console-hold self test ----------

SPEW = re.compile(r"(spew[abc]) (line|block) (\d{3}) x+")
SPEW_WIDTH, SPEW_LINES, SPEW_BLOCK = 80, 200, 50        # tests/actors/spew/spew.c


def test_output_ring_full_writers_wait_whole_and_in_order(boot, board):
    """Console output held back for a second (console-hold: a terminal that stops reading)
    while three actors write far more than the ring holds: each write goes out whole, in
    order, nothing lost; the writers wait for room (spewb, first, filled the ring: nothing of
    the others comes before the release), in line by priority (spewk's line, written last but
    from the highest priority, goes before theirs); spewb, killed while it waits, leaves no partial
    line; the kernel's own line at the release, with the ring full, comes out whole after
    what the ring held."""
    m = boot(board.image("conring"), selftest="console-hold", icount=True)
    m.expect_line("selftest: console-hold")
    start = m.pos
    for name in ("spewa", "spewc", "spewk"):
        m.pos = start
        m.expect_line(rf"kernel: {name} \(aid \d+\) exited with status 0")
    m.pos = start
    m.expect_line("spewa done")
    m.pos = start
    m.expect_line("spewc done")
    lines = [ln for ln in m.text[start:].split("\n") if ln]
    seen = {"spewa": [], "spewb": [], "spewc": []}
    released = None
    for i, ln in enumerate(lines):
        s = SPEW.fullmatch(ln)
        if s:
            assert len(ln) == SPEW_WIDTH - 1, f"torn line {ln!r}"
            seen[s[1]].append((s[2], int(s[3]), i))
        elif ln == "selftest: console released":
            released = i
        else:
            assert re.fullmatch(r"spew[ac] done|spewk: killed spewb \(aid \d+\) = 0|"
                                r"kernel: spew[ack] \(aid \d+\) exited with status 0|"
                                r"qemu-system-arm: warning: .*", ln), f"unexpected line {ln!r}"
    want = [("line", k) for k in range(SPEW_LINES)] + [("block", k) for k in range(SPEW_BLOCK)]
    for name in ("spewa", "spewc"):
        assert [(kind, k) for kind, k, _ in seen[name]] == want, name
        at = [i for kind, _, i in seen[name] if kind == "block"]
        assert at == list(range(at[0], at[0] + SPEW_BLOCK)), f"{name}'s one write was cut"
        assert seen[name][0][2] > released, f"{name} wrote before the release"
    b = [(kind, k) for kind, k, _ in seen["spewb"]]
    assert 50 <= len(b) < SPEW_LINES and b == want[:len(b)], b
    assert all(i < released for _, _, i in seen["spewb"]), "spewb was killed while waiting"
    killed = [i for i, ln in enumerate(lines) if ln.startswith("spewk: killed spewb")]
    assert killed and killed[0] < min(seen["spewa"][0][2], seen["spewc"][0][2]), \
        "spewk's line waits behind lower priorities"
    assert "spewb done" not in lines
    assert not any(ln.startswith("kernel: spewb") for ln in lines)
