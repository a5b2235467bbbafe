"""Aggregate checks over many records: ``count``, ``rate`` and ``spacing`` (group scope).

Records are folded into per-group states (a group is the values of ``group_by`` plus, for count and
rate, the calendar period of ``date``). States are frozen dataclasses of numbers, strings and
tuples: picklable, and :meth:`merge` is associative and commutative (sums; sorted unions of ids;
floats summed as exact fractions), so a batch split across processes in any way gives the same
result as one pass. Parameters are resolved as of the start of the group's period. This module
holds the three check types and their states; what they share (periods, group keys, the record
screen, result texts) is in :mod:`checkengine.builtin.aggregate_base`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from fractions import Fraction
from typing import Any, Callable, Hashable

from checkengine import hookimpl
from checkengine.builtin.aggregate_base import (
    EPSILON, PERIODS, Aggregate, Errors, bound, failed_result, ids_text, limits, record_id, shown, union_ids,
)
from checkengine.checks import MISSING, CheckType, Compiler, Env, GroupCheck, Result, get_path, param_schema
from checkengine.i18n import message, show


# -- count ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CountState:
    count: int = 0
    ids: tuple[str, ...] = ()
    failed: int = 0
    errors: Errors = ()


class _Count(Aggregate):
    def __init__(self, spec: Mapping[str, Any], compiler: Compiler) -> None:
        super().__init__(spec, compiler, periodic=True)
        self.low, self.high = limits(spec, compiler, "count")

    def initial(self) -> CountState:
        return CountState()

    def add(self, state: CountState, record: Mapping[str, Any], env: Env) -> CountState:
        chosen, problem = self.screen(record, env)
        rid = record_id(record)
        if problem is not None:
            return replace(state, failed=state.failed + 1, errors=union_ids(state.errors, ((rid, problem),)))
        if not chosen:
            return state  # the group exists, with nothing counted
        return replace(state, count=state.count + 1, ids=union_ids(state.ids, (rid,)))

    def merge(self, a: CountState, b: CountState) -> CountState:
        return CountState(a.count + b.count, union_ids(a.ids, b.ids), a.failed + b.failed,
                          union_ids(a.errors, b.errors))

    def finish(self, key: Hashable, state: CountState, env: Env) -> Result:
        if state.failed:
            return failed_result(state.errors, state.failed, env.lang)
        lo, hi = bound(env, self.low, "min"), bound(env, self.high, "max")
        ok = (lo is None or state.count >= lo) and (hi is None or state.count <= hi)
        expected = shown(lo, hi)
        text = message("count", env.lang, count=state.count, expected=expected)
        if hi is not None and state.count:
            text += "; " + message("counted", env.lang, ids=ids_text(state.ids, state.count, env.lang))
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


class _Rate(Aggregate):
    def __init__(self, spec: Mapping[str, Any], compiler: Compiler) -> None:
        super().__init__(spec, compiler, periodic=True)
        self.numerator: str = spec["numerator"]
        self.denominator: str = spec["denominator"]
        self.percent = bool(spec.get("percent", True))
        self.low, self.high = limits(spec, compiler, "rate")

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
            failed = ((record_id(record), problem),)
            return replace(state, failed=state.failed + 1, errors=union_ids(state.errors, failed))
        if not chosen:
            return state
        return replace(state, numerator=state.numerator + values[0], denominator=state.denominator + values[1],
                       records=state.records + 1)

    def merge(self, a: RateState, b: RateState) -> RateState:
        return RateState(a.numerator + b.numerator, a.denominator + b.denominator, a.records + b.records,
                         a.failed + b.failed, union_ids(a.errors, b.errors))

    def finish(self, key: Hashable, state: RateState, env: Env) -> Result:
        if state.failed:
            return failed_result(state.errors, state.failed, env.lang)
        num, den = float(state.numerator), float(state.denominator)
        if state.denominator == 0:
            return Result("not_applicable", None, None, message(
                "not_applicable", env.lang,
                reason=message("rate_no_denominator", env.lang, field=self.denominator, records=state.records)))
        rate = float(Fraction(state.numerator) / Fraction(state.denominator) * (100 if self.percent else 1))
        lo, hi = bound(env, self.low, "min"), bound(env, self.high, "max")
        ok = (lo is None or rate >= lo - EPSILON) and (hi is None or rate <= hi + EPSILON)
        expected = shown(lo, hi)
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
class SpacingState:
    """Every (ISO date, record id) of a group, kept as sorted runs rather than one sorted tuple.

    Adding a record pushes a run of one, and merging two states puts one's runs after the other's;
    whenever a run is not more than twice the length of the one after it, the two merge (a linear
    merge of sorted runs, as in a binary counter), so a group of n records costs O(n log n) in all,
    not a sort of the whole list on every add and merge. Immutable: every add and merge makes a new
    state sharing the old runs. :attr:`dates` is the sorted union, as before; equal states compare
    equal however they were chunked, and a state pickles as its dates.
    """

    __slots__ = ("_runs", "failed", "errors")

    def __init__(self, dates: tuple[tuple[str, str], ...] = (), failed: int = 0, errors: Errors = ()) -> None:
        self._runs: tuple[tuple[tuple[str, str], ...], ...] = (_dedup(sorted(dates)),) if dates else ()
        self.failed = failed
        self.errors = errors

    @classmethod
    def _of(cls, runs: tuple[tuple[tuple[str, str], ...], ...], failed: int, errors: Errors) -> "SpacingState":
        state = cls.__new__(cls)
        state._runs, state.failed, state.errors = runs, failed, errors
        return state

    @property
    def dates(self) -> tuple[tuple[str, str], ...]:
        """The sorted (date, record id) pairs, each once."""
        runs = self._runs
        if len(runs) > 1:
            runs = self._runs = (_dedup(sorted([item for run in runs for item in run])),)  # timsort merges runs
        return runs[0] if runs else ()

    def added(self, item: tuple[str, str]) -> "SpacingState":
        return SpacingState._of(_push(self._runs, (item,)), self.failed, self.errors)

    def merged(self, other: "SpacingState") -> "SpacingState":
        runs = self._runs
        for run in other._runs:
            runs = _push(runs, run)
        return SpacingState._of(runs, self.failed + other.failed, union_ids(self.errors, other.errors))

    def with_error(self, error: tuple[str, str]) -> "SpacingState":
        return SpacingState._of(self._runs, self.failed + 1, union_ids(self.errors, (error,)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SpacingState):
            return NotImplemented
        return (self.dates, self.failed, self.errors) == (other.dates, other.failed, other.errors)

    def __hash__(self) -> int:
        return hash((self.dates, self.failed, self.errors))

    def __repr__(self) -> str:
        return f"SpacingState(dates={self.dates!r}, failed={self.failed!r}, errors={self.errors!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (SpacingState, (self.dates, self.failed, self.errors))


def _dedup(items: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """A sorted list without its repeats (dict keys keep the order; done in C)."""
    return tuple(dict.fromkeys(items))


def _push(runs: tuple[tuple[tuple[str, str], ...], ...],
          run: tuple[tuple[str, str], ...]) -> tuple[tuple[tuple[str, str], ...], ...]:
    """*runs* with the sorted *run* after them, merging the last two while the earlier is not more
    than twice as long (so there are O(log n) runs, and each pair merges in linear time)."""
    if not run:
        return runs
    stack = list(runs)
    stack.append(run)
    while len(stack) > 1 and len(stack[-2]) <= 2 * len(stack[-1]):
        last = stack.pop()
        stack[-1] = _dedup(sorted(stack[-1] + last))  # two sorted runs: timsort merges them linearly
    return tuple(stack)


class _Spacing(Aggregate):
    def __init__(self, spec: Mapping[str, Any], compiler: Compiler) -> None:
        super().__init__(spec, compiler, periodic=False)
        self.min_days = compiler.param(spec["min_days"], ("min_days",))

    def initial(self) -> SpacingState:
        return SpacingState()

    def add(self, state: SpacingState, record: Mapping[str, Any], env: Env) -> SpacingState:
        chosen, problem = self.screen(record, env)
        rid = record_id(record)
        if problem is not None:
            return state.with_error((rid, problem))
        day = self._day(record, env)
        if not chosen or day is None:
            return state
        return state.added((day.isoformat(), rid))

    def merge(self, a: SpacingState, b: SpacingState) -> SpacingState:
        return a.merged(b)

    def finish(self, key: Hashable, state: SpacingState, env: Env) -> Result:
        if state.failed:
            return failed_result(state.errors, state.failed, env.lang)
        if env.on is None and state.dates:
            # No period: the limit in force when the group's first record happened.
            env.on = date.fromisoformat(state.dates[0][0])
        minimum = bound(env, self.min_days, "min_days")
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
