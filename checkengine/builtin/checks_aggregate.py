"""Aggregate checks over many records: ``count``, ``rate`` and ``spacing`` (group scope).

Records are folded into per-group states (a group is the values of ``group_by`` plus, for count and
rate, the calendar period of ``date``). States are frozen dataclasses of numbers, strings and
tuples: picklable, and :meth:`merge` is associative and commutative (sums; sorted unions of ids;
floats summed as exact fractions), so a batch split across processes in any way gives the same
result as one pass. Parameters are resolved as of the start of the group's period.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from fractions import Fraction
from typing import Any, Callable, Hashable, Iterable, Iterator

from checkengine import hookimpl
from checkengine.checks import (
    MISSING, CheckFailure, CheckSpecError, CheckType, Compiler, Env, GroupCheck, Result, get_path,
    param_schema, parse_date,
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


def _union(a: tuple[Any, ...], b: tuple[Any, ...], limit: int | None = ID_LIMIT) -> tuple[Any, ...]:
    """Sorted union, truncated to the *limit* smallest: associative, so chunking never shows."""
    merged = sorted(set(a) | set(b))
    return tuple(merged if limit is None else merged[:limit])


def _record_id(record: Mapping[str, Any]) -> str:
    return str(record.get("id", "?"))


def _ids_text(ids: tuple[str, ...], total: int, lang: str) -> str:
    text = show(list(ids), lang)
    if total > len(ids):
        text += " " + message("and_more", lang, n=total - len(ids))
    return text


class _Aggregate(GroupCheck):
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


def _failed(errors: Errors, failed: int, lang: str) -> Result:
    """The error outcome of a group with records that could not be used (undated, a failing filter)."""
    reasons = [f"{rid}: {why}" for rid, why in errors]
    text = message("aggregate_failed", lang, count=failed, reasons="; ".join(reasons))
    if failed > len(errors):
        text += " " + message("and_more", lang, n=failed - len(errors))
    # Records that only lack their site's zone are not broken: a person must place them in time.
    unplaced = failed == len(errors) and all(why.startswith(_ZONE_NEEDED) for _, why in errors)
    return Result("needs_review" if unplaced else "error", explanation=text)


def _limits(spec: Mapping[str, Any], compiler: Compiler, kind: str) -> tuple[Any, Any]:
    if "min" not in spec and "max" not in spec:
        raise CheckSpecError(f"{kind} needs min, max or both (e.g. max: {{param: max_swaps_per_month}})")
    return compiler.param(spec.get("min"), ("min",)), compiler.param(spec.get("max"), ("max",))


def _bound(env: Env, spec: Any, option: str) -> float | None:
    if spec is None:
        return None
    value = env.value(spec)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise CheckFailure(f"{option} must be a number, got {show(value)}")
    return value


def _shown(lo: float | None, hi: float | None) -> str:
    return f"{'' if lo is None else show(lo)}..{'' if hi is None else show(hi)}"


# -- count ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CountState:
    count: int = 0
    ids: tuple[str, ...] = ()
    failed: int = 0
    errors: Errors = ()


class _Count(_Aggregate):
    def __init__(self, spec: Mapping[str, Any], compiler: Compiler) -> None:
        super().__init__(spec, compiler, periodic=True)
        self.low, self.high = _limits(spec, compiler, "count")

    def initial(self) -> CountState:
        return CountState()

    def add(self, state: CountState, record: Mapping[str, Any], env: Env) -> CountState:
        chosen, problem = self.screen(record, env)
        rid = _record_id(record)
        if problem is not None:
            return replace(state, failed=state.failed + 1, errors=_union(state.errors, ((rid, problem),)))
        if not chosen:
            return state  # the group exists, with nothing counted
        return replace(state, count=state.count + 1, ids=_union(state.ids, (rid,)))

    def merge(self, a: CountState, b: CountState) -> CountState:
        return CountState(a.count + b.count, _union(a.ids, b.ids), a.failed + b.failed, _union(a.errors, b.errors))

    def finish(self, key: Hashable, state: CountState, env: Env) -> Result:
        if state.failed:
            return _failed(state.errors, state.failed, env.lang)
        lo, hi = _bound(env, self.low, "min"), _bound(env, self.high, "max")
        ok = (lo is None or state.count >= lo) and (hi is None or state.count <= hi)
        expected = _shown(lo, hi)
        text = message("count", env.lang, count=state.count, expected=expected)
        if hi is not None and state.count:
            text += "; " + message("counted", env.lang, ids=_ids_text(state.ids, state.count, env.lang))
        return Result("pass" if ok else "fail", state.count, expected, text, {"records": list(state.ids)})


class Count(CheckType):
    name = "count"
    scope = "group"
    summary = ("How many records per group and period (day, week, month, year), between min and max; "
               "records that do not match filter still make their group (count 0).")
    options = {
        "kinds": {"type": "array", "minItems": 1, "items": {"type": "string"},
                  "description": "Record kinds folded in; default the rule's applies_to.kinds"},
        "date": {"anyOf": [
            {"type": "string", "minLength": 1},
            {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}},
        ], "description": "Where the record's date is (e.g. data.shift_date), or a list of paths: the "
                          "first the record has"},
        "period": {"enum": list(PERIODS), "description": "default month"},
        "group_by": {"type": "object", "additionalProperties": {"anyOf": [
            {"type": "string", "minLength": 1},
            {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}},
        ]}, "description": "Group field -> a path, or a list of paths (one group per distinct value)"},
        "filter": {"type": "string", "minLength": 1, "description": "CEL: which records are counted"},
        "min": param_schema({"type": "number"}),
        "max": param_schema({"type": "number"}),
    }
    required = ("date",)

    def compile(self, spec: Mapping[str, Any], compiler: Compiler) -> GroupCheck:
        return _Count(spec, compiler)


# -- rate ----------------------------------------------------------------------------------------
Number = int | Fraction


@dataclass(frozen=True)
class RateState:
    numerator: Number = 0
    denominator: Number = 0
    records: int = 0
    failed: int = 0
    errors: Errors = ()


def _exact(value: Any) -> Number | None:
    """A record's number as an exact value (floats become fractions, so sums are associative)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value if isinstance(value, int) else Fraction(value)


