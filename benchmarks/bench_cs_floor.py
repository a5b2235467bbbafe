"""The seed rulebook (rulebooks/cs-floor.yaml, 40 rules) on generated records: the engine against
hand-written Python returning bare outcomes and against the same rules in Rego run by regorus
(a Rego interpreter written in Rust).

The engine's side is what a reader that counts pays (``evaluate_record(record, lazy=True)``: every
verdict and the record's score, each outcome's entry rendered only when read, as ``--format
summary`` does; the verdicts come from the rules' verdict lanes where a check offers a verdict
function, ``checkengine/lanes.py``); the peers return ``{rule: outcome}`` too. The engine with
every entry rendered (explanations, parameters, sources: what ``--format json`` reads) is timed
beside them.

Records come from ``cs_floor.records`` (floor rounds, attendance and handovers of the example
month's people over 2026; see that module). Before anything is timed, every side's outcome for every
rule of every record is compared with the engine's; the first difference aborts the benchmark
(exit 1) naming the record and the rule. Then rounds interleave the sides (each round runs every
side once over all records, starting with a different side each time) and each figure is the
median of the rounds' CPU time of this process per record: on a shared machine the others' load
hits every side alike, and the ratios mean more than the absolute times.

The Rego peer is optional (``pip install -e '.[bench]'``, which ``make bench`` does); without it the
benchmark says so and times the other sides. Not a test: nothing asserts a time.

    .venv/bin/python benchmarks/bench_cs_floor.py                      # 20,000 records, 5 rounds
    .venv/bin/python benchmarks/bench_cs_floor.py --records 2000 --rounds 3
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import cs_floor  # noqa: E402 - after the path set-up above


def interleaved(sides: dict[str, Callable[[], Any]], rounds: int) -> dict[str, float]:
    """Median CPU seconds of each side over *rounds* rounds; each round starts with the next side."""
    names = list(sides)
    seen: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            start = time.process_time()
            sides[name]()
            seen[name].append(time.process_time() - start)
    return {name: statistics.median(times) for name, times in seen.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    opts, _ = parser.parse_known_args(argv)  # benchmarks/run.py passes its arguments to everyone

    from checkengine.engine import Engine
    from checkengine.errors import Location
    from checkengine.records import Record, check_record
    from checkengine.rulebook.load import load_rulebook

    data = cs_floor.records(opts.records)
    checked = [check_record(r, Location("bench", i + 1)) for i, r in enumerate(data)]
    items = [r for r in checked if isinstance(r, Record)]
    if len(items) != len(data):
        print(f"bench_cs_floor: {len(data) - len(items)} generated records are invalid, e.g. "
              f"{next(r for r in checked if not isinstance(r, Record))}")
        return 1
    engine = Engine(load_rulebook(cs_floor.RULEBOOK))
    for item in items:
        unusable = engine.precheck(item)  # prepares the record, as every evaluation path does first
        if unusable is not None:
            print(f"bench_cs_floor: a generated record is unusable: {unusable}")
            return 1

    # Agreement first, on every record (this is also the warm-up).
    ids = [r["id"] for r in data]
    ours = [cs_floor.engine_outcomes(engine.evaluate_record(item)) for item in items]
    peers: dict[str, Callable[[dict[str, Any]], dict[str, str]]] = {"bare": cs_floor.bare}
    missing = cs_floor.peer_available()
    if missing is None:
        peers["rego"] = cs_floor.RegoPeer().outcomes
    for name, peer in peers.items():
        problem = cs_floor.first_mismatch(ids, ours, [peer(r) for r in data], name)
        if problem is not None:
            print(f"bench_cs_floor: {problem}; not timing different answers")
            return 1
    counts: dict[str, int] = {}
    for outcomes in ours:
        for outcome in outcomes.values():
            counts[outcome] = counts.get(outcome, 0) + 1
    # How many verdicts the rules' lanes decided (checkengine/lanes.py); the rest took the general
    # path (checks without a verdict function, a waiver, an answer beside the verdict, a doubt).
    laned = sum(1 for item in items for o in engine.evaluate_record(item, lazy=True)["outcomes"]
                if getattr(o, "lane", None) is not None)

    def run_engine() -> None:
        for item in items:
            engine.evaluate_record(item, lazy=True)

    def run_rendered() -> None:
        for item in items:
            engine.evaluate_record(item)

    def run_peer(peer: Callable[[dict[str, Any]], dict[str, str]]) -> Callable[[], None]:
        def run() -> None:
            for record in data:
                peer(record)
        return run

    sides = {"checkengine": run_engine, "rendered": run_rendered,
             **{name: run_peer(peer) for name, peer in peers.items()}}
    medians = interleaved(sides, opts.rounds)
    n = len(items)
    per = {name: seconds / n * 1e6 for name, seconds in medians.items()}
    print(f"bench_cs_floor: {n:,} records ({', '.join(f'{k} {v:,}' for k, v in sorted(counts.items()))} "
          f"outcomes), rulebooks/cs-floor.yaml ({len(engine.rules)} rules); every side agreed on every outcome")
    print(f"  median CPU time per record of {opts.rounds} interleaved rounds (this process, one core)")
    print(f"  checkengine                      {per['checkengine']:8.1f} µs   (verdicts and score; entries rendered when read; "
          f"{laned / max(1, sum(counts.values())) * 100:.0f} % of the verdicts decided by verdict lanes)")
    print(f"  checkengine, entries rendered    {per['rendered']:8.1f} µs   (every outcome's explanation, parameters, sources)")
    print(f"  hand-written, bare outcomes      {per['bare']:8.1f} µs   engine at {per['bare'] / per['checkengine'] * 100:5.1f} % "
          "of its speed (target >= 25 %)")
    if "rego" in per:
        print(f"  Rego (regorus, Rust)             {per['rego']:8.1f} µs   engine {per['rego'] / per['checkengine']:.2f}x "
              "its speed (target >= 2x)")
    else:
        print(f"  Rego (regorus): not run: {missing}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
