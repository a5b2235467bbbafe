"""The engine: compiling rules, applicability, outcomes and their explanations, scores, groups."""

from __future__ import annotations

import json
import pickle
from datetime import date
from typing import Any, Callable, Mapping

import pytest

from checkengine import hookimpl
from checkengine.checks import CheckType, CompiledCheck, Compiler, Env, Result
from checkengine.engine import Engine, GroupStates
from checkengine.errors import UserError
from checkengine.findings import Finding
from checkengine.plugins import registry_with


def _uniform(helpers: Any, rule_id: str = "DRS-01", **extra: Any) -> dict[str, Any]:
    return helpers.rule(rule_id, {"type": "equals", "field": "observations.uniform", "value": True}, **extra)


def _floor(make_record: Any, record_id: str = "FI-1", **fields: Any) -> Any:
    data = {"observations": {"uniform": True}, "subject": {"employee": "E001", "role": "agent", "team": "T1"}}
    data.update(fields)
    return make_record("floor_inspection", record_id, **data)


# -- compiling -------------------------------------------------------------------------------------
def test_unknown_check_type_suggests_one(make_book: Any, helpers: Any) -> None:
    book = make_book([helpers.rule("R1", {"type": "equal", "field": "x", "value": 1})])
    with pytest.raises(UserError) as caught:
        Engine(book)
    assert caught.value.bare_message.startswith(
        "unknown check type 'equal' (did you mean 'equals'?); known types: compare, count, covered, ")
    assert caught.value.location.path == "sections[0].rules[0].check.type"


def test_unknown_parameter_suggests_one(make_book: Any, helpers: Any) -> None:
    book = make_book([helpers.rule("R1", {"type": "in_range", "field": "observations.x",
                                          "max": {"param": "max_minute_outside"}})],
                     {"max_minutes_outside": helpers.param(15)})
    with pytest.raises(UserError) as caught:
        Engine(book)
    assert caught.value.bare_message == (
        "unknown parameter 'max_minute_outside' (did you mean 'max_minutes_outside'?); declare it under "
        "parameters [CE202]")
    assert caught.value.location.path == "sections[0].rules[0].check.max.param"


def test_collect_mode_gathers_every_problem(make_book: Any, helpers: Any) -> None:
    book = make_book([
        helpers.rule("R1", {"type": "equals", "field": "x", "value": 1, "colour": "red"}),
        helpers.rule("R2", {"type": "expression", "expr": "record.x =="}),
        _uniform(helpers, "R3", when="recrd.x == 1"),
        _uniform(helpers, "R4"),
    ])
    found: list[Finding] = []
    engine = Engine(book, collect=found)
    assert [(f.code, f.location.path) for f in found] == [
        ("CE203", "sections[0].rules[0].check.colour"),
        ("CE208", "sections[0].rules[1].check.expr"),
        ("CE208", "sections[0].rules[2].when"),
    ]
    assert [c.rule.id for c in engine.rules] == ["R4"]


def test_language_must_be_the_rulebooks(make_book: Any, helpers: Any) -> None:
    with pytest.raises(UserError) as caught:
        Engine(make_book([_uniform(helpers)]), lang="ko")
    assert str(caught.value) == "the rulebook 'test-book' has no 'ko' text; --lang must be one of: en, zh-Hant, zh-Hans"


# -- applicability and outcomes ----------------------------------------------------------------------
def test_not_applicable_reasons(make_book: Any, make_record: Any, evaluate: Any, helpers: Any) -> None:
    book = make_book([
        _uniform(helpers, "ROLE", applies_to={"kinds": ["floor_inspection"], "roles": ["leader"]}),
        _uniform(helpers, "TEAM", applies_to={"kinds": ["floor_inspection"], "teams": ["T2"]}),
        _uniform(helpers, "SITE", applies_to={"kinds": ["floor_inspection"], "sites": ["br-xinyi"]}),
        _uniform(helpers, "SHIFT", applies_to={"kinds": ["floor_inspection"], "shifts": ["night"]}),
        _uniform(helpers, "WHEN", when="record.observations.uniform == false"),
        _uniform(helpers, "OLD", effective={"from": "2020-01-01", "until": "2025-12-31"}),
        _uniform(helpers, "OTHER", kinds=["branch_inspection"]),
    ])
    result = evaluate(book, [_floor(make_record)])
    assert {o["rule"]: o["explanation"] for o in result["records"][0]["outcomes"]} == {
        "ROLE": "does not apply: role agent not in leader",
        "TEAM": "does not apply: team T1 not in T2",
        "SITE": "does not apply: site cc-taipei not in br-xinyi",
        # The record does not say its shift: whether a night-shift rule applies is not known.
        "SHIFT": "needs review: the record does not say shift.kind or data.shift_kind, which decides whether "
                 "this rule applies",
        "WHEN": "does not apply: the condition does not hold: record.observations.uniform == false",
        "OLD": "does not apply: not in force on 2026-11-03 (effective 2020-01-01 – 2025-12-31)",
    }
    assert result["summary"]["not_applicable"] == 5
    day = make_record("floor_inspection", "FI-9", subject={"employee": "E001", "role": "agent", "team": "T1"},
                      shift={"kind": "day"}, observations={"uniform": True})
    assert helpers.outcome_of(evaluate(book, [day]), "SHIFT")["explanation"] == "does not apply: shift day not in night"


