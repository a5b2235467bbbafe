"""Time checks: notice periods, same-day deadlines, monthly due dates, public holidays, coverage.

Every time is an ISO 8601 string as records hold it; a date-time must carry its zone, and "the
date" of a date-time is its date in its own zone (a request at 23:30+08:00 is made that day in
Taipei, whatever UTC says). A field the record does not have was not observed: needs_review.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from functools import lru_cache, partial
from typing import Any, Callable

from checkengine import hookimpl
from checkengine.calendars import is_public_holiday
from checkengine.checks import (
    MISSING, CheckFailure, CheckType, CompiledCheck, Compiler, Env, Result, param_schema, parse_date,
    parse_datetime,
)
from checkengine.i18n import message
from checkengine.localtime import shift_starts, to_local

_PATH = {"type": "string", "minLength": 1, "description": "Dotted path of a field, e.g. data.requested_at"}
_UNITS = ("minutes", "hours", "days", "full_days")
_SECONDS = {"minutes": 60.0, "hours": 3600.0, "full_days": 86400.0}


class NotObserved(Exception):
    """A field the record does not have (or holds null): the item was not observed."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


def not_observed(env: Env, missing: NotObserved) -> Result:
    return Result("needs_review", None, None, message("not_observed", env.lang, field=missing.path))


def aware(env: Env, path: str) -> datetime:
    """The date-time at *path*, which must carry its time zone."""
    value = env.get(path)
    if value is MISSING or value is None:
        raise NotObserved(path)
    parsed = parse_datetime(value if isinstance(value, datetime) else str(value))
    if parsed is None:
        raise CheckFailure(f"{path} is {value!r}, not an ISO 8601 date-time (e.g. 2026-11-03T09:00:00+08:00)")
    if parsed.tzinfo is None:
        raise CheckFailure(f"{path} is {value!r}, which has no time zone (add the offset, e.g. +08:00)")
    return parsed


def local(env: Env, moment: datetime) -> datetime:
    """*moment* on the site's clock (ZoneNeeded when the site has no zone)."""
    return to_local(moment, env.zone)


def day_of(env: Env, path: str) -> date:
    """The date at *path*: a date, or the date of a date-time on the site's clock."""
    value = env.get(path)
    if value is MISSING or value is None:
        raise NotObserved(path)
    if isinstance(value, str) and len(value) > 10:
        return local(env, aware(env, path)).date()
    day = parse_date(value if isinstance(value, date) else str(value))
    if day is None:
        raise CheckFailure(f"{path} is {value!r}, not an ISO 8601 date (e.g. 2026-11-03)")
    return day


_HHMM = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")


def parse_hhmm(value: Any) -> time | None:
    match = _HHMM.match(value) if isinstance(value, str) else None
    return time(int(match.group(1)), int(match.group(2))) if match else None


_MONTH = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])$")


def period_month(period: Any) -> tuple[int, int] | None:
    """(year, month) of a monthly period such as 2026-11; None for a week, half, year or nothing."""
    match = _MONTH.match(period) if isinstance(period, str) else None
    return (int(match.group(1)), int(match.group(2))) if match else None


# checkengine's languages -> the holidays library's locales (where a country has them).
_HOLIDAY_LOCALES = {"en": ("en_US", "en"), "zh-Hant": ("zh_TW", "zh_HK"), "zh-Hans": ("zh_CN",),
                    "ko": ("ko",), "es": ("es",)}


def holiday_label(day: date, country: str, extra: list[str], lang: str) -> str | None:
    """The holiday's name in *lang* when the library has it, the site calendar's label, or None."""
    if day.isoformat() in extra:
        return message("holiday_site_calendar", lang)
    if not is_public_holiday(day, country):  # ValueError for an unknown country code
        return None
    return str(_named_holidays(country.upper(), day.year, lang).get(day))


