"""``checkengine report``: the monthly or weekly report of a site, as PDF (and HTML)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from checkengine.batch.executors import ExecutorName


@dataclass(frozen=True)
class ReportOptions:
    period: str
    site: str
    team: str | None
    archive: str | None
    rulebook: str | None
    paths: tuple[str, ...]
    lang: str
    output: str
    html: str | None
    jobs: int | None
    executor: ExecutorName = "local"
    scheduler: str | None = None
    compare: tuple[str, ...] = ()
    format: str = "pdf"


def _write(path: str, data: bytes) -> None:
    from pathlib import Path

    from checkengine.commands._common import output_error
    from checkengine.errors import UserError
    from checkengine.pdf.output import atomic_output, is_signed_pdf

    target = Path(path)
    if is_signed_pdf(target):
        raise UserError(f"{target} exists and is a signed PDF; refusing to overwrite it (choose another -o)")
    try:
        with atomic_output(target, force=True) as fh:
            fh.write(data)
    except OSError as exc:
        raise output_error(str(target), exc) from None


def _refuse_early(opts: ReportOptions) -> None:
    """Refuse outputs that are inputs, or one file for both outputs, before rendering anything."""
    import os
    from pathlib import Path

    from checkengine.errors import Location, UserError
    from checkengine.output import refuse_inputs

    for target in (opts.output, opts.html):
        if target:
            refuse_inputs(Path(target))
    if opts.html and os.path.abspath(opts.html) == os.path.abspath(opts.output):
        raise UserError(f"the output is also another output of this run ({opts.output}); give each "
                        "output its own file", Location(opts.html))


def run(opts: ReportOptions) -> int:
    from checkengine.archive.store import archive_location
    from checkengine.batch.executors import make_executor
    from checkengine.batch.job import EngineSpec
    from checkengine.errors import UserError
    from checkengine.pdf.logs import surface_warnings
    from checkengine.report.build import Scope, from_archive, from_records
    from checkengine.report.interactive import render_interactive
    from checkengine.report.labels import check_language
    from checkengine.report.period import parse_period
    from checkengine.report.render import render_html, render_pdf
    from checkengine.rulebook.load import load_rulebook

    surface_warnings()  # WeasyPrint's warnings (a missing font, say) on stderr, as the forms do
    check_language(opts.lang)
    html_out = opts.output if opts.format == "html" else opts.html
    scope = Scope(opts.site, opts.team, parse_period(opts.period), opts.lang, opts.compare, drill=bool(html_out))
    if opts.format == "html" and opts.html:
        raise UserError("--format html writes the interactive page to -o; give --html only with --format pdf")
    if opts.rulebook and opts.archive:
        raise UserError("give --archive DB or --rulebook RULEBOOK RECORDS..., not both")
    if opts.paths and not opts.rulebook:
        raise UserError("records to evaluate need --rulebook RULEBOOK (or report from an archive with --archive DB)")
    if not opts.rulebook and (opts.executor != "local" or opts.scheduler):
        raise UserError("--executor and --scheduler evaluate records (--rulebook RULEBOOK RECORDS...); a report "
                        "from an archive is read by the archive's database")
    if opts.rulebook:
        if not opts.paths:
            raise UserError("--rulebook needs the records to evaluate: checkengine report --rulebook RULEBOOK "
                            "RECORDS_OR_FOLDER... (or report from an archive with --archive DB)")
        book = load_rulebook(opts.rulebook)
        _refuse_early(opts)
        executor = make_executor(opts.executor, jobs=opts.jobs, scheduler=opts.scheduler)
        executor.connect()  # an unreachable cluster fails now, before any work
        try:
            data = from_records(EngineSpec(book), list(opts.paths), executor, scope)
        finally:
            executor.close(cancel=True)
    else:
        from checkengine.archive.store import is_url
        from checkengine.inputs import note_input

        location = archive_location(opts.archive)
        if not is_url(location):
            note_input(location)  # -o over the archive is refused, before any work
        _refuse_early(opts)
        data = from_archive(location, scope)
    # everything in memory first: a failed render writes nothing
    page = render_interactive(data, opts.lang).encode("utf-8") if html_out else None
    if opts.format == "pdf":
        _write(opts.output, render_pdf(render_html(data, opts.lang), opts.lang))
    if html_out and page is not None:
        _write(html_out, page)
    return 0


@click.command("report")
@click.option("--period", required=True, metavar="PERIOD", help="A month (2026-11) or an ISO week (2026-W45).")
@click.option("--site", required=True, metavar="SITE", help="The site's id (e.g. cc-taipei).")
@click.option("--team", metavar="TEAM", help="Only this team (default: the whole site).")
@click.option("--archive", metavar="DB_OR_URL", help="The archive: a SQLite file or a postgresql:// URL (default "
              "$CHECKENGINE_ARCHIVE, else ./checkengine-archive.sqlite).")
@click.option("--rulebook", "-r", metavar="RULEBOOK", help="Evaluate RECORDS under this rulebook instead of reading an archive.")
@click.argument("paths", nargs=-1, metavar="[RECORDS_OR_FOLDER...]")
@click.option("--lang", default="en", show_default=True, help="en, zh-Hant, zh-Hans, ko or es.")
@click.option("--output", "-o", required=True, metavar="OUT", help="The report to write (atomically): a PDF, or "
              "with --format html the interactive page.")
@click.option("--format", "format_", type=click.Choice(["pdf", "html"]), default="pdf", show_default=True,
              help="pdf: the printable report; html: the interactive page (filters, charts, the records).")
@click.option("--html", metavar="OUT.html", help="Also write the interactive page (one file that works offline).")
@click.option("--jobs", "-j", type=int, default=None, metavar="N", help="Worker processes (with --rulebook).")
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Where records given with --rulebook are evaluated: local processes, or a Dask cluster.")
@click.option("--scheduler", metavar="ADDRESS", help="The Dask scheduler (e.g. tcp://host:8786).")
@click.option("--compare", multiple=True, metavar="SITE", help="Another site of the region to compare with "
              "(repeat it for each site).")
def command(period: str, site: str, team: str | None, archive: str | None, rulebook: str | None,
            paths: tuple[str, ...], lang: str, output: str, html: str | None, jobs: int | None,
            executor: ExecutorName, scheduler: str | None, compare: tuple[str, ...], format_: str) -> int:
    """Write a site's monthly or weekly report: pass rates by section and rule, worst rules, the
    trend, monitoring coverage per agent, call loss by day, and open corrective actions."""
    return run(ReportOptions(period, site, team, archive, rulebook, paths, lang, output, html, jobs, executor,
                             scheduler, compare, format_))
