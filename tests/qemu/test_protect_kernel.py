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


def actor_line(m, pattern):
    """Waits for a line an actor (or a server) prints: it may follow a prompt on the line."""
    return m.expect(f"(?:{pattern})\n")


def cmd(m, line):
    """Types a console command and waits for the next prompt; returns what came between."""
    m.sendline(line)
    start = m.expect(re.escape(line) + "\n").start()
    m.expect(re.escape(PROMPT))
    return m.text[start:]


def kernel_counts(m):
    """aps' kernel lines: free pages, the two reserves and the default quota."""
    out = cmd(m, "aps")
    free = re.search(r"^kernel: (\d+) of \d+ pages free", out, re.M)
    res = re.search(r"^kernel: page reserve (\d+) for the system, (\d+) for restarts; quota "
                    r"(\d+) pages by default$", out, re.M)
    assert free and res, out
    return int(free[1]), int(res[1]), int(res[2]), int(res[3]), out


def test_crafted_elf_images_are_refused(boot, board):
    """An actor image with a read-only segment that has no file bytes and a wild p_offset
    (the kernel mapped image + p_offset unchecked: any physical page, here the bank) and one
    whose read-only segment has pages past its file bytes: the kernel refuses both at boot
    and saying why, `arun` of either fails with K_EINVAL, the honest build of the same actor
    still runs and the console answers."""
    m = boot(board.image("kprotect"))
    m.expect_line(r"kernel: image elfwild rejected: segment \d+ file range past end of file")
    m.expect_line(r"kernel: image elfro rejected: read-only segment \d+ has pages with no file "
                  r"bytes behind them")
    m.expect(PROMPT)
    for name in ("elfwild", "elfro"):
        out = cmd(m, f"arun {name} peek")
        assert re.search(rf"^arun: cannot start {name}: error -1 \(K_EINVAL\)", out, re.M), out
    m.sendline("arun elfbad")
    actor_line(m, r"elfbad: running as built")
    m.expect_line(r"kernel: elfbad \(aid \d+\) exited with status 0")
    assert "elfbad: peek" not in m.text
    cmd(m, "pmm")
    cmd(m, "aps")


def test_teardown_frees_only_its_own_pages(boot):
    """The vm-teardown self test: a space whose tables map, outside every region, another
    space's page, an image page and a bank page: its teardown walks every table and frees
    its own three pages (first-level table, one second-level table, one page), never
    another's (it freed any pool page a table mapped). The boot goes on."""
    m = boot(selftest="vm-teardown")
    m.expect_line("selftest: vm-teardown")
    m.expect_line("selftest: teardown freed 3 pages, another space's page kept")
    m.expect(PROMPT)
    cmd(m, "aps")


def test_held_slot_given_up_for_a_slot_or_pages(boot):
    """The held-release self test: a slot held for a group restart (ACTOR_STOP_HOLD) never
    makes anything fail that would succeed without it. With the actor table full and one
    slot held, a creation takes that slot; with one held again, a page reclaim asking for
    more than is free frees it and its pages. Everything comes back; the boot goes on."""
    m = boot(selftest="held-release")
    m.expect_line("selftest: held-release")
    m.expect_line(r"selftest: held-release: table full \(63\), one held: creation ok, "
                  r"held slot freed")
    m.expect_line(r"selftest: held-release: reclaim ok, [1-9]\d* pages back, held slot freed")
    m.expect_line("selftest: held-release: all ended, pages back")
    m.expect(PROMPT)
    cmd(m, "aps")


def test_bank_pages_dirty_only_once_written(boot):
    """The bank-dirty self test: a site restart cleans only the bank pages written since boot
    from the data cache (kernel/bank.h), so a writable bank mapping is read-only until its
    first write. Two pages mapped writable, nothing dirty at boot; a write through the
    kernel's checked copy makes that page dirty and not the other; a read-only mapping of
    the same pages stays unwritable (K_EFAULT). The boot goes on."""
    m = boot(selftest="bank-dirty")
    m.expect_line("selftest: bank-dirty")
    m.expect_line("selftest: bank-dirty: 0 dirty at boot, read 0, write 0, then 1 dirty "
                  r"\(page 0 dirty, page 1 clean\), write through a read-only mapping -3")
    m.expect(PROMPT)
    cmd(m, "pmm")


