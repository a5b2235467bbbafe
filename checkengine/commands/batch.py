"""``checkengine batch``: many records, in parallel, streamed to the output in input order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import click

from checkengine.commands._common import DATE, FiniteFloatRange, echo_left_out, echo_unusable, engine_spec, shown_on_stdout

if TYPE_CHECKING:
    from checkengine.batch.executors import ExecutorName


@dataclass(frozen=True)
class BatchCommandOptions:
    rulebook: str
    paths: tuple[str, ...]
    format: str
    output: str | None
    jobs: int | None
    executor: ExecutorName
    scheduler: str | None
    connect_timeout: float
    waivers: tuple[str, ...]
    lang: str | None
    on: date | None
    chunk_size: int
    quiet: bool
    verbose: bool
    result_schema: int = 2


def run(opts: BatchCommandOptions) -> int:
    from checkengine.batch.executors import make_executor
    from checkengine.batch.writers import check_format
    from checkengine.errors import UserError
    from checkengine.pipeline import SinkRun, evaluate_to_sink

    if opts.chunk_size < 1:
        raise UserError(f"--chunk-size must be at least 1, got {opts.chunk_size}")
    check_format(opts.format)  # an unknown --format fails before any work
    spec = engine_spec(opts.rulebook, opts.waivers, lang=opts.lang, on=opts.on, paths=opts.paths)
    executor = make_executor(opts.executor, jobs=opts.jobs, scheduler=opts.scheduler,
                             connect_timeout=opts.connect_timeout)
    tally, writer, head = evaluate_to_sink(spec, opts.paths, executor, SinkRun(
        opts.format, opts.output, opts.verbose, quiet=opts.quiet, chunk_size=opts.chunk_size,
        result_schema=opts.result_schema))
    if tally.interrupted:
        where = opts.output if opts.output not in (None, "-") else "the output"
        click.echo(f"checkengine: interrupted; {where} holds the first {tally.records + tally.errors} "
                   "input records and ends with a summary marked interrupted (aggregates were not "
                   "evaluated)", err=True)
    echo_left_out(head["rulebook"]["id"], tally.left_out)
    echo_unusable(writer.errors, tally.errors, listed=shown_on_stdout(opts.format, opts.output))
    return tally.exit_code


@click.command("batch")
@click.option("--rulebook", "-r", required=True, metavar="RULEBOOK", help="The rulebook (YAML).")
@click.argument("paths", nargs=-1, required=True, metavar="INPUT...")
@click.option("--jobs", "-j", type=int, default=None, metavar="N",
              help="Worker processes (default: all cores; 1 runs in this process).")
@click.option("--format", "-f", "fmt", default="jsonl", show_default=True,
              help="jsonl streams one line per record in input order; json, text, or any reporter "
                   "(oscal, hdf, junit, summary, a plugin's).")
@click.option("--output", "-o", metavar="FILE", help="Write to FILE (atomically) instead of stdout.")
@click.option("--executor", default="local", show_default=True, metavar="NAME",
              help="local: processes on this machine; dask: tasks on a Dask cluster; inline: this "
                   "process; or one a plugin adds (checkengine plugins lists them).")
@click.option("--scheduler", metavar="ADDRESS", help="The Dask scheduler (e.g. tcp://host:8786).")
@click.option("--connect-timeout", type=FiniteFloatRange(0.001), default=10.0, show_default=True, metavar="SECONDS",
              help="Give up on an unreachable Dask scheduler after this long.")
@click.option("--waivers", "-w", multiple=True, metavar="FILE", help="A waivers file (repeatable).")
@click.option("--lang", help="Language of titles and explanations (one of the rulebook's).")
@click.option("--on", type=DATE, help="Evaluate as of this date instead of each record's own date.")
@click.option("--chunk-size", type=int, default=200, show_default=True, metavar="N",
              help="Records per task sent to a worker (writing jsonl, json or text, the local pool's "
                   "workers read JSON Lines files in ranges of five tasks, the last ones of one).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.option("--verbose", "-v", is_flag=True, help="Text format: list passes and n/a rules too.")
@click.option("--result-schema", type=click.Choice(["1", "2"]), default="2", show_default=True,
              help="json and jsonl: 2 writes each rule's title and sources once, in the header; 1 the "
                   "full shape (checkengine/result/1), every outcome with its rule's texts.")
def command(rulebook: str, paths: tuple[str, ...], jobs: int | None, fmt: str, output: str | None,
            executor: ExecutorName, scheduler: str | None, connect_timeout: float, waivers: tuple[str, ...],
            lang: str | None, on: date | None, chunk_size: int, quiet: bool, verbose: bool,
            result_schema: str) -> int:
    """Evaluate many records in parallel (folders, JSON Lines or CSV streams of any size, - for
    standard input, postgresql://...?table=NAME, or an address a plugin's source reads).

    Records are written as they finish, in input order; aggregate rules are judged over the
    whole batch. Ctrl-C stops early and leaves valid output for what was finished (exit 130).
    Exit 0 all passed, 1 failures, 2 unusable records or input.
    """
    return run(BatchCommandOptions(rulebook, paths, fmt, output, jobs, executor, scheduler,
                                   connect_timeout, waivers, lang, on, chunk_size, quiet, verbose,
                                   int(result_schema)))
