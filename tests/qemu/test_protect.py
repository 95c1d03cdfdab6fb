"""Protection scenarios (docs/design.md, Protection): one attack a scenario on what PMM and HR
keep for an actor, each failing with its documented error while the console still answers and
the owner's own use still works. Points of the protection issue: 1 keys never leave PMM,
2 only an entitled actor frees a block, 3 privileges never grow through HR (and a second
C_INIT knows it is one), 4 bank quotas per image and per restart group.

They boot tests/images/protect.image: PMM, HR, C_INIT and tests/actors/protect under the names
protvic (victim), protatk (attacker, no privileges), protpriv (an image with privileges) and
protbig (a larger bank quota). Quotas come from the board's tunables (board.h)."""
import re

import pytest

from test_hr import PROMPT, NS, expect_any_order, expect_line, output_of, run, type_line

SECRET = "S3CRETKEY"
K_EPRIV, K_ETOOMUCH, K_ENOMEM, K_EUNKNOWN = -6, -7, -2, -4
PRIV_ACTORS, PRIV_SERVER, PRIV_SITE = 1, 2, 16


def board_define(board, name):
    """A number #defined in the board's board.h."""
    return int(re.search(rf"#define\s+{name}\s+(\d+)", (board.dir / "board.h").read_text())[1])


@pytest.fixture
def console(boot, board):
    """The protection image at C_INIT's prompt."""
    m = boot(board.image("protect"))
    m.expect_line(rf"boot: cold, boot 1, bank marker written, {NS}")
    m.expect_line("pmm: bank initialised")
    m.expect_line("cinit: type help for the commands")
    m.expect(re.escape(PROMPT))
    return m


def start(m, line, *outputs):
    """Types an arun line, waits for its started line and then the actor's output lines."""
    __tracebackhide__ = True
    type_line(m, line)
    expect_line(m, rf"started \S+, aid \d+(, group \d+)?")
    return [expect_line(m, o) for o in outputs]


def answers(m):
    """The console still answers: pmm and hr print their first lines."""
    __tracebackhide__ = True
    run(m, "pmm", r"bank: \d+ of \d+ pages used .*")
    run(m, "hr", r"hr: auto-start on, .*")


def test_keys_are_secret(console):
    """1. A victim holds a block under a secret key. The attacker lists nothing of it (not its
    image, group or block), its replies never hold the key, guessed keys are refused with
    K_EPRIV; the console's privileged listing shows the block, its owner image and no key. The
    victim's image sees its own block (still without the key), and retrieves and frees it."""
    m = console
    start(m, f"arun -g 2 protvic hold vic.own {SECRET} 41", "protect: hold vic.own = 41")
    start(m, f"arun protatk list {SECRET}", r"protect: list: 0 blocks, secret found 0")
    start(m, "arun protatk steal vic.own", rf"protect: steal vic.own: {K_EPRIV} {K_EPRIV}")
    out = output_of(m, "pmm")
    assert re.search(r"^vic\.own +4096 protvic +- \d+$", out, re.MULTILINE), out
    assert re.search(r"^quota protvic: 1 of \d+ pages, 1 of \d+ blocks$", out, re.MULTILINE), out
    assert SECRET not in out
    start(m, f"arun protvic list {SECRET}", r"protect: sees vic\.own owner protvic group 0 flags 0",
          r"protect: quota protvic group 0: 1 of \d+ pages, 1 of \d+ blocks",
          r"protect: list: 1 blocks, secret found 0")
    start(m, f"arun protvic getfree vic.own {SECRET}", "protect: get vic.own = 41",
          "protect: free vic.own: 0")
    answers(m)
    run(m, "akill -g 2", "killed group 2")


def test_free_is_the_owners(console):
    """2. pmmFree by an actor that neither holds the block, nor is in its group, nor is
    privileged: K_EPRIV for a group's HR_GROUP_KEY block and for a block of another key, both
    kept. The owners' use still works: the seed (hello) frees its block after its restart as
    written, the victim's image frees its block after retrieving it, and the group's end frees
    the group's block."""
    m = console
    start(m, "arun -g 4 protvic hold vic.grp HR_GROUP 43", "protect: hold vic.grp = 43")
    start(m, "arun protvic hold vic.key KEY2 44", "protect: hold vic.key = 44")
    start(m, "arun protatk free vic.grp", f"protect: free vic.grp: {K_EPRIV}")
    start(m, "arun protatk free vic.key", f"protect: free vic.key: {K_EPRIV}")
    out = output_of(m, "pmm")
    assert re.search(r"^vic\.grp +4096 protvic +4 \d+$", out, re.MULTILINE), out
    assert re.search(r"^vic\.key +4096 protvic +- \d+$", out, re.MULTILINE), out
    start(m, "arun -g 1 hello", "Hello world!", "The process has been restarted.",
          "Example finished. Exit.", "hr: group 1 ended cleanly")
    start(m, "arun protvic getfree vic.key KEY2", "protect: get vic.key = 44",
          "protect: free vic.key: 0")
    run(m, "akill -g 4", "killed group 4")
    out = output_of(m, "pmm")
    assert "vic." not in out and "PM1" not in out, out
    answers(m)


