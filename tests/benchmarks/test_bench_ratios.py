"""The benchmarks that compare two sides in one run (benchmarks/bench_baseline.py: this checkout
against a git ref; benchmarks/bench_archive.py: PostgreSQL against SQLite, Dask against the local
pool) run end to end at their tiny size, make their correctness checks, and give every ratio.

Nothing here looks at a time or at a ratio's value: benchmarks are read, not asserted. What can
fail is the machinery - a baseline that is not what is imported, stores that archive different
outcomes, a Dask replay whose impact report differs from the local one, a side that is not run.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = ROOT / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

from run import QUICK  # noqa: E402

pytestmark = pytest.mark.slow


def figures(tmp_path: Path, script: str, *extra: str) -> dict[str, Any]:
    out = tmp_path / "figures.json"
    done = subprocess.run([sys.executable, str(BENCHMARKS / script), *QUICK[script], *extra, "--json", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600, env={**os.environ, "CI": "true"})
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    result: dict[str, Any] = json.loads(out.read_text("utf-8"))
    return result


def assert_ratios(row: dict[str, Any], sides: tuple[str, str]) -> None:
    assert row["checked"] is True, row
    for side in sides:
        assert row[side]["records_per_s_wall"] > 0 and row[side]["records_per_s_cpu"] > 0, row
    for ratio in ("ratio_wall", "ratio_cpu"):
        assert math.isfinite(row[ratio]) and row[ratio] > 0, row


def test_baseline_against_head_runs_both_sides_on_the_same_records(tmp_path: Path) -> None:
    inside = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--verify", "HEAD"], capture_output=True)
    if inside.returncode != 0:
        pytest.skip("bench_baseline.py needs the checkout's git history (this is not a git checkout)")
    result = figures(tmp_path, "bench_baseline.py", "--baseline", "HEAD")
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, check=True)
    assert result["baseline"] == head.stdout.strip()
    assert set(result["benchmarks"]) == {"evaluate", "batch"}
    for row in result["benchmarks"].values():
        assert_ratios(row, ("baseline", "this checkout"))


def test_bad_baseline_ref_is_one_message_and_exit_2() -> None:
    done = subprocess.run([sys.executable, str(BENCHMARKS / "bench_baseline.py"), "--baseline", "no-such-ref-xyz"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "no-such-ref-xyz" in done.stderr and "Traceback" not in done.stderr


def test_archive_stores_and_dask_replay_agree_and_give_ratios(tmp_path: Path) -> None:
    from pgcluster import Cluster, Unavailable  # tests/pgcluster.py, as bench_archive.py uses it

    try:
        Cluster().stop()
        with_pg = True
    except Unavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set and PostgreSQL cannot run here: {exc}", pytrace=False)
        with_pg = False
    result = figures(tmp_path, "bench_archive.py")
    add, replay = result["benchmarks"]["archive_add"], result["benchmarks"]["replay"]
    if with_pg:
        assert_ratios(add, ("SQLite", "PostgreSQL"))
        assert add["failed_outcomes"] > 0
        assert len(set(add["archived"].values())) == 1, add
    else:
        assert add["checked"] is True and "PostgreSQL" not in add
    assert_ratios(replay, ("local pool", "Dask LocalCluster"))
    assert replay["replayed_records"] > 0
