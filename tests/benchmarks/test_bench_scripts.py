"""Every benchmarks/bench_*.py runs end to end at its tiny size (benchmarks/run.py's QUICK, what
``run.py --quick`` runs) and prints its figures.

Nothing here looks at a time (benchmarks are read, not asserted): the point is that `make bench`
does not rot. A new benchmark must be given its tiny arguments in run.py's QUICK and the line it
must print in EXPECTED here; the benchmarks that compare two sides and write their figures as JSON
are checked more closely in test_bench_ratios.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = ROOT / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

from run import QUICK  # noqa: E402

# script -> a line it must print (None: run and checked by test_bench_ratios.py)
EXPECTED: dict[str, str | None] = {
    "bench_archive.py": None,
    "bench_actions.py": "the same run again",
    "bench_audit.py": "ratio: ",
    "bench_baseline.py": None,
    "bench_batch.py": "scaling 1 -> ",
    "bench_conditions.py": "building one context (per record)",
    "bench_cs_floor.py": "every side agreed on every outcome",
    "bench_dask.py": "client peak leave-and-swaps, ",
    "bench_evaluate.py": "% of the hand-written speed",
    "bench_forms.py": "ratio: ",
    "bench_lint.py": "lint 1,000 rules",
    "bench_lookups.py": "bench_lookups: the example month",
    "bench_output.py": "the garbage collector's share of the -f summary run",
    "bench_replay.py": "diff --replay (both rulebooks)",
    "bench_roster.py": "fixed roster, growth per record 20 -> 200",
    "bench_serve.py": "zero lost, zero duplicated",
}
SLOW = {"bench_audit.py", "bench_batch.py", "bench_forms.py", "bench_lint.py"}
SLOW |= {"bench_dask.py"}  # starts a Dask LocalCluster


SCRIPTS = sorted(p.name for p in BENCHMARKS.glob("bench_*.py"))


def test_every_benchmark_has_tiny_arguments() -> None:
    assert [name for name in SCRIPTS if name not in QUICK or name not in EXPECTED] == []


@pytest.mark.parametrize("script", [pytest.param(name, marks=[pytest.mark.slow] if name in SLOW else [])
                                    for name in SCRIPTS if EXPECTED.get(name)])
def test_benchmark_runs_end_to_end(script: str) -> None:
    expected = EXPECTED[script]
    assert expected is not None
    done = subprocess.run([sys.executable, str(BENCHMARKS / script), *QUICK[script]], cwd=ROOT, capture_output=True,
                          text=True, timeout=600, env={**os.environ, "CI": "true"})
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert expected in done.stdout, done.stdout
