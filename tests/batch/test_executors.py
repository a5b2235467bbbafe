"""The local pool forks its workers from a process without other threads: they ignore Ctrl-C
(the parent decides what is kept), and the parent's own Ctrl-C is not held back afterwards; the
workers start with what the parent had made frozen for the collector, the parent does not stay so.

Run in a fresh interpreter: this test process may hold threads of earlier tests (a Dask cluster's),
and then the pool rightly uses its fork server instead."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CHECK = """
import gc, multiprocessing, os, signal, sys
from checkengine.batch.executors import LocalExecutor
from checkengine.batch.forking import start_method
from checkengine.batch.job import EngineSpec, EvaluateJob
from checkengine.batch.source import Chunk
from checkengine.batch.worker import runner_for
from checkengine.rulebook.load import load_rulebook

assert start_method() == "fork", start_method()
job = EvaluateJob(EngineSpec(load_rulebook(sys.argv[1])))
runner_for(job)
executor = LocalExecutor(2)
executor.start(job)
try:
    workers = multiprocessing.active_children()
    assert len(workers) >= 2, workers  # forked when the run starts, not at its first chunk
    assert signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, [])
    assert gc.get_freeze_count() == 0
    inherited = [executor._pool.submit(gc.get_freeze_count).result(timeout=60) for _ in range(4)]
    assert min(inherited) > 10_000, inherited  # the modules and the compiled rulebook
    for worker in workers:
        os.kill(worker.pid, signal.SIGINT)  # as a terminal sends it to the whole group
    lines = ['{"kind": "monitoring", "id": "M-%d"}' % n for n in range(4)]
    results = [executor.submit(Chunk(n, n, [(line, "in.jsonl", n + 1)])).result(timeout=60)
               for n, line in enumerate(lines)]
    assert [len(r.outputs) for r in results] == [1, 1, 1, 1], results
    assert all(worker.is_alive() for worker in workers)
finally:
    executor.close(cancel=False)
print("checked")
"""


def test_forked_workers_ignore_ctrl_c_and_the_parent_still_gets_it(book_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", CHECK, str(book_path)], capture_output=True, text=True,
                          timeout=120)
    assert (done.returncode, done.stdout) == (0, "checked\n"), done.stderr
