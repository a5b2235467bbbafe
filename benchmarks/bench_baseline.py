"""``evaluate`` and ``batch`` throughput of this checkout against a baseline git ref, in one run.

The baseline (``--baseline REF``; default the merge-base of HEAD with ``main``) is extracted with
``git archive`` into a temporary folder and installed there, with the plugins of its own
``plugins/``, by ``pip install --no-deps --target`` (a wheel, as a user gets it). The same
``checkengine`` command then runs with that folder first on ``PYTHONPATH`` (the baseline's
package and its entry points, which shadow the installed ones) or without it (this checkout, as
installed in the virtual environment); every other installed package is the same for both.

Workload: ``examples/generate.py --scale N`` records (the scaled example month) in a folder,
under ``rulebooks/leave-and-swaps.yaml`` (records of the kinds it does not check are left out, as
a month's folder is given), as whole processes, start-up included:

- ``checkengine evaluate --format json -o FILE`` (the inline path);
- ``checkengine batch --jobs 2 -o FILE`` (the local process pool).

Before anything is timed, each side runs once (a warm-up, which also compiles the baseline's
bytecode) and the two outputs are checked to hold the same records in the same order (exit 1
when they do not); whether they are byte-identical apart from ``generated_at`` is printed too.
Then ``--rounds`` interleaved rounds (the order rotates each round); figures are medians, as wall
time and as CPU time of the process tree (the steadier one on a shared machine), with the CPU
times' spread ((slowest - fastest) / median: a ratio nearer 1.00 than that is noise). The ratio
is this checkout's throughput over the baseline's: 1.00 is unchanged, 0.95 is 5 % slower. Not a
test: nothing asserts a time. Run it on a quiet machine, or with more rounds, to judge 5 %.

    .venv/bin/python benchmarks/bench_baseline.py                          # 20,000 records, 5 rounds
    .venv/bin/python benchmarks/bench_baseline.py --baseline a16bf14 --records 50000
    .venv/bin/python benchmarks/bench_baseline.py --records 300 --rounds 1 --json figures.json
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import bench_batch  # noqa: E402 - the generator is shared
import measure  # noqa: E402


class Unusable(Exception):
    """The baseline cannot be prepared (the message says why)."""


def git(*args: str) -> str:
    done = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise Unusable(f"git {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout.strip()


def resolve(ref: str | None) -> tuple[str, str]:
    """The commit of *ref* (default: the merge-base of HEAD with main) and how it was chosen."""
    if ref is None:
        try:
            return git("merge-base", "HEAD", "main"), "merge-base of HEAD and main"
        except Unusable:
            return git("rev-parse", "--verify", "HEAD^{commit}"), "HEAD (there is no branch main)"
    try:
        return git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"), ref
    except Unusable:
        raise Unusable(f"--baseline {ref}: not a commit of this repository; give a branch, a tag or a commit "
                       "(e.g. --baseline main)") from None


def install_baseline(commit: str, folder: Path) -> Path:
    """Extract *commit* and install it (and its plugins) into a folder for PYTHONPATH; return it."""
    tree, site = folder / "baseline-src", folder / "baseline-site"
    tree.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", commit], capture_output=True,
                             check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(tree, filter="data")
    plugins = sorted(str(p.parent) for p in tree.glob("plugins/*/pyproject.toml"))
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                           "--no-deps", "--no-build-isolation", "--no-index", "--target", str(site), str(tree),
                           *plugins], capture_output=True, text=True)
    if done.returncode != 0:
        raise Unusable(f"installing the baseline {commit[:12]} failed:\n{done.stdout}{done.stderr}")
    return site


def where(env: dict[str, str], cwd: Path) -> str:
    """The folder checkengine is imported from, and the folder its entry points come from, under *env*
    (run in *cwd*, as the benchmark's commands are: ``python -c`` puts its working folder first)."""
    code = ("import checkengine, importlib.metadata as m; "
            "print(checkengine.__file__); print(m.distribution('checkengine').locate_file(''))")
    done = subprocess.run([sys.executable, "-c", code], env={**os.environ, **env}, cwd=cwd, capture_output=True,
                          text=True, check=True)
    return done.stdout


def evaluated_ids(path: Path) -> list[str]:
    return [entry["record"]["id"] for entry in json.loads(path.read_text("utf-8"))["records"]]


def batch_ids(path: Path) -> list[str]:
    lines = (json.loads(line) for line in path.read_text("utf-8").splitlines())
    return [line["record"]["id"] for line in lines if line.get("type") == "record"]


def normalised(path: Path) -> list[Any]:
    """The output as data without ``generated_at`` (JSON, or JSON Lines line by line)."""
    text = path.read_text("utf-8")
    try:
        docs = [json.loads(text)]
    except json.JSONDecodeError:
        docs = [json.loads(line) for line in text.splitlines()]
    for doc in docs:
        if isinstance(doc, dict):
            doc.pop("generated_at", None)
    return docs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", metavar="REF", default=None,
                        help="the git ref to compare with (default: the merge-base of HEAD and main)")
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=2, help="batch --jobs (default 2)")
    parser.add_argument("--rulebook", type=Path, default=bench_batch.DEFAULT_RULEBOOK)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    opts, _ = parser.parse_known_args(argv)  # benchmarks/run.py passes its arguments to everyone
    folder = Path(tempfile.mkdtemp(prefix="bench-baseline-"))
    try:
        try:
            commit, chosen = resolve(opts.baseline)
            site = install_baseline(commit, folder)
        except Unusable as exc:
            print(f"bench_baseline: {exc}", file=sys.stderr)
            return 2
        head = git("describe", "--always", "--dirty", "--abbrev=12")
        envs: dict[str, dict[str, str]] = {
            "baseline": {"PYTHONPATH": str(site)},
            "this checkout": {"PYTHONPATH": os.environ.get("PYTHONPATH", "")},
        }
        seen = where(envs["baseline"], folder)
        if not all(line.startswith(str(site)) for line in seen.splitlines()):
            raise SystemExit(f"the baseline is not what PYTHONPATH={site} imports:\n{seen}")
        if not where(envs["this checkout"], folder).startswith(str(ROOT)):
            print(f"  note: this interpreter's checkengine is not the checkout at {ROOT}")
        data = bench_batch.records(folder, opts.records).parent
        book = str(opts.rulebook)

        def command(kind: str, side: str) -> list[str]:
            out = folder / f"{kind}-{side.replace(' ', '-')}.{'json' if kind == 'evaluate' else 'jsonl'}"
            if kind == "evaluate":
                return ["evaluate", "-r", book, str(data), "--format", "json", "-o", str(out)]
            return ["batch", "-r", book, str(data), "--jobs", str(opts.jobs), "-o", str(out)]

        def output(kind: str, side: str) -> Path:
            return Path(command(kind, side)[-1])

        def timed(kind: str, side: str) -> Callable[[], measure.Run]:
            return lambda: measure.run(command(kind, side), cwd=folder, env=envs[side])

        print(f"bench_baseline: this checkout ({head}) against the baseline {commit[:12]} ({chosen}); "
              f"{opts.records:,} generated records, rulebook {opts.rulebook.name}; whole processes, medians of "
              f"{opts.rounds} interleaved rounds after a warm-up; {measure.load()}")
        figures: dict[str, Any] = {"baseline": commit, "this": head, "records": opts.records, "rounds": opts.rounds,
                                   "jobs": opts.jobs, "benchmarks": {}}
        ids = {"evaluate": evaluated_ids, "batch": batch_ids}
        for kind in ("evaluate", "batch"):
            warm = {side: timed(kind, side)() for side in envs}
            same_records = ids[kind](output(kind, "baseline")) == ids[kind](output(kind, "this checkout"))
            identical = normalised(output(kind, "baseline")) == normalised(output(kind, "this checkout"))
            exits = {side: run.code for side, run in warm.items()}
            if not same_records or len(set(exits.values())) != 1:
                print(f"  {kind}: the two sides disagree (exit codes {exits}, same records in the same order: "
                      f"{same_records}); not timed")
                figures["benchmarks"][kind] = {"checked": False}
                continue
            sides = measure.Sides()
            sides.measure({side: timed(kind, side) for side in envs}, opts.rounds)
            label = "evaluate --format json" if kind == "evaluate" else f"batch --jobs {opts.jobs}"
            row: dict[str, Any] = {"checked": True, "identical_output": identical}
            print(f"  {label}: same records in the same order on both sides; output identical apart from "
                  f"generated_at: {'yes' if identical else 'no'}")
            for side in envs:
                wall, cpu = sides.wall(side), sides.cpu(side)
                row[side] = {"wall_s": wall, "cpu_s": cpu, "records_per_s_wall": opts.records / wall,
                             "records_per_s_cpu": opts.records / cpu, "cpu_spread": sides.spread(side)}
                print(f"    {side:14} wall {wall:7.2f} s  {opts.records / wall:9,.0f} records/s   "
                      f"CPU {cpu:7.2f} s  {opts.records / cpu:9,.0f} records/s   "
                      f"CPU spread {100 * sides.spread(side):4.1f} %")
            row["ratio_wall"] = sides.wall("baseline") / sides.wall("this checkout")
            row["ratio_cpu"] = sides.cpu("baseline") / sides.cpu("this checkout")
            print(f"    throughput this checkout / baseline: {row['ratio_cpu']:.3f} (CPU), {row['ratio_wall']:.3f} "
                  f"(wall); target >= 0.95")
            figures["benchmarks"][kind] = row
        print(f"  {measure.load()} at the end")
        if opts.json is not None:
            opts.json.write_text(json.dumps(figures, indent=2) + "\n", "utf-8")
        if not all(row["checked"] for row in figures["benchmarks"].values()):
            return 1  # the sides disagree: the comparison would not be like with like
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
