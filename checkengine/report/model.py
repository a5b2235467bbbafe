"""What a report shows, as data: counts and rates, per section and rule, the trend, monitoring
coverage, call loss by day, corrective actions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from checkengine.report.period import Period


@dataclass
class Counts:
    passed: int = 0
    failed: int = 0
    other: int = 0

    def add(self, outcome: str, n: int = 1) -> None:
        if outcome == "pass":
            self.passed += n
        elif outcome == "fail":
            self.failed += n
        else:
            self.other += n

    def include(self, other: Counts) -> None:
        """Add *other*'s counts to these."""
        self.passed += other.passed
        self.failed += other.failed
        self.other += other.other

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


@dataclass
class SectionStat:
    book: str
    section: str
    title: str
    counts: Counts = field(default_factory=Counts)


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
    failing: list[str]  # the groups (queues) over the limit that day


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
