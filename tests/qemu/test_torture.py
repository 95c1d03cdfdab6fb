"""Smoke runs of the torture campaigns (tests/torture/): each campaign at its small scale, so
that `make test` catches a regression that `make torture` would find. SEED=N re-runs a
campaign's smoke jobs with that seed (default 1, so that every `make test` is the same)."""
import importlib
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "torture"))
from common import job_seed, run_job  # noqa: E402

TORTURE = Path(__file__).resolve().parents[1] / "torture"
CAMPAIGNS = {m.CAMPAIGN.name: m.CAMPAIGN for m in
             (importlib.import_module(p.stem) for p in sorted(TORTURE.glob("*.py"))
              if p.stem != "common")
             if hasattr(m, "CAMPAIGN")}
SEED = int(os.environ.get("SEED") or 1)


@pytest.mark.parametrize("name", sorted(CAMPAIGNS))
def test_torture_smoke(name, board, log_path):
    campaign = CAMPAIGNS[name]
    failures, totals = [], {}
    for index, params in enumerate(campaign.jobs("smoke")):
        seed = job_seed(SEED, name, index)
        figures, fails = run_job(campaign, index, seed, params, board, log_path)
        failures += fails
        for k, v in figures.items():
            totals[k] = totals.get(k, 0) + v
    print(f"torture {name} smoke, SEED={SEED}: {totals}")
    assert not failures, "\n".join(failures)
    assert all(totals.get(z) == 0 for z in campaign.zero), totals
