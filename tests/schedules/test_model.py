"""Schedules read from a rulebook: RRULEs parsed by python-dateutil (refused with the reason), and
due days moved by the holiday policy in the site's calendar."""

from __future__ import annotations

from datetime import date

import pytest

from checkengine.schedules.model import Schedule, parse_rrule
from checkengine.schedules.plan import due_days


def schedule(every: str, holidays: str = "keep") -> Schedule:
    return Schedule(book="b", id="s", title="t", source="HYG-05", every=every, rule=parse_rrule(every),
                    kind="floor_inspection", holidays=holidays)


@pytest.mark.parametrize(("text", "reason"), [
    ("FREQ=SOMETIMES", "invalid 'FREQ': SOMETIMES"),
    ("FREQ=WEEKLY;BYDAY=XX", "invalid 'BYDAY': XX"),
    ("BYDAY=MO", "an RRULE starts with FREQ="),
    ("FREQ=MINUTELY", "FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY (a schedule is of days)"),
    ("FREQ=DAILY;COUNT=5", "COUNT is not allowed"),
    ("DTSTART:19970902T090000\nRRULE:FREQ=WEEKLY", "give the RRULE alone, without DTSTART or other lines"),
    ("FREQ=DAILY;BYHOUR=9", "BYHOUR, BYMINUTE and BYSECOND are not allowed (a schedule is of days)"),
    ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "it never occurs (check BYMONTH and BYMONTHDAY: no 30 February)"),
])
def test_bad_rrules_are_refused_with_the_reason(text: str, reason: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_rrule(text)
    assert str(caught.value).startswith(reason)


def test_the_friday_before_the_25th() -> None:
    """MGT-02, seed 001 會議 3: "全客服部的業務代表會議每月25日前周五召開" (the Friday before the 25th)."""
    rule = schedule("FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=18,19,20,21,22,23,24")
    assert due_days(rule, date(2026, 9, 1), date(2026, 12, 31), "TW", []) == [
        date(2026, 9, 18), date(2026, 10, 23), date(2026, 11, 20), date(2026, 12, 18)]  # 25 December is a Friday


@pytest.mark.parametrize(("policy", "expected"), [
    ("keep", [date(2026, 11, 5), date(2026, 11, 12), date(2026, 11, 19)]),
    ("skip", [date(2026, 11, 5), date(2026, 11, 19)]),
    ("next_working_day", [date(2026, 11, 5), date(2026, 11, 13), date(2026, 11, 19)]),
    ("previous_working_day", [date(2026, 11, 5), date(2026, 11, 11), date(2026, 11, 19)]),
])
def test_a_due_day_on_a_site_holiday_moves_as_declared(policy: str, expected: list[date]) -> None:
    """cc-taipei's own calendar makes 12 November a holiday (site.calendar in the example month)."""
    rule = schedule("FREQ=WEEKLY;BYDAY=TH", policy)
    assert due_days(rule, date(2026, 11, 1), date(2026, 11, 20), "TW", ["2026-11-12"]) == expected


def test_a_public_holiday_of_the_country_moves_over_the_weekend() -> None:
    """1 January 2027 (Friday) is a public holiday in Taiwan: the next working day is Monday 4 January."""
    rule = schedule("FREQ=MONTHLY;BYMONTHDAY=1", "next_working_day")
    assert due_days(rule, date(2026, 12, 15), date(2027, 1, 20), "TW", []) == [date(2027, 1, 4)]
    assert due_days(rule, date(2026, 12, 15), date(2027, 1, 20), None, []) == [date(2027, 1, 1)]
