"""Several sites of a region side by side: each site's period counted exactly as its own report
counts it (the same reader), with its open and overdue corrective actions and missed inspections."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Sequence

from checkengine.archive.reading import PeriodScope, Reader
from checkengine.report.model import Counts
from checkengine.report.period import Period


@dataclass
class SiteRow:
    site: str
    records: int
    counts: Counts = field(default_factory=Counts)
    open_actions: int = 0
    overdue: int = 0
    missed: int = 0
    this: bool = False  # the report's own site


def compare_sites(archive: Reader, sites: Sequence[str], period: Period, *, lang: str, own: str,
                  today: date | None = None) -> list[SiteRow]:
    """One row per site of *sites* (the report's own site *own* among them), lowest pass rate first."""
    from checkengine.report.data import ReportReader
    from checkengine.report.tracked import tracked_actions
    from checkengine.schedules.plan import missed_findings

    rows = []
    for site in dict.fromkeys([own, *sites]):
        stats = ReportReader(archive, site=site, team=None, lang=lang).period_counts(period)[0]
        row = SiteRow(site, archive.record_total(PeriodScope(site, None, period.column, period.label)), this=site == own)
        for stat in stats.values():
            row.counts.include(stat.counts)
        actions = [a for a in tracked_actions(archive, site, None, period, today) if a.status != "closed"]
        row.open_actions, row.overdue = len(actions), sum(a.overdue for a in actions)
        row.missed = len(missed_findings(archive, site, period, today))
        rows.append(row)
    return sorted(rows, key=lambda r: (r.counts.rate if r.counts.rate is not None else 101.0, r.site))