def test_a_failing_condition_is_that_rules_error(make_book: Any, make_record: Any, evaluate: Any,
                                                 helpers: Any) -> None:
    book = make_book([_uniform(helpers, "WHEN", when="record.observations.calls / 0 > 1"), _uniform(helpers, "OK")])
    result = evaluate(book, [_floor(make_record, observations={"uniform": True, "calls": 4})])
    outcomes = {o["rule"]: (o["outcome"], o["explanation"]) for o in result["records"][0]["outcomes"]}
    assert outcomes == {
        "WHEN": ("error", "the check could not run: the condition `record.observations.calls / 0 > 1` divides by zero"),
        "OK": ("pass", "observations.uniform is yes; expected yes"),
    }
    assert result["records"][0]["score"]["pending"] == ["WHEN"]


class _Explodes(CheckType):
    name = "explodes"
    summary = "A broken third-party check."

    def compile(self, spec: Mapping[str, Any], compiler: Compiler) -> CompiledCheck:
        class _Run(CompiledCheck):
            def run(self, record: Mapping[str, Any], env: Env) -> Result:
                return {}["missing"]  # type: ignore[no-any-return]

        return _Run()


class _ExplodingPlugin:
    @staticmethod
    @hookimpl
    def checkengine_register_check_types(register: Callable[[CheckType], None]) -> None:
        register(_Explodes())


def test_a_crashing_check_is_an_error_not_a_crash(make_book: Any, make_record: Any, evaluate: Any,
                                                  helpers: Any) -> None:
    book = make_book([helpers.rule("BOOM", {"type": "explodes"}), _uniform(helpers)])
    result = evaluate(book, [_floor(make_record)], registry=registry_with(_ExplodingPlugin()))
    first = result["records"][0]["outcomes"][0]
    assert (first["outcome"], first["explanation"]) == ("error", "the check could not run: KeyError: 'missing'")
    assert result["records"][0]["outcomes"][1]["outcome"] == "pass"


def test_outcome_fields(make_book: Any, make_record: Any, evaluate: Any, helpers: Any) -> None:
    book = make_book([_uniform(helpers, severity="critical", corrective_action={"en": "Issue a uniform",
                                                                                "zh-Hant": "發放制服", "zh-Hans": "发放制服"})])
    result = evaluate(book, [_floor(make_record, observations={"uniform": False})], lang="zh-Hans")
    entry = result["records"][0]
    assert entry["record"] == {"id": "FI-1", "kind": "floor_inspection", "site": "cc-taipei",
                               "subject": {"employee": "E001", "role": "agent", "team": "T1"}, "inspector": None,
                               "timestamp": "2026-11-03T09:15:00+08:00", "file": "test.yaml", "line": 1}
    assert entry["outcomes"] == [{
        "rule": "DRS-01", "section": "main", "title": "DRS-01", "outcome": "fail", "severity": "critical",
        "weight": 5.0, "critical": True, "explanation": "observations.uniform 为 否；应为 是",
        "observed": False, "expected": True, "parameters": {}, "source": {"clause": "DRS-01"},
        "sources": [{"clause": "DRS-01"}], "waiver": None, "comment": None, "evidence": [], "details": {},
        "corrective_action": "发放制服"}]
    assert entry["score"]["passed"] is False and entry["score"]["critical_failures"] == ["DRS-01"]


