"""Observation check types: equals, one_of, in_range, present, matches; unobserved fields."""

from __future__ import annotations

from typing import Any

import pytest

from checkengine.engine import Engine
from checkengine.errors import UserError


@pytest.fixture
def book(make_book: Any, helpers: Any) -> Any:
    rule = helpers.rule
    return make_book([
        rule("EQ", {"type": "equals", "field": "observations.uniform", "value": True}),
        rule("ONE", {"type": "one_of", "field": "observations.badge", "values": {"param": "badges"}}),
        rule("RANGE", {"type": "in_range", "field": "observations.minutes_outside", "min": 0,
                       "max": {"param": "max_out"}}),
        rule("PRESENT", {"type": "present", "field": "observations.name_tag"}),
        rule("ABSENT", {"type": "present", "field": "observations.food", "present": False}),
        rule("RE", {"type": "matches", "field": "observations.desk_id", "pattern": "^D-[0-9]{3}$"}),
    ], {"badges": helpers.param(["standard", "trainee"]), "max_out": helpers.param(15)})


def _observed(make_record: Any, **observations: Any) -> Any:
    base = {"uniform": True, "badge": "standard", "minutes_outside": 15, "name_tag": "王小明", "desk_id": "D-042"}
    base.update(observations)
    return make_record("floor_inspection", "FI-1", observations={k: v for k, v in base.items() if v != "-"})


def _outcomes(evaluate: Any, book: Any, record: Any) -> dict[str, tuple[str, str]]:
    result = evaluate(book, [record])
    assert result["errors"] == []
    return {o["rule"]: (o["outcome"], o["explanation"]) for o in result["records"][0]["outcomes"]}


def test_all_met(book: Any, make_record: Any, evaluate: Any) -> None:
    assert _outcomes(evaluate, book, _observed(make_record)) == {
        "EQ": ("pass", "observations.uniform is yes; expected yes"),
        "ONE": ("pass", "observations.badge is standard; expected standard, trainee; badges = standard, trainee "
                        "(since 2020-01-01)"),
        "RANGE": ("pass", "observations.minutes_outside is 15; allowed 0..15; max_out = 15 (since 2020-01-01)"),
        "PRESENT": ("pass", "observations.name_tag is yes; expected yes"),
        "ABSENT": ("pass", "observations.food is no; expected no"),
        "RE": ("pass", "observations.desk_id is D-042; expected ^D-[0-9]{3}$"),
    }


def test_each_fails(book: Any, make_record: Any, evaluate: Any) -> None:
    record = _observed(make_record, uniform=False, badge="visitor", minutes_outside=16, name_tag="",
                       food=["noodles"], desk_id="42")
    assert {k: v[0] for k, v in _outcomes(evaluate, book, record).items()} == {
        "EQ": "fail", "ONE": "fail", "RANGE": "fail", "PRESENT": "fail", "ABSENT": "fail", "RE": "fail"}


def test_wrong_type_fails_in_range(book: Any, make_record: Any, evaluate: Any) -> None:
    outcomes = _outcomes(evaluate, book, _observed(make_record, minutes_outside="ten"))
    assert outcomes["RANGE"] == ("fail", "observations.minutes_outside is ten; allowed 0..15; "
                                         "max_out = 15 (since 2020-01-01)")


def test_null_means_not_observed(book: Any, make_record: Any, evaluate: Any) -> None:
    outcomes = _outcomes(evaluate, book, _observed(make_record, uniform=None))
    assert outcomes["EQ"] == ("needs_review", "observations.uniform was not observed; an auditor must record it")


def test_missing_required_observation_refuses_the_record(book: Any, make_record: Any, evaluate: Any) -> None:
    record = _observed(make_record, badge="-")
    result = evaluate(book, [record])
    assert result["records"] == []
    assert result["errors"] == [{
        "file": "test.yaml", "line": 1, "column": 1, "path": "observations.badge",
        "message": "missing required observation 'observations.badge' (rule ONE reads it); add it, or set it to "
                   "null if it could not be observed",
    }]


