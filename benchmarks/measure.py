"""Timing whole ``checkengine`` processes for the benchmarks that compare two sides in one run
(bench_baseline.py, bench_archive.py): wall time and the CPU time of the whole process tree,
rounds interleaved, medians.

CPU of a tree: ``wait4`` gives the process and the children it waited for, but the local pool's
workers are children of multiprocessing's fork server, which is not always waited for, so
the CPU of every process below the root is also sampled from /proc every 20 ms (each one's last
sample counts, so a short-lived process may be up to 20 ms short) and the larger of the two
totals is taken. A process outside the tree (a Dask cluster's scheduler and workers) is measured
by :class:`OutsideCpu`, before and after.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping, Sequence

CHECKENGINE = Path(sys.executable).with_name("checkengine")
TICK = os.sysconf("SC_CLK_TCK")


@dataclass
class Run:
    wall: float
    cpu: float
    code: int
    stdout: str = ""
    stderr: str = ""


def descendants(root: int) -> list[int]:
    """*root* and every process below it (read from /proc/PID/task/TID/children, no /proc scan)."""
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{pid}/task/{task}/children") as fh:
                    todo.extend(int(child) for child in fh.read().split())
            except OSError:
                continue
    return found


def cpu_of(pid: int, *, reaped: bool = False) -> float | None:
    """User + system CPU seconds of one process so far (with *reaped*, plus those of the children it
    has waited for), or None when it has gone."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    ticks = int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if reaped else 0)
    return ticks / TICK


def tree_cpu(root: int) -> float:
    """CPU seconds so far of *root* and every live process below it."""
    return sum(c for pid in descendants(root) if (c := cpu_of(pid)) is not None)


class OutsideCpu:
    """The CPU used by a long-lived process tree (a Dask cluster, a PostgreSQL server) between
    :meth:`start` and :meth:`stop`: every live process's own, plus that of the children each has
    reaped (a PostgreSQL backend ends with its connection)."""

    def __init__(self, root: int) -> None:
        self.root = root
        self._before: dict[int, float] = {}

    def _sample(self) -> dict[int, float]:
        return {pid: c for pid in descendants(self.root) if (c := cpu_of(pid, reaped=True)) is not None}

    def start(self) -> None:
        self._before = self._sample()

    def stop(self) -> float:
        after = self._sample()
        return sum(c - self._before.get(pid, 0.0) for pid, c in after.items())


def run(args: Sequence[str], *, cwd: Path, env: Mapping[str, str] | None = None, ok: Sequence[int] = (0, 1),
        outside: OutsideCpu | None = None) -> Run:
    """Run ``checkengine ARGS`` (``CI=true``: no progress bar) and time it; a failure (an exit code
    not in *ok*) stops the benchmark with the command's stderr."""
    environment = {**os.environ, "CI": "true", **(env or {})}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:  # files, not pipes: never blocks
        if outside is not None:
            outside.start()
        started = time.perf_counter()
        proc = subprocess.Popen([str(CHECKENGINE), *args], cwd=cwd, env=environment, stdout=out, stderr=err)
        seen: dict[int, float] = {}
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                for pid in descendants(proc.pid):
                    if (c := cpu_of(pid)) is not None:
                        seen[pid] = max(seen.get(pid, 0.0), c)
                time.sleep(0.02)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        done.set()
        sampler.join()
        extra = outside.stop() if outside is not None else 0.0
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
        if code not in ok:
            raise SystemExit(f"checkengine {' '.join(args)} failed (exit {code}):\n{stderr[-4000:]}")
    cpu = max(usage.ru_utime + usage.ru_stime, sum(seen.values())) + extra
    return Run(wall, cpu, code, stdout, stderr)


@dataclass
class Sides:
    """Interleaved rounds of several sides: each round runs every side once, in a rotated order."""

    runs: dict[str, list[Run]] = field(default_factory=dict)

    def measure(self, sides: Mapping[str, Callable[[], Run]], rounds: int) -> None:
        names = list(sides)
        for r in range(rounds):
            shift = r % len(names)
            for name in names[shift:] + names[:shift]:
                self.runs.setdefault(name, []).append(sides[name]())

    def wall(self, name: str) -> float:
        return statistics.median(r.wall for r in self.runs[name])

    def cpu(self, name: str) -> float:
        return statistics.median(r.cpu for r in self.runs[name])

    def spread(self, name: str) -> float:
        """(slowest - fastest) / median of a side's CPU times: the noise the ratios sit in."""
        times = [r.cpu for r in self.runs[name]]
        return (max(times) - min(times)) / statistics.median(times)


def load() -> str:
    """The load average, for the report: a busy machine has no idle core."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (5 min {five:.1f}) on {os.cpu_count()} cores"