def test_parameters_apply_as_of_the_records_date(make_book: Any, make_record: Any, evaluate: Any,
                                                 helpers: Any) -> None:
    limits = {"description": {"en": "p", "zh-Hant": "p", "zh-Hans": "p"}, "values": {
        "2020-01-01": {"value": 15, "reference": "old"}, "2026-12-01": {"value": 10, "reference": "new"}}}
    book = make_book([helpers.rule("OUT", {"type": "in_range", "field": "observations.out", "max": {"param": "limit"}})],
                     {"limit": limits})
    november = _floor(make_record, "FI-11", observations={"out": 12})
    december = _floor(make_record, "FI-12", observations={"out": 12}, timestamp="2026-12-03T09:00:00+08:00")
    result = evaluate(book, [november, december])
    assert [e["outcomes"][0]["outcome"] for e in result["records"]] == ["pass", "fail"]
    forced = evaluate(book, [november], on=date(2026, 12, 1))
    assert forced["records"][0]["outcomes"][0]["parameters"]["limit"] == {"value": 10, "since": "2026-12-01",
                                                                          "reference": "new"}
    assert forced["rulebook"]["as_of"] == "2026-12-01"


def test_unknown_scoring_method(make_book: Any, make_record: Any, evaluate: Any, helpers: Any) -> None:
    book = make_book([_uniform(helpers)], scoring={"method": "medals"})
    with pytest.raises(UserError) as caught:
        evaluate(book, [_floor(make_record)])
    assert caught.value.bare_message.startswith("the scoring method 'medals' is not provided by any installed "
                                                "plugin (installed: ")
    assert caught.value.bare_message.endswith("install the plugin that provides the scoring method 'medals' "
                                              "(checkengine plugins lists what is installed)")
    assert caught.value.location.path == "scoring.method" and caught.value.location.line


# -- transcripts and groups ------------------------------------------------------------------------
def test_transcript_language_variants(make_book: Any, make_record: Any, evaluate: Any, helpers: Any) -> None:
    check = {"type": "phrases", "forbid": [{"name": "rude", "phrases": {"zh-Hant": ["不知道"], "en": ["dunno"]}}]}
    book = make_book([helpers.rule("PHR", check, kinds=["transcript"])])
    turns = [{"speaker": "agent", "text": "您好"}]
    records = [make_record("transcript", f"T-{lang}", data={"language": lang, "turns": turns})
               for lang in ("zh-TW", "en-US", "ko", "es")]
    result = evaluate(book, records)
    assert [e["record"]["id"] for e in result["records"]] == ["T-zh-TW", "T-en-US"]
    assert [e["message"] for e in result["errors"]] == [
        f"the transcript is in '{lang}', which the rulebook 'test-book' lacks; its languages are: en, zh-Hant, zh-Hans"
        for lang in ("ko", "es")]


def test_group_states_pickle_and_merge(make_book: Any, make_record: Any, helpers: Any) -> None:
    book = make_book([helpers.rule("CNT", {"type": "count", "date": "data.shift_date", "group_by": {
        "employee": "data.requester"}, "max": 1}, kinds=["shift_swap"])])
    engine = Engine(book)
    states = engine.new_groups()
    for i, who in enumerate(["E1", "E1", "E2"]):
        engine.fold(states, make_record("shift_swap", f"S{i}", data={"requester": who, "counterpart": "E9",
                                                                     "shift_date": "2026-11-03"}))
    copy = pickle.loads(pickle.dumps(states))
    assert isinstance(copy, GroupStates) and copy.states == states.states
    merged = engine.merge(copy, engine.new_groups())
    assert [(g["group"]["employee"], g["outcome"]) for g in engine.finish_groups(merged)] == [
        ("E1", "fail"), ("E2", "pass")]


# -- missing is not "does not apply" (issue 9, point 4) -------------------------------------------------
@pytest.fixture
def swap_book(make_book: Any, helpers: Any) -> Any:
    """001 換班 三: 換班者、還班者不允許連班 -- judged on the register's back_to_back."""
    rules = [
        helpers.rule("B2B", {"type": "equals", "field": "data.back_to_back", "value": False},
                     kinds=["shift_swap"], needs=["data.back_to_back"]),
        helpers.rule("NIGHT", {"type": "expression", "expr": "record.data.form_filed == true"},
                     kinds=["shift_swap"], when="record.data.shift_kind == 'night'"),
        helpers.rule("READS", {"type": "expression", "expr": "record.data.handover_clear == true"},
                     kinds=["shift_swap"]),
    ]
    return make_book(rules)


def _swap(make_record: Any, **data: Any) -> Any:
    return make_record("shift_swap", "SW-1", data={"requester": "E1", "counterpart": "E2", "shift_date": "2026-11-05",
                                                   **data})


