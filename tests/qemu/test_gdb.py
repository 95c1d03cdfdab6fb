"""gdb on a running Reprise, as a user debugs it: scripts/gdb/reprise.py's `actors` and
`actor NAME` (a breakpoint on main stops in that actor, not in PMM, HR or C_INIT, whose main
is at the same address), and kernel backtraces that end at the exception entry.

Each scenario boots the default image paused with QEMU's gdb stub on a local TCP port and
runs gdb-multiarch in batch mode on the kernel ELF."""
import re
import socket
import subprocess

from reprise import ROOT

GDB_TIMEOUT = 120           # seconds; a hang detector for one gdb batch run


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gdb_batch(m, *commands: str) -> str:
    """Runs gdb-multiarch in batch mode against machine m's stub; returns its output."""
    args = ["gdb-multiarch", "-batch", "-nx", "-ex", "set architecture armv7",
            "-ex", "set pagination off", "-ex", f"source {ROOT / 'scripts/gdb/reprise.py'}",
            "-ex", f"target remote 127.0.0.1:{m.gdb_port}"]
    for c in commands:
        args += ["-ex", c]
    done = subprocess.run(args + [str(m.kernel)], capture_output=True, text=True,
                          timeout=GDB_TIMEOUT, cwd=ROOT)
    return done.stdout + done.stderr


def boot_paused(boot, board):
    return boot(board.image("default"), gdb_port=free_port(), paused=True)


def test_break_main_stops_in_the_named_actor(boot, board):
    """`actor hello` then `break main`: the first stop is in hello's main (PMM, HR and
    C_INIT start first and run a main at the same address), a local can be printed, and
    `actors` lists the live actors with hello running."""
    m = boot_paused(boot, board)
    out = gdb_batch(m, "actor hello", "break main", "continue",
                    "print $_actor_is(\"hello\")", "info locals",
                    "actors", "bt 3")
    assert "new breakpoints stop only in hello" in out, out
    assert re.search(r"Breakpoint 1, main \(\) at apps/hello/hello\.c:\d+", out), out
    assert re.search(r"^\$1 = 1$", out, re.MULTILINE), out
    assert re.search(r"^any = ", out, re.MULTILINE), out         # a local of hello's main
    assert re.search(r"^ +\d+ +\d+ hello +ready .*<- running$", out, re.MULTILINE), out
    for name in ("pmm", "hr", "cinit"):
        assert re.search(rf"^ +\d+ +\d+ {name} ", out, re.MULTILINE), out


def test_kernel_backtrace_ends_at_the_exception_entry(boot, board):
    """A breakpoint in a system call's handler: the backtrace goes back to the SVC vector
    and stops there (entry.S describes each vector as an outermost frame)."""
    m = boot_paused(boot, board)
    out = gdb_batch(m, "break sysmem_rgn_allocate", "continue", "bt")
    frames = re.findall(r"^#(\d+) +(?:0x[0-9a-f]+ in )?(\w+)", out, re.MULTILINE)
    names = [f[1] for f in frames]
    assert names[:2] == ["sysmem_rgn_allocate", "trap_svc"], out
    assert names[-1] in ("vec_svc", "trap_return"), out
    assert len(names) <= 4 and "corrupt stack" not in out and "identical" not in out, out