@lru_cache(maxsize=64)
def _named_holidays(country: str, year: int, lang: str) -> Any:
    import holidays

    table = holidays.country_holidays(country, years=year)
    offered = set(getattr(table, "supported_languages", ()) or ())
    for locale in _HOLIDAY_LOCALES.get(lang, ()) + ("en_US",):
        if locale in offered:
            return holidays.country_holidays(country, years=year, language=locale)
    return table


class _Notice(CompiledCheck):
    def __init__(self, start: str, end: str, minimum: Any, unit: str) -> None:
        self.start, self.end, self.minimum, self.unit = start, end, minimum, unit

    def run(self, record: Mapping[str, Any], env: Env) -> Result:
        try:
            start = aware(env, self.start)
            end = aware(env, self.end)
        except NotObserved as missing:
            return not_observed(env, missing)
        if self.unit == "days":
            start, end = local(env, start), local(env, end)
            given: float = (end.date() - start.date()).days
        else:
            seconds = (end - start).total_seconds()
            given = seconds / _SECONDS[self.unit]
            if env.zone is not None and env.zone.info is not None:  # shown on the site's clock
                start, end = local(env, start), local(env, end)
        minimum = _number(env.value(self.minimum), "min")
        text = partial(_notice_text, env.lang, given, minimum, self.unit, start, end)  # made when read
        return Result("pass" if given >= minimum else "fail", given, f">= {minimum:g} {self.unit}", text)


@lru_cache(maxsize=64)
def _unit(unit: str, lang: str) -> str:
    return message(f"unit_{unit}", lang)


def _notice_text(lang: str, given: float, minimum: float, unit: str, start: datetime, end: datetime) -> str:
    return message("notice", lang, given=given, min=minimum, unit=_unit(unit, lang),
                   start=start.isoformat(), end=end.isoformat())


class Notice(CheckType):
    name = "notice"
    summary = "Notice given: the time from one field to another is at least min minutes, hours or days."
    options = {
        "from": _PATH,
        "to": _PATH,
        "min": param_schema({"type": "number"}),
        "unit": {"enum": list(_UNITS), "description": "minutes (default), hours and full_days (24 hours "
                 "each) are exact durations; days counts calendar days between the two dates on the "
                 "site's clock"},
    }
    required = ("from", "to", "min")

    def compile(self, spec: Mapping[str, Any], compiler: Compiler) -> CompiledCheck:
        return _Notice(spec["from"], spec["to"], compiler.param(spec["min"], ("min",)), spec.get("unit", "minutes"))


class _Deadline(CompiledCheck):
    def __init__(self, field: str, before: Any, same_day_as: str | None) -> None:
        self.field, self.before, self.same_day_as = field, before, same_day_as

    def run(self, record: Mapping[str, Any], env: Env) -> Result:
        try:
            at = local(env, aware(env, self.field))
            reference = local(env, aware(env, self.same_day_as)) if self.same_day_as else None
        except NotObserved as missing:
            return not_observed(env, missing)
        raw = env.value(self.before)
        before = parse_hhmm(raw)
        if before is None:
            raise CheckFailure(f"before must be a time of day HH:MM (e.g. 12:00), got {raw!r}")
        shown = f"{at.date().isoformat()} {at.strftime('%H:%M')}"
        if reference is None:
            ok = at.time() < before
            text = message("deadline_time", env.lang, field=self.field, at=shown, before=raw)
            return Result("pass" if ok else "fail", at.strftime("%H:%M"), f"< {raw}", text)
        day = reference.date()
        ok = at.date() < day or (at.date() == day and at.time() < before)
        text = message("deadline_day", env.lang, field=self.field, at=shown, before=raw, day=day.isoformat(),
                       reference=self.same_day_as)
        return Result("pass" if ok else "fail", shown, f"< {day.isoformat()} {raw}", text)


class Deadline(CheckType):
    name = "deadline"
    summary = ("A time strictly before HH:MM (on the day of another field, or any earlier day, with "
               "same_day_as).")
    options = {
        "field": _PATH,
        "before": param_schema({"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$"}),
        "same_day_as": _PATH,
    }
    required = ("field", "before")

    def compile(self, spec: Mapping[str, Any], compiler: Compiler) -> CompiledCheck:
        return _Deadline(spec["field"], compiler.param(spec["before"], ("before",)), spec.get("same_day_as"))


