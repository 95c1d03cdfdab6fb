"""Kernel protection scenarios (issue 11, kernel side): each attack fails cleanly with its
documented error and the console still answers. The crafted ELF image (a read-only segment
with no file bytes and a wild offset), page quotas and the pool's reserves, ids kept in the
bank across a site restart after a slot was reused more than 1024 times, and kernel stack
overflows (the kstack-* self tests, reachable only from QEMU's command line)."""
import re

import pytest

PROMPT = "cinit> "
HEX = r"0x[0-9a-f]{8}"
STACKS = {"kstack-svc": "SVC", "kstack-abt": "ABT", "kstack-und": "UND", "kstack-irq": "IRQ",
          "kstack-fiq": "FIQ"}


@pytest.mark.parametrize("selftest", list(STACKS))
def test_kernel_stack_overflow_is_a_panic_that_says_so(boot, selftest):
    """Each kernel-mode stack overflowed at boot by the self test (a recursion in that mode):
    the access to its guard page is a data abort, and the panic says which stack overflowed
    (without guard pages the recursion went on through its neighbour silently); with no
    HR running yet the machine halts."""
    m = boot(selftest=selftest)
    m.expect_line(f"selftest: {selftest}")
    head = m.expect_line(rf"\*\*\* KERNEL PANIC: kernel stack overflow \((\w+) stack\): data "
                         rf"abort in (\w+) mode at pc={HEX}")
    assert head.group(1) == STACKS[selftest]
    assert head.group(2) == STACKS[selftest]
    m.expect_line(r"  fault: write at (0x[0-9a-f]{8}), translation fault \(level 2\), "
                  r"DFSR=0x[0-9a-f]{8}")
    m.expect_line(r"\*\*\* system halted")
    m.expect_silence(seconds=0.5)


def test_kernel_stack_overflow_late_is_a_site_restart(boot):
    """The SVC stack overflowed from the timer interrupt while the actors run: the panic
    says so, HR's presence makes it a site restart, the next boot logs the panic's record
    (with the stack named) and the console answers."""
    m = boot(selftest="kstack-late")
    m.expect(PROMPT)
    m.expect_line("selftest: kernel stack overflow in the timer interrupt")
    m.expect_line(rf"\*\*\* KERNEL PANIC: kernel stack overflow \(SVC stack\): data abort in "
                  rf"SVC mode at pc={HEX}")
    m.expect_line(r"kernel: site restart \(kernel panic\)")
    m.expect_line(r"boot: warm \(kernel panic\), boot 2, .*")
    m.expect_line(rf"hr: previous run: kernel \(aid 0\) kernel panic: kernel stack overflow "
                  rf"\(SVC stack\) in SVC mode pc={HEX} addr=0x4000[89][0-9a-f]{{3}}; site restart")
    m.expect(PROMPT)
    m.sendline("aps")
    m.expect_line(r"kernel: \d+ of \d+ pages free, .*")
    m.expect(PROMPT)