def test_no_privilege_through_hr(console):
    """3. An unprivileged group member spawns, through hrfexecl, an image that has privileges:
    the child gets none (the requester's set bounds it), so it may not create actors. It spawns
    C_INIT under another argv[0]: the second console knows by its image that one runs and ends.
    The owner's use: the console starts the same image through HR with what the console holds
    of its privileges."""
    m = console
    start(m, "arun -g 5 protatk fexec protpriv")
    expect_any_order(m, "protect: fexec protpriv: 0", f"protect: privileges 0x0, actor create {K_EPRIV}")
    run(m, "akill -g 5", "killed group 5")
    # (C_INIT's priority is above the requester's: it may end, and HR restart the group,
    # before the requester prints what hrfexecl returned.)
    start(m, "arun -g 7 protatk fexec cinit", r"cinit: a console already runs \(aid \d+\)")
    expect_any_order(m, r"hr: cinit \(aid \d+, group 7\) exit\(1\) without HR_EXIT_HDL; "
                     r"restarting group 7 \(1/\d+\)", "protect: fexec done")
    run(m, "akill -g 7", "killed group 7")
    answers(m)
    privs = PRIV_ACTORS | PRIV_SERVER | PRIV_SITE
    start(m, "arun -g 6 protpriv privs", rf"protect: privileges {privs:#x}, actor create {K_EUNKNOWN}",
          "hr: group 6 ended cleanly")


def test_bank_quotas(console, board):
    """4. The attacker's image fills its block quota, then its page quota: K_ETOOMUCH, then
    K_ENOMEM, and the refused block is not made. Its blocks outlive the actor and still count
    for the image in its next run. A group's HR_GROUP_KEY blocks stop at the group's quota even
    for an image with a larger one. Meanwhile the victim allocates as usual, pmm and hr show
    the use against each quota, and pmmFreeAll by the key (the owner's use) gives it back."""
    m = console
    owner_pages = board_define(board, "BOARD_PMM_OWNER_PAGES")
    owner_blocks = board_define(board, "BOARD_PMM_OWNER_BLOCKS")
    group_pages = board_define(board, "BOARD_PMM_GROUP_PAGES")
    group_blocks = board_define(board, "BOARD_PMM_GROUP_BLOCKS")
    start(m, "arun protatk hog 4096 HOG",
          rf"protect: hog: {owner_blocks} blocks, {owner_blocks} pages, then {K_ETOOMUCH}")
    start(m, "arun protatk hog 4096 HOG2", rf"protect: hog: 0 blocks, 0 pages, then {K_ETOOMUCH}")
    out = output_of(m, "pmm")
    assert re.search(rf"^quota protatk: {owner_blocks} of {owner_pages} pages, {owner_blocks} of "
                     rf"{owner_blocks} blocks$", out, re.MULTILINE), out
    start(m, "arun -g 8 protvic hold vic.q KQ 7", "protect: hold vic.q = 7")
    start(m, "arun protatk freeall HOG", "protect: freeall HOG: 0")
    per = 16
    start(m, f"arun protatk hog {per * 4096} HOGP",
          rf"protect: hog: {owner_pages // per} blocks, {owner_pages // per * per} pages, "
          rf"then {K_ENOMEM}")
    run(m, "pmm", rf"quota protatk: {owner_pages // per * per} of {owner_pages} pages, .*")
    start(m, "arun -g 9 protbig hog 4096 HR_GROUP",
          rf"protect: hog: {group_blocks} blocks, {group_blocks} pages, then {K_ETOOMUCH}")
    run(m, "hr", r"group 9: running, 0 restarts, 1 member", r"  aid \d+ protbig direct.*",
        rf"  bank: {group_blocks} of {group_pages} pages, {group_blocks} of {group_blocks} blocks")
    start(m, "arun protvic getfree vic.q KQ", "protect: get vic.q = 7", "protect: free vic.q: 0")
    run(m, "akill -g 9", "killed group 9")
    run(m, "akill -g 8", "killed group 8")
    start(m, "arun protatk freeall HOGP", "protect: freeall HOGP: 0")
    run(m, "pmm", r"bank: 0 of \d+ pages used .*, 0 of \d+ blocks", "no blocks")
