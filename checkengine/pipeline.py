"""The one data path of every evaluating command: source -> executor -> sink.

``evaluate`` is this pipeline with the inline executor; ``batch`` with a local process pool or a
Dask cluster; ``archive add`` with the archive as its sink; ``diff --replay`` with a replay job.
The same input gives the same bytes through any executor: chunks are taken back in input order
and the aggregate states merged in that order (see :mod:`checkengine.batch.pipeline`).

    addresses ──► Source ──► chunks ──► Executor ──► ordered outputs ──► Sink writer ──► output
    (paths, -,    (hook)      (parent)   (hook: inline,  (parent: tally,     (hook: header, record,
     scheme://)                           local, dask)     duplicate ids)     error, groups, close)
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Sequence

if TYPE_CHECKING:
    from checkengine.batch.collect import NotingWriter
    from checkengine.batch.executors import Executor
    from checkengine.batch.job import EngineSpec
    from checkengine.batch.writers import Tally
    from checkengine.sources import Address


@dataclass(frozen=True)
class SinkRun:
    """Where and how a run's results are written."""

    format: str
    output: str | None = None
    verbose: bool = False
    command: str = "batch"
    quiet: bool = True
    chunk_size: int = 200
    label: str = "evaluating"
    result_schema: int = 2
    """The shape of a JSON result (``checkengine/result/2``, or the full ``/1``)."""


def evaluate_to_sink(spec: EngineSpec, inputs: Sequence[Address], executor: Executor,
                     run: SinkRun) -> tuple[Tally, NotingWriter, dict[str, Any]]:
    """Evaluate *inputs* on *executor* into the registered evaluation sink ``run.format``.

    Everything that can be refused is refused before any output is written: the format, the
    inputs' addresses, an output over an input, an unreachable cluster. Returns the counts, the
    writer (which kept the first unusable records) and the result header.
    """
    from checkengine.batch.collect import NotingWriter
    from checkengine.batch.interrupt import StopFlag
    from checkengine.batch.output import guarded_output
    from checkengine.batch.progress import Progress, wanted
    from checkengine.batch.parts import PartPlan
    from checkengine.batch.splice import part_folder
    from checkengine.batch.run import BatchOptions, evaluate_batch, result_head, shares_files
    from checkengine.inputs import note_input
    from checkengine.plugins import default_registry
    from checkengine.sinks import EVALUATION, find_sink
    from checkengine.sources import check_inputs, estimate_total, input_files

    registry = default_registry()
    sink = find_sink(registry, EVALUATION, run.format, command=None if run.command == "evaluate" else run.command)
    head = result_head(spec)  # builds the engine here first: a bad --lang fails before any work
    check_inputs(inputs, registry)
    for found in input_files(inputs, registry):  # -o over an input is refused
        note_input(found)
    executor.connect()  # an unreachable cluster fails now, before any output is written
    try:
        show = wanted(run.quiet)
        total = estimate_total(inputs, registry) if show else None
        with StopFlag() as stop, Progress(enabled=show, total=total, label=run.label) as progress:
            with guarded_output(run.output, binary=sink.binary) as out, contextlib.ExitStack() as stack:
                writer = NotingWriter(sink.open(out, verbose=run.verbose))
                writer.header({**head, "order": "input", **result_rules(spec, run.result_schema)})
                options = BatchOptions(chunk_size=run.chunk_size)
                if writer.part_form is not None and shares_files(executor):
                    # the workers write their records next to the output; removed however the run ends
                    options.parts = PartPlan(stack.enter_context(part_folder(run.output)), out, out.target)
                tally = evaluate_batch(spec, inputs, writer, executor, stop=stop, options=options,
                                       after_chunk=progress.advance)
                writer.close(tally)
    finally:
        executor.close(cancel=True)  # already closed after a normal run; this covers failures
    return tally, writer, head


def result_rules(spec: EngineSpec, schema: int) -> dict[str, Any]:
    """The header's ``rules`` table when *schema* is 2 (the JSON sinks then write compact records)."""
    from checkengine.batch.run import parent_runner
    from checkengine.resultdoc import rule_table

    return {"rules": rule_table(parent_runner(spec).engine)} if schema == 2 else {}
