"""Run every benchmarks/bench_*.py, one after another, and print their output.

Each benchmark is a script run in its own process with this interpreter (so one benchmark's
imports and caches do not flatter the next). Extra arguments are passed to every benchmark
(e.g. ``--runs 3``); ``-k NAME`` runs only the benchmarks whose file name contains NAME.
Exits non-zero if a benchmark crashed; timings never fail the run (see README.md).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run every benchmarks/bench_*.py.")
    parser.add_argument("-k", dest="only", default="", help="only benchmarks whose file name contains this")
    args, extra = parser.parse_known_args(argv)
    failed = []
    for script in sorted(HERE.glob("bench_*.py")):
        if args.only not in script.name:
            continue
        print(f"== {script.name}", flush=True)
        start = time.perf_counter()
        done = subprocess.run([sys.executable, str(script), *extra], cwd=HERE.parent)
        print(f"== {script.name}: exit {done.returncode} after {time.perf_counter() - start:.1f} s\n", flush=True)
        if done.returncode != 0:
            failed.append(script.name)
    if failed:
        print(f"benchmarks that failed: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
