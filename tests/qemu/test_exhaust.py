"""Exhaustion scenarios (the torture campaign tests/torture/exhaust.py runs them at random):
what the kernel answers when the page pool is empty. Each boots the exhaustion image
(tests/images/exhaust.image) and drives the hog actor tests/actors/exhog from the console."""
import re

PROMPT = "cinit> "


def test_empty_pool_copy_to_untouched_stack_page_is_enomem(boot, board):
    """A call whose output lies on a demand-zero stack page the actor never touched, while the
    pool is empty: the pointer is good, memory ran out, so the call fails with K_ENOMEM (it
    said K_EFAULT, as if the pointer were bad). Once the hog ends, every page is back."""
    m = boot(board.image("exhaust"), icount=True)
    m.expect(PROMPT)
    m.sendline("aps")
    free = m.expect(r"kernel: (\d+) of \d+ pages free")[1]
    m.expect(PROMPT)
    m.sendline("arun exhog hog 1 pages")
    r = m.expect(r"exhog: ready aid \d+ group -1 sentinel (\d+) pages \d+/-2 .* odd 0 "
                 r"deep (-?\d+)\n")
    assert r[2] == "-2", f"untouched stack page with an empty pool: {r[2]}, expected -2"
    m.sendline("aps")
    m.expect(r"kernel: 0 of \d+ pages free")
    m.expect(PROMPT)
    m.sendline(f"akill {r[1]}")
    m.expect(r"exhog: done, blocks freed: 0\n")
    m.expect(r"kernel: exhog \(aid \d+\) exited")
    m.sendline("aps")
    m.expect(rf"kernel: {free} of \d+ pages free")
