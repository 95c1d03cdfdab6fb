"""Kernel-core scenarios on the kcore image: faults stop only the faulting actor, address
spaces are isolated, bad system call arguments are refused, create/exit and create/fault
cycles keep every page, IPC survives a peer dying mid-call.

The image boots kdriver (tests/actors/kdriver), a console shell that echoes what is typed:
`run IMAGE ARGS` starts an actor and waits for its end, `start IMAGE ARGS` only starts it,
`cycles N IMAGE ARGS` runs it N times, `kill AID`, `mem`. With no fault port (no HR in this
image) the kernel deletes a faulting actor and prints the decoded fault."""
import re

import pytest

K_EPRIV = -6
K_EDEAD = -10
TEXT_VADDR = 0x00010000             # ACTOR_IMAGE_VADDR: actor text starts here
STACK_LOW = 0x3ffe0000              # ACTOR_STACK_LOW_VADDR .. ACTOR_STACK_TOP_VADDR: the stack
STACK_TOP = 0x3fff0000
GUARD_PAGE = STACK_LOW - 0x1000     # the unmapped page under the stack
HEX = r"0x[0-9a-f]{8}"


class KDriver:
    """The kdriver shell on machine m's console. Lines an actor prints may come before the
    shell's own "started" line (the new actor can run first), or after the next prompt, so
    after each command the search for what follows starts again just after the command's
    prompt, and prompts are looked for apart from the other lines. Lines other actors
    print while a command is typed could split its echo: scenarios wait for them first."""

    def __init__(self, m):
        self.m = m
        m.expect_line(r"kdriver: ready, \d+ free pages")
        self.prompt_pos = m.pos     # where to look for the next prompt

    def type(self, command: str) -> None:
        """Waits for the next prompt (other actors' lines may have followed it), then types
        command and Enter. kdriver echoes it, but other actors' lines may split the echo,
        so what follows is searched from the prompt on."""
        self.m.pos = self.prompt_pos
        self.m.expect(r"kdriver> ")
        self.prompt_pos = self.m.pos
        self.m.sendline(command)

    def line(self, pattern: str, timeout: float | None = None) -> re.Match:
        """The next whole line matching pattern (which may follow the prompt)."""
        __tracebackhide__ = True
        return self.m.expect(rf"^(?:kdriver> )?(?:{pattern})\n", timeout)

    def lines(self, *patterns: str) -> list[re.Match]:
        """Lines that different actors print, so in any order."""
        __tracebackhide__ = True
        start = end = self.m.pos
        found = []
        for pattern in patterns:
            self.m.pos = start
            found.append(self.line(pattern))
            end = max(end, self.m.pos)
        self.m.pos = end
        return found

    def command(self, command: str, reply: str) -> re.Match:
        """Types command and waits for kdriver's reply line; what other actors print may
        come before or after it, so later searches start from the prompt again."""
        __tracebackhide__ = True
        self.type(command)
        mark = self.m.pos
        m = self.line(reply)
        self.m.pos = mark
        return m

    def start(self, args: str) -> int:
        """`start IMAGE ARGS`: the new actor's aid."""
        image = args.split()[0]
        return int(self.command(f"start {args}", rf"kdriver: started {image} as aid (\d+)")[1])

    def run(self, args: str) -> int:
        """`run IMAGE ARGS`: the actor's aid (then expect its lines and `ended(IMAGE)`)."""
        image = args.split()[0]
        return int(self.command(f"run {args}", rf"kdriver: started {image} as aid (\d+)")[1])

    def ended(self, image: str) -> None:
        self.line(f"kdriver: {image} ended")

    def kill(self, aid: int) -> None:
        self.command(f"kill {aid}", rf"kdriver: kill {aid}: 0")

    def free_pages(self) -> int:
        self.type("mem")
        return int(self.line(r"kdriver: (\d+) free pages")[1])


@pytest.fixture
def kdriver(boot, board):
    """A new machine booted on the kcore image, at kdriver's first prompt."""
    return KDriver(boot(board.image("kcore")))


def kernel_line(aid: int, fault: str) -> str:
    """The kernel's line for an actor it deleted after a fault (fault is a regex)."""
    return rf"kernel: kfaults \(aid {aid}\) {fault}; actor deleted"


