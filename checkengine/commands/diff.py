"""``checkengine diff``: what changed between two rulebooks, and what it would change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from checkengine.batch.executors import ExecutorName


@dataclass(frozen=True)
class DiffOptions:
    old: str
    new: str
    replay: tuple[str, ...]
    format: str
    fail_on_change: bool
    output: str | None
    jobs: int | None
    lang: str | None
    markdown_rows: int
    quiet: bool
    executor: ExecutorName = "local"
    scheduler: str | None = None


def run(opts: DiffOptions) -> int:
    from checkengine.archive.store import is_url
    from checkengine.batch.executors import make_executor
    from checkengine.batch.interrupt import StopFlag
    from checkengine.batch.job import EngineSpec
    from checkengine.batch.output import guarded_output
    from checkengine.batch.progress import Progress, wanted
    from checkengine.batch.worker import runner_for
    from checkengine.diff.replay import ReplayJob
    from checkengine.diff.rules import diff_books
    from checkengine.diff.run import ReplayResult, replay
    from checkengine.errors import UserError
    from checkengine.plugins import default_registry
    from checkengine.rulebook.load import load_rulebook
    from checkengine.sinks import DIFF, find_sink

    sink = find_sink(default_registry(), DIFF, opts.format, command="diff")
    old, new = load_rulebook(opts.old), load_rulebook(opts.new)
    diff = diff_books(old, new)
    result: ReplayResult | None = None
    if opts.replay:
        from pathlib import Path

        from checkengine.diff.run import is_archive
        from checkengine.sources import SCHEME, STDIN, check_inputs

        for source in opts.replay:
            if not is_url(source) and not SCHEME.match(source) and source != STDIN and not Path(source).exists():
                raise UserError(f"--replay {source}: no such archive, folder or file; give an archive made by "
                                "`checkengine archive add`, or a folder or file of records")
        check_inputs([s for s in opts.replay if not is_archive(s)], default_registry())
        lang = opts.lang or (new.source_language if new.source_language in old.languages else None)
        job = ReplayJob(EngineSpec(old, lang=lang), EngineSpec(new, lang=lang))
        runner_for(job)  # compiles both here first: a bad --lang fails before the workers start
        executor = make_executor(opts.executor, jobs=opts.jobs, scheduler=opts.scheduler)
        executor.connect()  # an unreachable cluster fails now, before any work
        try:
            with StopFlag() as stop, Progress(enabled=wanted(opts.quiet), total=None, label="replaying") as progress:
                result = replay(job, list(opts.replay), executor, stop=stop, after_chunk=progress.advance)
        finally:
            executor.close(cancel=True)  # already closed after a normal run; this covers failures
    try:
        with guarded_output(opts.output, binary=sink.binary) as out:
            sink.write((diff, result), out, rows=opts.markdown_rows)
    finally:
        if result is not None:
            result.close()
    if result is not None and result.interrupted:
        click.echo("checkengine: interrupted; the report covers the records replayed until then "
                   "(aggregates were not compared)", err=True)
        return 130
    changed = result.changed if result is not None else diff.affects_verdicts
    return 1 if opts.fail_on_change and changed else 0


@click.command("diff")
@click.argument("old", metavar="OLD_RULEBOOK")
@click.argument("new", metavar="NEW_RULEBOOK")
@click.option("--replay", multiple=True, metavar="ARCHIVE_OR_FOLDER",
              help="Re-evaluate past records (an archive - a SQLite file or a postgresql:// URL - or record "
                   "files/folders) under both (repeatable).")
@click.option("--format", "-f", "fmt", default="text", show_default=True,
              help="text, json, markdown (made for a pull-request comment), or a plugin's diff sink.")
@click.option("--fail-on-change", is_flag=True,
              help="Exit 1 when outcomes change (with --replay), or when a change can change them (without).")
@click.option("--output", "-o", metavar="FILE", help="Write to FILE (atomically) instead of stdout.")
@click.option("--jobs", "-j", type=int, default=None, metavar="N", help="Worker processes for the replay.")
@click.option("--executor", default="local", show_default=True, metavar="NAME",
              help="Where the replay runs: local processes, a Dask cluster (dask), this process "
                   "(inline), or an executor a plugin adds.")
@click.option("--scheduler", metavar="ADDRESS", help="The Dask scheduler (e.g. tcp://host:8786).")
@click.option("--lang", help="Language of the explanations (one both rulebooks have).")
@click.option("--markdown-rows", type=click.IntRange(min=0), default=100, show_default=True, metavar="N",
              help="Markdown: list at most N changed records and groups (a comment has a size limit).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def command(old: str, new: str, replay: tuple[str, ...], fmt: str, fail_on_change: bool, output: str | None,
            jobs: int | None, executor: ExecutorName, scheduler: str | None, lang: str | None, markdown_rows: int,
            quiet: bool) -> int:
    """Compare two rulebooks rule by rule; with --replay, list every past record and aggregate
    group whose outcome would change (old -> new, with both explanations).

    Exit 0; 1 with --fail-on-change when verdicts change; 2 on bad input.
    """
    return run(DiffOptions(old, new, replay, fmt, fail_on_change, output, jobs, lang, markdown_rows, quiet, executor,
                           scheduler))
