"""A run on a Dask cluster: its chunks as tasks on the workers, their handles in the client, and
forgetting the run on the workers when it ends (used by :class:`checkengine.batch.executors.DaskExecutor`).

A Dask worker outlives the runs it serves, so a run must take back what it left there: the
runner it built (a compiled rulebook, and for a rulebook with lookups the run's whole index).
The runner is cached under the job's key, and that key is computed where the job is: it names the
process's plugin registry, so the client's key of a job is not the worker's. Each run therefore
has a token of its own (made by the executor), and a worker notes, the first time it runs a chunk
of that run, which runner key it used; :func:`forget_run` drops exactly those runners.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from checkengine.batch.job import Job
    from checkengine.batch.source import Chunk
    from checkengine.batch.worker import ChunkResult

#: run token -> the keys of the runners this process built or used for that run
_RUNS: dict[str, set[str]] = {}
_LOCK = threading.Lock()


def run_chunk(token: str, job: Job, chunk: Chunk) -> ChunkResult:
    """Run *chunk* of the run *token* (see :func:`checkengine.batch.worker.run_chunk`)."""
    from checkengine.batch import worker

    with _LOCK:
        keys = _RUNS.get(token)
        if keys is None:
            keys = _RUNS[token] = set()
    if not keys:  # the first chunk of the run here: note the runner's key as this process makes it
        key = job.key
        with _LOCK:
            keys.add(key)
    return worker.run_chunk(job, chunk)


def forget_run(token: str) -> int:
    """Drop this process's runners (and their engines) of the run *token*; how many it dropped."""
    from checkengine.batch import worker

    with _LOCK:
        keys = _RUNS.pop(token, set())
    return sum(worker.forget(key) for key in sorted(keys))


def runs_held() -> int:
    """How many runs this process still has runners noted for (0 once every run was forgotten)."""
    with _LOCK:
        return len(_RUNS)


class ChunkHandle:
    """A chunk's task seen from the client, waited for without Dask's timed ``Future.result``.

    ``Future.result(timeout)`` runs the wait under an asyncio timeout on the client's event loop;
    when the timeout and the result arrive together, the wait ends cancelled and the call fails
    with an ``UnboundLocalError`` from inside distributed (dask/distributed#8514) - a run polls its
    oldest chunk every 0.2 s, so a long run met it now and then and stopped with an internal
    error. Here the wait is a plain event, set by the future's done-callback, and the result is
    fetched only once the task has finished, without a timeout.
    """

    def __init__(self, future: Any) -> None:
        self.future = future
        self._finished = threading.Event()
        future.add_done_callback(_set_when_done(self._finished))

    def result(self, timeout: float | None = None) -> ChunkResult:
        if not self._finished.wait(timeout):
            raise TimeoutError(f"the chunk is still running after {timeout} s")
        result: ChunkResult = self.future.result()
        return result

    def done(self) -> bool:
        return self._finished.is_set()

    def cancel(self) -> bool:
        self.future.cancel()
        return True


def _set_when_done(finished: threading.Event) -> Any:
    """The done-callback: it holds the event only, never the handle or the future (which the
    callback is given), so a consumed handle and its task's result are released at once."""

    def done(_future: Any) -> None:
        finished.set()

    return done
