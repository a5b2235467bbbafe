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

Not a test: nothing is asserted; read the figures. About 3-5 minutes on 2 cores. Each batch
runs twice (``--repeat``) and the faster run counts: on a shared machine other people's work only
ever slows a run down.
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


def run(args: list[str], *, cwd: Path) -> Run:
    env = {**os.environ, "CI": "true"}  # no progress bar
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
    return Run(seconds, peak / 2**20, usage.ru_maxrss / 1024, proc.returncode, sum(cpu.values()))


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000, help="the large input (default 100,000)")
    parser.add_argument("--small", type=int, default=None, help="the small input (default a tenth)")
    parser.add_argument("--rulebook", type=Path, default=DEFAULT_RULEBOOK)
    parser.add_argument("--keep", type=Path, default=None, help="work in this folder and keep it")
    parser.add_argument("--repeat", type=int, default=2,
                        help="run each batch this many times and keep the fastest (default 2): on a shared "
                             "machine, the others' load only ever slows a run down")
    opts, _ = parser.parse_known_args(argv)  # benchmarks/run.py passes its arguments to everyone
    small = opts.small or max(1, opts.records // 10)
    cores = len(os.sched_getaffinity(0))
    folder = Path(tempfile.mkdtemp(prefix="bench-batch-")) if opts.keep is None else opts.keep
    folder.mkdir(parents=True, exist_ok=True)
    try:
        started = time.perf_counter()
        big, little = records(folder, opts.records), records(folder, small)
        print(f"bench_batch: {opts.records:,} and {small:,} records ({big.stat().st_size / 2**20:.0f} MiB of JSON Lines) "
              f"from {'examples/generate.py' if GENERATOR.exists() else 'the fallback generator'}, rulebook "
              f"{opts.rulebook.name}, {cores} cores; generated in {time.perf_counter() - started:.1f} s")
        book = str(opts.rulebook)
        rows = []
        def best(args: list[str]) -> Run:
            runs = [run(args, cwd=folder) for _ in range(max(1, opts.repeat))]
            fastest = min(runs, key=lambda r: r.seconds)
            fastest.tree_peak_mib = max(r.tree_peak_mib for r in runs)  # memory: the worst seen
            fastest.largest_mib = max(r.largest_mib for r in runs)
            return fastest

        one = best(["batch", "-r", book, str(big), "-j", "1", "-o", str(folder / "one.jsonl")])
        rows.append((f"batch {opts.records:,}, 1 worker", one, opts.records / one.seconds))
        every = best(["batch", "-r", book, str(big), "-j", str(cores), "-o", str(folder / "all.jsonl")])
        rows.append((f"batch {opts.records:,}, {cores} workers", every, opts.records / every.seconds))
        few_one = best(["batch", "-r", book, str(little), "-j", "1", "-o", str(folder / "small-one.jsonl")])
        rows.append((f"batch {small:,}, 1 worker", few_one, small / few_one.seconds))
        few = best(["batch", "-r", book, str(little), "-j", str(cores), "-o", str(folder / "small.jsonl")])
        rows.append((f"batch {small:,}, {cores} workers", few, small / few.seconds))
        db = folder / "archive.sqlite"
        added = run(["archive", "add", "-r", book, str(big), "--db", str(db), "-j", str(cores)], cwd=folder)
        rows.append((f"archive add {opts.records:,}", added, opts.records / added.seconds))
        changed = overlay(folder, opts.rulebook)
        replay = run(["diff", book, str(changed), "--replay", str(db), "-j", str(cores), "-f", "json",
                      "-o", str(folder / "impact.json")], cwd=folder)
        rows.append((f"diff --replay archive ({opts.records:,})", replay, opts.records / replay.seconds))
        print(f"  {'':38} {'wall':>8} {'records/s':>10} {'tree peak':>10} {'largest':>9} {'tree CPU':>9}")
        for label, r, rate in rows:
            print(f"  {label:38} {r.seconds:7.1f}s {rate:10,.0f} {r.tree_peak_mib:8.0f}MiB {r.largest_mib:7.0f}MiB "
                  f"{r.tree_cpu:8.1f}s")
        print(f"  scaling 1 -> {cores} workers: {one.seconds / every.seconds:.2f}x at {opts.records:,} records "
              f"({100 * one.seconds / every.seconds / cores:.0f} % of linear), {few_one.seconds / few.seconds:.2f}x "
              f"at {small:,}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (a busy machine "
              "has no idle core to scale onto)")
        print(f"  CPU of the whole tree, {cores} workers / 1 worker (the cost of going parallel): "
              f"{every.tree_cpu / one.tree_cpu:.2f}x at {opts.records:,}, {few.tree_cpu / few_one.tree_cpu:.2f}x at "
              f"{small:,}")
        print(f"  peak memory {small:,} -> {opts.records:,} records ({cores} workers): {few.tree_peak_mib:.0f} -> "
              f"{every.tree_peak_mib:.0f} MiB ({every.tree_peak_mib / few.tree_peak_mib:.2f}x for "
              f"{opts.records / small:.0f}x the records)")
        impact = json.loads((folder / "impact.json").read_text("utf-8"))["replay"]
        print(f"  replay: {impact['records']:,} records, {impact['changed_records']:,} change outcome, "
              f"{impact['changed_groups']:,} groups change; archive {db.stat().st_size / 2**20:.0f} MiB")
    finally:
        if opts.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
