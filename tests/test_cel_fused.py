"""The fused closures (checkengine/cel_fused.py) against the CEL engine, shape by shape.

Each condition below is made of the shapes the fused closures take (chains of ``&&`` and ``||``,
``has()`` one and two levels down, ``==`` / ``!=`` with text, booleans and null, calls of one, two
and three arguments); over a grid of records that put every kind of value (absent, null, booleans,
whole numbers in and past 64 bits, doubles, NaN, text, text CEL cannot hold, lists, maps) where it
reads, a closure that answers must give the CEL engine's value, of the same type, and one that is
unsure must say so (Fallback), never raise anything else.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path
from typing import Any

import pytest

from checkengine import lookups
from checkengine.cel_closures import Fallback, translate
from checkengine.cel_fused import all_of, equal_literal, guarded_equal, has_record
from checkengine.cel_ops import _walker
from checkengine.cel_context import EnvCache
from checkengine.checks import Env
from checkengine.conditions import Conditions
from checkengine.localtime import CURRENT, zone_of
from checkengine.plugins import default_registry
from checkengine.rulebook.load import load_rulebook

ROOT = Path(__file__).resolve().parents[1]
BOOK = load_rulebook(ROOT / "rulebooks" / "cs-floor.yaml")
CONDITIONS = Conditions(default_registry().cel_functions)

VALUES: list[Any] = [None, True, False, 0, 1, 2 ** 70, 1.0, math.nan, "", "on", "中文", "\ud800", [1, "a"],
                     {"b": True}, {"b": None}, {"b": "on"}, {"c": 1}, "2026-11-02", "2026-11-03T09:00:00+08:00",
                     "2026-11-03T09:00:00"]

TEXTS = [
    "has(record.a) && has(record.a.b) && record.a.b != null",
    "!(has(record.a) && has(record.a.b) && record.a.b == true)",
    "record.x == 'on' || record.y == true || record.x == null",
    "record.x != 'on' && record.y != false && has(record.a)",
    "has(record.x) || has(record.a.b)",
    "has(record.a.b) && record.a.b == 'on'",
    "!(has(record.a.b) && record.a.b == true)",
    "has(record.a) && has(record.a.b) && record.a.b != 'on'",
    "has(record.a) && has(record.x.b) && record.a.b == null",
    "record.x == null",
    "days_between(record.x, record.y) == 1 || (weekday(record.y) == 2 && days_between(record.x, record.y) == 7)",
    "weekday(record.x) == 2",
    "is_holiday(record.x, 'TW', record.y)",
    "size(record.x) > 0 && has(record.a.b) && record.a.b == 'on'",
    "has(record.a.b.c) && size(record.a.b.c) > 0",
    "record.x < 3 || record.y >= 'm'",
    "record.x <= 1 && record.y > 0",
    "record.a.b.c == 'on' || record.a.b.c > 0",
    "record.x - 1 == 0 || record.x + 3 > 4 || record.y - 9223372036854775807 < 0",
]


def _records() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [{}]
    for x, y in itertools.product(VALUES, repeat=2):
        out.append({"x": x, "y": y, "a": {"b": x} if isinstance(y, bool) else y})
    for a in VALUES:
        out.append({"a": a, "x": "2026-11-02", "y": "2026-11-03T09:00:00+08:00"})
        out.append({"a": {"b": {"c": a}}, "x": a, "y": 2})
        out.append({"a": {"b": a}})
    return out


def _cel(env: Env, text: str) -> tuple[str, Any]:
    condition = CONDITIONS.compile(text)
    try:
        return ("value", condition.run(env._context(condition)))
    except Exception as exc:
        return ("error", type(exc).__name__)


@pytest.mark.parametrize("text", TEXTS)
def test_fused_closures_agree_with_the_cel_engine(text: str) -> None:
    condition = CONDITIONS.compile(text)
    fast = translate(text, CONDITIONS.functions)
    assert fast is not None and condition.fast is not None
    cache = EnvCache([condition])
    answered = 0
    for record in _records():
        for zoned in (False, True):
            data = {**record, "site": {"id": "TPE", "timezone": "Asia/Taipei"}} if zoned else record
            env = Env(BOOK, data, None, "en", CONDITIONS, cache=cache)
            env.lookups = lookups.Facts(None, frozenset())
            token = CURRENT.set(zone_of(data))
            try:
                mine: tuple[str, Any] = ("value", fast(env)) if env.closures_ready() else ("unsure", None)
            except Fallback:
                mine = ("unsure", None)
            finally:
                CURRENT.reset(token)
            if mine[0] != "value":
                continue
            answered += 1
            token = CURRENT.set(zone_of(data))
            try:
                theirs = _cel(env, text)
            finally:
                CURRENT.reset(token)
            assert theirs[0] == "value", (data, mine, theirs)
            assert type(mine[1]) is type(theirs[1]) and mine[1] == theirs[1], (data, mine, theirs)
    assert answered > 10, answered  # the grid reaches the closures' answers, not only their doubts


@pytest.mark.parametrize(("text", "name"), [
    ("has(record.a) && has(record.a.b) && record.a.b != null", "guarded"),
    ("!(has(record.a.b) && record.a.b == true)", "guarded"),
    ("has(record.a) && has(record.x.b) && record.a.b == null", "every"),  # guards of another field
    ("has(record.a) && record.a.b == 1 && has(record.x)", "every"),
    ("record.x == 'on' || record.y == true", "some"),
    ("has(record.a.b)", "has_two"),
    ("has(record.a)", "has_one"),
    ("has(record.a.b.c)", "has_deep"),
    ("record.x < 3", "against"),
    ("record.a.b == 'on'", "equal"),
])
def test_the_common_shapes_are_one_closure(text: str, name: str) -> None:
    fast = translate(text, CONDITIONS.functions)
    assert fast is not None and fast.__name__ == name


@pytest.mark.parametrize("outer", [True, False])
@pytest.mark.parametrize("invert", [True, False])
@pytest.mark.parametrize(("constant", "negate"), [(None, True), (True, False), ("on", False), ("on", True)])
def test_a_guarded_test_answers_what_its_parts_answer(outer: bool, invert: bool, constant: Any, negate: bool) -> None:
    """On any record, checked or not: the same answer as the chain of has() and == closures, or
    Fallback where one of them falls back."""
    parts = [has_record(("a", "b")), equal_literal(_walker("record", ("a", "b")), constant, negate)]
    if outer:
        parts.insert(0, has_record(("a",)))
    chain = all_of([p for p in parts if p is not None])
    fused = guarded_equal(("a", "b"), constant, negate, outer, invert)
    odd: list[Any] = [None, [1], {"a": None}, {"a": {"b": 2 ** 70}}, {"a": {"b": math.nan}}]
    for record in [*_records(), *odd]:
        env = Env(BOOK, record, None, "en", CONDITIONS, cache=EnvCache())
        try:
            want: Any = chain(env) is not invert
        except Fallback:
            want = Fallback
        try:
            got: Any = fused(env)
        except Fallback:
            got = Fallback
        assert got is want, (record, got, want)


def test_a_calls_argument_or_answer_is_plain_where_deep_plain_says_so() -> None:
    """``_plain_arg`` decides the common values inline (a double that is not NaN, such as
    minutes_between's answer, among them): it answers what ``deep_plain`` answers, value for value."""
    from checkengine.cel_fused import _plain_arg
    from checkengine.cel_ops import deep_plain

    extra: list[Any] = [1.5, -0.0, math.inf, -math.inf, 2 ** 63 - 1, 2 ** 63, -2 ** 63, -2 ** 63 - 1, 3.0]
    for value in VALUES + extra:
        outcome = []
        for decide in (deep_plain, _plain_arg):
            try:
                outcome.append(("value", decide(value)))
            except Fallback:
                outcome.append(("fallback", None))
        assert outcome[0][0] == outcome[1][0], value
        assert outcome[1][0] == "fallback" or outcome[1][1] is value, value
    with pytest.raises(Fallback):
        _plain_arg(math.nan)


_PATHS = [("x",), ("y",), ("a", "b"), ("a", "c"), ("z", "b")]


@pytest.mark.parametrize("first", _PATHS)
@pytest.mark.parametrize("second", _PATHS)
def test_a_call_of_two_record_paths_reads_them_as_their_closures(first: tuple[str, ...], second: tuple[str, ...]) -> None:
    """``fn(record.p, record.q)`` reading its paths itself answers, or falls back, as the call of the
    paths' own closures does, on records of every shape (the function raising, or answering a value
    CEL cannot hold, among them)."""
    from checkengine.cel_fused import _call_paths, call

    def fn(a: Any, b: Any) -> Any:
        if a == "raise":
            raise ValueError(a)
        return [a, b] if isinstance(a, str) and a.startswith("2026") else (a, b)[len(str(b)) % 2]

    fused = _call_paths(fn, first, second)
    plain = call(fn, [_walker("record", first), _walker("record", second)])
    assert fused.__name__ == "call_paths" and plain.__name__ == "call_two"
    values: list[Any] = VALUES + ["raise", 2 ** 63, -2 ** 63]
    records: list[Any] = [None, [], "x", {}]
    for x, y in itertools.product(values, repeat=2):
        records.append({"x": x, "y": y, "a": {"b": x, "c": y} if isinstance(y, str) else y, "z": [x]})
    answered = 0
    for record in records:
        env = Env(BOOK, record, None, "en", CONDITIONS)
        outcome = []
        for closure in (plain, fused):
            try:
                outcome.append(("value", closure(env)))
            except Fallback:
                outcome.append(("fallback", None))
        assert outcome[0][0] == outcome[1][0], record
        if outcome[0][0] == "value":
            answered += 1
            assert type(outcome[0][1]) is type(outcome[1][1]) and outcome[0][1] == outcome[1][1], record
    assert answered > 10 or "z" in (first[0], second[0])  # record.z is a list: no map to look into


def test_a_call_of_two_record_paths_is_one_closure() -> None:
    fast = translate("days_between(record.observations.x, record.timestamp) == 1", CONDITIONS.functions)
    assert fast is not None
    closure = translate("minutes_between(record.data.a, record.data.b) >= 10", CONDITIONS.functions)
    assert closure is not None and closure.__closure__ is not None
    assert any(getattr(c.cell_contents, "__name__", "") == "call_paths" for c in closure.__closure__)


@pytest.mark.parametrize("path", _PATHS)
def test_a_call_of_one_record_path_reads_it_as_its_closure(path: tuple[str, ...]) -> None:
    """``fn(record.p)`` reading its path itself answers, or falls back, as the call of the path's
    own closure does."""
    from checkengine.cel_fused import _call_path, call

    def fn(a: Any) -> Any:
        if a == "raise":
            raise ValueError(a)
        return [a] if isinstance(a, str) and a.startswith("2026") else a

    fused = _call_path(fn, path)
    plain = call(fn, [_walker("record", path)])
    assert fused.__name__ == "call_path" and plain.__name__ == "call_one"
    records: list[Any] = [None, [], "x", {}]
    for x, y in itertools.product(VALUES + ["raise", 2 ** 63], repeat=2):
        records.append({"x": x, "y": y, "a": {"b": x, "c": y} if isinstance(y, str) else y, "z": [x]})
    answered = 0
    for record in records:
        env = Env(BOOK, record, None, "en", CONDITIONS)
        outcome = []
        for closure in (plain, fused):
            try:
                outcome.append(("value", closure(env)))
            except Fallback:
                outcome.append(("fallback", None))
        assert outcome[0][0] == outcome[1][0], record
        if outcome[0][0] == "value":
            answered += 1
            assert type(outcome[0][1]) is type(outcome[1][1]) and outcome[0][1] == outcome[1][1], record
    assert answered > 10 or path[0] == "z"
