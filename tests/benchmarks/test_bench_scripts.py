"""Every benchmarks/bench_*.py runs end to end on a tiny input and prints its figures.

Nothing here looks at a time (benchmarks are read, not asserted): the point is that `make bench`
does not rot. A new benchmark must be given its tiny arguments in TINY.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = ROOT / "benchmarks"

# script -> (tiny arguments, a line it must print)
TINY: dict[str, tuple[list[str], str]] = {
    "bench_archive.py": (["--records", "300"], "Dask LocalCluster / local pool replay throughput: "),
    "bench_actions.py": (["--records", "200"], "the same run again"),
    "bench_audit.py": (["--runs", "1"], "ratio: "),
    "bench_batch.py": (["--records", "300", "--repeat", "1"], "scaling 1 -> "),
    "bench_conditions.py": (["50", "1"], "building one context (per record)"),
    "bench_cs_floor.py": (["--records", "150", "--rounds", "1"], "every side agreed on every outcome"),
    "bench_evaluate.py": (["50", "1"], "% of the hand-written speed"),
    "bench_forms.py": (["1"], "ratio: "),
    "bench_lint.py": (["--runs", "1"], "lint 1,000 rules"),
    "bench_lookups.py": (["1"], "bench_lookups: the example month"),
    "bench_output.py": (["--records", "100", "--rounds", "1"], "the garbage collector's share of the -f summary run"),
    "bench_replay.py": (["--records", "200", "--rounds", "1"], "diff --replay (both rulebooks)"),
    "bench_roster.py": (["--records", "200", "--rounds", "1"], "fixed roster, growth per record 20 -> 200"),
}
SLOW = {"bench_archive.py", "bench_audit.py", "bench_batch.py", "bench_forms.py", "bench_lint.py"}


SCRIPTS = sorted(p.name for p in BENCHMARKS.glob("bench_*.py"))


def test_every_benchmark_has_tiny_arguments() -> None:
    assert [name for name in SCRIPTS if name not in TINY] == []


@pytest.mark.parametrize("script", [pytest.param(name, marks=[pytest.mark.slow] if name in SLOW else [])
                                    for name in SCRIPTS if name in TINY])
def test_benchmark_runs_end_to_end(script: str) -> None:
    args, expected = TINY[script]
    done = subprocess.run([sys.executable, str(BENCHMARKS / script), *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=600, env={**os.environ, "CI": "true"})
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert expected in done.stdout, done.stdout
