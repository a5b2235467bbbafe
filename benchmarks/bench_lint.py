"""Benchmark: ``checkengine lint`` of a 1,000-rule rulebook, and ``checkengine --help``, as whole processes.

Generates, in a temporary folder, a rulebook of 1,000 rules in 20 sections with three languages,
50 dated parameters and a sources catalogue of 1,000 clauses, then runs each command several times
in a subprocess (interpreter start-up and imports included, as a user or CI sees it) and prints the
median wall time next to its target. Also prints the median of ``python -c pass`` as the baseline
of what any Python process costs on this machine, and each figure as a ratio of it.

Each process also reports its CPU time (user + system), the steadier figure on a shared machine,
and the load average is printed. The processes run with Python's bytecode caches allowed (an
environment that sets PYTHONDONTWRITEBYTECODE would otherwise recompile every checkengine module
in every run, which no installed package does); the warm-up run writes them.

With ``--baseline REF`` the same lint also runs with that git ref's ``checkengine/`` (extracted
with ``git archive``) first on ``PYTHONPATH``, alternating with this checkout run by run, and the
ratios after / before are printed (CPU time is the figure to compare on a shared machine).

Run: ``python benchmarks/bench_lint.py [--runs N] [--baseline REF]``. Not a test: nothing here
asserts a time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

LANGS = ["en", "zh-Hant", "zh-Hans"]
TARGETS = {"lint 1,000 rules": 0.35, "--help": 0.3}  # wall seconds, start-up included (issue 16)
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _text(en: str) -> dict[str, str]:
    return {"en": en, "zh-Hant": f"{en}（繁）", "zh-Hans": f"{en}（简）"}


def write_rulebook(folder: Path, rules: int = 1000, sections: int = 20, parameters: int = 50) -> Path:
    """A realistic rulebook: every text translated, every rule citing a catalogued clause."""
    clauses = [{"id": f"CL-{i:04d}", "clause": f"{i // 10}.{i % 10}", "text": f"Clause {i} text.",
                "translations": {"zh-Hant": f"條款 {i}", "zh-Hans": f"条款 {i}"}} for i in range(rules)]
    sources = {"checkengine": 1, "kind": "sources",
               "documents": [{"id": "handbook", "title": _text("Handbook"), "language": "en", "clauses": clauses}]}
    (folder / "sources.yaml").write_text(yaml.safe_dump(sources, allow_unicode=True, sort_keys=False), "utf-8")
    params = {f"limit_{p}": {"description": _text(f"Limit {p}"), "unit": "minutes",
                             "values": {"2020-01-01": {"value": 10 + p, "reference": f"CL-{p:04d}"},
                                        "2026-01-01": {"value": 5 + p, "reference": f"CL-{p:04d}"}}}
              for p in range(parameters)}
    per_section = rules // sections
    book_sections = []
    for s in range(sections):
        book_rules = []
        for r in range(per_section):
            n = s * per_section + r
            if n % 3 == 0:
                check = {"type": "in_range", "field": f"observations.m{n}", "max": {"param": f"limit_{n % parameters}"}}
            elif n % 3 == 1:
                check = {"type": "equals", "field": f"observations.f{n}", "value": True}
            else:
                check = {"type": "manual", "prompt": _text(f"Is item {n} in order?")}
            rule = {"id": f"R-{n:04d}", "title": _text(f"Rule {n}"), "description": _text(f"What rule {n} asks."),
                    "source": f"CL-{n:04d}", "severity": ["critical", "major", "minor", "info"][n % 4],
                    "applies_to": {"kinds": ["floor_inspection"]}, "check": check,
                    "effective": {"from": "2020-01-01"}}
            if n % 5 == 0:
                rule["when"] = f"record.observations.on_duty == true && params.limit_{n % parameters} > 0"
            book_rules.append(rule)
        book_sections.append({"id": f"section-{s}", "title": _text(f"Section {s}"), "rules": book_rules})
    book = {"checkengine": 1, "id": "bench", "version": "1.0.0", "title": _text("Benchmark"),
            "languages": LANGS, "sources": [{"include": "sources.yaml"}], "parameters": params,
            "sections": book_sections}
    path = folder / "rulebook.yaml"
    path.write_text(yaml.safe_dump(book, allow_unicode=True, sort_keys=False), "utf-8")
    return path


def median_wall(argv: list[str], runs: int, cwd: Path, expect: int = 0) -> tuple[float, float]:
    """Median (wall, CPU) seconds of *runs* runs of *argv* (after one warm-up run that fills OS
    caches and the bytecode caches)."""
    walls, cpus = [], []
    for i in range(runs + 1):
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        stderr = proc.stderr.read().decode() if proc.stderr else ""
        if proc.stderr:
            proc.stderr.close()
        code = os.waitstatus_to_exitcode(status)
        if code != expect:
            raise SystemExit(f"{' '.join(argv)} exited {code}: {stderr[-2000:]}")
        if i:
            walls.append(elapsed)
            cpus.append(usage.ru_utime + usage.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def _extract(ref: str, into: Path) -> Path:
    """The package of git *ref*, extracted into *into* (for ``PYTHONPATH``)."""
    root = Path(__file__).resolve().parent.parent
    archive = subprocess.run(["git", "-C", str(root), "archive", ref, "checkengine"], check=True,
                             capture_output=True).stdout
    into.mkdir()
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def compare(argv: list[str], runs: int, cwd: Path, baseline: Path) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) of *argv* with the baseline's package and with this checkout's,
    alternating run by run (each side warmed up once first)."""
    sides = {"before": {**ENV, "PYTHONPATH": str(baseline)}, "after": ENV}
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in sides}
    for i in range(runs + 1):
        for name, env in sides.items():
            start = time.perf_counter()
            proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
            _, status, usage = os.wait4(proc.pid, 0)
            elapsed = time.perf_counter() - start
            if os.waitstatus_to_exitcode(status) != 0:
                raise SystemExit(f"{' '.join(argv)} ({name}) failed")
            if i:
                times[name].append((elapsed, usage.ru_utime + usage.ru_stime))
    return {name: (statistics.median(w for w, _ in got), statistics.median(c for _, c in got))
            for name, got in times.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--baseline", metavar="REF", help="also run lint with this git ref's package, interleaved")
    args = parser.parse_args()
    exe = shutil.which("checkengine", path=str(Path(sys.executable).parent)) or "checkengine"
    folder = Path(tempfile.mkdtemp(prefix="bench-lint-"))
    try:
        write_rulebook(folder)
        size = (folder / "rulebook.yaml").stat().st_size + (folder / "sources.yaml").stat().st_size
        baseline = median_wall([sys.executable, "-c", "pass"], args.runs, folder)
        results = {
            "lint 1,000 rules": median_wall([exe, "lint", "rulebook.yaml", "sources.yaml"], args.runs, folder),
            "--help": median_wall([exe, "--help"], args.runs, folder),
        }
        versus = None
        if args.baseline:
            base = _extract(args.baseline, folder / "baseline")
            versus = compare([exe, "lint", "rulebook.yaml", "sources.yaml"], args.runs, folder, base)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"bench_lint: 1,000 rules, 50 parameters, 1,000 clauses, 3 languages ({size / 1024:.0f} KiB of YAML); "
          f"median of {args.runs} runs")
    print(f"  {'':28} {'wall':>9} {'CPU':>9}")
    print(f"  {'python -c pass (baseline)':<28} {baseline[0]:7.3f} s {baseline[1]:7.3f} s")
    for name, (seconds, cpu) in results.items():
        verdict = "ok" if seconds <= TARGETS[name] else "SLOWER than target"
        print(f"  {name:<28} {seconds:7.3f} s {cpu:7.3f} s  {seconds / baseline[0]:5.1f}x baseline  "
              f"target {TARGETS[name]:.2f} s wall: {verdict}")
    if versus:
        (bw, bc), (aw, ac) = versus["before"], versus["after"]
        print(f"  lint, {args.baseline} vs this checkout, alternating: before {bw:.3f} s wall {bc:.3f} s CPU, "
              f"after {aw:.3f} s wall {ac:.3f} s CPU ({aw / bw:.2f}x wall, {ac / bc:.2f}x CPU)")
    wall, cpu = versus["after"] if versus else results["lint 1,000 rules"]
    target = TARGETS["lint 1,000 rules"]
    print(f"  issue 16 target, lint of 1,000 rules < {target:.2f} s wall with process start: {wall:.3f} s wall "
          f"= {wall / target:.2f} of the target (CPU {cpu:.3f} s = {cpu / target:.2f}); "
          f"{'met' if wall < target else 'NOT met'}" + ("" if wall - cpu < 0.02 else
                                                      " (wall well above CPU: no idle core, see the load)"))
    print(f"  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (wall time needs an idle core)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
