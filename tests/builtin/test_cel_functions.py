"""The condition language's date functions keep parsed days (checkengine/builtin/cel_functions.py):
the same string answers in each site's zone, and a site without a zone still raises."""

from __future__ import annotations

import pytest

from checkengine.builtin import cel_functions
from checkengine.builtin.cel_functions import date_of, days_between, weekday
from checkengine.localtime import CURRENT, Zone, ZoneNeeded, zone_info

LATE = "2026-11-01T23:30:00+00:00"  # Sunday 1 November in London, Monday 2 November in Taipei


def _in(zone: Zone | None, value: str) -> str:
    token = CURRENT.set(zone)
    try:
        return date_of(value)
    finally:
        CURRENT.reset(token)


def test_the_same_string_answers_in_each_zone_and_again() -> None:
    london, taipei = Zone(zone_info("Europe/London")), Zone(zone_info("Asia/Taipei"))
    for _ in range(2):  # the second round is answered from the table
        assert _in(london, LATE) == "2026-11-01"
        assert _in(taipei, LATE) == "2026-11-02"
        assert _in(None, LATE) == "2026-11-01"  # outside an evaluation: as written
    token = CURRENT.set(taipei)
    try:
        assert weekday(LATE) == 1 and days_between("2026-10-26", LATE) == 7
    finally:
        CURRENT.reset(token)


def test_a_site_without_a_zone_raises_even_once_the_string_was_answered() -> None:
    assert _in(None, LATE) == "2026-11-01"
    for _ in range(2):
        with pytest.raises(ZoneNeeded):
            _in(Zone(None), LATE)
    assert _in(Zone(None), "2026-11-01") == "2026-11-01"  # a plain date needs no zone


def test_errors_are_not_kept_and_the_table_stays_bounded() -> None:
    for _ in range(2):
        with pytest.raises(ValueError, match="no time zone"):
            _in(None, "2026-11-01T23:30:00")
        with pytest.raises(ValueError, match="expected an ISO 8601 date string"):
            date_of(20261101)  # type: ignore[arg-type]
    for day in range(1, 4):  # 4,320 distinct strings
        for minute in range(24 * 60):
            _in(None, f"2026-02-{day:02d}T{minute // 60:02d}:{minute % 60:02d}:00+08:00")
    assert 0 < len(cel_functions._DAYS) <= 4096