@pytest.mark.parametrize(("back_to_back", "outcome", "state"), [
    (False, "pass", None), (True, "fail", None), (None, "needs_review", "null: not known"),
    ("absent", "needs_review", "missing"),
])
def test_a_fact_the_rule_needs_is_named_when_unknown(swap_book: Any, make_record: Any, evaluate: Any, helpers: Any,
                                                     back_to_back: Any, outcome: str, state: str | None) -> None:
    data = {} if back_to_back == "absent" else {"back_to_back": back_to_back}
    result = evaluate(swap_book, [_swap(make_record, **data)], lang="en")
    assert result["errors"] == []  # never a refused record: the rule itself says what it lacks
    o = helpers.outcome_of(result, "B2B")
    assert o["outcome"] == outcome
    if state:
        assert o["explanation"] == (f"needs review: the record does not say data.back_to_back ({state}), which this "
                                    "rule needs")
        assert o["details"] == {"unknown": "data.back_to_back"}


@pytest.mark.parametrize(("shift_kind", "outcome"), [
    ("night", "pass"), ("day", "not_applicable"), (None, "needs_review"), ("absent", "needs_review"),
])
def test_not_applicable_only_on_known_facts(swap_book: Any, make_record: Any, evaluate: Any, helpers: Any,
                                            shift_kind: Any, outcome: str) -> None:
    data = {"form_filed": True, "handover_clear": True}
    if shift_kind != "absent":
        data["shift_kind"] = shift_kind
    o = helpers.outcome_of(evaluate(swap_book, [_swap(make_record, **data)], lang="en"), "NIGHT")
    assert o["outcome"] == outcome
    if outcome == "needs_review":
        assert "data.shift_kind" in o["explanation"]


def test_a_condition_reading_an_absent_field_needs_review_naming_it(swap_book: Any, make_record: Any,
                                                                     evaluate: Any, helpers: Any) -> None:
    o = helpers.outcome_of(evaluate(swap_book, [_swap(make_record)], lang="en"), "READS")
    assert (o["outcome"], o["details"]) == ("needs_review", {"unknown": "data.handover_clear"})


def test_null_is_accepted_on_every_data_field() -> None:
    from checkengine.validation import full

    schema = full("record")  # the envelope with every registered kind's data schema
    for branch in schema["allOf"]:
        for name, field_schema in branch["then"]["properties"]["data"]["properties"].items():
            text = repr(field_schema)
            assert "'null'" in text or "None" in text, (branch["if"]["properties"]["kind"]["const"], name)


def test_a_group_rule_whose_audience_a_record_leaves_out_needs_review(make_book: Any, make_record: Any,
                                                                        evaluate: Any, helpers: Any) -> None:
    book = make_book([helpers.rule("CNT", {"type": "count", "date": "data.shift_start", "period": "month", "min": 1},
                                   kinds=["attendance"], applies_to={"kinds": ["attendance"], "roles": ["agent"]})])
    shift = {"shift_start": "2026-11-03T09:00:00+08:00", "shift_end": "2026-11-03T17:00:00+08:00"}
    unknown_role = make_record("attendance", "AT-1", subject={"employee": "E1"}, data=shift)
    result = evaluate(book, [unknown_role], lang="en")
    [entry] = [o for o in result["groups"] if o["rule"] == "CNT"]
    assert (entry["outcome"], entry["group"]) == ("needs_review", {"records": ["AT-1"]})
    assert "the record does not say subject.role" in entry["explanation"]
    # The mark survives chunking: partial states merge it.
    engine = Engine(book, lang="en")
    a, b = engine.new_groups(), engine.new_groups()
    engine.fold(a, unknown_role)
    assert a.undecided == {"CNT"}
    assert engine.merge(b, a).undecided == {"CNT"}


def test_a_group_rule_that_needs_a_field_lists_the_records_without_it(make_book: Any, make_record: Any,
                                                                        evaluate: Any, helpers: Any) -> None:
    """001 換班 三: 每人每月換班不得超過2次 -- a swap that does not say its counterpart cannot be counted."""
    book = make_book([helpers.rule("SWAPS", {"type": "count", "kinds": ["shift_swap"], "date": "data.shift_date",
                                             "group_by": {"employee": ["data.requester", "data.counterpart"]},
                                             "max": 2},
                                   kinds=["shift_swap"], needs=["data.counterpart"])])
    full = make_record("shift_swap", "SW-1", data={"requester": "E1", "counterpart": "E2", "shift_date": "2026-11-05"})
    half = make_record("shift_swap", "SW-2", data={"requester": "E1", "counterpart": None, "shift_date": "2026-11-06"})
    groups = {json.dumps(o["group"], sort_keys=True): o for o in evaluate(book, [full, half], lang="en")["groups"]}
    assert groups['{"records": ["SW-2"]}']["outcome"] == "needs_review"
    assert "the record does not say data.counterpart, which this rule needs" in groups['{"records": ["SW-2"]}'][
        "explanation"]
    assert groups['{"employee": "E1", "period": "2026-11"}']["observed"] == 1  # SW-2 is not counted
