"""Lazy outcomes (checkengine/outcome.py): the verdict is read without the entry; the entry, read in
any way, is exactly what the engine renders eagerly (issue 16: "the text is identical when asked")."""

from __future__ import annotations

import copy
import json
import pickle
from pathlib import Path
from typing import Any

import pytest

from checkengine.builtin.summary_sink import encode_summary
from checkengine.engine import Engine
from checkengine.outcome import Outcome
from checkengine.plugins import default_registry
from checkengine.records import Record, iter_records
from checkengine.rulebook.load import load_rulebook
from checkengine.waivers import load_waivers

ROOT = Path(__file__).resolve().parents[1]
MONTH = ROOT / "examples" / "month-2026-11"


def _records(engine: Engine) -> list[Record]:
    out = []
    for item in iter_records([str(MONTH)], engine.registry):
        if isinstance(item, Record) and not engine.skips(item) and engine.precheck(item) is None:
            out.append(item)
    return out


@pytest.fixture(scope="module", params=["cs-floor.yaml", "leave-and-swaps.yaml", "management.yaml"])
def month(request: pytest.FixtureRequest) -> tuple[Engine, list[Record]]:
    book = load_rulebook(ROOT / "rulebooks" / request.param)
    engine = Engine(book, registry=default_registry(), waivers=load_waivers(MONTH / "waivers.yaml"),
                    other_kinds="skip")
    return engine, _records(engine)


def test_counting_and_scoring_render_nothing(month: tuple[Engine, list[Record]]) -> None:
    engine, records = month
    assert records
    for record in records:
        entry = engine.evaluate_record(record, lazy=True)  # the score reads every outcome
        rows = encode_summary(0, entry, record)  # what --format summary keeps of a record
        assert [r[3] for r in rows] == [o["outcome"] for o in entry["outcomes"]]
        assert all(type(o) is Outcome and not o.done for o in entry["outcomes"])


def test_every_reading_gives_the_eager_entry(month: tuple[Engine, list[Record]]) -> None:
    engine, records = month
    kinds: set[str] = set()
    for record in records:
        plain = engine.evaluate_record(record)
        assert all(type(o) is dict for o in plain["outcomes"])
        readings: list[Any] = [
            lambda o: dict(o), lambda o: {**o}, lambda o: dict(o.items()), lambda o: copy.deepcopy(o),
            lambda o: pickle.loads(pickle.dumps(o)), lambda o: json.loads(json.dumps(o)),
            lambda o: {k: o[k] for k in o}, lambda o: {k: o.get(k) for k in o.keys()},
        ]
        for read in readings:
            lazy = engine.evaluate_record(record, lazy=True)
            assert lazy["score"] == plain["score"]
            for o, want in zip(lazy["outcomes"], plain["outcomes"], strict=True):
                got = read(o)
                assert type(got) is dict
                assert list(got.items()) == list(want.items())  # key order too
                kinds.add(want["outcome"])
        lazy = engine.evaluate_record(record, lazy=True)
        assert lazy["outcomes"] == plain["outcomes"] and plain["outcomes"] == lazy["outcomes"]
        assert [len(o) for o in lazy["outcomes"]] == [len(o) for o in plain["outcomes"]]
        assert json.dumps(lazy, ensure_ascii=False) == json.dumps(plain, ensure_ascii=False)
    assert {"pass", "fail"} <= kinds


def test_one_key_renders_the_whole_entry_and_changes_keep_it(month: tuple[Engine, list[Record]]) -> None:
    engine, records = month
    record = next(r for r in records if engine.record_rules(r.data["kind"]))
    want = engine.evaluate_record(record)["outcomes"][0]
    o = engine.evaluate_record(record, lazy=True)["outcomes"][0]
    assert "explanation" in o and "group" not in o and not o.done
    assert o.get("group", "none") == "none" and not o.done
    assert o["explanation"] == want["explanation"] and o.done
    assert list(dict.items(o)) == list(want.items())  # rendered in place, in the entry's order
    with pytest.raises(KeyError):
        o["group"]
    changed = engine.evaluate_record(record, lazy=True)["outcomes"][0]
    changed["group"] = {"team": "A"}  # what finish_groups does: the rest of the entry is kept
    assert dict(changed) == {**want, "group": {"team": "A"}}


def test_an_unrendered_outcome_answers_in_and_get_for_its_rules_keys(month: tuple[Engine, list[Record]]) -> None:
    """``in`` and ``get`` on an unrendered outcome answer from its rule's entry template, without
    rendering: the template an outcome made by a check's result holds, and the one a verdict
    lane's outcome finds through its maker."""
    from checkengine.checks import Env
    from checkengine.outcomes import record_date

    engine, records = month
    seen: set[bool] = set()
    for record in [r for r in records if engine.record_rules(r.data["kind"])][:40]:
        want = engine.evaluate_record(record)["outcomes"]
        lazy = engine.evaluate_record(record, lazy=True)["outcomes"]
        env = Env(engine.book, record.data, record_date(record.data), engine.lang, engine.conditions,
                  cache=engine.env_cache)
        env.eager = False
        general = [engine._outcomes.outcome(c, record.data, env, env.on, {})
                   for c in engine.record_rules(record.data["kind"])]  # made from a check's result
        for made in (lazy, general):
            for o, w in zip(made, want, strict=True):
                assert type(o) is Outcome
                seen.add(o.lane is not None)
                template = engine._outcomes.text(engine._by_id[w["rule"]].rule).template
                assert template and all(k in o for k in template) and "no such key" not in o and not o.done
                assert o.get("no such key", 7) == 7 and o.get("title") == w["title"] and not o.done
                assert o.get("explanation") == w["explanation"] and o.done and o.get("no such key", 7) == 7
    assert seen == {True, False}  # both makers: verdict lanes and the general path
