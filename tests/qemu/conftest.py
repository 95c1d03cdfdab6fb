"""pytest glue for the QEMU scenarios: --board, the `boot` fixture, console logs on failure."""
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reprise import Board, ConsoleError, Machine  # noqa: E402


def pytest_addoption(parser):
    parser.addoption("--board", default="virt", help="board folder under boards/ (default virt)")


@pytest.fixture(scope="session")
def board(request) -> Board:
    """The board under test, from --board."""
    return Board(request.config.getoption("--board"))


@pytest.fixture
def log_path(request, board) -> Path:
    """build/<board>/test-logs/<test-name>.log, emptied at the start of the test."""
    name = re.sub(r"[^A-Za-z0-9_.\[\]-]+", "_", request.node.name)
    path = board.log_dir / f"{name}.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("")
    request.node.reprise_log = path
    return path


@pytest.fixture
def boot(board, log_path):
    """boot(kernel=None, selftest=None, icount=False, extra_args=(), fw_cfg=None, paused=False,
    gdb_port=None) powers on a new QEMU machine and returns it; every machine of the test logs into the test's log and
    is killed at teardown, pass or fail."""
    machines = []

    def power_on(kernel=None, paused=False, **options) -> Machine:
        name = f"machine {len(machines) + 1}" if machines else "machine"
        m = Machine(board, kernel, log_path=log_path, name=name, **options)
        machines.append(m)
        return m.start(paused=paused)

    yield power_on
    for m in machines:
        m.kill()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failed test, adds the test's console log to the report (printed with the
    failure); a ConsoleError already carries its machine's console, so only the path then."""
    outcome = yield
    report = outcome.get_result()
    path = getattr(item, "reprise_log", None)
    if not report.failed or path is None or not path.exists():
        return
    if call.excinfo is not None and call.excinfo.errisinstance(ConsoleError):
        report.sections.append(("console log", f"kept in {path}"))
    else:
        report.sections.append((f"console log ({path})", path.read_text(errors="replace")))
