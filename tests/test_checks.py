"""checkengine.checks: what a check sees of a record (Env)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from checkengine.cel_context import EnvCache
from checkengine.checks import CheckFailure, Env
from checkengine.conditions import Conditions
from checkengine.plugins import default_registry
from checkengine.rulebook.load import load_rulebook

BOOK = load_rulebook(Path(__file__).resolve().parents[1] / "rulebooks" / "cs-floor.yaml")
CONDITIONS = Conditions(default_registry().cel_functions)


@pytest.mark.parametrize("on", [date(2026, 5, 1), date(2019, 12, 31)])
def test_a_parameter_read_twice_gives_what_param_gives(on: date) -> None:
    """``Env.value({param: NAME})`` reads a value the engine's cache holds inline: the first read
    (filling the cache) and the next (read inline) give param()'s value and record it as used, and a
    parameter without a value on the date raises both times."""
    cache = EnvCache()
    for _ in range(2):
        env = Env(BOOK, {}, on, "en", CONDITIONS, cache=cache)
        spec = {"param": "max_minutes_outside_room"}
        if on.year < 2020:  # before the parameter's first value
            with pytest.raises(CheckFailure):
                env.value(spec)
            assert env.used == {}
            continue
        want = BOOK.parameters["max_minutes_outside_room"].at(on)
        assert want is not None
        assert env.value(spec) == want.value == 15
        assert env.used == {"max_minutes_outside_room": want}
    with pytest.raises(KeyError):
        Env(BOOK, {}, date(2026, 5, 1), "en", CONDITIONS, cache=cache).value({"param": "no_such_parameter"})
    assert Env(BOOK, {}, on, "en", CONDITIONS, cache=cache).value({"param": 3}) == {"param": 3}


def test_a_lazy_env_is_the_env_the_constructor_makes() -> None:
    """``Env.lazy`` (the verdict lanes' Env, its slots set directly) holds, slot for slot, what
    ``Env(...)`` holds with the same record, date, cache and zone, its lookups and ``eager`` False:
    a slot added to Env and not to ``lazy`` fails here."""
    from checkengine import lookups
    from checkengine.localtime import zone_of

    record = {"kind": "attendance", "site": {"id": "s", "timezone": "Asia/Taipei"}, "data": {"absent": False}}
    zone = zone_of(record)
    facts = lookups.Facts(None, frozenset())
    cache = EnvCache()
    on = date(2026, 5, 1)
    made = Env(BOOK, record, on, "zh-Hant", CONDITIONS, cache=cache, zone=zone)
    made.lookups = facts
    made.eager = False
    lazy = Env.lazy(BOOK, record, on, "zh-Hant", CONDITIONS, cache, zone, facts)
    assert Env.__slots__ and all(hasattr(lazy, name) for name in Env.__slots__)
    for name in Env.__slots__:
        assert getattr(lazy, name) == getattr(made, name), name
    assert lazy.used is not made.used and lazy._results is not made._results  # its own, per record
    assert lazy.evaluate(CONDITIONS.compile("record.data.absent == false")) is True