# kfaults kind -> decoded fault, as a function of the address kfaults says it will touch
# (a regex; the pc of a data abort is somewhere in kfaults' text).
FAULTS = {
    "read-unmapped": lambda a: rf"data abort pc=({HEX}) addr={a} read, translation fault",
    "write-unmapped": lambda a: rf"data abort pc=({HEX}) addr={a} write, translation fault",
    "null": lambda a: rf"data abort pc=({HEX}) addr={a} read, translation fault",
    "write-text": lambda a: rf"data abort pc=({HEX}) addr={a} write, permission fault",
    "exec-stack": lambda a: rf"prefetch abort pc={a} addr={a} execute, permission fault",
    "kernel-read": lambda a: rf"data abort pc=({HEX}) addr={a} read, permission fault, kernel address",
    "kernel-write": lambda a: rf"data abort pc=({HEX}) addr={a} write, permission fault, kernel address",
    "device": lambda a: rf"data abort pc=({HEX}) addr={a} write, permission fault, kernel address",
    "undef": lambda a: rf"undefined instruction pc={a}",
    "stack-overflow": lambda a: rf"data abort pc=({HEX}) addr=(0x3ffdf[0-9a-f]{{3}}) write, "
                                rf"translation fault, stack guard page",
    "reserved": lambda a: rf"data abort pc=({HEX}) addr={a} write, translation fault, reserved region",
}
# Where each kind must touch (the others: what kfaults announces, checked below).
FAULT_ADDRESSES = {
    "read-unmapped": 0x20000000, "write-unmapped": 0x20000000, "null": 0,
    "kernel-read": 0x40010000, "kernel-write": 0x4fc00000, "device": 0xf9000000,
    "stack-overflow": GUARD_PAGE, "reserved": 0x10000000,
}


@pytest.mark.parametrize("kind", list(FAULTS))
def test_fault_stops_only_that_actor(kdriver, kind):
    """kfaults commits one fault: the kernel prints it decoded and deletes that actor only
    (a bystander keeps its memory and answers afterwards), takes back all its pages, and
    the next actor runs normally."""
    k = kdriver
    free = k.free_pages()
    bystander = k.start("isolate set 5")
    at, port = k.line(r"isolate: set 5 at (0x[0-9a-f]+), port (\d+)").groups()

    aid = k.run(f"kfaults {kind}")
    addr = k.line(rf"kfaults: {kind} about to fault at ({HEX})")[1]
    if kind in FAULT_ADDRESSES:
        assert int(addr, 16) == FAULT_ADDRESSES[kind]
    fault = k.line(kernel_line(aid, FAULTS[kind](addr)))
    k.ended("kfaults")
    assert f"kfaults: {kind} SURVIVED" not in k.m.text
    if kind not in ("exec-stack", "undef"):
        assert TEXT_VADDR <= int(fault[1], 16) < 0x00100000, "the pc is in kfaults' text"
    if kind in ("write-text", "undef"):
        assert TEXT_VADDR <= int(addr, 16) < 0x00100000, "the target is in kfaults' text"
    if kind == "exec-stack":
        assert STACK_LOW <= int(addr, 16) < STACK_TOP, "the target is on kfaults' stack"

    k.run("kfaults ok")
    k.line("kfaults: ok, alive")
    k.line(r"kernel: kfaults \(aid \d+\) exited with status 0")
    k.ended("kfaults")

    k.run(f"isolate show {port}")
    k.line(f"isolate: still 5 at {at}")
    k.lines(rf"kernel: isolate \(aid {bystander}\) exited with status 0", "kdriver: isolate ended")
    assert k.free_pages() == free


def test_actors_cannot_reach_each_others_memory(kdriver):
    """Two instances of isolate have the same global at the same address: what one writes
    the other never sees, and the kernel will not map or unmap pages of one for the other."""
    k = kdriver
    holder = k.start("isolate set 1234")
    m = k.line(r"isolate: set 1234 at (0x[0-9a-f]+), port (\d+)")
    addr, port = m[1], m[2]

    k.run("isolate show")
    k.line(f"isolate: show 7 at {addr}")
    k.line(f"isolate: wrote 99 at {addr}")
    k.ended("isolate")

    k.run(f"isolate show {port} {holder}")
    k.line(f"isolate: show 7 at {addr}")
    k.line(f"isolate: wrote 99 at {addr}")
    k.line(f"isolate: rgnAllocate in aid {holder}: {K_EPRIV}")
    k.line(f"isolate: rgnFree in aid {holder}: {K_EPRIV}")
    k.line(f"isolate: still 1234 at {addr}")
    k.line(r"isolate: set says 1234 \(status 0\); mine is 99")
    k.ended("isolate")


def test_thread_register_is_per_actor(kdriver):
    """TPIDRURW, which user code may write, belongs to the actor: a new actor finds it zero,
    whatever the previous one left in it."""
    k = kdriver
    k.run("kfaults tls 0xdeadbeef")
    k.line("kfaults: tls found 0x00000000, left 0xdeadbeef")
    k.ended("kfaults")
    k.run("kfaults tls 0x12345678")
    k.line("kfaults: tls found 0x00000000, left 0x12345678")
    k.ended("kfaults")


