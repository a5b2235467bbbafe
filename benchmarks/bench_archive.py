"""The archive's stores and the Dask executor: ``archive add`` of N records into SQLite and into
PostgreSQL (records/s), and ``diff --replay`` of that archive on a Dask LocalCluster next to the
local process pool, all in one run on the same records.

Every figure is a whole ``checkengine`` process (start-up included), on records written by
``examples/generate.py --scale N`` (bench_batch.py's fallback generator when it is missing). The
PostgreSQL server is a throw-away cluster on a Unix socket (the tests' tests/pgcluster.py: as
root it runs as the ``postgres`` user), with fsync off - so the figure is the store's own cost,
not the disk's; give ``--postgresql URL`` to measure a real server instead. The Dask cluster is a
LocalCluster with one single-threaded worker process per core, started here.

    .venv/bin/python benchmarks/bench_archive.py                  # 100,000 records
    .venv/bin/python benchmarks/bench_archive.py --records 20000  # quicker

Not a test: nothing is asserted; read the figures and the ratios. Each command runs ``--repeat``
times (default 1) and the fastest counts.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tests"))

from bench_batch import DEFAULT_RULEBOOK, Run, overlay, records, run  # noqa: E402


def best(make_args: Callable[[], list[str]], folder: Path, repeat: int) -> Run:
    """The fastest of *repeat* runs; *make_args* is called before each (a fresh archive each time)."""
    return min((run(make_args(), cwd=folder) for _ in range(max(1, repeat))), key=lambda r: r.seconds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--rulebook", type=Path, default=DEFAULT_RULEBOOK)
    parser.add_argument("--postgresql", metavar="URL", default=None,
                        help="an empty database to archive into (default: a throw-away local cluster)")
    parser.add_argument("--repeat", type=int, default=1)
    opts, _ = parser.parse_known_args(argv)  # benchmarks/run.py passes its arguments to everyone
    cores = len(os.sched_getaffinity(0))
    folder = Path(tempfile.mkdtemp(prefix="bench-archive-"))
    cluster = None
    try:
        data = records(folder, opts.records)
        book = str(opts.rulebook)
        url = opts.postgresql
        if url is None:
            from pgcluster import Cluster

            cluster = Cluster()
            cluster.start()
        db = folder / "archive.sqlite"

        def into_sqlite() -> list[str]:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            return ["archive", "add", "-r", book, str(data), "--db", str(db), "-j", str(cores)]

        def into_postgresql() -> list[str]:
            target = url if cluster is None else cluster.new_database()
            assert target is not None
            return ["archive", "add", "-r", book, str(data), "--db", target, "-j", str(cores)]

        print(f"bench_archive: {opts.records:,} records, rulebook {opts.rulebook.name}, {cores} cores; "
              f"PostgreSQL {'given' if opts.postgresql else 'a throw-away cluster (fsync off)'}")
        rows = []
        sqlite_add = best(into_sqlite, folder, opts.repeat)
        rows.append((f"archive add {opts.records:,} -> SQLite", sqlite_add))
        pg_add = best(into_postgresql, folder, 1 if opts.postgresql else opts.repeat)
        rows.append((f"archive add {opts.records:,} -> PostgreSQL", pg_add))
        changed = overlay(folder, opts.rulebook)
        replay = ["diff", book, str(changed), "--replay", str(db), "-f", "json", "-o", str(folder / "impact.json")]
        pool = best(lambda: [*replay, "-j", str(cores)], folder, opts.repeat)
        rows.append((f"diff --replay, local pool of {cores}", pool))
        import distributed

        with distributed.LocalCluster(n_workers=cores, threads_per_worker=1, processes=True,
                                      dashboard_address=None) as dask:
            on_dask = best(lambda: [*replay, "--executor", "dask", "--scheduler", dask.scheduler_address], folder,
                           opts.repeat)
        rows.append((f"diff --replay, Dask LocalCluster ({cores} workers)", on_dask))
        print(f"  {'':46} {'wall':>8} {'records/s':>10} {'tree peak':>10}")
        for label, r in rows:
            print(f"  {label:46} {r.seconds:7.1f}s {opts.records / r.seconds:10,.0f} {r.tree_peak_mib:8.0f}MiB")
        print(f"  PostgreSQL / SQLite archive add throughput: {sqlite_add.seconds / pg_add.seconds:.2f}x")
        print(f"  Dask LocalCluster / local pool replay throughput: {pool.seconds / on_dask.seconds:.2f}x")
    finally:
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
