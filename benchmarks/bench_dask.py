"""``checkengine batch --executor dask``'s memory: the client's peak at 10,000 vs 100,000 records,
and the cluster's memory across repeated runs (issue 16: flat client memory, a cluster that goes
back to idle after a run).

A Dask LocalCluster (``--workers`` single-threaded worker processes, 2 by default) runs in a
process of its own, started here; every run is a whole ``checkengine batch`` process (the Dask
client, which reads, ships, merges and writes), connected with ``--scheduler``. Two workloads:

- ``rulebooks/leave-and-swaps.yaml`` over ``examples/generate.py --scale N`` records in a folder
  (records of kinds it does not check are left out): it declares lookups, so each run is two
  passes on the cluster (the lookup index, then the evaluation with the index sent to every
  worker with the job);
- ``rulebooks/cs-floor.yaml`` over ``cs_floor.py``'s records (one pass, no index): the client's
  own per-record costs, without the index the first workload holds by design.

For each: a run over the small input (default a tenth), then ``--runs`` runs over the large input,
then the small input again. Printed: the client's peak resident size (VmHWM of the process, read
from /proc while it runs: ``ru_maxrss`` would report this script's own size, as it survives fork
and exec) at the small and at the large input and their ratio; each worker's and the scheduler's
resident size before the first run, after every run and a few seconds after the last one, with
the growth per large run; and what the cluster still holds after a run (tasks and data on the
scheduler and the workers, checkengine runners and engines cached on the workers), asked through
a second Dask client in the cluster's process. Last, each input once on the local process pool
(``-j WORKERS``; ``--no-local`` skips it): its parent reads, merges and writes as the Dask client
does, so its peak is what the parent holds by design (the lookup index, the aggregate groups, the
ids seen), against which the client's is read; both must write the same records.

    .venv/bin/python benchmarks/bench_dask.py                  # 100,000 and 10,000 records, 3 runs
    .venv/bin/python benchmarks/bench_dask.py --records 20000  # quicker
    .venv/bin/python benchmarks/bench_dask.py --records 1000 --runs 2   # a smoke run (run.py --quick)

Not a test: nothing is asserted; read the figures (tests/batch/test_dask_memory.py checks that a
run leaves nothing on the workers). Memory figures do not depend on the machine's load; the times
printed beside them do. About 15 minutes on 2 idle cores with the defaults.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import bench_batch  # noqa: E402 - the generator of the scaled month
import bench_output  # noqa: E402 - cs_floor's records, made in a child process
import measure  # noqa: E402

PAGE = os.sysconf("SC_PAGE_SIZE")
MIB = 2**20
RETRIES = 3
SETTLE_SECONDS = 3.0  # after a run: the client's release messages reach the scheduler and the workers

# The LocalCluster, in a process of its own (this script stays small and has no Dask threads). It
# prints its scheduler's address, then answers each line on stdin with what the cluster holds.
CLUSTER = r"""
import json
import os
import sys

import distributed


def on_worker(dask_worker):
    runners = sys.modules.get("checkengine.batch.worker")
    engines = sys.modules.get("checkengine.batch.job")
    return {"pid": os.getpid(), "tasks": len(dask_worker.state.tasks), "data": len(dask_worker.data),
            "runners": len(runners._RUNNERS) if runners else 0,
            "engines": len(engines._ENGINES) if engines else 0}


def on_scheduler(dask_scheduler):
    return {"pid": os.getpid(), "tasks": len(dask_scheduler.tasks)}


with distributed.LocalCluster(n_workers=int(sys.argv[1]), threads_per_worker=1, processes=True,
                              dashboard_address=None) as cluster, distributed.Client(cluster) as client:
    print(json.dumps({"address": cluster.scheduler_address}), flush=True)
    for _ in sys.stdin:
        print(json.dumps({"workers": sorted(client.run(on_worker).values(), key=lambda w: w["pid"]),
                          "scheduler": client.run_on_scheduler(on_scheduler)}), flush=True)
