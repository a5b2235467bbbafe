"""The string formats the schemas use, defined once for both validators.

``jsonschema_rs`` (which answers "valid or not") and ``jsonschema`` (which explains why not) are
given these same functions, so a value one accepts the other accepts too: a timestamp of
30 February, hour 25 or offset +25:00, or a time zone named ``Mars/Olympus``, is refused by both.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Callable

_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_DATE_TIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:([Zz])|([+-])(\d{2}):(\d{2}))$"
)
_ZONE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$")


def date_problem(value: str) -> str | None:
    """Why *value* is not a calendar date written YYYY-MM-DD, or None when it is one."""
    found = _DATE.match(value)
    if not found:
        return "write dates as YYYY-MM-DD (e.g. 2026-11-03)"
    return _ymd_problem(*(int(g) for g in found.groups()))


def _ymd_problem(year: int, month: int, day: int) -> str | None:
    if year < 1:
        return "there is no year 0: write dates as YYYY-MM-DD (e.g. 2026-11-03)"
    if not 1 <= month <= 12:
        return f"there is no month {month}: write dates as YYYY-MM-DD (e.g. 2026-11-03)"
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        return (f"{year}-{month:02d} has no day {day} (it has {last} days): give a day that exists "
                f"(e.g. {year}-{month:02d}-{min(max(day, 1), last):02d})")
    return None


def date_time_problem(value: str) -> str | None:
    """Why *value* is not an RFC 3339 date-time with a time zone, or None when it is one."""
    found = _DATE_TIME.match(value)
    if found is None:
        if re.match(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$", value):
            return "has no time zone; add the offset, e.g. +08:00 (or Z for UTC)"
        return "write a date and time with its time zone, e.g. 2026-11-03T09:15:00+08:00"
    if _plainly_right(found):
        return None
    return _date_time_checked(value, found)


def _plainly_right(found: re.Match[str]) -> bool:
    """Whether a matched date-time is right without computing anything: most are. Two-digit fields
    compare as strings the way their numbers do, and every month has a 28th."""
    year, month, day, hour, minute, second = found.group(1, 2, 3, 4, 5, 6)
    return ("01" <= month <= "12" and "01" <= day <= "28" and hour <= "23" and minute <= "59"
            and second <= "59" and year != "0000"
            and (found.group(9) is None or (found.group(10) <= "23" and found.group(11) <= "59")))


def _date_time_checked(value: str, found: re.Match[str]) -> str | None:
    year, month, day, hour, minute, second = (int(found.group(i)) for i in range(1, 7))
    problem = _ymd_problem(year, month, day)
    if problem is not None:
        return problem
    if hour > 23:
        return f"there is no hour {hour}: hours run from 00 to 23"
    if minute > 59:
        return f"there is no minute {minute}: minutes run from 00 to 59"
    if second > 59:
        return f"there is no second {second}: seconds run from 00 to 59 (leap seconds are not accepted)"
    if found.group(9):
        off_h, off_m = int(found.group(10)), int(found.group(11))
        if off_h > 23 or off_m > 59:
            return (f"the offset {found.group(9)}{found.group(10)}:{found.group(11)} does not exist: "
                    "offsets run from -23:59 to +23:59 (e.g. +08:00)")
    try:
        datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError as exc:  # pragma: no cover - the checks above cover what fromisoformat refuses
        return str(exc)
    return None


@lru_cache(maxsize=1024)
def time_zone_problem(value: str) -> str | None:
    """Why *value* is not an IANA time-zone name (Asia/Taipei, UTC), or None when it is one."""
    if not _ZONE_NAME.match(value) or len(value) > 64:
        return "give an IANA time-zone name (e.g. Asia/Taipei, Europe/London or UTC)"
    import zoneinfo  # only when a time zone is given (start-up time)

    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return "is not a known time zone; give an IANA time-zone name (e.g. Asia/Taipei or UTC)"
    return None


def _ok(problem: Callable[[str], str | None]) -> Callable[[Any], bool]:
    def check(value: Any) -> bool:
        return not isinstance(value, str) or problem(value) is None

    return check


CHECKS: dict[str, Callable[[Any], bool]] = {
    "date": _ok(date_problem),
    "date-time": _ok(date_time_problem),
    "time-zone": _ok(time_zone_problem),
}
PROBLEMS: dict[str, Callable[[str], str | None]] = {
    "date": date_problem,
    "date-time": date_time_problem,
    "time-zone": time_zone_problem,
}


def parse_date(value: str) -> date | None:
    return date.fromisoformat(value) if date_problem(value) is None else None