class _Rate(_Aggregate):
    def __init__(self, spec: Mapping[str, Any], compiler: Compiler) -> None:
        super().__init__(spec, compiler, periodic=True)
        self.numerator: str = spec["numerator"]
        self.denominator: str = spec["denominator"]
        self.percent = bool(spec.get("percent", True))
        self.low, self.high = _limits(spec, compiler, "rate")

    def initial(self) -> RateState:
        return RateState()

    def add(self, state: RateState, record: Mapping[str, Any], env: Env) -> RateState:
        chosen, problem = self.screen(record, env)
        values = []
        for path in (self.numerator, self.denominator) if chosen else ():
            raw = get_path(record, path)
            exact = _exact(raw)
            if exact is None:
                problem = f"{path} is {show(None if raw is MISSING else raw)}, not a number"
                break
            values.append(exact)
        if problem is not None:
            failed = ((_record_id(record), problem),)
            return replace(state, failed=state.failed + 1, errors=_union(state.errors, failed))
        if not chosen:
            return state
        return replace(state, numerator=state.numerator + values[0], denominator=state.denominator + values[1],
                       records=state.records + 1)

    def merge(self, a: RateState, b: RateState) -> RateState:
        return RateState(a.numerator + b.numerator, a.denominator + b.denominator, a.records + b.records,
                         a.failed + b.failed, _union(a.errors, b.errors))

    def finish(self, key: Hashable, state: RateState, env: Env) -> Result:
        if state.failed:
            return _failed(state.errors, state.failed, env.lang)
        num, den = float(state.numerator), float(state.denominator)
        if state.denominator == 0:
            return Result("not_applicable", None, None, message(
                "not_applicable", env.lang,
                reason=message("rate_no_denominator", env.lang, field=self.denominator, records=state.records)))
        rate = float(Fraction(state.numerator) / Fraction(state.denominator) * (100 if self.percent else 1))
        lo, hi = _bound(env, self.low, "min"), _bound(env, self.high, "max")
        ok = (lo is None or rate >= lo - EPSILON) and (hi is None or rate <= hi + EPSILON)
        expected = _shown(lo, hi)
        text = message("rate", env.lang, rate=round(rate, 4), unit=" %" if self.percent else "",
                       numerator=num, denominator=den, records=state.records, expected=expected)
        return Result("pass" if ok else "fail", round(rate, 4), expected, text,
                      {"numerator": num, "denominator": den, "records": state.records})


