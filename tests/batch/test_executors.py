"""The local pool forks its workers from a process without other threads: they ignore Ctrl-C
(the parent decides what is kept), and the parent's own Ctrl-C is not held back afterwards."""

from __future__ import annotations

import multiprocessing
import os
import signal
from pathlib import Path

import pytest

from checkengine.batch.executors import LocalExecutor, start_method
from checkengine.batch.job import EngineSpec, EvaluateJob
from checkengine.batch.source import Chunk
from checkengine.batch.worker import runner_for
from checkengine.rulebook.load import load_rulebook


def test_forked_workers_ignore_ctrl_c_and_the_parent_still_gets_it(book_path: Path, scenario: object) -> None:
    if start_method() != "fork":
        pytest.skip("the pool forks only from a process without other threads (an earlier test left some)")
    job = EvaluateJob(EngineSpec(load_rulebook(book_path)))
    runner_for(job)
    executor = LocalExecutor(2)
    executor.start(job)
    try:
        workers = multiprocessing.active_children()
        assert len(workers) >= 2  # forked when the run starts, not at its first chunk
        assert signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, [])
        for worker in workers:
            os.kill(worker.pid, signal.SIGINT)  # as a terminal sends it to the whole group
        lines = [f'{{"kind": "monitoring", "id": "M-{n}"}}' for n in range(4)]
        results = [executor.submit(Chunk(n, n, [(line, "in.jsonl", n + 1)])).result(timeout=60)
                   for n, line in enumerate(lines)]
        assert [len(r.outputs) for r in results] == [1, 1, 1, 1]
        assert all(worker.is_alive() for worker in workers)
    finally:
        executor.close(cancel=False)
