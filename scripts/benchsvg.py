#!/usr/bin/python3
"""make bench's picture: restart latency against writable size and against blocks held, with
Linux's figures from the README's Benchmarks table beside them (matplotlib, Agg: no display).

Usage: scripts/benchsvg.py BENCH.JSON OUT.SVG (bench.py calls draw() after each run)."""
import json
import re
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
# Writable sizes of the restart_data_* benches (tests/actors/hrbd4k, hrbd64k, hrbd1m: that
# much .data, copied at every restart).
DATA_SIZES = {"restart_data_4k_ns": 4 << 10, "restart_data_64k_ns": 64 << 10,
              "restart_data_1m_ns": 1 << 20}


def linux_figures(readme):
    """{figure name: (ns, what Linux did)} from the Benchmarks table's comparison column, for
    the rows that name a figure and give Linux a time in us or ms."""
    out = {}
    for line in readme.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or "Linux" not in cells[2]:
            continue
        name = re.search(r"`([a-z0-9_]+_ns)`", cells[0])
        t = re.search(r"Linux ([^:]*): ([\d.]+) (us|ms)", cells[2])
        if name and t:
            out[name.group(1)] = (float(t.group(2)) * (1e3 if t.group(3) == "us" else 1e6),
                                  "Linux " + t.group(1))
    return out


def _sizes(n):
    """A byte count as the axis shows it."""
    return f"{n >> 20} MiB" if n >= 1 << 20 else f"{n >> 10} KiB" if n >= 1 << 10 else f"{n} B"


def draw(figures, out, board="virt", readme=ROOT / "README.md"):
    """Writes the two panels to out (SVG, reproducible: no date, fixed ids)."""
    linux = linux_figures(readme) if readme.is_file() else {}
    plt.rcParams["svg.hashsalt"] = "reprise-bench"
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.4))
    fig.suptitle(f"Reprise restart latency (make bench, virtual time under -icount; "
                 f"board {board})", fontsize=11)

    # Left: fault -> new main against the actor's writable size (.data + .bss).
    pts = []
    if "hot_restart_ns" in figures and "hello_data_bytes" in figures:
        pts.append((figures["hello_data_bytes"] + figures["hello_bss_bytes"],
                    figures["hot_restart_ns"], "hot_restart (hello)"))
    pts += [(size, figures[k], k.replace("_ns", "")) for k, size in DATA_SIZES.items()
            if k in figures]
    pts.sort()
    if pts:
        left.plot([p[0] for p in pts], [p[1] / 1e3 for p in pts], "o-", color="tab:blue",
                  label="Reprise: fault to the restarted main")
        for x, y, label in pts:
            left.annotate(f"{label}\n{y / 1e3:,.1f} us", (x, y / 1e3), fontsize=7,
                          textcoords="offset points", xytext=(4, 6))
    _linux_line(left, linux, "hot_restart_ns")
    left.set_xscale("log", base=2)
    left.set_yscale("log")
    ticks = [p[0] for p in pts]
    left.set_xticks(ticks, [_sizes(t) for t in ticks], fontsize=8)
    left.set_xlabel("writable size of the actor (.data + .bss)")
    left.set_ylabel("us (log)")
    left.set_title("against writable size", fontsize=10)
    left.set_ylim(top=_top([p[1] for p in pts], linux))
    left.legend(fontsize=7, loc="upper left")

    # Right: fault -> the restarted actor has all its blocks back, against blocks held.
    state = sorted((int(m.group(1)), v) for k, v in figures.items()
                   if (m := re.fullmatch(r"restart_state_(\d+)_ns", k)))
    if state:
        right.plot([n for n, _ in state], [v / 1e3 for _, v in state], "o-", color="tab:blue",
                   label="Reprise: fault to all blocks retrieved")
        for n, v in state:
            right.annotate(f"{v / 1e3:,.1f} us", (n, v / 1e3), fontsize=7,
                           textcoords="offset points", xytext=(4, 6))
        right.set_xticks([n for n, _ in state])
    else:
        right.set_xlim(0, 17)
        right.text(0.5, 0.55, "no restart_state_* figures in bench.json yet",
                   ha="center", va="center", transform=right.transAxes, fontsize=9)
    _linux_line(right, linux, "hot_restart_ns")
    right.set_yscale("log")
    right.set_xlabel("persistent blocks the actor holds")
    right.set_ylabel("us (log)")
    right.set_title("against blocks held", fontsize=10)
    right.set_ylim(top=_top([v for _, v in state], linux))
    right.legend(fontsize=7, loc="upper left")

    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, format="svg", metadata={"Date": None})
    plt.close(fig)


def _top(values, linux):
    """The top of a panel's us axis: room above its points and Linux's line for the legend."""
    return max(values + [linux.get("hot_restart_ns", (1e3,))[0]]) / 1e3 * 2.5


def _linux_line(ax, linux, name):
    """Linux's figure for name (README), as a dashed line; nothing when the README has none."""
    if name in linux:
        ns, what = linux[name]
        ax.axhline(ns / 1e3, color="tab:red", linestyle="--", linewidth=1,
                   label=f"{what}: {ns / 1e3:,.0f} us (README)")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    draw(json.loads(Path(sys.argv[1]).read_text()), Path(sys.argv[2]))
