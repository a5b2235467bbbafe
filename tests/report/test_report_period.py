"""Report periods: months, ISO weeks, the trend before them."""

from __future__ import annotations

from datetime import date

import pytest

from checkengine.errors import UserError
from checkengine.report.period import parse_period


def test_month() -> None:
    p = parse_period("2026-02")
    assert (p.kind, p.start, p.end, p.month) == ("month", date(2026, 2, 1), date(2026, 2, 28), "2026-02")
    assert [t.label for t in p.trend()] == ["2025-09", "2025-10", "2025-11", "2025-12", "2026-01", "2026-02"]


def test_week() -> None:
    p = parse_period("2026-W45")
    assert (p.kind, p.start, p.end) == ("week", date(2026, 11, 2), date(2026, 11, 8))
    assert [t.label for t in p.trend()] == [f"2026-W{n}" for n in range(38, 46)]
    # The first ISO week of 2026 starts in December 2025; its Thursday is in January.
    assert parse_period("2026-W01").start == date(2025, 12, 29) and parse_period("2026-W01").month == "2026-01"
    assert parse_period("2026-W01").previous().label == "2025-W52"


@pytest.mark.parametrize(("text", "message"), [
    ("2026-13", "--period 2026-13: expected a month (2026-11) or an ISO week (2026-W45)"),
    ("2026-11-03", "--period 2026-11-03: expected a month (2026-11) or an ISO week (2026-W45)"),
    ("2025-W53", "--period 2025-W53: 2025 has no week 53"),
])
def test_bad_periods(text: str, message: str) -> None:
    with pytest.raises(UserError) as caught:
        parse_period(text)
    assert str(caught.value) == message
