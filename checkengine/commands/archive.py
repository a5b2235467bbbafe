"""``checkengine archive``: add evaluated batches to the archive, and query it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import click

from checkengine.commands._common import DATE, FiniteFloatRange, echo_left_out, echo_unusable, engine_spec

if TYPE_CHECKING:
    from checkengine.actions.tracker import RunActions
    from checkengine.archive.store import Store
    from checkengine.archive.query import Filters
    from checkengine.batch.executors import ExecutorName
    from checkengine.sinks import Sink

DB_HELP = ("The archive: a SQLite file, or a postgresql:// URL (postgresql:// alone: the PG* environment "
           "variables) (default $CHECKENGINE_ARCHIVE, else ./checkengine-archive.sqlite).")


@dataclass(frozen=True)
class AddOptions:
    rulebook: str
    paths: tuple[str, ...]
    db: str | None
    jobs: int | None
    waivers: tuple[str, ...]
    lang: str | None
    on: date | None
    busy_timeout: float
    quiet: bool
    executor: ExecutorName = "local"
    scheduler: str | None = None


def run_add(opts: AddOptions) -> int:
    from checkengine.archive.add import add_batch
    from checkengine.archive.query import run_errors
    from checkengine.archive.store import archive_location, open_archive
    from checkengine.batch.executors import make_executor
    from checkengine.batch.interrupt import StopFlag
    from checkengine.batch.progress import Progress, wanted
    from checkengine.batch.run import parent_runner
    from checkengine.plugins import default_registry
    from checkengine.sources import check_inputs, estimate_total

    spec = engine_spec(opts.rulebook, opts.waivers, lang=opts.lang, on=opts.on, paths=opts.paths)
    language = parent_runner(spec).engine.lang  # a bad --lang fails here, before the archive is touched
    check_inputs(opts.paths, default_registry())  # so does an input no source reads
    executor = make_executor(opts.executor, jobs=opts.jobs, scheduler=opts.scheduler)
    executor.connect()  # an unreachable cluster fails now, before the archive is touched
    show = wanted(opts.quiet)
    try:
        total = estimate_total(opts.paths, default_registry()) if show else None
        with open_archive(archive_location(opts.db), write=True, busy_timeout=opts.busy_timeout) as archive:
            name = archive.name
            with StopFlag() as stop, Progress(enabled=show, total=total, label="archiving") as progress:
                run, tally = add_batch(archive, spec, opts.paths, executor, language=language, stop=stop,
                                       after_chunk=progress.advance)
            unusable = run_errors(archive, run) if tally.errors else []
            acted = None if tally.interrupted else _open_actions(archive, run)
    finally:
        executor.close(cancel=True)  # already closed after a normal run; this covers failures
    state = "interrupted; what was finished is archived" if tally.interrupted else "archived"
    click.echo(f"run {run} {state}: {tally.records} records, {tally.groups} aggregate groups, "
               f"{tally.errors} unusable, in {name}", err=True)
    echo_left_out(spec.book.id, tally.left_out)
    if acted is not None:
        click.echo(acted.line(), err=True)
    echo_unusable(unusable, tally.errors)
    if tally.interrupted:
        return 130
    return 2 if tally.errors else 0


def _open_actions(archive: Store, run: int) -> RunActions:
    """The corrective actions of a run just archived (in a transaction of their own)."""
    from checkengine.actions.tracker import process_run
    from checkengine.archive.store import ArchiveError

    try:
        return process_run(archive, run)
    except ArchiveError as exc:
        raise ArchiveError(f"run {run} is archived, but its corrective actions were not opened ({exc}); run "
                           f"`checkengine actions open --run {run}`") from None


@click.group("archive")
def command() -> None:
    """Keep records and their results over time (append-only SQLite or PostgreSQL; --db,
    $CHECKENGINE_ARCHIVE, default ./checkengine-archive.sqlite)."""


@command.command("add")
@click.option("--rulebook", "-r", required=True, metavar="RULEBOOK", help="The rulebook (YAML).")
@click.argument("paths", nargs=-1, required=True, metavar="INPUT...")
@click.option("--db", metavar="FILE_OR_URL", help=DB_HELP)
@click.option("--jobs", "-j", type=int, default=None, metavar="N", help="Worker processes (default: all cores).")
@click.option("--executor", default="local", show_default=True, metavar="NAME",
              help="local: processes on this machine; dask: tasks on a Dask cluster; inline: this "
                   "process; or one a plugin adds.")
@click.option("--scheduler", metavar="ADDRESS", help="The Dask scheduler (e.g. tcp://host:8786).")
@click.option("--waivers", "-w", multiple=True, metavar="FILE", help="A waivers file (repeatable).")
@click.option("--lang", help="Language of the archived explanations (one of the rulebook's).")
@click.option("--on", type=DATE, help="Evaluate as of this date instead of each record's own date.")
@click.option("--busy-timeout", type=FiniteFloatRange(0), default=5.0, show_default=True, metavar="SECONDS",
              help="How long to wait for another writer before giving up.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def add(rulebook: str, paths: tuple[str, ...], db: str | None, jobs: int | None, executor: ExecutorName,
        scheduler: str | None, waivers: tuple[str, ...], lang: str | None, on: date | None, busy_timeout: float,
        quiet: bool) -> int:
    """Evaluate records and archive them with their results as one run.

    A record already archived is archived again (a new row): nothing is ever overwritten.
    Exit 0, or 2 when some records were unusable (they are listed in the run's errors).
    """
    return run_add(AddOptions(rulebook, paths, db, jobs, waivers, lang, on, busy_timeout, quiet, executor, scheduler))


def run_migrate(db: str | None, busy_timeout: float) -> int:
    from checkengine.archive.store import archive_location, open_archive

    with open_archive(archive_location(db), write=True, busy_timeout=busy_timeout) as archive:
        version = archive.schema_version()
        applied = ", ".join(str(n) for n in archive.applied)
        click.echo(f"{archive.name}: schema version {version} "
                   f"({'applied now: ' + applied if applied else 'up to date'})", err=True)
    return 0


@command.command("migrate")
@click.option("--db", metavar="FILE_OR_URL", help=DB_HELP)
@click.option("--busy-timeout", type=float, default=5.0, show_default=True, metavar="SECONDS",
              help="How long to wait for another writer before giving up.")
def migrate(db: str | None, busy_timeout: float) -> int:
    """Bring the archive's schema up to date (or make a new, empty archive).

    `archive add` does this too; run it yourself with the role that owns a PostgreSQL archive
    when the writers' roles may only insert. Exit 0.
    """
    return run_migrate(db, busy_timeout)


@dataclass(frozen=True)
class QueryOptions:
    db: str | None
    site: str | None
    team: str | None
    employee: str | None
    rule: str | None
    period: str | None
    outcome: str | None
    history: bool
    format: str
    output: str | None


def run_query(opts: QueryOptions) -> int:
    """The outcomes listed by an ``outcomes`` sink (text, json), or, by an evaluation sink (oscal,
    hdf, a plugin's), one result per archived run."""
    from checkengine.archive.query import Filters, query_outcomes
    from checkengine.archive.store import archive_location, is_url, open_archive
    from checkengine.batch.output import guarded_output
    from checkengine.inputs import note_input
    from checkengine.plugins import default_registry
    from checkengine.sinks import EVALUATION, OUTCOMES, find_sink, sinks_of

    filters = Filters(opts.site, opts.team, opts.employee, opts.rule, opts.period, opts.outcome, opts.history)
    filters.check()
    registry = default_registry()
    listing = sinks_of(registry, OUTCOMES).get(opts.format)
    if listing is None:
        return _query_as_report(opts, filters, find_sink(registry, EVALUATION, opts.format,
                                                         also=sinks_of(registry, OUTCOMES)))
    location = archive_location(opts.db)
    if not is_url(location):
        note_input(location)  # -o over the archive is refused
    with open_archive(location, write=False) as archive, \
            guarded_output(opts.output, binary=listing.binary) as out:
        listing.write(query_outcomes(archive, filters), out, history=opts.history)
    return 0


def _query_as_report(opts: QueryOptions, filters: Filters, sink: Sink) -> int:
    """The selected outcomes as one document of an evaluation sink (oscal, hdf ...), a run each."""
    from checkengine.archive.query import query_outcomes
    from checkengine.archive.runs import results_by_run
    from checkengine.archive.store import archive_location, open_archive
    from checkengine.batch.output import guarded_output
    from checkengine.errors import UserError

    with open_archive(archive_location(opts.db), write=False) as archive:
        runs = results_by_run(query_outcomes(archive, filters))
    if not runs:
        raise UserError("no archived outcome matches these filters; nothing to report")
    with guarded_output(opts.output, binary=sink.binary) as out:
        sink.write_runs(runs, out)
    return 0


@command.command("query")
@click.option("--db", metavar="FILE_OR_URL", help=DB_HELP)
@click.option("--site", metavar="SITE")
@click.option("--team", metavar="TEAM")
@click.option("--employee", metavar="ID")
@click.option("--rule", metavar="RULE_ID")
@click.option("--period", metavar="PERIOD", help="A month (2026-11), an ISO week (2026-W45) or a day (2026-11-03).")
@click.option("--outcome", metavar="OUTCOME", help="pass, fail, not_applicable, waived, needs_review or error.")
@click.option("--history", is_flag=True, help="Every evaluation, not only the latest of each record and group.")
@click.option("--format", "-f", "fmt", default="text", show_default=True,
              help="text, json, or an evaluation sink holding one document per run (oscal, hdf, a plugin's).")
@click.option("--output", "-o", metavar="FILE", help="Write to FILE (atomically) instead of stdout.")
def query(db: str | None, site: str | None, team: str | None, employee: str | None, rule: str | None,
          period: str | None, outcome: str | None, history: bool, fmt: str, output: str | None) -> int:
    """List archived outcomes (of records and aggregate groups) matching every filter given."""
    return run_query(QueryOptions(db, site, team, employee, rule, period, outcome, history, fmt, output))
