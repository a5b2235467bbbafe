"""Evaluating many records: the pipeline, wired to a result sink, with aggregates over the whole batch.

Each worker returns its chunk's partial aggregate states along with the chunk's results; the
parent merges them (:meth:`Engine.merge`) and judges the groups once, at the end, so a group
split across chunks or workers is judged on all its records - the result is that of
:meth:`Engine.run` on the same input.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator

from checkengine.batch.executors import Executor
from checkengine.batch.interrupt import StopFlag
from checkengine import lookups
from checkengine.batch.job import EngineSpec, EvaluateJob, EvaluateRunner, Evaluated, IndexJob, kind_marks, may_hold
from checkengine.batch.parts import PartPlan, PartTask
from checkengine.batch.pipeline import run_pipeline
from checkengine.batch.ranges import RangeChunk, ranged_chunks
from checkengine.batch.splice import Splicer
from checkengine.batch.source import Chunk, Item, JsonLinesFile, Task, Unchecked, chunked
from checkengine.batch.worker import Output, runner_for
from checkengine.batch.writers import ResultSink, Tally
from checkengine.records import DuplicateIds, Record
from checkengine.sources import Address, read_items, read_pieces

DEFAULT_CHUNK_SIZE = 200
#: the first pass of a run with lookups reads JSON Lines files in ranges of this many chunks
INDEX_RANGES = 10
#: the evaluation reads JSON Lines files in ranges of this many chunks ...
EVALUATE_RANGES = 5
#: ... but the last ranges of a file, about this many per worker, are of one chunk
TAIL_RANGES = 4


@dataclass
class BatchOptions:
    chunk_size: int = DEFAULT_CHUNK_SIZE
    max_in_flight: int | None = None
    parts: PartPlan | None = None
    """Where workers that share this machine's files may write their parts of the output
    (:mod:`checkengine.batch.parts`); None: every output comes back to this process."""


def shares_files(executor: Executor) -> bool:
    """Whether *executor*'s workers read this machine's files (they then read JSON Lines inputs
    by byte ranges themselves, :mod:`checkengine.batch.ranges`)."""
    return bool(getattr(executor, "shares_files", False))


def read_chunks(paths: Iterable[Address], spec: EngineSpec, executor: Executor, size: int, *,
                parts: bool = False) -> Iterator[Chunk | RangeChunk]:
    """The run's chunks: JSON Lines files as byte ranges when the workers can read them, else
    items read here. With *parts* (the workers write their records to part files, nothing but
    counts comes back per record), a range holds several chunks."""
    if shares_files(executor):
        # A worker that takes a chunk from the pool and sends it back waits on the pool and runs
        # with cold caches: ranges of several chunks cost less, and the last ranges of each file
        # are of one chunk, so that the workers finish together. Without parts, each record's
        # output comes back: a range of one chunk keeps the outputs in flight as few as before.
        return ranged_chunks(read_pieces(paths, spec.registry(), ranged=True), size,
                             per_range=EVALUATE_RANGES if parts else 1,
                             tail=TAIL_RANGES * max(1, executor.workers))
    return chunked(read_items(paths, spec.registry()), size)


def parent_runner(spec: EngineSpec) -> EvaluateRunner:
    """This process's runner of *spec* (built once; it merges and finishes the groups)."""
    runner = runner_for(EvaluateJob(spec))
    assert isinstance(runner, EvaluateRunner)
    return runner


def result_head(spec: EngineSpec) -> dict[str, Any]:
    """The header fields of a result (schema, rulebook, language, generated_at)."""
    full = parent_runner(spec).engine.result([], [], [])
    return {k: full[k] for k in ("schema", "rulebook", "language", "generated_at")}


