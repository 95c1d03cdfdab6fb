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


def test_empty_pool_stack_fault_says_so_and_escalates(boot, board):
    """A restartable actor that needs a stack page while the hog holds the whole pool: its
    crash line says the stack page could not be had (it said a bare "translation fault"),
    its restarts get back only what its end released, so it fails again until HR escalates
    to one site restart, which ends the hog; after it HR brings the group back and the
    console answers."""
    m = boot(board.image("exhaust"), icount=True)
    m.expect(PROMPT)
    m.sendline("arun -g 7 exhog victim starve")
    m.expect(r"exhog: victim up aid \d+ group 7 port \d+\n")
    m.sendline("arun exhog hog 1 pages")
    m.expect(r"hr: exhog \(aid \d+, group 7\) data abort pc=0x[0-9a-f]+ addr=0x3ffe[0-9a-f]+ "
             r"write, translation fault, no free page for the stack; restarting group 7 \(1/5\)\n")
    m.expect(r"hr: exhog \(aid \d+, group 7\) data abort .*, no free page for the stack; "
             r"group 7 failed 6 times: site restart\n")
    m.expect(r"boot: warm \(site restart requested\)")
    m.expect(r"hr: restarting group 7 after the site restart\n")
    m.expect(r"cinit: type help for the commands\n")
    m.expect(PROMPT)
    m.sendline("aps")
    out = m.expect(r"(?s)aps\n(.*?)\n" + re.escape(PROMPT))[1]
    assert re.search(r"^ +\d+ exhog +7 ", out, re.MULTILINE), out
    assert len(re.findall(r" exhog ", out)) == 1, f"the hog outlived the site restart:\n{out}"
