"""``checkengine evaluate --format json`` over the cs-floor workload: what writing the result costs
next to evaluating it, how large it is, and whether memory stays flat as the input grows.

Each figure is a whole ``checkengine`` process (start-up included) on records from
``cs_floor.records`` written as JSON Lines, at two sizes (default 2,000 and 20,000 records):

- ``-f summary`` evaluates every record and prints a table of counts: the evaluation alone;
- ``-f json -o FILE`` evaluates the same records and writes the whole result;
- ``-f summary`` again with Python's garbage collector off, for the collector's share.

The difference of their CPU times is what writing the result costs, rendering every entry (which
``-f summary``, reading lazy outcomes, never does) and serialising them; its share of the JSON run,
the output's bytes per record and the peak resident size (``ru_maxrss`` of the process) at both
sizes are printed. The serialisation alone (compacting and encoding rendered entries) is then
timed in this process and given as a share of the JSON run. The evaluation per record is net of start-up (``-f summary`` of one record, timed in
every round too): if it grows from the small input to the large one, something is not linear. Runs interleave (summary, json, summary, json, ...) and each figure is the median of
``--rounds``. Not a test: nothing asserts a time.

    .venv/bin/python benchmarks/bench_output.py                 # 2,000 and 20,000 records, 3 rounds
    .venv/bin/python benchmarks/bench_output.py --records 5000 --rounds 1
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
CHECKENGINE = Path(sys.executable).with_name("checkengine")

import cs_floor  # noqa: E402 - after the path set-up above


@dataclass
class Run:
    cpu: float  # user + system seconds of the process
    peak_mib: float  # its largest resident size
    out_bytes: int


# The same command with Python's cyclic garbage collector switched off: the evaluation keeps every
# outcome until the reporter runs, and the collector's passes over that growing heap are a cost
# that grows with the input.
NO_GC = "import gc, sys\ngc.disable()\nfrom checkengine.cli import main\nsys.exit(main(sys.argv[1:]))\n"


def run(args: list[str], out: Path | None, *, gc: bool = True) -> Run:
    env = {**os.environ, "CI": "true"}
    command = [str(CHECKENGINE)] if gc else [sys.executable, "-c", NO_GC]
    proc = subprocess.Popen([*command, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        stderr = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"checkengine {' '.join(args)} failed ({code}):\n{stderr}")
    if proc.stderr:
        proc.stderr.close()
    size = out.stat().st_size if out is not None else 0
    return Run(usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, size)


def write_records(count: int, path: Path) -> Path:
    """cs_floor's *count* records as JSON Lines, made in a child process: the peak resident size a
    process reports (``ru_maxrss``) survives fork and exec, so records built in this process would
    show up as the peak of every checkengine process started after them."""
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import cs_floor, pathlib; "
            "cs_floor.write_jsonl(cs_floor.records(int(sys.argv[2])), pathlib.Path(sys.argv[3]))")
    subprocess.run([sys.executable, "-c", code, str(HERE), str(count), str(path)], check=True)
    return path


def split_in_process(count: int) -> tuple[float, float, float]:
    """CPU µs per record, in this process, of what the JSON run does beyond ``-f summary``:
    (the lazy evaluation ``-f summary`` pays, rendering every entry as the JSON sink reads them,
    compacting and encoding the entries), on *count* records. Run after every process above, so
    the records made here weigh on no process's peak."""
    import time

    sys.path.insert(0, str(HERE.parent))
    from checkengine import jsonout
    from checkengine.engine import Engine
    from checkengine.errors import Location
    from checkengine.records import Record, check_record
    from checkengine.resultdoc import compact_entry, rule_table
    from checkengine.rulebook.load import load_rulebook

    items = [r for i, d in enumerate(cs_floor.records(count))
             if isinstance(r := check_record(d, Location("bench", i + 1)), Record)]
    engine = Engine(load_rulebook(cs_floor.RULEBOOK))
    for item in items:
        engine.precheck(item)
    lazy, eager, encode = [], [], []
    for _ in range(3):
        start = time.process_time()
        for item in items:
            engine.evaluate_record(item, lazy=True)
        lazy.append(time.process_time() - start)
        start = time.process_time()
        entries = [engine.evaluate_record(item) for item in items]
        eager.append(time.process_time() - start)
        rules = rule_table(engine)
        start = time.process_time()
        for entry in entries:
            jsonout.dumps(compact_entry(entry, rules))
        encode.append(time.process_time() - start)
    per = [statistics.median(t) / len(items) * 1e6 for t in (lazy, eager, encode)]
    return per[0], per[1] - per[0], per[2]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=20_000, help="the large input (default 20,000)")
    parser.add_argument("--small", type=int, default=None, help="the small input (default a tenth)")
    parser.add_argument("--rounds", type=int, default=3)
    opts, _ = parser.parse_known_args(argv)  # benchmarks/run.py passes its arguments to everyone
    small = opts.small or max(1, opts.records // 10)
    folder = Path(tempfile.mkdtemp(prefix="bench-output-"))
    book = str(cs_floor.RULEBOOK)
    try:
        rows = []
        one = write_records(1, folder / "one.jsonl")
        gc_share: dict[int, float] = {}
        for n in (small, opts.records):
            records = write_records(n, folder / f"records-{n}.jsonl")
            out = folder / f"result-{n}.json"
            summary: list[Run] = []
            written: list[Run] = []
            start: list[Run] = []
            no_gc: list[Run] = []
            for _ in range(opts.rounds):
                start.append(run(["evaluate", "-r", book, str(one), "-f", "summary"], None))
                no_gc.append(run(["evaluate", "-r", book, str(records), "-f", "summary"], None, gc=False))
                summary.append(run(["evaluate", "-r", book, str(records), "-f", "summary"], None))
                written.append(run(["evaluate", "-r", book, str(records), "-f", "json", "-o", str(out)], out))
            gc_share[n] = 1 - statistics.median(r.cpu for r in no_gc) / statistics.median(r.cpu for r in summary)
            rows.append((n, statistics.median(r.cpu for r in start), statistics.median(r.cpu for r in summary),
                         statistics.median(r.cpu for r in written), max(r.peak_mib for r in summary),
                         max(r.peak_mib for r in written), written[-1].out_bytes))
        print(f"bench_output: evaluate rulebooks/cs-floor.yaml, whole processes, median CPU of {opts.rounds} "
              "interleaved rounds")
        print(f"  {'records':>8} {'start-up':>9} {'evaluate µs/rec':>16} {'json µs/rec':>12} {'writing':>9} "
              f"{'share':>6} {'KiB/rec':>8} {'peak summary':>13} {'peak json':>10}")
        for n, start_cpu, s_cpu, j_cpu, s_peak, j_peak, size in rows:
            write = j_cpu - s_cpu
            print(f"  {n:8,} {start_cpu:8.2f}s {(s_cpu - start_cpu) / n * 1e6:16.0f} {j_cpu / n * 1e6:12.0f} "
                  f"{write / n * 1e6:9.0f} {write / j_cpu * 100:5.0f}% {size / n / 1024:8.1f} {s_peak:11.0f}MiB "
                  f"{j_peak:8.0f}MiB")
        (n0, *_, p0, _), (n1, *_, p1, _) = rows
        print(f"  peak memory of the json run {n0:,} -> {n1:,} records: {p0:.0f} -> {p1:.0f} MiB ({p1 / p0:.2f}x for "
              f"{n1 / n0:.0f}x the records; target: flat); targets: writing <= 20 % of the run, <= 10 KiB per record")
        print("  the garbage collector's share of the -f summary run (the same run with gc.disable()): "
              + ", ".join(f"{share * 100:.0f} % at {n:,} records" for n, share in gc_share.items()))
        # "writing" above is everything the json run does beyond -f summary: since outcomes are
        # lazy, that includes rendering every entry (explanations, parameters, sources), which
        # -f summary never does. The serialisation itself, split out in this process:
        lazy_us, render_us, encode_us = split_in_process(min(opts.records, 5_000))
        json_us = rows[-1][3] / rows[-1][0] * 1e6
        print(f"  in process ({min(opts.records, 5_000):,} records): evaluate {lazy_us:.0f} µs/rec, rendering the "
              f"entries {render_us:.0f}, compacting and encoding them {encode_us:.0f}: serialisation "
              f"{encode_us / json_us * 100:.0f} % of the {n1:,}-record json run ({json_us:.0f} µs/rec; "
              "target <= 20 %)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
