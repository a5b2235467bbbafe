"""What a report shows, as data: counts and rates, per section and rule, the trend, monitoring
coverage, call loss by day, corrective actions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from checkengine.report.period import Period


#: the outcomes a report counts apart (an unknown outcome from a plugin counts as needs_review)
OUTCOMES = ("pass", "fail", "not_applicable", "needs_review", "error", "waived")


@dataclass
class Counts:
    """Outcomes counted apart: only passed and failed move the rate; "not applicable" (the rule
    does not apply), "needs review" (a person must judge) and "error" (the rule could not be
    judged) are different facts and are never lumped together."""

    passed: int = 0
    failed: int = 0
    not_applicable: int = 0
    needs_review: int = 0
    error: int = 0
    waived: int = 0

    def add(self, outcome: str, n: int = 1) -> None:
        name = {"pass": "passed", "fail": "failed"}.get(outcome, outcome)
        if name not in ("passed", "failed", "not_applicable", "needs_review", "error", "waived"):
            name = "needs_review"  # an outcome this report does not know: a person must look
        setattr(self, name, getattr(self, name) + n)

    def include(self, other: Counts) -> None:
        """Add *other*'s counts to these."""
        for name in ("passed", "failed", "not_applicable", "needs_review", "error", "waived"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def other(self) -> int:
        """Everything not judged pass or fail."""
        return self.not_applicable + self.needs_review + self.error + self.waived

    @property
    def rate(self) -> float | None:
        judged = self.passed + self.failed
        return None if judged == 0 else 100.0 * self.passed / judged


@dataclass
class RuleStat:
    book: str
    rule: str
    section: str
    title: str
    severity: str
    counts: Counts = field(default_factory=Counts)
    #: the rulebook's target pass rate (parameter ``target_pass_rate_percent``), if it sets one
    target: float | None = None


@dataclass
class SectionStat:
    book: str
    section: str
    title: str
    counts: Counts = field(default_factory=Counts)
    target: float | None = None


@dataclass
class TrendPoint:
    period: Period
    overall: Counts
    sections: dict[str, Counts]


@dataclass
class CoverageRow:
    employee: str
    team: str | None
    monitored: int
    required: float | None
    outcome: str  # pass, fail, or "none" (an agent without a single monitored call)
    rule: str


@dataclass
class LossDay:
    day: date
    rate: float | None
    limit: float | None
    offered: float
    abandoned: float
    outcome: str
    failing: list[str]  # the groups (queues) over the limit that day, whatever the day's own rate


@dataclass
class Action:
    book: str
    rule: str
    title: str
    severity: str
    action: str | None
    count: int = 0
    samples: list[str] = field(default_factory=list)
    employees: list[str] = field(default_factory=list)
    first: str | None = None
    last: str | None = None


@dataclass
class ReportData:
    site: str
    team: str | None
    period: Period
    books: list[dict[str, Any]]
    records: int
    overall: Counts
    sections: list[SectionStat]
    rules: list[RuleStat]
    worst: list[RuleStat]
    trend: list[TrendPoint]
    coverage: list[CoverageRow]
    call_loss: list[LossDay]
    actions: list[Action]
    #: occurrences of the schedules that were missed (checkengine.schedules.plan.missed_findings)
    missed: list[dict[str, Any]] = field(default_factory=list)
    #: the target pass rate of every rulebook in the report, when they agree on one
    target: float | None = None
    #: the rules whose pass rate moved most since the previous period (checkengine.report.changes)
    changes: list[Any] = field(default_factory=list)
    previous_records: int = 0
    #: the store's corrective actions (checkengine.report.tracked.TrackedAction)
    tracked: list[Any] = field(default_factory=list)
    #: other sites of the region, compared with this one (checkengine.report.compare.SiteRow)
    compare: list[Any] = field(default_factory=list)
    #: the outcomes behind the figures, column by column (checkengine.report.interactive.drill_rows)
    drill: dict[str, list[Any]] = field(default_factory=dict)

    @property
    def previous(self) -> Counts | None:
        """The previous period's counts (the trend's last but one)."""
        return self.trend[-2].overall if len(self.trend) > 1 else None
