"""What changed since the previous period: the headline's figures side by side, and the rules whose
pass rate moved the most (newly failing, recovered, worse, better)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from checkengine.report.model import RuleStat

#: how many rules the first page lists as changed
CHANGED = 6
#: a move smaller than this (percentage points) is not a change worth a line on the first page
MIN_POINTS = 0.5


@dataclass
class Change:
    book: str
    rule: str
    title: str
    before: float | None  # the pass rate of the previous period (None: not judged then)
    after: float | None
    failed_before: int
    failed_after: int

    @property
    def kind(self) -> str:
        """``new_failure`` (failed now, not before), ``recovered`` (failed before, not now),
        ``worse`` or ``better``."""
        if self.failed_after and not self.failed_before:
            return "new_failure"
        if self.failed_before and not self.failed_after:
            return "recovered"
        return "worse" if (self.after or 0.0) < (self.before or 0.0) else "better"

    @property
    def points(self) -> float | None:
        return None if self.before is None or self.after is None else self.after - self.before


def rule_changes(now: Mapping[tuple[str, str], RuleStat], before: Mapping[tuple[str, str], RuleStat]) -> list[Change]:
    """The rules whose pass rate moved between *before* and *now*, the largest moves first (a rule
    that newly fails or recovers comes before one that only moved)."""
    out = []
    for key in sorted(set(now) | set(before)):
        a, b = before.get(key), now.get(key)
        stat = b or a
        assert stat is not None
        change = Change(stat.book, stat.rule, stat.title, a.counts.rate if a else None, b.counts.rate if b else None,
                        a.counts.failed if a else 0, b.counts.failed if b else 0)
        moved = change.points
        if change.kind in ("new_failure", "recovered") or (moved is not None and abs(moved) >= MIN_POINTS):
            out.append(change)
    order = {"new_failure": 0, "worse": 1, "recovered": 2, "better": 3}
    return sorted(out, key=lambda c: (order[c.kind], -abs(c.points or 100.0), c.rule))[:CHANGED]