class _DayOfMonth(CompiledCheck):
    def __init__(self, field: str, period: str | None, day: Any, month_offset: int) -> None:
        self.field, self.period, self.day, self.month_offset = field, period, day, month_offset

    def run(self, record: Mapping[str, Any], env: Env) -> Result:
        try:
            submitted = day_of(env, self.field)
        except NotObserved as missing:
            return not_observed(env, missing)
        period = env.get(self.period) if self.period else None
        year, month = period_month(period) or (submitted.year, submitted.month)
        year, month = divmod(year * 12 + (month - 1) + self.month_offset, 12)
        month += 1
        n = _number(env.value(self.day), "day")
        if n != int(n) or not 1 <= n <= 31:
            raise CheckFailure(f"day must be a day of the month (1-31), got {n:g}")
        # Day 31 of a 30-day month is its last day: "by the 31st" means "by the end of the month".
        due = date(year, month, min(int(n), calendar.monthrange(year, month)[1]))
        text = message("day_of_month", env.lang, field=self.field, on=submitted.isoformat(),
                       deadline=due.isoformat())
        return Result("pass" if submitted <= due else "fail", submitted.isoformat(), f"<= {due.isoformat()}", text)


class DayOfMonth(CheckType):
    name = "day_of_month"
    summary = ("A date on or before day N of the period's month (plus month_offset); without a monthly "
               "period, of the field's own month.")
    options = {
        "field": _PATH,
        "period": {**_PATH, "description": "Where the period (2026-11) is; a week, half or year period "
                   "falls back to the field's own month"},
        "day": param_schema({"type": "integer", "minimum": 1, "maximum": 31}),
        "month_offset": {"type": "integer", "description": "Months after the period's month; default 0"},
    }
    required = ("field", "day")

    def compile(self, spec: Mapping[str, Any], compiler: Compiler) -> CompiledCheck:
        return _DayOfMonth(spec["field"], spec.get("period"), compiler.param(spec["day"], ("day",)),
                           int(spec.get("month_offset", 0)))


class _Holiday(CompiledCheck):
    def __init__(self, field: str, country: str, calendar_path: str, expect: bool) -> None:
        self.field, self.country, self.calendar, self.expect = field, country, calendar_path, expect

    def run(self, record: Mapping[str, Any], env: Env) -> Result:
        try:
            day = day_of(env, self.field)
        except NotObserved as missing:
            return not_observed(env, missing)
        country = env.get(self.country)
        if not isinstance(country, str) or not country:
            raise CheckFailure(f"{self.country} is missing: public holidays need the site's country "
                               "(ISO 3166 code, e.g. TW)")
        own = env.get(self.calendar)
        extra = [str(d) for d in own] if isinstance(own, list) else []
        try:
            name = holiday_label(day, country, extra, env.lang)
        except ValueError as exc:
            raise CheckFailure(str(exc)) from None
        is_holiday = name is not None
        if is_holiday:
            text = message("holiday_is", env.lang, day=day.isoformat(), name=name, country=country)
        else:
            text = message("holiday_not", env.lang, day=day.isoformat(), country=country)
        text += "; " + message("holiday_expect_yes" if self.expect else "holiday_expect_no", env.lang)
        return Result("pass" if is_holiday == self.expect else "fail", name if is_holiday else False,
                      self.expect, text, {"holiday": name})


class Holiday(CheckType):
    name = "holiday"
    summary = ("Whether a date is a public holiday (holidays library for the site's country, plus the "
               "site's own dates); fails on a holiday unless expect: true.")
    options = {
        "date": _PATH,
        "country": {**_PATH, "description": "Where the ISO country code is; default site.country"},
        "calendar": {**_PATH, "description": "Where the site's own holiday dates are; default site.calendar"},
        "expect": {"type": "boolean", "description": "true: the date must be a holiday; default false"},
    }
    required = ("date",)

    def compile(self, spec: Mapping[str, Any], compiler: Compiler) -> CompiledCheck:
        return _Holiday(spec["date"], spec.get("country", "site.country"), spec.get("calendar", "site.calendar"),
                        bool(spec.get("expect", False)))


