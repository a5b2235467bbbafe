"""The archive's stores and the Dask executor, each as a ratio measured in one run:

- ``archive add`` of N records into SQLite and into PostgreSQL (records/s; PostgreSQL / SQLite);
- ``diff --replay`` of that archive on a Dask LocalCluster of ``--workers`` single-threaded worker
  processes, against the local process pool of as many workers (``-j``).

Every figure is a whole ``checkengine`` process (start-up included), on records written by
``examples/generate.py --scale N`` (bench_batch.py's fallback generator when it is missing), in a
folder under ``rulebooks/leave-and-swaps.yaml`` (records of kinds it does not check are left out,
so records/s counts the N generated records). Runs of the two sides interleave (the order rotates
each round); figures are medians of ``--rounds``, as wall time and as CPU time of every process
involved: for PostgreSQL the throw-away server's processes too, for Dask the client process and
the whole cluster (scheduler, nannies, workers), which runs in a process of its own here.

Checked before the figures count (a failed check is exit 1): the two stores archive the same number of records, groups and
unusable records, and ``archive query --outcome fail --format json`` gives the same rows from both
(run numbers and start times aside), after the first round; the replay on Dask and on the pool
write the same impact report, before the replay is timed.

The PostgreSQL server is a throw-away cluster on a Unix socket started here (the tests'
tests/pgcluster.py: as root it runs as the ``postgres`` user) with fsync off, so the figure is the
store's own cost, not the disk's; each round archives into a new database. ``--postgresql URL``
measures a real server instead (every round then adds a run to that one database). Not a test:
nothing is asserted about a time.

    .venv/bin/python benchmarks/bench_archive.py                  # 100,000 records, 3 rounds
    .venv/bin/python benchmarks/bench_archive.py --records 20000 --rounds 1 --json figures.json
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tests"))  # pgcluster.py, the tests' throw-away PostgreSQL

import bench_batch  # noqa: E402 - the generator and the rulebook overlay are shared
import measure  # noqa: E402

# A LocalCluster in a process of its own, so that its CPU can be told apart from this script's
# (which samples /proc while a command runs). It prints its address and lives until stdin closes.
CLUSTER = """
import sys
import distributed

with distributed.LocalCluster(n_workers=int(sys.argv[1]), threads_per_worker=1, processes=True,
                              dashboard_address=None) as cluster:
    print(cluster.scheduler_address, flush=True)
    sys.stdin.read()
