"""A run on a Dask cluster leaves nothing behind on it: a Dask worker outlives the runs it serves,
so whatever a run keeps there (its runner with the compiled rulebook and the lookup index, the
scattered job, task results) grows the cluster's memory with every run.

The cluster here runs its worker in a process of its own, as a real cluster does: a worker in the
test's process (``processes=False``) shares its plugin registry and caches with the client, which
hid that the worker's runner keys are not the client's (benchmarks/bench_dask.py measures the
memory itself).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Iterator

import pytest

from checkengine.batch.executors import DaskExecutor
from checkengine.batch.job import EngineSpec
from checkengine.rulebook.load import load_rulebook

from test_batch_run import jsonl_batch  # noqa: E402  (same folder, on sys.path)

distributed = pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parents[2]
LEAVE = ROOT / "rulebooks" / "leave-and-swaps.yaml"  # declares lookups: two passes per run
MONTH = ROOT / "examples" / "month-2026-11"
SWAPS = [line.split(",")[2] for line in (MONTH / "swaps.csv").read_text("utf-8").splitlines()[1:]]


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as local:
        yield local


def held(cluster: Any) -> dict[str, Any]:
    """What the cluster holds now: on each worker its tasks, data, checkengine runners, engines and
    noted runs; on the scheduler its tasks."""

    def on_worker(dask_worker: Any) -> dict[str, int]:  # pickled by value: runs in the worker
        from checkengine.batch import dask_runs, job, worker

        return {"tasks": len(dask_worker.state.tasks), "data": len(dask_worker.data),
                "runners": len(worker._RUNNERS), "engines": len(job._ENGINES), "runs": dask_runs.runs_held()}

    def on_scheduler(dask_scheduler: Any) -> int:
        return len(dask_scheduler.tasks)

    def scheduler_logs(dask_scheduler: Any) -> bytes:  # what the scheduler keeps of its messages to workers
        import pickle

        return b"".join(pickle.dumps(list(stream.recent_message_log), protocol=5)
                        for stream in dask_scheduler.stream_comms.values())

    with distributed.Client(cluster.scheduler_address, set_as_default=False) as client:
        return {"workers": list(client.run(on_worker).values()), "scheduler": client.run_on_scheduler(on_scheduler),
                "logs": client.run_on_scheduler(scheduler_logs)}


def settled(cluster: Any, seconds: float = 20.0) -> dict[str, Any]:
    """What the cluster holds once the run's releases have arrived (they travel after the run's end)."""
    deadline = time.monotonic() + seconds
    while True:
        state = held(cluster)
        idle = not state["scheduler"] and not any(w["tasks"] or w["data"] for w in state["workers"])
        if idle or time.monotonic() > deadline:
            logs = state.pop("logs")
            # None of the run's records (here: the month's shift swaps, by id) is kept in them
            state["records in the scheduler's logs"] = sum(swap.encode() in logs for swap in SWAPS)
            return state
        time.sleep(0.2)


@pytest.mark.slow
def test_a_run_leaves_nothing_on_the_workers(cluster: Any) -> None:
    spec = EngineSpec(load_rulebook(LEAVE), lang="en")
    assert settled(cluster) == {"workers": [{"tasks": 0, "data": 0, "runners": 0, "engines": 0, "runs": 0}],
                                "scheduler": 0, "records in the scheduler's logs": 0}
    for _ in range(2):
        _, tally = jsonl_batch(spec, [MONTH], DaskExecutor(cluster.scheduler_address), 50)
        assert tally.records > 400 and tally.groups > 10  # the run did run, both passes, on the cluster
        state = settled(cluster)
        # Neither pass's runner (the index pass's, the evaluation's with the whole index), nor its
        # engine, nor the scattered job, nor a task or its result is left.
        assert state == {"workers": [{"tasks": 0, "data": 0, "runners": 0, "engines": 0, "runs": 0}],
                         "scheduler": 0, "records in the scheduler's logs": 0}


@pytest.mark.slow
def test_the_client_keeps_no_chunk_it_sent(cluster: Any) -> None:
    """The client's connection to the scheduler keeps a log of the messages it sent (Dask's
    debugging aid, 1,000 batches by default): the tasks, and in them every chunk's records, so the
    client's memory grew with the run. The executor's client keeps none while the run goes on."""
    executor = DaskExecutor(cluster.scheduler_address)
    logged: list[int] = []

    def after(count: int) -> None:
        logged.append(len(executor._client.scheduler_comm.recent_message_log))

    spec = EngineSpec(load_rulebook(LEAVE), lang="en")
    _, tally = jsonl_batch(spec, [MONTH], executor, 50, after=after)
    assert tally.records > 400 and len(logged) > 10
    assert set(logged) == {0}
