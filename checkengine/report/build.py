"""A report from an archive, or from records evaluated now into a temporary archive."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from checkengine.archive.add import add_batch
from checkengine.archive.store import open_archive
from checkengine.batch.executors import Executor
from checkengine.batch.job import EngineSpec
from checkengine.errors import UserError
from checkengine.report.compare import compare_sites
from checkengine.report.data import ReportReader
from checkengine.report.interactive import drill_rows
from checkengine.report.model import ReportData
from checkengine.report.period import Period
from checkengine.report.tracked import tracked_actions


@dataclass(frozen=True)
class Scope:
    site: str
    team: str | None
    period: Period
    lang: str
    #: other sites of the region to compare this one with
    compare: tuple[str, ...] = ()
    #: read the outcomes behind the figures too (for the interactive page)
    drill: bool = False


def from_archive(location: str | Path, scope: Scope, *, source: str | None = None) -> ReportData:
    """The report data of *scope* in the archive at *location* (a path or a URL; *source* names the
    data in messages)."""
    with open_archive(location, write=False) as archive:
        name = archive.name
        data = ReportReader(archive, site=scope.site, team=scope.team, lang=scope.lang).read(scope.period)
        if scope.team is None:  # schedules are a site's (a per-person one is not split by team)
            from checkengine.schedules.plan import missed_findings

            data.missed = missed_findings(archive, scope.site, scope.period)
        data.tracked = tracked_actions(archive, scope.site, scope.team, scope.period)
        if scope.compare:
            data.compare = compare_sites(archive, scope.compare, scope.period, lang=scope.lang, own=scope.site)
        if scope.drill:
            data.drill = drill_rows(archive, [scope.site, *scope.compare], scope.team,
                                    [p.period for p in data.trend], scope.lang)
    if data.records == 0 and not data.rules:
        team = f", team {scope.team}" if scope.team else ""
        if source is not None:
            raise UserError(f"{source} include none of site {scope.site}{team} in {scope.period.label}; "
                            "check --site, --team and --period")
        raise UserError(
            f"{name}: no archived records for site {scope.site}{team} in {scope.period.label}; check --site, "
            f"--team and --period (`checkengine archive query --site {scope.site}` lists what there is)"
        )
    return data


def from_records(spec: EngineSpec, paths: list[str], executor: Executor, scope: Scope) -> ReportData:
    """Evaluate *paths* into a temporary archive, then report from it: one way to read reports."""
    with tempfile.TemporaryDirectory(prefix="checkengine-report-") as folder:
        db = Path(folder) / "report.sqlite"
        with open_archive(db, write=True) as archive:
            add_batch(archive, spec, paths, executor, language=spec.lang or spec.book.source_language)
        return from_archive(db, scope, source="the records given")