"""


def fails(db: str, folder: Path) -> list[str]:
    """The archive's failed outcomes as sorted JSON texts, without the run's number and start time."""
    out = measure.run(["archive", "query", "--db", db, "--outcome", "fail", "--format", "json"], cwd=folder).stdout
    rows = json.loads(out)
    for row in rows:
        row.pop("run", None)
        row.pop("run_started_at", None)
    return sorted(json.dumps(row, sort_keys=True, ensure_ascii=False) for row in rows)


def archived(run: measure.Run) -> str:
    """'run N archived: X records, Y aggregate groups, Z unusable' without the run number and the place."""
    line = next((line for line in (run.stdout + run.stderr).splitlines() if " archived: " in line), "")
    return line.split(" archived: ", 1)[-1].rsplit(", in ", 1)[0]


def print_rows(rows: list[tuple[str, float, float, float]], records: int) -> None:
    print(f"    {'':44} {'wall':>8} {'records/s':>10} {'CPU':>8} {'records/s':>10} {'CPU spread':>10}")
    for label, wall, cpu, spread in rows:
        print(f"    {label:44} {wall:7.2f}s {records / wall:10,.0f} {cpu:7.2f}s {records / cpu:10,.0f} "
              f"{100 * spread:9.1f}%")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2,
                        help="archive add -j, the local pool's and the Dask cluster's workers (default 2)")
    parser.add_argument("--rulebook", type=Path, default=bench_batch.DEFAULT_RULEBOOK)
    parser.add_argument("--postgresql", metavar="URL", default=None,
                        help="a database to archive into (default: a throw-away local cluster)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    opts, _ = parser.parse_known_args(argv)  # benchmarks/run.py passes its arguments to everyone
    n, workers = opts.records, str(opts.workers)
    # stopped by kill: still stop the PostgreSQL and Dask clusters started here (the finally below)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    folder = Path(tempfile.mkdtemp(prefix="bench-archive-"))
    cluster: Any = None
    dask: subprocess.Popen[str] | None = None
    figures: dict[str, Any] = {"records": n, "rounds": opts.rounds, "workers": opts.workers, "benchmarks": {}}
    try:
        data = bench_batch.records(folder, n).parent
        book = str(opts.rulebook)
        url, pg_note = opts.postgresql, "given by --postgresql"
        if url is None:
            from pgcluster import Cluster, Unavailable

            try:
                cluster = Cluster()
                cluster.start()
                pg_note = "a throw-away local cluster (fsync off)"
            except Unavailable as exc:
                cluster, pg_note = None, f"not measured: {exc}"
        with_pg = url is not None or cluster is not None
        print(f"bench_archive: {n:,} generated records, rulebook {opts.rulebook.name}, {opts.workers} workers; "
              f"PostgreSQL {pg_note}; whole processes, medians of {opts.rounds} interleaved rounds; {measure.load()}")

        # -- archive add: SQLite and PostgreSQL ----------------------------------------------------
        made: dict[str, list[str]] = {"SQLite": [], "PostgreSQL": []}

        def add(store: str) -> Callable[[], measure.Run]:
            def go() -> measure.Run:
                if store == "SQLite":
                    db = str(folder / f"archive-{len(made[store]) + 1}.sqlite")
                else:
                    db = url if cluster is None else cluster.new_database()
                made[store].append(db)
                return measure.run(["archive", "add", "-r", book, str(data), "--db", db, "-j", workers], cwd=folder,
                                   outside=server if store == "PostgreSQL" else None)
            return go

        server = None
        if cluster is not None:  # the server's CPU counts too: its postmaster and every backend below it
            server = measure.OutsideCpu(int((cluster.data / "postmaster.pid").read_text().split()[0]))

        adds = {store: add(store) for store in (("SQLite", "PostgreSQL") if with_pg else ("SQLite",))}
        stores = measure.Sides()
        stores.measure(adds, 1)  # the first round, then the check, then the others
        first = {store: runs[0] for store, runs in stores.runs.items()}
        check: dict[str, Any] = {"archived": {store: archived(run) for store, run in first.items()}}
        if with_pg:
            sqlite_fails, pg_fails = fails(made["SQLite"][0], folder), fails(made["PostgreSQL"][0], folder)
            check["failed_outcomes"] = len(sqlite_fails)
            check["checked"] = (len(set(check["archived"].values())) == 1 and sqlite_fails == pg_fails
                                and len(sqlite_fails) > 0 and bool(check["archived"]["SQLite"]))
        else:
            check["checked"] = bool(check["archived"]["SQLite"])
        print(f"  archive add: both stores archived {check['archived']['SQLite']}"
              + (f"; the same {check['failed_outcomes']:,} failed outcomes in both" if with_pg else "")
              if check["checked"] else f"  archive add: the stores disagree: {check}")
        row: dict[str, Any] = dict(check)
        if check["checked"]:
            if opts.rounds > 1:
                stores.measure(adds, opts.rounds - 1)
            table = [(f"archive add -j {workers} -> {store}", stores.wall(store), stores.cpu(store),
                      stores.spread(store)) for store in adds]
            print_rows(table, n)
            for label, wall, cpu, spread in table:
                row[label.rsplit("-> ", 1)[1]] = {"wall_s": wall, "cpu_s": cpu, "records_per_s_wall": n / wall,
                                                  "records_per_s_cpu": n / cpu, "cpu_spread": spread}
            if with_pg:
                row["ratio_wall"] = stores.wall("SQLite") / stores.wall("PostgreSQL")
                row["ratio_cpu"] = stores.cpu("SQLite") / stores.cpu("PostgreSQL")
                print(f"    throughput PostgreSQL / SQLite: {row['ratio_wall']:.2f} (wall), {row['ratio_cpu']:.2f} (CPU, "
                      + ("the server's processes included)" if server is not None else "of checkengine alone: the "
                         "given server's CPU cannot be seen from here)"))
        figures["benchmarks"]["archive_add"] = row

        # -- diff --replay: Dask LocalCluster and the local process pool ---------------------------
        archive = made["SQLite"][0]
        changed = bench_batch.overlay(folder, opts.rulebook)
        with (folder / "dask.log").open("w") as logs:
            dask = subprocess.Popen([sys.executable, "-c", CLUSTER, workers], stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, stderr=logs, text=True, cwd=folder)
        assert dask.stdout is not None
        address = dask.stdout.readline().strip()
        if not address:
            raise SystemExit(f"the Dask LocalCluster did not start:\n{(folder / 'dask.log').read_text()[-3000:]}")
        outside = measure.OutsideCpu(dask.pid)

        def replay(where: str) -> Callable[[], measure.Run]:
            how = ["-j", workers] if where == "pool" else ["--executor", "dask", "--scheduler", address]
            args = ["diff", book, str(changed), "--replay", archive, *how, "-f", "json",
                    "-o", str(folder / f"impact-{where}.json")]
            return lambda: measure.run(args, cwd=folder, outside=outside if where == "dask" else None)

        replays = {"pool": replay("pool"), "dask": replay("dask")}
        warm = {where: go() for where, go in replays.items()}
        impacts = {where: json.loads((folder / f"impact-{where}.json").read_text("utf-8")) for where in replays}
        same = impacts["pool"] == impacts["dask"] and warm["pool"].code == warm["dask"].code
        summary = impacts["pool"]["replay"]
        row = {"checked": same, "replayed_records": summary["records"], "changed_records": summary["changed_records"]}
        if not same:
            print("  diff --replay: Dask and the local pool wrote different impact reports; not timed")
        else:
            print(f"  diff --replay: the same impact report on Dask and on the local pool ({summary['records']:,} "
                  f"records replayed, {summary['changed_records']:,} change outcome)")
            runs = measure.Sides()
            runs.measure(replays, opts.rounds)
            table = [(f"diff --replay, local pool -j {workers}", runs.wall("pool"), runs.cpu("pool"),
                      runs.spread("pool")),
                     (f"diff --replay, Dask LocalCluster ({workers} workers)", runs.wall("dask"), runs.cpu("dask"),
                      runs.spread("dask"))]
            print_rows(table, n)
            for (_, wall, cpu, spread), where in zip(table, ("local pool", "Dask LocalCluster")):
                row[where] = {"wall_s": wall, "cpu_s": cpu, "records_per_s_wall": n / wall,
                              "records_per_s_cpu": n / cpu, "cpu_spread": spread}
            row["ratio_wall"] = runs.wall("pool") / runs.wall("dask")
            row["ratio_cpu"] = runs.cpu("pool") / runs.cpu("dask")
            print(f"    throughput Dask LocalCluster / local pool: {row['ratio_wall']:.2f} (wall), "
                  f"{row['ratio_cpu']:.2f} (CPU, the cluster's processes included)")
        figures["benchmarks"]["replay"] = row
        print(f"  {measure.load()} at the end")
        if opts.json is not None:
            opts.json.write_text(json.dumps(figures, indent=2) + "\n", "utf-8")
        if not all(row["checked"] for row in figures["benchmarks"].values()):
            return 1  # a check failed: the sides did not do the same work
    finally:
        if dask is not None:
            if dask.stdin is not None:
                dask.stdin.close()
            try:
                dask.wait(timeout=60)
            except subprocess.TimeoutExpired:
                dask.kill()
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
