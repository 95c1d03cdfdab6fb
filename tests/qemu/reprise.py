"""QEMU scenario harness: boots a Reprise kernel ELF, reads its serial console, drives QMP."""
from __future__ import annotations

import json
import os
import re
import select
import shlex
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time
from pathlib import Path

import pexpect

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_TIMEOUT = 30.0      # seconds; a hang detector only, never a performance check
ICOUNT_EXACT = "shift=0,align=off,sleep=off"    # 1 guest instruction = 1 ns (QEMU-NOTES.md)


class HarnessError(Exception):
    """The harness could not do what a scenario asked (QEMU missing, QMP error...)."""


class ConsoleError(AssertionError):
    """An expected console output did not come; the message carries the whole console log."""


class QMPError(HarnessError):
    """QMP answered a command with an error."""


def make_vars(path: Path, raw: dict[str, str] | None = None) -> dict[str, str]:
    """Reads the simple `NAME := value` assignments of a board.mk (a line may go on after a
    backslash; `?=` sets only what is unset; `include FILE`, from the top of the tree, reads
    FILE there: a variant board includes its base), expanding $(NAME)."""
    raw = {} if raw is None else raw
    assign = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(:=|\?=|=)\s*(.*?)\s*$")
    for line in path.read_text().replace("\\\n", " ").splitlines():   # continued lines
        line = line.split("#", 1)[0]
        inc = re.match(r"^include\s+(\S+)\s*$", line)
        if inc:
            make_vars(ROOT / inc.group(1), raw)
            continue
        m = assign.match(line)
        if m and (m.group(2) != "?=" or m.group(1) not in raw):
            raw[m.group(1)] = m.group(3)

    def expand(value: str, depth: int = 0) -> str:
        if depth > 16:
            raise HarnessError(f"{path}: recursive variable in {value!r}")
        return re.sub(r"\$[({]([A-Za-z_][A-Za-z0-9_]*)[)}]",
                      lambda m: expand(raw.get(m.group(1), os.environ.get(m.group(1), "")),
                                       depth + 1), value)

    return {name: expand(value) for name, value in raw.items()}


class Board:
    """What a board folder says about starting QEMU: the binary and QEMU_BOARD_FLAGS."""

    def __init__(self, name: str = "virt"):
        self.name = name
        self.dir = ROOT / "boards" / name
        mk = self.dir / "board.mk"
        if not mk.is_file():
            raise HarnessError(f"no board '{name}': {mk} does not exist")
        self.vars = make_vars(mk)
        self.qemu = self.vars.get("QEMU", "qemu-system-arm")
        self.qemu_flags = shlex.split(self.vars.get("QEMU_BOARD_FLAGS", ""))
        self.build_dir = ROOT / "build" / name
        self.kernel = self.build_dir / "reprise.elf"
        self.images_dir = self.build_dir / "images"
        self.log_dir = self.build_dir / "test-logs"

    def image(self, name: str) -> Path:
        """Path of a later image, build/<board>/images/<name>.elf."""
        return self.images_dir / (name if name.endswith(".elf") else name + ".elf")


def elf_symbol(elf: str | Path, name: str) -> int:
    """The address of a symbol of an ELF file (a kernel or an actor), from nm."""
    out = subprocess.run(["arm-none-eabi-nm", str(elf)], check=True, capture_output=True,
                         text=True).stdout
    for line in out.splitlines():
        fields = line.split()
        if len(fields) == 3 and fields[2] == name:
            return int(fields[0], 16)
    raise HarnessError(f"{elf}: no symbol {name}")


def kernel_current_actor(kernel: str | Path) -> tuple[int, int]:
    """Where a kernel keeps its running actor (&sched_current), and the offset of an actor's
    name in struct actor, from the kernel's debug information."""
    out = subprocess.run(["gdb-multiarch", "-batch", "-ex", "print/d (int)&sched_current",
                          "-ex", "print/d (int)&((struct actor *)0)->name", str(kernel)],
                         check=True, capture_output=True, text=True).stdout
    values = re.findall(r"^\$\d+ = (-?\d+)$", out, re.MULTILINE)
    if len(values) != 2:
        raise HarnessError(f"{kernel}: cannot find sched_current and struct actor: {out}")
    return int(values[0]) & 0xffffffff, int(values[1])


