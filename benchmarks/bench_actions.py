"""Corrective actions: what opening them costs next to archiving the run they come from.

N generated records (``examples/generate.py --scale N``) are archived with ``add_batch`` (one
process, the inline executor: the store's and the engine's cost, no pool), then the run's failed
outcomes are turned into actions with ``process_run``; then the same records are archived again
as a second run, whose processing links nothing new (every record is linked already): the cost of
reading what is there. Figures for SQLite and a
throw-away PostgreSQL (tests/pgcluster.py, fsync off), as seconds and as the ratio to the archive
time, all in one run.

    .venv/bin/python benchmarks/bench_actions.py --records 20000

Not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tests"))

from bench_batch import DEFAULT_RULEBOOK, records  # noqa: E402


def measure(location: str, book_path: Path, data: Path) -> dict[str, float]:
    from checkengine.actions.tracker import process_run
    from checkengine.archive.add import add_batch
    from checkengine.archive.store import open_archive
    from checkengine.batch.executors import InlineExecutor
    from checkengine.batch.job import EngineSpec
    from checkengine.rulebook.load import load_rulebook

    spec = EngineSpec(load_rulebook(book_path))
    out: dict[str, float] = {}
    with open_archive(location, write=True) as archive:
        started = time.perf_counter()
        run, _ = add_batch(archive, spec, [data], InlineExecutor(), language="en")
        out["archive"] = time.perf_counter() - started
        started = time.perf_counter()
        found = process_run(archive, run)
        out["open"] = time.perf_counter() - started
        out["opened"] = len(found.opened) + len(found.failed_again)
        run2, _ = add_batch(archive, spec, [data], InlineExecutor(), language="en")
        started = time.perf_counter()
        process_run(archive, run2)
        out["again"] = time.perf_counter() - started
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--rulebook", type=Path, default=DEFAULT_RULEBOOK)
    opts, _ = parser.parse_known_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="bench-actions-"))
    data = records(folder, opts.records)
    from pgcluster import Cluster

    cluster = Cluster()
    cluster.start()
    try:
        for name, location in (("sqlite", str(folder / "a.sqlite")), ("postgresql", str(cluster.new_database()))):
            f = measure(location, opts.rulebook, data)
            print(f"{name:10} archive {f['archive']:6.2f} s; open {int(f['opened'])} actions/links "
                  f"{f['open']:5.2f} s ({f['open'] / f['archive']:.2f}x the archive); the same run again "
                  f"{f['again']:5.2f} s ({f['again'] / f['archive']:.2f}x)")
    finally:
        cluster.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
