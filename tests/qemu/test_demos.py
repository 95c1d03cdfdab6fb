"""Demo scenarios on the default image: the counter that survives a site restart, the
restartSpawn-style parent/child whose message comes out exactly once, and the calculator
driven line by line on the console."""
import random
import re

PROMPT = "cinit> "


def boot_console(boot):
    """Boots the default image and waits for the hello example to end and the prompt."""
    m = boot()
    m.expect_line(r"hr: group 1 ended cleanly")
    m.sendline("")
    m.expect(PROMPT)
    return m


def test_counter_continues_across_a_site_restart(boot):
    m = boot_console(boot)
    m.sendline("arun -g 3 counter 200")
    m.expect_line(r"started counter, aid \d+, group 3")
    m.expect(r"counter: starting at 0\r?\n")   # may follow the prompt on its line
    m.expect_line(r"counter: 3")
    m.sendline("restart")
    m.expect_line(r"kernel: site restart \(site restart requested\)")
    m.expect_line(r"boot: warm \(site restart requested\), boot 2, .*")
    m.expect_line(r"pmm: bank kept, 1 block")
    m.expect_line(r"hr: restarting group 3 after the site restart")
    m.expect_line(r"sysadm: skipped \(warm boot: HR restarts registered groups\)")
    resumed = int(m.expect(r"counter: resumed at (\d+) \(start 2\)").group(1))
    assert resumed >= 3
    m.expect_line(rf"counter: {resumed + 1}")
    # The crash log written in boot 1 (hello's data abort) is still there in boot 2.
    m.sendline("hr")
    m.expect_line(r"\s+#1 boot 1 .*hello \(aid \d+, group 1\) data abort .*restarting group 1 \(1/5\)")
    m.sendline("akill -g 3")
    m.expect(PROMPT)
    m.sendline("pmm")
    m.expect_line(r"no blocks")


def test_parent_child_message_exactly_once(boot):
    m = boot_console(boot)
    m.sendline("arun -g 2 rsparent")
    m.expect_line(r"started rsparent, aid \d+, group 2")
    m.expect_line(r"hr: group 2 ended cleanly", timeout=60)
    out = m.text[m.text.index("arun -g 2 rsparent"):]
    lines = [l.strip() for l in out.splitlines()]
    steps = [l for l in lines if l.startswith("rschild: STEP")]
    assert steps == ["rschild: STEP 1", "rschild: STEP 2", "rschild: STEP 3", "rschild: STEP 4"]
    assert lines.count("rschild: =========== Message ===========") == 1
    assert lines.count("rschild: ======== End of message ========") == 1
    crashes = [l for l in lines if re.match(r"hr: rsparent \(aid \d+, group 2\) data abort .*restarting group 2", l)]
    assert len(crashes) == 2
    assert any(l.startswith("rsparent: child done, 3 starts, exiting") for l in lines)
    # The group's HR_GROUP_KEY blocks went with it.
    m.sendline("pmm")
    m.expect_line(r"no blocks")


def test_warm_boot_with_a_lost_registry_runs_the_group_lines_again(boot):
    """A warm reset that finds HR's registry damaged (both copies) cannot restore HR's groups:
    C_INIT then runs the boot script's arun -g lines instead of skipping them, so nothing is
    silently lost."""
    m = boot_console(boot)
    m.sendline("arun -g 3 counter 200")
    m.expect(r"counter: 1\r?\n")
    for copy in (0x4fc0a000, 0x4fc0c000):           # the registry's two headers (gdb stub)
        m.write_phys(copy, b"\x5a" * 64)
    m.reset()
    m.expect_line(r"boot: warm \(external reset\), boot 2, .*")
    m.expect_line(r"pmm: bank kept, \d+ blocks?")
    m.expect_line(r"hr: registry invalid \(copy A: bad magic; copy B: bad magic\), "
                  r"re-initialised empty")
    m.expect_line(r"cinit: HR holds no groups from before this warm boot: arun -g lines run")
    m.expect_line(r"sysadm: arun -g 1 hello")
    m.expect_line(r"started hello, aid \d+, group 1")
    m.expect_line(r"hr: group 1 ended cleanly")
    assert "counter: resumed" not in m.text


def test_damaged_directory_keeps_the_groups(boot):
    """A damaged PMM header re-initialises the directory but not HR's registry: HR brings
    group 3 back (its block is new: the counter starts again) and C_INIT skips the boot
    script's arun -g lines."""
    m = boot_console(boot)
    m.sendline("arun -g 3 counter 200")
    m.expect(r"counter: 1\r?\n")
    m.write_phys(0x4fc01000, b"\x5a" * 64)          # the PMM header (gdb stub)
    m.reset()
    m.expect_line(r"boot: warm \(external reset\), boot 2, .*")
    m.expect_line(r"pmm: bank invalid \(header magic\), initialised")
    m.expect_line(r"hr: restarting group 3 after the site restart")
    m.expect_line(r"counter: 1")
    assert "cinit: HR holds no groups" not in m.text


def test_calculator_driven_line_by_line(boot):
    """calc, an interpreter reading stdin (full newlib: %g; libm): a burst of lines typed at
    once all come back evaluated, in order, none lost or split and none run by the shell
    (the kernel echoes typed-ahead lines as they come, as a terminal does, so results may
    follow an echo on its line);
    a 1000-character line is read whole; editing works; Ctrl-D ends it and the console
    returns to C_INIT."""
    m = boot_console(boot)
    m.sendline("arun calc")
    m.expect_line(r"started calc, aid (\d+)")
    m.expect("> ")
    rng = random.Random(7)
    values = [rng.randint(1, 10**6) for _ in range(40)]
    m.send("".join(f"v{i} = {v} * 2\r" for i, v in enumerate(values)))
    for i, v in enumerate(values):     # the echo of lines typed ahead may come in between
        m.expect(rf"v{i} = {2 * v}\n")
    m.sendline("sqrt(2) ^ 2 + floor(7.9) + pow(2, 10) + fmod(7.5, 2)")
    m.expect_line(r"(?:> )?1034\.5")
    m.sendline("+".join(["1"] * 500))                      # 999 characters
    m.expect_line(r"(?:> )?500")
    m.send("aps\b\b\b1+\x15" "2*3\r")                   # backspace, ctrl-U
    m.expect_line(r"(?:> )?6")
    m.sendline("vars")
    m.expect_line(r"(?:> )?40 variables")
    m.sendline("1 +")
    m.expect_line(r"(?:> )?calc: column 4: unexpected end of line")
    m.send("\x04")
    m.expect_line(r"(?:> )?calc: bye")
    m.expect_line(r"kernel: calc \(aid \d+\) exited with status 0")
    m.expect(PROMPT)                                        # the console is C_INIT's again
    assert "unknown command" not in m.text
    m.sendline("help ls")
    m.expect_line(r"usage: ls")
