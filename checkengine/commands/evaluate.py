"""``checkengine evaluate``: records against a rulebook, reported in a chosen format."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import click

from checkengine.commands._common import DATE, echo_left_out, echo_unusable, engine_spec, shown_on_stdout


@dataclass(frozen=True)
class EvaluateOptions:
    rulebook: str
    paths: tuple[str, ...]
    format: str
    lang: str | None
    on: date | None
    waivers: tuple[str, ...]
    output: str | None
    verbose: bool
    result_schema: int = 2


def run(opts: EvaluateOptions) -> int:
    """The pipeline with the inline executor: the same sinks, the same bytes as ``batch``."""
    from checkengine.batch.executors import InlineExecutor
    from checkengine.pipeline import SinkRun, evaluate_to_sink

    spec = engine_spec(opts.rulebook, opts.waivers, lang=opts.lang, on=opts.on, paths=opts.paths)
    tally, writer, head = evaluate_to_sink(spec, opts.paths, InlineExecutor(), SinkRun(
        opts.format, opts.output, opts.verbose, command="evaluate", result_schema=opts.result_schema))
    echo_left_out(head["rulebook"]["id"], tally.left_out)
    echo_unusable(writer.errors, tally.errors, listed=shown_on_stdout(opts.format, opts.output))
    return tally.exit_code


@click.command("evaluate")
@click.option("--rulebook", "-r", required=True, metavar="RULEBOOK",
              help="The rulebook (YAML), or a bundle of one (checkengine bundle).")
@click.argument("paths", nargs=-1, required=True, metavar="INPUT...")
@click.option("--format", "-f", "fmt", default="text", show_default=True,
              help="A sink: text, json, jsonl, junit, summary, oscal, hdf, or one a plugin adds.")
@click.option("--lang", help="Language of titles and explanations (one of the rulebook's).")
@click.option("--on", type=DATE, help="Evaluate as of this date instead of each record's own date.")
@click.option("--waivers", "-w", multiple=True, metavar="FILE", help="A waivers file (repeatable).")
@click.option("--output", "-o", metavar="FILE", help="Write to FILE (atomically) instead of stdout.")
@click.option("--verbose", "-v", is_flag=True, help="Text format: list passes and n/a rules too.")
@click.option("--result-schema", type=click.Choice(["1", "2"]), default="2", show_default=True,
              help="json and jsonl: 2 writes each rule's title and sources once, in the header; 1 the "
                   "full shape (checkengine/result/1), every outcome with its rule's texts.")
def command(rulebook: str, paths: tuple[str, ...], fmt: str, lang: str | None, on: date | None,
            waivers: tuple[str, ...], output: str | None, verbose: bool, result_schema: str) -> int:
    """Evaluate inspection records against a rulebook.

    INPUT is a record file, a folder, - (JSON Lines on standard input), or an address a source
    reads (postgresql://HOST/DB?table=NAME, a plugin's scheme://).

    Exit 0 when every rule passes, 1 when any rule fails (or a critical rule fails an inspection),
    2 when a record or file is unusable (the others are still evaluated and reported).
    """
    return run(EvaluateOptions(rulebook, paths, fmt, lang, on, waivers, output, verbose, int(result_schema)))