def test_page_quota_refuses_cleanly_and_the_owner_goes_on(boot, board):
    """An actor takes pages until the kernel refuses: it never owns more than its quota
    (the board's default), each refusal is K_ENOMEM and changes nothing, and once it frees a
    region it can allocate again; aps shows its use against its quota. An actor with a small
    quota (manifest pages=12) that grows its stack faults on the first page past it, and the
    fault says so."""
    m = boot(board.image("kprotect"))
    m.expect(PROMPT)
    free0, _, _, quota, _ = kernel_counts(m)
    m.sendline("arun pquota grab hold")
    r = actor_line(m, r"pquota: took (\d+) pages, owns (\d+) of (\d+), refusals (\d+) all "
                      r"K_ENOMEM unchanged: (\w+), again after a free: (-?\d+)")
    assert int(r[3]) == quota and int(r[2]) <= quota, r[0]
    assert int(r[2]) >= quota - 2, f"the quota was not what stopped it: {r[0]}"
    assert r[5] == "yes" and r[6] == "0", r[0]
    out = cmd(m, "aps")
    row = re.search(rf"^ +(\d+) pquota +- +\w+ +(\d+) +- +{quota}$", out, re.M)
    assert row and int(row[2]) <= quota, out
    cmd(m, f"akill {row[1]}")
    assert kernel_counts(m)[0] == free0
    m.sendline("arun pqsmall stack")
    actor_line(m, r"hr: pqsmall \(aid \d+\) data abort pc=0x[0-9a-f]+ addr=0x3ffe[0-9a-f]+ "
                  r"write, translation fault, stack page over the page quota; not "
                  r"restartable, deleted")
    assert kernel_counts(m)[0] == free0


def test_pool_drained_by_many_actors_keeps_the_reserves(boot, board):
    """Actors each take their quota until the pool is down to its reserves: the last one gets
    less than its quota (K_ENOMEM, nothing half-done), a new ordinary actor cannot start
    (K_ENOMEM), but the console, PMM and HR keep working, a restart group killed meanwhile
    comes back (its restart takes from the restart reserve) and a new group starts through
    HR; once the hogs are killed every page is back."""
    m = boot(board.image("kprotect"))
    m.expect(PROMPT)
    free0, sys_res, restart_res, quota, _ = kernel_counts(m)
    m.sendline("arun -g 5 pquota sleep")
    victim = int(actor_line(m, r"pquota: sleeping aid (\d+) group 5")[1])
    hogs = []
    for _ in range(free0 // quota + 2):
        m.sendline("arun pquota grab hold")
        hogs.append(int(m.expect_line(r"started pquota, aid (\d+)")[1]))
        r = actor_line(m, r"pquota: took (\d+) pages, owns (\d+) of (\d+), refusals \d+ all "
                          r"K_ENOMEM unchanged: (\w+), again after a free: (-?\d+)")
        assert r[4] == "yes", r[0]
        if int(r[2]) < quota - 2:
            break
    else:
        raise AssertionError("the pool never ran out")
    free, _, _, _, out = kernel_counts(m)
    assert free <= sys_res + restart_res, f"ordinary actors went into the reserves:\n{out}"
    out = cmd(m, "arun nop")
    assert re.search(r"^arun: cannot start nop: error -2 \(K_ENOMEM\)", out, re.M), out
    assert re.search(r"^bank: \d+ of \d+ pages used", cmd(m, "pmm"), re.M)
    assert re.search(r"^group 5: running", cmd(m, "hr"), re.M)
    m.sendline(f"akill {victim}")
    start = m.pos       # HR restarts first and prints its crash line once the CPU is idle
    actor_line(m, r"pquota: sleeping aid \d+ group 5")
    m.pos = start
    actor_line(m, rf"hr: pquota \(aid {victim}, group 5\) killed by cinit \(aid \d+\); "
                  r"restarting group 5 \(1/5\)")
    m.sendline("arun -g 6 pquota sleep")
    actor_line(m, r"pquota: sleeping aid \d+ group 6")
    for aid in hogs:
        cmd(m, f"akill {aid}")
    cmd(m, "akill -g 5")
    cmd(m, "akill -g 6")
    assert kernel_counts(m)[0] == free0


def test_ids_kept_in_the_bank_never_name_a_later_actor(boot, board):
    """One actor slot and one port slot reused 1100 times (more than the 1024 generations a
    boot once had), every id kept in a persistent block; after a site restart the same
    reuse gives none of those ids again, and the last recorded ones are stale: killing
    the aid gives K_EUNKNOWN, calling the port K_EDEAD."""
    m = boot(board.image("kprotect"), icount=True)
    m.expect(PROMPT)
    m.sendline("arun idgen record 1100")
    r = actor_line(m, r"idgen: recorded 1100 aids \(last (\d+)\) and 1100 ports \(last (\d+)\), "
                      r"error 0")
    m.sendline("restart")
    m.expect_line(r"boot: warm \(site restart requested\), boot 2, .*")
    m.expect_line(r"cinit: type help for the commands")
    m.expect(PROMPT)
    m.sendline("arun idgen check")
    c = actor_line(m, r"idgen: check: 1100 new aids, 1100 new ports, (\d+) collisions; stale "
                      r"aid (-?\d+), stale port (-?\d+), error 0")
    assert c[1] == "0", f"ids of boot 1 name new actors or ports: {c[0]} (recorded {r[0]})"
    assert (c[2], c[3]) == ("-4", "-10"), c[0]
    actor_line(m, r"idgen: block freed: 0")
    cmd(m, "aps")
