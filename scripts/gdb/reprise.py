"""gdb commands for Reprise (sourced by scripts/gdbinit): `actors` lists the live actors from
the kernel's table, `actor NAME|AID` loads an actor's symbols and makes breakpoints stop only
while that actor runs. Needs the kernel's symbols (the ELF gdb was started with)."""
import os

import gdb

STATES = {1: "ready", 2: "blocked", 3: "ended"}


def _kread(addr, size):
    """Reads kernel memory. The kernel maps RAM at VA == PA for PL1 only, so while an actor
    runs in user mode QEMU's stub cannot read it through the MMU: the read is physical."""
    gdb.execute("maintenance packet Qqemu.PhyMemMode:1", to_string=True)
    try:
        return bytes(gdb.selected_inferior().read_memory(addr, size))
    finally:
        gdb.execute("maintenance packet Qqemu.PhyMemMode:0", to_string=True)


def _u32(data, off):
    return int.from_bytes(data[off:off + 4], "little")


def _field(name):
    """Offset of a member of struct actor."""
    return int(gdb.parse_and_eval(f"(unsigned)&((struct actor *)0)->{name}"))


def _actors():
    """(slot, aid, name, state, prio, group, address) of every used slot of the kernel's
    actor table."""
    base = int(gdb.parse_and_eval("(unsigned)&actors[0]"))
    size = int(gdb.parse_and_eval("sizeof(actors[0])"))
    count = int(gdb.parse_and_eval("sizeof(actors) / sizeof(actors[0])"))
    off = {f: _field(f) for f in ("aid", "state", "prio", "name", "group")}
    found = []
    for slot in range(1, count):
        a = _kread(base + slot * size, size)
        state = a[off["state"]]
        if state:
            name = a[off["name"]:off["name"] + 16].split(b"\0")[0].decode(errors="replace")
            found.append((slot, _u32(a, off["aid"]), name, STATES.get(state, str(state)),
                          a[off["prio"]], _u32(a, off["group"]), base + slot * size))
    return found


def _running():
    """The address of the running actor's struct actor (0: none)."""
    return _u32(_kread(int(gdb.parse_and_eval("(unsigned)&sched_current")), 4), 0)


class ActorIs(gdb.Function):
    """$_actor_is("NAME"): 1 while an actor of image NAME runs (the breakpoint condition
    `actor NAME` sets)."""

    def __init__(self):
        super().__init__("_actor_is")

    def invoke(self, name):
        a = _running()
        if not a:
            return 0
        got = _kread(a + _field("name"), 16).split(b"\0")[0].decode(errors="replace")
        return int(got == name.string())


def _build_dir():
    """build/<board>/, where the kernel ELF gdb was started with lives."""
    kernel = gdb.current_progspace().filename or ""
    return os.path.dirname(os.path.dirname(kernel)) if "/images/" in kernel \
        else os.path.dirname(kernel)


def _actor_elf(name):
    """The actor ELF with full symbols for image `name` (apps/ or the test actors)."""
    for sub in ("apps", "actors"):
        path = os.path.join(_build_dir(), sub, name + ".elf")
        if os.path.isfile(path):
            return path
    raise gdb.GdbError(f"no ELF for actor {name} under {_build_dir()}/apps or /actors")


class Actors(gdb.Command):
    """actors: the live actors, read from the kernel's table (slot = ASID, aid, name, state,
    priority, restart group)."""

    def __init__(self):
        super().__init__("actors", gdb.COMMAND_USER)

    def invoke(self, arg, from_tty):
        current = _running()
        gdb.write(f"{'slot':>4} {'aid':>8} {'name':<15} {'state':<8} {'prio':>4} {'group':>5}\n")
        for slot, aid, name, state, prio, group, addr in _actors():
            mark = " <- running" if current == addr else ""
            gdb.write(f"{slot:>4} {aid:>8} {name:<15} {state:<8} {prio:>4} {group:>5}{mark}\n")


class Actor(gdb.Command):
    """actor NAME|AID: load that actor's symbols (build/<board>/apps or actors/NAME.elf) and
    make every breakpoint set from now on stop only while an actor of that image runs (the
    condition names the image, so it holds across the actor's restarts). `actor` alone says
    which actor breakpoints are tied to; `actor -` unties new ones."""

    def __init__(self):
        super().__init__("actor", gdb.COMMAND_USER)
        self.name = None
        gdb.events.breakpoint_created.connect(self._tie)

    def _tie(self, bp):
        if self.name and bp.type == gdb.BP_BREAKPOINT and not bp.condition:
            bp.condition = f'$_actor_is("{self.name}")'

    def invoke(self, arg, from_tty):
        arg = arg.strip()
        if not arg:
            gdb.write(f"breakpoints stop in: {self.name or 'any actor'}\n")
            return
        if arg == "-":
            self.name = None
            return
        name = arg
        if arg.isdigit():
            match = [a for a in _actors() if a[1] == int(arg)]
            if not match:
                raise gdb.GdbError(f"no live actor with aid {arg} (see `actors`)")
            name = match[0][2]
        elf = _actor_elf(name)
        gdb.execute(f"add-symbol-file {elf}", to_string=True)
        self.name = name
        gdb.write(f"symbols of {name} from {elf}; new breakpoints stop only in {name}\n")


ActorIs()
Actors()
Actor()
