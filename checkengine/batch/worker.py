"""The worker side: evaluate one chunk and return its outputs with its partial aggregate state.

Runs in pool processes and on Dask workers. A runner is built once per process per job and
cached; a Dask worker may run tasks on several threads, hence the lock.
"""

from __future__ import annotations

import signal
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Iterable

from checkengine.batch.job import SKIP, Job, Runner
from checkengine.batch.source import Chunk, Task, validated
from checkengine.errors import Location
from checkengine.records import RecordError


@dataclass
class Output:
    """One input item's outcome: a payload, or the error that made the record unusable."""

    seq: int
    payload: Any = None
    error: RecordError | None = None
    key: str | None = None  # the record's id, for the parent to report a repeated one
    where: Location | None = None


@dataclass
class ChunkResult:
    index: int
    outputs: list[Output]
    groups: Any
    left_out: dict[str, int] = field(default_factory=dict)
    """Records left out of the run (a kind the rulebook does not check, in a folder), by kind."""


#: runners by job key, the most recently used last. A pool process serves one run, but a Dask
#: worker (and ``checkengine serve``) lives on for many: each runner holds a compiled rulebook and
#: the run's lookup index, so only the latest few are kept, or a long-lived worker's memory grows
#: with every run and never returns to idle.
_RUNNERS: OrderedDict[str, Runner] = OrderedDict()
KEEP_RUNNERS = 4
_LOCK = threading.Lock()
_POOL_JOB: Job | None = None


def runner_for(job: Job) -> Runner:
    key = job.key
    with _LOCK:
        runner = _RUNNERS.get(key)
        if runner is None:
            runner = _RUNNERS[key] = job.runner()
            while len(_RUNNERS) > KEEP_RUNNERS:
                _RUNNERS.popitem(last=False)
        else:
            _RUNNERS.move_to_end(key)
    return runner


def forget(job_key: str) -> bool:
    """Drop this process's runner of the job *job_key*, and its engine unless another kept runner
    uses it; whether there was one. A Dask executor calls it on every worker when its run ends, so
    that a long-lived worker gives back the compiled rulebook and the run's index at once."""
    from checkengine.batch.job import forget_engine

    with _LOCK:
        runner = _RUNNERS.pop(job_key, None)
        others = [getattr(r, "engine", None) for r in _RUNNERS.values()]
    engine = getattr(runner, "engine", None)
    if engine is not None and not any(e is engine for e in others):
        forget_engine(engine)
    return runner is not None


def run_chunk(job: Job, chunk: Task) -> ChunkResult:
    """Evaluate every item of *chunk*; records that are unusable come back as errors (a
    :class:`PartTask` writes its outputs to the worker's part file instead)."""
    from checkengine.batch.ranges import RangeChunk, range_items

    if not isinstance(chunk, (Chunk, RangeChunk)):
        from checkengine.batch.parts import run_part

        return run_part(job, chunk)
    runner = runner_for(job)
    keep = getattr(runner, "outputs", True)  # False: a pass that wants only the aggregate state
    groups = runner.new_groups()
    outputs: list[Output] = []
    left_out: dict[str, int] = {}
    items: Iterable[Any] = range_items(chunk) if isinstance(chunk, RangeChunk) else chunk.items
    wanted = getattr(runner, "may_file", None)  # a pass that files some kinds: other lines unparsed
    for offset, item in enumerate(items):
        if wanted is not None and isinstance(item, tuple) and not wanted(item[0]):
            continue
        seq = chunk.start + offset
        record = validated(item)
        if record is None:
            continue  # not a record at all (a waivers document in a stream): no output
        if isinstance(record, RecordError):
            if keep:
                outputs.append(Output(seq, error=record))
            continue
        payload = runner.process(record, seq)
        if payload is SKIP:  # left out of the run (Engine.skips): no output, not folded, but counted
            kind = str(record.data.get("kind"))
            left_out[kind] = left_out.get(kind, 0) + 1
            continue
        if isinstance(payload, RecordError):
            if keep:
                outputs.append(Output(seq, error=payload))
            continue
        runner.fold(groups, record)
        if not keep:
            continue
        key = record.data.get("id")
        loc = record.location
        outputs.append(Output(seq, payload=payload, key=key if isinstance(key, str) else None,
                              where=Location(loc.file, loc.line, loc.column)))
    return ChunkResult(chunk.index, outputs, groups, left_out)


def init_pool_worker(job: Job) -> None:
    """Pool initializer: build the runner now, and leave Ctrl-C to the parent.

    A terminal sends SIGINT to the whole process group; the parent decides what to keep, so a
    worker must not die half-way through a chunk and break the pool.
    """
    global _POOL_JOB
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):  # a forked worker starts with Ctrl-C held back (executors)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    _POOL_JOB = job
    runner_for(job)


def run_pool_chunk(chunk: Task) -> ChunkResult:
    if _POOL_JOB is None:  # the initializer always runs first; this guards a misuse
        raise RuntimeError("run_pool_chunk called in a process without init_pool_worker")
    return run_chunk(_POOL_JOB, chunk)
