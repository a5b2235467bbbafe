"""plain_record (checkengine/plain_values.py) answers what plain_context answers: whether a record's
values, at the paths the rulebook's conditions read, are ones CEL holds as they are (a value the
binding cannot convert fails every condition, so the closures must not answer then)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checkengine.cel_context import WHOLE, plain_context
from checkengine.checks import Env
from checkengine.engine import Engine
from checkengine.plain_values import plain_record
from checkengine.rulebook.load import load_rulebook

ROOT = Path(__file__).resolve().parents[1]
ENGINE = Engine(load_rulebook(ROOT / "rulebooks" / "cs-floor.yaml"))

_ODD: list[Any] = [2 ** 63, -(2 ** 63) - 1, 2 ** 63 - 1, -(2 ** 63), math.nan, math.inf, -0.0, "\ud800", "台北",
                   "plain", (1, 2), b"bytes", {1: "int key"}, {"k": math.nan}, [[2 ** 70]], True, None, 1.5]

scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2 ** 70), max_value=2 ** 70),
                    st.floats(allow_nan=True), st.text(max_size=6), st.sampled_from(_ODD))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    st.sampled_from(["a", "b", "log", "equipment"]), inner, max_size=3), max_leaves=8)
keys = st.sampled_from(["uniform", "plants_watered", "dressing_room_last_cleaned", "leader_agreed_absence",
                        "minutes_outside_room", "other"])
records = st.fixed_dictionaries({
    "kind": st.just("floor_inspection"),
    "timestamp": st.one_of(st.just("2026-11-03T09:15:00+08:00"), scalars),
    "observations": st.one_of(st.dictionaries(keys, values, max_size=5), values),
    "data": st.one_of(st.dictionaries(st.sampled_from(["log", "absent", "shift_start", "x"]), values, max_size=3),
                      values),
    "unread": values,  # no condition reads it: neither answer may depend on it
})


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records)
def test_plain_record_answers_as_plain_context(record: dict[str, Any]) -> None:
    for cache in (ENGINE.env_cache, WHOLE):
        env = Env(ENGINE.book, record, None, "en", ENGINE.conditions, cache=cache)
        want = plain_context(env, cache.refs)
        assert plain_record(env, cache.refs) == want, record
        assert plain_record(env, cache.refs) == want, record  # the parameters' answer kept for the date


def test_the_odd_values_are_told_apart() -> None:
    cache = ENGINE.env_cache
    seen = set()
    for odd in _ODD:
        record = {"kind": "floor_inspection", "observations": {"uniform": odd}}
        env = Env(ENGINE.book, record, None, "en", ENGINE.conditions, cache=cache)
        got = plain_record(env, cache.refs)
        assert got == plain_context(env, cache.refs), odd
        seen.add(got)
    assert seen == {True, False}


def test_a_parameter_cel_cannot_hold_fails_the_record_every_time() -> None:
    """The parameters' answer is kept per date by the engine's cache and read from there: a
    parameter value CEL cannot hold (NaN) makes every record of that date not plain, the first
    time and after."""
    import copy
    from datetime import date

    engine = Engine(load_rulebook(ROOT / "rulebooks" / "cs-floor.yaml"))
    names = frozenset(["max_minutes_outside_room"])
    on = date(2026, 5, 1)
    engine.env_cache.plain_tables[(on, names)] = False  # as made for a NaN value on that date
    record = {"kind": "floor_inspection", "observations": {"uniform": True}}
    for refs in ((engine.env_cache.refs[0], names), (engine.env_cache.refs[0], names)):
        env = Env(engine.book, copy.deepcopy(record), on, "en", engine.conditions, cache=engine.env_cache)
        assert plain_record(env, refs) is False
        env.on = date(2026, 5, 2)  # another date: its own answer (the values are plain there)
        assert plain_record(env, refs) is True
    group_env = Env(engine.book, record, date(2026, 5, 2), "en", engine.conditions, {"a": math.nan},
                    cache=engine.env_cache)
    assert plain_record(group_env, (engine.env_cache.refs[0], names)) is False  # a group is checked each time
