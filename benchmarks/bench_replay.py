"""``checkengine diff --replay`` when few records change, next to evaluating the same records once.

A pull request that changes one parameter replays the archive under both rulebooks to list the
records whose outcome changes; usually very few do. The workload: records written by
``examples/generate.py --scale N`` archived under ``rulebooks/leave-and-swaps.yaml``, and the same
rulebook with its first numeric parameter raised by one from mid-November 2026 (bench_batch.py's
overlay), which changes the outcome of a handful of records.

Figures are whole processes (start-up included) on one worker (``-j 1``, so that CPU time is the
work itself, not a pool's), as CPU time per record, median of ``--rounds`` interleaved rounds:

- ``batch`` of the records under the old rulebook: one full evaluation, the baseline;
- ``diff --replay`` of the archive: the replay, which needs only the verdicts that differ.

A replay that computed only what it reports would cost little more than one evaluation (two
verdict-only passes are cheaper than one full result); the ratio says how far from that it is.
``archive add`` of the same records is printed once for scale. Not a test: nothing asserts a time.

    .venv/bin/python benchmarks/bench_replay.py                 # 20,000 records, 3 rounds
    .venv/bin/python benchmarks/bench_replay.py --records 2000 --rounds 1
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
CHECKENGINE = Path(sys.executable).with_name("checkengine")

import bench_batch  # noqa: E402 - the generator and the rulebook overlay are shared


def cpu(args: list[str], cwd: Path) -> float:
    """CPU seconds (user + system) of one checkengine process and the workers it waited for."""
    env = {**os.environ, "CI": "true"}
    with tempfile.TemporaryFile() as err:  # a file, not a pipe: a chatty stderr would fill a pipe and hang
        proc = subprocess.Popen([str(CHECKENGINE), *args], cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        code = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")[-4000:]
    if code not in (0, 1):
        raise SystemExit(f"checkengine {' '.join(args)} failed ({code}):\n{stderr}")
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    opts, _ = parser.parse_known_args(argv)  # benchmarks/run.py passes its arguments to everyone
    folder = Path(tempfile.mkdtemp(prefix="bench-replay-"))
    try:
        n = opts.records
        records = bench_batch.records(folder, n)
        book = str(bench_batch.DEFAULT_RULEBOOK)
        changed = bench_batch.overlay(folder, bench_batch.DEFAULT_RULEBOOK)
        db = folder / "archive.sqlite"
        # the folder, as a month's data is given: records of kinds the rulebook does not check are left out
        added = cpu(["archive", "add", "-r", book, str(records.parent), "--db", str(db), "-j", "1"], folder)
        impact = folder / "impact.json"
        sides = {
            "batch": ["batch", "-r", book, str(records.parent), "-j", "1", "-o", str(folder / "out.jsonl")],
            "replay": ["diff", book, str(changed), "--replay", str(db), "-j", "1", "-f", "json", "-o", str(impact)],
        }
        seen: dict[str, list[float]] = {name: [] for name in sides}
        names = list(sides)
        for r in range(opts.rounds):
            for name in names[r % 2:] + names[:r % 2]:
                seen[name].append(cpu(sides[name], folder))
        per = {name: statistics.median(times) / n * 1e6 for name, times in seen.items()}
        replay = json.loads(impact.read_text("utf-8"))["replay"]
        print(f"bench_replay: {n:,} records, {bench_batch.DEFAULT_RULEBOOK.name} vs one parameter raised from "
              f"2026-11-15; {replay['changed_records']:,} records and {replay['changed_groups']:,} groups change")
        print(f"  whole processes, one worker; median CPU time per record of {opts.rounds} interleaved rounds")
        print(f"  batch (one full evaluation)      {per['batch']:8.0f} µs")
        print(f"  diff --replay (both rulebooks)   {per['replay']:8.0f} µs   {per['replay'] / per['batch']:.2f}x the batch")
        print(f"  archive add (once, for scale)    {added / n * 1e6:8.0f} µs")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
