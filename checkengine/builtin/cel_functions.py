"""Functions the condition language offers besides CEL's standard library.

Times are ISO 8601 strings with a time zone, as records hold them. Every function is pure. A
calendar question about a date-time (its date, time of day, weekday, month, whether it is a
holiday) is answered in the site's zone of the record being evaluated (checkengine.localtime), and
raises ZoneNeeded when that site has no zone; a plain date is a calendar day already.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from typing import Any, Callable

from checkengine import hookimpl
from checkengine.calendars import is_public_holiday
from checkengine.localtime import CURRENT, local_date, shift_starts, to_local
from checkengine.lookups import lookup
from checkengine.textnorm import fold, phrase_key, said


def _dt(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValueError(f"expected an ISO 8601 date-time string, got {value!r}")
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"the time {value!r} has no time zone (add e.g. +08:00)")
    return parsed


#: (the string, the site's zone, or "as written" outside an evaluation) -> its calendar day: a
#: condition asks the same record's timestamp several times (days_between, weekday), each a parse
#: and a conversion; only answers are kept (an error raises again), never for a site without a
#: zone (a date-time raises ZoneNeeded there), and the table is emptied when full
_DAYS: dict[tuple[str, Any], date] = {}
_AS_WRITTEN = "as written"


def _d(value: Any) -> date:
    """The calendar day of a date, or of a date-time in the site's zone."""
    if type(value) is not str:
        if not isinstance(value, str):
            raise ValueError(f"expected an ISO 8601 date string, got {value!r}")
        value = str(value)
    zone = CURRENT.get()
    info = zone.info if zone is not None else _AS_WRITTEN
    key = (value, info)
    day = _DAYS.get(key) if info is not None else None
    if day is None:
        if len(value) > 10:
            _dt(value)  # a date-time must carry its zone
        day = local_date(value)
        if info is not None:
            if len(_DAYS) >= 4096:
                _DAYS.clear()
            _DAYS[key] = day
    return day


def minutes_between(start: str, end: str) -> float:
    """Minutes from *start* to *end* (negative when *end* is earlier)."""
    return (_dt(end) - _dt(start)).total_seconds() / 60.0


def hours_between(start: str, end: str) -> float:
    return minutes_between(start, end) / 60.0


def days_between(start: str, end: str) -> int:
    """Whole calendar days from the date of *start* to the date of *end* (in the site's zone)."""
    return (_d(end) - _d(start)).days


def shift_days(start: str, end: str) -> int:
    """Days of leave from *start* (the first shift's start) to *end* (the last shift's end), one a
    shift: a night shift 22:00-07:00 is 1, not the 2 dates it touches (checkengine.localtime)."""
    first, last = _dt(start), _dt(end)
    if last <= first:
        raise ValueError(f"the leave ends ({end}) before it starts ({start})")
    return len(shift_starts(first, last))


def shift_dates(start: str, end: str) -> list[str]:
    """The site's date of each shift from *start* to *end* (one every 24 hours), e.g. to look each
    one up: a night shift 22:00-07:00 gives only the date it begins on."""
    first, last = _dt(start), _dt(end)
    if last <= first:
        raise ValueError(f"the leave ends ({end}) before it starts ({start})")
    return sorted({to_local(s).date().isoformat() for s in shift_starts(first, last)})


def time_of_day(value: str) -> str:
    """``HH:MM`` in the site's zone (``'11:59' < '12:00'`` compares as expected)."""
    return to_local(_dt(value)).strftime("%H:%M")


def date_of(value: str) -> str:
    return _d(value).isoformat()


def day_of_month(value: str) -> int:
    return _d(value).day


def weekday(value: str) -> int:
    """ISO weekday: Monday 1 … Sunday 7."""
    return _d(value).isoweekday()


def is_holiday(day: str, country: str, extra: Any = None) -> bool:
    """Whether *day* is a public holiday in *country* (ISO 3166 code) or in the list *extra*."""
    return is_public_holiday(_d(day), country, extra if isinstance(extra, list) else None)


def normalize(text: str) -> str:
    """Text folded for comparison: full/half width, Traditional/Simplified Chinese, case."""
    return fold(text)


def contains_phrase(text: str, phrase: str) -> bool:
    """Whether *phrase* is said in *text*, as the ``phrases`` check matches (pauses folded away)."""
    return said(phrase_key(phrase) or fold(phrase), phrase_key(text))


def weekday_before(value: str, iso_weekday: int, day: int) -> str:
    """The last *iso_weekday* (Monday 1 … Sunday 7) strictly before day *day* of *value*'s month.

    ``weekday_before('2026-11-03', 5, 25)`` is the Friday before 25 November: ``'2026-11-20'``.
    """
    anchor = _d(value)
    if not 1 <= int(iso_weekday) <= 7:
        raise ValueError(f"weekday must be 1 (Monday) to 7 (Sunday), got {iso_weekday}")
    last = calendar.monthrange(anchor.year, anchor.month)[1]
    if not 1 <= int(day) <= last:
        raise ValueError(f"{anchor.strftime('%Y-%m')} has no day {day}")
    target = anchor.replace(day=int(day))
    back = (target.isoweekday() - int(iso_weekday)) % 7 or 7  # strictly before: a same weekday is a week back
    return (target - timedelta(days=back)).isoformat()


def month_of(value: str) -> str:
    """``YYYY-MM`` of a date or date-time (its date in the site's zone)."""
    return _d(value).strftime("%Y-%m")


def iso_week(value: str) -> str:
    """ISO week ``YYYY-Www`` of a date or date-time (its date in the site's zone)."""
    year, week, _ = _d(value).isocalendar()
    return f"{year}-W{week:02d}"


FUNCTIONS: dict[str, Callable[..., Any]] = {
    f.__name__: f
    for f in (minutes_between, hours_between, days_between, shift_days, shift_dates, lookup, time_of_day, date_of, day_of_month,
              weekday, is_holiday, normalize, contains_phrase, weekday_before, month_of, iso_week)
}


@hookimpl(trylast=True)
def checkengine_cel_functions() -> dict[str, Callable[..., Any]]:
    return dict(FUNCTIONS)
