"""``precheck``: a record that lacks an observation a rule reads is refused, naming the first such
rule that applies; the quick look at the observations (key sets) decides exactly as looking rule by
rule does."""

from __future__ import annotations

import copy
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest

from checkengine import api
from checkengine.applicability import missing, not_applicable
from checkengine.checks import Env
from checkengine.conditions import EvaluationError
from checkengine.engine import Engine
from checkengine.errors import Location
from checkengine.outcomes import record_date
from checkengine.precheck import required
from checkengine.records import Record

ROOT = Path(__file__).resolve().parents[1]
RECORD = ROOT / "examples" / "month-2026-11" / "inspections" / "FI-2026-11-03-001.yaml"


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(api.load_rulebook(ROOT / "rulebooks" / "cs-floor.yaml"))


@pytest.fixture(scope="module")
def round_() -> dict[str, Any]:
    return api.load_record(RECORD)


def _rule_by_rule(engine: Engine, data: dict[str, Any]) -> str | None:
    """The rule the refusal must name: the first, in rulebook order, that reads a field the
    record lacks and applies to it (as the engine decided before the quick look)."""
    on = engine.on or record_date(data)
    env = Env(engine.book, data, on, engine.lang, engine.conditions, cache=engine.env_cache)
    for compiled in engine.record_rules(data["kind"]):
        needs = getattr(compiled.check, "required_field", None)
        if not needs or needs in compiled.rule.needs or not missing(data, needs):
            continue
        try:
            applies = not_applicable(compiled, data, env, on) is None
        except EvaluationError:
            applies = True
        if applies:
            return compiled.rule.id
    return None


def _refusal(engine: Engine, data: dict[str, Any]) -> str | None:
    problem = engine.precheck(Record(data, Location("r.yaml", 1, 1)))
    if problem is None:
        return None
    rule = problem.message.split("(rule ", 1)[1].split(" ", 1)[0]
    assert problem.message == (f"missing required observation '{problem.location.path}' (rule {rule} reads it); "
                               "add it, or set it to null if it could not be observed")
    return rule


def test_a_complete_round_and_one_with_nulls_pass(engine: Engine, round_: dict[str, Any]) -> None:
    assert _refusal(engine, copy.deepcopy(round_)) is None
    nulls = copy.deepcopy(round_)
    nulls["observations"] = {k: None for k in nulls["observations"]}  # "set it to null if it could not be observed"
    assert _refusal(engine, nulls) is None


def test_the_uniform_left_out_is_refused(engine: Engine, round_: dict[str, Any]) -> None:
    data = copy.deepcopy(round_)
    del data["observations"]["uniform"]
    assert _refusal(engine, data) == "DRS-01-uniform"


def test_leaving_out_any_one_or_two_observations_decides_as_rule_by_rule(engine: Engine, round_: dict[str, Any]) -> None:
    fields = sorted(round_["observations"])
    refused = 0
    for left_out in [(f,) for f in fields] + list(combinations(fields, 2)):
        data = copy.deepcopy(round_)
        for name in left_out:
            del data["observations"][name]
        expected = _rule_by_rule(engine, data)
        assert _refusal(engine, data) == expected, left_out
        refused += expected is not None
    assert refused > 100  # most of them are refusals


@pytest.mark.parametrize("observations", [None, [], "none", {}])
def test_observations_that_are_not_a_mapping_or_empty_are_refused(
        engine: Engine, round_: dict[str, Any], observations: Any) -> None:
    data = copy.deepcopy(round_)
    data["observations"] = observations
    assert _refusal(engine, data) == _rule_by_rule(engine, data) == "DRS-01-uniform"


def test_the_observations_read_are_listed_once_per_kind_grouped_by_their_mapping(engine: Engine) -> None:
    reads = required(engine, "floor_inspection")
    assert required(engine, "floor_inspection") is reads
    assert [path for path, _ in reads.holders] == [("observations",)]
    assert {f"observations.{key}" for key in reads.holders[0][1]} == {field for _, field in reads.rules}
    assert required(engine, "attendance").rules == ()  # HND-01 declares `needs: [data.on_post_at]`
