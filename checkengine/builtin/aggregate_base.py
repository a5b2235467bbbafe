"""What the aggregate check types (``count``, ``rate``, ``spacing``) share: the calendar periods a
group falls in (:func:`period_label`, :func:`period_start`), the :class:`Aggregate` base that
makes a record's group keys from ``group_by`` and ``date`` and screens records (undated, or
failing the ``filter``), the bounded sorted unions that keep states associative, and the texts of
a group's results (record ids, the error of records that could not be used, ``min..max``).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from datetime import date
from typing import Any, Hashable, Iterable, Iterator

from checkengine.checks import (
    MISSING, CheckFailure, CheckSpecError, Compiler, Env, GroupCheck, Result, get_path, parse_date,
)
from checkengine.conditions import Condition, EvaluationError
from checkengine.i18n import message, show
from checkengine.localtime import ZoneNeeded, local_date


# Explanations list at most this many record ids; states keep the smallest ones, so the list is
# the same however the records were split.
ID_LIMIT = 20
# Rates are compared with this tolerance: 5.0 % passes a 5 % maximum whatever the float rounding.
EPSILON = 1e-9
PERIODS = ("day", "week", "month", "year")

_ZONE_NEEDED = str(ZoneNeeded("x")).split("(")[0]
Errors = tuple[tuple[str, str], ...]  # (record id, reason), sorted, at most ID_LIMIT


def period_label(day: date, period: str) -> str:
    """The period containing *day*: 2026-11-03, 2026-W45, 2026-11 or 2026."""
    if period == "day":
        return day.isoformat()
    if period == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    if period == "month":
        return day.strftime("%Y-%m")
    return str(day.year)


def period_start(label: str | None) -> date | None:
    """The first day of a period label made by :func:`period_label` (None for None)."""
    if label is None:
        return None
    if "-W" in label:
        year, week = label.split("-W")
        return date.fromisocalendar(int(year), int(week), 1)
    parts = [int(p) for p in label.split("-")]
    return date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


def union_ids(a: tuple[Any, ...], b: tuple[Any, ...], limit: int | None = ID_LIMIT) -> tuple[Any, ...]:
    """Sorted union, truncated to the *limit* smallest: associative, so chunking never shows."""
    merged = sorted(set(a) | set(b))
    return tuple(merged if limit is None else merged[:limit])


def record_id(record: Mapping[str, Any]) -> str:
    return str(record.get("id", "?"))


def ids_text(ids: tuple[str, ...], total: int, lang: str) -> str:
    text = show(list(ids), lang)
    if total > len(ids):
        text += " " + message("and_more", lang, n=total - len(ids))
    return text


class Aggregate(GroupCheck):
    """Keys, periods and the record filter shared by the aggregate check types."""

    def __init__(self, spec: Mapping[str, Any], compiler: Compiler, *, periodic: bool) -> None:
        self.kinds = frozenset(spec.get("kinds") or ())
        dates = spec["date"]
        # A list of paths takes the first one the record has: meetings have held_on, attendance
        # has shift_start, and "a meeting every week" folds both.
        self.date_paths: tuple[str, ...] = (dates,) if isinstance(dates, str) else tuple(dates)
        self.date_path = " | ".join(self.date_paths)
        self.period: str | None = spec.get("period", "month") if periodic else None
        self.group_by: list[tuple[str, tuple[str, ...]]] = [
            (name, (paths,) if isinstance(paths, str) else tuple(paths))
            for name, paths in (spec.get("group_by") or {}).items()
        ]
        if periodic and any(name == "period" for name, _ in self.group_by):
            raise CheckSpecError("group_by cannot use the name 'period': it is the group's period",
                                 ("group_by", "period"))
        self.filter: Condition | None = (
            compiler.condition(spec["filter"], ("filter",)) if "filter" in spec else None
        )

    # -- keys ------------------------------------------------------------------------------------
    def _values(self, record: Mapping[str, Any]) -> Iterator[tuple[Any, ...]]:
        """One tuple per group the record belongs to: distinct non-null values of each group field."""
        choices = []
        for _, paths in self.group_by:
            found: list[Any] = []
            for path in paths:
                value = get_path(record, path)
                if value is MISSING or value is None:
                    continue
                value = value if isinstance(value, (str, int, float, bool)) else show(value)
                if value not in found:
                    found.append(value)
            choices.append(found or [None])
        return itertools.product(*choices)

    def record_day(self, record: Mapping[str, Any], env: Env) -> date | None:
        """The record's day on its site's clock (ZoneNeeded for a date-time without a site zone)."""
        for path in self.date_paths:
            value = get_path(record, path)
            if value is not MISSING and value is not None:
                if isinstance(value, str) and len(value) > 10:
                    try:
                        return local_date(value, env.zone)
                    except ValueError:
                        return None
                return parse_date(value)
        return None

    def _day(self, record: Mapping[str, Any], env: Env) -> date | None:
        try:
            return self.record_day(record, env)
        except ZoneNeeded:
            return None

    def keys(self, record: Mapping[str, Any], env: Env) -> Iterable[Hashable]:
        if self.period is None:
            return list(self._values(record))
        day = self._day(record, env)
        # An undated record still gets a group (period None), which finish reports as an error.
        label = period_label(day, self.period) if day is not None else None
        return [values + (label,) for values in self._values(record)]

    def describe_key(self, key: Hashable) -> dict[str, Any]:
        assert isinstance(key, tuple)
        names = [name for name, _ in self.group_by]
        out = dict(zip(names, key))
        if self.period is not None:
            out["period"] = key[-1]
        return out

    def group_date(self, key: Hashable) -> date | None:
        if self.period is None or not isinstance(key, tuple):
            return None
        return period_start(key[-1])

    # -- records ---------------------------------------------------------------------------------
    def screen(self, record: Mapping[str, Any], env: Env) -> tuple[bool, str | None]:
        """(whether the record is counted, why it cannot be used or None)."""
        try:
            if self.record_day(record, env) is None:
                return False, message("aggregate_no_date", env.lang, field=self.date_path)
        except ZoneNeeded as exc:
            return False, str(exc)
        if self.filter is None:
            return True, None
        try:
            value = env.evaluate(self.filter)
        except EvaluationError as exc:
            return False, str(exc)
        if not isinstance(value, bool):
            return False, f"the filter `{self.filter.source}` gave {show(value)}, not true or false"
        return value, None


def failed_result(errors: Errors, failed: int, lang: str) -> Result:
    """The error outcome of a group with records that could not be used (undated, a failing filter)."""
    reasons = [f"{rid}: {why}" for rid, why in errors]
    text = message("aggregate_failed", lang, count=failed, reasons="; ".join(reasons))
    if failed > len(errors):
        text += " " + message("and_more", lang, n=failed - len(errors))
    # Records that only lack their site's zone are not broken: a person must place them in time.
    unplaced = failed == len(errors) and all(why.startswith(_ZONE_NEEDED) for _, why in errors)
    return Result("needs_review" if unplaced else "error", explanation=text)


def limits(spec: Mapping[str, Any], compiler: Compiler, kind: str) -> tuple[Any, Any]:
    if "min" not in spec and "max" not in spec:
        raise CheckSpecError(f"{kind} needs min, max or both (e.g. max: {{param: max_swaps_per_month}})")
    return compiler.param(spec.get("min"), ("min",)), compiler.param(spec.get("max"), ("max",))


def bound(env: Env, spec: Any, option: str) -> float | None:
    if spec is None:
        return None
    value = env.value(spec)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise CheckFailure(f"{option} must be a number, got {show(value)}")
    return value


def shown(lo: float | None, hi: float | None) -> str:
    return f"{'' if lo is None else show(lo)}..{'' if hi is None else show(hi)}"