class QMP:
    """A QMP connection: commands with their answers, events kept in order as they come."""

    def __init__(self, conn: socket.socket):
        self.sock = conn
        self.buf = b""
        self.events: list[dict] = []
        self.greeting = self._read(DEFAULT_TIMEOUT)
        if "QMP" not in self.greeting:
            raise HarnessError(f"not a QMP greeting: {self.greeting}")
        self.command("qmp_capabilities")

    def _read(self, timeout: float) -> dict:
        """Reads one JSON message; raises TimeoutError when none comes in time."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.sock], [], [], left)[0]:
                raise TimeoutError(f"no QMP message within {timeout} s")
            chunk = self.sock.recv(65536)
            if not chunk:
                raise HarnessError("QMP connection closed by QEMU")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def command(self, name: str, timeout: float = DEFAULT_TIMEOUT, **arguments):
        """Runs a QMP command; returns its "return" value or raises QMPError."""
        msg = {"execute": name}
        if arguments:
            msg["arguments"] = arguments
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            reply = self._read(timeout)
            if "event" in reply:
                self.events.append(reply)
            elif "error" in reply:
                raise QMPError(f"{name}: {reply['error'].get('desc', reply['error'])}")
            elif "return" in reply:
                return reply["return"]

    def wait_event(self, name: str, timeout: float = DEFAULT_TIMEOUT) -> dict:
        """Returns (and consumes) the first event called name, waiting for it if needed."""
        deadline = time.monotonic() + timeout
        while True:
            for i, ev in enumerate(self.events):
                if ev["event"] == name:
                    return self.events.pop(i)
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no QMP event {name} within {timeout} s")
            try:
                reply = self._read(left)
            except TimeoutError:
                continue
            if "event" in reply:
                self.events.append(reply)

    def poll_events(self) -> list[dict]:
        """Collects the events QEMU has sent so far, without waiting; returns all kept."""
        while True:
            try:
                reply = self._read(0)
            except TimeoutError:
                return self.events
            if "event" in reply:
                self.events.append(reply)

    def close(self) -> None:
        self.sock.close()


class GDBStub:
    """Just enough of the gdb remote protocol to write guest physical memory. Connecting
    stops the guest; detach() lets it run on from where it was."""

    CHUNK = 1024        # bytes per M packet; QEMU takes packets up to 4 KiB

    def __init__(self, path: str, timeout: float):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buf = b""
        if self.request("Qqemu.PhyMemMode:1") != "OK":      # memory addresses are physical
            raise HarnessError("gdb stub: no physical memory mode")

    def _byte(self) -> int:
        if not self.buf:
            self.buf = self.sock.recv(4096)
            if not self.buf:
                raise HarnessError("gdb stub closed the connection")
        b, self.buf = self.buf[0], self.buf[1:]
        return b

    def _packet(self) -> str:
        """Reads one packet (skipping '+' acknowledgements), acknowledges it, returns it."""
        while self._byte() != ord("$"):
            pass
        payload = bytearray()
        while (b := self._byte()) != ord("#"):
            payload.append(b)
        self._byte(), self._byte()                  # checksum: the socket is reliable
        self.sock.sendall(b"+")
        return payload.decode()

    def request(self, data: str) -> str:
        """Sends one packet and returns the reply's payload. Stop replies ("T02...": QEMU
        sends one on its own when a client connects and stops the guest) are skipped: none
        of the requests made here answers with one."""
        self.sock.sendall(f"${data}#{sum(data.encode()) % 256:02x}".encode())
        while (reply := self._packet())[:1] in ("T", "S"):
            pass
        return reply

    def read(self, paddr: int, size: int) -> bytes:
        reply = self.request(f"m{paddr:x},{size:x}")
        if len(reply) != 2 * size:
            raise HarnessError(f"gdb stub: read at {paddr:#x} failed: {reply}")
        return bytes.fromhex(reply)

    def breakpoint(self, vaddr: int, insert: bool = True) -> None:
        """Inserts (or removes) a breakpoint at a virtual pc, whatever address space runs."""
        reply = self.request(f"{'Z' if insert else 'z'}0,{vaddr & ~1:x},{2 if vaddr & 1 else 4}")
        if reply != "OK":
            raise HarnessError(f"gdb stub: breakpoint at {vaddr:#x}: {reply}")

    def resume(self) -> None:
        """Lets the guest run on; a later stop() returns when it stops again."""
        self.sock.sendall(b"$c#63")

    def step(self, timeout: float) -> None:
        """Executes one instruction and stops again (QEMU's stub reports a breakpoint again
        at once on a plain continue from it: stepping off it first lets the guest move on)."""
        self.sock.sendall(b"$s#73")
        if not self.stopped(timeout):
            raise HarnessError("gdb stub: no stop after a single step")

    def stopped(self, timeout: float) -> bool:
        """Waits up to timeout for the stop reply that follows resume(); False if none came
        (acknowledgements and partial packets stay buffered for the next call)."""
        deadline = time.monotonic() + timeout
        while True:
            start = self.buf.find(b"$")
            if start >= 0 and len(self.buf) >= self.buf.find(b"#", start) + 3 > start + 2:
                if self._packet()[:1] in ("T", "S"):
                    return True
                continue
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.sock], [], [], left)[0]:
                return False
            chunk = self.sock.recv(4096)
            if not chunk:
                raise HarnessError("gdb stub closed the connection")
            self.buf += chunk

    def interrupt(self) -> None:
        """Stops a running guest (Ctrl-C) and takes the stop reply."""
        self.sock.sendall(b"\x03")
        while self._packet()[:1] not in ("T", "S"):
            pass

    def write(self, paddr: int, data: bytes) -> None:
        for off in range(0, len(data), self.CHUNK):
            part = data[off:off + self.CHUNK]
            reply = self.request(f"M{paddr + off:x},{len(part):x}:{part.hex()}")
            if reply != "OK":
                raise HarnessError(f"gdb stub: write at {paddr + off:#x} failed: {reply}")

    def detach(self) -> None:
        self.request("D")
        self.sock.close()


def blank_nvram(path: str | Path, board: str | Board = "virt") -> Path:
    """Writes a blank NVRAM flash file (all 0xff, the board's size) at path; returns it."""
    board = board if isinstance(board, Board) else Board(board)
    path = Path(path)
    path.write_bytes(b"\xff" * int(board.vars["BOARD_NVRAM_BYTES"]))
    return path


class Machine:
    """One QEMU machine of a board running a kernel ELF, with its console and QMP.

    Power-on is a new QEMU process (RAM is lost); reset() keeps RAM (a warm reset).
    The console is read in order: each expect() starts where the previous match ended.
    """

    def __init__(self, board: str | Board = "virt", kernel: str | Path | None = None, *,
                 selftest: str | None = None, fw_cfg: dict[str, str] | None = None,
                 icount: bool | str = False, extra_args: list[str] | tuple = (),
                 log_path: str | Path | None = None, name: str = "machine",
                 timeout: float = DEFAULT_TIMEOUT, gdb_port: int | None = None,
                 nvram: str | Path | None = None):
        self.board = board if isinstance(board, Board) else Board(board)
        self.kernel = Path(kernel) if kernel else self.board.kernel
        if not self.kernel.is_absolute():
            self.kernel = ROOT / self.kernel
        self.fw_cfg = dict(fw_cfg or {})
        if selftest:
            self.fw_cfg["opt/reprise/selftest"] = selftest
        self.icount = ICOUNT_EXACT if icount is True else (icount or None)
        self.extra_args = list(extra_args)
        self.log_path = Path(log_path) if log_path else None
        self.name = name
        self.timeout = timeout
        self.gdb_port = gdb_port    # gdb's stub on this local TCP port instead of a socket file
        # The NVRAM flash file (blank_nvram makes one); None: QEMU's flash of zeros, not kept.
        self.nvram = Path(nvram) if nvram else None
        self.proc: pexpect.spawn | None = None
        self.qmp_conn: QMP | None = None
        self.tmpdir: str | None = None
        self.text = ""          # console of the current QEMU process, '\r' removed
        self.pos = 0            # where the next expect() starts searching
        self.powerons = 0
        self._log = None
        self._stub: GDBStub | None = None       # attached while stop_at() holds the guest
        self._at_breakpoint = False             # the guest stopped on a stop_at() breakpoint
        self._current: tuple[int, int] | None = None

    # ---- lifecycle --------------------------------------------------------------------

    def command_line(self, qmp_path: str) -> list[str]:
        """The QEMU command: board flags, kernel, QMP, gdb stub, fw_cfg files, icount, extras."""
        gdb_path = os.path.join(os.path.dirname(qmp_path), "gdb.sock")
        # -S: the guest waits until QMP is ready (start() sends "cont"), so that no event
        # of its first instants (a reset right after boot) comes before QMP listens.
        args = [self.board.qemu, *self.board.qemu_flags, "-monitor", "none", "-S",
                "-kernel", str(self.kernel), "-qmp", f"unix:{qmp_path}",
                "-gdb", f"tcp:127.0.0.1:{self.gdb_port}" if self.gdb_port
                else f"unix:{gdb_path},server=on,wait=off"]
        for key, value in self.fw_cfg.items():
            args += ["-fw_cfg", f"name={key},string={value}"]
        if self.icount:
            args += ["-icount", self.icount]
        if self.nvram:
            args += ["-drive", f"if=pflash,format=raw,unit=1,file={self.nvram}"]
        return args + self.extra_args

    def start(self, paused: bool = False) -> "Machine":
        """Powers on: starts a new QEMU process (zeroed RAM) and connects QMP. paused: the
        guest waits before its first instruction (reset_at or a QMP "cont" starts it)."""
        if self.proc is not None:
            raise HarnessError("machine already running; use power_cycle()")
        if not self.kernel.is_file():
            raise HarnessError(f"kernel image {self.kernel} does not exist (run make first)")
        if shutil.which(self.board.qemu) is None:
            raise HarnessError(f"{self.board.qemu} not found (run scripts/setup)")
        self.tmpdir = tempfile.mkdtemp(prefix="reprise-qemu-")
        qmp_path = os.path.join(self.tmpdir, "qmp.sock")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(qmp_path)
        listener.listen(1)
        args = self.command_line(qmp_path)
        self.powerons += 1
        self.text, self.pos = "", 0
        self._open_log(args)
        self.proc = pexpect.spawn(args[0], args[1:], encoding="utf-8", codec_errors="replace",
                                  echo=False, timeout=self.timeout, cwd=str(ROOT))
        # QEMU connects to our socket while it starts up; the wait ends early if QEMU exits.
        try:
            conn = self._accept_qmp(listener, args)
        finally:
            listener.close()
        self.qmp_conn = QMP(conn)
        if not paused:
            self.qmp_conn.command("cont")
        return self

    def _accept_qmp(self, listener: socket.socket, args: list[str]) -> socket.socket:
        """Waits for QEMU's QMP connection; on failure kills QEMU and raises with its output."""
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if select.select([listener], [], [], 0.2)[0]:
                return listener.accept()[0]
            if not self.proc.isalive():
                break
        self.kill()
        raise HarnessError(f"QEMU did not start (no QMP connection):\n"
                           f"{' '.join(map(shlex.quote, args))}\n{self.text}")

    def kill(self) -> None:
        """Ends QEMU by its pid (SIGKILL), keeping what it printed; safe to call twice."""
        if self._stub is not None:
            self._stub.sock.close()
            self._stub = None
        if self.proc is not None:
            self._drain()
            try:
                os.kill(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait()
            except pexpect.ExceptionPexpect:
                pass
            self.proc.close(force=True)
            self.proc = None
        if self.qmp_conn is not None:
            self.qmp_conn.close()
            self.qmp_conn = None
        if self.tmpdir:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
            self.tmpdir = None
        if self._log:
            self._log.close()
            self._log = None

    def power_cut(self) -> None:
        """Pulls the power: SIGKILL to QEMU at once, then keeps what it printed before dying
        (its flash file keeps every program and erase it finished)."""
        if self.proc is not None:
            try:
                os.kill(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.kill()

    def power_cycle(self) -> "Machine":
        """Power off and on: kills this QEMU and starts a new process (RAM is lost)."""
        self.kill()
        return self.start()

    def quit(self) -> None:
        """Asks QEMU to exit through QMP and waits for the process to end."""
        try:
            self.qmp("quit")
        except (HarnessError, OSError):
            pass
        if self.proc is not None:
            self.expect_exit()
        self.kill()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.isalive()

    def __enter__(self) -> "Machine":
        return self if self.proc else self.start()

    def __exit__(self, *exc) -> None:
        self.kill()

    # ---- console ----------------------------------------------------------------------

    def _open_log(self, args: list[str]) -> None:
        if not self.log_path:
            return
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "a", encoding="utf-8")
        self._log.write(f"==== {self.name} power-on {self.powerons}: "
                        f"{' '.join(map(shlex.quote, args))}\n")
        self._log.flush()

    def _append(self, chunk: str) -> None:
        chunk = chunk.replace("\r", "")
        self.text += chunk
        if self._log:
            self._log.write(chunk)
            self._log.flush()

    def _read_some(self, timeout: float) -> str | None:
        """Reads what the console prints within timeout ("" if nothing); None at EOF."""
        if self.proc is None:
            return None
        try:
            chunk = self.proc.read_nonblocking(65536, timeout=timeout)
        except pexpect.TIMEOUT:
            return ""
        except pexpect.EOF:
            return None
        self._append(chunk)
        return chunk

    def _drain(self) -> None:
        """Takes whatever the console already printed, without waiting."""
        while self._read_some(0):
            pass

    def _failure(self, what: str) -> ConsoleError:
        state = "running" if self.alive() else "not running"
        return ConsoleError(f"{self.name}: {what} (QEMU {state}, kernel {self.kernel})\n"
                            f"---- console of {self.name}, power-on {self.powerons} ----\n"
                            f"{self.text}\n---- end of console ----")

    def expect(self, pattern: str | re.Pattern, timeout: float | None = None) -> re.Match:
        """Waits for pattern (a regex over console text with '\\r' removed, MULTILINE) after
        the previous match; returns the match. Raises ConsoleError with the whole console
        on timeout or when QEMU ends first."""
        __tracebackhide__ = True
        regex = re.compile(pattern, re.MULTILINE) if isinstance(pattern, str) else pattern
        timeout = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        while True:
            m = regex.search(self.text, self.pos)
            if m:
                self.pos = m.end()
                return m
            left = deadline - time.monotonic()
            if left <= 0:
                raise self._failure(f"timeout after {timeout} s waiting for {regex.pattern!r}")
            if self._read_some(min(left, 1.0)) is None:
                raise self._failure(f"QEMU ended while waiting for {regex.pattern!r}")

    def expect_line(self, pattern: str, timeout: float | None = None) -> re.Match:
        """Waits for a whole console line matching pattern (anchored at both ends)."""
        __tracebackhide__ = True
        return self.expect(f"^(?:{pattern})\n", timeout)

    def expect_lines(self, *patterns: str, timeout: float | None = None) -> list[re.Match]:
        """Waits for whole lines matching each pattern in turn (others may come between)."""
        __tracebackhide__ = True
        return [self.expect_line(p, timeout) for p in patterns]

    def expect_silence(self, seconds: float = 1.0) -> None:
        """Checks that the console prints nothing more for `seconds` and QEMU keeps running
        (a negative check, e.g. no reboot after a halt; never used to wait for something)."""
        __tracebackhide__ = True
        start = len(self.text)
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            if self._read_some(left) is None:
                raise self._failure("QEMU ended while the console should stay silent")
        if len(self.text) > start:
            raise self._failure(f"console printed {self.text[start:]!r} "
                                f"while it should stay silent")

    def expect_exit(self, timeout: float | None = None) -> int | None:
        """Waits for QEMU to end; returns its exit status."""
        __tracebackhide__ = True
        timeout = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        while self._read_some(max(0.0, min(deadline - time.monotonic(), 1.0))) is not None:
            if time.monotonic() >= deadline:
                raise self._failure(f"QEMU still running after {timeout} s")
        try:
            self.proc.wait()
        except pexpect.ExceptionPexpect:
            pass        # already reaped by isalive()
        return self.proc.exitstatus

    def send(self, text: str) -> None:
        """Types text on the serial console as is."""
        self.proc.send(text)

    def sendline(self, line: str) -> None:
        """Types a line on the serial console followed by Enter (a carriage return)."""
        self.proc.send(line + "\r")

    # ---- QMP --------------------------------------------------------------------------

    def qmp(self, command: str, **arguments):
        """Runs a QMP command (e.g. "query-status"); returns its result."""
        if self.qmp_conn is None:
            raise HarnessError("QEMU is not running")
        return self.qmp_conn.command(command, timeout=self.timeout, **arguments)

    def hmp(self, command_line: str) -> str:
        """Runs a human monitor command (e.g. "xp /4wx 0x4fc00000"); returns its output."""
        out = self.qmp("human-monitor-command", **{"command-line": command_line})
        return out.replace("\r", "")

    def reset(self) -> None:
        """Warm reset from outside (QMP system_reset): RAM is kept, the image reloaded."""
        self.qmp("system_reset")

    def wait_event(self, name: str, timeout: float | None = None) -> dict:
        """Waits for a QMP event (e.g. "RESET"; data.guest tells who asked); consumes it."""
        return self.qmp_conn.wait_event(name, self.timeout if timeout is None else timeout)

    def events(self, name: str | None = None) -> list[dict]:
        """QMP events received and not yet consumed, optionally only those called name."""
        return [e for e in self.qmp_conn.poll_events() if name in (None, e["event"])]

    def read_phys(self, paddr: int, size: int) -> bytes:
        """Reads guest physical memory (QMP pmemsave into the machine's temp folder)."""
        path = os.path.join(self.tmpdir, "pmem.bin")
        self.qmp("pmemsave", val=paddr, size=size, filename=path)
        with open(path, "rb") as f:
            data = f.read()
        os.unlink(path)
        return data

    def write_phys(self, paddr: int, data: bytes) -> None:
        """Writes guest physical memory (through QEMU's gdb stub: the guest stops for the
        write and then runs on), e.g. to damage the persistent bank."""
        stub = GDBStub(os.path.join(self.tmpdir, "gdb.sock"), self.timeout)
        try:
            stub.write(paddr, data)
        finally:
            stub.detach()

    def stop_at(self, pc: int, hits: int = 1, actor: str | None = None,
                timeout: float | None = None) -> bool:
        """Runs the guest until it executes virtual address pc for the hits-th time (counted
        only while the actor called `actor` runs, if given) and leaves it stopped there,
        attached to the gdb stub, until resume(). The instant is the same in every run that
        does the same work, whatever the host's timing: a point in the guest's own sequence
        of events. Returns False when pc was not reached that often within timeout (the guest
        is stopped all the same). The console is read meanwhile, so the guest never waits
        for it. Under -icount, use sleep=on: QEMU 7.2 does not resume from a gdb stop with
        sleep=off."""
        timeout = self.timeout if timeout is None else timeout
        if self._stub is None:
            self._stub = GDBStub(os.path.join(self.tmpdir, "gdb.sock"), self.timeout)
            self._at_breakpoint = False
        stub = self._stub
        deadline = time.monotonic() + timeout
        if actor is not None and self._current is None:
            self._current = kernel_current_actor(self.kernel)
        stub.breakpoint(pc)
        try:
            while hits > 0:
                if self._at_breakpoint:
                    stub.breakpoint(pc, insert=False)
                    stub.step(self.timeout)
                    stub.breakpoint(pc)
                stub.resume()
                self._at_breakpoint = True
                while not stub.stopped(0.05):
                    self._drain()
                    if time.monotonic() > deadline:
                        stub.interrupt()
                        self._at_breakpoint = False
                        return False
                if actor is not None:
                    current, name_off = self._current
                    a = struct.unpack("<I", stub.read(current, 4))[0]
                    name = stub.read(a + name_off, len(actor) + 1) if a else b""
                    if name != actor.encode() + b"\0":
                        continue
                hits -= 1
            return True
        finally:
            stub.breakpoint(pc, insert=False)

    def resume(self) -> None:
        """Lets a guest stopped by stop_at (or started paused) run on."""
        if self._stub is not None:
            self._stub.detach()
            self._stub = None
        elif self.qmp("query-status")["status"] in ("prelaunch", "paused"):
            self.qmp("cont")

    def reset_at(self, pc: int, hits: int = 1, actor: str | None = None,
                 timeout: float | None = None) -> bool:
        """A warm reset (QMP system_reset) at the instant stop_at() finds, then the guest
        runs on; False, and no reset, when that instant did not come within timeout."""
        try:
            reached = self.stop_at(pc, hits, actor, timeout)
            if reached:
                self.reset()
            return reached
        finally:
            self.resume()

    def read_u32(self, paddr: int, count: int = 1) -> list[int]:
        """Reads little-endian 32-bit words of guest physical memory."""
        return list(struct.unpack(f"<{count}I", self.read_phys(paddr, 4 * count)))

    def xp(self, paddr: int, words: int = 1) -> list[int]:
        """Reads 32-bit words of guest physical memory with the monitor's xp command."""
        return self._words(self.hmp(f"xp /{words}wx {paddr:#x}"))

    def x(self, vaddr: int, words: int = 1) -> list[int]:
        """Reads 32-bit words at a virtual address, through the CPU's current MMU tables."""
        return self._words(self.hmp(f"x /{words}wx {vaddr:#x}"))

    @staticmethod
    def _words(monitor_output: str) -> list[int]:
        """Parses "<address>: 0x... 0x..." lines of the monitor's x/xp output."""
        words = []
        for line in monitor_output.splitlines():
            if ":" in line:
                try:
                    words += [int(w, 16) for w in line.split(":", 1)[1].split()]
                except ValueError:
                    raise HarnessError(f"monitor: {monitor_output.strip()}") from None
        if not words:
            raise HarnessError(f"monitor: {monitor_output.strip()}")
        return words