def test_missing_observation_of_a_rule_that_does_not_apply_is_fine(make_book: Any, make_record: Any,
                                                                   evaluate: Any, helpers: Any) -> None:
    book = make_book([helpers.rule("EQ", {"type": "equals", "field": "observations.uniform", "value": True},
                                   applies_to={"kinds": ["floor_inspection"], "roles": ["leader"]})])
    record = make_record("floor_inspection", "FI-1", subject={"role": "agent"}, observations={})
    result = evaluate(book, [record])
    assert result["errors"] == []
    assert result["records"][0]["outcomes"][0]["explanation"] == "does not apply: role agent not in leader"


def test_options_are_checked_when_compiling(make_book: Any, helpers: Any) -> None:
    book = make_book([helpers.rule("RANGE", {"type": "in_range", "field": "observations.x", "max": "ten"})])
    with pytest.raises(UserError) as caught:
        Engine(book)
    assert caught.value.location.path == "sections[0].rules[0].check.max"
    book = make_book([helpers.rule("RE", {"type": "matches", "field": "observations.x", "pattern": "("})])
    with pytest.raises(UserError) as caught:
        Engine(book)
    assert caught.value.bare_message == (
        "the pattern is not a valid regular expression: missing ): ( [CE203]")
    assert caught.value.location.path == "sections[0].rules[0].check.pattern"


def test_the_batch_of_literal_field_checks_gives_each_rules_verdict() -> None:
    """``field_batch`` (the verdict lanes' batch) against each rule's own verdict function."""
    import math
    from pathlib import Path

    from checkengine.checks import Env
    from checkengine.engine import Engine
    from checkengine.rulebook.load import load_rulebook

    engine = Engine(load_rulebook(Path(__file__).resolve().parents[2] / "rulebooks" / "cs-floor.yaml"))
    checks = [c.check for c in engine.record_rules("floor_inspection")]
    made = [(check, check.fast_batch()) for check in checks if hasattr(check, "fast_batch")]
    offered = [(check, m) for check, m in made if m is not None and type(check).__name__ == "_FieldCheck"]
    assert len(offered) > 10
    batch = offered[0][1][0]([m[1] for _, m in offered])
    singles = [check.fast_verdict() for check, _ in offered]  # type: ignore[union-attr]
    values: list[object] = [None, True, False, 0, 1, 1.0, "standard", "in_use", "none", "x", [1], {"a": 1}, math.nan]
    fields = [m[1][1] for _, m in offered]
    seen = set()
    for k, value in enumerate(values):
        for observations in ({f: values[(k + j) % len(values)] for j, f in enumerate(fields)}, {}, None, [1], "x"):
            record = {"observations": observations}
            env = Env(engine.book, record, None, "en", engine.conditions)
            want = [single(record, env) for single in singles]  # type: ignore[misc]
            assert batch(record, env) == want, observations
            seen.update(want)
    assert seen >= {"pass", "fail", "needs_review", None}


def test_the_batch_reads_each_map_its_checks_name() -> None:
    """``field_batch`` over checks on one map (read once for all) and over checks on two maps,
    against :func:`_two_parts`'s verdict for each check, on records of every shape."""
    import math

    from checkengine.builtin.checks_observation import _two_parts, field_batch
    from checkengine.checks import MISSING

    one_map = [("observations", "badge", "standard", MISSING), ("observations", "chair", MISSING, ["in_use", "in_place"]),
               ("observations", "cup", False, MISSING), ("observations", "count", 0, MISSING)]
    two_maps = one_map + [("data", "badge", "standard", MISSING), ("data", "kind", MISSING, ("day", "night"))]
    values: list[object] = [None, True, False, 0, 1, 1.0, "standard", "in_use", "night", [1], {"a": 1}, math.nan]
    seen: set[object] = set()
    for specs in (one_map, two_maps):
        batch = field_batch(specs)
        singles = [_two_parts(first, second, lambda o, e: True, same, among) for first, second, same, among in specs]
        for k in range(len(values)):
            inner = {second: values[(k + j) % len(values)] for j, (_, second, _, _) in enumerate(specs)}
            for record in ({"observations": inner, "data": inner}, {"observations": inner}, {"data": {}},
                           {"observations": None}, {"observations": [1]}, {}, ["observations"]):
                want = [single(record, None) for single in singles]  # type: ignore[arg-type]
                assert batch(record, None) == want, (specs, record)  # type: ignore[arg-type]
                seen.update(want)
    assert seen >= {"pass", "fail", "needs_review", None}
