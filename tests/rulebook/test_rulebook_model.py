"""Rule.in_force: the effective dates compared as dates (not a date formatted per rule per record),
with the same answers as comparing the ISO strings, which bounds that are not plain ISO dates keep."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from checkengine.rulebook.model import Rule


def rule(start: str | None, end: str | None) -> Rule:
    return Rule("R", "S", "t", {"type": "manual"}, [], {}, effective_from=start, effective_until=end)


def by_string(r: Rule, on: date) -> bool:
    day = on.isoformat()
    return not ((r.effective_from and day < r.effective_from) or (r.effective_until and day > r.effective_until))


@pytest.mark.parametrize(("start", "end"), [
    ("2026-01-01", None), (None, "2026-06-30"), ("2026-03-01", "2026-03-31"), (None, None),
    ("2026-02-30", None),  # not a date: compared as written, as always
    ("2026-1-5", "2026-12-31"),
])
def test_in_force_is_the_string_comparison(start: str | None, end: str | None) -> None:
    r = rule(start, end)
    day = date(2025, 12, 25)
    while day < date(2027, 1, 10):
        assert r.in_force(day) is by_string(r, day), day
        day += timedelta(days=3)
    assert r.in_force(None)
    assert r.in_force(date(2026, 3, 1)) is by_string(r, date(2026, 3, 1))