def test_bad_system_call_arguments(kdriver):
    """sysbad passes bad pointers (NULL, kernel, unmapped, guard page, reserved region,
    read-only for outputs) and bad values to every system call: each returns its error,
    and the kernel goes on as before."""
    k = kdriver
    free = k.free_pages()
    k.run("sysbad")
    checks = int(k.line(r"sysbad: (\d+) checks, 0 failed")[1])
    k.line(r"kernel: sysbad \(aid \d+\) exited with status 0")
    k.ended("sysbad")
    assert checks > 150
    assert "sysbad: FAIL" not in k.m.text

    k.run("kfaults ok")
    k.line("kfaults: ok, alive")
    k.ended("kfaults")
    assert k.free_pages() == free


@pytest.mark.parametrize("actor", ["nop", "kfaults null"], ids=["create-exit", "create-fault"])
def test_thousand_cycles_keep_every_page(kdriver, actor):
    """1,000 actors created one after the other, each ending (exit, or a fault that the
    kernel answers by deleting it): the free page count ends where it started."""
    k = kdriver
    image = actor.split()[0]
    k.type(f"cycles 1000 {actor}")
    m = k.line(rf"kdriver: 1000 cycles of {image}, 0 failed, free pages before (\d+) after (\d+)")
    assert m[1] == m[2]


def test_ipc_echo(kdriver):
    """A call carries four words and a buffer; the reply brings them back changed."""
    k = kdriver
    k.start("ipcsrv")
    port = k.line(r"ipcsrv: port (\d+)")[1]
    k.run("ipccli echo hello")
    k.line(f"ipccli: server port {port}")
    k.line(r"ipccli: echo status 0 words 2 11 21 31 bytes 5 'HELLO'")
    k.ended("ipccli")


def test_ipc_fast_path(kdriver):
    """Calls of four words and no buffer to a server answering with SYS_IPC_REPLY_RECV and no
    buffer either (the fast path both ways): every reply is right, a call with a buffer after
    them still works, and no other actor may receive on the server's port."""
    k = kdriver
    k.start("ipcsrv")
    k.line(r"ipcsrv: port \d+")
    k.run("ipccli fast 500")
    k.line(r"ipccli: 500 fast calls, 0 wrong")
    k.ended("ipccli")
    k.run("ipccli echo after")
    k.line(r"ipccli: echo status 0 words 2 11 21 31 bytes 5 'AFTER'")
    k.ended("ipccli")
    k.run("ipccli steal")
    k.line(f"ipccli: reply-and-receive on the server's port returned {K_EPRIV}")
    k.ended("ipccli")


def test_ipc_server_dies_mid_call(kdriver):
    """The server exits while it owes a reply: the caller gets K_EDEAD, and so does any
    later call to that port id, even once a new server owns the well-known port."""
    k = kdriver
    server = k.start("ipcsrv")
    port = k.line(r"ipcsrv: port (\d+)")[1]

    client = k.run("ipccli die")
    k.line(f"ipcsrv: dying in the middle of a call from aid {client}")
    k.line(rf"kernel: ipcsrv \(aid {server}\) exited with status 0")
    k.line(f"ipccli: call to a server that died returned {K_EDEAD}")
    k.ended("ipccli")

    k.run(f"ipccli stale {port}")
    k.line(f"ipccli: call to old port {port} returned {K_EDEAD}")
    k.ended("ipccli")

    k.start("ipcsrv")
    new_port = k.line(r"ipcsrv: port (\d+)")[1]
    assert new_port != port
    k.run(f"ipccli stale {port}")
    k.line(f"ipccli: call to old port {port} returned {K_EDEAD}")
    k.ended("ipccli")
    k.run("ipccli echo again")
    k.line(f"ipccli: server port {new_port}")
    k.line(r"ipccli: echo status 0 words 2 11 21 31 bytes 5 'AGAIN'")
    k.ended("ipccli")


def test_ipc_caller_killed_mid_call(kdriver):
    """The caller is killed while the server holds its call: the server's late reply
    fails with K_EDEAD, and the server goes on serving."""
    k = kdriver
    k.start("ipcsrv")
    k.line(r"ipcsrv: port \d+")
    client = k.start("ipccli slow")
    k.line("ipccli: waiting for a slow reply")
    k.line(f"ipcsrv: holding the call from aid {client}")

    k.kill(client)
    k.run("ipccli release")
    k.line(f"ipcsrv: reply to aid {client} failed: {K_EDEAD}")
    k.line(f"ipccli: release status 0, held reply {K_EDEAD}")
    k.ended("ipccli")

    k.run("ipccli echo still")
    k.line(r"ipccli: echo status 0 words 2 11 21 31 bytes 5 'STILL'")
    k.ended("ipccli")


def test_ipc_server_killed_mid_call(kdriver):
    """The server is killed while it holds a call: the caller wakes with K_EDEAD."""
    k = kdriver
    server = k.start("ipcsrv")
    k.line(r"ipcsrv: port \d+")
    client = k.start("ipccli slow")
    k.line(f"ipcsrv: holding the call from aid {client}")

    k.kill(server)
    k.line(f"ipccli: slow reply {K_EDEAD}")
    k.line(rf"kernel: ipccli \(aid {client}\) exited with status 0")
