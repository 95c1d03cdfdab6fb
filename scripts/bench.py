#!/usr/bin/python3
"""make bench: boots kernel and bench images under exact -icount, collects figures, writes JSON."""
import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "qemu"))
from reprise import Board, HarnessError, Machine  # noqa: E402
import benchsvg  # noqa: E402

NAME = re.compile(r"[a-z][a-z0-9_]*")
NUMBER = r"-?\d+(?:\.\d+)?"


def as_number(text):
    return float(text) if "." in text else int(text)


def elf_size(elf, prefix):
    """<prefix>_{text,data,bss}_bytes of an ELF file, from arm-none-eabi-size's Berkeley output."""
    out = subprocess.run(["arm-none-eabi-size", "-B", str(elf)], check=True, capture_output=True,
                         text=True).stdout.splitlines()
    text, data, bss = (int(v) for v in out[1].split()[:3])
    return {f"{prefix}_text_bytes": text, f"{prefix}_data_bytes": data, f"{prefix}_bss_bytes": bss}


def bench_kernel_size(board, kernel):
    """kernel_{text,data,bss}_bytes."""
    return elf_size(kernel, "kernel")


def bench_hello_size(board):
    """hello_{text,data,bss}_bytes: the seed actor linked with newlib-nano and libc-glue."""
    return elf_size(board.build_dir / "apps" / "hello.elf", "hello")


def bench_cold_boot(board, kernel, log_dir):
    """cold_boot_banner_ns: virtual time from power-on to the cold boot banner's clock read."""
    with Machine(board, kernel, icount=True, log_path=log_dir / "cold_boot.log",
                 name="cold boot") as m:
        ns = m.expect_line(r"boot: cold, boot 1, .*, (\d+) ns since power-on").group(1)
    return {"cold_boot_banner_ns": int(ns)}


def bench_image(board, image, log_dir):
    """Every `bench: <name> <number>` line a bench image prints, up to `bench: done`.
    Names are snake_case and end in their unit (null_syscall_ns, restart_16_actors_ns)."""
    figures = {}
    with Machine(board, image, icount=True, log_path=log_dir / f"{image.stem}.log",
                 name=image.stem) as m:
        while True:
            line = m.expect_line(r"bench: (.*)").group(1).strip()
            if line == "done":
                return figures
            fields = line.split()
            if (len(fields) != 2 or not NAME.fullmatch(fields[0])
                    or not re.fullmatch(NUMBER, fields[1])):
                raise HarnessError(f"{image}: bad bench line 'bench: {line}'")
            figures[fields[0]] = as_number(fields[1])


def bench_site_1g(name, log_dir):
    """site_restart_1g_ns: the site restart bench (benchhrsite) on the board's 1 GiB variant,
    board.mk BOARD_BENCH_1G (the Makefile builds its image)."""
    board = Board(name)
    figures = bench_image(board, board.image("benchhrsite"), log_dir / name)
    return {"site_restart_1g_ns": figures["site_restart_ns"]}


def print_table(figures):
    width = max(len(name) for name in figures)
    for name, value in figures.items():
        print(f"  {name:<{width}}  {value:>14,}")


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--board", default="virt")
    ap.add_argument("--kernel", help="kernel ELF (default build/<board>/reprise.elf)")
    ap.add_argument("--out", help="JSON output (default build/<board>/bench.json)")
    ap.add_argument("--board-1g", help="the board's 1 GiB variant: its site restart too")
    args = ap.parse_args()

    board = Board(args.board)
    kernel = ROOT / args.kernel if args.kernel else board.kernel
    out = Path(args.out) if args.out else board.build_dir / "bench.json"
    log_dir = board.build_dir / "bench-logs"
    for log in log_dir.glob("**/*.log"):
        log.unlink()

    figures = {}
    figures.update(bench_kernel_size(board, kernel))
    figures.update(bench_hello_size(board))
    figures.update(bench_cold_boot(board, kernel, log_dir))
    for image in sorted(board.images_dir.glob("bench*.elf")):     # none yet: skipped
        for name, value in bench_image(board, image, log_dir).items():
            if name in figures:
                raise HarnessError(f"{image}: figure {name} reported twice")
            figures[name] = value

    if args.board_1g:
        (log_dir / args.board_1g).mkdir(parents=True, exist_ok=True)
        figures.update(bench_site_1g(args.board_1g, log_dir))

    figures = dict(sorted(figures.items()))
    print(f"bench: board {board.name}, -icount shift=0 (1 instruction = 1 ns), "
          f"logs in {log_dir.relative_to(ROOT) if log_dir.is_relative_to(ROOT) else log_dir}")
    print_table(figures)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"bench: wrote {out}")
    benchsvg.draw(figures, out.with_suffix(".svg"), board.name)
    print(f"bench: drew {out.with_suffix('.svg')}")


if __name__ == "__main__":
    try:
        main()
    except (HarnessError, AssertionError, subprocess.CalledProcessError) as e:
        sys.exit(f"bench: {e}")
