"""libc-glue scenarios: newlib's printf, malloc, exit, argv and stdin in an actor, the
<chorus.h> calls, and an actor from outside the tree built with EXTRA_APPS.

The libc image (tests/images/libc.image) boots kdriver, a console test shell: `run IMAGE
ARGS` starts an actor and waits for it to end, without reading the console meanwhile, so
the actor owns what is typed. Test actors: tests/actors/libc (its header has the whole
transcript) and tests/actors/chorus (exit status 0 when every check passed)."""
import os
import re
import subprocess
import time

import pytest
from reprise import ROOT

AID = r"(\d+)"
MAKE_TIMEOUT = 600          # seconds; a hang detector for a whole kernel build


def heap_max_kib():
    """ACTOR_HEAP_MAX of <reprise/abi.h>, in KiB: the most malloc can get."""
    abi = (ROOT / "kernel/include/uapi/reprise/abi.h").read_text()
    return int(re.search(r"#define\s+ACTOR_HEAP_MAX\s+(0x[0-9a-fA-F]+|\d+)", abi).group(1), 0) // 1024


@pytest.fixture
def kdriver(boot, board):
    """The libc image booted up to kdriver's first prompt."""
    m = boot(board.image("libc"))
    m.expect_line(r"kdriver: ready, \d+ free pages")
    m.expect("kdriver> ")
    return m


def run(m, command):
    """Types `run ...` at kdriver's prompt; returns the aid of the started actor."""
    m.sendline(f"run {command}")
    name = command.split()[0]
    return int(m.expect(rf"kdriver: started {name} as aid {AID}\n").group(1))


def expect_end(m, name, aid, status):
    """The kernel's line for an actor that is not restartable ending with exit(status), then
    kdriver's prompt again."""
    m.expect_line(rf"kernel: {name} \(aid {aid}\) exited with status {status}")
    m.expect_line(f"kdriver: {name} ended")
    m.expect("kdriver> ")


def no_failures(m):
    assert "FAIL" not in m.text, "a self-check of the test actor failed (see the console)"


def test_printf_formats_and_widths(kdriver):
    """printf on the console: %d %u %x %X %s %c %p %ld %lu %% with widths, precision, flags,
    then vsnprintf compared with expected strings inside the actor ("printf ok")."""
    m = kdriver
    aid = run(m, "libc nostdin notime")
    m.expect_line("libc: constructor ran")
    m.expect_line(re.escape("libc: printf [  42] [-7  ] [ff] [00C0FFEE] [hello] [hi    |] [x] "
                            "[-123456789] [4000000000] [0x1234] [%]"))
    m.expect_line(re.escape("libc: printf [4294967295] [0042] [+5] [  0xff] [FF] [hel] [ y] "
                            "[  -99] [7fffffff] [0xbeef0] [100%]"))
    m.expect_line("libc: printf ok")
    m.expect_line("libc: done, exit 0")
    expect_end(m, "libc", aid, 0)
    no_failures(m)


def test_malloc_stress_and_heap_exhaustion(kdriver):
    """4000 random malloc/free/calloc/realloc with content checks; then growing blocks until
    malloc returns NULL with errno ENOMEM at the heap limit, and after freeing them all a
    large malloc succeeds again."""
    m = kdriver
    aid = run(m, "libc nostdin notime")
    m.expect_line("libc: malloc stress ok")
    kib = int(m.expect_line(r"libc: heap exhausted at (\d+) KiB, errno ENOMEM ok").group(1))
    assert heap_max_kib() - 1024 < kib <= heap_max_kib(), "the heap ends at ACTOR_HEAP_MAX"
    m.expect_line("libc: heap reuse ok")
    m.expect_line("libc: done, exit 0")
    expect_end(m, "libc", aid, 0)
    no_failures(m)


def test_exit_status_on_console(kdriver):
    """exit(3) from main's return: atexit handlers and destructors run, stdout is flushed,
    and the kernel prints the status; a negative status and a stdio-less actor too."""
    m = kdriver
    aid = run(m, "libc exit=3 nostdin notime")
    m.expect_lines("libc: done, exit 3", "libc: atexit handler", "libc: destructor ran")
    expect_end(m, "libc", aid, 3)

    aid = run(m, "libc exit=-1 nostdin notime")
    m.expect_line("libc: done, exit -1")
    expect_end(m, "libc", aid, -1)
    no_failures(m)


