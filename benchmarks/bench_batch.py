"""Batch evaluation at scale: records/s on one worker and on every core, flat memory, the archive,
and the rulebook-change replay over that archive.

Every figure is a whole ``checkengine`` process (start-up included, as a user runs it), on
records written by ``examples/generate.py --scale N`` (a fallback generator here when that
script is missing). Memory is the peak resident size of the whole process tree - the parent
and every worker - sampled from /proc every 50 ms, next to the largest single process as the
kernel reports it (``ru_maxrss`` of the waited-for tree). The point of the 10,000 vs 100,000
comparison: the peak must not grow with the input (the batch keeps a bounded window of chunks
in flight; only the aggregate groups grow, with the number of groups, not of records).

    .venv/bin/python benchmarks/bench_batch.py                 # 100,000 and 10,000 records
    .venv/bin/python benchmarks/bench_batch.py --records 20000 # quicker
    .venv/bin/python benchmarks/bench_batch.py --keep DIR      # keep the data and the archive
    .venv/bin/python benchmarks/bench_batch.py --records 20000 --baseline 73caa5d --batch-only

Not a test: nothing is asserted; read the figures. About 3-5 minutes on 2 cores. Each batch
runs twice (``--repeat``), the sizes, worker counts and sides interleaved, and the fastest run
counts (wall) and the cheapest (CPU): on a shared machine other people's work only ever slows a
run down. Besides wall time, each row gives the CPU time of the whole tree and of the parent
alone: with two workers on two busy cores, the wall-clock speed-up says little, while the tree's
CPU with 2 workers over 1 (the cost of going parallel) bounds it - 1.8x on 2 idle cores needs
1.11x or less. ``--baseline REF`` runs the batches with the code of that git ref too (installed
from this checkout as ``bench_baseline.py`` installs it), interleaved.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CHECKENGINE = Path(sys.executable).with_name("checkengine")
GENERATOR = ROOT / "examples" / "generate.py"
DEFAULT_RULEBOOK = ROOT / "rulebooks" / "leave-and-swaps.yaml"
PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Run:
    seconds: float
    tree_peak_mib: float
    largest_mib: float
    code: int
    #: CPU seconds of every process of the tree (each one's last sample, so up to 50 ms short each)
    tree_cpu: float = 0.0
    #: CPU seconds of the parent process alone (the command's own process)
    parent_cpu: float = 0.0


def descendants(root: int) -> list[int]:
    """*root* and every process below it, from /proc/PID/task/TID/children (no full /proc scan:
    the sampler must not eat the CPU it measures)."""
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{pid}/task/{task}/children") as fh:
                    todo.extend(int(child) for child in fh.read().split())
            except OSError:
                continue
    return found


def tree_rss(root: int) -> int:
    """Resident bytes of *root* and all its descendants."""
    total = 0
    for pid in descendants(root):
        try:
            with open(f"/proc/{pid}/statm") as fh:
                total += int(fh.read().split()[1]) * PAGE
        except OSError:
            continue  # the process ended while we looked
    return total


TICK = os.sysconf("SC_CLK_TCK")


def tree_cpu(root: int, seen: dict[int, float]) -> None:
    """Record the CPU seconds (user + system) so far of *root* and every process below it."""
    for pid in descendants(root):
        try:
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        seen[pid] = max(seen.get(pid, 0.0), (int(fields[11]) + int(fields[12])) / TICK)


#: Python may use its bytecode caches, as an installed package does: with PYTHONDONTWRITEBYTECODE set
#: (as on the shared machine), every run would compile every checkengine module again (0.2 s)
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run(args: list[str], *, cwd: Path, env: dict[str, str] | None = None) -> Run:
    env = {**ENV, **(env or {}), "CI": "true"}  # no progress bar
    started = time.perf_counter()
    err = tempfile.TemporaryFile()  # a file, not a pipe: a chatty stderr would fill a pipe and hang
    proc = subprocess.Popen([str(CHECKENGINE), *args], cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=err)
    peak = 0
    cpu: dict[int, float] = {}
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss(proc.pid))
            tree_cpu(proc.pid, cpu)
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    err.seek(0)
    stderr = err.read().decode("utf-8", "replace")[-4000:]
    err.close()
    if proc.returncode not in (0, 1, 2):
        raise SystemExit(f"checkengine {' '.join(args)} failed ({proc.returncode}):\n{stderr}")
    # the sampled sum, or the parent with the workers it waited for (forked workers), if larger
    tree = max(sum(cpu.values()), usage.ru_utime + usage.ru_stime)
    return Run(seconds, peak / 2**20, usage.ru_maxrss / 1024, proc.returncode, tree, cpu.get(proc.pid, 0.0))


def fallback_records(path: Path, count: int) -> None:
    """Attendance and monitoring records, when examples/generate.py is not there."""
    rng = random.Random(7)
    with path.open("w", encoding="utf-8") as fh:
        for n in range(count):
            day = 1 + n % 28
            agent = f"E{1 + rng.randrange(20):03d}"
            stamp = f"2026-11-{day:02d}T09:00:00+08:00"
            if n % 3:
                record = {"kind": "attendance", "id": f"AT-{n}", "timestamp": stamp, "site": "cc-taipei",
                          "subject": {"employee": agent, "role": "agent", "team": "T1"},
                          "data": {"shift_start": stamp, "shift_end": f"2026-11-{day:02d}T17:00:00+08:00",
                                   "shift_kind": "day", "on_post_at": stamp}}
            else:
                record = {"kind": "monitoring", "id": f"MO-{n}", "timestamp": stamp, "site": "cc-taipei",
                          "data": {"agent": agent, "monitored_at": stamp, "form": "comprehensive",
                                   "scores": {"attitude": rng.randrange(50, 100)}}}
            fh.write(json.dumps(record) + "\n")


def records(folder: Path, count: int) -> Path:
    out = folder / f"records-{count}"
    if GENERATOR.exists():
        subprocess.run([sys.executable, str(GENERATOR), "--scale", str(count), "--out", str(out)], check=True,
                       stdout=subprocess.DEVNULL)
        return out / "records.jsonl"
    out.mkdir()
    fallback_records(out / "records.jsonl", count)
    return out / "records.jsonl"


def overlay(folder: Path, rulebook: Path) -> Path:
    """The rulebook with its first numeric parameter raised by one from mid-November 2026: a
    change whose impact the replay has to find."""
    sys.path.insert(0, str(ROOT))
    from checkengine.rulebook.load import load_rulebook

    import yaml

    book = load_rulebook(rulebook)
    name, value = next((n, p.at(None).value) for n, p in book.parameters.items()
                       if p.at(None) is not None and isinstance(p.at(None).value, (int, float))
                       and not isinstance(p.at(None).value, bool))
    path = folder / "changed.yaml"
    path.write_text(yaml.safe_dump({
        "checkengine": 1, "id": book.id, "version": book.version + "-changed", "title": book.title,
        "languages": book.languages, "extends": str(rulebook.resolve()),
        "overrides": {"parameters": {name: {"values": {"2026-11-15": {"value": value + 1,
                                                                       "reference": "bench_batch"}}}}},
    }, allow_unicode=True, sort_keys=False), "utf-8")
    return path


def identical(a: Path, b: Path) -> bool:
    """Whether two JSON Lines outputs are the same bytes apart from the header line (its time)."""
    with a.open("rb") as fa, b.open("rb") as fb:
        fa.readline(), fb.readline()
        while True:
            x, y = fa.read(1 << 20), fb.read(1 << 20)
            if x != y:
                return False
            if not x:
                return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000, help="the large input (default 100,000)")
    parser.add_argument("--small", type=int, default=None, help="the small input (default a tenth)")
    parser.add_argument("--rulebook", type=Path, default=DEFAULT_RULEBOOK)
    parser.add_argument("--keep", type=Path, default=None, help="work in this folder and keep it")
    parser.add_argument("--repeat", type=int, default=2,
                        help="run each batch this many times and keep the fastest (default 2): on a shared "
                             "machine, the others' load only ever slows a run down")
    parser.add_argument("--baseline", metavar="REF", default=None,
                        help="also run the batches with the code of this git ref (installed from the same "
                             "checkout, as bench_baseline.py does), interleaved with this checkout's")
    parser.add_argument("--batch-only", action="store_true", help="leave out archive add and the replay")
    opts, _ = parser.parse_known_args(argv)  # benchmarks/run.py passes its arguments to everyone
    small = opts.small or max(1, opts.records // 10)
    cores = len(os.sched_getaffinity(0))
    folder = Path(tempfile.mkdtemp(prefix="bench-batch-")) if opts.keep is None else opts.keep
    folder.mkdir(parents=True, exist_ok=True)
    try:
        started = time.perf_counter()
        sides: dict[str, dict[str, str]] = {"this checkout": {}}
        if opts.baseline is not None:
            sys.path.insert(0, str(HERE))
            import bench_baseline

            commit, _ = bench_baseline.resolve(opts.baseline)
            sides = {"baseline": {"PYTHONPATH": str(bench_baseline.install_baseline(commit, folder))}, **sides}
        big, little = records(folder, opts.records), records(folder, small)
        print(f"bench_batch: {opts.records:,} and {small:,} records ({big.stat().st_size / 2**20:.0f} MiB of JSON Lines) "
              f"from {'examples/generate.py' if GENERATOR.exists() else 'the fallback generator'}, rulebook "
              f"{opts.rulebook.name}, {cores} cores; generated in {time.perf_counter() - started:.1f} s"
              + (f"; baseline {opts.baseline} ({commit[:12]})" if opts.baseline else ""))
        book = str(opts.rulebook)
        loads = [os.getloadavg()[0]]

        def batch(side: str, data: Path, jobs: int) -> list[str]:
            name = f"{side.replace(' ', '-')}-{data.parent.name}-{jobs}.jsonl"
            return ["batch", "-r", book, str(data), "-j", str(jobs), "-o", str(folder / name)]

        for side, env in sides.items():  # a warm-up: writes the bytecode caches
            run(batch(side, little, cores), cwd=folder, env=env)
        found: dict[tuple[str, int, int], list[Run]] = {}
        side_loads: dict[str, list[float]] = {side: [] for side in sides}  # the load average after each run
        for _ in range(max(1, opts.repeat)):  # the sides and sizes interleaved, each round
            for count, data in ((opts.records, big), (small, little)):
                for jobs in (1, cores):
                    for side, env in sides.items():
                        found.setdefault((side, count, jobs), []).append(run(batch(side, data, jobs), cwd=folder, env=env))
                        loads.append(os.getloadavg()[0])
                        side_loads[side].append(loads[-1])

        def best(key: tuple[str, int, int]) -> Run:
            runs = found[key]
            fastest = min(runs, key=lambda r: r.tree_cpu)  # CPU: the steadier figure on a shared machine
            return Run(min(r.seconds for r in runs), max(r.tree_peak_mib for r in runs),
                       max(r.largest_mib for r in runs), fastest.code, fastest.tree_cpu,
                       min(r.parent_cpu for r in runs))

        print(f"  {'':44} {'wall':>7} {'records/s':>10} {'tree peak':>10} {'largest':>8} {'tree CPU':>9} {'parent CPU':>10}")
        for side in sides:
            for count in (opts.records, small):
                for jobs in (1, cores):
                    r = best((side, count, jobs))
                    label = f"{side}: batch {count:,}, {jobs} worker{'s' if jobs > 1 else ''}"
                    print(f"  {label:44} {r.seconds:6.1f}s {count / r.seconds:10,.0f} {r.tree_peak_mib:8.0f}MiB "
                          f"{r.largest_mib:6.0f}MiB {r.tree_cpu:8.2f}s {r.parent_cpu:9.2f}s")
        for side in sides:
            one, every = best((side, opts.records, 1)), best((side, opts.records, cores))
            few_one, few = best((side, small, 1)), best((side, small, cores))
            print(f"  {side}:")
            print(f"    cost of going parallel, tree CPU {cores} workers / 1 (1.8x on idle cores needs at most "
                  f"{cores / 1.8:.2f}x, less what runs serially): {every.tree_cpu / one.tree_cpu:.2f}x at {opts.records:,}, "
                  f"{few.tree_cpu / few_one.tree_cpu:.2f}x at {small:,}; the parent's share of the {cores}-worker "
                  f"tree: {100 * every.parent_cpu / every.tree_cpu:.0f} % / {100 * few.parent_cpu / few.tree_cpu:.0f} %")
            print(f"    wall-clock scaling 1 -> {cores} workers (target >= 1.8x; only meaningful on idle cores): "
                  f"{one.seconds / every.seconds:.2f}x at {opts.records:,}, {few_one.seconds / few.seconds:.2f}x at {small:,}")
            print(f"    peak memory of the tree, {small:,} -> {opts.records:,} records ({cores} workers): "
                  f"{few.tree_peak_mib:.0f} -> {every.tree_peak_mib:.0f} MiB ({every.tree_peak_mib / few.tree_peak_mib:.2f}x "
                  f"for {opts.records / small:.0f}x the records)")
            same = identical(Path(batch(side, big, 1)[-1]), Path(batch(side, big, cores)[-1]))
            print(f"    output of 1 and {cores} workers identical apart from the header's time: {'yes' if same else 'NO'}")
            print(f"    load average after this side's runs: {min(side_loads[side]):.1f}-{max(side_loads[side]):.1f}")
        print(f"  load average {min(loads):.1f}-{max(loads):.1f} on {os.cpu_count()} cores during the batches (a "
              "busy machine has no idle core to scale onto)")
        if opts.batch_only:
            return 0
        db = folder / "archive.sqlite"
        added = run(["archive", "add", "-r", book, str(big), "--db", str(db), "-j", str(cores)], cwd=folder)
        changed = overlay(folder, opts.rulebook)
        replay = run(["diff", book, str(changed), "--replay", str(db), "-j", str(cores), "-f", "json",
                      "-o", str(folder / "impact.json")], cwd=folder)
        for label, r in ((f"archive add {opts.records:,}", added), (f"diff --replay archive ({opts.records:,})", replay)):
            print(f"  {label:44} {r.seconds:6.1f}s {opts.records / r.seconds:10,.0f} {r.tree_peak_mib:8.0f}MiB "
                  f"{r.largest_mib:6.0f}MiB {r.tree_cpu:8.2f}s {r.parent_cpu:9.2f}s")
        impact = json.loads((folder / "impact.json").read_text("utf-8"))["replay"]
        print(f"  replay: {impact['records']:,} records, {impact['changed_records']:,} change outcome, "
              f"{impact['changed_groups']:,} groups change; archive {db.stat().st_size / 2**20:.0f} MiB")
    finally:
        if opts.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
