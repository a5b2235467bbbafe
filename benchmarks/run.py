"""Run every benchmarks/bench_*.py, one after another, and print their output.

Each benchmark is a script run in its own process with this interpreter (so one benchmark's
imports and caches do not flatter the next). Extra arguments are passed to every benchmark
(e.g. ``--runs 3``); ``-k NAME`` runs only the benchmarks whose file name contains NAME;
``--quick`` gives each benchmark its tiny size from QUICK (a smoke run of a minute or two per
benchmark: the figures mean little, but every side runs and every check is made).
Exits non-zero if a benchmark crashed; timings never fail the run (see README.md).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Each benchmark's tiny size, for --quick and for tests/benchmarks/test_bench_scripts.py.
QUICK: dict[str, list[str]] = {
    "bench_archive.py": ["--records", "300", "--rounds", "1"],
    "bench_actions.py": ["--records", "200"],
    "bench_audit.py": ["--runs", "1"],
    "bench_baseline.py": ["--records", "300", "--rounds", "1"],
    "bench_batch.py": ["--records", "300", "--repeat", "1"],
    "bench_conditions.py": ["50", "1"],
    "bench_cs_floor.py": ["--records", "150", "--rounds", "1"],
    "bench_dask.py": ["--records", "1000", "--runs", "2"],
    "bench_evaluate.py": ["50", "1"],
    "bench_forms.py": ["1"],
    "bench_lint.py": ["--runs", "1"],
    "bench_lookups.py": ["1"],
    "bench_output.py": ["--records", "100", "--rounds", "1"],
    "bench_replay.py": ["--records", "200", "--rounds", "1"],
    "bench_roster.py": ["--records", "200", "--rounds", "1"],
    "bench_serve.py": ["--auditors", "4", "--each", "1"],
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run every benchmarks/bench_*.py.")
    parser.add_argument("-k", dest="only", default="", help="only benchmarks whose file name contains this")
    parser.add_argument("--quick", action="store_true", help="every benchmark at its tiny size (a smoke run)")
    args, extra = parser.parse_known_args(argv)
    failed = []
    for script in sorted(HERE.glob("bench_*.py")):
        if args.only not in script.name:
            continue
        print(f"== {script.name}", flush=True)
        start = time.perf_counter()
        quick = QUICK.get(script.name, []) if args.quick else []
        done = subprocess.run([sys.executable, str(script), *quick, *extra], cwd=HERE.parent)
        print(f"== {script.name}: exit {done.returncode} after {time.perf_counter() - start:.1f} s\n", flush=True)
        if done.returncode != 0:
            failed.append(script.name)
    if failed:
        print(f"benchmarks that failed: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