def test_argv_passing(kdriver):
    """Arguments typed after the image name arrive as argv[1..], argv[0] is the image name,
    argv[argc] is NULL; getpid() is the actor id."""
    m = kdriver
    aid = run(m, "libc nostdin notime alpha b=2 x-y_z")
    m.expect_lines("libc: argc=6", "libc: argv\\[0\\]=libc", "libc: argv\\[1\\]=nostdin",
                   "libc: argv\\[2\\]=notime", "libc: argv\\[3\\]=alpha", "libc: argv\\[4\\]=b=2",
                   "libc: argv\\[5\\]=x-y_z", f"libc: pid={aid} ok")
    expect_end(m, "libc", aid, 0)
    no_failures(m)


def test_read_typed_line(kdriver):
    """fgets(stdin) returns the line typed on the console (Enter, a carriage return, becomes
    '\\n'); stdout is line-buffered and stderr is not; errno, libm and time calls work."""
    m = kdriver
    aid = run(m, "libc exit=0")
    m.expect_lines("libc: stderr unbuffered", "libc: linebuf ok", "libc: errno ok",
                   "libc: libm ok", "libc: time ok", "libc: ready for a line")
    m.sendline("Hello, actor: 1 2 3")
    m.expect_line(re.escape("libc: line [Hello, actor: 1 2 3]"))
    m.expect_line("libc: done, exit 0")
    expect_end(m, "libc", aid, 0)
    no_failures(m)


def test_wall_clock_and_sleeps(kdriver):
    """time(), gettimeofday() and clock_gettime(CLOCK_REALTIME) give the wall time, read from
    the board's PL031 real-time clock (QEMU sets it to the host's time), not the time since
    power-on; CLOCK_MONOTONIC counts through nanosleep and usleep; clock_nanosleep sleeps until
    an absolute time of either clock, never waking before it; bad arguments are EINVAL or
    EFAULT."""
    m = kdriver
    before = int(time.time())
    aid = run(m, "libc nostdin")
    wall = int(m.expect_line(r"libc: wall time (\d+)").group(1))
    after = int(time.time())
    assert before - 2 <= wall <= after + 2, f"wall time {wall}, host time {before}..{after}"
    m.expect_line("libc: done, exit 0")
    expect_end(m, "libc", aid, 0)
    no_failures(m)


def test_stdio_after_the_heap_ran_out(kdriver):
    """An actor that fills its heap before its first printf still prints: stdio is set up
    at start (newlib-nano would otherwise make stdout with malloc then, and write through
    the NULL it got)."""
    m = kdriver
    aid = run(m, "libc oomfirst")
    m.expect_line("libc: printf after the heap ran out ok")
    expect_end(m, "libc", aid, 0)


def test_abort_is_an_abnormal_end(kdriver):
    """abort() ends the actor abnormally and says so: without HR, the kernel's line names
    abort(), not an exit status."""
    m = kdriver
    aid = run(m, "libc abort")
    m.expect_line(r"libc: calling abort\(\)")
    m.expect_line(rf"kernel: libc \(aid {aid}\) abort\(\) called, pc=0x[0-9a-f]{{8}}; actor deleted")
    m.expect_line("kdriver: libc ended")


def test_chorus_calls(kdriver):
    """<chorus.h> without stdio: vmPageSize, actorSelf/agetId, rgnAllocate/rgnFree (K_ANYWHERE,
    K_RESERVED, a fixed address, K_FREEALL leaving the malloc heap alone), sysTime and
    threadDelay, K_EFAULT from every call given a pointer it cannot use, kErrorName. The exit
    status names the first failed check; 0 is all passed."""
    m = kdriver
    aid = run(m, "chorus")
    expect_end(m, "chorus", aid, 0)


def make_env():
    """The environment for a nested make: without the variables an outer `make test` (say
    with EXTRA_APPS=...) passes down, which would change what this make builds."""
    env = dict(os.environ)
    for var in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "EXTRA_APPS", "SYSADM",
                "B", "V", "WERROR"):
        env.pop(var, None)
    return env


