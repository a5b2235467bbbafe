"""Time and peak memory of every hostile-input case, each in its own process.

    python benchmarks/hostile_bounds.py [--python OTHER/python] [--only SUBSTRING] [--json OUT]

Runs each case folder of tests/hostile/cases with the checkengine of ``--python`` (default: this
interpreter), under ``prlimit --as`` (default 4 GB) and a timeout (default 120 s), and prints the
slowest and the most memory-hungry cases (peak resident memory of the command's process, from
wait4). Pointing ``--python`` at another checkout's interpreter gives the figures before a change.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "hostile"))
sys.path.insert(0, str(HERE.parent / "tests" / "pdf"))

from harness import ENTRY, all_cases, lay_out, load  # noqa: E402
from templates import build  # noqa: E402


WRAPPER = (
    "import resource, signal, subprocess, sys; signal.signal(signal.SIGINT, lambda *a: None); "
    "code = subprocess.call(sys.argv[1:]); "
    "sys.stderr.write('HOSTILE-PEAK-KB %d\\n' % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
    "sys.exit(code if code >= 0 else 128 - code)"
)


def run(case: Path, root: Path, templates: object, python: str, timeout: float, memory_mb: int) -> dict[str, object]:
    spec = load(case)
    folder = root / "case"
    folder.mkdir()
    lay_out(case, spec, folder, templates)  # type: ignore[arg-type]
    env = {**os.environ, **{k: str(v) for k, v in (spec.get("env") or {}).items()}}
    # A small wrapper process runs the command and reports its children's peak: a child forked
    # straight from this (large) process would inherit this process's high-water mark. The wrapper
    # lets Ctrl-C pass to the command (a handler, not SIG_IGN, so the command gets the default).
    command = [sys.executable, "-c", WRAPPER, "prlimit", f"--as={memory_mb * 1024 * 1024}", "--", python, "-c",
               ENTRY, *map(str, spec["args"])]
    start = time.perf_counter()
    child = subprocess.Popen(command, cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             start_new_session=True)
    for at in spec.get("interrupt") or []:
        time.sleep(max(0.0, at - (time.perf_counter() - start)))
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGINT)
    timed_out = False
    deadline = start + timeout
    status = 0
    while True:
        pid, status = os.waitpid(child.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            timed_out = True
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGKILL)
            _, status = os.waitpid(child.pid, 0)
            break
        time.sleep(0.02)
    seconds = time.perf_counter() - start
    err = child.stderr.read().decode("utf-8", "replace") if child.stderr else ""
    peak = [line for line in err.splitlines() if line.startswith("HOSTILE-PEAK-KB ")]
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signal.SIGKILL)
    code = os.waitstatus_to_exitcode(status)
    return {"case": str(case.relative_to(case.parents[1])), "exit": code, "seconds": round(seconds, 2),
            "peak_mb": round(int(peak[-1].split()[1]) / 1024, 1) if peak else None, "timed_out": timed_out,
            "traceback": "Traceback" in err or "internal error" in err, "wanted": spec["exit"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--only", default="")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--memory-mb", type=int, default=4096)
    parser.add_argument("--json", dest="out")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        made: dict[str, Path] = {}

        def templates(name: str) -> Path:
            if name not in made:
                made[name] = build(name, Path(tmp) / "templates", templates)
            return made[name]

        (Path(tmp) / "templates").mkdir()
        for case in all_cases():
            if args.only and args.only not in str(case):
                continue
            with tempfile.TemporaryDirectory() as root:
                rows.append(run(case, Path(root), templates, args.python, args.timeout, args.memory_mb))
            print(json.dumps(rows[-1]), flush=True)
    if args.out:
        Path(args.out).write_text(json.dumps(rows, indent=1), "utf-8")
    slow = sorted(rows, key=lambda r: -float(r["seconds"]))[:5]  # type: ignore[arg-type]
    big = sorted(rows, key=lambda r: -float(r["peak_mb"] or 0))[:5]  # type: ignore[arg-type]
    print("slowest:", *(f"  {r['case']}: {r['seconds']} s (exit {r['exit']})" for r in slow), sep="\n")
    print("most memory:", *(f"  {r['case']}: {r['peak_mb']} MB (exit {r['exit']})" for r in big), sep="\n")
    wrong = [r for r in rows if r["timed_out"] or r["traceback"] or
             (r["exit"] not in (r["wanted"] if isinstance(r["wanted"], list) else [r["wanted"]]))]
    print(f"{len(rows)} cases; {len(wrong)} broke their promise (timed out, traceback or another exit code)")


if __name__ == "__main__":
    main()
