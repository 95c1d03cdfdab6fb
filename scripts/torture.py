#!/usr/bin/python3
"""make torture: runs every torture campaign (tests/torture/) with a seed, prints a table and
writes build/<board>/torture.json; exits non-zero when any finding was made."""
import argparse
import importlib
import json
import os
import random
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "torture"))
sys.path.insert(0, str(ROOT / "tests" / "qemu"))
from common import SCALES, Campaign, job_seed, run_job  # noqa: E402
from reprise import Board  # noqa: E402


def campaigns() -> list[Campaign]:
    """Every module of tests/torture/ that defines CAMPAIGN, in file name order."""
    found = []
    for path in sorted((ROOT / "tests" / "torture").glob("*.py")):
        if path.stem == "common":
            continue
        module = importlib.import_module(path.stem)
        if hasattr(module, "CAMPAIGN"):
            found.append(module.CAMPAIGN)
    return found


def _job(name: str, index: int, seed: int, params: dict, board_name: str, log: str):
    """One job in a worker process (campaigns are looked up again there by name)."""
    campaign = next(c for c in campaigns() if c.name == name)
    Path(log).write_text("")
    start = time.monotonic()
    figures, failures = run_job(campaign, index, seed, params, Board(board_name), Path(log))
    return figures, failures, time.monotonic() - start


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--board", default="virt")
    ap.add_argument("--seed", type=int, default=int(os.environ["SEED"]) if os.environ.get("SEED")
                    else None, help="the run's seed (default: $SEED, else a new one)")
    ap.add_argument("--scale", choices=SCALES, default="full")
    ap.add_argument("--only", default=os.environ.get("ONLY", ""),
                    help="campaign names separated by commas or blanks (default: all)")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                    help="jobs run at once (default: one a core)")
    ap.add_argument("--out", help="JSON output (default build/<board>/torture.json)")
    args = ap.parse_args()

    board = Board(args.board)
    seed = args.seed if args.seed is not None else random.SystemRandom().getrandbits(31)
    chosen = campaigns()
    if args.only:
        names = set(args.only.replace(",", " ").split())
        unknown = names - {c.name for c in chosen}
        if unknown:
            sys.exit(f"torture: no campaign {', '.join(sorted(unknown))}; there are "
                     f"{', '.join(c.name for c in chosen)}")
        chosen = [c for c in chosen if c.name in names]
    log_dir = board.build_dir / "torture-logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    print(f"torture: seed {seed} (make torture SEED={seed} runs the same again), "
          f"scale {args.scale}, logs in {log_dir.relative_to(ROOT)}", flush=True)

    jobs = []
    for c in chosen:
        for index, params in enumerate(c.jobs(args.scale)):
            s = job_seed(seed, c.name, index)
            jobs.append((c, index, s, params, log_dir / f"{c.name}-{index}.log"))
    figures = {c.name: {} for c in chosen}
    failures: list[str] = []
    wall = {c.name: 0.0 for c in chosen}
    start = time.monotonic()
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        running = {pool.submit(_job, c.name, i, s, p, board.name, str(log)): (c, i, s, log)
                   for c, i, s, p, log in jobs}
        for done in as_completed(running):
            c, i, s, log = running[done]
            f, fails, seconds = done.result()
            for name, value in f.items():
                figures[c.name][name] = figures[c.name].get(name, 0) + value
            failures += fails
            wall[c.name] += seconds
            state = "ok" if not fails else f"{len(fails)} failure(s), log {log.relative_to(ROOT)}"
            print(f"torture: {c.name} job {i} seed {s}: {state} ({seconds:.0f} s)", flush=True)

    table = {"torture_seed": seed}
    bad = []
    for c in chosen:
        table.update(figures[c.name])
        table[f"{c.name}_jobs_count"] = sum(1 for j in jobs if j[0] is c)
        table[f"{c.name}_wall_s"] = round(wall[c.name], 1)
        bad += [z for z in c.zero if figures[c.name].get(z, 0) != 0]
    table["torture_failures_count"] = len(failures)
    table["torture_wall_s"] = round(time.monotonic() - start, 1)

    width = max(len(n) for n in table)
    for name, value in table.items():
        mark = "  <- must be 0" if name in bad else ""
        print(f"  {name:<{width}}  {value:>14,}{mark}")
    out = Path(args.out) if args.out else board.build_dir / "torture.json"
    out.write_text(json.dumps(table, indent=2) + "\n")
    print(f"torture: wrote {out}")
    for f in failures:
        print(f"torture: FAILURE {f}")
    if failures or bad:
        print(f"torture: {len(failures)} failure(s); re-run with SEED={seed}")
        return 1
    print("torture: no finding")
    return 0


if __name__ == "__main__":
    sys.exit(main())