def test_extra_apps_actor(boot, board, tmp_path):
    """The newcomer's path: `make EXTRA_APPS=examples/myactor SYSADM=examples/myactor/sysadm.ini
    image` builds the outside folder into an actor named myactor, packs it into the default
    image with that boot script, and C_INIT runs it at boot. The build goes to a build folder
    of its own (B=<tmp>) so that build/<board>/reprise.elf, which other scenarios boot at the
    same time, is never touched."""
    build = tmp_path / "build"
    cmd = ["make", f"-j{min(os.cpu_count() or 1, 4)}", f"BOARD={board.name}", f"B={build}",
           "EXTRA_APPS=examples/myactor", "SYSADM=examples/myactor/sysadm.ini", "image"]
    done = subprocess.run(cmd, cwd=ROOT, env=make_env(), capture_output=True, text=True,
                          timeout=MAKE_TIMEOUT)
    assert done.returncode == 0, f"{' '.join(cmd)} failed:\n{done.stdout}\n{done.stderr}"
    assert (build / "apps" / "myactor.elf").is_file()

    m = boot(build / "reprise.elf")
    m.expect_line("cinit: running sysadm.ini")
    m.expect_line("sysadm: arun myactor Reprise 3")
    # myactor runs beside C_INIT, whose prompt may come first on the same line.
    aid = m.expect(rf"myactor: aid {AID}, 3 arguments\n").group(1)
    for i in (1, 2, 3):
        m.expect(re.escape(f"myactor: hello, Reprise! ({i} of 3)\n"))
    m.expect(re.escape("myactor: done, exit 3\n"))
    m.expect(rf"kernel: myactor \(aid {aid}\) exited with status 3\n")
    assert re.search(rf"^started myactor, aid {aid}$", m.text, re.MULTILINE), "C_INIT's arun line"


def test_extra_apps_warnings_are_not_errors(board, tmp_path):
    """A user's actor with warnings (an unused variable, endless recursion on purpose) builds
    with EXTRA_APPS, its warnings shown; WERROR=1 makes them errors, as in the tree."""
    app = tmp_path / "warny"
    app.mkdir()
    (app / "warny.c").write_text(
        "#include <stdio.h>\n"
        "static int deep(int n) { return deep(n + 1) + 1; }\n"
        "int main(void) { int unused; printf(\"%d\\n\", deep(0)); return 0; }\n")
    for werror, build in ((None, tmp_path / "b1"), ("1", tmp_path / "b2")):
        cmd = ["make", f"-j{min(os.cpu_count() or 1, 4)}", f"BOARD={board.name}", f"B={build}",
               f"EXTRA_APPS={app}", str(build / "apps" / "warny.elf")]
        if werror:
            cmd.append(f"WERROR={werror}")
        done = subprocess.run(cmd, cwd=ROOT, env=make_env(), capture_output=True, text=True,
                              timeout=MAKE_TIMEOUT)
        output = done.stdout + done.stderr
        assert "unused variable" in output and "infinite recursion" in output, output
        if werror:
            assert done.returncode != 0 and "warnings being treated as errors" in output, output
        else:
            assert done.returncode == 0 and (build / "apps" / "warny.elf").is_file(), output


def test_realloc_in_place_and_heap_limit(kdriver):
    """realloc grows the heap's last block in place (1 MiB to 30 MiB, never moved, bytes
    kept: copying would need twice the memory), and bigheap's app.mk (bigheap_HEAP_MAX :=
    40M) lets its heap grow to 40 MiB instead of the default 16 MiB."""
    m = kdriver
    aid = run(m, "bigheap")
    m.expect_line("bigheap: realloc in place to 30 MiB ok")
    kib = int(m.expect_line(r"bigheap: heap limit (\d+) KiB").group(1))
    assert 39 * 1024 < kib <= 40 * 1024, f"heap stopped at {kib} KiB, not at 40 MiB"
    expect_end(m, "bigheap", aid, 0)


def test_manifest_heap_limit(kdriver):
    """The manifest's heap=4M (smallheap: the libc test actor again) caps the heap, enforced
    by the kernel: malloc runs out at 4 MiB with ENOMEM instead of at 16 MiB."""
    m = kdriver
    aid = run(m, "smallheap nostdin notime")
    kib = int(m.expect_line(r"libc: heap exhausted at (\d+) KiB, errno ENOMEM ok").group(1))
    assert 3 * 1024 < kib <= 4 * 1024, f"heap stopped at {kib} KiB, not at 4 MiB"
    m.expect_line("libc: heap reuse ok")
    expect_end(m, "smallheap", aid, 0)
    no_failures(m)


def test_full_newlib_printf(kdriver):
    """An actor whose app.mk says fullc_LIBC := full links the full newlib: printf formats
    %lld, %llu, %f, %g and %e (newlib-nano prints "ld" and nothing for them)."""
    m = kdriver
    aid = run(m, "fullc")
    m.expect_line(re.escape("fullc: 123456789012 18446744073709551615 833.333 2500 5.000000e-01"))
    m.expect_line("fullc: ok")
    expect_end(m, "fullc", aid, 0)
