"""Aggregate (group) checks as the input grows over a fixed roster: the cost per record of folding
records into group states and of merging those states, at 10,000 and 100,000 records.

``examples/generate.py --scale`` grows its roster with the record count (one agent per 400
records), so each person's groups stay the same size and a check whose per-record cost grows with
its group's size looks linear. A real site has a fixed staff: here the same generator spreads the
records over 20 agents (``--roster 20``), next to its own growing roster, with
``rulebooks/leave-and-swaps.yaml`` (whose ``spacing`` check keeps every swap date of a person).

Everything runs in this process as ``batch`` does across processes: the records are folded in
chunks of ``--chunk-size`` into fresh states (a worker's job), and the chunks' states are merged in
input order into one (the parent's job), then the groups are judged (``finish``). Each figure is the
median CPU time per record of ``--rounds`` interleaved rounds; the point is the growth from the
small input to the large one, which should be about 1.0x for every column. Not a test.

    .venv/bin/python benchmarks/bench_roster.py                      # 10,000 and 100,000 records
    .venv/bin/python benchmarks/bench_roster.py --records 20000 --rounds 1
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
RULEBOOK = ROOT / "rulebooks" / "leave-and-swaps.yaml"
ROSTER = 20


def generator() -> Any:
    spec = importlib.util.spec_from_file_location("checkengine_example_month", ROOT / "examples" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def timed(engine: Any, items: list[Any], chunk: int) -> tuple[float, float, float]:
    """CPU seconds spent folding (in chunks), merging the chunks' states, and judging the groups."""
    fold = merge = 0.0
    total = engine.new_groups()
    for start in range(0, len(items), chunk):
        t = time.process_time()
        groups = engine.new_groups()
        for item in items[start:start + chunk]:
            engine.fold(groups, item)
        t2 = time.process_time()
        total = engine.merge(total, groups)
        t3 = time.process_time()
        fold += t2 - t
        merge += t3 - t2
    t = time.process_time()
    engine.finish_groups(total)
    return fold, merge, time.process_time() - t


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000, help="the large input (default 100,000)")
    parser.add_argument("--small", type=int, default=None, help="the small input (default a tenth)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--chunk-size", type=int, default=200, help="records per chunk, as batch's default")
    opts, _ = parser.parse_known_args(argv)  # benchmarks/run.py passes its arguments to everyone

    from checkengine.engine import Engine
    from checkengine.errors import Location
    from checkengine.records import Record, check_record
    from checkengine.rulebook.load import load_rulebook

    gen = generator()
    engine = Engine(load_rulebook(RULEBOOK))
    small = opts.small or max(1, opts.records // 10)
    inputs: dict[tuple[str, int], list[Record]] = {}
    for roster in ("fixed", "growing"):
        for n in (small, opts.records):
            items = []
            for i, data in enumerate(gen.scale_records(n, gen.DEFAULT_SEED, ROSTER if roster == "fixed" else None)):
                item = check_record(data, Location("bench", i + 1))
                if isinstance(item, Record) and not engine.covers(item.data["kind"]):
                    continue  # a kind this rulebook does not check (the generator writes every kind)
                if not isinstance(item, Record) or engine.precheck(item) is not None:
                    print(f"bench_roster: generated record {i + 1} is unusable: {item}")
                    return 1
                items.append(item)
            inputs[(roster, n)] = items
    seen: dict[tuple[str, int], list[tuple[float, float, float]]] = {key: [] for key in inputs}
    keys = list(inputs)
    timed(engine, inputs[keys[0]], opts.chunk_size)  # warm-up: lazy compilation, caches
    for r in range(opts.rounds):
        for key in keys[r % len(keys):] + keys[:r % len(keys)]:
            seen[key].append(timed(engine, inputs[key], opts.chunk_size))
    per = {key: tuple(statistics.median(t[i] for t in runs) / key[1] * 1e6 for i in range(3))
           for key, runs in seen.items()}
    print(f"bench_roster: {RULEBOOK.name} ({len(engine.group_rules)} group rules), chunks of {opts.chunk_size}; "
          f"median CPU µs per record of {opts.rounds} interleaved rounds (one core)")
    print(f"  {'roster':26} {'records':>8} {'fold':>8} {'merge':>8} {'finish':>8}")
    for (roster, n), (fold, merge, finish) in per.items():
        label = f"fixed, {ROSTER} agents" if roster == "fixed" else f"growing, {max(20, n // 400)} agents"
        print(f"  {label:26} {n:8,} {fold:8.1f} {merge:8.1f} {finish:8.1f}")
    for roster in ("fixed", "growing"):
        a, b = per[(roster, small)], per[(roster, opts.records)]
        print(f"  {roster} roster, growth per record {small:,} -> {opts.records:,}: fold {b[0] / a[0]:.2f}x, "
              f"merge {b[1] / a[1]:.2f}x, finish {b[2] / a[2]:.2f}x (linear: 1.0x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