class _Covered(CompiledCheck):
    def __init__(self, start: str, end: str, intervals: str) -> None:
        self.start, self.end, self.intervals = start, end, intervals

    def run(self, record: Mapping[str, Any], env: Env) -> Result:
        try:
            days = self._days(env)
        except NotObserved as missing:
            return not_observed(env, missing)
        first, last = days[0], days[-1]
        raw = env.get(self.intervals)
        spans = raw if isinstance(raw, list) else []
        covered: set[date] = set()
        for i, span in enumerate(spans):
            lo = parse_date(span.get("from") if isinstance(span, Mapping) else None)
            hi = parse_date(span.get("to") if isinstance(span, Mapping) else None)
            if lo is None or hi is None:
                raise CheckFailure(f"{self.intervals}.{i} needs from and to dates (YYYY-MM-DD)")
            d = max(lo, first)
            while d <= min(hi, last):
                covered.add(d)
                d += timedelta(days=1)
        gaps = [d for d in days if d not in covered]
        span_text = f"{first.isoformat()} – {last.isoformat()}"
        if not gaps:
            text = message("covered_ok", env.lang, span=span_text, count=len(days))
            return Result("pass", [], [], text)
        text = message("covered_gap", env.lang, days=_ranges(gaps), span=span_text)
        return Result("fail", _ranges(gaps), [], text, {"uncovered": [d.isoformat() for d in gaps]})

    def _days(self, env: Env) -> list[date]:
        """The days to cover: every calendar day from..to between dates; between date-times, the
        site's date of each shift the span covers (a night shift 22:00-07:00 is one day)."""
        if _is_instant(env.get(self.start)) and _is_instant(env.get(self.end)):
            start, end = aware(env, self.start), aware(env, self.end)
            if end <= start:
                raise CheckFailure(f"{self.end} ({end.isoformat()}) is not after {self.start} ({start.isoformat()})")
            return sorted({local(env, s).date() for s in shift_starts(start, end)})
        first, last = day_of(env, self.start), day_of(env, self.end)
        if last < first:
            raise CheckFailure(f"{self.end} ({last}) is before {self.start} ({first})")
        return [first + timedelta(days=k) for k in range((last - first).days + 1)]


def _is_instant(value: Any) -> bool:
    return isinstance(value, str) and len(value) > 10


class Covered(CheckType):
    name = "covered"
    summary = ("Every day from..to is covered by a list of {from, to} intervals, without gaps: every "
               "calendar day between dates; between date-times, the site's date of each shift the span "
               "covers (one every 24 hours from `from`; a night shift 22:00-07:00 is one day).")
    options = {
        "from": _PATH,
        "to": _PATH,
        "intervals": {**_PATH, "description": "A list of {from, to} dates, e.g. data.certificates"},
    }
    required = ("from", "to", "intervals")

    def compile(self, spec: Mapping[str, Any], compiler: Compiler) -> CompiledCheck:
        return _Covered(spec["from"], spec["to"], spec["intervals"])


def _ranges(days: list[date]) -> list[str]:
    """Consecutive days as ranges: 2026-11-03, 2026-11-05 – 2026-11-07."""
    out: list[list[date]] = []
    for d in days:
        if out and (d - out[-1][-1]).days == 1:
            out[-1].append(d)
        else:
            out.append([d])
    return [r[0].isoformat() if len(r) == 1 else f"{r[0].isoformat()} – {r[-1].isoformat()}" for r in out]


def _number(value: Any, option: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise CheckFailure(f"{option} must be a number, got {value!r}")
    return float(value)


@hookimpl(trylast=True)
def checkengine_register_check_types(register: Callable[[CheckType], None]) -> None:
    for check_type in (Notice(), Deadline(), DayOfMonth(), Holiday(), Covered()):
        register(check_type)
