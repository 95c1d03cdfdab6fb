"""Exhaustion scenarios (the torture campaign tests/torture/exhaust.py runs them at random):
what the kernel answers when the page pool is drained down to its reserves. Each boots the
exhaustion image (tests/images/exhaust.image) and drives the hog actor tests/actors/exhog
from the console: the hog takes its page quota, then its pagers take theirs, until the pool
has no page left for ordinary actors."""
import re

PROMPT = "cinit> "


def pool(m):
    """aps' kernel lines: (free pages, the pool's reserves together)."""
    m.sendline("aps")
    free = int(m.expect(r"kernel: (\d+) of \d+ pages free")[1])
    r = m.expect(r"kernel: page reserve (\d+) for the system, (\d+) for restarts")
    m.expect(PROMPT)
    return free, int(r[1]) + int(r[2])


def pages_back(m, free):
    """Waits until the pool has free pages again, as before the hog: its pagers end as they
    see it gone, a few console round trips later."""
    for _ in range(10):
        if pool(m)[0] == free:
            return
    raise AssertionError("the pages did not all come back")


def test_drained_pool_copy_to_untouched_stack_page_is_enomem(boot, board):
    """A call whose output lies on a demand-zero stack page the actor never touched, while the
    pool has no page left for it: the pointer is good, memory ran out, so the call fails
    with K_ENOMEM (it said K_EFAULT, as if the pointer were bad). The pool stops at its
    reserves; once the hog ends (its pagers with it), every page is back."""
    m = boot(board.image("exhaust"), icount=True)
    m.expect(PROMPT)
    free, reserves = pool(m)
    m.sendline("arun exhog hog 1 pages")
    r = m.expect(r"exhog: ready aid \d+ group -1 sentinel (\d+) pages \d+/-2 .* odd 0 "
                 r"deep (-?\d+) quota \d+/\d+\n")
    assert r[2] == "-2", f"untouched stack page with a drained pool: {r[2]}, expected -2"
    now, _ = pool(m)
    assert now <= reserves, f"{now} pages free: ordinary actors went into the reserves"
    m.sendline(f"akill {r[1]}")
    m.expect(r"exhog: done, blocks freed: 0\n")
    m.expect(r"kernel: exhog \(aid \d+\) exited")
    pages_back(m, free)


def test_drained_pool_restart_group_keeps_running_ordinary_actor_faults(boot, board):
    """Two actors that need stack pages while the hog drains the pool: the one HR started in
    a restart group gets them from the restart reserve and keeps running (before the
    reserves it crashed, its restart got back only what its end released, and it crashed
    again until HR escalated to a site restart); the ordinary one faults, and its crash line
    says the stack page could not be had. The console answers, and everything comes back when the hog and the group end."""
    m = boot(board.image("exhaust"), icount=True)
    m.expect(PROMPT)
    free, _ = pool(m)
    m.sendline("arun -g 7 exhog victim starve")
    m.expect(r"exhog: victim up aid \d+ group 7 port \d+\n")
    m.sendline("arun exhog victim starve")
    m.expect(r"exhog: victim up aid (\d+) group -1 port \d+\n")
    m.sendline("arun exhog hog 1 pages")
    hog = m.expect(r"exhog: ready aid (\d+) group -1 .*\n")[1]
    m.expect(r"hr: exhog \(aid \d+\) data abort pc=0x[0-9a-f]+ addr=0x3ffe[0-9a-f]+ write, "
             r"translation fault, no free page for the stack; not restartable, deleted\n")
    m.sendline("hr")
    m.expect(r"group 7: running, 0 restarts, 1 member\n")
    m.expect(PROMPT)
    assert not re.search(r"hr: exhog \(aid \d+, group 7\)", m.text), "the group crashed"
    m.sendline(f"akill {hog}")
    m.expect(rf"killed aid {hog}\n")
    m.expect(PROMPT)
    m.sendline("akill -g 7")
    m.expect(r"killed group 7\n")
    m.expect(PROMPT)
    pages_back(m, free)


def test_drained_pool_pmm_allocate_is_enomem_not_a_fault(boot, board):
    """The hog drains the pool, then asks for bank blocks: pmmAllocate answers K_ENOMEM (the
    block's mapping needs a page table the pool cannot give). Its first use of the PMM client
    in the run needs the restart page, where the retrieval cache lives, and that page is
    demand-zero: the client brings it in with a checked copy, so an empty pool makes it skip
    the cache rather than take a fault on the page (the hog used to die there)."""
    m = boot(board.image("exhaust"), icount=True)
    m.expect(PROMPT)
    free, _ = pool(m)
    m.sendline("arun exhog hog 1 pages,blocks")
    r = m.expect(r"exhog: ready aid \d+ group -1 sentinel (\d+) pages \d+/-2 slots 0/0 ports 0/0 "
                 r"bank 0/0 blocks 0/(-?\d+) odd 0 .*\n")
    assert r[2] == "-2", f"pmmAllocate with a drained pool: {r[2]}, expected K_ENOMEM (-2)"
    assert "data abort" not in m.text
    m.sendline(f"akill {r[1]}")
    m.expect(r"exhog: done, blocks freed: 0\n")
    pages_back(m, free)