"""


@dataclass
class ClientRun:
    label: str
    records: int
    wall: float
    cpu: float
    peak_mib: float
    code: int
    digest: str
    retried: int = 0
    """How many times the run stopped with an internal error (exit 3) before this one."""
    executor: str = "dask"


def status_kib(pid: int, field: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def rss_mib(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * PAGE / MIB
    except OSError:
        return float("nan")


def digest(path: Path) -> str:
    """The output's records, without its header's generated_at (the same input must give the same)."""
    sha = hashlib.sha256()
    with path.open("rb") as fh:
        for line in fh:
            if b'"generated_at"' not in line:
                sha.update(line)
    return sha.hexdigest()[:12]


def batch(label: str, book: Path, records: Path, count: int, where: list[str], out: Path, attempt: int = 0) -> ClientRun:
    """One ``checkengine batch`` on the cluster; the peak of its own process (the Dask client). A run
    that stops with an internal error is said so and run again, up to RETRIES times."""
    args = [str(measure.CHECKENGINE), "batch", "-r", str(book), str(records), *where, "-o", str(out)]
    with tempfile.TemporaryFile() as err:  # a file, not a pipe: a chatty stderr would fill a pipe and hang
        started = time.perf_counter()
        proc = subprocess.Popen(args, cwd=out.parent, env={**os.environ, "CI": "true"}, stdout=subprocess.DEVNULL,
                                stderr=err)
        peak = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, status_kib(proc.pid, "VmHWM"))
                time.sleep(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        done.set()
        sampler.join()
        code = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode(errors="replace")
        if code == 3 and attempt < RETRIES:  # an internal error (the code before the fix met one now and then)
            line = next((ln for ln in reversed(stderr.splitlines()) if ln.strip()), "")
            print(f"  {label}: exit 3 after {wall:.0f} s ({line.strip()[:120]}); run again", flush=True)
            return batch(label, book, records, count, where, out, attempt + 1)
        if code not in (0, 1):
            raise SystemExit(f"checkengine batch {label} failed ({code}):\n{stderr[-3000:]}")
    return ClientRun(label, count, wall, usage.ru_utime + usage.ru_stime, peak / 1024, code, digest(out), attempt,
                     "dask" if "dask" in where else "local")


class Cluster:
    """The LocalCluster's process, its address, and what it holds when asked."""

    def __init__(self, workers: int, folder: Path) -> None:
        self.log = folder / "dask.log"
        with self.log.open("w") as logs:
            self.proc = subprocess.Popen([sys.executable, "-c", CLUSTER, str(workers)], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=logs, text=True, cwd=folder)
        assert self.proc.stdout is not None and self.proc.stdin is not None
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit(f"the Dask LocalCluster did not start:\n{self.log.read_text()[-3000:]}")
        self.address: str = json.loads(line)["address"]

    def state(self) -> dict[str, Any]:
        """What the cluster holds now, with every process's resident size (read from /proc here)."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write("\n")
        self.proc.stdin.flush()
        state: dict[str, Any] = json.loads(self.proc.stdout.readline())
        for process in [*state["workers"], state["scheduler"]]:
            process["rss"] = rss_mib(process["pid"])
        return state

    def stop(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def held(state: dict[str, Any]) -> str:
    """What a run left on the cluster, in a few words ('nothing' when it gave everything back)."""
    workers = state["workers"]
    parts = [f"{what} {sum(w[what] for w in workers)}" for what in ("tasks", "data", "runners", "engines")
             if any(w[what] for w in workers)]
    if state["scheduler"]["tasks"]:
        parts.append(f"scheduler tasks {state['scheduler']['tasks']}")
    return ", ".join(parts) or "nothing"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000, help="the large input (default 100,000)")
    parser.add_argument("--small", type=int, default=None, help="the small input (default a tenth)")
    parser.add_argument("--runs", type=int, default=3, help="runs over the large input per rulebook (default 3)")
    parser.add_argument("--workers", type=int, default=2, help="the LocalCluster's worker processes (default 2)")
    parser.add_argument("--keep", type=Path, default=None, help="work in this folder and keep it")
    parser.add_argument("--no-local", dest="local", action="store_false",
                        help="skip the comparison with the local pool's parent (-j WORKERS)")
    opts, _ = parser.parse_known_args(argv)  # benchmarks/run.py passes its arguments to everyone
    small = opts.small or max(1, opts.records // 10)
    folder = Path(tempfile.mkdtemp(prefix="bench-dask-")) if opts.keep is None else opts.keep
    folder.mkdir(parents=True, exist_ok=True)
    cluster: Cluster | None = None
    load = [os.getloadavg()[0]]
    try:
        started = time.perf_counter()
        inputs: dict[str, tuple[Path, dict[int, Path]]] = {
            "leave-and-swaps": (bench_batch.DEFAULT_RULEBOOK,
                                {n: bench_batch.records(folder, n).parent for n in (small, opts.records)}),
            "cs-floor": (ROOT / "rulebooks" / "cs-floor.yaml",
                         {n: bench_output.write_records(n, folder / f"floor-{n}.jsonl") for n in (small, opts.records)}),
        }
        print(f"bench_dask: batch --executor dask on a LocalCluster of {opts.workers} single-threaded worker processes; "
              f"{small:,} and {opts.records:,} records, {opts.runs} runs of {opts.records:,} per rulebook; "
              f"inputs made in {time.perf_counter() - started:.1f} s; load average {load[0]:.1f} on "
              f"{os.cpu_count()} cores")
        cluster = Cluster(opts.workers, folder)
        states: list[tuple[str, dict[str, Any]]] = [("idle, before the first run", cluster.state())]
        runs: list[ClientRun] = []
        for name, (book, records) in inputs.items():
            plan = [(small, f"{name} {small:,}")]
            plan += [(opts.records, f"{name} {opts.records:,} #{n + 1}") for n in range(opts.runs)]
            plan.append((small, f"{name} {small:,} again"))
            for count, label in plan:
                done = batch(label, book, records[count], count, ["--executor", "dask", "--scheduler", cluster.address],
                             folder / f"out-{name}-{count}.jsonl")
                runs.append(done)
                time.sleep(SETTLE_SECONDS)
                states.append((f"after {label}", cluster.state()))
                load.append(os.getloadavg()[0])
        time.sleep(4 * SETTLE_SECONDS)
        states.append((f"{5 * SETTLE_SECONDS:.0f} s after the last run", cluster.state()))
        load.append(os.getloadavg()[0])
        if opts.local:  # the same parent without Dask: what it holds by design (the index, the groups, the ids)
            for name, (book, records) in inputs.items():
                for count in (small, opts.records):
                    runs.append(batch(f"{name} {count:,} local pool", book, records[count], count,
                                      ["-j", str(opts.workers)], folder / f"out-{name}-{count}-local.jsonl"))

        print("  the client (checkengine batch), one process per run:")
        print(f"    {'run':36} {'wall':>8} {'CPU':>8} {'peak':>9} {'exit':>5} {'output':>13}")
        for r in runs:
            print(f"    {r.label:36} {r.wall:7.1f}s {r.cpu:7.1f}s {r.peak_mib:6.0f}MiB {r.code:5} {r.digest:>13}"
                  + (f"  (after {r.retried} internal error{'s' if r.retried > 1 else ''})" if r.retried else ""))
        failures = sum(r.retried for r in runs)
        print(f"  runs that stopped with an internal error and were run again: {failures} of {len(runs) + failures}")
        for name in inputs:
            mine = [r for r in runs if r.label.startswith(name + " ") and r.executor == "dask"]
            pool = {r.records: r for r in runs if r.label.startswith(name + " ") and r.executor == "local"}
            at_small = max(r.peak_mib for r in mine if r.records == small)
            at_large = max(r.peak_mib for r in mine if r.records == opts.records)
            same = len({r.digest for r in mine if r.records == opts.records}) == 1
            print(f"  client peak {name}, {small:,} -> {opts.records:,} records: {at_small:.0f} -> {at_large:.0f} MiB "
                  f"({at_large / at_small:.2f}x, {at_large - at_small:+.0f} MiB, for {opts.records / small:.0f}x the records; "
                  "target: flat); "
                  f"{'every' if same else 'NOT every'} run of {opts.records:,} wrote the same records")
            if pool:
                agree = all(r.digest == pool[r.records].digest for r in mine)
                print(f"    the local pool's parent (-j {opts.workers}), the same records: {pool[small].peak_mib:.0f} -> "
                      f"{pool[opts.records].peak_mib:.0f} MiB ({pool[opts.records].peak_mib / pool[small].peak_mib:.2f}x, "
                      f"{pool[opts.records].peak_mib - pool[small].peak_mib:+.0f} MiB); "
                      f"Dask / local pool at {opts.records:,}: {at_large / pool[opts.records].peak_mib:.2f}x; "
                      f"{'the same' if agree else 'NOT the same'} output as on Dask")

        workers = len(states[0][1]["workers"])
        print("  the cluster, resident size (MiB) of each worker and of the scheduler's process, and what it holds:")
        print(f"    {'':44} " + " ".join(f"{'worker ' + str(n + 1):>9}" for n in range(workers))
              + f" {'scheduler':>10}  held")
        for label, state in states:
            print(f"    {label:44} " + " ".join(f"{w['rss']:9.1f}" for w in state["workers"])
                  + f" {state['scheduler']['rss']:10.1f}  {held(state)}")
        total = lambda state: sum(w["rss"] for w in state["workers"])  # noqa: E731
        for name in inputs:
            mine = {label: state for label, state in states if label.startswith(f"after {name} ")}
            warm, *_, again = mine.values()
            large = [state for label, state in mine.items() if f" {opts.records:,} #" in label]
            growth = (total(large[-1]) - total(large[0])) / max(1, len(large) - 1)
            print(f"  workers, all together, {name}: {total(warm):.0f} MiB after its first run ({small:,}, the "
                  f"warm-up), {', '.join(f'{total(s):.0f}' for s in large)} MiB after each run of {opts.records:,}, "
                  f"{total(again):.0f} MiB after {small:,} again ({total(again) - total(warm):+.1f} MiB from the "
                  f"warm-up; target: within a few MiB); growth per run of {opts.records:,} after the first: "
                  f"{growth:+.1f} MiB")
        print(f"  the whole cluster: workers {total(states[0][1]):.0f} MiB idle -> {total(states[-1][1]):.0f} MiB "
              f"{5 * SETTLE_SECONDS:.0f} s after the last run, the scheduler's process "
              f"{states[0][1]['scheduler']['rss']:.0f} -> {states[-1][1]['scheduler']['rss']:.0f} MiB; held at the "
              f"end: {held(states[-1][1])}")
        print(f"  load average {min(load):.1f}-{max(load):.1f} (memory figures do not depend on it; times do)")
    finally:
        if cluster is not None:
            cluster.stop()
        if opts.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
