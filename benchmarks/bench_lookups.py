"""What the first pass of a rulebook with lookups costs a batch (facts from other records).

Times `evaluate_batch` of the example month with leave-and-swaps (which declares lookups) on one
core, inline: as the batch runs it (a first pass files the swap register, then the evaluation),
against the same batch given the index in advance (the evaluation alone). The ratio is the cost
of the first pass; the engine's own filing is also shown next to a whole `Engine.run`.
Times are wall times, best of REPEATS alternating runs (the machine may be shared).
Not a test. Run: .venv/bin/python benchmarks/bench_lookups.py [REPEATS]
"""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from checkengine.batch.executors import InlineExecutor  # noqa: E402
from checkengine.batch.interrupt import StopFlag  # noqa: E402
from checkengine.batch.job import EngineSpec  # noqa: E402
from checkengine.batch.run import BatchOptions, build_index, evaluate_batch, result_head  # noqa: E402
from checkengine.batch.writers import JsonLinesWriter  # noqa: E402
from checkengine.engine import Engine  # noqa: E402
from checkengine.plugins import default_registry  # noqa: E402
from checkengine.records import Record, iter_records  # noqa: E402
from checkengine.rulebook.load import load_rulebook  # noqa: E402

MONTH = str(ROOT / "examples" / "month-2026-11")


def best(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv: list[str]) -> int:
    repeats = int(argv[0]) if argv else 5
    spec = EngineSpec(load_rulebook(ROOT / "rulebooks" / "leave-and-swaps.yaml"))
    index = build_index(spec, [MONTH], InlineExecutor(), stop=StopFlag(), options=BatchOptions())
    given = spec.with_facts(index)

    def batch(s: EngineSpec) -> None:
        writer = JsonLinesWriter(io.StringIO())
        writer.header(result_head(s))
        writer.close(evaluate_batch(s, [MONTH], writer, InlineExecutor()))

    two = min(best(lambda: batch(spec), 1) for _ in range(repeats))
    one = min(best(lambda: batch(given), 1) for _ in range(repeats))
    records = [r for r in iter_records([MONTH], default_registry()) if isinstance(r, Record)]
    engine = Engine(spec.book)
    filing = best(lambda: engine.index(records), repeats * 4)
    whole = best(lambda: Engine(spec.book).run(records), repeats)
    print(f"bench_lookups: the example month ({len(records)} records), leave-and-swaps, one core, best of {repeats}")
    print(f"  batch, index given (baseline)   {one:.3f} s")
    print(f"  batch, with its first pass      {two:.3f} s   {two / one:.2f}x baseline")
    print(f"  Engine.index alone              {filing * 1000:.1f} ms  {filing / whole:.1%} of Engine.run ({whole:.3f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