def build_index(spec: EngineSpec, paths: Iterable[Address], executor: Executor, *, stop: StopFlag,
                options: BatchOptions) -> lookups.Index | None:
    """The first pass of a run whose rulebook declares lookups: every record filed, on the same
    executor (processes or Dask) as the evaluation; None when interrupted."""
    job = IndexJob(spec)
    engine = parent_runner(spec).engine
    kinds = lookups.kinds_of(engine.lookups)
    marks = kind_marks(kinds)

    def filed(item: Item) -> bool:
        """Whether *item* may be filed: records of the lookups' kinds (and lines that may hold one)."""
        if isinstance(item, (Record, Unchecked)):
            return isinstance(item.data, dict) and item.data.get("kind") in kinds
        return isinstance(item, tuple) and may_hold(item[0], marks)  # a RawLine: not parsed yet

    chunks: Iterator[Chunk | RangeChunk]
    if shares_files(executor):  # JSON Lines files as ranges, whole: the workers file only the lookups' kinds
        pieces = read_pieces(paths, spec.registry(), ranged=True)
        # Larger ranges than the evaluation's: a worker reads most lines without parsing them, so a
        # range of --chunk-size lines took about a millisecond, no more than sending it back and forth.
        chunks = ranged_chunks((p for p in pieces if isinstance(p, JsonLinesFile) or filed(p)),
                               options.chunk_size, per_range=INDEX_RANGES)
    else:
        items = (item for item in read_items(paths, spec.registry()) if filed(item))
        chunks = chunked(items, options.chunk_size)
    result = run_pipeline(job, chunks, executor, consume=lambda output: None,
                          stop=stop, max_in_flight=options.max_in_flight)
    if result.interrupted:
        return None
    index: lookups.Index = result.groups
    return index


def evaluate_batch(
    spec: EngineSpec,
    paths: Iterable[Address],
    sink: ResultSink,
    executor: Executor,
    *,
    stop: StopFlag | None = None,
    options: BatchOptions | None = None,
    after_chunk: Callable[[int], None] | None = None,
) -> Tally:
    """Evaluate every record of the inputs *paths* (files, folders, source addresses, in-memory
    :class:`checkengine.sources.Records`); *sink* receives records and errors in input order, then
    the aggregate groups (unless interrupted). Returns the counts."""
    opts = options or BatchOptions()
    stop = stop or StopFlag()
    if parent_runner(spec).engine.lookups and spec.facts is None:
        index = build_index(spec, paths, executor, stop=stop, options=opts)
        if index is None:  # interrupted before the records were judged: nothing to report
            tally = Tally()
            tally.interrupted = True
            return tally
        spec = spec.with_facts(index)
    job = EvaluateJob(spec, getattr(sink, "encoder", None))
    runner = runner_for(job)  # the pipeline merges the workers' groups with this same runner
    assert isinstance(runner, EvaluateRunner)
    tally = Tally()
    ids = DuplicateIds()

    def consume(output: Output) -> None:
        duplicate = ids.check(output.key, output.where) if output.where is not None else None
        problem = output.error or duplicate
        if problem is not None:
            tally.errors += 1
            sink.error(output.seq, problem)
        else:
            evaluated: Evaluated = output.payload
            tally.add_record(evaluated.counts, evaluated.passed)
            sink.record(output.seq, evaluated.payload)

    def chunk_done(count: int) -> None:
        flush = getattr(sink, "flush", None)
        if flush is not None:
            flush()
        if after_chunk is not None:
            after_chunk(count)

    form = getattr(sink, "part_form", None)
    parted = opts.parts is not None and form is not None and shares_files(executor)
    chunks = read_chunks(paths, spec, executor, opts.chunk_size, parts=parted)  # the sources of this run's plugins
    splicer: Splicer | None = None
    if parted:
        assert opts.parts is not None and form is not None
        # The workers write the records to their parts; this process splices them in order.
        splicer = Splicer(sink, opts.parts.out, tally, opts.parts.target)
        folder = opts.parts.folder
        tasks: Iterator[Task] = (PartTask(chunk, folder, form) for chunk in chunks)
    else:
        tasks = chunks
    try:
        result = run_pipeline(
            job, tasks, executor, consume=consume, stop=stop, after_chunk=chunk_done,
            max_in_flight=opts.max_in_flight, consume_part=None if splicer is None else splicer.take,
        )
    finally:
        if splicer is not None:
            splicer.close()
    tally.left_out = result.left_out
    if result.interrupted:
        tally.interrupted = True
        return tally
    groups = runner.finish(result.groups)
    tally.add_groups(groups)
    sink.groups(groups)
    return tally
