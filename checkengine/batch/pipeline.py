"""The batch loop: a bounded window of chunks in flight, results taken back in input order.

Memory stays flat whatever the input size: the parent reads the input only as fast as chunks
complete (at most ``max_in_flight`` chunks are submitted and not yet written), and each chunk's
records are handed to the consumer and dropped. Taking chunks back in submission order keeps the
output in input order and merges the aggregate states in input order too (merge is associative,
not necessarily commutative - a spacing check keeps its timestamps in order).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from checkengine.batch.executors import Executor, Handle
from checkengine.batch.interrupt import StopFlag
from checkengine.batch.job import Job
from checkengine.batch.parts import PartResult
from checkengine.batch.source import Task
from checkengine.batch.worker import ChunkResult, Output, runner_for

POLL_SECONDS = 0.2


@dataclass
class PipelineResult:
    groups: Any
    """The merged aggregate state of every record, or None when the run was interrupted."""
    interrupted: bool
    items: int
    left_out: dict[str, int] = field(default_factory=dict)
    """Records of kinds the rulebook does not check, left out of a run over folders, by kind."""


def run_pipeline(
    job: Job,
    chunks: Iterator[Task],
    executor: Executor,
    *,
    consume: Callable[[Output], None],
    consume_part: Callable[[PartResult], None] | None = None,
    stop: StopFlag,
    after_chunk: Callable[[int], None] | None = None,
    max_in_flight: int | None = None,
) -> PipelineResult:
    """Run *job* over *chunks*; *consume* sees every output in input order (*consume_part*
    every chunk a worker wrote to its part file, :mod:`checkengine.batch.parts`).

    On ``stop`` no more chunks are submitted; the chunks already finished at the head of the
    window are consumed, the others cancelled, and the result says ``interrupted``.
    """
    parent = runner_for(job)  # the parent merges the workers' partial states with its own copy
    groups = parent.new_groups()
    executor.start(job)
    limit = max_in_flight or executor.window
    window: deque[Handle] = deque()
    exhausted = False
    items = 0
    left_out: dict[str, int] = {}
    clean = False

    def take(result: ChunkResult) -> None:
        nonlocal groups, items
        count = len(result.outputs)
        if isinstance(result, PartResult):
            assert consume_part is not None, "a PartTask's result needs consume_part"
            consume_part(result)
            count = result.count
        for output in result.outputs:
            consume(output)
        groups = parent.merge(groups, result.groups)
        items += count
        for kind, count_ in result.left_out.items():
            left_out[kind] = left_out.get(kind, 0) + count_
        if after_chunk is not None:
            after_chunk(count)

    try:
        while True:
            while not exhausted and not stop.is_set() and len(window) < limit:
                chunk = next(chunks, None)
                if chunk is None:
                    exhausted = True
                else:
                    window.append(executor.submit(chunk))
            if stop.is_set():
                while window and window[0].done():
                    take(window.popleft().result())
                break
            if not window:
                break
            try:
                result = window[0].result(timeout=POLL_SECONDS)
            except TimeoutError:
                continue
            window.popleft()
            take(result)
        clean = not stop.is_set()
    finally:
        for handle in window:
            handle.cancel()
        executor.close(cancel=not clean)
    return PipelineResult(groups if clean else None, not clean, items, left_out)