class Rate(CheckType):
    name = "rate"
    scope = "group"
    summary = ("A ratio of two summed fields per group and period (x100 with percent, the default), "
               "between min and max; a zero denominator is not applicable.")
    options = {
        **{k: v for k, v in Count.options.items() if k not in ("min", "max")},
        "numerator": {"type": "string", "minLength": 1, "description": "e.g. data.abandoned"},
        "denominator": {"type": "string", "minLength": 1, "description": "e.g. data.offered"},
        "percent": {"type": "boolean", "description": "multiply by 100; default true"},
        "min": param_schema({"type": "number"}),
        "max": param_schema({"type": "number"}),
    }
    required = ("date", "numerator", "denominator")

    def compile(self, spec: Mapping[str, Any], compiler: Compiler) -> GroupCheck:
        return _Rate(spec, compiler)


# -- spacing -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SpacingState:
    dates: tuple[tuple[str, str], ...] = ()  # (ISO date, record id), sorted; every record is needed
    failed: int = 0
    errors: Errors = ()


class _Spacing(_Aggregate):
    def __init__(self, spec: Mapping[str, Any], compiler: Compiler) -> None:
        super().__init__(spec, compiler, periodic=False)
        self.min_days = compiler.param(spec["min_days"], ("min_days",))

    def initial(self) -> SpacingState:
        return SpacingState()

    def add(self, state: SpacingState, record: Mapping[str, Any], env: Env) -> SpacingState:
        chosen, problem = self.screen(record, env)
        rid = _record_id(record)
        if problem is not None:
            return replace(state, failed=state.failed + 1, errors=_union(state.errors, ((rid, problem),)))
        day = self._day(record, env)
        if not chosen or day is None:
            return state
        return replace(state, dates=_union(state.dates, ((day.isoformat(), rid),), None))

    def merge(self, a: SpacingState, b: SpacingState) -> SpacingState:
        return SpacingState(_union(a.dates, b.dates, None), a.failed + b.failed, _union(a.errors, b.errors))

    def finish(self, key: Hashable, state: SpacingState, env: Env) -> Result:
        if state.failed:
            return _failed(state.errors, state.failed, env.lang)
        if env.on is None and state.dates:
            # No period: the limit in force when the group's first record happened.
            env.on = date.fromisoformat(state.dates[0][0])
        minimum = _bound(env, self.min_days, "min_days")
        assert minimum is not None
        close = []
        for (d1, r1), (d2, r2) in zip(state.dates, state.dates[1:]):
            gap = (date.fromisoformat(d2) - date.fromisoformat(d1)).days
            if gap < minimum:
                close.append((gap, d1, r1, d2, r2))
        expected = f">= {show(minimum)}"
        if not close:
            text = message("spacing_ok", env.lang, count=len(state.dates), min=minimum)
            return Result("pass", len(state.dates), expected, text)
        parts = [message("spacing_close", env.lang, first=r1, a=d1, second=r2, b=d2, gap=gap, min=minimum)
                 for gap, d1, r1, d2, r2 in close[:5]]
        if len(close) > 5:
            parts.append(message("and_more", env.lang, n=len(close) - 5))
        pairs = [{"first": r1, "first_date": d1, "second": r2, "second_date": d2, "days": gap}
                 for gap, d1, r1, d2, r2 in close]
        return Result("fail", min(c[0] for c in close), expected, "; ".join(parts), {"too_close": pairs})


class Spacing(CheckType):
    name = "spacing"
    scope = "group"
    summary = ("Records of one group at least min_days apart (min_days 2: never on consecutive days); "
               "names the two dates that are too close.")
    options = {
        **{k: v for k, v in Count.options.items() if k not in ("min", "max", "period")},
        "min_days": param_schema({"type": "integer", "minimum": 0}),
    }
    required = ("date", "min_days")

    def compile(self, spec: Mapping[str, Any], compiler: Compiler) -> GroupCheck:
        return _Spacing(spec, compiler)


@hookimpl(trylast=True)
def checkengine_register_check_types(register: Callable[[CheckType], None]) -> None:
    for check_type in (Count(), Rate(), Spacing()):
        register(check_type)
